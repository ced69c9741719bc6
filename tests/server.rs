//! The local MPC endpoint over real loopback connections: MPC's answers, the gateway's
//! authentication answers, the lockout, request ids, and records deleted exactly once under
//! concurrent clients.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use huaweicloud_aksk::server::{
    DEMO_ACCESS_KEY, DEMO_PROCESSING_TASK_ID, DEMO_PROJECT_ID, DEMO_SECRET_KEY, DEMO_TASK_ID,
    EndpointConfig, EndpointCredentials, LocalEndpoint, ServeError, State, Task, TaskStatus,
};
use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};

/// An answer as read off the wire.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }

    fn error_code(&self) -> String {
        self.json()["error_code"].as_str().unwrap_or("").to_owned()
    }

    fn error_msg(&self) -> String {
        self.json()["error_msg"].as_str().unwrap_or("").to_owned()
    }
}

/// A minimal HTTP/1.1 client over one keep-alive connection.
struct Connection {
    addr: SocketAddr,
    reader: BufReader<TcpStream>,
}

impl Connection {
    fn open(addr: SocketAddr) -> Connection {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        Connection {
            addr,
            reader: BufReader::new(stream),
        }
    }

    fn send(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Reply {
        let mut head = format!("{method} {target} HTTP/1.1\r\n");
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: {}\r\n", self.addr));
        }
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let stream = self.reader.get_mut();
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        stream.flush().unwrap();
        self.read_reply()
    }

    fn read_reply(&mut self) -> Reply {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status: u16 = line
            .split(' ')
            .nth(1)
            .unwrap_or_else(|| panic!("status line {line:?}"))
            .parse()
            .unwrap();
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let (n, v) = l.split_once(':').unwrap();
            headers.push((n.trim().to_owned(), v.trim().to_owned()));
        }
        let find = |name: &str| {
            headers
                .iter()
                .find(|(n, _): &&(String, String)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let mut body = Vec::new();
        if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            loop {
                line.clear();
                self.reader.read_line(&mut line).unwrap();
                let size = usize::from_str_radix(line.trim(), 16).unwrap();
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk).unwrap();
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else if let Some(len) = find("content-length") {
            body.resize(len.parse().unwrap(), 0);
            self.reader.read_exact(&mut body).unwrap();
        }
        Reply {
            status,
            headers,
            body: String::from_utf8(body).unwrap(),
        }
    }
}

/// A request to the endpoint, signed with `ak`/`sk` at `date` unless `unsigned`.
#[derive(Clone)]
struct Call {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    ak: String,
    sk: String,
    date: SdkDate,
    signed: bool,
}

impl Call {
    /// `DELETE /v1/{project}/remux/task?task_id={task}` with the demo credentials, as the
    /// official client sends it (X-Project-Id, Content-Type: application/json).
    fn delete(project: &str, task: &str) -> Call {
        Call::delete_query(project, &format!("task_id={task}"))
    }

    fn delete_query(project: &str, query: &str) -> Call {
        let target = if query.is_empty() {
            format!("/v1/{project}/remux/task")
        } else {
            format!("/v1/{project}/remux/task?{query}")
        };
        Call {
            method: "DELETE".into(),
            target,
            headers: vec![
                ("X-Project-Id".into(), project.into()),
                ("Content-Type".into(), "application/json".into()),
            ],
            body: Vec::new(),
            ak: DEMO_ACCESS_KEY.into(),
            sk: DEMO_SECRET_KEY.into(),
            date: SdkDate::now(),
            signed: true,
        }
    }

    fn keys(mut self, ak: &str, sk: &str) -> Call {
        self.ak = ak.into();
        self.sk = sk.into();
        self
    }

