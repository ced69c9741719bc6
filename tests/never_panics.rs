//! No public entry point of the signer panics, whatever strings and bytes it is given.

use huaweicloud_aksk::{Credentials, Payload, SdkDate, SignableRequest, Signer, SigningBuffer};
use proptest::prelude::*;

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,40}",
        "[a-zA-Z0-9%/?&=+~:@\\[\\]._ -]{0,60}",
        Just("%".to_string()),
        Just("%F0%9F".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn signing_arbitrary_parts_never_panics(
        ak in any_text(),
        sk in any_text(),
        token in proptest::option::of(any_text()),
        method in any_text(),
        url in any_text(),
        headers in proptest::collection::vec((any_text(), any_text()), 0..6),
        body in proptest::collection::vec(any::<u8>(), 0..64),
        date in any_text(),
        unsigned in any::<bool>(),
    ) {
        let mut creds = Credentials::new(ak, sk);
        if let Some(t) = token {
            creds = creds.with_security_token(t);
        }
        let signer = Signer::new(creds);
        let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let mut buf = SigningBuffer::new();
        let _ = SdkDate::parse(&date);
        let date = SdkDate::parse("20261128T043500Z").unwrap();
        if let Ok(req) = SignableRequest::new(&method, &url) {
            let payload = if unsigned { Payload::Unsigned } else { Payload::Bytes(&body) };
            let req = req.with_headers(&pairs).with_payload(payload);
            if let Ok(signed) = signer.sign_into(&req, date, &mut buf) {
                prop_assert_eq!(signed.signature().len(), 64);
                let _ = signed.to_details();
            }
        }
        let req = SignableRequest::from_parts(&method, Some(url.as_str()), &url, &url).with_headers(&pairs);
        let _ = signer.sign_into(&req, date, &mut buf);
    }

    #[test]
    fn signing_arbitrary_http_requests_never_panics(
        path_and_query in "/[a-zA-Z0-9%/?&=+~:@._-]{0,60}",
        host in "[a-z0-9.-]{1,20}(:[0-9]{1,5})?",
        headers in proptest::collection::vec(("[a-zA-Z0-9_-]{1,12}", proptest::collection::vec(any::<u8>(), 0..24)), 0..6),
        body in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let signer = Signer::new(Credentials::new("AK", "SK"));
        let Ok(mut req) = http::Request::post(format!("https://{host}{path_and_query}")).body(body) else {
            return Ok(());
        };
        for (n, v) in &headers {
            if let (Ok(n), Ok(v)) = (http::HeaderName::from_bytes(n.as_bytes()), http::HeaderValue::from_bytes(v)) {
                req.headers_mut().append(n, v);
            }
        }
        let before = req.headers().clone();
        let uri = req.uri().clone();
        let at = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        if signer.sign_at(&mut req, at).is_err() {
            prop_assert_eq!(req.headers(), &before);
            prop_assert_eq!(req.uri(), &uri);
        }
    }
}
