//! The verifier's `Authorization` parser, `Authorization::parse`, on arbitrary text, and the
//! verifier's header scan with that text as the `Authorization` header.
//!
//! Invariants: no panic; what is accepted is exactly the canonical form
//! `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=<64 lower-case hex>` (outer
//! whitespace aside), with a non-empty access key without outer whitespace or control
//! characters, and sorted, unique, lower-case header names; every error describes itself,
//! and echoes at most 128 characters of the input.
#![no_main]

use chrono::{DateTime, Utc};
use huaweicloud_aksk::verify::{Authorization, Verifier, VerifyError};
use huaweicloud_aksk::{Credentials, SignableRequest, Signer};
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
            assert_eq!(ak.trim(), ak);
            assert!(!ak.bytes().any(|b| b.is_ascii_control()));
            let sig = auth.signature();
            assert_eq!(sig.len(), 64);
            assert!(sig.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
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
            let canonical = format!(
                "SDK-HMAC-SHA256 Access={ak}, SignedHeaders={}, Signature={sig}",
                auth.signed_headers_str()
            );
            assert_eq!(canonical, text.trim());
            let again = Authorization::parse(&canonical).expect("the canonical form parses");
            assert_eq!(again.access_key(), ak);
            assert_eq!(again.signed_headers_str(), auth.signed_headers_str());
            assert_eq!(again.signature(), sig);
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