    fn header(mut self, name: &str, value: &str) -> Call {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.into(), value.into()));
        self
    }

    fn unsigned(mut self) -> Call {
        self.signed = false;
        self
    }

    fn send_on(&self, conn: &mut Connection) -> Reply {
        let mut headers = self.headers.clone();
        headers.push(("Host".into(), conn.addr.to_string()));
        if self.signed {
            let pairs: Vec<(&str, &str)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let req = SignableRequest::new(&self.method, &self.target)
                .unwrap()
                .with_headers(&pairs)
                .with_body(&self.body);
            let signer = Signer::new(Credentials::new(&*self.ak, &*self.sk));
            let mut buf = SigningBuffer::new();
            let signed = signer.sign_into(&req, self.date, &mut buf).unwrap();
            let added: Vec<(String, String)> = signed
                .headers_to_add()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect();
            headers.extend(added);
        }
        conn.send(&self.method, &self.target, &headers, &self.body)
    }

    fn send(&self, endpoint: &LocalEndpoint) -> Reply {
        self.send_on(&mut Connection::open(endpoint.addr()))
    }
}

fn assert_mpc_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{reply:?}");
    assert_eq!(reply.error_code(), code, "{reply:?}");
}

#[test]
fn a_completed_task_is_deleted_once_then_does_not_exist() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    let first = Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID).send(&endpoint);
    assert_eq!(first.status, 204, "{first:?}");
    assert_eq!(first.body, "");
    assert_eq!(endpoint.task_status(DEMO_PROJECT_ID, DEMO_TASK_ID), None);

    let second = Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID).send(&endpoint);
    assert_eq!(second.status, 403);
    assert_eq!(
        second.body,
        r#"{"error_code":"MPC.10211","error_msg":"The task does not exist."}"#
    );
    assert!(
        second
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    endpoint.shutdown();
}

#[test]
fn every_final_state_can_be_deleted_and_no_other() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    for status in TaskStatus::ALL {
        let task = format!("task-{status}");
        endpoint.add_task(DEMO_PROJECT_ID, &task, status);
        let reply = Call::delete(DEMO_PROJECT_ID, &task).send(&endpoint);
        if status.is_final() {
            assert_eq!(reply.status, 204, "{status}: {reply:?}");
            assert_eq!(endpoint.task_status(DEMO_PROJECT_ID, &task), None);
        } else {
            assert_mpc_error(&reply, 403, "MPC.10213");
            assert_eq!(endpoint.task_status(DEMO_PROJECT_ID, &task), Some(status));
        }
    }
}

#[test]
fn the_demo_processing_task_cannot_be_deleted() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    let reply = Call::delete(DEMO_PROJECT_ID, DEMO_PROCESSING_TASK_ID).send(&endpoint);
    assert_mpc_error(&reply, 403, "MPC.10213");
    assert!(reply.error_msg().contains("final state"));
    assert_eq!(
        endpoint.task_status(DEMO_PROJECT_ID, DEMO_PROCESSING_TASK_ID),
        Some(TaskStatus::Processing)
    );
}

#[test]
fn an_unknown_task_does_not_exist() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    let reply = Call::delete(DEMO_PROJECT_ID, "no-such-task").send(&endpoint);
    assert_mpc_error(&reply, 403, "MPC.10211");
}

#[test]
fn a_missing_or_empty_task_id_is_an_invalid_parameter() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    for query in [
        "",
        "task_id=",
        "task_id",
        "taskid=100211",
        "task_id=100211&task_id=100212",
    ] {
        let reply = Call::delete_query(DEMO_PROJECT_ID, query).send(&endpoint);
        assert_mpc_error(&reply, 400, "MPC.10202");
    }
    assert_eq!(
        endpoint.task_status(DEMO_PROJECT_ID, DEMO_TASK_ID),
        Some(TaskStatus::Succeed)
    );
}

#[test]
fn a_task_id_is_matched_after_decoding() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    endpoint.add_task(DEMO_PROJECT_ID, "a b+c/é", TaskStatus::Failed);
    let reply = Call::delete_query(DEMO_PROJECT_ID, "task_id=a%20b%2Bc%2F%C3%A9").send(&endpoint);
    assert_eq!(reply.status, 204, "{reply:?}");
}

