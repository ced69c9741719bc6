//! Huawei Cloud AK/SK request signing (`SDK-HMAC-SHA256` and its variants), byte for byte
//! what the official SDKs produce, and the pieces built on it:
//!
//! - [a signer](#signing) and [a verifier](#verifying), sans-IO: they read no clock (unless
//!   asked to), open no connection, and work with any HTTP client or server;
//! - [the MPC packaging-task calls](#mpc-calls-sans-io) as sans-IO models (feature `mpc`):
//!   build the request, sign it, send it with any client, read the answer;
//! - [a blocking MPC client](#the-blocking-mpc-client) over `ureq` (feature `blocking`);
//! - [a local MPC endpoint](#the-local-mpc-endpoint) that answers as the API gateway and MPC
//!   do, for tests without a cloud account (feature `server`);
//! - [credentials](#credentials) found where the official SDKs look for them.
//!
//! The API takes and returns the types of the [`http`][http-crate] (1.x) and
//! [`chrono`][chrono-crate] (0.4) crates, re-exported here so that their versions always
//! match: `huaweicloud_aksk::http::Request`.
//!
//! [http-crate]: https://docs.rs/http/1
//! [chrono-crate]: https://docs.rs/chrono/0.4
//! [http-request]: https://docs.rs/http/1/http/request/struct.Request.html
//!
//! A `tower` feature adds layers that sign the requests of a tower client and verify those of
//! a tower server (axum, hyper, tonic): see [Middleware](#middleware-tower). On `wasm32-unknown-unknown` the lean crate builds and
//! signs; [`Signer::sign`], which reads the clock, needs the `wasm-clock` feature there.
//!
//! # Signing
//! A [`Signer`] holds the credentials with its key prepared once; share it.
//! [`Signer::sign_at`] signs an [`http::Request`][http-request] in place, at a time given by
//! the caller:
//!
//! ```
//! use huaweicloud_aksk::chrono::{TimeZone, Utc};
//! use huaweicloud_aksk::{Credentials, Signer, http};
//!
//! let signer = Signer::new(Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST"));
//! let mut req = http::Request::delete(
//!     "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211",
//! )
//! .header("X-Project-Id", "0123456789abcdef0123456789abcdef")
//! .body(Vec::<u8>::new())?;
//! signer.sign_at(&mut req, Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap())?;
//! assert_eq!(
//!     req.headers()["authorization"],
//!     "SDK-HMAC-SHA256 Access=HWCEXAMPLEAK0123TEST, SignedHeaders=host;x-project-id;x-sdk-date, \
//!      Signature=0858fa456de9c16562ad955eb067f9b43d1c2d8e82094d19e6df7eeb7ab5e092"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Signer::sign_into`] signs a borrowed [`SignableRequest`] (any client's request, seen as
//! method, URL, header pairs and [`Payload`]) into a caller-owned [`SigningBuffer`], and gives
//! the headers to add; once the buffer has grown it allocates nothing:
//!
//! ```
//! use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};
//!
//! let signer = Signer::new(Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST"));
//! let headers = [("X-Project-Id", "0123456789abcdef0123456789abcdef")];
//! let req = SignableRequest::new(
//!     "DELETE",
//!     "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211",
//! )?
//! .with_headers(&headers);
//! let mut buf = SigningBuffer::new();
//! let signed = signer.sign_into(&req, SdkDate::parse("20261128T043500Z")?, &mut buf)?;
//! let to_add: Vec<(&str, &str)> = signed.headers_to_add().collect();
//! assert_eq!(to_add[0], ("X-Sdk-Date", "20261128T043500Z"));
//! assert_eq!(to_add[1], ("Host", "mpc.cn-north-4.myhuaweicloud.com"));
//! assert_eq!(to_add[2].0, "Authorization");
//! # Ok::<(), huaweicloud_aksk::SignError>(())
//! ```
//!
//! # Verifying
//! [`verify::Verifier`] checks a request as the API gateway does, with the secret keys of a
//! [`verify::KeySet`] (or a map, or one [`Signer`]), at a time given by the caller. A refusal
//! is a [`verify::VerifyError`] that knows the gateway's status, code and message. A body
//! the signature does not cover (`UNSIGNED-PAYLOAD`) is refused unless it is empty or the
//! verifier is told to accept it ([`verify::UnsignedPayload`]).
//!
//! ```
//! use huaweicloud_aksk::chrono::{TimeDelta, TimeZone, Utc};
//! use huaweicloud_aksk::verify::{KeySet, Verifier, VerifyError};
//! use huaweicloud_aksk::{Credentials, Signer, http};
//!
//! let credentials = Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST");
//! let at = Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap();
//! let mut req = http::Request::post("http://127.0.0.1:8080/v1/0123456789abcdef0123456789abcdef/remux")
//!     .header("Content-Type", "application/json")
//!     .body(br#"{"output_param":{"format":"HLS"}}"#.to_vec())?;
//! Signer::new(credentials.clone()).sign_at(&mut req, at)?;
//!
//! // The server, a minute later by its clock.
//! let verifier = Verifier::new(KeySet::from_iter([credentials]));
//! let verified = verifier.verify_http(&req, at + TimeDelta::minutes(1))?;
//! assert_eq!(verified.access_key(), "HWCEXAMPLEAK0123TEST");
//! assert!(verified.payload_signed());
//!
//! // A changed body no longer verifies: 401 APIGW.0301, as the gateway answers.
//! *req.body_mut() = br#"{"output_param":{"format":"DASH"}}"#.to_vec();
//! let err = verifier.verify_http(&req, at).unwrap_err();
//! assert!(matches!(err, VerifyError::SignatureMismatch { .. }));
//! assert_eq!((err.status(), err.error_code()), (401, "APIGW.0301"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
#![cfg_attr(
    feature = "mpc",
    doc = r#"
