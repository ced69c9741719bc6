//! Signing the MPC DeleteRemuxTask request, side by side with the least work signing can
//! cost and with `aws-sigv4`. See `benches/README.md` for the results.
//!
//! - `floor`: SHA-256 of the canonical request and HMAC-SHA256 of the string to sign from
//!   the key's prepared pad states, with hex; no canonicalisation at all.
//! - `sign_hot`: `Signer::sign_into` with a borrowed view into a reused buffer;
//!   `request_view`: building that view from the URL string.
//! - `sign_http`: `Signer::sign_at` on an `http::Request` (a fresh clone each time, made
//!   outside the timing), `Authorization` and the other header values built and the signed
//!   request dropped inside it; `clone_only`: the clone alone.
//! - `verify`: the verifier on the signed request.
//! - `aws_sigv4`: `aws-sigv4` signing the same DELETE with its defaults.
//! - `roundtrip`: a signed DELETE to the local endpoint on loopback and its answer.
//! - `algorithm/sign_hot/NAME` and `algorithm/verify/NAME`, for each algorithm of the
//!   official SDKs, on the same request and the same signed headers
//!   (`content-type;host;x-project-id;x-sdk-date`, empty body):
//!   - `sign_hot/NAME` times `Signer::sign_into` of the request as pairs
//!     (`X-Project-Id`, `Content-Type`) into a reused `SigningBuffer`, the date an `SdkDate`
//!     made outside the timing: every header and the URI checked, `Host` and `X-Sdk-Date`
//!     added, the signer's prepared key found, canonical request, string to sign,
//!     signature and `Authorization` written.
//!   - `verify/NAME` times `Verifier::verify_with` over a `KeySet` on the request as that
//!     signer sends it (the same two pairs plus `X-Sdk-Date`, `Host` and `Authorization`)
//!     into a reused `VerifyBuffer`, the server's clock a `DateTime` made outside the
//!     timing: the headers scanned for `Authorization` and `X-Sdk-Date`, `Authorization`
//!     parsed and checked, the date parsed and the clock skew checked, the access key
//!     looked up in the `KeySet` and its prepared key found, every other header checked,
//!     the canonical request rebuilt from the headers named in `SignedHeaders`, the string
//!     to sign, the signature computed and compared in constant time.
//!
//!   `algorithm/curve_verify/...`: the `p256` and `sm2` crates' own check of a signature
//!   of a 32-byte digest, the part of `verify/SDK-ECDSA-P256-SHA256` and
//!   `verify/SDK-SM2-SM3` no implementation avoids; each is timed right after the
//!   verification it bounds, so that the two are compared at the same machine load.
//!
//! ```sh
//! cargo bench --bench signing
//! ```

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use huaweicloud_aksk::{Algorithm, Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};
use sha2::{Digest, Sha256};

const AK: &str = "HWCEXAMPLEAK0123TEST";
const SK: &str = "HWCexampleSK0123456789abcdefghijklmnopqrST";
const URL: &str = "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211";
const HEADERS: [(&str, &str); 2] = [
    ("X-Project-Id", "0123456789abcdef0123456789abcdef"),
    ("Content-Type", "application/json"),
];
const DATE: &str = "20261128T043500Z";
/// The signature every implementation of ours must produce for this request.
const SIGNATURE: &str = "3c5d7aa8b5909955bc2203bb05d1073f61f7db9e5324e0dbdb38561a2b35fc46";

fn signer() -> Signer {
    Signer::new(Credentials::new(AK, SK))
}

fn date() -> SdkDate {
    SdkDate::parse(DATE).expect("valid date")
}

fn at() -> DateTime<Utc> {
    date().to_datetime()
}

fn http_request() -> http::Request<Vec<u8>> {
    let mut builder = http::Request::delete(URL);
    for (name, value) in HEADERS {
        builder = builder.header(name, value);
    }
    builder.body(Vec::new()).expect("valid request")
}