#[test]
fn other_paths_and_methods_are_not_found() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    for (method, target) in [
        (
            "GET",
            format!("/v1/{DEMO_PROJECT_ID}/remux/task?task_id=100211"),
        ),
        ("POST", format!("/v1/{DEMO_PROJECT_ID}/remux/task")),
        (
            "DELETE",
            format!("/v1/{DEMO_PROJECT_ID}/remux/tasks?task_id=100211"),
        ),
        (
            "DELETE",
            format!("/v2/{DEMO_PROJECT_ID}/remux/task?task_id=100211"),
        ),
        ("DELETE", "/".to_owned()),
        ("GET", "/v1".to_owned()),
    ] {
        let mut call = Call::delete(DEMO_PROJECT_ID, "100211");
        call.method = method.into();
        call.target = target.clone();
        let reply = call.send(&endpoint);
        assert_eq!(reply.status, 404, "{method} {target}");
        assert_eq!(reply.error_code(), "APIGW.0101");
        assert!(reply.header("x-request-id").is_some());
    }
    assert_eq!(
        endpoint.task_status(DEMO_PROJECT_ID, DEMO_TASK_ID),
        Some(TaskStatus::Succeed)
    );
}

#[test]
fn requests_without_valid_authentication_are_unauthorized() {
    let endpoint = LocalEndpoint::start(EndpointConfig::demo().lockout(0, Duration::ZERO)).unwrap();
    let cases = [
        (
            "no signature",
            Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID).unsigned(),
            "not found",
        ),
        (
            "wrong secret key",
            Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID).keys(DEMO_ACCESS_KEY, "not the secret key"),
            "verify aksk signature fail",
        ),
        (
            "unknown access key",
            Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID).keys("NOSUCHACCESSKEY", DEMO_SECRET_KEY),
            "ak NOSUCHACCESSKEY not exist",
        ),
        (
            "malformed authorization",
            Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID)
                .unsigned()
                .header("Authorization", "SDK-HMAC-SHA256 Access=x"),
            "Authorization format incorrect",
        ),
        (
            "unknown token",
            Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID)
                .unsigned()
                .header("X-Auth-Token", "not-a-token"),
            "decrypt token fail",
        ),
    ];
    for (what, call, says) in cases {
        let reply = call.send(&endpoint);
        assert_eq!(reply.status, 401, "{what}: {reply:?}");
        assert_eq!(reply.error_code(), "APIGW.0301", "{what}");
        let msg = reply.error_msg();
        assert!(
            msg.starts_with("Incorrect IAM authentication information: "),
            "{what}: {msg}"
        );
        assert!(msg.contains(says), "{what}: {msg}");
        assert!(!msg.contains(DEMO_SECRET_KEY), "{what}");
        assert_eq!(
            reply.json()["request_id"].as_str(),
            reply.header("x-request-id"),
            "{what}"
        );
    }
    assert_eq!(
        endpoint.task_status(DEMO_PROJECT_ID, DEMO_TASK_ID),
        Some(TaskStatus::Succeed)
    );
}

#[test]
fn a_signature_from_more_than_fifteen_minutes_away_is_expired() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    for offset in [TimeDelta::minutes(-20), TimeDelta::minutes(20)] {
        let mut call = Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID);
        call.date = SdkDate::from_datetime(Utc::now() + offset).unwrap();
        let reply = call.send(&endpoint);
        assert_eq!(reply.status, 401);
        assert_eq!(reply.error_code(), "APIGW.0301");
        let msg = reply.error_msg();
        assert!(
            msg.contains(&format!(
                "signature expired, signature time:{}, server time:",
                call.date
            )),
            "{msg}"
        );
    }
    assert_eq!(
        endpoint.task_status(DEMO_PROJECT_ID, DEMO_TASK_ID),
        Some(TaskStatus::Succeed)
    );
}

