//! What the DeleteRemuxTask call sends, and what each of its answers means (no I/O).
//!
//! `DELETE /v1/{project_id}/remux/task?task_id={id}`, no body, with `Host`, `X-Project-Id`,
//! `Content-Type: application/json` and a `User-Agent` naming this crate. The API page
//! spells the project header `X-Project_Id`; every official SDK sends `X-Project-Id`, and
//! so does this crate (a name with `_` would not be signed, and gateways drop it).

use http::HeaderMap;
use http::header::{CONTENT_TYPE, HOST, HeaderValue, USER_AGENT as USER_AGENT_HEADER};

use crate::mpc::endpoint::Endpoint;
use crate::mpc::error::{ApiError, ErrorCode, InvalidInput, MpcError, UnexpectedResponse};
use crate::mpc::json;
use crate::sign::encoding::encode_into;

/// The `User-Agent` this crate sends: `huaweicloud-aksk/<version>`.
pub const USER_AGENT: &str = concat!("huaweicloud-aksk/", env!("CARGO_PKG_VERSION"));

/// The longest task id or project id accepted, in bytes (MPC task ids are short decimal
/// strings and project ids 32 hex digits; the bound keeps URLs and logs small).
pub const MAX_ID_BYTES: usize = 128;

/// The most bytes of any response body that are read; the rest is never read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What a delete call achieved.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeleteOutcome {
    /// The record was deleted (HTTP 204).
    Deleted,
    /// The record is gone, and most likely this call deleted it: an earlier attempt's
    /// outcome was unknown (its connection failed or timed out after the request may have
    /// been sent, or it got a 500, 502 or 504), and the retry answered 403 `MPC.10211`
    /// ("the task does not exist").
    ///
    /// DELETE is idempotent but its answer is not: the retry cannot tell "deleted by my
    /// first attempt" from "never existed". A first attempt that answers `MPC.10211` is
    /// still an error ([`MpcError::Api`]), since nothing then suggests the task existed.
    AlreadyDeleted,
}

/// The DeleteRemuxTask call: a project id and a task id, checked.
///
/// ```
/// use huaweicloud_aksk::mpc::{DeleteRemuxTask, Endpoint};
///
/// let call = DeleteRemuxTask::new("0123456789abcdef0123456789abcdef", "a b+c/é")?;
/// assert_eq!(
///     call.path_and_query(),
///     "/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=a%20b%2Bc%2F%C3%A9"
/// );
/// let req = call.to_request(&Endpoint::for_region("cn-north-4")?);
/// assert_eq!(req.method(), "DELETE");
/// assert_eq!(req.headers()["x-project-id"], "0123456789abcdef0123456789abcdef");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteRemuxTask<'a> {
    project_id: &'a str,
    task_id: &'a str,
}

impl<'a> DeleteRemuxTask<'a> {
    /// The call for `task_id` in `project_id`; both are checked with [`check_id`], and
    /// the project id, sent as a header too, must be printable ASCII.
    pub fn new(project_id: &'a str, task_id: &'a str) -> Result<Self, InvalidInput> {
        check_project_id(project_id)?;
        check_id("task id", task_id)?;
        Ok(DeleteRemuxTask {
            project_id,
            task_id,
        })
    }

