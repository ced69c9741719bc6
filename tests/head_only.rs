//! Signing a request head alone, with a given body hash (docs/SIGNING.md §1.7): the same
//! headers as signing the whole request, accepted by the verifier with the body, and a
//! given hash that is not one refused before anything changes.

use chrono::{DateTime, TimeZone, Utc};
use huaweicloud_aksk::verify::{UnsignedPayload, Verifier, VerifyError};
use huaweicloud_aksk::{
    Algorithm, Credentials, Payload, SdkDate, SignError, SignableRequest, Signer, SigningBuffer,
};
use sha2::Digest;

const AK: &str = "HWCEXAMPLEAK0123TEST";
const SK: &str = "HWCexampleSK0123456789abcdefghijklmnopqrST";
const URL: &str =
    "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux?b=2&a=%7e1";
const BODY: &[u8] =
    br#"{"input":{"bucket":"in","object":"a b.mp4"},"output_param":{"format":"HLS"}}"#;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap()
}

fn request(content_type: &str) -> http::Request<Vec<u8>> {
    http::Request::post(URL)
        .header("X-Project-Id", "0123456789abcdef0123456789abcdef")
        .header("Content-Type", content_type)
        .body(BODY.to_vec())
        .unwrap()
}

fn sha256_hex(body: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(body))
}

/// The request signed whole, and its head signed alone with `payload`, put back together
/// with the same body.
fn both_ways(
    signer: &Signer,
    content_type: &str,
    payload: impl FnOnce(&[u8]) -> String,
) -> (http::Request<Vec<u8>>, http::Request<Vec<u8>>) {
    let mut whole = request(content_type);
    signer.sign_at(&mut whole, at()).unwrap();

    let (mut head, body) = request(content_type).into_parts();
    let hash = payload(&body);
    signer
        .sign_head_at(&mut head, Payload::from_hash(&hash).unwrap(), at())
        .unwrap();
    (whole, http::Request::from_parts(head, body))
}

fn assert_same_head(a: &http::Request<Vec<u8>>, b: &http::Request<Vec<u8>>) {
    assert_eq!(a.uri(), b.uri());
    assert_eq!(a.headers(), b.headers());
    for (name, value) in a.headers() {
        assert_eq!(
            value.is_sensitive(),
            b.headers()[name].is_sensitive(),
            "{name}"
        );
    }
}

#[test]
fn head_only_with_the_bodys_hash_gives_the_headers_of_signing_the_whole_request() {
    let signer = Signer::new(Credentials::new(AK, SK));
    let (whole, head_only) = both_ways(&signer, "application/json", sha256_hex);
    assert_same_head(&whole, &head_only);
    // The query was made canonical, and the body is hashed: no content hash header.
    assert_eq!(head_only.uri().query(), Some("a=~1&b=2"));
    assert!(head_only.headers().get("x-sdk-content-sha256").is_none());
    assert!(head_only.headers()["authorization"].is_sensitive());
}

#[test]
fn head_only_matches_the_whole_request_for_every_algorithm() {
    for algorithm in Algorithm::ALL {
        if !algorithm.is_available() || algorithm == Algorithm::V11HmacSha256 {
            continue;
        }
        let signer = Signer::new(Credentials::new(AK, SK)).with_algorithm(algorithm);
        let hash: fn(&[u8]) -> String = match algorithm.name() {
            #[cfg(feature = "sm3")]
            "SDK-HMAC-SM3" | "SDK-SM2-SM3" => |b| hex::encode(<sm3::Sm3 as sm3::Digest>::digest(b)),
            _ => sha256_hex,
        };
        let (whole, head_only) = both_ways(&signer, "application/json", hash);
        assert_same_head(&whole, &head_only);
    }
    let signer = Signer::new(Credentials::new(AK, SK))
        .with_algorithm(Algorithm::V11HmacSha256)
        .with_derived_scope("cn-north-4", "mpc");
    let (whole, head_only) = both_ways(&signer, "application/json", sha256_hex);
    assert_same_head(&whole, &head_only);
}

#[test]
fn a_non_json_body_is_unsigned_either_way_under_the_default_policy() {
    // The signer's rule for non-JSON bodies (§1.7, 2) applies to a given hash too.
    let signer = Signer::new(Credentials::new(AK, SK));
    let (whole, head_only) = both_ways(&signer, "video/mp4", sha256_hex);
    assert_same_head(&whole, &head_only);
    assert_eq!(
        head_only.headers()["x-sdk-content-sha256"],
        "UNSIGNED-PAYLOAD"
    );
}