#[test]
fn a_wrong_signature_answer_shows_the_server_canonical_request() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    let reply = Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID)
        .keys(DEMO_ACCESS_KEY, "wrong")
        .send(&endpoint);
    let msg = reply.error_msg();
    assert!(
        msg.contains(&format!(
            "CanonicalRequest:DELETE|/v1/{DEMO_PROJECT_ID}/remux/task/|task_id={DEMO_TASK_ID}|"
        )),
        "{msg}"
    );
}

#[test]
fn a_project_id_in_the_path_other_than_x_project_id_is_refused() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    let reply = Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID)
        .header("X-Project-Id", "another-project")
        .send(&endpoint);
    assert_mpc_error(&reply, 403, "MPC.10212");
    assert_eq!(
        endpoint.task_status(DEMO_PROJECT_ID, DEMO_TASK_ID),
        Some(TaskStatus::Succeed)
    );
}

#[test]
fn credentials_act_only_on_their_own_project() {
    let mut state = State::demo();
    state.credentials.push(EndpointCredentials::new(
        "OTHERAK",
        "other-secret",
        "other-project",
    ));
    state
        .tasks
        .push(Task::new("other-project", "t1", TaskStatus::Succeed));
    let endpoint = LocalEndpoint::start(EndpointConfig::new(state)).unwrap();

    // The demo credentials cannot delete the other project's task...
    let reply = Call::delete("other-project", "t1").send(&endpoint);
    assert_mpc_error(&reply, 403, "MPC.10212");
    // ...its own credentials can.
    let reply = Call::delete("other-project", "t1")
        .keys("OTHERAK", "other-secret")
        .send(&endpoint);
    assert_eq!(reply.status, 204, "{reply:?}");
    // A task id is looked up within the path's project.
    let reply = Call::delete("other-project", DEMO_TASK_ID)
        .keys("OTHERAK", "other-secret")
        .send(&endpoint);
    assert_mpc_error(&reply, 403, "MPC.10211");
}

#[test]
fn five_failed_authentications_in_a_row_lock_the_access_key() {
    let endpoint =
        LocalEndpoint::start(EndpointConfig::demo().lockout(5, Duration::from_secs(3600))).unwrap();
    let wrong = Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID).keys(DEMO_ACCESS_KEY, "wrong secret");
    for _ in 0..5 {
        let reply = wrong.send(&endpoint);
        assert_eq!(reply.status, 401);
        assert!(reply.error_msg().contains("verify aksk signature fail"));
    }
    // Now even the right secret key is refused.
    let reply = Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID).send(&endpoint);
    assert_eq!(reply.status, 401);
    assert_eq!(reply.error_code(), "APIGW.0301");
    assert!(
        reply
            .error_msg()
            .contains("AK access failed to reach the limit,forbidden"),
        "{reply:?}"
    );
    assert_eq!(
        endpoint.task_status(DEMO_PROJECT_ID, DEMO_TASK_ID),
        Some(TaskStatus::Succeed)
    );
}

#[test]
fn a_success_resets_the_failure_count() {
    let endpoint =
        LocalEndpoint::start(EndpointConfig::demo().lockout(5, Duration::from_secs(3600))).unwrap();
    let wrong = Call::delete(DEMO_PROJECT_ID, "no-such-task").keys(DEMO_ACCESS_KEY, "wrong secret");
    for _ in 0..4 {
        assert_eq!(wrong.send(&endpoint).status, 401);
    }
    assert_mpc_error(
        &Call::delete(DEMO_PROJECT_ID, "no-such-task").send(&endpoint),
        403,
        "MPC.10211",
    );
    for _ in 0..4 {
        assert_eq!(wrong.send(&endpoint).status, 401);
    }
    assert_eq!(
        Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID)
            .send(&endpoint)
            .status,
        204
    );
}

