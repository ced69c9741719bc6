//! How one request is answered: framing checks, route, body, the gateway's checks, the
//! project, then the remux call on the store.
//!
//! | Method and path                  | Call                        | Success            |
//! |----------------------------------|-----------------------------|--------------------|
//! | `POST /v1/{project_id}/remux`    | create a packaging task     | 200 `{"task_id"}`  |
//! | `GET /v1/{project_id}/remux`     | list tasks                  | 200 `{"total","tasks"}` |
//! | `DELETE /v1/{project_id}/remux`  | cancel a queued task        | 204                |
//! | `PUT /v1/{project_id}/remux`     | retry a failed task         | 200 `{}`           |
//! | `DELETE /v1/{project_id}/remux/task` | delete a final record   | 204                |

use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, TRANSFER_ENCODING};
use hyper::{Method, Request, Response};

use crate::mpc::model::{
    CreateRemuxTaskAnswer, CreateRemuxTaskBody, DEFAULT_LIST_PAGE_SIZE, ListRemuxTaskAnswer,
    MAX_LIST_PAGE_SIZE, MAX_LIST_TASK_IDS, RetryRemuxTaskBody, TaskStatus,
};
use crate::server::gateway::{Gateway, claimed_access_key};
use crate::server::metadata::TemporaryKeys;
use crate::server::state::is_mpc_time;
use crate::server::store::{ListQuery, Refusal, Store};
use crate::verify::VerifyError;

/// `error_msg` of a request that no route matches.
const NO_SUCH_API: &str = "The API does not exist or has not been published in the environment";

/// Everything the connections share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) gateway: Gateway,
    pub(crate) store: Arc<Store>,
    pub(crate) max_body: usize,
    pub(crate) body_timeout: Duration,
    pub(crate) access_log: bool,
    /// Temporary credentials issued by the metadata paths (`metadata.rs`).
    pub(crate) temporary: TemporaryKeys,
    request_ids: RequestIds,
}

impl Shared {
    pub(crate) fn new(
        gateway: Gateway,
        store: Arc<Store>,
        max_body: usize,
        body_timeout: Duration,
        access_log: bool,
    ) -> Shared {
        Shared {
            gateway,
            store,
            max_body,
            body_timeout,
            access_log,
            temporary: TemporaryKeys::new(
                crate::server::metadata::DEFAULT_TEMPORARY_CREDENTIALS_TTL,
                None,
                crate::verify::DEFAULT_MAX_SKEW,
            ),
            request_ids: RequestIds::new(),
        }
    }

    /// Issues temporary credentials with `temporary`.
    pub(crate) fn with_temporary(mut self, temporary: TemporaryKeys) -> Shared {
        self.temporary = temporary;
        self
    }
}

/// What an answer carries.
#[derive(Debug)]
enum Payload {
    Empty,
    Json(String),
    /// A plain-text body (the metadata session token).
    Text(String),
    /// `(error_code, error_msg, gateway)`: the gateway's errors carry `request_id`.
    Error(&'static str, String, bool),
}

/// The answer to one request.
#[derive(Debug)]
pub(crate) struct Answer {
    status: u16,
    payload: Payload,
    /// Close the connection after answering (the request's framing cannot be trusted, or
    /// its body was not read).
    close: bool,
}

impl Answer {
    fn no_content() -> Answer {
        Answer {
            status: 204,
            payload: Payload::Empty,
            close: false,
        }
    }

    pub(crate) fn text(body: String) -> Answer {
        Answer {
            status: 200,
            payload: Payload::Text(body),
            close: false,
        }
    }

    pub(crate) fn json(value: &impl serde::Serialize) -> Answer {
        Answer {
            status: 200,
            payload: Payload::Json(
                serde_json::to_string(value).expect("the answer types serialize"),
            ),
            close: false,
        }
    }

    pub(crate) fn mpc(status: u16, code: &'static str, msg: impl Into<String>) -> Answer {
        Answer {
            status,
            payload: Payload::Error(code, msg.into(), false),
            close: false,
        }
    }

    pub(crate) fn gateway(status: u16, code: &'static str, msg: impl Into<String>) -> Answer {
        Answer {
            status,
            payload: Payload::Error(code, msg.into(), true),
            close: false,
        }
    }

