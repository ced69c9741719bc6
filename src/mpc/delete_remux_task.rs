//! DeleteRemuxTask: delete the record of a packaging task in a final state
//! (docs/SIGNING.md §4).
//!
//! `DELETE /v1/{project_id}/remux/task?task_id={id}`, no body. 204: deleted. 403
//! `MPC.10211`: the task does not exist; 403 `MPC.10213`: the task is not in a final state.

use http::Method;

use crate::mpc::call::{Answer, Call, EarlierAttempts, base_request};
use crate::mpc::common::{ErrorCode, InvalidInput, ProjectId, check_id, encode_component};
use crate::mpc::endpoint::Endpoint;
use crate::mpc::error::MpcError;

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

/// The DeleteRemuxTask call for one task id, checked.
///
/// ```
/// use huaweicloud_aksk::mpc::{Call, DeleteRemuxTask, Endpoint, ProjectId};
///
/// let call = DeleteRemuxTask::new("a b+c/é")?;
/// let project = ProjectId::new("0123456789abcdef0123456789abcdef")?;
/// let req = call.request(&Endpoint::for_region("cn-north-4")?, &project);
/// assert_eq!(
///     req.uri().path_and_query().unwrap(),
///     "/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=a%20b%2Bc%2F%C3%A9"
/// );
/// assert_eq!(req.method(), "DELETE");
/// assert_eq!(req.headers()["x-project-id"], "0123456789abcdef0123456789abcdef");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteRemuxTask<'a> {
    task_id: &'a str,
}

impl<'a> DeleteRemuxTask<'a> {
    /// The call for `task_id`: not empty, at most
    /// [`MAX_ID_BYTES`](crate::mpc::MAX_ID_BYTES) bytes, no control characters, no
    /// leading or trailing whitespace.
    pub fn new(task_id: &'a str) -> Result<Self, InvalidInput> {
        check_id("task id", task_id)?;
        Ok(DeleteRemuxTask { task_id })
    }

    /// The task id.
    pub fn task_id(&self) -> &'a str {
        self.task_id
    }
}

impl Call for DeleteRemuxTask<'_> {
    type Output = DeleteOutcome;

    /// Deleting twice leaves the same state as deleting once.
    const IDEMPOTENT: bool = true;

    /// Both ids percent-encoded in the signer's canonical form (`A-Za-z0-9-_.~` kept,
    /// everything else `%XX`), no body.
    fn request(&self, endpoint: &Endpoint, project: &ProjectId) -> http::Request<Vec<u8>> {
        let mut path =
            String::with_capacity(40 + 3 * (project.as_str().len() + self.task_id.len()));
        path.push_str("/v1/");
        encode_component(&mut path, project.as_str());
        path.push_str("/remux/task?task_id=");
        encode_component(&mut path, self.task_id);
        base_request(Method::DELETE, endpoint, project, &path, Vec::new())
    }

    /// 2xx (the API documents 204): [`DeleteOutcome::Deleted`]. 403 `MPC.10211` after an
    /// attempt whose outcome was unknown: [`DeleteOutcome::AlreadyDeleted`]. Anything
    /// else: the error [`Answer::error`] reads.
    fn interpret(&self, answer: &Answer<'_>) -> Result<DeleteOutcome, MpcError> {
        if answer.is_success() {
            return Ok(DeleteOutcome::Deleted);
        }
        match answer.error() {
            MpcError::Api(e)
                if e.code() == ErrorCode::TaskNotFound
                    && answer.earlier_attempts == EarlierAttempts::MayHaveBeenActedUpon =>
            {
                Ok(DeleteOutcome::AlreadyDeleted)
            }
            error => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mpc::common::{InvalidReason, USER_AGENT};
    use http::HeaderMap;
    use http::header::HeaderValue;

    const NOT_FOUND: &[u8] =
        br#"{"error_code":"MPC.10211","error_msg":"The task does not exist."}"#;

    fn project() -> ProjectId {
        ProjectId::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn the_request_carries_exactly_the_documented_headers() {
        let call = DeleteRemuxTask::new("100211").unwrap();
        let endpoint = Endpoint::parse("https://mpc.cn-north-4.myhuaweicloud.com").unwrap();
        let req = call.request(&endpoint, &project());
        assert_eq!(req.method(), Method::DELETE);
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
        assert_eq!(req.headers()["host"], "mpc.cn-north-4.myhuaweicloud.com");
        assert_eq!(req.headers()["user-agent"], USER_AGENT);
        assert!(req.body().is_empty());
    }

    #[test]
    fn ids_are_percent_encoded_with_the_signers_rules() {
        let call = DeleteRemuxTask::new("A-z_0.9~ *+%").unwrap();
        let req = call.request(
            &Endpoint::parse("http://127.0.0.1:1").unwrap(),
            &ProjectId::new("p/1").unwrap(),
        );
        assert_eq!(
            req.uri().path_and_query().unwrap(),
            "/v1/p%2F1/remux/task?task_id=A-z_0.9~%20%2A%2B%25"
        );
    }

    #[test]
    fn the_task_id_is_checked_before_anything_is_built() {
        assert_eq!(
            DeleteRemuxTask::new("1\r\nX-Injected: 1"),
            Err(InvalidInput::new(
                "task id",
                InvalidReason::ControlCharacter
            ))
        );
        assert_eq!(
            DeleteRemuxTask::new("").unwrap_err().reason,
            InvalidReason::Empty
        );
    }

    #[test]
    fn no_content_means_deleted() {
        let call = DeleteRemuxTask::new("1").unwrap();
        let r = call.interpret(&Answer::new(204, &HeaderMap::new(), b""));
        assert_eq!(r.unwrap(), DeleteOutcome::Deleted);
    }

    #[test]
    fn task_not_found_is_an_error_on_a_first_attempt_and_already_deleted_on_a_retry() {
        let call = DeleteRemuxTask::new("1").unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-request-id", HeaderValue::from_static("req-1"));
        let answer = Answer::new(403, &h, NOT_FOUND);
        let err = call.interpret(&answer).unwrap_err();
        assert!(err.is_task_not_found());
        let MpcError::Api(api) = err else {
            panic!("not an API error")
        };
        assert_eq!(api.status, 403);
        assert_eq!(api.error_msg, "The task does not exist.");
        assert_eq!(api.request_id.as_deref(), Some("req-1"));
        let r = call.interpret(&answer.earlier_attempts(EarlierAttempts::MayHaveBeenActedUpon));
        assert_eq!(r.unwrap(), DeleteOutcome::AlreadyDeleted);
        // Only the "does not exist" code counts.
        let body = br#"{"error_code":"MPC.10213","error_msg":"not final"}"#;
        let r = call.interpret(
            &Answer::new(403, &h, body).earlier_attempts(EarlierAttempts::MayHaveBeenActedUpon),
        );
        assert!(matches!(r, Err(MpcError::Api(_))), "{r:?}");
    }
}
