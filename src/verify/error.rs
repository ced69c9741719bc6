//! Why a signature was refused, and how the API gateway answers it.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::sign::date::SdkDate;
use crate::sign::error::SignError;

/// The error code of every answer to a failed AK/SK authentication.
const APIGW_0301: &str = "APIGW.0301";

/// The prefix of every `error_msg` of a failed IAM authentication.
const PREFIX: &str = "Incorrect IAM authentication information: ";

/// Longest piece of the request echoed back in an error (an access key, an algorithm).
const ECHO_MAX: usize = 128;

/// The `Content-Type` of the gateway's error answers.
const JSON: &str = "application/json;charset=UTF-8";

/// Why a request's signature was refused.
///
/// Each kind maps to the answer of the API gateway: [`VerifyError::status`] (always 401),
/// [`VerifyError::error_code`] (`APIGW.0301`) and [`VerifyError::error_msg`] (the gateway's
/// wording). `Display` gives a short lower-case message. No variant ever holds a secret key;
/// a canonical request is kept with any security token redacted.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use huaweicloud_aksk::SignableRequest;
/// use huaweicloud_aksk::verify::{KeySet, Verifier, VerifyError};
///
/// let verifier = Verifier::new(KeySet::new());
/// let headers = [("Host", "127.0.0.1"), ("X-Sdk-Date", "20261128T043500Z")];
/// let req = SignableRequest::new("GET", "/v1/p/remux/task")?.with_headers(&headers);
/// let err = verifier.verify(&req, Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap()).unwrap_err();
/// assert_eq!(err, VerifyError::MissingAuthorization);
/// assert_eq!(err.status(), 401);
/// assert_eq!(err.error_code(), "APIGW.0301");
/// assert!(err.error_msg().starts_with("Incorrect IAM authentication information: "));
/// # Ok::<(), huaweicloud_aksk::SignError>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The request carries no `Authorization` header.
    MissingAuthorization,
    /// The `Authorization` header is not of the form
    /// `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=<64 hex>`.
    MalformedAuthorization {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The `Authorization` header names an algorithm other than `SDK-HMAC-SHA256`.
    UnsupportedAlgorithm {
        /// The algorithm named (at most 128 characters of it).
        algorithm: String,
    },
    /// The request carries no `X-Sdk-Date` header.
    MissingDate,
    /// `x-sdk-date` is not among the signed headers.
    DateNotSigned,
    /// `X-Sdk-Date` is not of the form `YYYYMMDDTHHMMSSZ`, or is given more than once.
    InvalidDate,
    /// The signing time is further from the verifier's clock than the allowed skew.
    Expired {
        /// The request's `X-Sdk-Date`.
        signature_time: SdkDate,
        /// The verifier's clock.
        server_time: DateTime<Utc>,
    },
    /// No secret key is known for the access key.
    UnknownAccessKey {
        /// The access key given (at most 128 characters of it).
        access_key: String,
    },
    /// A header named in `SignedHeaders` is absent from the request.
    MissingSignedHeader {
        /// The header's name, lower case.
        name: String,
    },
    /// The `X-Sdk-Content-Sha256` header cannot be trusted: it is not signed, is given twice,
    /// or does not match the body.
    ContentHash {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The request cannot be canonicalised (an invalid method or header).
    InvalidRequest(SignError),
    /// The signature is right but does not cover the request's body
    /// (`UNSIGNED-PAYLOAD`), and the body is not empty: anyone could have changed it. Only
    /// under [`UnsignedPayload::Refuse`](crate::verify::UnsignedPayload::Refuse), the
    /// default.
    UnsignedPayload,
    /// The signature differs from the one computed with the access key's secret key.
    SignatureMismatch {
        /// The signed header names the client sent.
        signed_headers: String,
        /// The canonical request the verifier computed (security token redacted), for the
        /// client to compare with its own.
        canonical_request: String,
    },
}

impl VerifyError {
    /// The most of an `error_msg` an answer carries, in bytes: a signature mismatch echoes
    /// the canonical request, which a signed request with huge headers would make huge.
    pub const MAX_ANSWER_MSG_BYTES: usize = 4096;

    /// The HTTP status the gateway answers with: 401.
    pub fn status(&self) -> u16 {
        401
    }

    /// The gateway's error code: `APIGW.0301`.
    pub fn error_code(&self) -> &'static str {
        APIGW_0301
    }

    /// The gateway's `error_msg`, e.g.
    /// `Incorrect IAM authentication information: verify aksk signature fail, ...`.
    ///
    /// On a signature mismatch it shows the verifier's canonical request with `\n` written as
    /// `|`, as the gateway does, so that a client can compare it with its own.
    pub fn error_msg(&self) -> String {
        let detail = match self {
            VerifyError::MissingAuthorization => {
                "Authorization header or x-auth-token not found".to_owned()
            }
            VerifyError::MalformedAuthorization { reason } => {
                format!("Authorization format incorrect: {reason}")
            }
            VerifyError::UnsupportedAlgorithm { algorithm } => {
                format!("unsupported signing algorithm {algorithm}")
            }
            VerifyError::MissingDate => "x-sdk-date header not found".to_owned(),
            VerifyError::DateNotSigned => "x-sdk-date is not in SignedHeaders".to_owned(),
            VerifyError::InvalidDate => {
                "x-sdk-date format incorrect, expected YYYYMMDDTHHMMSSZ".to_owned()
            }
            VerifyError::Expired {
                signature_time,
                server_time,
            } => format!(
                "signature expired, signature time:{signature_time}, server time:{}",
                server_time.format("%Y%m%dT%H%M%SZ")
            ),
            VerifyError::UnknownAccessKey { access_key } => format!("ak {access_key} not exist"),
            VerifyError::MissingSignedHeader { name } => {
                format!("verify aksk signature fail, signed header {name} not found")
            }
            VerifyError::ContentHash { reason } => {
                format!("verify aksk signature fail, x-sdk-content-sha256 {reason}")
            }
            VerifyError::InvalidRequest(e) => format!("verify aksk signature fail, {e}"),
            VerifyError::UnsignedPayload => {
                "verify aksk signature fail, the body is not signed (x-sdk-content-sha256 is UNSIGNED-PAYLOAD)"
                    .to_owned()
            }
            VerifyError::SignatureMismatch {
                signed_headers,
                canonical_request,
            } => format!(
                "verify aksk signature fail, SignedHeaders:{signed_headers}, CanonicalRequest:{}",
                canonical_request.replace('\n', "|")
            ),
        };
        format!("{PREFIX}{detail}")
    }

    /// The `error_msg` an answer carries: [`VerifyError::error_msg`], cut to at most
    /// [`VerifyError::MAX_ANSWER_MSG_BYTES`] (on a character boundary) and then marked `...(truncated)`.
    pub fn answer_msg(&self) -> String {
        let mut msg = self.error_msg();
        if msg.len() > VerifyError::MAX_ANSWER_MSG_BYTES {
            let mut cut = VerifyError::MAX_ANSWER_MSG_BYTES;
            while !msg.is_char_boundary(cut) {
                cut -= 1;
            }
            msg.truncate(cut);
            msg.push_str("...(truncated)");
        }
        msg
    }

    /// The gateway's JSON body for this refusal,
    /// `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: ..."}`,
    /// with [`VerifyError::answer_msg`].
    pub fn to_json(&self) -> String {
        VerifyError::answer_json(self.error_code(), &self.answer_msg(), None)
    }

    /// The gateway's answer to this refusal, as the local endpoint sends it:
    /// [`VerifyError::status`], `Content-Type: application/json;charset=UTF-8` and
    /// [`VerifyError::to_json`]. The body is any type made from a `String`: `String`,
    /// `Vec<u8>`, `bytes::Bytes`, `http_body_util::Full<Bytes>`, `axum::body::Body`...
    ///
    /// ```
    /// use huaweicloud_aksk::verify::VerifyError;
    ///
    /// let answer: http::Response<String> = VerifyError::MissingAuthorization.to_response();
    /// assert_eq!(answer.status(), 401);
    /// assert_eq!(answer.headers()["content-type"], "application/json;charset=UTF-8");
    /// assert_eq!(
    ///     answer.body(),
    ///     r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: Authorization header or x-auth-token not found"}"#
    /// );
    /// ```
    pub fn to_response<B: From<String>>(&self) -> http::Response<B> {
        VerifyError::answer(self.status(), self.error_code(), &self.answer_msg())
    }

    /// The gateway's refusals of a malformed request: their code (`APIGW.0201`, for a body
    /// too large or unreadable, or a header it cannot read), and the messages for a body
    /// over `max` bytes and for one that could not be read.
    #[cfg(any(feature = "server", feature = "tower"))]
    pub(crate) const BODY_ERROR_CODE: &'static str = "APIGW.0201";
    #[cfg(any(feature = "server", feature = "tower"))]
    pub(crate) const BODY_UNREADABLE: &'static str = "The request body could not be read";
    #[cfg(any(feature = "server", feature = "tower"))]
    pub(crate) fn body_too_large(max: usize) -> String {
        format!("Request entity too large (more than {max} bytes)")
    }

    /// A JSON error answer of the gateway's form (`status`, `error_code`, `error_msg`).
    pub(crate) fn answer<B: From<String>>(
        status: u16,
        error_code: &str,
        error_msg: &str,
    ) -> http::Response<B> {
        let mut answer = http::Response::new(B::from(VerifyError::answer_json(
            error_code, error_msg, None,
        )));
        *answer.status_mut() = http::StatusCode::from_u16(status)
            .expect("the gateway answers with valid three-digit codes");
        answer.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(JSON),
        );
        answer
    }

    /// The gateway's JSON error body: `error_code`, `error_msg` and, when given,
    /// `request_id`, in that order, escaped as `serde_json` escapes them (so that the lean
    /// build needs no JSON crate, and the local endpoint answers byte for byte the same).
    pub(crate) fn answer_json(
        error_code: &str,
        error_msg: &str,
        request_id: Option<&str>,
    ) -> String {
        let mut out = String::with_capacity(40 + error_code.len() + error_msg.len());
        out.push_str("{\"error_code\":");
        json_string(&mut out, error_code);
        out.push_str(",\"error_msg\":");
        json_string(&mut out, error_msg);
        if let Some(id) = request_id {
            out.push_str(",\"request_id\":");
            json_string(&mut out, id);
        }
        out.push('}');
        out
    }
}

