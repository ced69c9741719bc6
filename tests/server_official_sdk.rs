//! The official Python SDK's `MpcClient` (`huaweicloudsdkmpc`) drives the five packaging
//! calls against the local endpoint: create, list, cancel, retry and delete, with MPC's
//! answers and refusals. Skipped with a message where the SDK cannot be installed, except
//! under `CI`, where that is a failure.

mod support;

use huaweicloud_aksk::server::{LocalEndpoint, TaskStatus};
use serde_json::Value;

/// Runs the calls with the official client; one JSON object per call, by name.
const SCRIPT: &str = r#"
import json, os, sys
for name in list(os.environ):
    if name.lower() in ("http_proxy", "https_proxy", "all_proxy"):
        del os.environ[name]
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ServiceResponseException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkmpc.v1 import (
    MpcClient, CreateRemuxTaskRequest, CreateRemuxTaskReq, ObsObjInfo, RemuxOutputParam,
    ListRemuxTaskRequest, CancelRemuxTaskRequest, CreateRetryRemuxTaskRequest, RemuxRetryReq,
    DeleteRemuxTaskRequest)

ak, sk, project, endpoint = sys.argv[1:5]
config = HttpConfig.get_default_config()
config.retry_times = 0
config.timeout = (10, 10)
client = MpcClient.new_builder().with_http_config(config) \
    .with_credentials(BasicCredentials(ak, sk, project)).with_endpoints([endpoint]).build()
session = getattr(client.get_http_client(), "_session", None)
if session is not None:
    session.trust_env = False

results = {}
def call(name, f):
    try:
        r = f()
        out = {"status": r.status_code, "body": r.to_dict()}
    except ServiceResponseException as e:
        out = {"status": e.status_code, "error_code": e.error_code, "error_msg": e.error_msg}
    results[name] = out
    return out

body = CreateRemuxTaskReq(
    input=ObsObjInfo(bucket="in-bucket", location="cn-north-4", object="video/a.flv"),
    output=ObsObjInfo(bucket="out-bucket", location="cn-north-4", object="out/"),
    user_data="hello",
    output_param=RemuxOutputParam(format="HLS", segment_duration=5))
created = call("create", lambda: client.create_remux_task(CreateRemuxTaskRequest(body=body)))
tid = created["body"]["task_id"]
second = call("create_second", lambda: client.create_remux_task(CreateRemuxTaskRequest(body=body)))
call("create_without_input", lambda: client.create_remux_task(
    CreateRemuxTaskRequest(body=CreateRemuxTaskReq(output=body.output))))
call("list_by_id", lambda: client.list_remux_task(ListRemuxTaskRequest(task_id=[tid])))
call("list_by_bucket", lambda: client.list_remux_task(
    ListRemuxTaskRequest(input_bucket="in-bucket", status="INIT", page=0, size=1)))
call("list_size_over_100", lambda: client.list_remux_task(ListRemuxTaskRequest(size=101)))
call("cancel", lambda: client.cancel_remux_task(CancelRemuxTaskRequest(task_id=tid)))
call("cancel_again", lambda: client.cancel_remux_task(CancelRemuxTaskRequest(task_id=tid)))
call("retry_failed", lambda: client.create_retry_remux_task(
    CreateRetryRemuxTaskRequest(body=RemuxRetryReq(task_id="100212"))))
call("retry_succeeded", lambda: client.create_retry_remux_task(
    CreateRetryRemuxTaskRequest(body=RemuxRetryReq(task_id="100211"))))
call("delete", lambda: client.delete_remux_task(DeleteRemuxTaskRequest(task_id=tid)))
call("delete_again", lambda: client.delete_remux_task(DeleteRemuxTaskRequest(task_id=tid)))
call("list_after", lambda: client.list_remux_task(ListRemuxTaskRequest(task_id=[tid])))
print(json.dumps(results))
"#;

fn run_official(endpoint: &LocalEndpoint) -> Option<Value> {
    let Some(python) = support::official_python() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set and the official Python SDK is not available"
        );
        return None;
    };
    let (ak, sk, project_id) = (
        huaweicloud_aksk::server::DEMO_ACCESS_KEY,
        huaweicloud_aksk::server::DEMO_SECRET_KEY,
        huaweicloud_aksk::server::DEMO_PROJECT_ID,
    );
    let out = std::process::Command::new(python)
        .args(["-c", SCRIPT, ak, sk, project_id, &endpoint.url()])
        .env("NO_PROXY", "*")
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the official client failed: {}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}")))
}

fn assert_refused(r: &Value, status: u64, code: &str) {
    assert_eq!(r["status"], status, "{r}");
    assert_eq!(r["error_code"], code, "{r}");
}

#[test]
fn the_official_client_creates_lists_cancels_retries_and_deletes_packaging_tasks() {
    let endpoint = LocalEndpoint::start_demo().expect("start");
    let Some(r) = run_official(&endpoint) else {
        return;
    };
    let (_, _, project_id) = (
        huaweicloud_aksk::server::DEMO_ACCESS_KEY,
        huaweicloud_aksk::server::DEMO_SECRET_KEY,
        huaweicloud_aksk::server::DEMO_PROJECT_ID,
    );

    assert_eq!(r["create"]["status"], 200, "{}", r["create"]);
    let tid = r["create"]["body"]["task_id"].as_str().expect("a task id");
    assert_ne!(r["create_second"]["body"]["task_id"], tid);
    assert_refused(&r["create_without_input"], 400, "MPC.10202");

    let by_id = &r["list_by_id"];
    assert_eq!(by_id["status"], 200, "{by_id}");
    assert_eq!(by_id["body"]["total"], 1, "{by_id}");
    let task = &by_id["body"]["tasks"][0];
    assert_eq!(task["task_id"], tid);
    assert_eq!(task["status"], "INIT");
    assert_eq!(task["user_data"], "hello");
    assert_eq!(task["input"]["bucket"], "in-bucket");
    assert_eq!(task["input"]["object"], "video/a.flv");
    assert_eq!(task["output_param"]["format"], "HLS");
    let created = task["create_time"].as_str().expect("a create time");
    assert!(
        created.len() == 14 && created.bytes().all(|b| b.is_ascii_digit()),
        "{created}"
    );

    // Two tasks match; a page of one holds the newest.
    let page = &r["list_by_bucket"]["body"];
    assert_eq!(page["total"], 2, "{page}");
    assert_eq!(page["tasks"].as_array().expect("tasks").len(), 1, "{page}");
    assert_eq!(
        page["tasks"][0]["task_id"],
        r["create_second"]["body"]["task_id"]
    );
    assert_refused(&r["list_size_over_100"], 400, "MPC.10202");

    assert_eq!(r["cancel"]["status"], 204, "{}", r["cancel"]);
    assert_refused(&r["cancel_again"], 403, "MPC.10212");
    assert_eq!(r["retry_failed"]["status"], 200, "{}", r["retry_failed"]);
    assert_eq!(
        endpoint.task_status(project_id, "100212"),
        Some(TaskStatus::Waiting)
    );
    assert_refused(&r["retry_succeeded"], 403, "MPC.10212");
    assert_eq!(r["delete"]["status"], 204, "{}", r["delete"]);
    assert_refused(&r["delete_again"], 403, "MPC.10211");
    assert_eq!(r["list_after"]["body"]["total"], 0, "{}", r["list_after"]);
    assert_eq!(endpoint.task_status(project_id, tid), None);
}
