//! The remux calls through `MpcClient` against a scripted server: the requests as sent
//! (signed, verified), the answers as read, the lazy listing, and the pace, driven by a
//! made-up monotonic clock that only the client's sleeps move (no real waiting, no timing
//! assertions).

mod mpc_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use huaweicloud_aksk::mpc::{
    CreateRemuxTaskBody, DeleteOutcome, ListRemuxTasks, MpcClient, MpcClientBuilder, MpcError,
    ObsObjInfo, Proxy, RetryPolicy, TaskStatus,
};
use mpc_support::{PROJECT_ID, Reply, ScriptedServer, credentials};

const MS: Duration = Duration::from_millis(1);
const THROTTLED: &str = r#"{"error_code":"APIG.0308","error_msg":"The request is throttled."}"#;

fn builder(server: &ScriptedServer) -> MpcClientBuilder {
    MpcClient::builder()
        .credentials(credentials())
        .project_id(PROJECT_ID)
        .endpoint(server.url())
        .proxy(Proxy::Direct)
        // The tests of the calls do not wait for the pace.
        .no_pace()
}

/// A client whose pace reads a made-up clock that only its sleeps move; the sleeps are
/// recorded, never slept.
fn paced(server: &ScriptedServer, rate: u32) -> (MpcClient, Arc<Mutex<Vec<Duration>>>) {
    paced_with(server, rate, RetryPolicy::new())
}

fn paced_with(
    server: &ScriptedServer,
    rate: u32,
    policy: RetryPolicy,
) -> (MpcClient, Arc<Mutex<Vec<Duration>>>) {
    let start = Instant::now();
    let offset = Arc::new(Mutex::new(Duration::ZERO));
    let slept = Arc::new(Mutex::new(Vec::new()));
    let (o1, o2, s) = (offset.clone(), offset, slept.clone());
    let client = builder(server)
        .retry_policy(policy)
        .rate_per_minute(rate)
        .monotonic_clock(move || start + *o1.lock().unwrap())
        .sleeper(move |d| {
            *o2.lock().unwrap() += d;
            s.lock().unwrap().push(d);
        })
        .build()
        .unwrap();
    (client, slept)
}

fn task(id: u32, status: &str) -> String {
    format!(
        r#"{{"task_id":"{id}","status":"{status}","create_time":"20261101000000","input":{{"bucket":"b","location":"cn-north-4","object":"in/{id}.mp4"}}}}"#
    )
}