#[test]
fn the_verifier_accepts_a_head_signed_with_the_bodys_hash() {
    let signer = Signer::new(Credentials::new(AK, SK));
    let (_, req) = both_ways(&signer, "application/json", sha256_hex);
    let verified = Verifier::new(&signer).verify_http(&req, at()).unwrap();
    assert_eq!(verified.access_key(), AK);
    assert!(verified.payload_signed());
}

#[test]
fn the_verifier_accepts_a_head_signed_as_unsigned_payload_and_says_the_body_is_not_covered() {
    let signer = Signer::new(Credentials::new(AK, SK));
    let (_, req) = both_ways(&signer, "application/json", |_| "UNSIGNED-PAYLOAD".into());
    assert_eq!(req.headers()["x-sdk-content-sha256"], "UNSIGNED-PAYLOAD");
    // By default a verifier refuses a body the signature does not cover; told to accept
    // it, it says the body is not covered.
    assert_eq!(
        Verifier::new(&signer).verify_http(&req, at()),
        Err(VerifyError::UnsignedPayload)
    );
    let verifier = Verifier::new(&signer).with_unsigned_payload(UnsignedPayload::Accept);
    let verified = verifier.verify_http(&req, at()).unwrap();
    assert!(!verified.payload_signed());
}

#[test]
fn the_verifier_refuses_a_head_signed_with_another_bodys_hash() {
    let signer = Signer::new(Credentials::new(AK, SK));
    let (_, req) = both_ways(&signer, "application/json", |_| sha256_hex(b"another body"));
    let err = Verifier::new(&signer).verify_http(&req, at()).unwrap_err();
    assert!(
        matches!(err, VerifyError::SignatureMismatch { .. }),
        "{err:?}"
    );
}

#[cfg(feature = "sm3")]
#[test]
fn an_sm3_head_signed_as_unsigned_payload_carries_the_sm3_content_header() {
    let signer = Signer::new(Credentials::new(AK, SK)).with_algorithm(Algorithm::SdkHmacSm3);
    let (mut head, _) = request("application/json").into_parts();
    signer
        .sign_head_at(&mut head, Payload::Unsigned, at())
        .unwrap();
    assert_eq!(head.headers["x-sdk-content-sm3"], "UNSIGNED-PAYLOAD");
    assert!(head.headers.get("x-sdk-content-sha256").is_none());
}

#[test]
fn a_given_hash_that_is_not_one_is_refused_and_the_head_is_unchanged() {
    let signer = Signer::new(Credentials::new(AK, SK));
    let good = sha256_hex(BODY);
    let bad = [
        String::new(),
        good.to_uppercase(),
        good[..63].to_owned(),
        format!("{good}0"),
        format!(" {good}"),
        good.replace('a', "g"),
        "unsigned-payload".to_owned(),
        "UNSIGNED-PAYLOAD ".to_owned(),
        "é".repeat(32),
    ];
    for hash in &bad {
        assert_eq!(
            Payload::from_hash(hash),
            Err(SignError::InvalidPayloadHash),
            "{hash:?}"
        );
        let (mut head, _) = request("application/json").into_parts();
        let before = (head.uri.clone(), head.headers.clone());
        assert_eq!(
            signer.sign_head_at(&mut head, Payload::Sha256Hex(hash), at()),
            Err(SignError::InvalidPayloadHash),
            "{hash:?}"
        );
        assert_eq!((head.uri, head.headers), before, "{hash:?}");
        // The borrowed view refuses it as well.
        let req = SignableRequest::new("PUT", URL)
            .unwrap()
            .with_payload(Payload::Sha256Hex(hash));
        let date = SdkDate::parse("20261128T043500Z").unwrap();
        assert_eq!(
            signer
                .sign_into(&req, date, &mut SigningBuffer::new())
                .map(|_| ()),
            Err(SignError::InvalidPayloadHash),
            "{hash:?}"
        );
    }
    let message = SignError::InvalidPayloadHash.to_string();
    assert!(message.contains("64 lower-case hex digits"), "{message}");
}

#[test]
fn the_borrowed_view_of_a_head_signs_as_the_head() {
    let signer = Signer::new(Credentials::new(AK, SK));
    let hash = sha256_hex(BODY);
    let (head, _) = request("application/json").into_parts();
    let view = SignableRequest::from_http_parts(&head).with_payload(Payload::Sha256Hex(&hash));
    let date = SdkDate::from_datetime(at()).unwrap();
    let mut buf = SigningBuffer::new();
    let signed = signer.sign_into(&view, date, &mut buf).unwrap();
    assert!(signed.canonical_request().ends_with(&format!("\n{hash}")));

    let (mut signed_head, _) = request("application/json").into_parts();
    signer
        .sign_head_at(&mut signed_head, Payload::Sha256Hex(&hash), at())
        .unwrap();
    assert_eq!(signed_head.headers["authorization"], signed.authorization());
}