    /// The project id.
    pub fn project_id(&self) -> &'a str {
        self.project_id
    }

    /// The task id.
    pub fn task_id(&self) -> &'a str {
        self.task_id
    }

    /// `/v1/{project_id}/remux/task?task_id={id}`, both ids percent-encoded with the
    /// signer's rules (`A-Za-z0-9-_.~` kept, everything else `%XX`), so the query is
    /// already in canonical form.
    pub fn path_and_query(&self) -> String {
        let mut out = String::with_capacity(40 + 3 * (self.project_id.len() + self.task_id.len()));
        out.push_str("/v1/");
        encode_into(&mut out, self.project_id.as_bytes());
        out.push_str("/remux/task?task_id=");
        encode_into(&mut out, self.task_id.as_bytes());
        out
    }

    /// The unsigned request to `endpoint`: `Host`, `Content-Type`, `User-Agent` and
    /// `X-Project-Id`, with an empty body. Sign it (or add `X-Auth-Token`) before sending.
    pub fn to_request(&self, endpoint: &Endpoint) -> http::Request<Vec<u8>> {
        let uri = format!("{endpoint}{}", self.path_and_query());
        let mut req = http::Request::new(Vec::new());
        *req.method_mut() = http::Method::DELETE;
        // Every piece was checked or encoded: the URI and the header values are valid.
        *req.uri_mut() = uri.parse().unwrap_or_default();
        let headers = req.headers_mut();
        if let Ok(host) = HeaderValue::from_str(endpoint.authority()) {
            headers.insert(HOST, host);
        }
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT_HEADER, HeaderValue::from_static(USER_AGENT));
        if let Ok(pid) = HeaderValue::from_str(self.project_id) {
            headers.insert("x-project-id", pid);
        }
        req
    }

    /// What an answer means.
    ///
    /// `body` is what was read of the body (at most [`MAX_BODY_BYTES`]) and `truncated`
    /// says whether more was left unread. `earlier_outcome_unknown` says whether an
    /// earlier attempt of the same call may have been acted upon (see
    /// [`DeleteOutcome::AlreadyDeleted`]).
    ///
    /// - 2xx (the API documents 204): [`DeleteOutcome::Deleted`].
    /// - An error status with the JSON error body: [`MpcError::Unauthorized`] for 401,
    ///   [`MpcError::Throttled`] for 429 or `APIG.0308`, otherwise [`MpcError::Api`]
    ///   (or [`DeleteOutcome::AlreadyDeleted`], as above, for `MPC.10211`).
    /// - Anything else: [`MpcError::UnexpectedResponse`].
    pub fn interpret(
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
        truncated: bool,
        earlier_outcome_unknown: bool,
    ) -> Result<DeleteOutcome, MpcError> {
        let request_id = header_text(headers, "x-request-id");
        if (200..300).contains(&status) {
            return Ok(DeleteOutcome::Deleted);
        }
        let members = if status >= 400 && !truncated {
            json::string_members(body)
        } else {
            None
        };
        let find = |name: &str| {
            members
                .as_ref()?
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let Some(error_code) = find("error_code").filter(|c| !c.is_empty()) else {
            return Err(MpcError::UnexpectedResponse(UnexpectedResponse::new(
                status,
                request_id,
                header_text(headers, "content-type"),
                body,
                truncated,
            )));
        };
        let error = ApiError::new(
            status,
            error_code,
            find("error_msg").unwrap_or_default(),
            request_id.or_else(|| find("request_id")),
        );
        Err(match (status, error.code()) {
            (401, _) => MpcError::Unauthorized(error),
            (429, _) | (_, ErrorCode::GatewayThrottled) => MpcError::Throttled(error),
            (_, ErrorCode::TaskNotFound) if earlier_outcome_unknown => {
                return Ok(DeleteOutcome::AlreadyDeleted);
            }
            _ => MpcError::Api(error),
        })
    }
}

/// Checks a task id or project id before it is sent: not empty, at most
/// [`MAX_ID_BYTES`] bytes, no control characters, no leading or trailing whitespace.
pub fn check_id(field: &'static str, value: &str) -> Result<(), InvalidInput> {
    let reason = if value.is_empty() {
        "is empty"
    } else if value.len() > MAX_ID_BYTES {
        "is longer than 128 bytes"
    } else if value.chars().any(char::is_control) {
        "contains a control character"
    } else if value.trim() != value {
        "has leading or trailing whitespace"
    } else {
        return Ok(());
    };
    Err(InvalidInput::new(field, reason))
}