/// The least work any signer must do: hash the canonical request, HMAC the string to sign
/// from the key's prepared pad states, and write both digests as hex.
fn floor(c: &mut Criterion) {
    let signer = signer();
    let mut buf = SigningBuffer::new();
    let req = SignableRequest::new("DELETE", URL)
        .expect("valid URL")
        .with_headers(&HEADERS);
    let signed = signer.sign_into(&req, date(), &mut buf).expect("signs");
    assert_eq!(signed.signature(), SIGNATURE);
    let canonical = signed.canonical_request().as_bytes().to_vec();
    let string_to_sign = signed.string_to_sign().as_bytes().to_vec();
    let keyed = <Hmac<Sha256> as Mac>::new_from_slice(SK.as_bytes()).expect("any key length");

    let mut g = c.benchmark_group("signing");
    g.throughput(Throughput::Elements(1));
    g.bench_function("floor", |b| {
        b.iter(|| {
            let mut hash_hex = [0u8; 64];
            let digest = Sha256::digest(black_box(&canonical));
            let _ = hex::encode_to_slice(digest, &mut hash_hex);
            let mut mac = keyed.clone();
            mac.update(black_box(&string_to_sign));
            let mut signature = [0u8; 64];
            let _ = hex::encode_to_slice(mac.finalize().into_bytes(), &mut signature);
            black_box((hash_hex, signature))
        })
    });
    g.finish();
}

/// The allocation-free path: a borrowed request view signed into a reused buffer.
fn sign_hot(c: &mut Criterion) {
    let signer = signer();
    let date = date();
    let mut buf = SigningBuffer::new();
    let req = SignableRequest::new("DELETE", URL)
        .expect("valid URL")
        .with_headers(&HEADERS);
    let mut g = c.benchmark_group("signing");
    g.throughput(Throughput::Elements(1));
    g.bench_function("sign_hot", |b| {
        b.iter(|| {
            let signed = signer
                .sign_into(black_box(&req), date, &mut buf)
                .expect("signs");
            black_box(signed.authorization().len())
        })
    });
    // What building the borrowed view from a URL string adds, for callers that do it per
    // request.
    g.bench_function("request_view", |b| {
        b.iter(|| {
            SignableRequest::new("DELETE", black_box(URL))
                .expect("valid URL")
                .with_headers(black_box(&HEADERS))
        })
    });
    g.finish();
    let signed = signer.sign_into(&req, date, &mut buf).expect("signs");
    assert_eq!(signed.signature(), SIGNATURE);
}

