//! The local endpoint under load and abuse.
//!
//! - Load: several client threads send signed deletes mixed with bad signatures, unknown
//!   access keys, expired dates and malformed requests. Every deletable record is deleted
//!   exactly once (one 204, then 403 `MPC.10211` for every other client), every other
//!   request gets the answer it should, and nothing else changes. p50/p99 latency and
//!   requests per second are printed (never asserted).
//! - Abuse: idle connections, clients that trickle their headers or their body, oversized
//!   headers and malformed HTTP do not stop the endpoint answering other clients.
//!
//! The default run is small. For the figures in RELIABILITY.md:
//!
//! ```text
//! cargo test --release --test load -- --ignored --nocapture
//! AKSK_LOAD_REQUESTS=200000 cargo test --release --test load -- --ignored --nocapture
//! ```

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use huaweicloud_aksk::server::{
    EndpointConfig, EndpointCredentials, LocalEndpoint, State, Task, TaskStatus,
};
use huaweicloud_aksk::{Credentials, Signer};

const AK: &str = "HWCLOADTESTAK0000001";
const SK: &str = "LoadTestSecretKey0123456789abcdefghijKL";
const PROJECT: &str = "0123456789abcdef0123456789abcdef";
/// A project the test's credentials may not act on.
const OTHER_PROJECT: &str = "fedcba9876543210fedcba9876543210";
/// How long a client waits for an answer before it calls the endpoint stuck. Not a
/// performance bound: only a way to fail instead of hanging.
const STUCK: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------
// A minimal HTTP/1.1 client: raw bytes in, status and body out, keep-alive.
// ---------------------------------------------------------------------------------------

#[derive(Debug)]
struct Answer {
    status: u16,
    body: String,
    close: bool,
}

impl Answer {
    /// The `error_code` of a JSON error body, or "".
    fn code(&self) -> &str {
        self.body
            .split("\"error_code\":\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("")
    }
}

struct Conn {
    addr: SocketAddr,
    reader: Option<BufReader<TcpStream>>,
}

impl Conn {
    fn new(addr: SocketAddr) -> Conn {
        Conn { addr, reader: None }
    }

    fn stream(&mut self) -> &mut BufReader<TcpStream> {
        if self.reader.is_none() {
            let s = TcpStream::connect(self.addr).expect("connect to the endpoint");
            s.set_read_timeout(Some(STUCK)).unwrap();
            s.set_nodelay(true).unwrap();
            self.reader = Some(BufReader::new(s));
        }
        self.reader.as_mut().unwrap()
    }

    /// Sends `raw` and reads one answer; reconnects once if the kept-alive connection was
    /// closed by the endpoint in between.
    fn send(&mut self, raw: &[u8]) -> Answer {
        for attempt in 0..2 {
            let fresh = self.reader.is_none();
            let result = {
                let r = self.stream();
                r.get_mut().write_all(raw).and_then(|()| read_answer(r))
            };
            match result {
                Ok(a) => {
                    if a.close {
                        self.reader = None;
                    }
                    return a;
                }
                Err(e) if !fresh && attempt == 0 && e.kind() != std::io::ErrorKind::WouldBlock => {
                    self.reader = None;
                }
                Err(e) => panic!("no answer from the endpoint: {e}"),
            }
        }
        unreachable!()
    }
}

fn read_answer(r: &mut BufReader<TcpStream>) -> std::io::Result<Answer> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = 0usize;
    let mut chunked = false;
    let mut close = false;
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (name, value) = l.split_once(':').unwrap_or((l, ""));
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().unwrap_or(0);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.eq_ignore_ascii_case("chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let n = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk[..n]);
            if n == 0 {
                break;
            }
        }
    } else {
        body.resize(length, 0);
        r.read_exact(&mut body)?;
    }
    Ok(Answer {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
        close,
    })
}

// ---------------------------------------------------------------------------------------
// Requests.
// ---------------------------------------------------------------------------------------