# MPC calls, sans-IO

Each call of the MPC packaging-task family is a type implementing [`mpc::Call`]:
[`Call::request`](mpc::Call::request) builds the unsigned `http::Request` for an
[`mpc::Endpoint`] and project, and [`Call::interpret`](mpc::Call::interpret) reads the answer
into a typed result or an [`mpc::MpcError`]. Between the two, sign the request and send it
with any client (reqwest, hyper, ureq...):

```
use huaweicloud_aksk::chrono::Utc;
use huaweicloud_aksk::mpc::{Answer, Call, DeleteOutcome, DeleteRemuxTask, Endpoint, ProjectId};
use huaweicloud_aksk::{Credentials, Signer, http};

let signer = Signer::new(Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST"));
let call = DeleteRemuxTask::new("100211")?;
let project = ProjectId::new("0123456789abcdef0123456789abcdef")?;

// 1. Build the request, 2. sign it.
let mut req = call.request(&Endpoint::for_region("cn-north-4")?, &project);
signer.sign_at(&mut req, Utc::now())?;

// 3. Send it with any client. With reqwest:
//        let resp = client.execute(req.try_into()?).await?;
//        let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
//        let body = resp.bytes().await?;
// Here, the answer MPC gives:
let (status, headers, body) = (204, http::HeaderMap::new(), Vec::<u8>::new());

// 4. Read the answer.
let outcome = call.interpret(&Answer::new(status, &headers, &body))?;
assert_eq!(outcome, DeleteOutcome::Deleted);
# Ok::<(), Box<dyn std::error::Error>>(())
```

An error answer reads as the gateway's or MPC's code; a retry decides with
[`Answer::earlier_attempts`](mpc::Answer::earlier_attempts) whether "not found" means an
earlier attempt already deleted the task. The other calls are [`mpc::CreateRemuxTask`],
[`mpc::ListRemuxTasks`], [`mpc::CancelRemuxTask`] and [`mpc::RetryRemuxTask`].
"#
)]
#![cfg_attr(
    not(feature = "mpc"),
    doc = "# MPC calls, sans-IO\n\nWith the `mpc` feature: the MPC calls as sans-IO models."
)]
#![cfg_attr(
    all(feature = "blocking", feature = "server"),
    doc = r#"
# The blocking MPC client
[`mpc::MpcClient`] sends any call over `ureq`, each attempt signed afresh, retried as its
[`mpc::RetryPolicy`] says, the clock corrected once when the gateway says the signature
expired. Here against the local endpoint:

```
use huaweicloud_aksk::Credentials;
use huaweicloud_aksk::mpc::{DeleteOutcome, MpcClient, Proxy};
use huaweicloud_aksk::server::{DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_SECRET_KEY, DEMO_TASK_ID, LocalEndpoint};

let endpoint = LocalEndpoint::start_demo()?;
let client = MpcClient::builder()
    .credentials(Credentials::new(DEMO_ACCESS_KEY, DEMO_SECRET_KEY))
    .project_id(DEMO_PROJECT_ID)
    .endpoint(endpoint.url())
    .proxy(Proxy::Direct)
    .build()?;
assert_eq!(client.delete_remux_task(DEMO_TASK_ID)?, DeleteOutcome::Deleted);
endpoint.shutdown();
# Ok::<(), Box<dyn std::error::Error>>(())
```

