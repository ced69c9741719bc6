//! What every MPC call shares, written down once: limits, the `User-Agent`, the error codes
//! of the API and its gateway, and the checks on ids before they are sent.
//!
//! This module imports nothing else from `mpc`, so that calls, the client and the local
//! endpoint can all stand on it.

use std::fmt;

use http::HeaderMap;

/// The `User-Agent` this crate sends: `huaweicloud-aksk/<version>`.
pub const USER_AGENT: &str = concat!("huaweicloud-aksk/", env!("CARGO_PKG_VERSION"));

/// The longest task id or project id accepted, in bytes (MPC task ids are short decimal
/// strings and project ids 32 hex digits; the bound keeps URLs and logs small).
pub const MAX_ID_BYTES: usize = 128;

/// The most bytes of any response body that are read; the rest is never read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// An error code the MPC API or its gateway documents, recognised without string matching.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `MPC.10211`: the task does not exist (HTTP 403).
    TaskNotFound,
    /// `MPC.10202`: a request parameter is invalid (HTTP 400).
    InvalidParameter,
    /// `MPC.10203`: identity authentication failed (HTTP 401).
    IdentityAuthenticationFailed,
    /// `MPC.10212`: the operation failed (HTTP 403).
    OperationFailed,
    /// `MPC.10213`: the task is not in a final state (only Canceled, Completed or Failed
    /// records can be deleted).
    TaskNotFinal,
    /// `APIGW.0301`: bad AK/SK signature, unknown AK, or expired signature (HTTP 401).
    GatewayAuthenticationFailed,
    /// `APIGW.0101`: the API does not exist at this endpoint (HTTP 404).
    GatewayApiNotFound,
    /// `APIG.0308`: throttled by the gateway (HTTP 429).
    GatewayThrottled,
    /// Any other code.
    Other,
}

/// Every known code with its `error_code` string: the one table both directions read.
const CODES: [(ErrorCode, &str); 8] = [
    (ErrorCode::TaskNotFound, "MPC.10211"),
    (ErrorCode::InvalidParameter, "MPC.10202"),
    (ErrorCode::IdentityAuthenticationFailed, "MPC.10203"),
    (ErrorCode::OperationFailed, "MPC.10212"),
    (ErrorCode::TaskNotFinal, "MPC.10213"),
    (ErrorCode::GatewayAuthenticationFailed, "APIGW.0301"),
    (ErrorCode::GatewayApiNotFound, "APIGW.0101"),
    (ErrorCode::GatewayThrottled, "APIG.0308"),
];

impl ErrorCode {
    /// The code for an `error_code` string (compared exactly, as the API writes them).
    ///
    /// ```
    /// use huaweicloud_aksk::mpc::ErrorCode;
    ///
    /// assert_eq!(ErrorCode::from_code("MPC.10211"), ErrorCode::TaskNotFound);
    /// assert_eq!(ErrorCode::TaskNotFound.as_str(), Some("MPC.10211"));
    /// assert_eq!(ErrorCode::from_code("MPC.99999"), ErrorCode::Other);
    /// ```
    pub fn from_code(code: &str) -> ErrorCode {
        CODES
            .iter()
            .find(|(_, s)| *s == code)
            .map_or(ErrorCode::Other, |(c, _)| *c)
    }

    /// The `error_code` string of a known code (`None` for [`ErrorCode::Other`]).
    pub fn as_str(self) -> Option<&'static str> {
        CODES.iter().find(|(c, _)| *c == self).map(|(_, s)| *s)
    }
}

/// What is wrong with a call argument.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvalidReason {
    /// It is empty.
    Empty,
    /// It is longer than [`MAX_ID_BYTES`].
    TooLong,
    /// It contains a control character.
    ControlCharacter,
    /// It has leading or trailing whitespace.
    OuterWhitespace,
    /// It contains a character other than printable ASCII (where it is sent as a header).
    NotPrintableAscii,
    /// There are more than the API takes at once.
    TooMany,
    /// It is outside the range the API takes.
    OutOfRange,
    /// It is longer than [`MAX_TEXT_BYTES`].
    TextTooLong,
    /// It contains a comma: MPC would read one value as a list.
    Comma,
}

/// The longest text (an object name, a bucket) accepted in a query or body, in bytes (OBS
/// object names are at most 1024 bytes).
pub const MAX_TEXT_BYTES: usize = 1024;

impl fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidReason::Empty => "is empty",
            InvalidReason::TooLong => "is longer than 128 bytes",
            InvalidReason::ControlCharacter => "contains a control character",
            InvalidReason::OuterWhitespace => "has leading or trailing whitespace",
            InvalidReason::NotPrintableAscii => "contains a character other than printable ASCII",
            InvalidReason::TooMany => "has more values than the API takes at once",
            InvalidReason::OutOfRange => "is outside the range the API takes",
            InvalidReason::TextTooLong => "is longer than 1024 bytes",
            InvalidReason::Comma => "contains a comma",
        })
    }
}