/// Appends `s` as a JSON string: `"` and `\` escaped, control characters as `\n`, `\t`...
/// or `\u00XX`; everything else as it is (UTF-8).
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                use std::fmt::Write;
                write!(out, "\\u{:04x}", u32::from(c)).expect("writing to a String succeeds");
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingAuthorization => f.write_str("no Authorization header"),
            VerifyError::MalformedAuthorization { reason } => {
                write!(f, "malformed Authorization header: {reason}")
            }
            VerifyError::UnsupportedAlgorithm { algorithm } => {
                write!(f, "unsupported signing algorithm {algorithm:?}")
            }
            VerifyError::MissingDate => f.write_str("no X-Sdk-Date header"),
            VerifyError::DateNotSigned => f.write_str("x-sdk-date is not a signed header"),
            VerifyError::InvalidDate => f.write_str("invalid X-Sdk-Date"),
            VerifyError::Expired {
                signature_time,
                server_time,
            } => write!(
                f,
                "signature expired: signed at {signature_time}, server time {}",
                server_time.format("%Y%m%dT%H%M%SZ")
            ),
            VerifyError::UnknownAccessKey { access_key } => {
                write!(f, "unknown access key {access_key:?}")
            }
            VerifyError::MissingSignedHeader { name } => {
                write!(f, "signed header {name:?} is absent from the request")
            }
            VerifyError::ContentHash { reason } => write!(f, "x-sdk-content-sha256 {reason}"),
            VerifyError::InvalidRequest(e) => write!(f, "invalid request: {e}"),
            VerifyError::UnsignedPayload => {
                f.write_str("the signature does not cover the body (UNSIGNED-PAYLOAD)")
            }
            VerifyError::SignatureMismatch { .. } => f.write_str("signature does not match"),
        }
    }
}

