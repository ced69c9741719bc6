//! CreateRetryRemuxTask: run a failed packaging task again.
//!
//! `PUT /v1/{project_id}/remux` with `{"task_id": "..."}` (the official SDKs'
//! `CreateRetryRemuxTaskRequest` with a `RemuxRetryReq` body). 2xx: queued again. 403
//! `MPC.10211`: the task does not exist; another refusal when it has not failed.

use http::Method;

use crate::mpc::call::{Answer, Call, base_request};
use crate::mpc::common::{InvalidInput, ProjectId, check_id, encode_component};
use crate::mpc::endpoint::Endpoint;
use crate::mpc::error::MpcError;
use crate::mpc::model::RetryRemuxTaskBody;

/// The CreateRetryRemuxTask call for one task id, checked.
///
/// ```
/// use huaweicloud_aksk::mpc::{Call, Endpoint, ProjectId, RetryRemuxTask};
///
/// let call = RetryRemuxTask::new("100212")?;
/// let project = ProjectId::new("0123456789abcdef0123456789abcdef")?;
/// let req = call.request(&Endpoint::for_region("cn-north-4")?, &project);
/// assert_eq!(req.method(), "PUT");
/// assert_eq!(req.body(), br#"{"task_id":"100212"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryRemuxTask {
    body: Vec<u8>,
    task_id: String,
}

impl RetryRemuxTask {
    /// The call for `task_id` (checked as [`DeleteRemuxTask::new`](crate::mpc::DeleteRemuxTask::new) does).
    pub fn new(task_id: &str) -> Result<Self, InvalidInput> {
        check_id("task id", task_id)?;
        let body = serde_json::to_vec(&RetryRemuxTaskBody {
            task_id: Some(task_id.to_owned()),
        })
        .expect("a struct of strings serializes");
        Ok(RetryRemuxTask {
            body,
            task_id: task_id.to_owned(),
        })
    }

    /// The task id.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }
}

impl Call for RetryRemuxTask {
    type Output = ();

    /// Not idempotent: a retry whose answer was lost may have queued the task, which may
    /// fail again by the time a second retry arrives, and then run a second time.
    const IDEMPOTENT: bool = false;

    fn request(&self, endpoint: &Endpoint, project: &ProjectId) -> http::Request<Vec<u8>> {
        let mut path = String::from("/v1/");
        encode_component(&mut path, project.as_str());
        path.push_str("/remux");
        base_request(Method::PUT, endpoint, project, &path, self.body.clone())
    }

    /// 2xx: queued again (the body is not read). Anything else: the error
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
        let call = RetryRemuxTask::new("8\"x").unwrap();
        let req = call.request(
            &Endpoint::parse("http://127.0.0.1:1").unwrap(),
            &ProjectId::new("p1").unwrap(),
        );
        assert_eq!(req.method(), Method::PUT);
        assert_eq!(req.uri().path_and_query().unwrap(), "/v1/p1/remux");
        assert_eq!(req.body(), br#"{"task_id":"8\"x"}"#);
        assert_eq!(req.headers()["content-type"], "application/json");
        let h = HeaderMap::new();
        assert!(call.interpret(&Answer::new(200, &h, b"{}")).is_ok());
        let body = br#"{"error_code":"MPC.10212","error_msg":"Operation failed."}"#;
        let err = call.interpret(&Answer::new(403, &h, body)).unwrap_err();
        assert!(matches!(err, MpcError::Api(ref e) if e.error_code == "MPC.10212"));
        assert!(RetryRemuxTask::new("").is_err());
        const { assert!(!RetryRemuxTask::IDEMPOTENT) };
    }
}