/// A call argument that cannot be sent: which one, and why (its value is not shown).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidInput {
    /// The argument, e.g. `"task id"`.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: InvalidReason,
}

impl InvalidInput {
    pub(crate) fn new(field: &'static str, reason: InvalidReason) -> Self {
        InvalidInput { field, reason }
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.field, self.reason)
    }
}

impl std::error::Error for InvalidInput {}

/// Checks an id before it is sent: not empty, at most [`MAX_ID_BYTES`] bytes, no control
/// characters, no leading or trailing whitespace.
pub(crate) fn check_id(field: &'static str, value: &str) -> Result<(), InvalidInput> {
    let reason = if value.is_empty() {
        InvalidReason::Empty
    } else if value.len() > MAX_ID_BYTES {
        InvalidReason::TooLong
    } else if value.chars().any(char::is_control) {
        InvalidReason::ControlCharacter
    } else if value.trim() != value {
        InvalidReason::OuterWhitespace
    } else {
        return Ok(());
    };
    Err(InvalidInput::new(field, reason))
}

/// Checks text sent in a query or a body (an object name): not empty, at most
/// [`MAX_TEXT_BYTES`] bytes, no control characters.
pub(crate) fn check_text(field: &'static str, value: &str) -> Result<(), InvalidInput> {
    let reason = if value.is_empty() {
        InvalidReason::Empty
    } else if value.len() > MAX_TEXT_BYTES {
        InvalidReason::TextTooLong
    } else if value.chars().any(char::is_control) {
        InvalidReason::ControlCharacter
    } else {
        return Ok(());
    };
    Err(InvalidInput::new(field, reason))
}

/// A project id, checked: sent in every path and as the `X-Project-Id` header, so it is
/// also printable ASCII.
///
/// ```
/// use huaweicloud_aksk::mpc::{InvalidReason, ProjectId};
///
/// let id = ProjectId::new("0123456789abcdef0123456789abcdef")?;
/// assert_eq!(id.as_str(), "0123456789abcdef0123456789abcdef");
/// assert_eq!(ProjectId::new("é").unwrap_err().reason, InvalidReason::NotPrintableAscii);
/// # Ok::<(), huaweicloud_aksk::mpc::InvalidInput>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProjectId(String);

impl ProjectId {
    /// Checks `project_id`.
    pub fn new(project_id: impl Into<String>) -> Result<ProjectId, InvalidInput> {
        let project_id = project_id.into();
        check_id("project id", &project_id)?;
        if !project_id.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(InvalidInput::new(
                "project id",
                InvalidReason::NotPrintableAscii,
            ));
        }
        Ok(ProjectId(project_id))
    }

    /// The id as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shows text from the network or the command line with control characters escaped, so
/// that it cannot move the cursor of the terminal it is printed on.
pub(crate) struct Printable<'a>(pub(crate) &'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

/// Appends `value` percent-encoded as a path segment or query value with the signer's own
/// encoder (`A-Za-z0-9-_.~` kept, everything else `%XX`; docs/SIGNING.md §1), so that what
/// is sent is already in canonical form and is what is signed.
pub(crate) fn encode_component(out: &mut String, value: &str) {
    crate::sign::encoding::encode_into(out, value.as_bytes());
}

/// A response header as text (invalid UTF-8 replaced), trimmed; `None` when absent or
/// empty.
pub(crate) fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?;
    let text = String::from_utf8_lossy(value.as_bytes()).trim().to_owned();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_round_trip_and_others_are_other() {
        for (code, text) in CODES {
            assert_eq!(ErrorCode::from_code(text), code);
            assert_eq!(code.as_str(), Some(text));
        }
        assert_eq!(ErrorCode::from_code("mpc.10211"), ErrorCode::Other);
        assert_eq!(ErrorCode::Other.as_str(), None);
    }

    #[test]
    fn ids_are_checked_for_each_reason() {
        let long = "1".repeat(MAX_ID_BYTES + 1);
        for (value, reason) in [
            ("", InvalidReason::Empty),
            (long.as_str(), InvalidReason::TooLong),
            ("1\n2", InvalidReason::ControlCharacter),
            ("1\u{7f}", InvalidReason::ControlCharacter),
            (" 12", InvalidReason::OuterWhitespace),
        ] {
            assert_eq!(
                check_id("task id", value),
                Err(InvalidInput::new("task id", reason)),
                "{value:?}"
            );
        }
        assert!(check_id("task id", &"1".repeat(MAX_ID_BYTES)).is_ok());
        assert!(check_id("task id", "é").is_ok());
        assert_eq!(
            ProjectId::new("é"),
            Err(InvalidInput::new(
                "project id",
                InvalidReason::NotPrintableAscii
            ))
        );
        assert_eq!(ProjectId::new("").unwrap_err().field, "project id");
        assert_eq!(
            InvalidInput::new("task id", InvalidReason::TooLong).to_string(),
            "invalid task id: is longer than 128 bytes"
        );
    }
}
