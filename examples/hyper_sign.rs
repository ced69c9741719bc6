//! hyper-util's client wrapped in `SignLayer`: every request it sends is signed.
//!
//! It starts a local MPC endpoint on a loopback port with the demo credentials, deletes the
//! demo task through the signing client (204), checks that an unsigned client is refused
//! (401 `APIGW.0301`), and exits non-zero if an answer is not the expected one.
//!
//! ```sh
//! cargo run --example hyper_sign --features tower
//! ```

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use huaweicloud_aksk::server::{
    DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_SECRET_KEY, DEMO_TASK_ID, LocalEndpoint,
};
use huaweicloud_aksk::tower::{BoxError, SignLayer, SignedBody};
use huaweicloud_aksk::{Credentials, Signer};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower::{Layer, ServiceExt};

fn delete_demo_task(base_url: &str) -> Result<http::Request<Full<Bytes>>, http::Error> {
    http::Request::delete(format!(
        "{base_url}/v1/{DEMO_PROJECT_ID}/remux/task?task_id={DEMO_TASK_ID}"
    ))
    .header("X-Project-Id", DEMO_PROJECT_ID)
    .body(Full::new(Bytes::new()))
}

async fn run(base_url: &str) -> Result<(), BoxError> {
    let signer = Signer::new(Credentials::new(DEMO_ACCESS_KEY, DEMO_SECRET_KEY));
    let client = SignLayer::new(signer)
        .layer(Client::builder(TokioExecutor::new()).build_http::<SignedBody<Full<Bytes>>>());

    let answer = client.oneshot(delete_demo_task(base_url)?).await?;
    println!("signed delete: {}", answer.status());
    if answer.status() != 204 {
        return Err(format!("expected 204, got {}", answer.status()).into());
    }

    let unsigned = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let answer = unsigned.request(delete_demo_task(base_url)?).await?;
    let status = answer.status();
    let body = answer.into_body().collect().await?.to_bytes();
    println!(
        "unsigned delete: {status} {}",
        String::from_utf8_lossy(&body)
    );
    if status != 401 {
        return Err(format!("expected 401, got {status}").into());
    }
    Ok(())
}

fn main() -> Result<(), BoxError> {
    // The local endpoint runs on its own thread, with its own runtime.
    let local = LocalEndpoint::start_demo()?;
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run(&local.url()));
    local.shutdown();
    result
}
