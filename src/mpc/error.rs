//! What can go wrong with an MPC call, as types a caller can match on.
//!
//! No error here ever holds the secret key. Texts that come from the server are kept as
//! they were sent, except that an `x-security-token:` value echoed back by the gateway (its
//! `APIGW.0301` message quotes its canonical request) is replaced by `<redacted>`.

use std::fmt;

use crate::SignError;
use crate::mpc::call::BodyRead;
use crate::mpc::common::{ErrorCode, InvalidInput, Printable};

/// Why an MPC call failed.
///
/// ```
/// use huaweicloud_aksk::mpc::{DeleteOutcome, MpcError};
///
/// fn describe(result: Result<DeleteOutcome, MpcError>) -> String {
///     match result {
///         Ok(DeleteOutcome::Deleted) => "deleted".into(),
///         Ok(DeleteOutcome::AlreadyDeleted) => "deleted by an earlier attempt".into(),
///         Ok(_) => "deleted".into(),
///         Err(MpcError::Api(e)) if e.is_task_not_found() => "no such task".into(),
///         Err(MpcError::Unauthorized(e)) => format!("check the AK/SK: {}", e.error_msg),
///         Err(MpcError::Throttled(_)) => "throttled; try later".into(),
///         Err(e) => e.to_string(),
///     }
/// }
/// # let _ = describe;
/// ```
#[non_exhaustive]
#[derive(Debug)]
pub enum MpcError {
    /// A call argument was refused before anything was sent (no connection was opened).
    Invalid(InvalidInput),
    /// The request could not be signed (the credentials cannot sign).
    Sign(SignError),
    /// The API refused the call with an error body (`error_code`, `error_msg`); see
    /// [`ApiError::code`]. Authentication failures and throttling have their own variants.
    Api(ApiError),
    /// The gateway refused the credentials or the signature (HTTP 401, usually
    /// `APIGW.0301`), after any clock-skew correction was tried.
    Unauthorized(ApiError),
    /// The call was throttled (HTTP 429 or `APIG.0308`) and retries did not get through.
    Throttled(ApiError),
    /// The answer is not one the API documents (for example an error status with a body
    /// that is not the JSON error object, or a redirect).
    UnexpectedResponse(UnexpectedResponse),
    /// No HTTP answer arrived: connecting, sending or receiving failed, or timed out.
    Transport(TransportError),
    /// The credentials provider gave no credentials to sign with (nothing was sent).
    #[cfg(feature = "blocking")]
    Credentials(crate::credentials::ProvideError),
}

impl MpcError {
    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            MpcError::Api(e) | MpcError::Unauthorized(e) | MpcError::Throttled(e) => Some(e.status),
            MpcError::UnexpectedResponse(e) => Some(e.status),
            _ => None,
        }
    }

    /// The request id (`X-Request-Id`) of the answer, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            MpcError::Api(e) | MpcError::Unauthorized(e) | MpcError::Throttled(e) => {
                e.request_id.as_deref()
            }
            MpcError::UnexpectedResponse(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// The API error, for every variant that carries one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            MpcError::Api(e) | MpcError::Unauthorized(e) | MpcError::Throttled(e) => Some(e),
            _ => None,
        }
    }

    /// The task does not exist (`MPC.10211`).
    pub fn is_task_not_found(&self) -> bool {
        self.api_error().is_some_and(ApiError::is_task_not_found)
    }

    /// The answer was a throttling one (HTTP 429 or `APIG.0308`), whatever its body.
    pub fn is_throttled(&self) -> bool {
        matches!(self, MpcError::Throttled(_)) || self.status() == Some(429)
    }

    /// The gateway refused the credentials or signature (HTTP 401), whatever its body.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, MpcError::Unauthorized(_)) || self.status() == Some(401)
    }

    /// The failure is a transport one: no HTTP answer arrived.
    pub fn is_transport(&self) -> bool {
        matches!(self, MpcError::Transport(_))
    }
}

impl fmt::Display for MpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MpcError::Invalid(e) => fmt::Display::fmt(e, f),
            MpcError::Sign(e) => write!(f, "cannot sign the request: {e}"),
            MpcError::Api(e) => write!(f, "API error: {e}"),
            MpcError::Unauthorized(e) => {
                write!(f, "authentication failed: {e}")?;
                match e.signature_explanation() {
                    Some(why) => write!(f, "; {why}"),
                    None => Ok(()),
                }
            }
            MpcError::Throttled(e) => write!(f, "throttled: {e}"),
            MpcError::UnexpectedResponse(e) => fmt::Display::fmt(e, f),
            MpcError::Transport(e) => fmt::Display::fmt(e, f),
            #[cfg(feature = "blocking")]
            MpcError::Credentials(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for MpcError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MpcError::Invalid(e) => Some(e),
            MpcError::Sign(e) => Some(e),
            MpcError::Api(e) | MpcError::Unauthorized(e) | MpcError::Throttled(e) => Some(e),
            MpcError::UnexpectedResponse(e) => Some(e),
            MpcError::Transport(e) => Some(e),
            #[cfg(feature = "blocking")]
            MpcError::Credentials(e) => Some(e),
        }
    }
}

