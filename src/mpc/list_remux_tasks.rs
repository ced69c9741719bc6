//! ListRemuxTask: one page of the packaging task records, filtered; and [`Pager`], the
//! walk through every page.
//!
//! `GET /v1/{project_id}/remux?task_id=..&status=..&start_time=..&end_time=..
//! &input_bucket=..&input_object=..&page=..&size=..`, no body; 200 `{"total": N,
//! "tasks": [...]}`. As in the official SDKs' `ListRemuxTaskRequest`: `task_id` repeated
//! (at most 10); `status` one status; `start_time` and `end_time` `yyyymmddhhmmss` UTC,
//! bounds on the creation time; `page` from 0; `size` 1 to 100. MPC ignores the time range
//! and the paging when task ids are given.

use chrono::{DateTime, NaiveDateTime, Utc};
use http::Method;

use crate::mpc::call::{Answer, Call, base_request, read_json};
use crate::mpc::common::{
    InvalidInput, InvalidReason, ProjectId, check_id, check_text, encode_component,
};
use crate::mpc::endpoint::Endpoint;
use crate::mpc::error::MpcError;
use crate::mpc::model::{
    ListRemuxTaskAnswer, MAX_LIST_PAGE_SIZE, MAX_LIST_TASK_IDS, RemuxTask, TaskStatus,
};

/// The most bytes of a list answer that are read: a page of 100 tasks with every field is
/// far larger than an error body.
pub const MAX_LIST_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The time format of MPC's queries and records: `yyyymmddhhmmss`, UTC.
const MPC_TIME: &str = "%Y%m%d%H%M%S";

/// Writes a time as MPC does: `yyyymmddhhmmss`, UTC (fractions of a second dropped).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use huaweicloud_aksk::mpc::{format_mpc_time, parse_mpc_time};
///
/// let t = Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 9).unwrap();
/// assert_eq!(format_mpc_time(t), "20261128043509");
/// assert_eq!(parse_mpc_time("20261128043509"), Some(t));
/// assert_eq!(parse_mpc_time("2026-11-28"), None);
/// ```
pub fn format_mpc_time(t: DateTime<Utc>) -> String {
    t.format(MPC_TIME).to_string()
}

/// Reads a time written as MPC does (`yyyymmddhhmmss`, UTC, exactly 14 digits).
pub fn parse_mpc_time(s: &str) -> Option<DateTime<Utc>> {
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDateTime::parse_from_str(s, MPC_TIME)
        .ok()
        .map(|t| t.and_utc())
}

/// The ListRemuxTask call: the filters, and which page.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use huaweicloud_aksk::mpc::{Call, Endpoint, ListRemuxTasks, ProjectId, TaskStatus};
///
/// let call = ListRemuxTasks::new()
///     .status(TaskStatus::Succeed)
///     .created_until(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap())
///     .size(100)?;
/// let project = ProjectId::new("0123456789abcdef0123456789abcdef")?;
/// let req = call.request(&Endpoint::for_region("cn-north-4")?, &project);
/// assert_eq!(
///     req.uri().path_and_query().unwrap(),
///     "/v1/0123456789abcdef0123456789abcdef/remux?end_time=20261101000000&page=0&size=100&status=SUCCEED"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListRemuxTasks {
    task_ids: Vec<String>,
    status: Option<TaskStatus>,
    start_time: Option<DateTime<Utc>>,
    end_time: Option<DateTime<Utc>>,
    input_bucket: Option<String>,
    input_object: Option<String>,
    page: u32,
    size: Option<u32>,
}

impl ListRemuxTasks {
    /// Every task, first page, MPC's default page size (10).
    pub fn new() -> Self {
        ListRemuxTasks::default()
    }

