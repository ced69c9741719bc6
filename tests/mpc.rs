//! The MPC client against scripted servers on 127.0.0.1: the exact wire request, every
//! documented answer, retries with fresh signatures, clock-skew correction, timeouts,
//! bounded reads, and validation that opens no connection.

mod mpc_support;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::TimeDelta;
use huaweicloud_aksk::mpc::{
    Answer, BodyRead, Call, DeleteOutcome, Endpoint, ErrorCode, Event, MAX_BODY_BYTES, MpcClient,
    MpcClientBuilder, MpcError, ProjectId, Proxy, TransportErrorKind, USER_AGENT,
};
use huaweicloud_aksk::{SdkDate, SignableRequest, Signer, SigningBuffer};
use mpc_support::{AK, PROJECT_ID, Reply, ScriptedServer, credentials, t0};

/// A client of `server` with the example credentials, the fixed clock `t0`, no proxy and
/// waits that return at once.
fn client(server: &ScriptedServer) -> MpcClientBuilder {
    MpcClient::builder()
        .credentials(credentials())
        .project_id(PROJECT_ID)
        .endpoint(server.url())
        .proxy(Proxy::Direct)
        .clock(t0)
        .sleeper(|_| {})
        // These tests record the waits of retries alone (the pace: tests/mpc_calls.rs).
        .no_pace()
}

/// A clock that moves one second each time it is read.
fn ticking_clock() -> impl Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync + 'static {
    let ticks = Arc::new(AtomicI64::new(0));
    move || t0() + TimeDelta::seconds(ticks.fetch_add(1, Ordering::SeqCst))
}

/// Records the waits asked for.
fn recording_sleeper() -> (Arc<Mutex<Vec<Duration>>>, impl Fn(Duration) + Send + Sync) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let w = waits.clone();
    (waits, move |d| w.lock().unwrap().push(d))
}

