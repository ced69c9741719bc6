//! Huawei Cloud AK/SK request signing (`SDK-HMAC-SHA256`), byte for byte what the official
//! SDKs produce.
//!
//! The core is sans-IO: a [`Signer`] turns a request (an [`http::Request`], or a borrowed
//! [`SignableRequest`]) and a time into the headers to send. It reads no clock (except
//! [`Signer::sign`]), opens no connection, and works with any HTTP client.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use huaweicloud_aksk::{Credentials, Signer};
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
//!   [`Credentials`], [`SdkDate`], [`Algorithm`], [`SignError`]).
//! - [`verify`]: the verifier, on the signing core.
//! - [`credentials`]: where credentials and the project id come from (environment,
//!   profile file, ECS metadata, IAM), as the official SDKs find them.
//! - [`mpc`]: the MPC calls and their blocking client; `server`: the local MPC endpoint;
//!   `vectors`: test vectors.
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
//! `chrono`, `http` and `percent-encoding`.
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

pub use sign::{
    Algorithm, Credentials, Payload, SdkDate, SecretString, SignError, SignableRequest, Signed,
    Signer, SigningBuffer, SigningDetails, UnknownAlgorithm,
};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
