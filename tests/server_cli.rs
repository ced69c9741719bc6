//! `aksk serve`: one `listening on` line when ready, then MPC answers; one-line errors and
//! exit code 2 for a bad state file or an address in use.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use huaweicloud_aksk::server::{DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_SECRET_KEY, DEMO_TASK_ID};
use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};

/// A running `aksk serve`, killed when dropped.
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
        .arg("serve")
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start aksk serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim_end()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    Served { child, addr }
}

/// Sends a signed DELETE of `task` and returns the status line and the body.
fn delete(addr: &str, ak: &str, sk: &str, project: &str, task: &str) -> (u16, String) {
    let target = format!("/v1/{project}/remux/task?task_id={task}");
    let headers = [("Host", addr), ("X-Project-Id", project)];
    let req = SignableRequest::new("DELETE", &target)
        .unwrap()
        .with_headers(&headers);
    let mut buf = SigningBuffer::new();
    let signed = Signer::new(Credentials::new(ak, sk))
        .sign_into(&req, SdkDate::now(), &mut buf)
        .unwrap();
    let mut head =
        format!("DELETE {target} HTTP/1.1\r\nHost: {addr}\r\nX-Project-Id: {project}\r\n");
    for (n, v) in signed.headers_to_add() {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("Connection: close\r\nContent-Length: 0\r\n\r\n");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).unwrap().parse().unwrap();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

#[test]
fn serve_prints_one_listening_line_then_answers() {
    let served = serve(&[]);
    let (status, _) = delete(
        &served.addr,
        DEMO_ACCESS_KEY,
        DEMO_SECRET_KEY,
        DEMO_PROJECT_ID,
        DEMO_TASK_ID,
    );
    assert_eq!(status, 204);
    let (status, body) = delete(
        &served.addr,
        DEMO_ACCESS_KEY,
        DEMO_SECRET_KEY,
        DEMO_PROJECT_ID,
        DEMO_TASK_ID,
    );
    assert_eq!(status, 403);
    assert!(body.contains("MPC.10211"), "{body}");
    let (status, body) = delete(
        &served.addr,
        DEMO_ACCESS_KEY,
        "wrong",
        DEMO_PROJECT_ID,
        "100212",
    );
    assert_eq!(status, 401);
    assert!(body.contains("APIGW.0301"), "{body}");
}

#[test]
fn serve_prints_the_demo_credentials() {
    let mut served = serve(&[]);
    let _ = served.child.kill();
    let mut stderr = String::new();
    served
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        stderr.contains(DEMO_ACCESS_KEY)
            && stderr.contains(DEMO_SECRET_KEY)
            && stderr.contains(DEMO_PROJECT_ID),
        "{stderr}"
    );
}

#[test]
fn serve_uses_a_state_file_and_keeps_its_secret_keys_to_itself() {
    let dir = std::env::temp_dir().join(format!("aksk-serve-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    std::fs::write(
        &path,
        r#"{"credentials":[{"ak":"MYAK","sk":"my-own-secret","project_id":"p1"}],
            "tasks":[{"project_id":"p1","task_id":"t1","status":"FAILED"},
                     {"project_id":"p1","task_id":"t2","status":"WAITING"}]}"#,
    )
    .unwrap();
    let mut served = serve(&["--state", path.to_str().unwrap()]);
    assert_eq!(
        delete(&served.addr, "MYAK", "my-own-secret", "p1", "t1").0,
        204
    );
    assert_eq!(
        delete(&served.addr, "MYAK", "my-own-secret", "p1", "t2").0,
        403
    );
    assert_eq!(
        delete(&served.addr, DEMO_ACCESS_KEY, DEMO_SECRET_KEY, "p1", "t1").0,
        401
    );
    let _ = served.child.kill();
    let mut stderr = String::new();
    served
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        stderr.contains("MYAK") && !stderr.contains("my-own-secret"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn fails_with_one_line(args: &[&str]) -> String {
    let out = aksk()
        .arg("serve")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn a_bad_state_file_is_one_line_and_exit_code_2() {
    let stderr = fails_with_one_line(&["--addr", "127.0.0.1:0", "--state", "no/such/state.json"]);
    assert!(stderr.contains("no/such/state.json"), "{stderr}");

    let path = std::env::temp_dir().join(format!("aksk-serve-bad-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"credentials":[{"ak":"A","sk":"S","project_id":"p"}],"tasks":[{"project_id":"p","task_id":"t","status":"DONE"}]}"#).unwrap();
    let stderr = fails_with_one_line(&["--addr", "127.0.0.1:0", "--state", path.to_str().unwrap()]);
    assert!(stderr.contains("DONE"), "{stderr}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn an_address_in_use_is_one_line_and_exit_code_2() {
    let served = serve(&[]);
    let stderr = fails_with_one_line(&["--addr", &served.addr]);
    assert!(stderr.contains(&served.addr), "{stderr}");
    let stderr = fails_with_one_line(&["--addr", "not-an-address"]);
    assert!(stderr.starts_with("aksk: "), "{stderr}");
}

/// Stops `served` and gives everything it wrote on stderr.
fn stderr_of(mut served: Served) -> String {
    let _ = served.child.kill();
    let _ = served.child.wait();
    let mut err = String::new();
    served
        .child
        .stderr
        .take()
        .expect("piped stderr")
        .read_to_string(&mut err)
        .expect("read stderr");
    err
}

#[test]
fn serve_writes_one_access_log_line_per_request_unless_quiet() {
    let served = serve(&[]);
    let (status, _) = delete(
        &served.addr,
        DEMO_ACCESS_KEY,
        DEMO_SECRET_KEY,
        DEMO_PROJECT_ID,
        DEMO_TASK_ID,
    );
    assert_eq!(status, 204);
    let (status, _) = delete(
        &served.addr,
        "NOSUCHKEY",
        "x",
        DEMO_PROJECT_ID,
        DEMO_TASK_ID,
    );
    assert_eq!(status, 401);
    let err = stderr_of(served);
    let path = format!("/v1/{DEMO_PROJECT_ID}/remux/task");
    let lines: Vec<&str> = err.lines().filter(|l| l.contains(&path)).collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].contains(&format!(" DELETE {path} 204 ak={DEMO_ACCESS_KEY} ")),
        "{err}"
    );
    assert!(
        lines[1].contains(&format!(" DELETE {path} 401 ak=NOSUCHKEY ")),
        "{err}"
    );
    assert!(lines.iter().all(|l| l.ends_with("ms")), "{err}");
    // The query (the task id) and the secret key stay out of the log lines.
    assert!(
        lines
            .iter()
            .all(|l| !l.contains("task_id") && !l.contains(DEMO_SECRET_KEY)),
        "{err}"
    );

    let served = serve(&["--quiet"]);
    let (status, _) = delete(
        &served.addr,
        DEMO_ACCESS_KEY,
        DEMO_SECRET_KEY,
        DEMO_PROJECT_ID,
        DEMO_TASK_ID,
    );
    assert_eq!(status, 204);
    let err = stderr_of(served);
    assert!(!err.contains(&path), "{err}");
}