/// `Signer::sign_at` on an `http::Request`, which adds its headers to the request; each
/// iteration signs a fresh clone, and `clone_only` measures what the clone costs.
fn sign_http(c: &mut Criterion) {
    let signer = signer();
    let at = at();
    let prepared = http_request();
    let mut check = prepared.clone();
    signer.sign_at(&mut check, at).expect("signs");
    assert!(
        check.headers()["authorization"]
            .to_str()
            .is_ok_and(|a| a.ends_with(SIGNATURE))
    );

    let mut g = c.benchmark_group("signing");
    g.throughput(Throughput::Elements(1));
    g.bench_function("sign_http", |b| {
        b.iter_batched(
            || prepared.clone(),
            |mut req| {
                signer.sign_at(&mut req, at).expect("signs");
                // Dropped inside the timing, as a caller's request is once sent.
                drop(req);
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("clone_only", |b| {
        b.iter_with_large_drop(|| black_box(&prepared).clone())
    });
    g.finish();
}

/// The verifier checking the signed request as a server receives it: `Authorization`
/// parsed, clock skew checked, canonical request rebuilt, signature compared.
fn verify(c: &mut Criterion) {
    use huaweicloud_aksk::verify::Verifier;

    let signer = signer();
    let at = at();
    let mut signed = http_request();
    signer.sign_at(&mut signed, at).expect("signs");
    let verifier = Verifier::new(signer);
    // The server's clock, a minute after the client's.
    let now = at + chrono::TimeDelta::minutes(1);
    assert!(verifier.verify_http(&signed, now).is_ok());

    let mut g = c.benchmark_group("signing");
    g.throughput(Throughput::Elements(1));
    g.bench_function("verify", |b| {
        b.iter(|| {
            verifier
                .verify_http(black_box(&signed), now)
                .expect("verifies")
                .date()
        })
    });
    g.finish();
}

/// `aws-sigv4` with its default settings signing the same DELETE (its SigV4 derives the
/// signing key from the date, region and service on every call, as its API requires).
fn aws_sigv4(c: &mut Criterion) {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    use aws_sigv4::sign::v4;
    use aws_smithy_runtime_api::client::identity::Identity;

    let identity: Identity =
        aws_credential_types::Credentials::new(AK, SK, None, None, "bench").into();
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(at().timestamp().unsigned_abs());
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("cn-north-4")
        .name("mpc")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .expect("complete parameters")
        .into();

    let mut g = c.benchmark_group("signing");
    g.throughput(Throughput::Elements(1));
    g.bench_function("aws_sigv4", |b| {
        b.iter(|| {
            let req = SignableRequest::new(
                "DELETE",
                black_box(URL),
                black_box(&HEADERS).iter().copied(),
                SignableBody::Bytes(&[]),
            )
            .expect("valid request");
            let (instructions, signature) = sign(req, &params).expect("signs").into_parts();
            black_box((instructions, signature))
        })
    });
    g.finish();
}

/// One signed DELETE over `ureq` (the crate's MPC client, keep-alive) to the local
/// endpoint on loopback, which verifies it and answers. The task id is unknown, so every
/// call gets the same 403 `MPC.10211` and the endpoint's state never runs out.
#[cfg(all(feature = "blocking", feature = "server"))]
fn roundtrip(c: &mut Criterion) {
    use huaweicloud_aksk::mpc::{MpcClient, MpcError};
    use huaweicloud_aksk::server::LocalEndpoint;

    let endpoint = LocalEndpoint::start_demo().expect("local endpoint starts");
    let (ak, sk, project_id) = (
        huaweicloud_aksk::server::DEMO_ACCESS_KEY,
        huaweicloud_aksk::server::DEMO_SECRET_KEY,
        huaweicloud_aksk::server::DEMO_PROJECT_ID,
    );
    let client = MpcClient::builder()
        .credentials(Credentials::new(ak, sk))
        .project_id(project_id)
        .endpoint(endpoint.url())
        .max_attempts(1)
        // The round trip, not the client's pace (100 requests a minute by default).
        .no_pace()
        .build()
        .expect("client configuration");
    let unknown = "no-such-task";
    let answer = client.delete_remux_task(unknown);
    assert!(
        matches!(&answer, Err(MpcError::Api(e)) if e.is_task_not_found()),
        "{answer:?}"
    );

    let mut g = c.benchmark_group("signing");
    g.throughput(Throughput::Elements(1));
    g.bench_function("roundtrip", |b| {
        b.iter(|| client.delete_remux_task(black_box(unknown)).is_err())
    });
    g.finish();
    endpoint.shutdown();
}

#[cfg(not(all(feature = "blocking", feature = "server")))]
fn roundtrip(_: &mut Criterion) {}

/// `sign_hot` and `verify` with every other algorithm, on the same request.
fn algorithms(c: &mut Criterion) {
    use huaweicloud_aksk::verify::{KeySet, Verifier, VerifyBuffer};
    let date = date();
    let req = SignableRequest::new("DELETE", URL)
        .expect("valid URL")
        .with_headers(&HEADERS);
    let verifier = Verifier::new(KeySet::from_iter([Credentials::new(AK, SK)]));
    let mut g = c.benchmark_group("algorithm");
    g.throughput(Throughput::Elements(1));
    for alg in Algorithm::ALL {
        if !alg.is_available() {
            continue;
        }
        let mut signer = Signer::new(Credentials::new(AK, SK)).with_algorithm(alg);
        if alg == Algorithm::V11HmacSha256 {
            signer = signer.with_derived_scope("cn-north-4", "mpc");
        }
        let mut buf = SigningBuffer::new();
        g.bench_function(format!("sign_hot/{}", alg.name()), |b| {
            b.iter(|| {
                let signed = signer
                    .sign_into(black_box(&req), date, &mut buf)
                    .expect("signs");
                black_box(signed.authorization().len())
            })
        });
        // The verifier on the request as sent.
        let signed = signer.sign_into(&req, date, &mut buf).expect("signs");
        let mut sent: Vec<(String, String)> = HEADERS
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        sent.extend(
            signed
                .headers_to_add()
                .map(|(n, v)| (n.to_owned(), v.to_owned())),
        );
        let pairs: Vec<(&str, &str)> = sent.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let received = SignableRequest::new("DELETE", URL)
            .expect("valid URL")
            .with_headers(&pairs);
        // The verifier's clock, read once like `date` above: neither side parses or
        // converts a time inside the timing.
        let now = at();
        // Reused working memory, as `sign_hot` reuses its `SigningBuffer`.
        let mut vbuf = VerifyBuffer::new();
        verifier
            .verify_with(&received, now, &mut vbuf)
            .expect("verifies");
        g.bench_function(format!("verify/{}", alg.name()), |b| {
            b.iter(|| {
                black_box(
                    verifier
                        .verify_with(black_box(&received), now, &mut vbuf)
                        .is_ok(),
                )
            })
        });
        curve_verify(&mut g, alg);
    }
    g.finish();
}

/// The curve crate's own signature check on a 32-byte digest (the key does not change the
/// cost) for an elliptic-curve `alg`: what its verification cannot avoid.
#[cfg(feature = "ecdsa")]
fn curve_verify(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    alg: Algorithm,
) {
    use p256::ecdsa::signature::hazmat::PrehashSigner;

    let digest: [u8; 32] = Sha256::digest(b"SDK-ECDSA-P256-SHA256\n20261128T043500Z\n").into();
    match alg {
        Algorithm::SdkEcdsaP256Sha256 => {
            let key = p256::ecdsa::SigningKey::from_slice(&[7; 32]).expect("a valid scalar");
            let signature: p256::ecdsa::Signature = key.sign_prehash(&digest).expect("signs");
            time_check(
                g,
                "curve_verify/p256",
                key.verifying_key(),
                &digest,
                &signature,
            );
        }
        Algorithm::SdkSm2Sm3 => {
            let key = sm2::dsa::SigningKey::new(
                "1234567812345678",
                &sm2::SecretKey::from_slice(&[7; 32]).expect("a valid scalar"),
            )
            .expect("a valid key");
            let signature: sm2::dsa::Signature = key.sign_prehash(&digest).expect("signs");
            time_check(
                g,
                "curve_verify/sm2",
                key.verifying_key(),
                &digest,
                &signature,
            );
        }
        _ => {}
    }
}

/// Times `public`'s check of `signature` over `digest`, which must verify.
#[cfg(feature = "ecdsa")]
fn time_check<S, V: p256::ecdsa::signature::hazmat::PrehashVerifier<S>>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    public: &V,
    digest: &[u8; 32],
    signature: &S,
) {
    assert!(public.verify_prehash(digest, signature).is_ok());
    g.bench_function(name, |b| {
        b.iter(|| {
            black_box(public)
                .verify_prehash(black_box(digest), signature)
                .is_ok()
        })
    });
}

#[cfg(not(feature = "ecdsa"))]
fn curve_verify(
    _: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    _: Algorithm,
) {
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(100)
}

criterion_group! {
    name = benches;
    config = config();
    targets = floor, sign_hot, sign_http, verify, aws_sigv4, roundtrip, algorithms
}
criterion_main!(benches);
