//! The official Python SDK finds its credentials at the local endpoint's ECS metadata
//! paths and its project id at its IAM path, then deletes a record with them. Skipped with
//! a message where the SDK cannot be installed, except under `CI`, where that is a failure.

mod support;

use huaweicloud_aksk::server::{DEMO_PROJECT_ID, DEMO_TASK_ID, LocalEndpoint};
use serde_json::Value;

/// Metadata credentials, the project id of the region from IAM, then DeleteRemuxTask.
const SCRIPT: &str = r#"
import json, os, sys
for name in list(os.environ):
    if name.lower() in ("http_proxy", "https_proxy", "all_proxy"):
        del os.environ[name]
url = sys.argv[1]
os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = url
from huaweicloudsdkcore.auth.internal import MetadataAccessor
from huaweicloudsdkcore.auth.provider import MetadataCredentialProvider
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkcore.exceptions.exceptions import ServiceResponseException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkmpc.v1 import MpcClient, DeleteRemuxTaskRequest
MetadataAccessor._METADATA_ENDPOINT = url
credentials = MetadataCredentialProvider.get_basic_credential_metadata_provider().get_credentials()
config = HttpConfig.get_default_config()
config.retry_times = 0
config.timeout = (10, 10)
client = MpcClient.new_builder().with_http_config(config).with_credentials(credentials) \
    .with_region(Region("cn-north-4", url)).build()
out = {"ak": credentials.ak, "project_id": credentials.project_id}
try:
    r = client.delete_remux_task(DeleteRemuxTaskRequest(task_id=sys.argv[2]))
    out["status"] = r.status_code
except ServiceResponseException as e:
    out["status"] = e.status_code
    out["error"] = e.error_msg
print(json.dumps(out))
"#;

#[test]
fn the_official_sdk_takes_metadata_credentials_and_an_iam_project_id_from_the_endpoint() {
    let endpoint = LocalEndpoint::start_demo().expect("start the local endpoint");
    assert!(
        endpoint
            .task_status(DEMO_PROJECT_ID, DEMO_TASK_ID)
            .is_some()
    );
    let Some(python) = support::official_python() else {
        return;
    };
    let out = std::process::Command::new(python)
        .args(["-c", SCRIPT, &endpoint.url(), DEMO_TASK_ID])
        .env("NO_PROXY", "*")
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the official SDK failed: {}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert!(
        r["ak"].as_str().is_some_and(|ak| ak.starts_with("TMP")),
        "{r}"
    );
    assert_eq!(r["project_id"], DEMO_PROJECT_ID, "{r}");
    assert_eq!(r["status"], 204, "{r}");
    assert_eq!(endpoint.task_status(DEMO_PROJECT_ID, DEMO_TASK_ID), None);
    endpoint.shutdown();
}
