//! CancelRemuxTask: cancel a packaging task that is still queued.
//!
//! `DELETE /v1/{project_id}/remux?task_id={id}`, no body (as the official SDKs'
//! `CancelRemuxTaskRequest` sends it). 2xx: canceled. 403 `MPC.10211`: the task does not
//! exist; another refusal when it is no longer queued.

use http::Method;

use crate::mpc::call::{Answer, Call, base_request};
use crate::mpc::common::{InvalidInput, ProjectId, check_id, encode_component};
use crate::mpc::endpoint::Endpoint;
use crate::mpc::error::MpcError;

/// The CancelRemuxTask call for one task id, checked.
///
/// ```
/// use huaweicloud_aksk::mpc::{Call, CancelRemuxTask, Endpoint, ProjectId};
///
/// let call = CancelRemuxTask::new("100214")?;
/// let project = ProjectId::new("0123456789abcdef0123456789abcdef")?;
/// let req = call.request(&Endpoint::for_region("cn-north-4")?, &project);
/// assert_eq!(req.method(), "DELETE");
/// assert_eq!(
///     req.uri().path_and_query().unwrap(),
///     "/v1/0123456789abcdef0123456789abcdef/remux?task_id=100214"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelRemuxTask<'a> {
    task_id: &'a str,
}

impl<'a> CancelRemuxTask<'a> {
    /// The call for `task_id` (checked as [`DeleteRemuxTask::new`](crate::mpc::DeleteRemuxTask::new) does).
    pub fn new(task_id: &'a str) -> Result<Self, InvalidInput> {
        check_id("task id", task_id)?;
        Ok(CancelRemuxTask { task_id })
    }

    /// The task id.
    pub fn task_id(&self) -> &'a str {
        self.task_id
    }
}

impl Call for CancelRemuxTask<'_> {
    type Output = ();

    /// Canceling twice leaves the task canceled, as canceling once does (the second
    /// answer may be a refusal: the task is no longer queued).
    const IDEMPOTENT: bool = true;

    fn request(&self, endpoint: &Endpoint, project: &ProjectId) -> http::Request<Vec<u8>> {
        let mut path = String::from("/v1/");
        encode_component(&mut path, project.as_str());
        path.push_str("/remux?task_id=");
        encode_component(&mut path, self.task_id);
        base_request(Method::DELETE, endpoint, project, &path, Vec::new())
    }

    /// 2xx: canceled (the body, `{}` or none, is not read). Anything else: the error
    /// [`Answer::error`] reads.
    fn interpret(&self, answer: &Answer<'_>) -> Result<(), MpcError> {
        answer.success_or_error()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderMap;

    #[test]
    fn the_request_is_the_official_sdks_and_answers_are_read() {
        let call = CancelRemuxTask::new("a b").unwrap();
        let req = call.request(
            &Endpoint::parse("http://127.0.0.1:1").unwrap(),
            &ProjectId::new("p1").unwrap(),
        );
        assert_eq!(req.method(), Method::DELETE);
        assert_eq!(
            req.uri().path_and_query().unwrap(),
            "/v1/p1/remux?task_id=a%20b"
        );
        assert!(req.body().is_empty());
        let h = HeaderMap::new();
        assert!(call.interpret(&Answer::new(204, &h, b"")).is_ok());
        assert!(call.interpret(&Answer::new(200, &h, b"{}")).is_ok());
        let body = br#"{"error_code":"MPC.10211","error_msg":"The task does not exist."}"#;
        let err = call.interpret(&Answer::new(403, &h, body)).unwrap_err();
        assert!(err.is_task_not_found());
        let err = call
            .interpret(&Answer::new(502, &h, b"<html>"))
            .unwrap_err();
        assert!(matches!(err, MpcError::UnexpectedResponse(_)));
        assert!(CancelRemuxTask::new(" 1").is_err());
    }
}
