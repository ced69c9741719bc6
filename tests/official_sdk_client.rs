//! The official Python SDK's `MpcClient.delete_remux_task` (`huaweicloudsdkmpc`) against the
//! local endpoint: what a real client of Huawei Cloud gets from it. Skipped, with a message,
//! where Python or the SDK cannot be installed.

mod support;

use huaweicloud_aksk::server::{LocalEndpoint, TaskStatus};
use serde_json::Value;

/// Runs `scripts/python/official_client.py` against `endpoint`; one JSON object per task
/// id, or `None` when the official SDK is not available.
fn official_delete(endpoint: &LocalEndpoint, sk: &str, task_ids: &[&str]) -> Option<Vec<Value>> {
    let (ak, _, project_id) = (
        huaweicloud_aksk::server::DEMO_ACCESS_KEY,
        huaweicloud_aksk::server::DEMO_SECRET_KEY,
        huaweicloud_aksk::server::DEMO_PROJECT_ID,
    );
    let url = endpoint.url();
    let mut args = vec![
        "--ak",
        ak,
        "--sk",
        sk,
        "--project-id",
        project_id,
        "--endpoint",
        &url,
    ];
    for id in task_ids {
        args.extend(["--task-id", id]);
    }
    let out = support::run_python_script("official_client.py", &args, None)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "official_client.py failed: {}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(results.len(), task_ids.len(), "{stdout}");
    Some(results)
}

fn assert_request_id(result: &Value) {
    let id = result["request_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no request id: {result}"));
    assert_eq!(id.len(), 32, "{result}");
}

#[test]
fn the_official_client_deletes_a_completed_task_then_is_told_it_does_not_exist() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    let (_, sk, project_id) = (
        huaweicloud_aksk::server::DEMO_ACCESS_KEY,
        huaweicloud_aksk::server::DEMO_SECRET_KEY,
        huaweicloud_aksk::server::DEMO_PROJECT_ID,
    );
    let task = huaweicloud_aksk::server::DEMO_TASK_ID;
    let Some(results) = official_delete(&endpoint, sk, &[task, task, "no-such-task"]) else {
        return;
    };
    assert_eq!(results[0]["status"], 204, "{}", results[0]);
    assert_eq!(results[0]["error_code"], Value::Null);
    for r in &results[1..] {
        assert_eq!(r["status"], 403, "{r}");
        assert_eq!(r["error_code"], "MPC.10211", "{r}");
        assert_eq!(r["error_msg"], "The task does not exist.", "{r}");
    }
    results.iter().for_each(assert_request_id);
    assert_eq!(endpoint.task_status(project_id, task), None);
}

#[test]
fn the_official_client_cannot_delete_a_task_still_processing() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    let (_, sk, project_id) = (
        huaweicloud_aksk::server::DEMO_ACCESS_KEY,
        huaweicloud_aksk::server::DEMO_SECRET_KEY,
        huaweicloud_aksk::server::DEMO_PROJECT_ID,
    );
    endpoint.add_task(project_id, "still-running", TaskStatus::Processing);
    let Some(results) = official_delete(&endpoint, sk, &["still-running"]) else {
        return;
    };
    assert_eq!(results[0]["status"], 403, "{}", results[0]);
    assert_eq!(results[0]["error_code"], "MPC.10213", "{}", results[0]);
    assert_eq!(
        endpoint.task_status(project_id, "still-running"),
        Some(TaskStatus::Processing)
    );
}

#[test]
fn the_official_client_with_a_wrong_secret_key_is_unauthorized() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    let (_, _, project_id) = (
        huaweicloud_aksk::server::DEMO_ACCESS_KEY,
        huaweicloud_aksk::server::DEMO_SECRET_KEY,
        huaweicloud_aksk::server::DEMO_PROJECT_ID,
    );
    let task = huaweicloud_aksk::server::DEMO_TASK_ID;
    let Some(results) = official_delete(&endpoint, "not-the-secret-key", &[task]) else {
        return;
    };
    let r = &results[0];
    assert_eq!(r["status"], 401, "{r}");
    assert_eq!(r["error_code"], "APIGW.0301", "{r}");
    let msg = r["error_msg"].as_str().unwrap_or("");
    assert!(
        msg.starts_with("Incorrect IAM authentication information: verify aksk signature fail"),
        "{msg}"
    );
    assert_request_id(r);
    assert_eq!(
        endpoint.task_status(project_id, task),
        Some(TaskStatus::Succeed)
    );
}