    fn invalid(msg: impl Into<String>) -> Answer {
        Answer::mpc(400, "MPC.10202", msg)
    }

    fn closing(mut self) -> Answer {
        self.close = true;
        self
    }

    /// The `error_msg` of an error answer.
    #[cfg(test)]
    pub(crate) fn error_msg(&self) -> Option<&str> {
        match &self.payload {
            Payload::Error(_, msg, _) => Some(msg),
            _ => None,
        }
    }

    fn into_response(self, request_id: &str) -> Response<Full<Bytes>> {
        let (body, json) = match self.payload {
            Payload::Empty => (String::new(), false),
            Payload::Json(s) => (s, true),
            Payload::Text(s) => (s, false),
            Payload::Error(code, msg, gateway) => (
                VerifyError::answer_json(code, &msg, gateway.then_some(request_id)),
                true,
            ),
        };
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = hyper::StatusCode::from_u16(self.status)
            .expect("every status answered is a valid three-digit code");
        let headers = response.headers_mut();
        if json {
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            );
        }
        headers.insert(
            "x-request-id",
            HeaderValue::from_str(request_id).expect("request ids are hex digits"),
        );
        if self.close {
            headers.insert(CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

/// Answers one request and writes its access-log line.
pub(crate) async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let request_id = shared.request_ids.next();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let (answer, access_key) = answer(&shared, req).await;
    let status = answer.status;
    let response = answer.into_response(&request_id);
    if shared.access_log {
        let mut line = String::new();
        let _ = write!(
            line,
            "{} {} {} {} ak={} {:.1}ms",
            Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ"),
            method.as_str().escape_debug(),
            path.escape_debug(),
            status,
            access_key.as_deref().unwrap_or("-").escape_debug(),
            started.elapsed().as_secs_f64() * 1000.0,
        );
        eprintln!("{line}");
    }
    response
}

/// The routes: which call, on which project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Create,
    List,
    Cancel,
    Retry,
    Delete,
}

/// The call and the decoded project id of a method and path; `None` for anything else.
fn route(method: &Method, path: &str) -> Option<(Call, String)> {
    let rest = path.strip_prefix("/v1/")?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (project, call) = if let Some(p) = rest.strip_suffix("/remux/task") {
        (p, (*method == Method::DELETE).then_some(Call::Delete)?)
    } else if let Some(p) = rest.strip_suffix("/remux") {
        let call = match *method {
            Method::POST => Call::Create,
            Method::GET => Call::List,
            Method::DELETE => Call::Cancel,
            Method::PUT => Call::Retry,
            _ => return None,
        };
        (p, call)
    } else {
        return None;
    };
    if project.is_empty() || project.contains('/') {
        return None;
    }
    let project = percent_encoding::percent_decode_str(project)
        .decode_utf8()
        .ok()?
        .into_owned();
    Some((call, project))
}

async fn answer(shared: &Shared, req: Request<Incoming>) -> (Answer, Option<String>) {
    let (parts, body) = req.into_parts();
    let mut headers = Vec::with_capacity(parts.headers.len());
    for (name, value) in &parts.headers {
        match value.to_str() {
            Ok(v) => headers.push((name.as_str(), v)),
            Err(_) => {
                let a = Answer::gateway(
                    400,
                    VerifyError::BODY_ERROR_CODE,
                    format!("The value of header {name} is not visible ASCII"),
                );
                return (a.closing(), None);
            }
        }
    }
    let access_key = claimed_access_key(&headers);

    // A request with both Content-Length and Transfer-Encoding never gets here with both:
    // hyper frames it by Transfer-Encoding alone and closes the connection after it, as
    // RFC 9112 §6.1 asks.
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > shared.max_body as u64) {
        return (too_large(shared.max_body).closing(), access_key);
    }

    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let path = parts.uri.path();
    let extra = crate::server::metadata::answer(shared, &parts.method, path, &headers)
        .or_else(|| crate::server::iam::answer(shared, &parts.method, path, &target, &headers));
    if let Some(a) = extra {
        let unread = declared.is_some_and(|n| n > 0) || has_te(&parts.headers);
        return (if unread { a.closing() } else { a }, access_key);
    }
    let Some((call, path_project)) = route(&parts.method, parts.uri.path()) else {
        let a = Answer::gateway(404, "APIGW.0101", NO_SUCH_API);
        // The body, if any, was not read: do not read the next request out of it.
        let unread = declared.is_some_and(|n| n > 0) || has_te(&parts.headers);
        return (if unread { a.closing() } else { a }, access_key);
    };

