//! `aksk mpc delete-remux-task`: against the in-process local endpoint (`--local`) and
//! against scripted servers, with the exit codes and the one-line outputs.

mod mpc_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mpc_support::{AK, PROJECT_ID, Reply, SK, ScriptedServer};

/// `aksk` with an empty environment (no credentials, no proxy) and `HOME` in a
/// directory without a profile file.
fn aksk(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = empty_home();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aksk"));
    // The ECS metadata service the credentials chain ends with: a closed loopback port,
    // so that no test asks the link-local address.
    cmd.env_clear()
        .env("HOME", &home)
        .env("AKSK_METADATA_ENDPOINT", closed_port_url())
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run aksk")
}

/// A loopback URL on which nothing listens.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

fn empty_home() -> PathBuf {
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-mpc-empty-home");
    std::fs::create_dir_all(&home).unwrap();
    home
}

/// Environment variables for `aksk`.
type Env = &'static [(&'static str, &'static str)];

const CREDS: Env = &[
    ("HUAWEICLOUD_SDK_AK", AK),
    ("HUAWEICLOUD_SDK_SK", SK),
    ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID),
];

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn local_deletes_the_demo_task_with_no_configuration() {
    let out = aksk(&["mpc", "delete-remux-task", "--local"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let line = stdout(&out);
    assert!(
        line.starts_with(
            "deleted packaging task record 100211 on the local endpoint http://127.0.0.1:"
        ),
        "{line}"
    );
    assert_eq!(line.lines().count(), 1);
}

#[test]
fn local_with_an_unknown_task_prints_the_api_error_and_exits_1() {
    let out = aksk(
        &["mpc", "delete-remux-task", "--local", "--task-id", "999999"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("MPC.10211: The task does not exist. (request id "),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn verbose_prints_the_request_as_sent_and_the_answer_without_secrets() {
    let out = aksk(&["mpc", "delete-remux-task", "--local", "-v"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.contains(&format!(
        "> DELETE /v1/{PROJECT_ID}/remux/task?task_id=100211 HTTP/1.1\n"
    )));
    assert!(err.contains(
        "> authorization: SDK-HMAC-SHA256 Access=HWCEXAMPLEAK0123TEST, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature=<redacted>\n"
    ), "{err}");
    assert!(err.contains("< HTTP/1.1 204 No Content\n"), "{err}");
    assert!(!err.contains(SK));
}

#[test]
fn credentials_and_project_come_from_the_environment() {
    let server = ScriptedServer::start(vec![Reply::empty(204)]);
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "100211",
            "--endpoint",
            &server.url(),
        ],
        CREDS,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "deleted packaging task record 100211\n");
    let req = &server.requests()[0];
    assert_eq!(
        req.target,
        format!("/v1/{PROJECT_ID}/remux/task?task_id=100211")
    );
    req.verify();
}

#[test]
fn project_id_flag_overrides_the_environment() {
    let server = ScriptedServer::start(vec![Reply::empty(204)]);
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "1",
            "--project-id",
            "otherproject",
            "--endpoint",
            &server.url(),
        ],
        CREDS,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        server.requests()[0].header("x-project-id"),
        Some("otherproject")
    );
}

#[test]
fn a_refusal_exits_1_with_code_message_and_request_id() {
    let server = ScriptedServer::start(vec![Reply::task_not_found()]);
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "1",
            "--endpoint",
            &server.url(),
        ],
        CREDS,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "MPC.10211: The task does not exist. (request id req-not-found)\n"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_lost_answer_then_no_such_task_is_reported_as_already_deleted() {
    let server = ScriptedServer::start(vec![Reply::Close, Reply::task_not_found()]);
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "7",
            "--endpoint",
            &server.url(),
        ],
        CREDS,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("packaging task record 7 already deleted"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn transport_failures_exit_3() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "1",
            "--endpoint",
            &url,
            "--retries",
            "0",
        ],
        CREDS,
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("aksk: cannot connect"),
        "{}",
        stderr(&out)
    );

    let server = ScriptedServer::start(vec![Reply::Stall]);
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "1",
            "--endpoint",
            &server.url(),
            "--timeout",
            "0.5",
        ],
        CREDS,
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("aksk: timed out"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn usage_and_configuration_errors_exit_2_with_one_line() {
    let server = ScriptedServer::start(vec![]);
    let url = server.url();
    let cases: Vec<(Vec<&str>, Env, &str)> = vec![
        (
            vec!["mpc", "delete-remux-task", "--endpoint", &url],
            CREDS,
            "--task-id is required",
        ),
        (
            vec![
                "mpc",
                "delete-remux-task",
                "--task-id",
                "1",
                "--endpoint",
                &url,
            ],
            &[],
            "HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are not set",
        ),
        (
            vec!["mpc", "delete-remux-task", "--task-id", "1"],
            CREDS,
            "give --region REGION or --endpoint URL",
        ),
        (
            vec![
                "mpc",
                "delete-remux-task",
                "--task-id",
                "1",
                "--region",
                "mars-1",
            ],
            CREDS,
            "unknown MPC region \"mars-1\"",
        ),
        (
            vec![
                "mpc",
                "delete-remux-task",
                "--task-id",
                "1",
                "--region",
                "cn-north-4",
                "--local",
            ],
            CREDS,
            "cannot be used with",
        ),
        (
            vec![
                "mpc",
                "delete-remux-task",
                "--task-id",
                "",
                "--endpoint",
                &url,
            ],
            CREDS,
            "invalid task id: is empty",
        ),
        (
            vec![
                "mpc",
                "delete-remux-task",
                "--task-id",
                "1",
                "--endpoint",
                "ftp://h",
            ],
            CREDS,
            "invalid endpoint",
        ),
        (
            vec![
                "mpc",
                "delete-remux-task",
                "--task-id",
                "1",
                "--endpoint",
                &url,
                "--timeout",
                "0",
            ],
            CREDS,
            "--timeout",
        ),
        (
            vec![
                "mpc",
                "delete-remux-task",
                "--task-id",
                "1",
                "--endpoint",
                &url,
            ],
            &[("HUAWEICLOUD_SDK_AK", AK), ("HUAWEICLOUD_SDK_SK", SK)],
            "no project id",
        ),
    ];
    for (args, env, expected) in cases {
        let out = aksk(&args, env);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains(SK));
    }
    assert_eq!(server.connections(), 0);
}