For a cloud region, `.region("cn-north-4")` instead of `.endpoint(...)`, and credentials from
the environment or profile (see [Credentials](#credentials)).
"#
)]
#![cfg_attr(
    not(all(feature = "blocking", feature = "server")),
    doc = "# The blocking MPC client\n\nWith the `blocking` feature: `mpc::MpcClient`, over `ureq` (its example here also \
           needs `server`)."
)]
#![cfg_attr(
    feature = "server",
    doc = r#"
# The local MPC endpoint
[`server::LocalEndpoint`] serves the packaging-task calls on a loopback port, behind the
verifier, with the gateway's and MPC's answers (status, `error_code`, `error_msg`), and keeps
tasks in SQLite. It runs on its own thread: callers need no async runtime.

```
use huaweicloud_aksk::server::{DEMO_PROJECT_ID, EndpointConfig, LocalEndpoint, State, TaskStatus};

let endpoint = LocalEndpoint::start(EndpointConfig::new(State::demo()))?;
endpoint.add_task(DEMO_PROJECT_ID, "my-task", TaskStatus::Succeed);
// Point any client at endpoint.url() with the demo credentials.
assert!(endpoint.url().starts_with("http://127.0.0.1:"));
assert_eq!(endpoint.task_status(DEMO_PROJECT_ID, "my-task"), Some(TaskStatus::Succeed));
endpoint.shutdown();
# Ok::<(), huaweicloud_aksk::server::ServeError>(())
```
"#
)]
#![cfg_attr(
    not(feature = "server"),
    doc = "# The local MPC endpoint\n\nWith the `server` feature: `server::LocalEndpoint`."
)]
//!
//! # Streaming bodies
//! When the body is not in memory, [`Signer::sign_head_at`] signs the request head
//! (`http::request::Parts`) with the body's hash computed elsewhere, or with
//! [`Payload::Unsigned`] (`UNSIGNED-PAYLOAD`), and the body is streamed afterwards:
//!
//! ```
//! use huaweicloud_aksk::chrono::Utc;
//! use huaweicloud_aksk::{Credentials, Payload, Signer, http};
//!
//! let signer = Signer::new(Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST"));
//! let (mut head, ()) = http::Request::put("https://obs.example.com/bucket/video.mp4")
//!     .header("Content-Type", "application/json")
//!     .body(())?
//!     .into_parts();
//! let sha256_of_body = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
//! signer.sign_head_at(&mut head, Payload::from_hash(sha256_of_body)?, Utc::now())?;
//! // Send `head` with the streamed body.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A verifier refuses a non-empty body that the signature does not cover unless it is told
//! to accept one ([`verify::UnsignedPayload`]); [`verify::VerifyError::to_response`] turns any
//! refusal into the gateway's answer.
#![cfg_attr(
    feature = "tower",
    doc = r#"
# Middleware (tower)
[`tower::VerifyLayer`] puts the gateway's check in front of an axum, hyper or tonic service:
refusals get the gateway's status and JSON, and the handler finds a
[`tower::VerifiedRequest`] (who signed, whether the body was covered) in the request's
extensions. [`tower::SignLayer`] signs every request of a tower client, such as hyper-util's.

```
use std::sync::Arc;
use huaweicloud_aksk::tower::{SignLayer, VerifyLayer};
use huaweicloud_aksk::verify::{KeySet, Verifier};
use huaweicloud_aksk::{Credentials, Signer};

let credentials = Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST");
// axum: Router::new().route("/v1/notes", post(handler)).layer(verify)
let verify = VerifyLayer::new(Verifier::new(KeySet::from_iter([credentials.clone()])));
// a client: tower::ServiceBuilder::new().layer(sign).service(hyper_util_client)
let sign = SignLayer::new(Arc::new(Signer::new(credentials)));
# let _ = (verify, sign);
```

