//! The shape of every MPC call: what it sends and what its answers mean, with no I/O.
//!
//! A call is a small type implementing [`Call`], one file each (`delete_remux_task.rs`).
//! It builds the unsigned request for an endpoint and project, and turns an [`Answer`] into
//! its typed output or an [`MpcError`]. Sending, signing and retrying are the client's
//! (`client.rs` and `retry.rs`); any HTTP client can drive a call the same way.

use http::header::{CONTENT_TYPE, HOST, HeaderValue, USER_AGENT as USER_AGENT_HEADER};
use http::{HeaderMap, Method};
use serde::Deserialize;

use crate::mpc::common::{ErrorCode, ProjectId, USER_AGENT, header_text};
use crate::mpc::endpoint::Endpoint;
use crate::mpc::error::{ApiError, MpcError, UnexpectedResponse};

/// One MPC API call: the request it sends and what each answer means.
///
/// ```
/// use http::HeaderMap;
/// use huaweicloud_aksk::mpc::{Answer, Call, DeleteOutcome, DeleteRemuxTask, Endpoint, ProjectId};
///
/// let call = DeleteRemuxTask::new("100211")?;
/// let project = ProjectId::new("0123456789abcdef0123456789abcdef")?;
/// let req = call.request(&Endpoint::for_region("cn-north-4")?, &project);
/// assert_eq!(req.method(), "DELETE");
/// // Sign `req`, send it with any HTTP client, then read the answer:
/// let headers = HeaderMap::new();
/// let outcome = call.interpret(&Answer::new(204, &headers, b""))?;
/// assert_eq!(outcome, DeleteOutcome::Deleted);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Call {
    /// What a successful answer gives.
    type Output;

    /// Whether sending the call twice has the effect of sending it once. A failure that
    /// may have been acted upon (a timeout after sending; HTTP 500, 502, 504) is retried
    /// only for an idempotent call.
    const IDEMPOTENT: bool;

    /// The unsigned request to `endpoint` for `project`, with the headers every call
    /// sends: `Host`, `Content-Type: application/json`, `User-Agent`
    /// ([`USER_AGENT`](crate::mpc::USER_AGENT)) and `X-Project-Id`. Sign it (or add
    /// `X-Auth-Token`) before sending.
    fn request(&self, endpoint: &Endpoint, project: &ProjectId) -> http::Request<Vec<u8>>;

    /// What an answer means.
    fn interpret(&self, answer: &Answer<'_>) -> Result<Self::Output, MpcError>;

    /// The most bytes of an answer's body worth reading; more makes the answer
    /// [truncated](BodyRead::Truncated). [`MAX_BODY_BYTES`](crate::mpc::MAX_BODY_BYTES)
    /// unless the call's answers are larger (a list page).
    fn max_body_bytes(&self) -> usize {
        crate::mpc::common::MAX_BODY_BYTES
    }
}

/// An HTTP answer to a call, as far as it was read, and what the earlier attempts of the
/// same call leave unknown.
#[non_exhaustive]
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    /// The HTTP status.
    pub status: u16,
    /// The response headers.
    pub headers: &'a HeaderMap,
    /// What was read of the body (at most [`MAX_BODY_BYTES`](crate::mpc::MAX_BODY_BYTES)).
    pub body: &'a [u8],
    /// Whether more of the body was left unread.
    pub body_read: BodyRead,
    /// What the earlier attempts of the same call may have done.
    pub earlier_attempts: EarlierAttempts,
}

/// How much of an answer's body was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BodyRead {
    /// All of it.
    #[default]
    Whole,
    /// Only the start: more was left unread, or not shown.
    Truncated,
}

/// What the earlier attempts of a call may have done, for reading the answer to the
/// latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EarlierAttempts {
    /// None was acted upon: there were none, or each was refused before the server acted
    /// (a connection never made, a 429 or 503). The default.
    #[default]
    NotActedUpon,
    /// One may have been acted upon: its connection failed or timed out after the request
    /// may have been sent, or it got a 500, 502 or 504. A "not found" may then mean that
    /// it succeeded.
    MayHaveBeenActedUpon,
}

impl<'a> Answer<'a> {
    /// A complete answer to a first attempt.
    pub fn new(status: u16, headers: &'a HeaderMap, body: &'a [u8]) -> Self {
        Answer {
            status,
            headers,
            body,
            body_read: BodyRead::Whole,
            earlier_attempts: EarlierAttempts::NotActedUpon,
        }
    }

    /// Says whether more of the body was left unread.
    pub fn body_read(mut self, body_read: BodyRead) -> Self {
        self.body_read = body_read;
        self
    }

    /// Says whether an earlier attempt of the same call may have been acted upon.
    pub fn earlier_attempts(mut self, earlier_attempts: EarlierAttempts) -> Self {
        self.earlier_attempts = earlier_attempts;
        self
    }

    /// Is more of the body left unread?
    pub fn is_truncated(&self) -> bool {
        self.body_read == BodyRead::Truncated
    }