/// A signed `DELETE /v1/{project}/remux/task?task_id={task}`, dated `age` ago, as bytes.
fn signed_delete(
    signer: &Signer,
    addr: SocketAddr,
    project: &str,
    task: &str,
    age: i64,
) -> Vec<u8> {
    let url = format!("http://{addr}/v1/{project}/remux/task?task_id={task}");
    let mut req = http::Request::delete(url)
        .header("X-Project-Id", project)
        .header("Content-Type", "application/json")
        .body(Vec::new())
        .unwrap();
    signer
        .sign_at(&mut req, Utc::now() - TimeDelta::seconds(age))
        .unwrap();
    to_bytes(&req)
}

fn to_bytes(req: &http::Request<Vec<u8>>) -> Vec<u8> {
    let mut out = format!(
        "{} {} HTTP/1.1\r\n",
        req.method(),
        req.uri().path_and_query().unwrap()
    )
    .into_bytes();
    for (name, value) in req.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", req.body().len()).as_bytes());
    out.extend_from_slice(req.body());
    out
}

/// One request of the load and the answer it must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    /// A valid delete of deletable record `i`: 204 once, then 403 MPC.10211.
    Delete(usize),
    /// A valid delete of a record that is not in a final state: 403 MPC.10213.
    NotFinal(usize),
    /// Signed with a wrong secret key: 401.
    BadSignature(usize),
    /// Signed by an access key the endpoint does not know: 401.
    UnknownAk(usize),
    /// Signed 20 minutes ago: 401.
    Expired(usize),
    /// Signed for a project the credentials may not act on: 403 MPC.10212.
    OtherProject(usize),
    /// No Authorization header: 401.
    Unsigned(usize),
    /// No task_id: 400 MPC.10202.
    NoTaskId,
    /// A path that is not an API: 404.
    NoSuchApi,
    /// Not HTTP: 400, and the connection is closed.
    Garbage,
}

impl Op {
    fn expected(self) -> (u16, &'static str) {
        match self {
            Op::Delete(_) => (0, ""),
            Op::NotFinal(_) => (403, "MPC.10213"),
            Op::BadSignature(_) | Op::UnknownAk(_) | Op::Expired(_) | Op::Unsigned(_) => {
                (401, "APIGW.0301")
            }
            Op::OtherProject(_) => (403, "MPC.10212"),
            Op::NoTaskId => (400, "MPC.10202"),
            Op::NoSuchApi => (404, "APIGW.0101"),
            Op::Garbage => (400, ""),
        }
    }
}

struct Setup {
    signer: Signer,
    wrong: Signer,
    stranger: Signer,
    addr: SocketAddr,
}

fn deletable(i: usize) -> String {
    format!("del-{i}")
}

fn not_final(i: usize) -> String {
    format!("keep-{i}")
}

impl Setup {
    fn bytes(&self, op: Op) -> Vec<u8> {
        let a = self.addr;
        match op {
            Op::Delete(i) => signed_delete(&self.signer, a, PROJECT, &deletable(i), 0),
            Op::NotFinal(i) => signed_delete(&self.signer, a, PROJECT, &not_final(i), 0),
            Op::BadSignature(i) => signed_delete(&self.wrong, a, PROJECT, &deletable(i), 0),
            Op::UnknownAk(i) => signed_delete(&self.stranger, a, PROJECT, &deletable(i), 0),
            Op::Expired(i) => signed_delete(&self.signer, a, PROJECT, &deletable(i), 20 * 60),
            Op::OtherProject(i) => signed_delete(&self.signer, a, OTHER_PROJECT, &deletable(i), 0),
            Op::Unsigned(i) => format!(
                "DELETE /v1/{PROJECT}/remux/task?task_id={} HTTP/1.1\r\nHost: {a}\r\n\r\n",
                deletable(i)
            )
            .into_bytes(),
            Op::NoTaskId => {
                let mut req = http::Request::delete(format!("http://{a}/v1/{PROJECT}/remux/task"))
                    .header("X-Project-Id", PROJECT)
                    .body(Vec::new())
                    .unwrap();
                self.signer.sign_at(&mut req, Utc::now()).unwrap();
                to_bytes(&req)
            }
            Op::NoSuchApi => {
                format!("DELETE /v2/{PROJECT}/remux/task HTTP/1.1\r\nHost: {a}\r\n\r\n")
                    .into_bytes()
            }
            Op::Garbage => b"\x16\x03\x01 HELLO THERE\r\n\r\n".to_vec(),
        }
    }
}