    /// Only these tasks (at most [`MAX_LIST_TASK_IDS`], each checked as a task id; MPC then
    /// ignores the time range and the paging). Replaces any ids given before.
    pub fn task_ids<I, S>(mut self, ids: I) -> Result<Self, InvalidInput>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids: Vec<String> = ids.into_iter().map(Into::into).collect();
        if ids.len() > MAX_LIST_TASK_IDS {
            return Err(InvalidInput::new("task ids", InvalidReason::TooMany));
        }
        for id in &ids {
            check_id("task id", id)?;
        }
        self.task_ids = ids;
        Ok(self)
    }

    /// Only tasks in this status.
    pub fn status(mut self, status: TaskStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only tasks created at or after this time (whole seconds; `start_time`).
    pub fn created_from(mut self, t: DateTime<Utc>) -> Self {
        self.start_time = Some(t);
        self
    }

    /// Only tasks created at or before this time (whole seconds; `end_time`).
    pub fn created_until(mut self, t: DateTime<Utc>) -> Self {
        self.end_time = Some(t);
        self
    }

    /// Only tasks reading from this bucket.
    pub fn input_bucket(mut self, bucket: impl Into<String>) -> Result<Self, InvalidInput> {
        let bucket = bucket.into();
        check_id("input bucket", &bucket)?;
        self.input_bucket = Some(bucket);
        Ok(self)
    }

    /// Only tasks reading this object.
    pub fn input_object(mut self, object: impl Into<String>) -> Result<Self, InvalidInput> {
        let object = object.into();
        check_text("input object", &object)?;
        self.input_object = Some(object);
        Ok(self)
    }

    /// Which page, from 0.
    pub fn page(mut self, page: u32) -> Self {
        self.page = page;
        self
    }

    /// How many tasks a page holds, 1 to [`MAX_LIST_PAGE_SIZE`].
    pub fn size(mut self, size: u32) -> Result<Self, InvalidInput> {
        if !(1..=MAX_LIST_PAGE_SIZE).contains(&size) {
            return Err(InvalidInput::new("page size", InvalidReason::OutOfRange));
        }
        self.size = Some(size);
        Ok(self)
    }

    /// The page asked for.
    pub fn page_number(&self) -> u32 {
        self.page
    }

    /// The page size asked for (`None`: MPC's default, 10).
    pub fn page_size(&self) -> Option<u32> {
        self.size
    }

    /// The task ids asked for.
    pub fn ids(&self) -> &[String] {
        &self.task_ids
    }

    /// The `end_time` bound, when one was given.
    pub fn end_time(&self) -> Option<DateTime<Utc>> {
        self.end_time
    }

    /// The query string, parameters in alphabetical order (as the official SDKs send
    /// them), values percent-encoded in the signer's canonical form.
    fn query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(t) = self.end_time {
            pairs.push(("end_time", format_mpc_time(t)));
        }
        if let Some(b) = &self.input_bucket {
            pairs.push(("input_bucket", b.clone()));
        }
        if let Some(o) = &self.input_object {
            pairs.push(("input_object", o.clone()));
        }
        pairs.push(("page", self.page.to_string()));
        if let Some(s) = self.size {
            pairs.push(("size", s.to_string()));
        }
        if let Some(t) = self.start_time {
            pairs.push(("start_time", format_mpc_time(t)));
        }
        if let Some(s) = self.status {
            pairs.push(("status", s.as_str().to_owned()));
        }
        for id in &self.task_ids {
            pairs.push(("task_id", id.clone()));
        }
        let mut out = String::new();
        for (i, (name, value)) in pairs.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(name);
            out.push('=');
            encode_component(&mut out, value);
        }
        out
    }
}

impl Call for ListRemuxTasks {
    type Output = ListRemuxTaskAnswer;

    /// Reading changes nothing.
    const IDEMPOTENT: bool = true;

    fn request(&self, endpoint: &Endpoint, project: &ProjectId) -> http::Request<Vec<u8>> {
        let mut path = String::from("/v1/");
        encode_component(&mut path, project.as_str());
        path.push_str("/remux");
        path.push_str(&self.query());
        base_request(Method::GET, endpoint, project, &path, Vec::new())
    }

    /// 2xx with `{"total", "tasks"}`: the page. Anything else: the error
    /// [`Answer::error`] reads, or [`MpcError::UnexpectedResponse`] for a success whose
    /// body is not a page.
    fn interpret(&self, answer: &Answer<'_>) -> Result<ListRemuxTaskAnswer, MpcError> {
        read_json(answer)
    }

    fn max_body_bytes(&self) -> usize {
        MAX_LIST_BODY_BYTES
    }
}

