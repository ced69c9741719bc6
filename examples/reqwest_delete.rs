//! The sans-IO MPC call `DeleteRemuxTask` driven by reqwest (async): the call builds the
//! request, the `Signer` signs it, reqwest sends it, the call reads the answer.
//!
//! It starts a local MPC endpoint on a loopback port with the demo credentials, deletes
//! the demo task (204), then deletes it again (403 `MPC.10211`, the task does not exist),
//! and exits non-zero if either answer is not the expected one.
//!
//! ```sh
//! cargo run --example reqwest_delete
//! ```

use huaweicloud_aksk::mpc::{
    Answer, Call, DeleteOutcome, DeleteRemuxTask, Endpoint, MpcError, ProjectId,
};
use huaweicloud_aksk::server::{
    DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_SECRET_KEY, DEMO_TASK_ID, LocalEndpoint,
};
use huaweicloud_aksk::{Credentials, Signer};

/// Builds, signs and sends `call` with reqwest; reads the answer with the call.
async fn send<C: Call>(
    http: &reqwest::Client,
    signer: &Signer,
    endpoint: &Endpoint,
    project: &ProjectId,
    call: &C,
) -> Result<Result<C::Output, MpcError>, Box<dyn std::error::Error>> {
    let mut req = call.request(endpoint, project);
    signer.sign(&mut req)?;
    // `http::Request<Vec<u8>>` converts into reqwest's request.
    let answer = http.execute(reqwest::Request::try_from(req)?).await?;
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    let body = answer.bytes().await?;
    Ok(call.interpret(&Answer::new(status, &headers, &body)))
}

/// Deletes the demo task twice: the first time it is deleted, the second it does not exist.
async fn delete_twice(base_url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let endpoint = Endpoint::parse(base_url)?;
    let project = ProjectId::new(DEMO_PROJECT_ID)?;
    let signer = Signer::new(Credentials::new(DEMO_ACCESS_KEY, DEMO_SECRET_KEY));
    let http = reqwest::Client::new();
    let call = DeleteRemuxTask::new(DEMO_TASK_ID)?;

    let first = send(&http, &signer, &endpoint, &project, &call).await?;
    println!("first delete: {first:?}");
    if !matches!(first, Ok(DeleteOutcome::Deleted)) {
        return Err(format!("expected the task to be deleted, got {first:?}").into());
    }

    let second = send(&http, &signer, &endpoint, &project, &call).await?;
    match &second {
        Err(MpcError::Api(e)) if e.is_task_not_found() => println!("second delete: {e}"),
        other => return Err(format!("expected MPC.10211, got {other:?}").into()),
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The local endpoint runs on its own thread, with its own runtime.
    let local = LocalEndpoint::start_demo()?;
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(delete_twice(&local.url()));
    local.shutdown();
    result
}