/// A small deterministic shuffle (xorshift), so that runs are reproducible.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        items.swap(i, (x % (i as u64 + 1)) as usize);
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Runs about `total` requests from `threads` clients and checks every answer.
fn run_load(total: usize, threads: usize) {
    // Per thread: one valid delete of each record, and as many other requests.
    let records = (total / (threads * 2)).max(1);
    let kept = records / 10 + 1;
    let mut state = State {
        credentials: vec![EndpointCredentials::new(AK, SK, PROJECT)],
        tokens: Vec::new(),
        tasks: Vec::new(),
    };
    let finals = [
        TaskStatus::Succeed,
        TaskStatus::Failed,
        TaskStatus::Canceled,
    ];
    let others = [
        TaskStatus::Processing,
        TaskStatus::Waiting,
        TaskStatus::Init,
    ];
    for i in 0..records {
        state
            .tasks
            .push(Task::new(PROJECT, deletable(i), finals[i % 3]));
        // The same task ids in a project these credentials may not touch.
        state
            .tasks
            .push(Task::new(OTHER_PROJECT, deletable(i), finals[i % 3]));
    }
    for i in 0..kept {
        state
            .tasks
            .push(Task::new(PROJECT, not_final(i), others[i % 3]));
    }
    let config = EndpointConfig::new(state)
        // Bad signatures are part of the load: no lockout of the access key.
        .lockout(0, Duration::from_secs(1));
    let endpoint = LocalEndpoint::start(config).unwrap();
    let setup = Arc::new(Setup {
        signer: Signer::new(Credentials::new(AK, SK)),
        wrong: Signer::new(Credentials::new(AK, "not-the-secret-key")),
        stranger: Signer::new(Credentials::new("HWCUNKNOWNAK00000001", SK)),
        addr: endpoint.addr(),
    });

    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let setup = Arc::clone(&setup);
            thread::spawn(move || {
                let mut ops = Vec::with_capacity(records * 2);
                for i in 0..records {
                    ops.push(Op::Delete(i));
                    ops.push(match (i + t) % 10 {
                        0 => Op::BadSignature(i),
                        1 => Op::UnknownAk(i),
                        2 => Op::Expired(i),
                        3 => Op::OtherProject(i),
                        4 => Op::Unsigned(i),
                        5 => Op::NoTaskId,
                        6 => Op::NoSuchApi,
                        7 => Op::Garbage,
                        _ => Op::NotFinal(i % kept),
                    });
                }
                shuffle(&mut ops, t as u64 + 1);
                let mut conn = Conn::new(setup.addr);
                let mut results = Vec::with_capacity(ops.len());
                for op in ops {
                    let raw = setup.bytes(op);
                    let sent = Instant::now();
                    let answer = conn.send(&raw);
                    results.push((op, answer.status, answer.code().to_owned(), sent.elapsed()));
                    if op == Op::Garbage {
                        // Nothing after garbage can be trusted on that connection.
                        conn = Conn::new(setup.addr);
                    }
                }
                results
            })
        })
        .collect();
    let results: Vec<(Op, u16, String, Duration)> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("a client thread"))
        .collect();
    let wall = started.elapsed();

    // Every answer is the one it should be; each record deleted exactly once.
    let mut deleted: HashMap<usize, usize> = HashMap::new();
    for (op, status, code, _) in &results {
        match op {
            Op::Delete(i) if *status == 204 => *deleted.entry(*i).or_default() += 1,
            Op::Delete(i) => assert_eq!(
                (*status, code.as_str()),
                (403, "MPC.10211"),
                "record {i}: a second delete must find it gone"
            ),
            _ => {
                let (want_status, want_code) = op.expected();
                assert_eq!(*status, want_status, "{op:?}: {code}");
                assert_eq!(code, want_code, "{op:?}");
            }
        }
    }
    for i in 0..records {
        assert_eq!(
            deleted.get(&i),
            Some(&1),
            "record {i} deleted {:?} times",
            deleted.get(&i)
        );
    }
    // Nothing else changed: the records that are not final, and the other project's.
    let left = endpoint.tasks();
    assert_eq!(left.len(), kept + records);
    for t in &left {
        if t.project_id == PROJECT {
            assert!(
                t.task.task_id.starts_with("keep-") && !t.task.status.is_final(),
                "{t:?}"
            );
        } else {
            assert!(
                t.task.task_id.starts_with("del-") && t.task.status.is_final(),
                "{t:?}"
            );
        }
    }
    endpoint.shutdown();

    let mut latencies: Vec<Duration> = results.iter().map(|r| r.3).collect();
    latencies.sort();
    println!(
        "load: {} requests ({} records, {} threads) in {:.2?}: {:.0} requests/s, p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        results.len(),
        records,
        threads,
        wall,
        results.len() as f64 / wall.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default(),
    );
}