#[test]
fn a_lock_is_lifted_when_its_time_has_passed() {
    let lock = Duration::from_millis(50);
    let endpoint = LocalEndpoint::start(EndpointConfig::demo().lockout(2, lock)).unwrap();
    let wrong = Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID).keys(DEMO_ACCESS_KEY, "wrong secret");
    wrong.send(&endpoint);
    wrong.send(&endpoint);
    std::thread::sleep(lock * 4);
    let reply = Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID).send(&endpoint);
    assert_eq!(reply.status, 204, "{reply:?}");
}

#[test]
fn configured_tokens_authenticate_for_their_project() {
    let endpoint = LocalEndpoint::start(
        EndpointConfig::demo()
            .token("my-token", DEMO_PROJECT_ID)
            .token("other-token", "p2"),
    )
    .unwrap();
    let reply = Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID)
        .unsigned()
        .header("X-Auth-Token", "my-token")
        .send(&endpoint);
    assert_eq!(reply.status, 204, "{reply:?}");
    let reply = Call::delete(DEMO_PROJECT_ID, "100212")
        .unsigned()
        .header("X-Auth-Token", "other-token")
        .send(&endpoint);
    assert_mpc_error(&reply, 403, "MPC.10212");
}

#[test]
fn every_answer_carries_a_distinct_request_id() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    let mut conn = Connection::open(endpoint.addr());
    let replies = [
        Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID).send_on(&mut conn),
        Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID).send_on(&mut conn),
        Call::delete(DEMO_PROJECT_ID, DEMO_PROCESSING_TASK_ID).send_on(&mut conn),
        Call::delete_query(DEMO_PROJECT_ID, "").send_on(&mut conn),
        Call::delete(DEMO_PROJECT_ID, "x")
            .unsigned()
            .send_on(&mut conn),
        Call::delete("p", "x")
            .header("X-Project-Id", "q")
            .send_on(&mut conn),
        conn.send("GET", "/nothing", &[], b""),
    ];
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [204, 403, 403, 400, 401, 403, 404]);
    let mut ids: Vec<&str> = replies
        .iter()
        .map(|r| r.header("x-request-id").expect("X-Request-Id"))
        .collect();
    assert!(
        ids.iter()
            .all(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
    );
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), replies.len());
}

#[test]
fn racing_clients_delete_a_record_exactly_once() {
    const CLIENTS: usize = 16;
    let endpoint = LocalEndpoint::start_demo().unwrap();
    for round in 0..5 {
        let task = format!("race-{round}");
        endpoint.add_task(DEMO_PROJECT_ID, &task, TaskStatus::Succeed);
        let barrier = Arc::new(Barrier::new(CLIENTS));
        let addr = endpoint.addr();
        let handles: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                let task = task.clone();
                std::thread::spawn(move || {
                    let mut conn = Connection::open(addr);
                    barrier.wait();
                    Call::delete(DEMO_PROJECT_ID, &task).send_on(&mut conn)
                })
            })
            .collect();
        let replies: Vec<Reply> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(
            replies.iter().filter(|r| r.status == 204).count(),
            1,
            "round {round}"
        );
        for r in replies.iter().filter(|r| r.status != 204) {
            assert_mpc_error(r, 403, "MPC.10211");
        }
    }
}

#[test]
fn many_keep_alive_connections_are_served_concurrently() {
    const CONNECTIONS: usize = 24;
    const PER_CONNECTION: usize = 10;
    let endpoint = LocalEndpoint::start(EndpointConfig::demo().workers(4)).unwrap();
    for c in 0..CONNECTIONS {
        for i in 0..PER_CONNECTION {
            endpoint.add_task(DEMO_PROJECT_ID, format!("k{c}-{i}"), TaskStatus::Canceled);
        }
    }
    let addr = endpoint.addr();
    // Every connection is open before any request is sent.
    let barrier = Arc::new(Barrier::new(CONNECTIONS));
    let handles: Vec<_> = (0..CONNECTIONS)
        .map(|c| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let mut conn = Connection::open(addr);
                barrier.wait();
                (0..PER_CONNECTION)
                    .map(|i| {
                        Call::delete(DEMO_PROJECT_ID, &format!("k{c}-{i}"))
                            .send_on(&mut conn)
                            .status
                    })
                    .collect::<Vec<u16>>()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), vec![204; PER_CONNECTION]);
    }
    assert!(
        endpoint
            .tasks()
            .iter()
            .all(|t| !t.task.task_id.starts_with('k'))
    );
}

