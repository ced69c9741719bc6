//! How one request is answered: route, read the body, authenticate, check the project and
//! the `task_id`, then delete the record under the state lock.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::Utc;

use crate::SignableRequest;
use crate::server::lockout::Lockout;
use crate::server::state::{State, Task, TaskStatus};
use crate::verify::{Authorization, KeySet, SecretKeys, Verifier, VerifyError};

/// `error_msg` of a request that no route matches.
const NO_SUCH_API: &str = "The API does not exist or has not been published in the environment";

/// Everything the worker threads share.
#[derive(Debug)]
pub(crate) struct Shared {
    verifier: Verifier<KeySet>,
    /// Access key → project id.
    projects: HashMap<String, String>,
    /// Token → project id.
    tokens: HashMap<String, String>,
    /// (project id, task id) → status; a record is deleted under this lock, so exactly once.
    pub(crate) tasks: Mutex<HashMap<(String, String), TaskStatus>>,
    lockout: Lockout,
    max_body: usize,
    request_ids: RequestIds,
}

/// Settings of [`Shared`] that are not in the state.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_body: usize,
    pub(crate) max_skew: std::time::Duration,
    pub(crate) lockout_threshold: u32,
    pub(crate) lockout_duration: std::time::Duration,
}

impl Shared {
    pub(crate) fn new(state: &State, limits: Limits) -> Shared {
        let keys: KeySet = state
            .credentials
            .iter()
            .map(|c| c.to_credentials())
            .collect();
        Shared {
            verifier: Verifier::new(keys).with_max_skew(limits.max_skew),
            projects: state
                .credentials
                .iter()
                .map(|c| (c.ak.clone(), c.project_id.clone()))
                .collect(),
            tokens: state
                .tokens
                .iter()
                .map(|t| (t.token.clone(), t.project_id.clone()))
                .collect(),
            tasks: Mutex::new(
                state
                    .tasks
                    .iter()
                    .map(|t| ((t.project_id.clone(), t.task_id.clone()), t.status))
                    .collect(),
            ),
            lockout: Lockout::new(limits.lockout_threshold, limits.lockout_duration),
            max_body: limits.max_body,
            request_ids: RequestIds::new(),
        }
    }

    pub(crate) fn tasks(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), TaskStatus>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn snapshot(&self) -> Vec<Task> {
        let mut tasks: Vec<Task> = self
            .tasks()
            .iter()
            .map(|((p, t), s)| Task::new(p.clone(), t.clone(), *s))
            .collect();
        tasks.sort_by(|a, b| (&a.project_id, &a.task_id).cmp(&(&b.project_id, &b.task_id)));
        tasks
    }
}

/// The answer to one request.
#[derive(Debug)]
struct Answer {
    status: u16,
    /// `(error_code, error_msg)` of an error body.
    error: Option<(&'static str, String)>,
    /// Does the body carry `request_id` (the gateway's errors do, MPC's do not)?
    gateway: bool,
}

impl Answer {
    fn no_content() -> Answer {
        Answer {
            status: 204,
            error: None,
            gateway: false,
        }
    }

    fn mpc(status: u16, code: &'static str, msg: impl Into<String>) -> Answer {
        Answer {
            status,
            error: Some((code, msg.into())),
            gateway: false,
        }
    }

    fn gateway(status: u16, code: &'static str, msg: impl Into<String>) -> Answer {
        Answer {
            status,
            error: Some((code, msg.into())),
            gateway: true,
        }
    }