fn requests_from_env(default: usize) -> usize {
    std::env::var("AKSK_LOAD_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn every_deletable_record_is_deleted_exactly_once_under_mixed_load() {
    run_load(2_000, 4);
}

#[test]
#[ignore = "long: run with --release --ignored (AKSK_LOAD_REQUESTS sets the size)"]
fn long_load_for_the_reliability_figures() {
    run_load(requests_from_env(100_000), 4);
}

// ---------------------------------------------------------------------------------------
// Abuse.
// ---------------------------------------------------------------------------------------

/// A client that writes `head` and then one byte of `trickle` every `every`, until told to
/// stop or the endpoint closes the connection.
fn trickler(
    addr: SocketAddr,
    head: Vec<u8>,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let Ok(mut s) = TcpStream::connect(addr) else {
            return;
        };
        if s.write_all(&head).is_err() {
            return;
        }
        while !stop.load(Ordering::SeqCst) {
            if s.write_all(b"a").is_err() {
                return;
            }
            thread::sleep(every);
        }
    })
}

/// Sends `raw` on a fresh connection and returns the status of the answer, or `None` when
/// the endpoint closed the connection without one.
fn one_shot(addr: SocketAddr, raw: &[u8]) -> Option<u16> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(STUCK)).unwrap();
    s.set_write_timeout(Some(STUCK)).unwrap();
    // The endpoint may answer and close before it has read everything.
    let _ = s.write_all(raw);
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut r = BufReader::new(s);
    loop {
        match read_answer(&mut r) {
            // 100 Continue: the final answer follows.
            Ok(a) if a.status < 200 => continue,
            Ok(a) => return Some(a.status),
            Err(_) => return None,
        }
    }
}

/// What the abusive clients do while a well-behaved one deletes records.
struct Abuse {
    idle: usize,
    slow_headers: usize,
    slow_bodies: usize,
    malformed: bool,
}

/// Starts an endpoint with `workers` workers, lets `abuse` loose on it, and checks that a
/// well-behaved client is still served: every record deleted once, on a kept-alive
/// connection and on fresh ones.
fn serves_others_despite(workers: usize, abuse: Abuse) {
    let tasks = 40;
    let mut state = State {
        credentials: vec![EndpointCredentials::new(AK, SK, PROJECT)],
        tokens: Vec::new(),
        tasks: (0..tasks)
            .map(|i| Task::new(PROJECT, deletable(i), TaskStatus::Succeed))
            .collect(),
    };
    state
        .tasks
        .push(Task::new(PROJECT, "stays", TaskStatus::Processing));
    let endpoint = LocalEndpoint::start(
        EndpointConfig::new(state)
            .workers(workers)
            .lockout(0, Duration::from_secs(1)),
    )
    .unwrap();
    let addr = endpoint.addr();
    let stop = Arc::new(AtomicBool::new(false));

    // Idle connections: open, and nothing sent.
    let idle: Vec<TcpStream> = (0..abuse.idle)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    // Slow headers, and slow bodies on the delete route.
    let mut abusers = Vec::new();
    for i in 0..abuse.slow_headers {
        let head = format!(
            "DELETE /v1/{PROJECT}/remux/task?task_id=x{i} HTTP/1.1\r\nHost: {addr}\r\nX-Slow: "
        );
        abusers.push(trickler(
            addr,
            head.into_bytes(),
            Duration::from_millis(50),
            Arc::clone(&stop),
        ));
    }
    for i in 0..abuse.slow_bodies {
        let head = format!(
            "DELETE /v1/{PROJECT}/remux/task?task_id=x{i} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 1000000\r\n\r\n"
        );
        abusers.push(trickler(
            addr,
            head.into_bytes(),
            Duration::from_millis(50),
            Arc::clone(&stop),
        ));
    }
    thread::sleep(Duration::from_millis(200));

    // Malformed HTTP and oversized headers, each on its own connection: answered with an
    // error or closed, never a crash.
    let mut refused = Vec::new();
    if abuse.malformed {
        for raw in &malformed_requests() {
            let status = one_shot(addr, raw);
            assert!(
                status.is_none_or(|s| (400..500).contains(&s) || s == 505),
                "answered {status:?} to {:?}",
                String::from_utf8_lossy(&raw[..raw.len().min(60)])
            );
            refused.push(status);
        }
    }

    let signer = Signer::new(Credentials::new(AK, SK));
    let mut conn = Conn::new(addr);
    for i in 0..tasks {
        let raw = signed_delete(&signer, addr, PROJECT, &deletable(i), 0);
        let answer = if i % 2 == 0 {
            conn.send(&raw)
        } else {
            Conn::new(addr).send(&raw)
        };
        assert_eq!(answer.status, 204, "record {i}: {answer:?}");
        let again = conn.send(&raw);
        assert_eq!((again.status, again.code()), (403, "MPC.10211"));
    }

    stop.store(true, Ordering::SeqCst);
    for a in abusers {
        a.join().unwrap();
    }
    drop(idle);
    let left = endpoint.tasks();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].task.task_id, "stays");
    if abuse.malformed {
        println!("malformed requests answered: {refused:?}");
    }
    endpoint.shutdown();
}