    let body = match read_body(body, shared.max_body, shared.body_timeout).await {
        Ok(body) => body,
        Err(a) => return (a, access_key),
    };

    let caller = match shared.authenticate(parts.method.as_str(), &target, &headers, &body) {
        Ok(c) => c,
        Err(a) => return (a, access_key),
    };
    let access_key = access_key.or_else(|| Some(caller.key.clone()));

    let header_project = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-project-id"))
        .map(|(_, v)| v.trim());
    if header_project.is_some_and(|h| h != path_project) {
        let a = Answer::mpc(
            403,
            "MPC.10212",
            "Operation failed: the project ID in the path does not match the X-Project-Id header.",
        );
        return (a, access_key);
    }
    if caller.project_id != path_project {
        let a = Answer::mpc(
            403,
            "MPC.10212",
            format!(
                "Operation failed: the credentials are not authorized for project {path_project}."
            ),
        );
        return (a, access_key);
    }

    // The query the verifier checked is the one acted on: `target` is what was verified.
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let answer = match call {
        Call::Create => create(shared, path_project, &body).await,
        Call::List => list(shared, path_project, query).await,
        Call::Cancel => cancel(shared, path_project, query).await,
        Call::Retry => retry(shared, path_project, &body).await,
        Call::Delete => delete(shared, path_project, query).await,
    };
    (answer, access_key)
}

fn has_te(headers: &hyper::HeaderMap) -> bool {
    headers.contains_key(TRANSFER_ENCODING)
}

fn too_large(max: usize) -> Answer {
    Answer::gateway(
        413,
        VerifyError::BODY_ERROR_CODE,
        VerifyError::body_too_large(max),
    )
}

/// Reads the body, refusing it as soon as more than `max` bytes have come, or when it has
/// not all come within `timeout`.
async fn read_body(body: Incoming, max: usize, timeout: Duration) -> Result<Bytes, Answer> {
    match tokio::time::timeout(timeout, Limited::new(body, max).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(too_large(max).closing()),
        Ok(Err(_)) => Err(Answer::gateway(
            400,
            VerifyError::BODY_ERROR_CODE,
            VerifyError::BODY_UNREADABLE,
        )
        .closing()),
        Err(_) => Err(Answer::gateway(
            408,
            VerifyError::BODY_ERROR_CODE,
            "The request body did not arrive in time",
        )
        .closing()),
    }
}

/// Runs a store call off the async threads.
async fn on_store<T: Send + 'static>(
    shared: &Shared,
    f: impl FnOnce(&Store) -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    let store = Arc::clone(&shared.store);
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .unwrap_or_else(|e| Err(Refusal::Storage(format!("store call did not finish: {e}"))))
}

fn internal(e: &str) -> Answer {
    // What failed stays in this process's log, not in the answer.
    eprintln!("aksk serve: storage error: {e}");
    Answer::mpc(500, "MPC.10500", "Internal server error.")
}

fn refused(r: Refusal, wrong_state: impl FnOnce(TaskStatus) -> Answer) -> Answer {
    match r {
        Refusal::NotFound => Answer::mpc(403, "MPC.10211", "The task does not exist."),
        Refusal::WrongState(s) => wrong_state(s),
        Refusal::Storage(e) => internal(&e),
    }
}

async fn create(shared: &Shared, project: String, body: &[u8]) -> Answer {
    let body: CreateRemuxTaskBody = match serde_json::from_slice(body) {
        Ok(b) => b,
        Err(e) => {
            return Answer::invalid(format!(
                "Invalid request parameter: the body is not a packaging task ({}).",
                e.classify_message()
            ));
        }
    };
    if let Err(msg) = check_create(&body) {
        return Answer::invalid(format!("Invalid request parameter: {msg}"));
    }
    let now = Utc::now();
    match on_store(shared, move |s| s.create(&project, &body, now)).await {
        Ok(task_id) => Answer::json(&CreateRemuxTaskAnswer { task_id }),
        Err(r) => refused(r, |_| internal("a new task has a state")),
    }
}

