//! `aksk serve --db`: records survive restarts and SIGKILL. A delete answered 204 never
//! comes back, and a record nobody deleted is never lost, however often the process is
//! killed while clients delete concurrently.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use huaweicloud_aksk::server::{DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_SECRET_KEY};
use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};

/// A running `aksk serve`, killed (SIGKILL) when dropped.
struct Served {
    child: Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn aksk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_aksk"))
}

fn serve(args: &[&str]) -> Served {
    let mut child = aksk()
        .args(["serve", "--addr", "127.0.0.1:0", "--quiet"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aksk serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("read the listening line");
    let addr = line
        .trim_end()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    Served { child, addr }
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

/// A state file with the demo credentials and `n` completed tasks `t0`..`t{n-1}`.
fn write_state(path: &Path, n: usize) {
    let tasks: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({"project_id": DEMO_PROJECT_ID, "task_id": format!("t{i}"),
                "status": "SUCCEED", "create_time": "20250101000000"})
        })
        .collect();
    let state = serde_json::json!({
        "credentials": [{"ak": DEMO_ACCESS_KEY, "sk": DEMO_SECRET_KEY, "project_id": DEMO_PROJECT_ID}],
        "tasks": tasks,
    });
    std::fs::write(path, state.to_string()).expect("write the state file");
}

/// A signed delete of `task`; the status, or `None` when no answer came (the process was
/// killed).
fn delete(addr: &str, task: &str) -> Option<u16> {
    let target = format!("/v1/{DEMO_PROJECT_ID}/remux/task?task_id={task}");
    let headers = [("Host", addr), ("X-Project-Id", DEMO_PROJECT_ID)];
    let req = SignableRequest::new("DELETE", &target)
        .expect("a valid request")
        .with_headers(&headers);
    let mut buf = SigningBuffer::new();
    let signed = Signer::new(Credentials::new(DEMO_ACCESS_KEY, DEMO_SECRET_KEY))
        .sign_into(&req, SdkDate::now(), &mut buf)
        .expect("the demo credentials sign");
    let mut head =
        format!("DELETE {target} HTTP/1.1\r\nHost: {addr}\r\nX-Project-Id: {DEMO_PROJECT_ID}\r\n");
    for (n, v) in signed.headers_to_add() {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("Connection: close\r\nContent-Length: 0\r\n\r\n");
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok()?;
    stream.write_all(head.as_bytes()).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.get(9..12)?.parse().ok()
}

/// The task ids held by the database, through `--export-state`.
fn exported_tasks(db: &Path, out: &Path) -> HashSet<String> {
    let status = aksk()
        .args(["serve", "--db"])
        .arg(db)
        .arg("--export-state")
        .arg(out)
        .stderr(Stdio::null())
        .status()
        .expect("run aksk serve --export-state");
    assert!(status.success(), "export failed: {status}");
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out).expect("read the export"))
            .expect("the export is JSON");
    state["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["task_id"].as_str().expect("task_id").to_owned())
        .collect()
}

#[test]
fn a_delete_answered_204_stays_deleted_after_a_restart_with_the_same_state_file() {
    let dir = scratch("durability-restart");
    let (db, state) = (dir.join("endpoint.db"), dir.join("state.json"));
    write_state(&state, 3);
    let args = ["--db", db.to_str().expect("utf-8 path"), "--state"];
    let served = serve(&[&args[..], &[state.to_str().expect("utf-8 path")]].concat());
    assert_eq!(delete(&served.addr, "t1"), Some(204));
    drop(served); // SIGKILL
    let served = serve(&[&args[..], &[state.to_str().expect("utf-8 path")]].concat());
    assert_eq!(delete(&served.addr, "t1"), Some(403), "t1 came back");
    assert_eq!(delete(&served.addr, "t2"), Some(204));
    drop(served);
    let left = exported_tasks(&db, &dir.join("export.json"));
    assert_eq!(left, HashSet::from(["t0".to_owned()]));
}

#[test]
fn repeated_sigkill_during_concurrent_deletes_loses_nothing_and_resurrects_nothing() {
    const TASKS: usize = 4000;
    const CLIENTS: usize = 4;
    const ROUNDS: usize = 6;
    let dir = scratch("durability-sigkill");
    let (db, state) = (dir.join("endpoint.db"), dir.join("state.json"));
    write_state(&state, TASKS);
    let db_arg = db.to_str().expect("utf-8 path").to_owned();
    let state_arg = state.to_str().expect("utf-8 path").to_owned();

    let answered = Arc::new(Mutex::new(HashSet::<String>::new()));
    let attempted = Arc::new(Mutex::new(HashSet::<String>::new()));
    let next = Arc::new(Mutex::new(0usize));
    for round in 0..ROUNDS {
        let served = serve(&["--db", &db_arg, "--state", &state_arg]);
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (addr, answered, attempted, next) = (
                    served.addr.clone(),
                    Arc::clone(&answered),
                    Arc::clone(&attempted),
                    Arc::clone(&next),
                );
                std::thread::spawn(move || {
                    loop {
                        let i = {
                            let mut n = next.lock().expect("lock");
                            if *n >= TASKS {
                                return;
                            }
                            *n += 1;
                            *n - 1
                        };
                        let id = format!("t{i}");
                        attempted.lock().expect("lock").insert(id.clone());
                        match delete(&addr, &id) {
                            Some(204) => {
                                answered.lock().expect("lock").insert(id);
                            }
                            Some(other) => panic!("{id}: unexpected status {other}"),
                            None => return, // killed mid-request
                        }
                    }
                })
            })
            .collect();
        // Kill at a different moment each round, while the clients are deleting.
        std::thread::sleep(Duration::from_millis(40 + 35 * round as u64));
        drop(served);
        for c in clients {
            c.join().expect("a client thread");
        }
    }
    let left = exported_tasks(&db, &dir.join("export.json"));
    let answered = answered.lock().expect("lock");
    let attempted = attempted.lock().expect("lock");
    assert!(
        !answered.is_empty(),
        "no delete was answered: nothing was tested"
    );
    for id in answered.iter() {
        assert!(!left.contains(id), "{id} was answered 204 and came back");
    }
    for i in 0..TASKS {
        let id = format!("t{i}");
        if !attempted.contains(&id) {
            assert!(left.contains(&id), "{id} was never deleted and is lost");
        }
    }
    eprintln!(
        "{ROUNDS} kills: {} deletes answered 204, {} attempted, {} records left",
        answered.len(),
        attempted.len(),
        left.len()
    );
}
