//! The tower middleware over real connections: `VerifyLayer` in front of a handler on a
//! hyper server on a loopback port, and `SignLayer` around hyper-util's client, against that
//! server and against the local MPC endpoint.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use http::{Request, Response, StatusCode};
use http_body::{Body, Frame};
use http_body_util::{BodyExt, Full};
use huaweicloud_aksk::server::{
    DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_SECRET_KEY, DEMO_TASK_ID, LocalEndpoint,
};
use huaweicloud_aksk::tower::{
    BodySigning, PayloadCoverage, SignLayer, SignedBody, VerifiedRequest, VerifyLayer,
};
use huaweicloud_aksk::verify::{KeySet, UnsignedPayload, Verifier};
use huaweicloud_aksk::{Credentials, SignError, Signer};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tower::{Layer, ServiceExt};

const AK: &str = "HWCEXAMPLEAK0123TEST";
const SK: &str = "HWCexampleSK0123456789abcdefghijklmnopqrST";

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The handler behind the layer: answers who signed, what the signature covers, the
/// content hash header and the body, or 500 when the layer gave it no `VerifiedRequest`.
async fn handler(req: Request<Full<Bytes>>) -> Result<Response<Full<Bytes>>, Infallible> {
    let verified = req.extensions().get::<VerifiedRequest>().cloned();
    let content = req
        .headers()
        .get("x-sdk-content-sha256")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let answer = match verified {
        Some(v) => Response::new(Full::new(Bytes::from(format!(
            "{} {:?} {} {}",
            v.access_key,
            v.payload,
            content.as_deref().unwrap_or("-"),
            String::from_utf8_lossy(&body)
        )))),
        None => {
            let mut a = Response::new(Full::new(Bytes::from("no VerifiedRequest")));
            *a.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            a
        }
    };
    Ok(answer)
}

/// A hyper server on 127.0.0.1:0 with `layer` in front of [`handler`]; stopped when the
/// returned task is aborted (and with the runtime).
async fn serve(layer: VerifyLayer<KeySet>) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = layer.layer(tower::service_fn(handler));
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, task)
}

/// The verifier of the test server. Requests signed with `UNSIGNED-PAYLOAD` reach the
/// handler in these tests: the verifier refuses them by default, so it is told to accept
/// them.
fn verifier() -> Verifier<KeySet> {
    Verifier::new(KeySet::from_iter([Credentials::new(AK, SK)]))
        .with_unsigned_payload(UnsignedPayload::Accept)
}

fn verify_layer() -> VerifyLayer<KeySet> {
    VerifyLayer::new(verifier()).with_clock(at)
}

fn client<B>() -> Client<HttpConnector, B>
where
    B: Body + Send + 'static + Unpin,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    Client::builder(TokioExecutor::new()).build_http()
}