impl From<InvalidInput> for MpcError {
    fn from(e: InvalidInput) -> Self {
        MpcError::Invalid(e)
    }
}

impl From<SignError> for MpcError {
    fn from(e: SignError) -> Self {
        MpcError::Sign(e)
    }
}

impl From<TransportError> for MpcError {
    fn from(e: TransportError) -> Self {
        MpcError::Transport(e)
    }
}

/// An error answer of the API: HTTP status, `error_code`, `error_msg`, request id.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The `error_code` of the body, e.g. `MPC.10211`.
    pub error_code: String,
    /// The `error_msg` of the body, e.g. `The task does not exist.` (empty when the body
    /// has none).
    pub error_msg: String,
    /// The `X-Request-Id` response header (or the body's `request_id` when the header is
    /// missing).
    pub request_id: Option<String>,
    /// For a refused signature, what the gateway's message says about it compared with
    /// what the client signed (see [`ApiError::signature_explanation`]).
    explanation: Option<Box<SignatureExplanation>>,
}

impl ApiError {
    /// An API error; a security token quoted in `error_msg` is redacted.
    pub(crate) fn new(
        status: u16,
        error_code: impl Into<String>,
        error_msg: impl Into<String>,
        request_id: Option<String>,
    ) -> Self {
        ApiError {
            status,
            error_code: error_code.into(),
            error_msg: redact_security_token(&error_msg.into()),
            request_id,
            explanation: None,
        }
    }

    /// Why the gateway refused the signature, when its message says (a 401 `APIGW.0301`
    /// with its canonical request, or "signature expired") and the client kept what it
    /// signed.
    pub fn signature_explanation(&self) -> Option<&SignatureExplanation> {
        self.explanation.as_deref()
    }

    /// Compares the gateway's message with `signed` (what the client signed).
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn explain(&mut self, signed: &SignedSummary) {
        if self.status == 401 {
            self.explanation = explain_signature(&self.error_msg, signed).map(Box::new);
        }
    }

    /// The error code, when it is one the API documents.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::from_code(&self.error_code)
    }

    /// The task does not exist (`MPC.10211`).
    pub fn is_task_not_found(&self) -> bool {
        self.code() == ErrorCode::TaskNotFound
    }
}

impl fmt::Display for ApiError {
    /// `error_code: error_msg (HTTP status, request id ...)`, control characters escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (HTTP {}",
            Printable(&self.error_code),
            Printable(&self.error_msg),
            self.status
        )?;
        if let Some(id) = &self.request_id {
            write!(f, ", request id {}", Printable(id))?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for ApiError {}

/// What a client signed, kept to explain a refused signature: the canonical request
/// (security token redacted) and the `X-Sdk-Date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedSummary {
    /// The canonical request, lines joined by `\n`, security token redacted.
    pub canonical_request: String,
    /// The `X-Sdk-Date` signed, `YYYYMMDDTHHMMSSZ`.
    pub date: String,
}

impl SignedSummary {
    /// A summary; a security token in `canonical_request` is redacted.
    pub fn new(canonical_request: &str, date: impl Into<String>) -> Self {
        SignedSummary {
            canonical_request: redact_security_token(canonical_request),
            date: date.into(),
        }
    }
}

/// What a refused signature's message says, compared with what was signed.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureExplanation {
    /// The gateway's canonical request differs from ours: the first line that differs.
    CanonicalRequestDiffers {
        /// The line, from 1.
        line: usize,
        /// What the line is (`the method`, `the canonical URI`, `a header`, ...).
        part: &'static str,
        /// Our line (empty when ours has fewer lines).
        ours: String,
        /// The gateway's line.
        gateway: String,
    },
    /// The gateway computed the canonical request we signed: the signature differs all the
    /// same, so the secret key (or the signing algorithm) is not the one the gateway has
    /// for the access key.
    SameCanonicalRequest,
    /// The signature expired: our clock differs from the gateway's.
    ClockSkew {
        /// Our `X-Sdk-Date`.
        signed_at: String,
        /// The gateway's time.
        server_time: String,
        /// The gateway's time minus ours.
        offset: chrono::TimeDelta,
    },
}