#[test]
fn a_body_over_the_limit_is_refused() {
    let endpoint = LocalEndpoint::start(EndpointConfig::demo().max_body(1024)).unwrap();
    let mut call = Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID);
    call.body = vec![b'x'; 4096];
    let reply = call.send(&endpoint);
    assert_eq!(reply.status, 413, "{reply:?}");
    let mut call = Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID);
    call.body = vec![b'x'; 1000];
    assert_eq!(call.send(&endpoint).status, 204);
}

#[test]
fn the_library_api_reads_and_changes_the_records() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    assert!(endpoint.url().starts_with("http://127.0.0.1:"));
    assert_eq!(endpoint.url(), format!("http://{}", endpoint.addr()));
    assert_eq!(
        (
            huaweicloud_aksk::server::DEMO_ACCESS_KEY,
            huaweicloud_aksk::server::DEMO_SECRET_KEY,
            huaweicloud_aksk::server::DEMO_PROJECT_ID
        ),
        (DEMO_ACCESS_KEY, DEMO_SECRET_KEY, DEMO_PROJECT_ID)
    );
    assert_eq!(endpoint.credentials()[0].ak, DEMO_ACCESS_KEY);
    assert_eq!(
        endpoint.task_status(DEMO_PROJECT_ID, huaweicloud_aksk::server::DEMO_TASK_ID),
        Some(TaskStatus::Succeed)
    );
    assert_eq!(endpoint.tasks().len(), State::demo().tasks.len());
    endpoint.add_task(
        DEMO_PROJECT_ID,
        DEMO_PROCESSING_TASK_ID,
        TaskStatus::Succeed,
    );
    assert_eq!(
        Call::delete(DEMO_PROJECT_ID, DEMO_PROCESSING_TASK_ID)
            .send(&endpoint)
            .status,
        204
    );
    assert!(!format!("{endpoint:?}").contains(DEMO_SECRET_KEY));
    drop(endpoint);
}

#[test]
fn an_address_in_use_is_a_bind_error() {
    let first = LocalEndpoint::start_demo().unwrap();
    let err = LocalEndpoint::start(EndpointConfig::demo().addr(first.addr())).unwrap_err();
    assert!(matches!(err, ServeError::Bind { .. }), "{err}");
}

#[test]
fn state_files_are_checked() {
    let ok = State::from_json(
        r#"{"credentials":[{"ak":"A","sk":"S","project_id":"p"}],
            "tasks":[{"project_id":"p","task_id":"t","status":"CANCELED"}]}"#,
    )
    .unwrap();
    assert_eq!(ok.tasks[0].task.status, TaskStatus::Canceled);
    for bad in [
        "",
        "{}",
        r#"{"credentials":[]}"#,
        r#"{"credentials":[{"ak":"A","sk":"","project_id":"p"}]}"#,
        r#"{"credentials":[{"ak":"A","sk":"S","project_id":""}]}"#,
        r#"{"credentials":[{"ak":"A","sk":"S","project_id":"p"},{"ak":"A","sk":"T","project_id":"p"}]}"#,
        r#"{"credentials":[{"ak":"A","sk":"S","project_id":"p"}],"tasks":[{"project_id":"p","task_id":"t","status":"DONE"}]}"#,
        r#"{"credentials":[{"ak":"A","sk":"S","project_id":"p"}],"tasks":[{"project_id":"p","task_id":"t","status":"INIT"},{"project_id":"p","task_id":"t","status":"INIT"}]}"#,
        r#"{"credentials":[{"ak":"A","sk":"S","project_id":"p"}],"tasks":[{"project_id":"p","task_id":"","status":"INIT"}]}"#,
        r#"{"credentials":[{"ak":"A","sk":"S","project_id":"p","extra":1}]}"#,
        r#"{"credentials":[{"ak":"A","sk":"S","project_id":"p"}],"tasks":[{"project_id":"p","task_id":"t","status":"INIT","extra":1}]}"#,
        r#"{"credentials":[{"ak":"A","sk":"S","project_id":"p"}],"tasks":[{"project_id":"p","task_id":"t","status":"SUCCEED","complete_ratio":100}]}"#,
        r#"{"credentials":[{"ak":"A","sk":"S","project_id":"p"}],"tasks":[{"project_id":"p","task_id":"t","status":"INIT","create_time":"2026"}]}"#,
    ] {
        assert!(State::from_json(bad).is_err(), "{bad}");
    }
    let err = State::load("no/such/state.json").unwrap_err();
    assert!(matches!(err, ServeError::StateFile { .. }));
}