/// What a create body must hold: an input object and an output location.
fn check_create(body: &CreateRemuxTaskBody) -> Result<(), String> {
    for (name, obj) in [("input", &body.input), ("output", &body.output)] {
        let Some(obj) = obj else {
            return Err(format!("{name} is mandatory."));
        };
        for (field, v) in [
            ("bucket", &obj.bucket),
            ("location", &obj.location),
            ("object", &obj.object),
        ] {
            if v.trim().is_empty() {
                return Err(format!(
                    "{name}.{field} is mandatory and must not be empty."
                ));
            }
        }
    }
    if let Some(format) = body.output_param.as_ref().and_then(|p| p.format.as_deref()) {
        if format != "HLS" && format != "MP4" {
            return Err("output_param.format must be HLS or MP4.".into());
        }
    }
    Ok(())
}

/// The decoded `(name, value)` pairs of a query.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|piece| {
            let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// The one `task_id` of the query; an error message when it is missing, empty or repeated.
fn task_id(query: &str) -> Result<String, &'static str> {
    let mut found: Option<String> = None;
    for (k, v) in query_pairs(query) {
        if k != "task_id" {
            continue;
        }
        if found.is_some() {
            return Err("Invalid request parameter: task_id is given more than once.");
        }
        found = Some(v);
    }
    match found {
        Some(id) if !id.is_empty() => Ok(id),
        _ => Err("Invalid request parameter: task_id is mandatory and must not be empty."),
    }
}

/// Checks a list query as MPC documents it.
fn list_query(query: &str) -> Result<ListQuery, String> {
    let mut q = ListQuery {
        size: DEFAULT_LIST_PAGE_SIZE,
        ..ListQuery::default()
    };
    let mut seen: Vec<String> = Vec::new();
    for (k, v) in query_pairs(query) {
        if k != "task_id" {
            if seen.contains(&k) {
                return Err(format!("{k} is given more than once."));
            }
            seen.push(k.clone());
        }
        match k.as_str() {
            "task_id" => {
                if v.is_empty() {
                    return Err("task_id must not be empty.".into());
                }
                q.task_ids.push(v);
                if q.task_ids.len() > MAX_LIST_TASK_IDS {
                    return Err(format!("at most {MAX_LIST_TASK_IDS} task_id at a time."));
                }
            }
            "status" => {
                q.status = Some(v.parse().map_err(|e| format!("status: {e}."))?);
            }
            "start_time" | "end_time" => {
                if !is_mpc_time(&v) {
                    return Err(format!("{k} must be yyyymmddhhmmss (UTC)."));
                }
                if k == "start_time" {
                    q.start_time = Some(v);
                } else {
                    q.end_time = Some(v);
                }
            }
            "input_bucket" => q.input_bucket = Some(v),
            "input_object" => q.input_object = Some(v),
            "page" => {
                q.page = v
                    .parse()
                    .map_err(|_| "page must be an integer from 0.".to_owned())?;
            }
            "size" => {
                q.size = v
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_LIST_PAGE_SIZE).contains(n))
                    .ok_or_else(|| {
                        format!("size must be an integer from 1 to {MAX_LIST_PAGE_SIZE}.")
                    })?;
            }
            // MPC ignores parameters it does not know.
            _ => {}
        }
    }
    Ok(q)
}

async fn list(shared: &Shared, project: String, query: &str) -> Answer {
    let q = match list_query(query) {
        Ok(q) => q,
        Err(msg) => return Answer::invalid(format!("Invalid request parameter: {msg}")),
    };
    let now = Utc::now();
    match on_store(shared, move |s| s.list(&project, &q, now)).await {
        Ok((total, tasks)) => Answer::json(&ListRemuxTaskAnswer { total, tasks }),
        Err(r) => refused(r, |_| internal("a list has no state")),
    }
}

async fn cancel(shared: &Shared, project: String, query: &str) -> Answer {
    let id = match task_id(query) {
        Ok(id) => id,
        Err(msg) => return Answer::invalid(msg),
    };
    let now = Utc::now();
    match on_store(shared, move |s| s.cancel(&project, &id, now)).await {
        Ok(()) => Answer::no_content(),
        Err(r) => refused(r, |s| {
            Answer::mpc(
                403,
                "MPC.10212",
                format!("Operation failed: only a queued task can be canceled, this one is {s}."),
            )
        }),
    }
}

