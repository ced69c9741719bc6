//! The MPC client against the crate's local endpoint, which checks signatures the way the
//! gateway does: deleted, no such task, a task not in a final state, a wrong secret key,
//! and a local clock far off the endpoint's.

use chrono::{TimeDelta, Utc};
use huaweicloud_aksk::Credentials;
use huaweicloud_aksk::mpc::{
    DeleteOutcome, ErrorCode, MpcClient, MpcClientBuilder, MpcError, Proxy,
};
use huaweicloud_aksk::server::{DEMO_PROCESSING_TASK_ID, LocalEndpoint, TaskStatus};

fn client(endpoint: &LocalEndpoint) -> MpcClientBuilder {
    let (ak, sk, project_id) = (
        huaweicloud_aksk::server::DEMO_ACCESS_KEY,
        huaweicloud_aksk::server::DEMO_SECRET_KEY,
        huaweicloud_aksk::server::DEMO_PROJECT_ID,
    );
    MpcClient::builder()
        .credentials(Credentials::new(ak, sk))
        .project_id(project_id)
        .endpoint(endpoint.url())
        .proxy(Proxy::Direct)
        .sleeper(|_| {})
}

#[test]
fn the_demo_task_is_deleted_once_and_then_does_not_exist() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    let task = huaweicloud_aksk::server::DEMO_TASK_ID;
    let (_, _, project_id) = (
        huaweicloud_aksk::server::DEMO_ACCESS_KEY,
        huaweicloud_aksk::server::DEMO_SECRET_KEY,
        huaweicloud_aksk::server::DEMO_PROJECT_ID,
    );
    {
        let client = client(&endpoint).build().unwrap();
        assert_eq!(
            client.delete_remux_task(task).unwrap(),
            DeleteOutcome::Deleted
        );
        assert_eq!(endpoint.task_status(project_id, task), None);
        let err = client.delete_remux_task(task).unwrap_err();
        assert!(err.is_task_not_found(), "{err:?}");
        assert!(err.request_id().is_some());
    }
    endpoint.shutdown();
}

#[test]
fn a_task_still_processing_cannot_be_deleted() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    {
        let err = client(&endpoint)
            .build()
            .unwrap()
            .delete_remux_task(DEMO_PROCESSING_TASK_ID)
            .unwrap_err();
        let MpcError::Api(api) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(api.code(), ErrorCode::TaskNotFinal, "{api}");
    }
    let (_, _, project_id) = (
        huaweicloud_aksk::server::DEMO_ACCESS_KEY,
        huaweicloud_aksk::server::DEMO_SECRET_KEY,
        huaweicloud_aksk::server::DEMO_PROJECT_ID,
    );
    assert_eq!(
        endpoint.task_status(project_id, DEMO_PROCESSING_TASK_ID),
        Some(TaskStatus::Processing)
    );
    endpoint.shutdown();
}

#[test]
fn a_wrong_secret_key_is_an_authentication_failure() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    {
        let (ak, _, _) = (
            huaweicloud_aksk::server::DEMO_ACCESS_KEY,
            huaweicloud_aksk::server::DEMO_SECRET_KEY,
            huaweicloud_aksk::server::DEMO_PROJECT_ID,
        );
        let err = client(&endpoint)
            .credentials(Credentials::new(ak, "not-the-secret-key"))
            .build()
            .unwrap()
            .delete_remux_task(huaweicloud_aksk::server::DEMO_TASK_ID)
            .unwrap_err();
        let MpcError::Unauthorized(api) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(api.status, 401);
        assert_eq!(api.code(), ErrorCode::GatewayAuthenticationFailed);
        assert!(!err.to_string().contains("not-the-secret-key"));
    }
    endpoint.shutdown();
}

#[test]
fn a_local_clock_an_hour_behind_is_corrected_from_the_endpoints_answer() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    {
        let client = client(&endpoint)
            .clock(|| Utc::now() - TimeDelta::hours(1))
            .build()
            .unwrap();
        assert_eq!(
            client
                .delete_remux_task(huaweicloud_aksk::server::DEMO_TASK_ID)
                .unwrap(),
            DeleteOutcome::Deleted
        );
        let offset = client.clock_offset().num_seconds();
        assert!(
            (3590..=3610).contains(&offset),
            "clock offset {offset} s, expected about one hour"
        );
    }
    endpoint.shutdown();
}