fn malformed_requests() -> Vec<Vec<u8>> {
    let big_value = "v".repeat(1 << 20);
    let many_headers: String = (0..20_000).map(|i| format!("X-H{i}: {i}\r\n")).collect();
    vec![
        b"\r\n\r\n".to_vec(),
        b"GARBAGE\r\n\r\n".to_vec(),
        b"DELETE\r\n\r\n".to_vec(),
        b"DELETE /v1/p/remux/task HTTP/9.9\r\n\r\n".to_vec(),
        b"DELETE /v1/p/remux/task HTTP/1.1\r\nNo colon here\r\n\r\n".to_vec(),
        b"DELETE /v1/p/remux/task HTTP/1.1\r\nHost: \xff\xfe\r\n\r\n".to_vec(),
        b"DELETE /v1/p/remux/task HTTP/1.1\nHost: lf-only\n\n".to_vec(),
        b"DELETE /v1/p/remux/task HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"
            .to_vec(),
        b"DELETE /v1/p/remux/task HTTP/1.1\r\nContent-Length: -1\r\n\r\n".to_vec(),
        b"DELETE /v1/p/remux/task HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
        b"DELETE /v1/p/remux/task HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
            .to_vec(),
        format!(
            "DELETE /v1/{PROJECT}/remux/task?task_id=1 HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n{}",
            "b".repeat(2_000_000)
        )
        .into_bytes(),
        format!("DELETE /v1/{PROJECT}/remux/task?task_id=1 HTTP/1.1\r\nX-Big: {big_value}\r\n\r\n")
            .into_bytes(),
        format!("DELETE /v1/{PROJECT}/remux/task?task_id=1 HTTP/1.1\r\n{many_headers}\r\n")
            .into_bytes(),
        format!("DELETE /{} HTTP/1.1\r\n\r\n", "a/".repeat(100_000)).into_bytes(),
        (0..=255u8).cycle().take(10_000).collect(),
    ]
}

#[test]
fn idle_slow_oversized_and_malformed_clients_do_not_stop_it_serving_others() {
    serves_others_despite(
        4,
        Abuse {
            idle: 32,
            slow_headers: 8,
            slow_bodies: 0,
            malformed: true,
        },
    );
}

#[test]
fn slow_bodies_on_fewer_connections_than_workers_do_not_stop_it_serving_others() {
    serves_others_despite(
        4,
        Abuse {
            idle: 0,
            slow_headers: 0,
            slow_bodies: 3,
            malformed: false,
        },
    );
}

#[test]
fn slow_bodies_on_as_many_connections_as_workers_do_not_stop_it_serving_others() {
    serves_others_despite(
        4,
        Abuse {
            idle: 0,
            slow_headers: 0,
            slow_bodies: 4,
            malformed: false,
        },
    );
}