    /// The status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `Ok` for a 2xx whose body says nothing more (cancel, retry), else [`Answer::error`].
    pub fn success_or_error(&self) -> Result<(), MpcError> {
        if self.is_success() {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// The `X-Request-Id` response header.
    pub fn request_id(&self) -> Option<String> {
        header_text(self.headers, "x-request-id")
    }

    /// The error an answer that is not a success means:
    ///
    /// - an error status with the JSON error body (`error_code`, `error_msg`,
    ///   `request_id`): [`MpcError::Unauthorized`] for 401, [`MpcError::Throttled`] for
    ///   429 or `APIG.0308`, otherwise [`MpcError::Api`];
    /// - anything else (a body that is not the error object, a truncated body, a
    ///   redirect): [`MpcError::UnexpectedResponse`].
    pub fn error(&self) -> MpcError {
        let request_id = self.request_id();
        let body = if self.status >= 400 && !self.is_truncated() {
            serde_json::from_slice::<ErrorBody>(self.body).ok()
        } else {
            None
        };
        let Some((body, error_code)) = body.and_then(|b| {
            let code = b.error_code.clone().filter(|c| !c.is_empty())?;
            Some((b, code))
        }) else {
            return MpcError::UnexpectedResponse(UnexpectedResponse::new(
                self.status,
                request_id,
                header_text(self.headers, "content-type"),
                self.body,
                self.body_read,
            ));
        };
        let error = ApiError::new(
            self.status,
            error_code,
            body.error_msg.unwrap_or_default(),
            request_id.or(body.request_id),
        );
        match (self.status, error.code()) {
            (401, _) => MpcError::Unauthorized(error),
            (429, _) | (_, ErrorCode::GatewayThrottled) => MpcError::Throttled(error),
            _ => MpcError::Api(error),
        }
    }
}

/// A success whose body is the JSON of `T`; any other answer is the error
/// [`Answer::error`] reads, and a success with another body (or a truncated one) is
/// [`MpcError::UnexpectedResponse`].
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    answer: &Answer<'_>,
) -> Result<T, MpcError> {
    if !answer.is_success() {
        return Err(answer.error());
    }
    let parsed = if answer.is_truncated() {
        None
    } else {
        serde_json::from_slice::<T>(answer.body).ok()
    };
    parsed.ok_or_else(|| {
        MpcError::UnexpectedResponse(UnexpectedResponse::new(
            answer.status,
            answer.request_id(),
            header_text(answer.headers, "content-type"),
            answer.body,
            answer.body_read,
        ))
    })
}

/// The error body of the API and its gateway. Members of another type than a string are
/// taken as absent, as is any other member.
#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default, deserialize_with = "string_or_none")]
    error_code: Option<String>,
    #[serde(default, deserialize_with = "string_or_none")]
    error_msg: Option<String>,
    #[serde(default, deserialize_with = "string_or_none")]
    request_id: Option<String>,
}

fn string_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    })
}

/// A request of `method` to `endpoint` and `path_and_query` (already percent-encoded),
/// with the headers every MPC call sends: `Host`, `Content-Type: application/json`,
/// `User-Agent` ([`USER_AGENT`]) and `X-Project-Id`, and `body`.
///
/// The API page spells the project header `X-Project_Id`; every official SDK sends
/// `X-Project-Id`, and so does this crate (a name with `_` would not be signed, and
/// gateways drop it).
pub(crate) fn base_request(
    method: Method,
    endpoint: &Endpoint,
    project: &ProjectId,
    path_and_query: &str,
    body: Vec<u8>,
) -> http::Request<Vec<u8>> {
    let mut req = http::Request::new(body);
    *req.method_mut() = method;
    *req.uri_mut() = format!("{endpoint}{path_and_query}")
        .parse()
        .expect("an endpoint and an encoded path and query form a valid URI");
    let headers = req.headers_mut();
    headers.insert(
        HOST,
        HeaderValue::from_str(endpoint.authority())
            .expect("an endpoint's authority is a valid header value"),
    );
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(USER_AGENT_HEADER, HeaderValue::from_static(USER_AGENT));
    headers.insert(
        "x-project-id",
        HeaderValue::from_str(project.as_str())
            .expect("a project id is printable ASCII, a valid header value"),
    );
    req
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(status: u16, body: &[u8]) -> MpcError {
        Answer::new(status, &HeaderMap::new(), body).error()
    }

    #[test]
    fn the_error_body_is_read_with_members_of_other_types_ignored() {
        let err = error_of(
            403,
            br#"{"error_code":"MPC.10211","error_msg":5,"extra":{"a":[1]},"request_id":"b1"}"#,
        );
        let MpcError::Api(api) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(api.code(), ErrorCode::TaskNotFound);
        assert_eq!(api.error_msg, "");
        assert_eq!(api.request_id.as_deref(), Some("b1"));
    }

    #[test]
    fn authentication_and_throttling_have_their_own_variants() {
        let body = br#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#;
        assert!(matches!(error_of(401, body), MpcError::Unauthorized(_)));
        let body = br#"{"error_code":"APIG.0308","error_msg":"The request is throttled."}"#;
        for status in [429, 403] {
            assert!(
                matches!(error_of(status, body), MpcError::Throttled(_)),
                "{status}"
            );
        }
    }

    #[test]
    fn anything_but_the_error_object_is_unexpected() {
        use BodyRead::{Truncated, Whole};
        for (status, body, body_read) in [
            (502, &b"<html>Bad Gateway</html>"[..], Whole),
            (403, br#"{"message":"no"}"#, Whole),
            (403, br#"{"error_code":""}"#, Whole),
            (403, br#"{"error_code":7}"#, Whole),
            (403, br#"{"error_code":"MPC.10211"} trailing"#, Whole),
            (403, br#"{"error_code":"x","error_code":"y"}"#, Whole),
            (403, br#"{"error_code":"MPC.10211"}"#, Truncated),
            (302, b"", Whole),
        ] {
            let err = Answer::new(status, &HeaderMap::new(), body)
                .body_read(body_read)
                .error();
            assert!(
                matches!(&err, MpcError::UnexpectedResponse(u) if u.status == status),
                "{status} {:?}: {err:?}",
                String::from_utf8_lossy(body)
            );
        }
        let deep = format!("{{\"a\":{}}}", "[".repeat(100_000));
        assert!(matches!(
            error_of(400, deep.as_bytes()),
            MpcError::UnexpectedResponse(_)
        ));
    }
}