struct Answer {
    status: StatusCode,
    content_type: Option<String>,
    body: String,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

async fn read<B>(answer: Response<B>) -> Answer
where
    B: Body,
    B::Error: std::fmt::Debug,
{
    let status = answer.status();
    let content_type = answer
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = answer.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        content_type,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

/// Sends `req` as it is.
async fn send(req: Request<Vec<u8>>) -> Answer {
    let answer = client::<Full<Bytes>>()
        .request(req.map(|b| Full::new(Bytes::from(b))))
        .await
        .unwrap();
    read(answer).await
}

fn post(addr: SocketAddr, body: &str) -> Request<Vec<u8>> {
    Request::post(format!("http://{addr}/v1/notes?b=2&a=1"))
        .header("Content-Type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

fn assert_refused(answer: &Answer, status: u16, code: &str, msg_starts: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(
        answer.content_type.as_deref(),
        Some("application/json;charset=UTF-8")
    );
    let json = answer.json();
    assert_eq!(json["error_code"], code, "{}", answer.body);
    let msg = json["error_msg"].as_str().unwrap();
    assert!(msg.starts_with(msg_starts), "{msg}");
}

#[test]
fn a_signed_request_reaches_the_handler_with_who_signed_it() {
    runtime().block_on(async {
        let (addr, server) = serve(verify_layer()).await;
        let mut req = post(addr, r#"{"note":"hello"}"#);
        Signer::new(Credentials::new(AK, SK))
            .sign_at(&mut req, at())
            .unwrap();
        let answer = send(req).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body, format!(r#"{AK} Signed - {{"note":"hello"}}"#));
        server.abort();
    });
}

#[test]
fn requests_without_a_good_signature_are_answered_as_the_gateway_does() {
    runtime().block_on(async {
        let (addr, server) = serve(verify_layer()).await;
        let signer = Signer::new(Credentials::new(AK, SK));

        let unsigned = send(post(addr, "{}")).await;
        assert_refused(&unsigned, 401, "APIGW.0301", "");
        assert_eq!(
            unsigned.body,
            r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: Authorization header or x-auth-token not found"}"#
        );

        let mut tampered = post(addr, r#"{"amount":1}"#);
        signer.sign_at(&mut tampered, at()).unwrap();
        *tampered.body_mut() = br#"{"amount":9}"#.to_vec();
        assert_refused(
            &send(tampered).await,
            401,
            "APIGW.0301",
            "Incorrect IAM authentication information: verify aksk signature fail, SignedHeaders:",
        );

        let mut wrong_key = post(addr, "{}");
        Signer::new(Credentials::new(AK, "another secret"))
            .sign_at(&mut wrong_key, at())
            .unwrap();
        assert_refused(
            &send(wrong_key).await,
            401,
            "APIGW.0301",
            "Incorrect IAM authentication information: verify aksk signature fail",
        );

        let mut garbled = post(addr, "{}");
        garbled.headers_mut().insert(
            "authorization",
            http::HeaderValue::from_bytes(b"SDK-HMAC-SHA256 Access=\xff").unwrap(),
        );
        garbled
            .headers_mut()
            .insert("x-sdk-date", http::HeaderValue::from_static("20261128T043500Z"));
        assert_refused(
            &send(garbled).await,
            401,
            "APIGW.0301",
            "Incorrect IAM authentication information: Authorization format incorrect",
        );

        // Signed an hour before the server's clock.
        let mut old = post(addr, "{}");
        signer
            .sign_at(&mut old, at() - TimeDelta::hours(1))
            .unwrap();
        assert_refused(
            &send(old).await,
            401,
            "APIGW.0301",
            "Incorrect IAM authentication information: signature expired",
        );
        server.abort();
    });
}

/// A body of `chunks`, of unknown size: what a stream looks like to the layers.
struct Chunks(VecDeque<Bytes>);

impl Chunks {
    fn new(chunks: &[&'static str]) -> Chunks {
        Chunks(
            chunks
                .iter()
                .map(|c| Bytes::from_static(c.as_bytes()))
                .collect(),
        )
    }
}

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|c| Ok(Frame::data(c))))
    }
}

#[test]
fn a_body_over_the_limit_is_answered_413_whether_declared_or_streamed() {
    runtime().block_on(async {
        let (addr, server) = serve(verify_layer().with_max_body(16)).await;
        let signer = Signer::new(Credentials::new(AK, SK));

        let mut declared = post(addr, &"x".repeat(17));
        signer.sign_at(&mut declared, at()).unwrap();
        assert_refused(
            &send(declared).await,
            413,
            "APIGW.0201",
            "Request entity too large (more than 16 bytes)",
        );

        // Sent in chunks with no Content-Length: refused once the 17th byte comes.
        let (mut head, ()) = Request::post(format!("http://{addr}/v1/notes"))
            .body(())
            .unwrap()
            .into_parts();
        signer
            .sign_head_at(&mut head, huaweicloud_aksk::Payload::Unsigned, at())
            .unwrap();
        let streamed = Request::from_parts(head, Chunks::new(&["0123456789", "abcdef", "g"]));
        let answer = read(client::<Chunks>().request(streamed).await.unwrap()).await;
        assert_refused(
            &answer,
            413,
            "APIGW.0201",
            "Request entity too large (more than 16 bytes)",
        );

        // Exactly at the limit is read and verified.
        let mut at_limit = post(addr, &"y".repeat(16));
        signer.sign_at(&mut at_limit, at()).unwrap();
        let answer = send(at_limit).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body, format!("{AK} Signed - {}", "y".repeat(16)));
        server.abort();
    });
}

#[test]
fn the_sign_layer_signs_a_body_of_known_size_with_its_hash() {
    runtime().block_on(async {
        let (addr, server) = serve(verify_layer()).await;
        let client = SignLayer::new(Signer::new(Credentials::new(AK, SK)))
            .with_clock(at)
            .layer(client::<SignedBody<Full<Bytes>>>());
        let req = Request::post(format!("http://{addr}/v1/notes?b=2&a=1"))
            .header("Content-Type", "application/json")
            .body(Full::new(Bytes::from_static(br#"{"n":1}"#)))
            .unwrap();
        let answer = read(client.oneshot(req).await.unwrap()).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body, format!(r#"{AK} Signed - {{"n":1}}"#));
        server.abort();
    });
}

/// A JSON body streamed in two chunks, PUT to `addr` through a default `SignLayer`.
async fn upload_in_chunks(addr: SocketAddr) -> Answer {
    let layer = SignLayer::new(Signer::new(Credentials::new(AK, SK))).with_clock(at);
    let client = layer.layer(client::<SignedBody<Chunks>>());
    let req = Request::put(format!("http://{addr}/v1/upload"))
        .header("Content-Type", "application/json")
        .body(Chunks::new(&["{\"part\":", "1}"]))
        .unwrap();
    read(client.oneshot(req).await.unwrap()).await
}

#[test]
fn the_sign_layer_signs_a_streaming_body_head_only_as_unsigned_payload() {
    runtime().block_on(async {
        let (addr, server) = serve(verify_layer()).await;
        let answer = upload_in_chunks(addr).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(
            answer.body,
            format!(r#"{AK} Unsigned UNSIGNED-PAYLOAD {{"part":1}}"#)
        );
        server.abort();
    });
}

#[test]
fn a_verify_layer_with_the_default_policy_refuses_a_streamed_unsigned_body() {
    runtime().block_on(async {
        let default_policy = Verifier::new(KeySet::from_iter([Credentials::new(AK, SK)]));
        let (addr, server) = serve(VerifyLayer::new(default_policy).with_clock(at)).await;
        let answer = upload_in_chunks(addr).await;
        assert_refused(
            &answer,
            401,
            "APIGW.0301",
            "Incorrect IAM authentication information: verify aksk signature fail, the body is not signed",
        );
        server.abort();
    });
}

#[test]
fn the_sign_layer_told_not_to_buffer_signs_every_body_head_only() {
    runtime().block_on(async {
        let (addr, server) = serve(verify_layer()).await;
        let client = SignLayer::new(Signer::new(Credentials::new(AK, SK)))
            .with_clock(at)
            .with_body_signing(BodySigning::Unsigned)
            .layer(client::<SignedBody<Full<Bytes>>>());
        let req = Request::post(format!("http://{addr}/v1/notes"))
            .header("Content-Type", "application/json")
            .body(Full::new(Bytes::from_static(b"{}")))
            .unwrap();
        let answer = read(client.oneshot(req).await.unwrap()).await;
        assert_eq!(
            answer.body,
            format!("{AK} {:?} UNSIGNED-PAYLOAD {{}}", PayloadCoverage::Unsigned)
        );
        server.abort();
    });
}

#[test]
fn the_sign_layer_refuses_a_request_it_cannot_sign_and_sends_nothing() {
    runtime().block_on(async {
        // No host in the URI and no Host header: nothing to sign, and nowhere to send.
        let client = SignLayer::new(Signer::new(Credentials::new(AK, SK)))
            .layer(client::<SignedBody<Full<Bytes>>>());
        let req = Request::get("/v1/notes")
            .body(Full::new(Bytes::new()))
            .unwrap();
        let err = client.oneshot(req).await.unwrap_err();
        assert_eq!(
            err.downcast_ref::<SignError>(),
            Some(&SignError::MissingHost)
        );
    });
}

#[test]
fn the_sign_layer_around_hyper_util_deletes_a_task_on_the_local_endpoint() {
    let endpoint = LocalEndpoint::start_demo().unwrap();
    let base = endpoint.url();
    runtime().block_on(async {
        let signer = Signer::new(Credentials::new(DEMO_ACCESS_KEY, DEMO_SECRET_KEY));
        let client = SignLayer::new(signer).layer(client::<SignedBody<Full<Bytes>>>());
        let delete = || {
            Request::delete(format!(
                "{base}/v1/{DEMO_PROJECT_ID}/remux/task?task_id={DEMO_TASK_ID}"
            ))
            .header("X-Project-Id", DEMO_PROJECT_ID)
            .body(Full::new(Bytes::new()))
            .unwrap()
        };
        let first = read(client.clone().oneshot(delete()).await.unwrap()).await;
        assert_eq!(first.status, 204, "{}", first.body);
        let second = read(client.oneshot(delete()).await.unwrap()).await;
        assert_eq!(second.status, 403, "{}", second.body);
        assert_eq!(second.json()["error_code"], "MPC.10211");
    });
    assert_eq!(endpoint.task_status(DEMO_PROJECT_ID, DEMO_TASK_ID), None);
    endpoint.shutdown();
}