#[test]
fn malformed_requests_are_answered_and_the_endpoint_keeps_serving() {
    let endpoint = LocalEndpoint::start(EndpointConfig::demo().workers(2)).unwrap();
    let raw: [&[u8]; 9] = [
        b"GARBAGE\r\n\r\n",
        b"DELETE /v1/\xff\xfe/remux/task?task_id=1 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"DELETE /v1/p/remux/task?task_id=%ZZ%&&== HTTP/1.1\r\nHost: x\r\nAuthorization: SDK-HMAC-SHA256 \r\n\r\n",
        b"DELETE * HTTP/1.1\r\nHost: x\r\n\r\n",
        b"DELETE http://127.0.0.1/v1/p/remux/task?task_id=1 HTTP/1.1\r\nHost: x\r\nX-Sdk-Date: 99999999T999999Z\r\n\r\n",
        b"DELETE /v1/p/remux/task?task_id=1 HTTP/1.1\r\nHost: x\r\nAuthorization: SDK-HMAC-SHA256 Access=\xc3\xa9, SignedHeaders=host;x-sdk-date, Signature=00\r\n\r\n",
        b"DELETE /v1/p/remux/task?task_id=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab",
        b"DELETE /v1/p/remux/task?task_id=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"\r\n\r\n\r\n",
    ];
    for bytes in raw {
        let mut stream = TcpStream::connect(endpoint.addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let _ = stream.write_all(bytes);
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
    let reply = Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID).send(&endpoint);
    assert_eq!(reply.status, 204, "{reply:?}");
}

#[test]
fn a_body_the_signature_does_not_cover_is_refused_and_never_acted_upon() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    let before = endpoint.tasks().len();
    let create = |content_type: &str| {
        Call {
        method: "POST".into(),
        target: format!("/v1/{DEMO_PROJECT_ID}/remux"),
        headers: vec![
            ("X-Project-Id".into(), DEMO_PROJECT_ID.into()),
            ("Content-Type".into(), content_type.into()),
        ],
        body: br#"{"input":{"bucket":"media","location":"cn-north-4","object":"in/movie.mp4"},"output":{"bucket":"media","location":"cn-north-4","object":"out/"}}"#.to_vec(),
        ..Call::delete(DEMO_PROJECT_ID, DEMO_TASK_ID)
    }
    };
    // A non-JSON Content-Type is signed as UNSIGNED-PAYLOAD (docs/SIGNING.md §1.7): the body
    // could have been changed on the way, so the endpoint refuses it as the verifier does.
    let reply = create("text/plain").send(&endpoint);
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(reply.error_code(), "APIGW.0301");
    assert!(
        reply.error_msg().contains("UNSIGNED-PAYLOAD"),
        "{}",
        reply.error_msg()
    );
    assert_eq!(endpoint.tasks().len(), before, "no task was created");
    // The same body, signed: the task is created.
    let reply = create("application/json").send(&endpoint);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.json()["task_id"].is_string(), "{}", reply.body);
    assert_eq!(endpoint.tasks().len(), before + 1);
    endpoint.shutdown();
}
