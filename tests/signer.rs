//! The signer's behaviour on `http::Request` and on the borrowed view: what it adds, what it
//! refuses, and that it never leaks a secret.

use chrono::{TimeZone, Utc};
use huaweicloud_aksk::{
    Credentials, Payload, PayloadHashing, SdkDate, SignError, SignableRequest, Signer,
    SigningBuffer,
};

const AK: &str = "HWCEXAMPLEAK0123TEST";
const SK: &str = "HWCexampleSK0123456789abcdefghijklmnopqrST";
const PID: &str = "0123456789abcdef0123456789abcdef";
const URL: &str = "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211";
/// The official Python SDK's signature of the DeleteRemuxTask request with X-Project-Id only.
const SIGNATURE: &str = "0858fa456de9c16562ad955eb067f9b43d1c2d8e82094d19e6df7eeb7ab5e092";

fn signer() -> Signer {
    Signer::new(Credentials::new(AK, SK))
}

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap()
}

fn delete() -> http::Request<Vec<u8>> {
    http::Request::delete(URL)
        .header("X-Project-Id", PID)
        .body(Vec::new())
        .unwrap()
}

#[test]
fn sign_at_adds_date_host_and_a_sensitive_authorization() {
    let mut req = delete();
    signer().sign_at(&mut req, at()).unwrap();
    let h = req.headers();
    assert_eq!(h["x-sdk-date"], "20261128T043500Z");
    assert_eq!(h["host"], "mpc.cn-north-4.myhuaweicloud.com");
    assert_eq!(
        h["authorization"],
        format!(
            "SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host;x-project-id;x-sdk-date, Signature={SIGNATURE}"
        )
        .as_str()
    );
    assert!(h["authorization"].is_sensitive());
    assert_eq!(h.len(), 4);
    assert_eq!(req.uri().to_string(), URL);
}

#[test]
fn sign_at_and_the_borrowed_view_agree() {
    let req = delete();
    let details = signer().details_at(&req, at()).unwrap();
    let headers = [("X-Project-Id", PID)];
    let view = SignableRequest::new("DELETE", URL)
        .unwrap()
        .with_headers(&headers);
    let mut buf = SigningBuffer::new();
    let signed = signer()
        .sign_into(&view, SdkDate::parse("20261128T043500Z").unwrap(), &mut buf)
        .unwrap();
    assert_eq!(details.signature, SIGNATURE);
    assert_eq!(signed.signature(), SIGNATURE);
    assert_eq!(details.canonical_request, signed.canonical_request());
    assert_eq!(details.authorization, signed.authorization());
}

#[test]
fn a_caller_supplied_date_is_used_as_given() {
    let mut req = delete();
    req.headers_mut()
        .insert("X-Sdk-Date", "20200101T000000Z".parse().unwrap());
    signer().sign_at(&mut req, at()).unwrap();
    assert_eq!(req.headers()["x-sdk-date"], "20200101T000000Z");
    let d = signer().details_at(&req, at()).unwrap();
    assert!(d.string_to_sign.contains("\n20200101T000000Z\n"));
}

#[test]
fn a_malformed_caller_date_is_refused() {
    let mut req = delete();
    req.headers_mut()
        .insert("X-Sdk-Date", "2020-01-01".parse().unwrap());
    let before = req.headers().clone();
    assert_eq!(
        signer().sign_at(&mut req, at()),
        Err(SignError::InvalidSdkDate)
    );
    assert_eq!(req.headers(), &before);
}

#[test]
fn a_caller_supplied_host_is_kept_and_signed() {
    let mut req = delete();
    req.headers_mut()
        .insert("Host", "virtual.example.com".parse().unwrap());
    let d = signer().details_at(&req, at()).unwrap();
    assert!(d.canonical_request.contains("\nhost:virtual.example.com\n"));
    signer().sign_at(&mut req, at()).unwrap();
    assert_eq!(req.headers()["host"], "virtual.example.com");
}

#[test]
fn the_query_sent_is_the_canonical_query() {
    let mut req = http::Request::get("https://h.example.com/x?b=2&a=1&&c&d=%7e+")
        .body(Vec::new())
        .unwrap();
    signer().sign_at(&mut req, at()).unwrap();
    assert_eq!(
        req.uri().to_string(),
        "https://h.example.com/x?a=1&b=2&c=&d=~%2B"
    );
    let mut req = http::Request::get("https://h.example.com/x?&&")
        .body(Vec::new())
        .unwrap();
    signer().sign_at(&mut req, at()).unwrap();
    assert_eq!(req.uri().to_string(), "https://h.example.com/x");
}

