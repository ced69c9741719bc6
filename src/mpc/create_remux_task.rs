//! CreateRemuxTask: start a packaging task.
//!
//! `POST /v1/{project_id}/remux` with a `CreateRemuxTaskReq` body (`input`, `output`,
//! `user_data`, `output_param`); 200 `{"task_id": "..."}`. Not idempotent: each call that
//! MPC receives starts a task.

use http::Method;

use crate::mpc::call::{Answer, Call, base_request, read_json};
use crate::mpc::common::{InvalidInput, InvalidReason, ProjectId, check_text, encode_component};
use crate::mpc::endpoint::Endpoint;
use crate::mpc::error::MpcError;
use crate::mpc::model::{CreateRemuxTaskAnswer, CreateRemuxTaskBody, ObsObjInfo};

/// The CreateRemuxTask call for one body, checked and serialized once.
///
/// ```
/// use huaweicloud_aksk::mpc::{Call, CreateRemuxTask, CreateRemuxTaskBody, Endpoint, ObsObjInfo, ProjectId};
///
/// let obj = |object: &str| ObsObjInfo {
///     bucket: "media".into(),
///     location: "cn-north-4".into(),
///     object: object.into(),
///     file_name: None,
/// };
/// let call = CreateRemuxTask::new(&CreateRemuxTaskBody {
///     input: Some(obj("in/movie.mp4")),
///     output: Some(obj("out/")),
///     ..Default::default()
/// })?;
/// let project = ProjectId::new("0123456789abcdef0123456789abcdef")?;
/// let req = call.request(&Endpoint::for_region("cn-north-4")?, &project);
/// assert_eq!(req.method(), "POST");
/// assert_eq!(req.uri().path(), "/v1/0123456789abcdef0123456789abcdef/remux");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRemuxTask {
    body: Vec<u8>,
}

impl CreateRemuxTask {
    /// The call for `body`: `input` and `output` given, each with a bucket, a location and
    /// an object (at most [`MAX_TEXT_BYTES`](crate::mpc::MAX_TEXT_BYTES) bytes, no control
    /// characters).
    pub fn new(body: &CreateRemuxTaskBody) -> Result<Self, InvalidInput> {
        check_obs("input", body.input.as_ref())?;
        check_obs("output", body.output.as_ref())?;
        let body = serde_json::to_vec(body).expect("the body model serializes");
        Ok(CreateRemuxTask { body })
    }
}

fn check_obs(field: &'static str, obj: Option<&ObsObjInfo>) -> Result<(), InvalidInput> {
    let obj = obj.ok_or(InvalidInput::new(field, InvalidReason::Empty))?;
    for value in [&obj.bucket, &obj.location, &obj.object] {
        check_text(field, value)?;
    }
    Ok(())
}

impl Call for CreateRemuxTask {
    type Output = CreateRemuxTaskAnswer;

    /// Each create that MPC receives starts a task: never sent twice once it may have
    /// been received.
    const IDEMPOTENT: bool = false;

    fn request(&self, endpoint: &Endpoint, project: &ProjectId) -> http::Request<Vec<u8>> {
        let mut path = String::from("/v1/");
        encode_component(&mut path, project.as_str());
        path.push_str("/remux");
        base_request(Method::POST, endpoint, project, &path, self.body.clone())
    }

    /// 2xx with `{"task_id"}`: the new task's id. Anything else: the error
    /// [`Answer::error`] reads, or [`MpcError::UnexpectedResponse`] for a success without
    /// a task id.
    fn interpret(&self, answer: &Answer<'_>) -> Result<CreateRemuxTaskAnswer, MpcError> {
        read_json(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mpc::model::RemuxOutputParam;
    use http::HeaderMap;

    fn obj(object: &str, file_name: Option<&str>) -> ObsObjInfo {
        ObsObjInfo {
            bucket: "b".into(),
            location: "cn-north-4".into(),
            object: object.into(),
            file_name: file_name.map(Into::into),
        }
    }

    /// The body the official Python SDK sends for the same `CreateRemuxTaskReq` (its keys
    /// in the same order; it writes `", "` and `": "` between them).
    #[test]
    fn the_body_is_the_official_sdks() {
        let call = CreateRemuxTask::new(&CreateRemuxTaskBody {
            input: Some(obj("in.mp4", None)),
            output: Some(obj("out/", Some("x"))),
            user_data: None,
            output_param: Some(RemuxOutputParam {
                format: Some("HLS".into()),
                segment_duration: Some(5),
                remove_meta: None,
            }),
        })
        .unwrap();
        let req = call.request(
            &Endpoint::parse("http://127.0.0.1:1").unwrap(),
            &ProjectId::new("p1").unwrap(),
        );
        assert_eq!(req.method(), Method::POST);
        assert_eq!(req.uri().path_and_query().unwrap(), "/v1/p1/remux");
        let official = r#"{"input": {"bucket": "b", "location": "cn-north-4", "object": "in.mp4"}, "output": {"bucket": "b", "location": "cn-north-4", "object": "out/", "file_name": "x"}, "output_param": {"format": "HLS", "segment_duration": 5}}"#;
        assert_eq!(
            String::from_utf8(req.body().clone()).unwrap(),
            official.replace(", ", ",").replace(": ", ":")
        );
    }

    #[test]
    fn a_body_without_input_or_output_is_refused() {
        let mut body = CreateRemuxTaskBody {
            input: Some(obj("in.mp4", None)),
            ..Default::default()
        };
        assert_eq!(CreateRemuxTask::new(&body).unwrap_err().field, "output");
        body.output = Some(obj("", None));
        assert_eq!(
            CreateRemuxTask::new(&body).unwrap_err().reason,
            InvalidReason::Empty
        );
        body.output = Some(obj("o\n", None));
        assert_eq!(
            CreateRemuxTask::new(&body).unwrap_err().reason,
            InvalidReason::ControlCharacter
        );
    }

    #[test]
    fn answers_are_read() {
        let call = CreateRemuxTask::new(&CreateRemuxTaskBody {
            input: Some(obj("i", None)),
            output: Some(obj("o", None)),
            ..Default::default()
        })
        .unwrap();
        let h = HeaderMap::new();
        let ok = call
            .interpret(&Answer::new(200, &h, br#"{"task_id":"42"}"#))
            .unwrap();
        assert_eq!(ok.task_id, "42");
        let err = call.interpret(&Answer::new(200, &h, b"{}")).unwrap_err();
        assert!(matches!(err, MpcError::UnexpectedResponse(_)));
        let body = br#"{"error_code":"MPC.10202","error_msg":"Invalid request parameter."}"#;
        let err = call.interpret(&Answer::new(400, &h, body)).unwrap_err();
        assert!(matches!(err, MpcError::Api(_)));
        const { assert!(!CreateRemuxTask::IDEMPOTENT) };
    }
}