Whole programs, each against a server it starts itself: `examples/axum_verify.rs`,
`examples/hyper_sign.rs`, and `examples/reqwest_delete.rs` (reqwest with the sans-IO
delete call).
"#
)]
#![cfg_attr(
    not(feature = "tower"),
    doc = "# Middleware (tower)\n\nWith the `tower` feature: `tower::VerifyLayer` and `tower::SignLayer`."
)]
//!
//! # Credentials
//! [`credentials::loader::Loader`] reads the AK, SK, security token and project id where the
//! official SDKs do (`HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, ..., then
//! `~/.huaweicloud/credentials`); [`credentials`] also has providers (ECS metadata, a chain, a
//! cache) for temporary credentials.
//!
//! ```
//! use huaweicloud_aksk::Signer;
//! use huaweicloud_aksk::credentials::loader::Loader;
//!
//! let loaded = Loader::new()
//!     .with_env_vars([
//!         ("HUAWEICLOUD_SDK_AK", "HWCEXAMPLEAK0123TEST"),
//!         ("HUAWEICLOUD_SDK_SK", "HWCexampleSK0123456789abcdefghijklmnopqrST"),
//!         ("HUAWEICLOUD_SDK_PROJECT_ID", "0123456789abcdef0123456789abcdef"),
//!     ])
//!     .load()?;
//! assert_eq!(loaded.project_id.as_deref(), Some("0123456789abcdef0123456789abcdef"));
//! let signer = Signer::new(loaded.credentials);
//! assert_eq!(signer.credentials().access_key(), "HWCEXAMPLEAK0123TEST");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The request URI contract
//! The path and query of the request are taken as they will be sent: already
//! percent-encoded once. Signing decodes them to canonicalise; it never re-encodes the path
//! it sends. The query is the exception: [`Signer::sign_at`] replaces it with the canonical
//! query (sorted, each key and value encoded once), so that what is sent is byte for byte
//! what was signed.
//!
//! # Algorithms
//! `SDK-HMAC-SHA256` by default; [`Signer::with_algorithm`] picks another of
//! [`Algorithm::ALL`] (`V11-HMAC-SHA256`, `SDK-HMAC-SM3`, `SDK-ECDSA-P256-SHA256`,
//! `SDK-SM2-SM3`). A signer prepares its algorithm's key once, when it is built: the HMAC
//! pad states, the first step of the V11 key derivation, or the elliptic-curve key pair
//! derived from the AK/SK. [`verify::Verifier`] checks every algorithm with the same
//! prepared keys, kept per access key: another algorithm's key is prepared the first time
//! a request signed with it arrives, and kept.
//!
//! # Where things are
//! - The crate root: the signing core ([`Signer`], [`SignableRequest`], [`SigningBuffer`],
//!   [`Credentials`], [`SdkDate`], [`Algorithm`], [`SignError`]) and the re-exported
//!   `http` and `chrono`.
//! - [`verify`]: the verifier, on the signing core.
//! - [`credentials`]: where credentials and the project id come from (environment,
//!   profile file, ECS metadata, IAM), as the official SDKs find them.
//! - `mpc`: the MPC calls and their blocking client; `server`: the local MPC endpoint;
//!   `tower`: the signing and verifying layers; `vectors`: test vectors (each behind its
//!   feature).
//!
//! # Features
//! - `mpc` (default): the MPC call models, with `serde` and `serde_json`.
//! - `blocking` (default): `mpc`, and the MPC client over `ureq`.
//! - `server` (default): the embedded local MPC endpoint.
//! - `cli` (default): the `aksk` command-line tool.
//! - `vectors` (default): reading and checking test-vector files.
//! - `sm3` (default): `SDK-HMAC-SM3`.
//! - `ecdsa` (default): `SDK-ECDSA-P256-SHA256` and `SDK-SM2-SM3`.
//! - `zeroize` (default): secrets are wiped on drop with the `zeroize` crate.
//! - `tower`: `tower::VerifyLayer` and `tower::SignLayer`, middleware for servers and clients.
//! - `wasm-clock`: on wasm32-unknown-unknown, [`Signer::sign`] reads the time from
//!   `Date.now()`; without it, it traps there (use [`Signer::sign_at`] with the host's time).
//!
//! With `default-features = false` the crate depends only on `hmac`, `sha2`, `hex`,
//! `chrono`, `http` and `percent-encoding`: the signer, the verifier and the credentials
//! loader. The documentation marks each item that needs a feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, unreachable_pub)]

pub mod credentials;
#[cfg(feature = "mpc")]
pub mod mpc;
#[cfg(feature = "server")]
pub mod server;
mod sign;
#[cfg(feature = "tower")]
pub mod tower;
#[cfg(feature = "vectors")]
pub mod vectors;
pub mod verify;

/// The `http` crate (1.x) whose types the API takes and returns (`Request`, `HeaderMap`,
/// `Method`, `request::Parts`...): name it through this crate and its version always matches.
pub use http;

/// The `chrono` crate (0.4) whose `DateTime<Utc>` the signer and verifier take as the time,
/// and in which credentials and MPC tasks give theirs.
pub use chrono;

pub use sign::{
    Algorithm, Credentials, Payload, PayloadHashing, SdkDate, SecretString, SignError,
    SignableRequest, Signed, Signer, SigningBuffer, SigningDetails, UnknownAlgorithm,
};

/// The README's examples, compiled and run as doc tests (they use the default features).
#[cfg(all(doctest, feature = "blocking", feature = "server"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
