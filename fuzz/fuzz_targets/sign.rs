//! Canonicalisation and signing of arbitrary request parts, through `SignableRequest` +
//! `Signer::sign_into` and through `Signer::sign_at` on an `http::Request` built from the
//! same bytes.
//!
//! Invariants: no panic; a signature is 64 lower-case hex digits; the `Authorization` value
//! is exactly `ALG Access=AK, SignedHeaders=..., Signature=...`; the canonical request has
//! its six parts in order and its hash is in the string to sign; signing is deterministic,
//! independent of header order and of the order of query parameters; the canonical query
//! is a fixed point; on error an `http::Request` is left exactly as it was, and on success
//! signing it again gives the same `Authorization`.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, Utc};
use huaweicloud_aksk::{
    Algorithm, Credentials, Payload, PayloadHashing, SdkDate, SignableRequest, Signer, SigningBuffer,
};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    ak: &'a str,
    sk: &'a str,
    token: Option<&'a str>,
    algorithm: u8,
    region: &'a str,
    service: &'a str,
    always_hash: bool,
    method: &'a str,
    url: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
    payload: u8,
    payload_hex: &'a str,
    /// Seconds since 1970; wrapped into the years 0000-9999 most of the time.
    at: i64,
}

/// The algorithm of `n`; the elliptic-curve ones are slow to set up and are left to the
/// test suite.
fn algorithm(n: u8) -> Algorithm {
    match n % 4 {
        0 | 3 => Algorithm::SdkHmacSha256,
        1 => Algorithm::V11HmacSha256,
        _ => Algorithm::SdkHmacSm3,
    }
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// How many headers of `headers` are called `name` (any case).
fn count(headers: &[(&str, &str)], name: &str) -> usize {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .count()
}

fn time(at: i64) -> DateTime<Utc> {
    // 0000-01-01 .. 9999-12-31, mostly; any other value is kept as it is.
    const MIN: i64 = -62_167_219_200;
    const SPAN: i64 = 315_569_520_000;
    let secs = if at % 7 == 0 {
        at
    } else {
        MIN + at.rem_euclid(SPAN)
    };
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fuzz_target!(|input: Input<'_>| {
    let mut credentials = Credentials::new(input.ak, input.sk);
    if let Some(token) = input.token {
        credentials = credentials.with_security_token(token);
    }
    let algorithm = algorithm(input.algorithm);
    let signer = Signer::new(credentials)
        .with_algorithm(algorithm)
        .with_derived_scope(input.region, input.service)
        .with_payload_hashing(if input.always_hash {
            PayloadHashing::Always
        } else {
            PayloadHashing::UnsignedForNonJson
        });
    let at = time(input.at);
    let Ok(date) = SdkDate::from_datetime(at) else {
        return;
    };
    // A date that formats always parses back.
    assert_eq!(SdkDate::parse(date.as_str()), Ok(date));

    let payload = match input.payload % 3 {
        0 => Payload::Bytes(input.body),
        1 => Payload::Unsigned,
        _ => Payload::Sha256Hex(input.payload_hex),
    };

    if let Ok(req) = SignableRequest::new(input.method, input.url) {
        let req = req.with_headers(&input.headers).with_payload(payload);
        sign_view(&signer, algorithm, &req, &input, date);
    }
    // The same parts, unchecked, through from_parts.
    let raw = SignableRequest::from_parts(input.method, Some(input.ak), input.url, input.region)
        .with_headers(&input.headers);
    let _ = signer.sign_into(&raw, date, &mut SigningBuffer::new());

    sign_http(&signer, &input, at);
});

fn sign_view(
    signer: &Signer,
    algorithm: Algorithm,
    req: &SignableRequest<'_>,
    input: &Input<'_>,
    date: SdkDate,
) {
    let mut buf = SigningBuffer::new();
    let Ok(signed) = signer.sign_into(req, date, &mut buf) else {
        return;
    };
    let details = signed.to_details();
    let signature = signed.signature();
    assert_eq!(signature.len(), 64, "{signature}");
    assert!(is_lower_hex(signature), "{signature}");

    // SignedHeaders: sorted, unique, lower case, with host and x-sdk-date, no authorization
    // and no name with '_'.
    let names: Vec<&str> = signed.signed_headers().split(';').collect();
    assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    assert!(
        names.contains(&"host") && names.contains(&"x-sdk-date"),
        "{names:?}"
    );
    for name in &names {
        assert!(!name.is_empty() && !name.contains('_') && *name != "authorization");
        assert!(!name.bytes().any(|b| b.is_ascii_uppercase()), "{name}");
    }

    // Authorization, exactly.
    let ak = signer.credentials().access_key();
    let expected = if algorithm == Algorithm::V11HmacSha256 {
        format!(
            "V11-HMAC-SHA256 Credential={ak}/{}/{}/{}, SignedHeaders={}, Signature={signature}",
            signed.date().day(),
            input.region,
            input.service,
            signed.signed_headers()
        )
    } else {
        format!(
            "{} Access={ak}, SignedHeaders={}, Signature={signature}",
            algorithm.name(),
            signed.signed_headers()
        )
    };
    assert_eq!(signed.authorization(), expected);

    // The canonical request: method, URI, query, headers, blank, signed headers, hash.
    let canonical = signed.canonical_request();
    let lines: Vec<&str> = canonical.split('\n').collect();
    let hex_payload = match req_payload(input) {
        Payload::Sha256Hex(hex) => hex.len() == 64 && is_lower_hex(hex),
        _ => true,
    };
    if hex_payload {
        assert!(lines.len() >= 6, "{canonical:?}");
        assert_eq!(lines[0], input.method.to_ascii_uppercase());
        assert!(
            lines[1].starts_with('/') && lines[1].ends_with('/'),
            "{:?}",
            lines[1]
        );
        assert_eq!(lines[2], signed.canonical_query());
        let n = lines.len();
        assert_eq!(lines[n - 2], signed.signed_headers());
        assert_eq!(lines[n - 3], "");
        // One header line per signed header value, each "name:value".
        for line in &lines[3..n - 3] {
            let (name, _) = line.split_once(':').expect("a header line has a colon");
            assert!(names.contains(&name), "{name}");
        }
        if algorithm != Algorithm::SdkHmacSm3 {
            let payload_hash = lines[n - 1];
            assert!(
                payload_hash == "UNSIGNED-PAYLOAD"
                    || (payload_hash.len() == 64 && is_lower_hex(payload_hash))
                    || count(&input.headers, "x-sdk-content-sha256") > 0,
                "{payload_hash:?}"
            );
        }
    }
    if algorithm == Algorithm::SdkHmacSha256 {
        let sts = format!(
            "SDK-HMAC-SHA256\n{}\n{}",
            signed.date(),
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        assert_eq!(signed.string_to_sign(), sts);
    }
    for (name, value) in signed.headers_to_add() {
        assert!(!value.contains(['\r', '\n', '\0']), "{name}");
    }
    assert_eq!(
        signed.headers_to_add().last().map(|(n, _)| n),
        Some("Authorization")
    );

    // Deterministic, whatever buffer is used.
    let mut again = SigningBuffer::new();
    let second = signer
        .sign_into(req, date, &mut again)
        .expect("signs twice");
    assert_eq!(second.to_details(), details);

    // Header order does not matter, unless a header whose first value is used is repeated.
    let first_wins = [
        "x-sdk-date",
        "x-sdk-content-sha256",
        "x-sdk-content-sm3",
        "content-type",
    ];
    if first_wins.iter().all(|n| count(&input.headers, n) <= 1) {
        let reversed: Vec<(&str, &str)> = input.headers.iter().rev().copied().collect();
        let req2 = req.with_headers(&reversed);
        let mut b = SigningBuffer::new();
        let s2 = signer
            .sign_into(&req2, date, &mut b)
            .expect("reordered headers sign");
        assert_eq!(s2.canonical_request(), canonical);
    }

    // Query order does not matter, and the canonical query is a fixed point.
    let query = req.query();
    let reversed_query: Vec<&str> = query.split('&').rev().collect();
    let reversed_query = reversed_query.join("&");
    let canonical_query = signed.canonical_query().to_owned();
    for q in [reversed_query.as_str(), canonical_query.as_str()] {
        let req2 = SignableRequest::from_parts(req.method(), req.authority(), req.path(), q)
            .with_headers(&input.headers)
            .with_payload(req_payload(input));
        let mut b = SigningBuffer::new();
        let s2 = signer
            .sign_into(&req2, date, &mut b)
            .expect("reordered query signs");
        assert_eq!(s2.canonical_query(), canonical_query, "query {q:?}");
        assert_eq!(s2.signature(), details.signature);
    }
}

fn req_payload<'a>(input: &Input<'a>) -> Payload<'a> {
    match input.payload % 3 {
        0 => Payload::Bytes(input.body),
        1 => Payload::Unsigned,
        _ => Payload::Sha256Hex(input.payload_hex),
    }
}