impl fmt::Display for SignatureExplanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureExplanation::CanonicalRequestDiffers {
                line,
                part,
                ours,
                gateway,
            } => write!(
                f,
                "the gateway's canonical request differs from the one signed at line {line} \
                 ({part}): signed {:?}, gateway {:?}",
                Printable(ours).to_string(),
                Printable(gateway).to_string()
            ),
            SignatureExplanation::SameCanonicalRequest => f.write_str(
                "the gateway computed the canonical request that was signed: the secret key \
                 does not match the access key",
            ),
            SignatureExplanation::ClockSkew {
                signed_at,
                server_time,
                offset,
            } => {
                let secs = offset.num_seconds();
                let (amount, way) = if secs >= 0 {
                    (secs, "behind")
                } else {
                    (-secs, "ahead of")
                };
                write!(
                    f,
                    "this machine's clock is {amount} s {way} the gateway's (signed at \
                     {signed_at}, gateway time {server_time})"
                )
            }
        }
    }
}

/// What the line `index` (from 0) of a canonical request with `lines` lines holds.
fn canonical_part(index: usize, lines: usize) -> &'static str {
    match index {
        0 => "the method",
        1 => "the canonical URI",
        2 => "the canonical query",
        i if i + 1 == lines => "the payload hash",
        i if i + 2 == lines => "the signed headers",
        i if i + 3 == lines => "the blank line after the headers",
        _ => "a canonical header",
    }
}

/// Reads a 401 `error_msg`: the canonical request after `CanonicalRequest:` (lines joined
/// by `|`), or `signature time:..., server time:...`; compares it with `signed`.
pub fn explain_signature(error_msg: &str, signed: &SignedSummary) -> Option<SignatureExplanation> {
    if let Some(at) = error_msg.find("CanonicalRequest:") {
        let theirs = &error_msg[at + "CanonicalRequest:".len()..];
        let theirs: Vec<&str> = theirs.split('|').collect();
        let ours: Vec<&str> = signed.canonical_request.split('\n').collect();
        let n = theirs.len().max(ours.len());
        for i in 0..n {
            let (o, t) = (ours.get(i).copied(), theirs.get(i).copied());
            if o != t {
                return Some(SignatureExplanation::CanonicalRequestDiffers {
                    line: i + 1,
                    part: canonical_part(i, ours.len()),
                    ours: o.unwrap_or("").to_owned(),
                    gateway: t.unwrap_or("").to_owned(),
                });
            }
        }
        return Some(SignatureExplanation::SameCanonicalRequest);
    }
    let rest = &error_msg[error_msg.find("signature expired")?..];
    let field = |name: &str| {
        let start = rest.find(name)? + name.len();
        let value = rest[start..].split([',', ' ', '"']).next()?;
        Some(value.trim().to_owned())
    };
    let signed_at = field("signature time:")?;
    let server_time = field("server time:")?;
    let parse = |v: &str| chrono::NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%SZ").ok();
    let offset = parse(&server_time)? - parse(&signed.date).or_else(|| parse(&signed_at))?;
    Some(SignatureExplanation::ClockSkew {
        signed_at: signed.date.clone(),
        server_time,
        offset,
    })
}

/// An answer the API does not document, with a bounded snippet of its body.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnexpectedResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `X-Request-Id` response header, when present.
    pub request_id: Option<String>,
    /// The `Content-Type` response header, when present.
    pub content_type: Option<String>,
    /// The start of the body (at most [`SNIPPET_CHARS`] characters, invalid UTF-8
    /// replaced), for diagnostics.
    pub snippet: String,
    /// Whether the body was longer than what was read or shown.
    pub body_read: BodyRead,
}

/// How many characters of an unexpected body are kept in [`UnexpectedResponse::snippet`].
pub const SNIPPET_CHARS: usize = 256;

impl UnexpectedResponse {
    /// An unexpected answer; `body` is what was read of the body, `body_read` whether more
    /// was left unread.
    pub(crate) fn new(
        status: u16,
        request_id: Option<String>,
        content_type: Option<String>,
        body: &[u8],
        body_read: BodyRead,
    ) -> Self {
        let text = String::from_utf8_lossy(body);
        let mut snippet: String = text.chars().take(SNIPPET_CHARS).collect();
        let cut = snippet.len() < text.len();
        snippet = redact_security_token(&snippet);
        UnexpectedResponse {
            status,
            request_id,
            content_type,
            snippet,
            body_read: if cut { BodyRead::Truncated } else { body_read },
        }
    }
}

