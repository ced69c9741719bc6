//! An axum server that checks AK/SK signatures with `VerifyLayer`, as the API gateway does.
//!
//! It serves on a loopback port, sends it a signed request (200, the handler sees who
//! signed it) and the same request with its body changed (401 `APIGW.0301`), and exits
//! non-zero if either answer is not the expected one.
//!
//! ```sh
//! cargo run --example axum_verify --features tower
//! ```

use axum::routing::post;
use axum::{Extension, Router};
use huaweicloud_aksk::tower::{PayloadCoverage, VerifiedRequest, VerifyLayer};
use huaweicloud_aksk::verify::{KeySet, Verifier};
use huaweicloud_aksk::{Credentials, Signer};

const AK: &str = "HWCEXAMPLEAK0123TEST";
const SK: &str = "HWCexampleSK0123456789abcdefghijklmnopqrST";

/// The handler: runs only for requests whose signature checked out.
async fn create_note(Extension(signed): Extension<VerifiedRequest>, body: String) -> String {
    let covered = match signed.payload {
        PayloadCoverage::Signed => "signed",
        PayloadCoverage::Unsigned => "not signed",
    };
    format!("note from {} (body {covered}): {body}", signed.access_key)
}

/// Signs a note for `url`; gives it with `body` in place of the body that was signed.
fn signed_note(
    url: &str,
    signed_body: &str,
    body: &str,
) -> Result<reqwest::Request, Box<dyn std::error::Error>> {
    let mut req = http::Request::post(url)
        .header("Content-Type", "application/json")
        .body(signed_body.as_bytes().to_vec())?;
    Signer::new(Credentials::new(AK, SK)).sign(&mut req)?;
    *req.body_mut() = body.as_bytes().to_vec();
    Ok(reqwest::Request::try_from(req)?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let verifier = Verifier::new(KeySet::from_iter([Credentials::new(AK, SK)]));
    let app = Router::new()
        .route("/v1/notes", post(create_note))
        .layer(VerifyLayer::new(verifier));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/v1/notes", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });

    let http = reqwest::Client::new();
    let ok = http
        .execute(signed_note(&url, r#"{"text":"hi"}"#, r#"{"text":"hi"}"#)?)
        .await?;
    let (status, body) = (ok.status(), ok.text().await?);
    println!("signed: {status} {body}");
    if status != 200 || body != format!(r#"note from {AK} (body signed): {{"text":"hi"}}"#) {
        return Err("the signed request was not answered 200 by the handler".into());
    }

    let tampered = http
        .execute(signed_note(&url, r#"{"text":"hi"}"#, r#"{"text":"bye"}"#)?)
        .await?;
    let (status, body) = (tampered.status(), tampered.text().await?);
    println!("tampered: {status} {body}");
    if status != 401 || !body.starts_with(r#"{"error_code":"APIGW.0301""#) {
        return Err("the tampered request was not refused with 401 APIGW.0301".into());
    }

    let _ = stop.send(());
    server.await??;
    Ok(())
}