    fn unauthorized(e: &VerifyError) -> Answer {
        Answer::gateway(e.status(), e.error_code(), e.error_msg())
    }
}

/// Answers one request; errors writing the answer (the client went away) are ignored.
pub(crate) fn handle(shared: &Shared, mut rq: tiny_http::Request) {
    let request_id = shared.request_ids.next();
    let answer = answer(shared, &mut rq);
    let mut response = tiny_http::Response::from_data(Vec::new()).with_status_code(answer.status);
    if let Some((code, msg)) = &answer.error {
        let body = if answer.gateway {
            serde_json::json!({"error_code": code, "error_msg": msg, "request_id": request_id})
        } else {
            serde_json::json!({"error_code": code, "error_msg": msg})
        };
        response = tiny_http::Response::from_data(body.to_string().into_bytes())
            .with_status_code(answer.status)
            .with_header(header("Content-Type", "application/json;charset=UTF-8"));
    }
    response.add_header(header("X-Request-Id", &request_id));
    let _ = rq.respond(response);
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    // Both are ASCII without CR or LF: the names are ours, the values are ours or hex.
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap_or_else(|_| {
        tiny_http::Header::from_bytes(&b"X-Invalid"[..], &b"1"[..]).expect("valid header")
    })
}

fn answer(shared: &Shared, rq: &mut tiny_http::Request) -> Answer {
    let target = rq.url().to_owned();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, q),
        None => (target.as_str(), ""),
    };
    let Some(path_project) = route(rq.method(), path) else {
        return Answer::gateway(404, "APIGW.0101", NO_SUCH_API);
    };

    let body = match read_body(rq, shared.max_body) {
        Ok(body) => body,
        Err(answer) => return answer,
    };

    let headers: Vec<(&str, &str)> = rq
        .headers()
        .iter()
        .map(|h| (h.field.as_str().as_str(), h.value.as_str()))
        .collect();
    let project = match authenticate(shared, rq.method().as_str(), &target, &headers, &body) {
        Ok(project) => project,
        Err(answer) => return answer,
    };

    let header_project = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-project-id"))
        .map(|(_, v)| v.trim());
    if header_project.is_some_and(|h| h != path_project) {
        return Answer::mpc(
            403,
            "MPC.10212",
            "Operation failed: the project ID in the path does not match the X-Project-Id header.",
        );
    }
    if project != path_project {
        return Answer::mpc(
            403,
            "MPC.10212",
            format!(
                "Operation failed: the credentials are not authorized for project {path_project}."
            ),
        );
    }

    let task_id = match task_id(query) {
        Ok(id) => id,
        Err(msg) => return Answer::mpc(400, "MPC.10202", msg),
    };

    let mut tasks = shared.tasks();
    let key = (path_project, task_id);
    match tasks.get(&key) {
        None => Answer::mpc(403, "MPC.10211", "The task does not exist."),
        Some(status) if !status.is_final() => Answer::mpc(
            403,
            "MPC.10213",
            format!("The task is not in a final state ({status}) and cannot be deleted."),
        ),
        Some(_) => {
            tasks.remove(&key);
            Answer::no_content()
        }
    }
}

/// The project id of `DELETE /v1/{project_id}/remux/task`, decoded; `None` for any other
/// method or path.
fn route(method: &tiny_http::Method, path: &str) -> Option<String> {
    if *method != tiny_http::Method::Delete {
        return None;
    }
    let rest = path.strip_prefix("/v1/")?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let project = rest.strip_suffix("/remux/task")?;
    if project.is_empty() || project.contains('/') {
        return None;
    }
    Some(
        percent_encoding::percent_decode_str(project)
            .decode_utf8()
            .ok()?
            .into_owned(),
    )
}

/// Reads at most `max` bytes of body.
fn read_body(rq: &mut tiny_http::Request, max: usize) -> Result<Vec<u8>, Answer> {
    let too_large = || {
        Answer::gateway(
            413,
            "APIGW.0201",
            format!("Request entity too large (more than {max} bytes)"),
        )
    };
    if rq.body_length().is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    if rq.as_reader().take(limit).read_to_end(&mut body).is_err() {
        return Err(Answer::gateway(
            400,
            "APIGW.0201",
            "The request body could not be read",
        ));
    }
    if body.len() > max {
        return Err(too_large());
    }
    Ok(body)
}