impl fmt::Display for UnexpectedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unexpected response: HTTP {}", self.status)?;
        if let Some(ct) = &self.content_type {
            write!(f, ", {}", Printable(ct))?;
        }
        if let Some(id) = &self.request_id {
            write!(f, ", request id {}", Printable(id))?;
        }
        if self.snippet.is_empty() {
            f.write_str(", empty body")
        } else {
            write!(
                f,
                ", body: {}{}",
                Printable(&self.snippet),
                if self.body_read == BodyRead::Truncated {
                    "..."
                } else {
                    ""
                }
            )
        }
    }
}

impl std::error::Error for UnexpectedResponse {}

/// What kind of transport failure happened.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportErrorKind {
    /// The host name did not resolve, or no connection could be made (refused,
    /// unreachable, connect timeout). The request was not sent.
    Connect,
    /// The connection was made but the exchange timed out: the server may have acted on
    /// the request.
    Timeout,
    /// The connection failed after it was made (reset, closed before the answer): the
    /// server may have acted on the request.
    Io,
    /// The server's TLS certificate was refused (not trusted, expired, or for another
    /// host). The request was not sent; trying again would meet the same certificate.
    Certificate,
    /// The TLS handshake failed for another reason.
    Tls,
    /// The proxy could not be used.
    Proxy,
    /// The answer was not valid HTTP.
    Protocol,
    /// Anything else.
    Other,
}

/// No HTTP answer arrived.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    /// A transport error of `kind`, with a message and the underlying error.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn new(
        kind: TransportErrorKind,
        message: impl Into<String>,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        TransportError {
            kind,
            message: message.into(),
            source,
        }
    }

    /// What kind of failure it is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The request may have reached the server (it was sent, or may have been, before the
    /// failure), so the server may have acted on it.
    pub fn may_have_been_processed(&self) -> bool {
        !matches!(
            self.kind,
            TransportErrorKind::Connect
                | TransportErrorKind::Certificate
                | TransportErrorKind::Tls
                | TransportErrorKind::Proxy
        )
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "cannot connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Io => "connection failed",
            TransportErrorKind::Certificate => "the server's TLS certificate was refused",
            TransportErrorKind::Tls => "TLS failed",
            TransportErrorKind::Proxy => "proxy failed",
            TransportErrorKind::Protocol => "invalid HTTP answer",
            TransportErrorKind::Other => "transport failed",
        };
        if self.message.is_empty() {
            f.write_str(what)
        } else {
            write!(f, "{what}: {}", self.message)
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Replaces the value after each `x-security-token:` (up to `|`, `\n` or `"`) with
/// `<redacted>`: the gateway's `APIGW.0301` message quotes its canonical request.
pub(crate) fn redact_security_token(text: &str) -> String {
    const NEEDLE: &str = "x-security-token:";
    let lower = text.to_ascii_lowercase();
    if !lower.contains(NEEDLE) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    while let Some(found) = lower[rest..].find(NEEDLE) {
        let value_start = rest + found + NEEDLE.len();
        out.push_str(&text[rest..value_start]);
        let value_end = lower[value_start..]
            .find(['|', '\n', '"'])
            .map_or(lower.len(), |i| value_start + i);
        if value_end > value_start {
            out.push_str("<redacted>");
        }
        rest = value_end;
    }
    out.push_str(&text[rest..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_security_token_quoted_by_the_gateway_is_redacted() {
        let msg = "Incorrect IAM authentication information: ... canonicalRequest:DELETE|/v1/p/remux/task/|task_id=1|host:h|x-security-token:SECRETTOKEN|x-sdk-date:20261128T043500Z||host;x-security-token;x-sdk-date|e3b0";
        let e = ApiError::new(401, "APIGW.0301", msg, None);
        assert!(!e.error_msg.contains("SECRETTOKEN"));
        assert!(
            e.error_msg
                .contains("|x-security-token:<redacted>|x-sdk-date:")
        );
        assert_eq!(
            redact_security_token("X-Security-Token:abc"),
            "X-Security-Token:<redacted>"
        );
        assert_eq!(redact_security_token("no token here"), "no token here");
    }

    #[test]
    fn display_escapes_control_characters_from_the_server() {
        let e = ApiError::new(403, "MPC.10211", "gone\r\n\x1b[31m", Some("r1".into()));
        assert_eq!(
            e.to_string(),
            "MPC.10211: gone\\r\\n\\u{1b}[31m (HTTP 403, request id r1)"
        );
    }

    #[test]
    fn unexpected_body_snippet_is_bounded() {
        let body = vec![b'x'; 10_000];
        let e = UnexpectedResponse::new(502, None, None, &body, BodyRead::Whole);
        assert_eq!(e.snippet.len(), SNIPPET_CHARS);
        assert_eq!(e.body_read, BodyRead::Truncated);
        assert!(e.to_string().ends_with("..."));
    }
}
