//! The verifier's `Authorization` parser, `Authorization::parse`, on arbitrary text, and the
//! verifier's header scan with that text as the `Authorization` header.
//!
//! Invariants: no panic; what is accepted is exactly the canonical form
//! `ALG Access=AK, SignedHeaders=a;b, Signature=<lower-case hex>` (for V11,
//! `Credential=AK/YYYYMMDD/region/service`; outer whitespace aside), with a non-empty
//! access key without outer spaces, commas or control characters, sorted, unique,
//! lower-case header names, and a signature of the algorithm's length; every error
//! describes itself, and echoes at most 128 characters of the input.
#![no_main]

use chrono::{DateTime, Utc};
use huaweicloud_aksk::verify::{Authorization, Verifier, VerifyError};
use huaweicloud_aksk::{Algorithm, Credentials, SignableRequest, Signer};
use libfuzzer_sys::fuzz_target;

fn check_error(e: &VerifyError, input: &str) {
    let shown = e.to_string();
    let msg = e.error_msg();
    assert_eq!(e.status(), 401);
    assert!(msg.starts_with("Incorrect IAM authentication information: "));
    // At most 128 characters (and "...") of the input are echoed back.
    if let VerifyError::UnsupportedAlgorithm { algorithm } = e {
        assert!(algorithm.chars().count() <= 131, "{}", algorithm.len());
    }
    let _ = (shown, input);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Authorization::parse(text) {
        Ok(auth) => {
            let ak = auth.access_key();
            assert!(!ak.is_empty());
            assert!(!ak.starts_with(' ') && !ak.ends_with(' '), "{ak:?}");
            assert!(!ak.bytes().any(|b| b.is_ascii_control() || b == b','));
            let algorithm = auth.algorithm();
            let sig = auth.signature();
            assert!(sig.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
            if matches!(
                algorithm,
                Algorithm::SdkEcdsaP256Sha256 | Algorithm::SdkSm2Sm3
            ) {
                assert!(sig.len() % 2 == 0 && (16..=144).contains(&sig.len()));
            } else {
                assert_eq!(sig.len(), 64);
            }
            let names: Vec<&str> = auth.signed_headers().collect();
            assert!(!names.is_empty());
            assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
            for name in &names {
                assert!(!name.is_empty());
                assert!(!name.bytes().any(|b| b.is_ascii_uppercase() || b == b';'));
                assert!(auth.is_signed(name));
                assert!(auth.is_signed(&name.to_ascii_uppercase()));
            }
            // Strict: what is accepted is the canonical form.
            let first = match auth.credential_scope() {
                Some(scope) => {
                    assert_eq!(algorithm, Algorithm::V11HmacSha256);
                    let parts: Vec<&str> = scope.split('/').collect();
                    assert_eq!(parts.len(), 3, "{scope}");
                    assert!(parts[0].len() == 8 && parts[0].bytes().all(|b| b.is_ascii_digit()));
                    format!("Credential={ak}/{scope}")
                }
                None => {
                    assert_ne!(algorithm, Algorithm::V11HmacSha256);
                    format!("Access={ak}")
                }
            };
            let canonical = format!(
                "{} {first}, SignedHeaders={}, Signature={sig}",
                algorithm.name(),
                auth.signed_headers_str()
            );
            assert_eq!(canonical, text.trim());
            let again = Authorization::parse(&canonical).expect("the canonical form parses");
            assert_eq!(again, auth);
        }
        Err(e) => check_error(&e, text),
    }

    // The same text as the Authorization header of a request.
    let signer = Signer::new(Credentials::new("AK", "SK"));
    let verifier = Verifier::new(signer);
    let headers = [
        ("Host", "127.0.0.1"),
        ("X-Sdk-Date", "20261128T043500Z"),
        ("Authorization", text),
    ];
    let now = DateTime::<Utc>::from_timestamp(1_795_840_500, 0).unwrap_or_default();
    if let Ok(req) = SignableRequest::new("DELETE", "/v1/p/remux/task?task_id=1") {
        let req = req.with_headers(&headers);
        match verifier.verify(&req, now) {
            // A random signature never matches.
            Ok(v) => panic!("accepted a fuzzed Authorization: {v:?}"),
            Err(e) => check_error(&e, text),
        }
    }
});