/// The walk through every page of a listing, with no I/O: [`Pager::next_call`] gives the
/// call for the next page (or `None` when done), [`Pager::absorb`] takes its answer.
/// [`MpcClient::list_remux_tasks`](crate::mpc::MpcClient::list_remux_tasks) drives one.
///
/// Pages are fetched from 0 until as many tasks as the first answer's `total` were seen,
/// or a page comes back short or empty (the listing shrank meanwhile), or, when task ids
/// were given, after the one answer (MPC then ignores paging).
///
/// ```
/// use http::HeaderMap;
/// use huaweicloud_aksk::mpc::{Answer, Call, ListRemuxTasks, Pager};
///
/// let mut pager = Pager::new(ListRemuxTasks::new().size(2)?);
/// let call = pager.next_call().expect("a first page");
/// let body = br#"{"total":3,"tasks":[{"task_id":"1","status":"SUCCEED"},{"task_id":"2","status":"FAILED"}]}"#;
/// let page = call.interpret(&Answer::new(200, &HeaderMap::new(), body))?;
/// assert_eq!(pager.absorb(page).len(), 2);
/// assert_eq!(pager.next_call().expect("a second page").page_number(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Pager {
    query: ListRemuxTasks,
    next_page: u32,
    seen: u64,
    total: Option<u64>,
    done: bool,
}

impl Pager {
    /// A walk from page 0 of `query` (its `page` is ignored); without a page size, pages of
    /// [`MAX_LIST_PAGE_SIZE`].
    pub fn new(query: ListRemuxTasks) -> Self {
        let size = query.size.unwrap_or(MAX_LIST_PAGE_SIZE);
        Pager {
            query: ListRemuxTasks {
                size: Some(size),
                ..query
            },
            next_page: 0,
            seen: 0,
            total: None,
            done: false,
        }
    }

    /// The call for the next page, or `None` when every page was read.
    pub fn next_call(&self) -> Option<ListRemuxTasks> {
        (!self.done).then(|| self.query.clone().page(self.next_page))
    }

    /// The `total` of the first answer, once read.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// Takes the answer to the last [`Pager::next_call`] and gives its tasks.
    pub fn absorb(&mut self, answer: ListRemuxTaskAnswer) -> Vec<RemuxTask> {
        let total = *self.total.get_or_insert(answer.total);
        let got = answer.tasks.len() as u64;
        self.seen += got;
        let size = u64::from(self.query.size.expect("the pager always sets a size"));
        self.next_page = self.next_page.saturating_add(1);
        self.done = !self.query.task_ids.is_empty()
            || got < size
            || self.seen >= total
            || self.next_page == u32::MAX;
        answer.tasks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mpc::call::BodyRead;
    use chrono::TimeZone;
    use http::HeaderMap;

    fn project() -> ProjectId {
        ProjectId::new("p1").unwrap()
    }

    fn uri(call: &ListRemuxTasks) -> String {
        let endpoint = Endpoint::parse("http://127.0.0.1:1").unwrap();
        call.request(&endpoint, &project())
            .uri()
            .path_and_query()
            .unwrap()
            .to_string()
    }

    /// The request the official Python SDK sends for the same filters (its
    /// `ListRemuxTaskRequest` with these values).
    #[test]
    fn every_filter_is_sent_as_the_official_sdk_sends_it() {
        let call = ListRemuxTasks::new()
            .task_ids(["1", "2 3", "a,b"])
            .unwrap()
            .status(TaskStatus::Succeed)
            .created_from(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())
            .created_until(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap())
            .input_bucket("b k")
            .unwrap()
            .input_object("o/x+y")
            .unwrap()
            .size(100)
            .unwrap();
        assert_eq!(
            uri(&call),
            "/v1/p1/remux?end_time=20260201000000&input_bucket=b%20k&input_object=o%2Fx%2By&page=0&size=100&start_time=20260101000000&status=SUCCEED&task_id=1&task_id=2%203&task_id=a%2Cb"
        );
        let req = call.request(&Endpoint::parse("http://127.0.0.1:1").unwrap(), &project());
        assert_eq!(req.method(), Method::GET);
        assert!(req.body().is_empty());
        assert_eq!(uri(&ListRemuxTasks::new()), "/v1/p1/remux?page=0");
    }

    #[test]
    fn arguments_are_checked_before_anything_is_built() {
        let eleven: Vec<String> = (0..11).map(|i| i.to_string()).collect();
        assert_eq!(
            ListRemuxTasks::new().task_ids(eleven).unwrap_err().reason,
            InvalidReason::TooMany
        );
        assert!(ListRemuxTasks::new().task_ids(["1", ""]).is_err());
        assert!(ListRemuxTasks::new().task_ids(["1\n"]).is_err());
        for size in [0, 101, u32::MAX] {
            assert_eq!(
                ListRemuxTasks::new().size(size).unwrap_err().reason,
                InvalidReason::OutOfRange
            );
        }
        assert!(ListRemuxTasks::new().size(1).is_ok());
        assert!(ListRemuxTasks::new().input_bucket("").is_err());
        assert!(ListRemuxTasks::new().input_object("a\rb").is_err());
    }

    #[test]
    fn a_page_is_read_and_anything_else_is_an_error() {
        let call = ListRemuxTasks::new();
        let h = HeaderMap::new();
        let body = br#"{"total":1,"tasks":[{"task_id":"9","status":"CANCELED","create_time":"20261128043509","input":{"bucket":"b","location":"cn-north-4","object":"o"}}],"is_truncated":0}"#;
        let page = call.interpret(&Answer::new(200, &h, body)).unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.tasks[0].task_id, "9");
        assert_eq!(page.tasks[0].status, TaskStatus::Canceled);
        for bad in [
            &br#"{"total":1}"#[..],
            br#"{"total":1,"tasks":[{"task_id":"9","status":"DONE"}]}"#,
            b"<html>",
            b"",
        ] {
            let err = call.interpret(&Answer::new(200, &h, bad)).unwrap_err();
            assert!(matches!(err, MpcError::UnexpectedResponse(_)), "{err:?}");
        }
        let err = call
            .interpret(&Answer::new(200, &h, body).body_read(BodyRead::Truncated))
            .unwrap_err();
        assert!(matches!(err, MpcError::UnexpectedResponse(_)), "{err:?}");
        let refusal = br#"{"error_code":"MPC.10202","error_msg":"Invalid request parameter."}"#;
        let err = call.interpret(&Answer::new(400, &h, refusal)).unwrap_err();
        assert!(matches!(err, MpcError::Api(ref e) if e.error_code == "MPC.10202"));
    }