#[test]
fn a_deleted_task_answers_204_and_the_wire_request_is_exactly_the_documented_one() {
    let server = ScriptedServer::start(vec![Reply::empty(204)]);
    let outcome = client(&server).build().unwrap().delete_remux_task("100211");
    assert_eq!(outcome.unwrap(), DeleteOutcome::Deleted);

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let req = &reqs[0];
    assert_eq!(req.method, "DELETE");
    assert_eq!(
        req.target,
        format!("/v1/{PROJECT_ID}/remux/task?task_id=100211")
    );
    assert_eq!(
        req.header_names(),
        [
            "authorization",
            "content-type",
            "host",
            "user-agent",
            "x-project-id",
            "x-sdk-date"
        ]
    );
    assert_eq!(req.header("host"), Some(server.authority().as_str()));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.header("user-agent"), Some(USER_AGENT));
    assert_eq!(
        USER_AGENT,
        concat!("huaweicloud-aksk/", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(req.header("x-project-id"), Some(PROJECT_ID));
    assert_eq!(req.header("x-sdk-date"), Some("20261128T043500Z"));
    assert!(req.body.is_empty());

    // The signature, recomputed independently over the headers as received...
    let host = server.authority();
    let unsigned = [
        ("Content-Type", "application/json"),
        ("Host", host.as_str()),
        ("User-Agent", USER_AGENT),
        ("X-Project-Id", PROJECT_ID),
    ];
    let mut buf = SigningBuffer::new();
    let expected = Signer::new(credentials())
        .sign_into(
            &SignableRequest::new("DELETE", &req.target)
                .unwrap()
                .with_headers(&unsigned),
            SdkDate::parse("20261128T043500Z").unwrap(),
            &mut buf,
        )
        .unwrap();
    assert_eq!(
        req.header("authorization"),
        Some(expected.authorization()),
        "{}",
        expected.canonical_request()
    );
    assert!(expected.authorization().starts_with(&format!(
        "SDK-HMAC-SHA256 Access={AK}, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature="
    )));
    // ...and checked by the verifier, as the gateway would.
    req.verify();
}

#[test]
fn ids_are_percent_encoded_in_the_path_and_query_as_signed() {
    let server = ScriptedServer::start(vec![Reply::empty(204)]);
    let client = client(&server).project_id("proj ect/~").build().unwrap();
    client.delete_remux_task("a b+c/é*~").unwrap();
    let req = &server.requests()[0];
    assert_eq!(
        req.target,
        "/v1/proj%20ect%2F~/remux/task?task_id=a%20b%2Bc%2F%C3%A9%2A~"
    );
    assert_eq!(req.header("x-project-id"), Some("proj ect/~"));
    req.verify();
}

#[test]
fn task_not_found_on_a_first_attempt_is_an_api_error_with_its_request_id() {
    let server = ScriptedServer::start(vec![Reply::task_not_found()]);
    let err = client(&server)
        .build()
        .unwrap()
        .delete_remux_task("404404")
        .unwrap_err();
    assert!(err.is_task_not_found());
    let MpcError::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 403);
    assert_eq!(api.code(), ErrorCode::TaskNotFound);
    assert_eq!(api.error_code, "MPC.10211");
    assert_eq!(api.error_msg, "The task does not exist.");
    assert_eq!(api.request_id.as_deref(), Some("req-not-found"));
    assert_eq!(
        err.to_string(),
        "API error: MPC.10211: The task does not exist. (HTTP 403, request id req-not-found)"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn other_client_errors_are_never_retried() {
    for (status, code, known) in [
        (400, "MPC.10202", ErrorCode::InvalidParameter),
        (403, "MPC.10213", ErrorCode::TaskNotFinal),
        (403, "MPC.10212", ErrorCode::OperationFailed),
        (404, "APIGW.0101", ErrorCode::GatewayApiNotFound),
        (409, "MPC.19999", ErrorCode::Other),
    ] {
        let body = format!(r#"{{"error_code":"{code}","error_msg":"refused"}}"#);
        let server = ScriptedServer::start(vec![Reply::json(status, &body), Reply::empty(204)]);
        let err = client(&server)
            .build()
            .unwrap()
            .delete_remux_task("1")
            .unwrap_err();
        let MpcError::Api(api) = &err else {
            panic!("{status}: {err:?}")
        };
        assert_eq!((api.status, api.code()), (status, known));
        assert_eq!(server.requests().len(), 1, "{status} {code} was retried");
    }
}

#[test]
fn an_authentication_failure_is_reported_and_not_retried() {
    let server = ScriptedServer::start(vec![
        Reply::json(
            401,
            r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail"}"#,
        )
        .header("X-Request-Id", "auth-1"),
        Reply::empty(204),
    ]);
    let err = client(&server)
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap_err();
    let MpcError::Unauthorized(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.code(), ErrorCode::GatewayAuthenticationFailed);
    assert_eq!(err.request_id(), Some("auth-1"));
    assert!(err.is_unauthorized());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn server_errors_are_retried_and_every_attempt_is_signed_afresh() {
    let server = ScriptedServer::start(vec![
        Reply::json(503, r#"{"error_code":"MPC.10500","error_msg":"busy"}"#),
        Reply::body(502, "text/html", "<html>Bad Gateway</html>"),
        Reply::empty(204),
    ]);
    let (waits, sleeper) = recording_sleeper();
    let outcome = client(&server)
        .clock(ticking_clock())
        .sleeper(sleeper)
        .build()
        .unwrap()
        .delete_remux_task("100211");
    assert_eq!(outcome.unwrap(), DeleteOutcome::Deleted);

    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    let dates: Vec<_> = reqs
        .iter()
        .map(|r| r.header("x-sdk-date").unwrap())
        .collect();
    assert!(
        dates[0] < dates[1] && dates[1] < dates[2],
        "each attempt has its own date: {dates:?}"
    );
    let signatures: Vec<_> = reqs
        .iter()
        .map(|r| r.header("authorization").unwrap())
        .collect();
    assert!(signatures[0] != signatures[1] && signatures[1] != signatures[2]);
    for r in &reqs {
        r.verify();
        assert_eq!(r.target, reqs[0].target);
    }
    // Full jitter: each wait is at most the doubling ceiling (200 ms, then 400 ms).
    let waits = waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 2);
    assert!(waits[0] <= Duration::from_millis(200), "{waits:?}");
    assert!(waits[1] <= Duration::from_millis(400), "{waits:?}");
}

#[test]
fn retries_stop_after_the_last_attempt_with_the_last_answer() {
    let server = ScriptedServer::start(vec![
        Reply::body(500, "text/plain", "oops 1"),
        Reply::body(500, "text/plain", "oops 2"),
        Reply::body(500, "text/plain", "oops 3"),
        Reply::empty(204),
    ]);
    let err = client(&server)
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap_err();
    let MpcError::UnexpectedResponse(u) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((u.status, u.snippet.as_str()), (500, "oops 3"));
    assert_eq!(server.requests().len(), 3);

    let server = ScriptedServer::start(vec![Reply::empty(503), Reply::empty(204)]);
    let err = client(&server)
        .max_attempts(1)
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_body_that_is_not_the_json_error_object_is_an_unexpected_response() {
    let server = ScriptedServer::start(vec![
        Reply::body(403, "text/html", "<html><body>Forbidden\r\n</body></html>")
            .header("X-Request-Id", "html-1"),
    ]);
    let err = client(&server)
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap_err();
    let MpcError::UnexpectedResponse(u) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(u.status, 403);
    assert_eq!(u.request_id.as_deref(), Some("html-1"));
    assert_eq!(u.content_type.as_deref(), Some("text/html"));
    assert_eq!(u.snippet, "<html><body>Forbidden\r\n</body></html>");
    assert_eq!(u.body_read, BodyRead::Whole);
    assert_eq!(
        err.to_string(),
        "unexpected response: HTTP 403, text/html, request id html-1, body: <html><body>Forbidden\\r\\n</body></html>"
    );
}

#[test]
fn throttling_is_retried_after_the_time_the_server_asks_for() {
    let throttled = || {
        Reply::json(
            429,
            r#"{"error_code":"APIG.0308","error_msg":"The request is throttled."}"#,
        )
        .header("Retry-After", "2")
    };
    let server = ScriptedServer::start(vec![throttled(), Reply::empty(204)]);
    let (waits, sleeper) = recording_sleeper();
    let outcome = client(&server)
        .sleeper(sleeper)
        .build()
        .unwrap()
        .delete_remux_task("1");
    assert_eq!(outcome.unwrap(), DeleteOutcome::Deleted);
    assert_eq!(*waits.lock().unwrap(), [Duration::from_secs(2)]);

    // Throttled answers are not counted as attempts: a single attempt allowed, still
    // retried.
    let server = ScriptedServer::start(vec![throttled(), throttled(), Reply::empty(204)]);
    let outcome = client(&server)
        .max_attempts(1)
        .build()
        .unwrap()
        .delete_remux_task("1");
    assert_eq!(outcome.unwrap(), DeleteOutcome::Deleted);
    assert_eq!(server.requests().len(), 3);

    // Still throttled when the wait asked for would pass the time budget: a Throttled
    // error.
    let server = ScriptedServer::start(vec![throttled(), throttled(), throttled()]);
    let err = client(&server)
        .retry_policy(
            huaweicloud_aksk::mpc::RetryPolicy::new().with_total_time(Duration::from_secs(1)),
        )
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap_err();
    assert!(matches!(err, MpcError::Throttled(_)), "{err:?}");
    assert!(err.is_throttled());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_retry_after_beyond_the_time_budget_ends_the_call() {
    let server = ScriptedServer::start(vec![
        Reply::empty(503).header("Retry-After", "120"),
        Reply::empty(204),
    ]);
    let (waits, sleeper) = recording_sleeper();
    let err = client(&server)
        .sleeper(sleeper)
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(waits.lock().unwrap().is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_retry_that_finds_no_task_after_a_lost_connection_reports_already_deleted() {
    let server = ScriptedServer::start(vec![Reply::Close, Reply::task_not_found()]);
    let outcome = client(&server)
        .clock(ticking_clock())
        .build()
        .unwrap()
        .delete_remux_task("100211");
    assert_eq!(outcome.unwrap(), DeleteOutcome::AlreadyDeleted);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_ne!(reqs[0].header("x-sdk-date"), reqs[1].header("x-sdk-date"));
    reqs[1].verify();
}

#[test]
fn a_truncated_answer_is_an_unknown_outcome_and_the_retry_decides() {
    // The 204 promises a body it never sends: the server may have deleted the record.
    let server = ScriptedServer::start(vec![
        Reply::Raw(b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 80\r\n\r\n{\"error_code\":\"MPC.1".to_vec()),
        Reply::task_not_found(),
    ]);
    let outcome = client(&server)
        .clock(ticking_clock())
        .sleeper(|_| {})
        .build()
        .unwrap()
        .delete_remux_task("100211");
    let reqs = server.requests();
    assert_eq!(
        reqs.len(),
        2,
        "the truncated answer is retried: {outcome:?}"
    );
    assert_eq!(outcome.unwrap(), DeleteOutcome::AlreadyDeleted);
    assert_ne!(reqs[0].header("x-sdk-date"), reqs[1].header("x-sdk-date"));
    for r in &reqs {
        r.verify();
    }
}

#[test]
fn a_garbage_status_line_is_a_transport_failure_and_not_retried() {
    // Not an HTTP answer at all: nothing says what the server did, and retrying
    // something that does not speak HTTP helps no one.
    for garbage in [
        &b"HELLO THERE\r\n\r\n"[..],
        &b"\x00\x01garbage\r\n\r\n"[..],
        &b"HTTP/9 abc\r\n\r\n"[..],
    ] {
        let server = ScriptedServer::start(vec![Reply::Raw(garbage.to_vec()), Reply::empty(204)]);
        let err = client(&server)
            .clock(ticking_clock())
            .sleeper(|_| {})
            .build()
            .unwrap()
            .delete_remux_task("100211")
            .unwrap_err();
        assert!(err.is_transport(), "{err:?}");
        let reqs = server.requests();
        assert_eq!(reqs.len(), 1);
        reqs[0].verify();
    }
}

#[test]
fn a_reset_before_the_answer_then_503_twice_then_204_is_deleted_after_four_fresh_attempts() {
    let server = ScriptedServer::start(vec![
        Reply::Close,
        Reply::json(503, r#"{"error_code":"APIG.0308","error_msg":"busy"}"#),
        Reply::json(503, r#"{"error_code":"APIG.0308","error_msg":"busy"}"#),
        Reply::empty(204),
    ]);
    let outcome = client(&server)
        .clock(ticking_clock())
        .sleeper(|_| {})
        .max_attempts(4)
        .build()
        .unwrap()
        .delete_remux_task("100211");
    assert_eq!(outcome.unwrap(), DeleteOutcome::Deleted);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4);
    let mut dates: Vec<_> = reqs
        .iter()
        .map(|r| r.header("x-sdk-date").unwrap())
        .collect();
    dates.dedup();
    assert_eq!(dates.len(), 4, "every attempt is signed afresh");
    for r in &reqs {
        r.verify();
    }
}

#[test]
fn a_retry_that_finds_no_task_after_a_gateway_error_reports_already_deleted() {
    let server = ScriptedServer::start(vec![Reply::empty(504), Reply::task_not_found()]);
    let outcome = client(&server).build().unwrap().delete_remux_task("1");
    assert_eq!(outcome.unwrap(), DeleteOutcome::AlreadyDeleted);

    // 503 and 429 say the request was not processed: the retry's answer stands.
    let server = ScriptedServer::start(vec![Reply::empty(503), Reply::task_not_found()]);
    let err = client(&server)
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap_err();
    assert!(err.is_task_not_found());
}

#[test]
fn an_expired_signature_corrects_the_clock_and_is_signed_again_once() {
    let expired = || {
        Reply::json(
            401,
            r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail, signature expired, signature time:20261128T043500Z, server time:20261128T053512Z"}"#,
        )
    };
    let server = ScriptedServer::start(vec![expired(), Reply::empty(204), Reply::empty(204)]);
    let events = Arc::new(Mutex::new(Vec::new()));
    let ev = events.clone();
    let client = client(&server)
        .max_attempts(1)
        .observer(move |e| {
            if let Event::ClockCorrected { offset } = e {
                ev.lock().unwrap().push(*offset);
            }
        })
        .build()
        .unwrap();
    assert_eq!(
        client.delete_remux_task("1").unwrap(),
        DeleteOutcome::Deleted
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "the re-sign does not count as a retry");
    assert_eq!(reqs[0].header("x-sdk-date"), Some("20261128T043500Z"));
    assert_eq!(reqs[1].header("x-sdk-date"), Some("20261128T053512Z"));
    reqs[1].verify();
    assert_eq!(client.clock_offset(), TimeDelta::seconds(3612));
    assert_eq!(*events.lock().unwrap(), [TimeDelta::seconds(3612)]);

    // The correction is kept for later calls.
    client.delete_remux_task("2").unwrap();
    assert_eq!(
        server.requests()[2].header("x-sdk-date"),
        Some("20261128T053512Z")
    );

    // A second "expired" answer in the same call is final.
    let server = ScriptedServer::start(vec![expired(), expired(), Reply::empty(204)]);
    let err = client_for_skew(&server).delete_remux_task("1").unwrap_err();
    assert!(matches!(err, MpcError::Unauthorized(_)), "{err:?}");
    assert_eq!(server.requests().len(), 2);
}

fn client_for_skew(server: &ScriptedServer) -> MpcClient {
    client(server).build().unwrap()
}

#[test]
fn a_date_header_far_from_the_local_clock_corrects_later_signatures() {
    let server = ScriptedServer::start(vec![
        Reply::empty(204).header("Date", "Sat, 28 Nov 2026 05:05:00 GMT"),
        Reply::empty(204).header("Date", "Sat, 28 Nov 2026 05:05:00 GMT"),
    ]);
    let client = client(&server).build().unwrap();
    client.delete_remux_task("1").unwrap();
    assert_eq!(client.clock_offset(), TimeDelta::minutes(30));
    client.delete_remux_task("2").unwrap();
    let reqs = server.requests();
    assert_eq!(reqs[1].header("x-sdk-date"), Some("20261128T050500Z"));
    // Once corrected, the same Date is no longer off.
    assert_eq!(client.clock_offset(), TimeDelta::minutes(30));
}

#[test]
fn an_authentication_failure_with_a_far_off_date_header_is_signed_again_once() {
    let server = ScriptedServer::start(vec![
        Reply::json(
            401,
            r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#,
        )
        .header("Date", "Sat, 28 Nov 2026 03:35:00 GMT"),
        Reply::empty(204),
    ]);
    let client = client(&server).build().unwrap();
    assert_eq!(
        client.delete_remux_task("1").unwrap(),
        DeleteOutcome::Deleted
    );
    assert_eq!(
        server.requests()[1].header("x-sdk-date"),
        Some("20261128T033500Z")
    );
}

#[test]
fn a_server_that_stalls_times_out_and_the_retry_goes_through() {
    let server = ScriptedServer::start(vec![Reply::Stall]);
    let err = client(&server)
        .call_timeout(Duration::from_millis(300))
        .max_attempts(1)
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap_err();
    let MpcError::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind(), TransportErrorKind::Timeout, "{t}");
    assert!(t.may_have_been_processed());

    let server = ScriptedServer::start(vec![Reply::Stall, Reply::empty(204)]);
    let outcome = client(&server)
        .call_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
        .delete_remux_task("1");
    assert_eq!(outcome.unwrap(), DeleteOutcome::Deleted);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_refused_connection_is_a_connect_error_and_is_retried() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (waits, sleeper) = recording_sleeper();
    let err = MpcClient::builder()
        .credentials(credentials())
        .project_id(PROJECT_ID)
        .endpoint(format!("http://127.0.0.1:{port}"))
        .proxy(Proxy::Direct)
        .no_pace()
        .sleeper(sleeper)
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap_err();
    let MpcError::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind(), TransportErrorKind::Connect, "{t}");
    assert!(!t.may_have_been_processed());
    assert_eq!(waits.lock().unwrap().len(), 2);
}

#[test]
fn invalid_ids_are_refused_without_opening_a_connection() {
    let server = ScriptedServer::start(vec![Reply::empty(204)]);
    let client = client(&server).build().unwrap();
    let long = "7".repeat(129);
    for task in ["", long.as_str(), "12\r\nX-Injected: 1", "12\u{0}", " 12"] {
        let err = client.delete_remux_task(task).unwrap_err();
        let MpcError::Invalid(invalid) = &err else {
            panic!("{task:?}: {err:?}")
        };
        assert_eq!(invalid.field, "task id");
    }
    for bad in [
        MpcClient::builder()
            .credentials(credentials())
            .project_id("")
            .endpoint(server.url())
            .build()
            .map(drop),
        MpcClient::builder()
            .credentials(credentials())
            .project_id("p\n")
            .endpoint(server.url())
            .build()
            .map(drop),
        MpcClient::builder()
            .credentials(credentials())
            .project_id(PROJECT_ID)
            .endpoint(format!("{}/v1", server.url()))
            .build()
            .map(drop),
        MpcClient::builder()
            .credentials(credentials())
            .project_id(PROJECT_ID)
            .endpoint("http://")
            .build()
            .map(drop),
    ] {
        assert!(bad.is_err());
    }
    assert_eq!(server.connections(), 0);
    assert!(server.requests().is_empty());
}

#[test]
fn a_ten_megabyte_body_is_read_only_up_to_the_cap() {
    const TEN_MB: usize = 10 * 1024 * 1024;
    let server = ScriptedServer::start(vec![Reply::Large {
        status: 502,
        len: TEN_MB,
    }]);
    let seen = Arc::new(Mutex::new(None));
    let s = seen.clone();
    let err = client(&server)
        .max_attempts(1)
        .observer(move |e| {
            if let Event::Received { body, .. } = e {
                *s.lock().unwrap() = Some(body.len());
            }
        })
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap_err();
    let MpcError::UnexpectedResponse(u) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(u.body_read, BodyRead::Truncated);
    assert!(u.snippet.len() <= 256);
    assert_eq!(*seen.lock().unwrap(), Some(MAX_BODY_BYTES));
    let (written, cut_short) = server.large_body_progress();
    assert!(
        cut_short && written < TEN_MB,
        "the client read the whole body ({written} bytes)"
    );
}

#[test]
fn temporary_credentials_send_and_sign_the_security_token() {
    let server = ScriptedServer::start(vec![Reply::empty(204)]);
    client(&server)
        .credentials(credentials().with_security_token("example-security-token"))
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap();
    let req = &server.requests()[0];
    assert_eq!(
        req.header("x-security-token"),
        Some("example-security-token")
    );
    assert!(req.header("authorization").unwrap().contains(
        "SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date;x-security-token,"
    ));
    req.verify();
}

#[test]
fn an_iam_token_is_sent_instead_of_a_signature() {
    let server = ScriptedServer::start(vec![Reply::empty(204)]);
    client(&server)
        .iam_token("example-iam-token")
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap();
    let req = &server.requests()[0];
    assert_eq!(
        req.header_names(),
        [
            "content-type",
            "host",
            "user-agent",
            "x-auth-token",
            "x-project-id"
        ]
    );
    assert_eq!(req.header("x-auth-token"), Some("example-iam-token"));
}

#[test]
fn calls_share_one_kept_alive_connection() {
    let server = ScriptedServer::start(vec![Reply::empty(204), Reply::empty(204)]);
    let client = client(&server).build().unwrap();
    client.delete_remux_task("1").unwrap();
    client.clone().delete_remux_task("2").unwrap();
    assert_eq!(server.requests().len(), 2);
    assert_eq!(server.connections(), 1);
}

#[test]
fn the_observer_sees_each_request_as_sent_with_the_signature_redacted() {
    let server = ScriptedServer::start(vec![Reply::empty(503), Reply::empty(204)]);
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let l = log.clone();
    client(&server)
        .credentials(credentials().with_security_token("example-security-token"))
        .observer(move |e| {
            let line = match e {
                Event::Sending { attempt, .. } => format!("send {attempt}\n{e}"),
                Event::Received {
                    attempt, status, ..
                } => format!("recv {attempt} {status}"),
                Event::Retrying { next_attempt, .. } => format!("retry {next_attempt}"),
                other => format!("{other:?}"),
            };
            l.lock().unwrap().push(line);
        })
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap();
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 5, "{log:#?}");
    assert!(log[0].starts_with(&format!(
        "send 1\n* attempt 1: {}/v1/{PROJECT_ID}/remux/task?task_id=1\n\
         > DELETE /v1/{PROJECT_ID}/remux/task?task_id=1 HTTP/1.1\n",
        server.url()
    )));
    assert!(log[0].contains("Signature=<redacted>\n"), "{}", log[0]);
    assert!(log[0].contains("> x-security-token: <redacted>\n"));
    assert!(!log.concat().contains("example-security-token"));
    let signature = server.requests()[0]
        .header("authorization")
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap()
        .to_owned();
    assert!(!log.concat().contains(&signature));
    assert_eq!(&log[1..], ["recv 1 503", "retry 2", &log[3], "recv 2 204"]);
    assert!(log[3].starts_with("send 2\n"));
}

#[test]
fn a_redirect_is_not_followed() {
    let server = ScriptedServer::start(vec![
        Reply::empty(302).header("Location", "http://127.0.0.1:9/elsewhere"),
        Reply::empty(204),
    ]);
    let err = client(&server)
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap_err();
    let MpcError::UnexpectedResponse(u) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(u.status, 302);
    assert_eq!(server.requests().len(), 1);
}

/// A call defined outside the crate: `POST /v1/{project}/remux` with a JSON body, not
/// idempotent, its answer read with serde.
struct CreateLike {
    bucket: &'static str,
}

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Created {
    task_id: String,
}

impl Call for CreateLike {
    type Output = Created;
    const IDEMPOTENT: bool = false;

    fn request(&self, endpoint: &Endpoint, project: &ProjectId) -> http::Request<Vec<u8>> {
        let body = serde_json::json!({ "input": { "bucket": self.bucket } }).to_string();
        http::Request::post(format!("{endpoint}/v1/{project}/remux"))
            .header("host", endpoint.authority())
            .header("content-type", "application/json")
            .header("x-project-id", project.as_str())
            .body(body.into_bytes())
            .unwrap()
    }

    fn interpret(&self, answer: &Answer<'_>) -> Result<Created, MpcError> {
        if !answer.is_success() {
            return Err(answer.error());
        }
        serde_json::from_slice(answer.body).map_err(|_| answer.error())
    }
}

#[test]
fn any_call_runs_through_the_same_loop_with_its_body_signed() {
    let server = ScriptedServer::start(vec![
        Reply::empty(503),
        Reply::json(200, r#"{"task_id":"500001"}"#),
    ]);
    let created = client(&server)
        .build()
        .unwrap()
        .run(&CreateLike { bucket: "b1" })
        .unwrap();
    assert_eq!(
        created,
        Created {
            task_id: "500001".into()
        }
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "503 says nothing was done: retried");
    assert_eq!(reqs[1].method, "POST");
    assert_eq!(reqs[1].target, format!("/v1/{PROJECT_ID}/remux"));
    assert_eq!(reqs[1].body, br#"{"input":{"bucket":"b1"}}"#);
    reqs[1].verify();
}

#[test]
fn a_call_that_is_not_idempotent_is_not_sent_again_after_an_unknown_outcome() {
    for first in [Reply::empty(500), Reply::empty(504), Reply::Close] {
        let server = ScriptedServer::start(vec![
            first.clone(),
            Reply::json(200, r#"{"task_id":"500002"}"#),
        ]);
        let err = client(&server)
            .build()
            .unwrap()
            .run(&CreateLike { bucket: "b1" })
            .unwrap_err();
        assert!(
            err.status().is_some_and(|s| s >= 500) || err.is_transport(),
            "{first:?}: {err:?}"
        );
        assert_eq!(server.requests().len(), 1, "{first:?} was sent again");
    }
}

#[test]
fn an_untrusted_certificate_is_a_certificate_error_and_is_not_retried() {
    let server = mpc_support::UntrustedTlsServer::start();
    let (waits, sleeper) = recording_sleeper();
    let err = MpcClient::builder()
        .credentials(credentials())
        .project_id(PROJECT_ID)
        .endpoint(server.url())
        .proxy(Proxy::Direct)
        .sleeper(sleeper)
        .build()
        .unwrap()
        .delete_remux_task("1")
        .unwrap_err();
    let MpcError::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind(), TransportErrorKind::Certificate, "{t}");
    assert!(!t.may_have_been_processed());
    assert!(err.to_string().contains("certificate"), "{err}");
    assert!(waits.lock().unwrap().is_empty(), "retried");
    assert_eq!(server.handshakes(), 1);
}
