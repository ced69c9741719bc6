//! A request sent by the MPC client, captured on the wire, gets the same `Authorization`
//! from the official Python SDK's signer re-signing the captured headers at the captured
//! date (`scripts/python/resign_capture.py`). Skipped, with a message, when the SDK
//! cannot be installed.

mod mpc_support;
mod support;

use huaweicloud_aksk::mpc::{MpcClient, Proxy};
use mpc_support::{AK, PROJECT_ID, Reply, SK, ScriptedServer, credentials, t0};

/// Sends one delete call with `task_id` (and `credentials`) and returns the capture.
fn capture(task_id: &str, creds: huaweicloud_aksk::Credentials) -> mpc_support::Captured {
    let server = ScriptedServer::start(vec![Reply::empty(204)]);
    MpcClient::builder()
        .credentials(creds)
        .project_id(PROJECT_ID)
        .endpoint(server.url())
        .proxy(Proxy::Direct)
        .clock(t0)
        .build()
        .unwrap()
        .delete_remux_task(task_id)
        .unwrap();
    server.requests().remove(0)
}

fn official_authorization_matches(captured: &mpc_support::Captured) -> Option<()> {
    let input = captured.to_resign_json();
    let out = support::run_python_script(
        "resign_capture.py",
        &["--ak", AK, "--sk", SK, "--show-canonical"],
        Some(&input),
    )?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "resign_capture.py printed no JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        result["matches"], true,
        "the official SDK signs this capture differently:\n{result:#}\ncapture: {input}"
    );
    assert_eq!(
        result["authorization"].as_str(),
        captured.header("authorization")
    );
    assert!(out.status.success());
    Some(())
}

#[test]
fn the_official_python_signer_produces_the_same_authorization() {
    let captured = capture("100211", credentials());
    official_authorization_matches(&captured);
}

#[test]
fn the_official_python_signer_agrees_on_an_encoded_task_id_and_a_security_token() {
    let captured = capture(
        "a b+c/é*~",
        credentials().with_security_token("example-security-token"),
    );
    assert!(captured.target.ends_with("task_id=a%20b%2Bc%2F%C3%A9%2A~"));
    official_authorization_matches(&captured);
}