/// Checks the AK/SK signature or the token; gives the project the caller may act on.
fn authenticate(
    shared: &Shared,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<String, Answer> {
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    };
    let Some(authorization) = find("authorization") else {
        return match find("x-auth-token") {
            Some(token) => shared.tokens.get(token.trim()).cloned().ok_or_else(|| {
                Answer::gateway(
                    401,
                    "APIGW.0301",
                    "Incorrect IAM authentication information: decrypt token fail",
                )
            }),
            None => Err(Answer::unauthorized(&VerifyError::MissingAuthorization)),
        };
    };
    let ak = Authorization::parse(authorization)
        .map_err(|e| Answer::unauthorized(&e))?
        .access_key();
    let known = shared.verifier.keys().signer(ak).is_some();
    if known && shared.lockout.is_locked(ak, Instant::now()) {
        return Err(Answer::gateway(
            401,
            "APIGW.0301",
            "Incorrect IAM authentication information: AK access failed to reach the limit,forbidden.",
        ));
    }
    let req = SignableRequest::new(method, target)
        .map_err(|e| Answer::unauthorized(&VerifyError::InvalidRequest(e)))?
        .with_headers(headers)
        .with_body(body);
    match shared.verifier.verify(&req, Utc::now()) {
        Ok(_) => {
            shared.lockout.succeeded(ak);
            Ok(shared.projects.get(ak).cloned().unwrap_or_default())
        }
        Err(e) => {
            if known {
                shared.lockout.failed(ak, Instant::now());
            }
            Err(Answer::unauthorized(&e))
        }
    }
}

/// The one `task_id` of the query, decoded; an error message when it is missing, empty or
/// repeated.
fn task_id(query: &str) -> Result<String, &'static str> {
    let mut found: Option<String> = None;
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        if percent_encoding::percent_decode_str(k).decode_utf8_lossy() != "task_id" {
            continue;
        }
        if found.is_some() {
            return Err("Invalid request parameter: task_id is given more than once.");
        }
        found = Some(
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned(),
        );
    }
    match found {
        Some(id) if !id.is_empty() => Ok(id),
        _ => Err("Invalid request parameter: task_id is mandatory and must not be empty."),
    }
}

/// Request ids: 32 hex digits, unpredictable across endpoints, unique within one.
#[derive(Debug)]
struct RequestIds {
    seed: std::collections::hash_map::RandomState,
    counter: AtomicU64,
}

impl RequestIds {
    fn new() -> Self {
        RequestIds {
            seed: std::collections::hash_map::RandomState::new(),
            counter: AtomicU64::new(0),
        }
    }

    fn next(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut h = self.seed.build_hasher();
        h.write_u64(n);
        let high = h.finish();
        // The counter itself keeps ids unique; the hash makes them look like the gateway's.
        format!("{high:016x}{:016x}", n ^ high.rotate_left(17))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_delete_of_the_remux_task_path_is_routed() {
        use tiny_http::Method;
        assert_eq!(
            route(&Method::Delete, "/v1/p1/remux/task").as_deref(),
            Some("p1")
        );
        assert_eq!(
            route(&Method::Delete, "/v1/p1/remux/task/").as_deref(),
            Some("p1")
        );
        assert_eq!(
            route(&Method::Delete, "/v1/proj%201/remux/task").as_deref(),
            Some("proj 1")
        );
        assert_eq!(route(&Method::Get, "/v1/p1/remux/task"), None);
        assert_eq!(route(&Method::Delete, "/v1//remux/task"), None);
        assert_eq!(route(&Method::Delete, "/v1/a/b/remux/task"), None);
        assert_eq!(route(&Method::Delete, "/v2/p1/remux/task"), None);
        assert_eq!(route(&Method::Delete, "/v1/p1/remux/tasks"), None);
    }

    #[test]
    fn task_id_is_decoded_and_required_once() {
        assert_eq!(task_id("task_id=100211"), Ok("100211".into()));
        assert_eq!(task_id("x=1&task_id=a%20b%2Bc"), Ok("a b+c".into()));
        assert!(task_id("").is_err());
        assert!(task_id("task_id=").is_err());
        assert!(task_id("task_id").is_err());
        assert!(task_id("task_id=1&task_id=2").is_err());
    }

    #[test]
    fn request_ids_are_unique_hex() {
        let ids = RequestIds::new();
        let a = ids.next();
        let b = ids.next();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