async fn retry(shared: &Shared, project: String, body: &[u8]) -> Answer {
    let id = match serde_json::from_slice::<RetryRemuxTaskBody>(body) {
        Ok(RetryRemuxTaskBody { task_id: Some(id) }) if !id.is_empty() => id,
        Ok(_) => {
            return Answer::invalid(
                "Invalid request parameter: task_id is mandatory and must not be empty.",
            );
        }
        Err(e) => {
            return Answer::invalid(format!(
                "Invalid request parameter: the body is not {{\"task_id\": ...}} ({}).",
                e.classify_message()
            ));
        }
    };
    let now = Utc::now();
    match on_store(shared, move |s| s.retry(&project, &id, now)).await {
        Ok(()) => Answer::json(&serde_json::json!({})),
        Err(r) => refused(r, |s| {
            Answer::mpc(
                403,
                "MPC.10212",
                format!("Operation failed: only a failed task can be retried, this one is {s}."),
            )
        }),
    }
}

async fn delete(shared: &Shared, project: String, query: &str) -> Answer {
    let id = match task_id(query) {
        Ok(id) => id,
        Err(msg) => return Answer::invalid(msg),
    };
    let now = Utc::now();
    match on_store(shared, move |s| s.delete(&project, &id, now)).await {
        Ok(()) => Answer::no_content(),
        Err(r) => refused(r, |s| {
            Answer::mpc(
                403,
                "MPC.10213",
                format!("The task is not in a final state ({s}) and cannot be deleted."),
            )
        }),
    }
}

/// What kind of JSON error, without quoting the input.
trait ClassifyMessage {
    fn classify_message(&self) -> &'static str;
}

impl ClassifyMessage for serde_json::Error {
    fn classify_message(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "unreadable",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "a field has the wrong type",
            serde_json::error::Category::Eof => "truncated JSON",
        }
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
    fn the_five_remux_calls_are_routed_and_nothing_else() {
        let r = |m: Method, p: &str| route(&m, p);
        assert_eq!(
            r(Method::DELETE, "/v1/p1/remux/task"),
            Some((Call::Delete, "p1".into()))
        );
        assert_eq!(
            r(Method::DELETE, "/v1/p1/remux/task/"),
            Some((Call::Delete, "p1".into()))
        );
        assert_eq!(
            r(Method::DELETE, "/v1/proj%201/remux/task"),
            Some((Call::Delete, "proj 1".into()))
        );
        assert_eq!(
            r(Method::POST, "/v1/p1/remux"),
            Some((Call::Create, "p1".into()))
        );
        assert_eq!(
            r(Method::GET, "/v1/p1/remux"),
            Some((Call::List, "p1".into()))
        );
        assert_eq!(
            r(Method::DELETE, "/v1/p1/remux"),
            Some((Call::Cancel, "p1".into()))
        );
        assert_eq!(
            r(Method::PUT, "/v1/p1/remux"),
            Some((Call::Retry, "p1".into()))
        );
        assert_eq!(r(Method::GET, "/v1/p1/remux/task"), None);
        assert_eq!(r(Method::PATCH, "/v1/p1/remux"), None);
        assert_eq!(r(Method::DELETE, "/v1//remux/task"), None);
        assert_eq!(r(Method::DELETE, "/v1/a/b/remux/task"), None);
        assert_eq!(r(Method::DELETE, "/v2/p1/remux/task"), None);
        assert_eq!(r(Method::DELETE, "/v1/p1/remux/tasks"), None);
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
    fn list_queries_are_checked_as_mpc_documents_them() {
        let q =
            list_query("task_id=1&task_id=2&status=FAILED&page=2&size=100").expect("a valid query");
        assert_eq!(q.task_ids, ["1", "2"]);
        assert_eq!(q.status, Some(TaskStatus::Failed));
        assert_eq!((q.page, q.size), (2, 100));
        assert_eq!(list_query("").expect("empty").size, 10);
        let eleven: Vec<String> = (0..11).map(|i| format!("task_id={i}")).collect();
        assert!(list_query(&eleven.join("&")).is_err());
        for bad in [
            "size=0",
            "size=101",
            "page=-1",
            "status=DONE",
            "start_time=2020",
            "end_time=20201340000000",
            "page=1&page=2",
            "task_id=",
        ] {
            assert!(list_query(bad).is_err(), "{bad}");
        }
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