fn page(total: u32, ids: std::ops::Range<u32>) -> Reply {
    let tasks: Vec<String> = ids.map(|i| task(i, "SUCCEED")).collect();
    Reply::json(
        200,
        &format!(r#"{{"total":{total},"tasks":[{}]}}"#, tasks.join(",")),
    )
}

#[test]
fn create_sends_the_body_and_reads_the_new_id() {
    let server = ScriptedServer::start(vec![Reply::json(200, r#"{"task_id":"4711"}"#)]);
    let client = builder(&server).build().unwrap();
    let obj = |object: &str| ObsObjInfo {
        bucket: "media".into(),
        location: "cn-north-4".into(),
        object: object.into(),
        file_name: None,
    };
    let answer = client
        .create_remux_task(&CreateRemuxTaskBody {
            input: Some(obj("in/movie.mp4")),
            output: Some(obj("out/")),
            user_data: Some("u".into()),
            output_param: None,
        })
        .unwrap();
    assert_eq!(answer.task_id, "4711");
    let req = &server.requests()[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.target, format!("/v1/{PROJECT_ID}/remux"));
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(body["input"]["object"], "in/movie.mp4");
    assert_eq!(body["user_data"], "u");
    req.verify();
}

#[test]
fn create_is_never_sent_twice_once_it_may_have_been_received() {
    let server = ScriptedServer::start(vec![Reply::empty(502), Reply::json(200, "{}")]);
    let client = builder(&server).build().unwrap();
    let obj = ObsObjInfo {
        bucket: "b".into(),
        location: "l".into(),
        object: "o".into(),
        file_name: None,
    };
    let err = client
        .create_remux_task(&CreateRemuxTaskBody {
            input: Some(obj.clone()),
            output: Some(obj),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn cancel_and_retry_send_what_the_official_sdk_sends() {
    let server = ScriptedServer::start(vec![Reply::json(200, "{}"), Reply::empty(204)]);
    let client = builder(&server).build().unwrap();
    client.cancel_remux_task("100214").unwrap();
    client.retry_remux_task("100212").unwrap();
    let reqs = server.requests();
    assert_eq!(reqs[0].method, "DELETE");
    assert_eq!(
        reqs[0].target,
        format!("/v1/{PROJECT_ID}/remux?task_id=100214")
    );
    assert_eq!(reqs[1].method, "PUT");
    assert_eq!(reqs[1].target, format!("/v1/{PROJECT_ID}/remux"));
    assert_eq!(reqs[1].body, br#"{"task_id":"100212"}"#);
    for r in &reqs {
        r.verify();
    }
}

#[test]
fn invalid_arguments_send_nothing() {
    let server = ScriptedServer::start(vec![]);
    let client = builder(&server).build().unwrap();
    assert!(matches!(
        client.cancel_remux_task("1\n2"),
        Err(MpcError::Invalid(_))
    ));
    assert!(matches!(
        client.retry_remux_task(""),
        Err(MpcError::Invalid(_))
    ));
    assert!(matches!(
        client.create_remux_task(&CreateRemuxTaskBody::default()),
        Err(MpcError::Invalid(_))
    ));
    assert_eq!(server.connections(), 0);
}

#[test]
fn a_listing_fetches_pages_only_when_needed_and_stops_at_total() {
    let server = ScriptedServer::start(vec![page(5, 0..2), page(5, 2..4), page(5, 4..5)]);
    let client = builder(&server).build().unwrap();
    let query = ListRemuxTasks::new()
        .status(TaskStatus::Succeed)
        .size(2)
        .unwrap();
    let mut tasks = client.list_remux_tasks(query);
    let first = tasks.next().unwrap().unwrap();
    assert_eq!(first.task_id, "0");
    assert_eq!(server.requests().len(), 1, "one page so far");
    assert_eq!(tasks.total(), Some(5));
    let rest: Vec<String> = tasks.map(|t| t.unwrap().task_id).collect();
    assert_eq!(rest, ["1", "2", "3", "4"]);
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        (0..3)
            .map(|p| format!("/v1/{PROJECT_ID}/remux?page={p}&size=2&status=SUCCEED"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_listing_ends_after_an_error() {
    let refusal = r#"{"error_code":"MPC.10202","error_msg":"Invalid request parameter."}"#;
    let server = ScriptedServer::start(vec![page(5, 0..2), Reply::json(400, refusal)]);
    let client = builder(&server).build().unwrap();
    let got: Vec<_> = client
        .list_remux_tasks(ListRemuxTasks::new().size(2).unwrap())
        .collect();
    assert_eq!(got.len(), 3);
    assert!(got[0].is_ok() && got[1].is_ok());
    assert!(matches!(&got[2], Err(MpcError::Api(e)) if e.error_code == "MPC.10202"));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn calls_are_spaced_evenly_by_the_pace() {
    let server = ScriptedServer::start(vec![Reply::empty(204); 4]);
    let (client, slept) = paced(&server, 100);
    for id in ["1", "2", "3", "4"] {
        assert_eq!(
            client.delete_remux_task(id).unwrap(),
            DeleteOutcome::Deleted
        );
    }
    assert_eq!(*slept.lock().unwrap(), [600 * MS, 600 * MS, 600 * MS]);
    // Clones share the pace.
    let server = ScriptedServer::start(vec![Reply::empty(204); 2]);
    let (client, slept) = paced(&server, 6000);
    let clone = client.clone();
    client.delete_remux_task("1").unwrap();
    clone.delete_remux_task("2").unwrap();
    assert_eq!(*slept.lock().unwrap(), [10 * MS]);
}

#[test]
fn throttling_is_waited_out_not_counted_and_slows_the_pace() {
    let server = ScriptedServer::start(vec![
        Reply::json(429, THROTTLED).header("Retry-After", "1"),
        Reply::json(429, THROTTLED).header("Retry-After", "1"),
        Reply::json(429, THROTTLED).header("Retry-After", "1"),
        Reply::empty(204),
    ]);
    // One attempt allowed, yet three throttled answers do not fail the call.
    let (client, slept) = paced_with(&server, 100, RetryPolicy::no_retries());
    assert_eq!(
        client.delete_remux_task("1").unwrap(),
        DeleteOutcome::Deleted
    );
    assert_eq!(server.requests().len(), 4);
    // Each throttled answer: the Retry-After wait, then what is left of the slowed
    // interval (1.2 s, 2.4 s, 4.8 s after one, two, three throttles).
    assert_eq!(
        *slept.lock().unwrap(),
        [
            1000 * MS,
            200 * MS,
            1000 * MS,
            1400 * MS,
            1000 * MS,
            3800 * MS
        ]
    );
    // One answer that was not throttled takes an eighth of the slowdown back.
    let pace = client.pace().unwrap();
    assert_eq!(pace.interval(), 600 * MS + (4800 * MS - 600 * MS) * 7 / 8);
}

#[test]
fn throttling_beyond_the_time_budget_fails_as_throttled() {
    let server = ScriptedServer::start(vec![
        Reply::json(429, THROTTLED).header("Retry-After", "30"),
    ]);
    let client = builder(&server)
        .retry_policy(RetryPolicy::new().with_total_time(Duration::from_secs(10)))
        .sleeper(|d| panic!("no wait past the budget: {d:?}"))
        .build()
        .unwrap();
    let err = client.delete_remux_task("1").unwrap_err();
    assert!(err.is_throttled(), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}