/// Checks a project id: [`check_id`], and printable ASCII only, since it is also sent as
/// the `X-Project-Id` header.
pub fn check_project_id(project_id: &str) -> Result<(), InvalidInput> {
    check_id("project id", project_id)?;
    if !project_id.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(InvalidInput::new(
            "project id",
            "contains a character other than printable ASCII",
        ));
    }
    Ok(())
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

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(n, v)| {
                (
                    http::HeaderName::from_static(n),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    const NOT_FOUND: &[u8] =
        br#"{"error_code":"MPC.10211","error_msg":"The task does not exist."}"#;

    #[test]
    fn the_request_carries_exactly_the_documented_headers() {
        let call = DeleteRemuxTask::new("0123456789abcdef0123456789abcdef", "100211").unwrap();
        let req =
            call.to_request(&Endpoint::parse("https://mpc.cn-north-4.myhuaweicloud.com").unwrap());
        assert_eq!(
            req.uri().to_string(),
            "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211"
        );
        let mut names: Vec<_> = req.headers().keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["content-type", "host", "user-agent", "x-project-id"]
        );
        assert_eq!(req.headers()["user-agent"], USER_AGENT);
        assert!(req.body().is_empty());
    }

    #[test]
    fn ids_are_percent_encoded_with_the_signers_rules() {
        let call = DeleteRemuxTask::new("p/1", "A-z_0.9~ *+%").unwrap();
        assert_eq!(
            call.path_and_query(),
            "/v1/p%2F1/remux/task?task_id=A-z_0.9~%20%2A%2B%25"
        );
    }

    #[test]
    fn ids_are_checked_before_anything_is_built() {
        let long = "1".repeat(MAX_ID_BYTES + 1);
        for (task, reason) in [
            ("", "is empty"),
            (long.as_str(), "is longer than 128 bytes"),
            ("1\n2", "contains a control character"),
            ("1\u{7f}", "contains a control character"),
            (" 12", "has leading or trailing whitespace"),
        ] {
            let err = DeleteRemuxTask::new("p", task).unwrap_err();
            assert_eq!(err, InvalidInput::new("task id", reason), "{task:?}");
        }
        assert_eq!(
            DeleteRemuxTask::new("", "1").unwrap_err().field,
            "project id"
        );
        assert!(DeleteRemuxTask::new("p", &"1".repeat(MAX_ID_BYTES)).is_ok());
        assert!(DeleteRemuxTask::new("p", "é").is_ok());
        assert_eq!(
            DeleteRemuxTask::new("é", "1").unwrap_err(),
            InvalidInput::new(
                "project id",
                "contains a character other than printable ASCII"
            )
        );
    }

    #[test]
    fn no_content_means_deleted() {
        let r = DeleteRemuxTask::interpret(204, &HeaderMap::new(), b"", false, false);
        assert_eq!(r.unwrap(), DeleteOutcome::Deleted);
    }

    #[test]
    fn task_not_found_is_an_error_on_a_first_attempt_and_already_deleted_on_a_retry() {
        let h = headers(&[("x-request-id", "req-1")]);
        let err = DeleteRemuxTask::interpret(403, &h, NOT_FOUND, false, false).unwrap_err();
        assert!(err.is_task_not_found());
        let MpcError::Api(api) = err else {
            panic!("not an API error")
        };
        assert_eq!(api.status, 403);
        assert_eq!(api.code(), ErrorCode::TaskNotFound);
        assert_eq!(api.error_msg, "The task does not exist.");
        assert_eq!(api.request_id.as_deref(), Some("req-1"));
        let r = DeleteRemuxTask::interpret(403, &h, NOT_FOUND, false, true);
        assert_eq!(r.unwrap(), DeleteOutcome::AlreadyDeleted);
    }

    #[test]
    fn authentication_and_throttling_have_their_own_variants() {
        let body = br#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#;
        let err = DeleteRemuxTask::interpret(401, &HeaderMap::new(), body, false, false);
        assert!(matches!(err, Err(MpcError::Unauthorized(_))));
        let body = br#"{"error_code":"APIG.0308","error_msg":"The request is throttled.","request_id":"b1"}"#;
        for status in [429, 403] {
            let err = DeleteRemuxTask::interpret(status, &HeaderMap::new(), body, false, true)
                .unwrap_err();
            assert!(matches!(err, MpcError::Throttled(_)), "{status}");
            assert_eq!(err.request_id(), Some("b1"));
        }
    }

    #[test]
    fn a_body_that_is_not_the_error_object_is_unexpected() {
        let h = headers(&[("content-type", "text/html"), ("x-request-id", "r")]);
        for (status, body, truncated) in [
            (502, &b"<html>Bad Gateway</html>"[..], false),
            (403, br#"{"message":"no"}"#, false),
            (403, br#"{"error_code":""}"#, false),
            (403, &NOT_FOUND[..20], true),
            (302, b"", false),
        ] {
            let err = DeleteRemuxTask::interpret(status, &h, body, truncated, true).unwrap_err();
            let MpcError::UnexpectedResponse(u) = err else {
                panic!("{status}: {err:?}")
            };
            assert_eq!(u.status, status);
            assert_eq!(u.request_id.as_deref(), Some("r"));
            assert_eq!(u.content_type.as_deref(), Some("text/html"));
        }
    }
}