fn sign_http(signer: &Signer, input: &Input<'_>, at: DateTime<Utc>) {
    let Ok(method) = http::Method::from_bytes(input.method.as_bytes()) else {
        return;
    };
    let Ok(uri) = http::Uri::try_from(input.url) else {
        return;
    };
    let mut req = http::Request::new(input.body.to_vec());
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    for (name, value) in &input.headers {
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            req.headers_mut().append(n, v);
        }
    }
    let before_headers = req.headers().clone();
    let before_uri = req.uri().clone();
    let before_method = req.method().clone();

    match signer.sign_at(&mut req, at) {
        Err(_) => {
            assert_eq!(req.headers(), &before_headers);
            assert_eq!(req.uri(), &before_uri);
            assert_eq!(req.method(), &before_method);
            assert_eq!(req.body(), input.body);
        }
        Ok(()) => {
            let authorization = &req.headers()["authorization"];
            assert!(authorization.is_sensitive());
            if let Some(token) = req.headers().get("x-security-token") {
                if before_headers.get("x-security-token").is_none() {
                    assert!(token.is_sensitive());
                }
            }
            assert!(req.headers().contains_key("x-sdk-date"));
            assert!(req.headers().contains_key("host"));
            assert_eq!(req.uri().path(), before_uri.path());
            assert_eq!(req.method(), &before_method);
            // Every header the caller gave is still there (Authorization aside).
            for (name, value) in &before_headers {
                if name != "authorization" {
                    assert!(req.headers().get_all(name).iter().any(|v| v == value));
                }
            }
            // Signing the signed request again, at the same time, gives the same answer.
            let details = signer
                .details_at(&req, at)
                .expect("a signed request signs again");
            // Compared as bytes: an access key may hold UTF-8, which `to_str` refuses.
            assert_eq!(authorization.as_bytes(), details.authorization.as_bytes());
            assert_eq!(req.uri().query().unwrap_or(""), details.canonical_query);
        }
    }
}