    fn page(total: u64, ids: std::ops::Range<u32>) -> ListRemuxTaskAnswer {
        let tasks = ids
            .map(|i| {
                serde_json::from_value(
                    serde_json::json!({"task_id": i.to_string(), "status": "SUCCEED"}),
                )
                .unwrap()
            })
            .collect();
        ListRemuxTaskAnswer { total, tasks }
    }

    #[test]
    fn the_pager_walks_pages_until_total() {
        let mut pager = Pager::new(ListRemuxTasks::new().page(7));
        let mut pages = Vec::new();
        let mut got = 0;
        while let Some(call) = pager.next_call() {
            assert_eq!(call.page_size(), Some(100));
            pages.push(call.page_number());
            let start = call.page_number() * 100;
            got += pager.absorb(page(250, start..(start + 100).min(250))).len();
        }
        assert_eq!(pages, [0, 1, 2]);
        assert_eq!(got, 250);
        assert_eq!(pager.total(), Some(250));
    }

    #[test]
    fn the_pager_stops_on_an_exact_multiple_a_short_page_or_ids() {
        let mut pager = Pager::new(ListRemuxTasks::new().size(2).unwrap());
        pager.absorb(page(4, 0..2));
        assert!(pager.next_call().is_some());
        pager.absorb(page(4, 2..4));
        assert!(pager.next_call().is_none(), "total reached");

        // The listing shrank after the first page: an empty page ends it.
        let mut pager = Pager::new(ListRemuxTasks::new().size(2).unwrap());
        pager.absorb(page(6, 0..2));
        pager.absorb(page(6, 0..0));
        assert!(pager.next_call().is_none());

        let mut pager = Pager::new(ListRemuxTasks::new().size(2).unwrap());
        pager.absorb(page(0, 0..0));
        assert!(pager.next_call().is_none(), "nothing to list");

        let mut pager = Pager::new(ListRemuxTasks::new().task_ids(["1", "2"]).unwrap());
        pager.absorb(page(2, 1..3));
        assert!(pager.next_call().is_none(), "ids: one answer");
    }
}