impl std::error::Error for VerifyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VerifyError::InvalidRequest(e) => Some(e),
            _ => None,
        }
    }
}

/// At most [`ECHO_MAX`] characters of an untrusted string, for an error message.
pub(crate) fn echo(s: &str) -> String {
    match s.char_indices().nth(ECHO_MAX) {
        Some((end, _)) => format!("{}...", &s[..end]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_json_is_what_serde_json_writes() {
        let messages = [
            String::new(),
            "plain".to_owned(),
            "quote \" backslash \\ slash / del \u{7f}".to_owned(),
            (0u8..0x20).map(char::from).collect(),
            "é 中文 \u{2028} \u{1F600}".to_owned(),
        ];
        for msg in &messages {
            let ours = VerifyError::answer_json("APIGW.0301", msg, Some("0a1b"));
            let theirs = serde_json::json!({
                "error_code": "APIGW.0301",
                "error_msg": msg,
                "request_id": "0a1b",
            })
            .to_string();
            assert_eq!(ours, theirs);
            let parsed: serde_json::Value = serde_json::from_str(&ours).unwrap();
            assert_eq!(parsed["error_msg"], msg.as_str());
        }
    }

    #[test]
    fn a_long_answer_message_is_cut_on_a_character_boundary() {
        let e = VerifyError::SignatureMismatch {
            signed_headers: "host;x-big".into(),
            canonical_request: "é".repeat(100_000),
        };
        let msg = e.answer_msg();
        assert!(msg.len() <= VerifyError::MAX_ANSWER_MSG_BYTES + "...(truncated)".len());
        assert!(msg.ends_with("...(truncated)"));
        let answer: http::Response<Vec<u8>> = e.to_response();
        let body: serde_json::Value = serde_json::from_slice(answer.body()).unwrap();
        assert_eq!(body["error_msg"], msg.as_str());
        assert_eq!(body["error_code"], "APIGW.0301");
        assert_eq!(answer.status(), 401);
        // A short one is whole.
        let e = VerifyError::UnknownAccessKey {
            access_key: "AK".into(),
        };
        assert_eq!(e.answer_msg(), e.error_msg());
    }
}