#[test]
fn the_region_endpoint_can_be_overridden_from_the_environment() {
    let server = ScriptedServer::start(vec![Reply::empty(204)]);
    let url = server.url();
    let mut env = CREDS.to_vec();
    env.push(("HUAWEICLOUD_SDK_REGION_MPC_CN_NORTH_4", &url));
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "1",
            "--region",
            "cn-north-4",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn the_proxy_named_by_the_environment_is_used() {
    let proxy = ScriptedServer::start(vec![Reply::empty(200), Reply::empty(204)]);
    let proxy_url = proxy.url();
    let mut env = CREDS.to_vec();
    env.push(("HTTP_PROXY", &proxy_url));
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "1",
            "--endpoint",
            "http://mpc.example.invalid:8080",
            "--retries",
            "0",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // An HTTP proxy is asked for a tunnel, and the signed request goes through it.
    let reqs = proxy.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].target.as_str()),
        ("CONNECT", "mpc.example.invalid:8080")
    );
    assert_eq!(reqs[1].method, "DELETE");
    assert_eq!(reqs[1].header("host"), Some("mpc.example.invalid:8080"));
    reqs[1].verify();
}

#[test]
fn an_endpoint_on_this_machine_without_a_scheme_is_called_over_http() {
    for host in ["127.0.0.1", "localhost"] {
        let server = ScriptedServer::start(vec![Reply::empty(204)]);
        let port = server.authority().rsplit(':').next().unwrap().to_owned();
        let endpoint = format!("{host}:{port}");
        let out = aksk(
            &[
                "mpc",
                "delete-remux-task",
                "--task-id",
                "1",
                "--endpoint",
                &endpoint,
                "--retries",
                "0",
            ],
            CREDS,
        );
        assert_eq!(out.status.code(), Some(0), "{host}: {}", stderr(&out));
        let reqs = server.requests();
        assert_eq!(reqs.len(), 1, "{host}");
        assert_eq!(reqs[0].header("host"), Some(endpoint.as_str()));
        reqs[0].verify();
    }
}