#[test]
fn temporary_credentials_send_a_signed_sensitive_security_token() {
    let s = Signer::new(Credentials::new(AK, SK).with_security_token("tok-en"));
    let mut req = delete();
    s.sign_at(&mut req, at()).unwrap();
    assert_eq!(req.headers()["x-security-token"], "tok-en");
    assert!(req.headers()["x-security-token"].is_sensitive());
    let auth = req.headers()["authorization"].to_str().unwrap();
    assert!(auth.contains("SignedHeaders=host;x-project-id;x-sdk-date;x-security-token,"));
}

#[test]
fn a_non_json_content_type_is_signed_as_unsigned_payload_unless_told_otherwise() {
    let req = http::Request::put("https://obs.example.com/o")
        .header("Content-Type", "application/octet-stream")
        .body(b"\x00\x01binary".to_vec())
        .unwrap();
    let d = signer().details_at(&req, at()).unwrap();
    assert!(d.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
    assert!(
        d.added_headers
            .contains(&("X-Sdk-Content-Sha256".into(), "UNSIGNED-PAYLOAD".into()))
    );
    let d = signer()
        .with_payload_hashing(PayloadHashing::Always)
        .details_at(&req, at())
        .unwrap();
    // sha256 of the body bytes
    assert!(
        d.canonical_request
            .ends_with("\nf8c1ccc7df7243da4740c5b7875f88b70e3f935d99c7b37a5f7239d152d994e6")
    );
    assert!(
        d.added_headers
            .iter()
            .all(|(n, _)| n != "X-Sdk-Content-Sha256")
    );
}

#[test]
fn payload_can_be_given_as_a_hash_or_left_unsigned() {
    let mut buf = SigningBuffer::new();
    let date = SdkDate::parse("20261128T043500Z").unwrap();
    let hash = "5d41402abc4b2a76b9719d911017c592aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let req = SignableRequest::new("PUT", "https://h.example.com/x")
        .unwrap()
        .with_payload(Payload::Sha256Hex(hash));
    let signed = signer().sign_into(&req, date, &mut buf).unwrap();
    assert!(signed.canonical_request().ends_with(hash));
    let req = req.with_payload(Payload::Unsigned);
    let signed = signer().sign_into(&req, date, &mut buf).unwrap();
    assert!(signed.canonical_request().ends_with("\nUNSIGNED-PAYLOAD"));
    assert!(
        signed
            .headers_to_add()
            .any(|h| h == ("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"))
    );
}

#[test]
fn bad_credentials_are_refused_with_a_clear_error_and_the_request_untouched() {
    let cases = [
        (Credentials::new("", SK), SignError::EmptyAccessKey),
        (Credentials::new(AK, ""), SignError::EmptySecretKey),
    ];
    for (creds, want) in cases {
        let mut req = delete();
        assert_eq!(Signer::new(creds).sign_at(&mut req, at()), Err(want));
        assert_eq!(req.headers().len(), 1);
    }
    for creds in [
        Credentials::new("AK,EVIL", SK),
        Credentials::new("AK\r\nX: y", SK),
        Credentials::new(" AK", SK),
        Credentials::new(AK, "sk-from-a-file\n"),
        Credentials::new(AK, " sk"),
        Credentials::new(AK, SK).with_security_token("a\r\nb"),
        Credentials::new(AK, SK).with_security_token(""),
    ] {
        let mut req = delete();
        let err = Signer::new(creds.clone())
            .sign_at(&mut req, at())
            .unwrap_err();
        assert!(
            matches!(
                err,
                SignError::InvalidAccessKey { .. }
                    | SignError::InvalidSecretKey { .. }
                    | SignError::InvalidSecurityToken { .. }
            ),
            "{err:?}"
        );
        assert_eq!(req.headers().len(), 1, "request changed on {err}");
        assert!(!err.to_string().contains("sk-from-a-file"));
    }
}

#[test]
fn header_values_with_cr_lf_nul_or_controls_are_refused() {
    let date = SdkDate::parse("20261128T043500Z").unwrap();
    let mut buf = SigningBuffer::new();
    for (value, reason) in [
        ("a\rb", "CR or LF"),
        ("a\nb", "CR or LF"),
        ("a\0b", "NUL"),
        ("a\x07b", "control"),
        ("a\x7fb", "control"),
    ] {
        let headers = [("X-Project-Id", PID), ("X-Custom", value)];
        let req = SignableRequest::new("DELETE", URL)
            .unwrap()
            .with_headers(&headers);
        let err = signer().sign_into(&req, date, &mut buf).unwrap_err();
        assert!(
            matches!(&err, SignError::InvalidHeaderValue { name, .. } if name == "X-Custom"),
            "{err:?}"
        );
        assert!(err.to_string().contains(reason), "{err}");
        assert!(!err.to_string().contains(value), "the value is never shown");
    }
    // A tab is allowed inside a value.
    let headers = [("X-Custom", "a\tb")];
    let req = SignableRequest::new("GET", URL)
        .unwrap()
        .with_headers(&headers);
    assert!(signer().sign_into(&req, date, &mut buf).is_ok());
}

#[test]
fn invalid_header_names_and_methods_are_refused() {
    let date = SdkDate::parse("20261128T043500Z").unwrap();
    let mut buf = SigningBuffer::new();
    for name in ["", "Bad Name", "X:Y", "X\r\nY", "é"] {
        let headers = [(name, "v")];
        let req = SignableRequest::new("GET", URL)
            .unwrap()
            .with_headers(&headers);
        assert!(matches!(
            signer().sign_into(&req, date, &mut buf),
            Err(SignError::InvalidHeaderName { .. })
        ));
    }
    for method in ["", "GE T", "GET\r\n", "GÉT"] {
        let req = SignableRequest::new(method, URL).unwrap();
        assert_eq!(
            signer().sign_into(&req, date, &mut buf).unwrap_err(),
            SignError::InvalidMethod
        );
    }
}

#[test]
fn an_authority_with_outer_white_space_is_refused_as_the_host_to_add() {
    // The receiver trims the Host header it gets: it would check another value than the
    // one signed.
    let date = SdkDate::parse("20261128T043500Z").unwrap();
    let mut buf = SigningBuffer::new();
    for authority in ["\u{a0}", "h.example.com\u{3000}", "\u{2003}h.example.com"] {
        let req = SignableRequest::from_parts("GET", Some(authority), "/v1/x", "");
        assert_eq!(
            signer().sign_into(&req, date, &mut buf).unwrap_err(),
            SignError::InvalidHeaderValue {
                name: "host".into(),
                reason: "has leading or trailing whitespace",
            },
            "{authority:?}"
        );
        // Given as a Host header, it is signed trimmed, as every header value.
        let headers = [("Host", authority)];
        let req = SignableRequest::new("GET", "/v1/x")
            .unwrap()
            .with_headers(&headers);
        assert!(
            signer().sign_into(&req, date, &mut buf).is_ok(),
            "{authority:?}"
        );
    }
}

#[test]
fn a_request_without_a_host_is_refused() {
    let date = SdkDate::parse("20261128T043500Z").unwrap();
    let mut buf = SigningBuffer::new();
    let req = SignableRequest::new("GET", "/v1/x").unwrap();
    assert_eq!(
        signer().sign_into(&req, date, &mut buf).unwrap_err(),
        SignError::MissingHost
    );
    let mut req = http::Request::get("/v1/x").body(Vec::new()).unwrap();
    assert_eq!(
        signer().sign_at(&mut req, at()),
        Err(SignError::MissingHost)
    );
    assert!(req.headers().is_empty());
    // With a Host header, origin form is fine.
    let headers = [("Host", "h.example.com")];
    let req = SignableRequest::new("GET", "/v1/x")
        .unwrap()
        .with_headers(&headers);
    assert!(signer().sign_into(&req, date, &mut buf).is_ok());
}

#[test]
fn a_header_value_that_is_not_utf8_is_refused_and_the_request_untouched() {
    let mut req = delete();
    req.headers_mut().insert(
        "X-Latin1",
        http::HeaderValue::from_bytes(b"caf\xe9").unwrap(),
    );
    let before = req.headers().clone();
    let err = signer().sign_at(&mut req, at()).unwrap_err();
    assert!(matches!(err, SignError::InvalidHeaderValue { .. }));
    assert_eq!(req.headers(), &before);
    assert_eq!(req.uri().to_string(), URL);
}

#[test]
fn the_secret_key_and_token_never_appear_in_debug_display_or_errors() {
    let secret = "SECRET-sk-value-0123456789";
    let token = "SECRET-token-value-0123456789";
    let creds = Credentials::new(AK, secret).with_security_token(token);
    let s = Signer::new(creds.clone());
    let mut req = delete();
    let details = s.details_at(&req, at()).unwrap();
    s.sign_at(&mut req, at()).unwrap();
    let mut shown = vec![
        format!("{creds:?}"),
        format!("{:?}", creds.secret_key()),
        format!("{s:?}"),
        format!("{details:?}"),
        format!("{:?}", req.headers()),
    ];
    for bad in [
        Credentials::new(AK, format!("{secret}\n")),
        Credentials::new("", secret),
        Credentials::new(AK, secret).with_security_token(format!("{token}\r")),
    ] {
        let e = Signer::new(bad.clone())
            .sign_at(&mut delete(), at())
            .unwrap_err();
        shown.push(e.to_string());
        shown.push(format!("{e:?}"));
        shown.push(format!("{bad:?}"));
    }
    for text in shown {
        assert!(!text.contains("SECRET"), "leak in {text}");
    }
    assert!(format!("{creds:?}").contains(AK), "the access key is shown");
}