#[test]
fn a_plain_http_region_override_for_another_machine_is_refused_unless_allowed() {
    // Through a proxy on loopback, so that nothing leaves the machine when it is allowed.
    let proxy = ScriptedServer::start(vec![Reply::empty(200), Reply::empty(204)]);
    let proxy_url = proxy.url();
    let mut env = CREDS.to_vec();
    env.push((
        "HUAWEICLOUD_SDK_REGION_MPC_CN_NORTH_4",
        "http://mpc.example.invalid:8080",
    ));
    env.push(("HTTP_PROXY", &proxy_url));
    let args = [
        "mpc",
        "delete-remux-task",
        "--task-id",
        "1",
        "--region",
        "cn-north-4",
        "--retries",
        "0",
    ];
    let out = aksk(&args, &env);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("HUAWEICLOUD_SDK_REGION_MPC_CN_NORTH_4") && err.contains("in clear"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(proxy.connections(), 0);

    let mut allowed = args.to_vec();
    allowed.push("--allow-http");
    let out = aksk(&allowed, &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let reqs = proxy.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].header("host"), Some("mpc.example.invalid:8080"));
    reqs[1].verify();

    // On this machine, plain HTTP needs no permission.
    let server = ScriptedServer::start(vec![Reply::empty(204)]);
    let url = server.url();
    let mut env = CREDS.to_vec();
    env.push(("HUAWEICLOUD_SDK_REGION_MPC_CN_NORTH_4", &url));
    let out = aksk(&args, &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn no_proxy_exempts_localhost_and_cidr_ranges_as_curl_does() {
    for no_proxy in ["localhost", "127.0.0.0/8", "example.org, 127.0.0.1"] {
        // A "proxy" that would refuse everything: reaching it fails the call.
        let proxy = ScriptedServer::start(vec![Reply::empty(403), Reply::empty(403)]);
        let proxy_url = proxy.url();
        let server = ScriptedServer::start(vec![Reply::empty(204)]);
        let host = if no_proxy == "localhost" {
            server.url().replace("127.0.0.1", "localhost")
        } else {
            server.url()
        };
        let mut env = CREDS.to_vec();
        env.push(("HTTP_PROXY", &proxy_url));
        env.push(("NO_PROXY", no_proxy));
        let out = aksk(
            &[
                "mpc",
                "delete-remux-task",
                "--task-id",
                "1",
                "--endpoint",
                &host,
                "--retries",
                "0",
            ],
            &env,
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "NO_PROXY={no_proxy}: {}",
            stderr(&out)
        );
        assert_eq!(proxy.connections(), 0, "NO_PROXY={no_proxy}");
        assert_eq!(server.requests().len(), 1, "NO_PROXY={no_proxy}");
    }
}

#[test]
fn an_invalid_proxy_variable_is_a_configuration_error() {
    let mut env = CREDS.to_vec();
    env.push(("HTTPS_PROXY", "http://[not a proxy"));
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "1",
            "--region",
            "cn-north-4",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("HTTPS_PROXY is not a proxy URL"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_control_character_in_the_region_never_reaches_stderr_raw() {
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "1",
            "--region",
            "mars\u{1b}[2J\r-1\u{7}",
        ],
        CREDS,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("aksk: unknown MPC region"), "{err}");
    let raw: Vec<char> = err
        .trim_end_matches('\n')
        .chars()
        .filter(|c| c.is_control())
        .collect();
    assert!(raw.is_empty(), "{raw:?} in {err:?}");
    assert!(err.contains("mars\\u{1b}[2J\\r-1\\u{7}"), "{err}");
}

/// `aksk` as [`aksk`] does, with `stdin` written to its standard input.
fn aksk_with_stdin(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aksk"));
    cmd.env_clear()
        .env("HOME", empty_home())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run aksk");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The JSON lines of stdout.
fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn deleted_ids(server: &ScriptedServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| {
            r.target
                .strip_prefix(&format!("/v1/{PROJECT_ID}/remux/task?task_id="))
                .unwrap_or_else(|| panic!("not a delete: {}", r.target))
                .to_owned()
        })
        .collect()
}

#[test]
fn repeated_ids_and_a_file_are_each_deleted_once_in_order() {
    let server = ScriptedServer::start(vec![
        Reply::empty(204).header("X-Request-Id", "req-1"),
        Reply::task_not_found(),
        Reply::empty(204),
    ]);
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-mpc-ids.txt");
    std::fs::write(&file, "3\n\n  1  \n2\n").unwrap();
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "1",
            "--task-id",
            "2",
            "--task-id",
            "1",
            "--from-file",
            file.to_str().unwrap(),
            "--endpoint",
            &server.url(),
            "--rate",
            "6000",
            "--json",
        ],
        CREDS,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(deleted_ids(&server), ["1", "2", "3"]);
    let lines = json_lines(&out);
    assert_eq!(
        lines[0],
        serde_json::json!({"task_id": "1", "outcome": "deleted", "error_code": null,
                           "error_msg": null, "request_id": "req-1"})
    );
    assert_eq!(
        lines[1],
        serde_json::json!({"task_id": "2", "outcome": "missing", "error_code": "MPC.10211",
                           "error_msg": "The task does not exist.", "request_id": "req-not-found"})
    );
    assert_eq!(lines[2]["outcome"], "deleted");
    assert_eq!(lines.len(), 3);
    // The members come in the documented order.
    assert!(stdout(&out).starts_with(r#"{"task_id":"1","outcome":"deleted","error_code""#));
}

#[test]
fn ignore_missing_counts_a_task_that_does_not_exist_as_done() {
    let server = ScriptedServer::start(vec![Reply::task_not_found(), Reply::empty(204)]);
    let out = aksk_with_stdin(
        &[
            "mpc",
            "delete-remux-task",
            "--from-file",
            "-",
            "--ignore-missing",
            "--endpoint",
            &server.url(),
            "--rate",
            "6000",
        ],
        CREDS,
        "41\n42\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(deleted_ids(&server), ["41", "42"]);
    assert_eq!(
        stdout(&out),
        "packaging task record 41 does not exist (counted as deleted: --ignore-missing)\n\
         deleted packaging task record 42\n"
    );
    // Without it, the same answer is a refusal, named with its task among several.
    let server = ScriptedServer::start(vec![Reply::task_not_found(), Reply::empty(204)]);
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "41",
            "--task-id",
            "42",
            "--endpoint",
            &server.url(),
            "--rate",
            "6000",
        ],
        CREDS,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "task 41: MPC.10211: The task does not exist. (request id req-not-found)\n"
    );
    assert_eq!(stdout(&out), "deleted packaging task record 42\n");
}

#[test]
fn a_comma_or_any_bad_id_is_refused_before_anything_is_sent() {
    let server = ScriptedServer::start(vec![]);
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-mpc-bad-ids.txt");
    std::fs::write(&file, "1\n2\u{7}\n").unwrap();
    for (args, expected) in [
        (
            vec!["--task-id", "500005,500001"],
            "invalid task id \"500005,500001\": contains a comma: give --task-id once per id",
        ),
        (
            vec!["--task-id", "1", "--task-id", " 2"],
            "leading or trailing whitespace",
        ),
        (
            vec!["--from-file", file.to_str().unwrap()],
            "contains a control character",
        ),
        (
            vec!["--from-file", "/nonexistent/ids"],
            "cannot read task ids from /nonexistent/ids",
        ),
    ] {
        let url = server.url();
        let mut all = vec!["mpc", "delete-remux-task", "--endpoint", &url];
        all.extend(args.iter().copied());
        let out = aksk(&all, CREDS);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(stderr(&out).lines().count(), 1);
    }
    assert_eq!(server.connections(), 0);
}

#[test]
fn refused_credentials_stop_the_run() {
    let refused = Reply::json(
        401,
        r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail"}"#,
    );
    let server = ScriptedServer::start(vec![refused, Reply::empty(204), Reply::empty(204)]);
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "1",
            "--task-id",
            "2",
            "--task-id",
            "3",
            "--endpoint",
            &server.url(),
            "--rate",
            "6000",
            "--json",
        ],
        CREDS,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(server.requests().len(), 1);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["outcome"], "refused");
    assert_eq!(lines[0]["error_code"], "APIGW.0301");
    assert!(stderr(&out).contains("stopped: the ids after 1 were not sent"));
}

#[test]
fn a_transport_failure_stops_the_run_and_exits_3() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let out = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "--task-id",
            "1",
            "--task-id",
            "2",
            "--endpoint",
            &url,
            "--retries",
            "0",
            "--json",
        ],
        CREDS,
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["task_id"], "1");
    assert_eq!(lines[0]["outcome"], "failed");
    assert!(
        lines[0]["error_msg"].as_str().unwrap().contains("connect"),
        "{}",
        lines[0]
    );
}

#[test]
fn a_rate_of_zero_is_a_usage_error() {
    let out = aksk(&["mpc", "delete-remux-task", "--local", "--rate", "0"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--rate"), "{}", stderr(&out));
}
