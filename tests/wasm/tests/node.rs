//! Signing on wasm32-unknown-unknown, run under node by `wasm-bindgen-test-runner`
//! (`scripts/wasm-check`): every SDK-HMAC-SHA256 vector of the official Python SDK signs to
//! its known answer, the verifier accepts what the signer makes, and with the `wasm-clock`
//! feature `Signer::sign` reads node's clock.
use huaweicloud_aksk::verify::{KeySet, Verifier};
use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};
use serde::Deserialize;
use wasm_bindgen_test::wasm_bindgen_test;

const VECTORS: &str = include_str!("../../../test-vectors/sdk-hmac-sha256.json");

#[derive(Deserialize)]
struct File {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    input: Input,
    expected: Expected,
}

#[derive(Deserialize)]
struct Input {
    ak: String,
    sk: String,
    security_token: Option<String>,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: String,
    sdk_date: String,
}

#[derive(Deserialize)]
struct Expected {
    canonical_request: String,
    string_to_sign: String,
    signed_headers: String,
    signature: String,
    authorization: String,
    headers: Vec<(String, String)>,
    url: String,
}

fn vectors() -> Vec<Vector> {
    let file: File =
        serde_json::from_str(VECTORS).expect("test-vectors/sdk-hmac-sha256.json parses");
    assert!(
        file.vectors.len() >= 70,
        "the file holds every vector, not a few"
    );
    file.vectors
}

fn credentials(input: &Input) -> Credentials {
    let credentials = Credentials::new(input.ak.as_str(), input.sk.as_str());
    match &input.security_token {
        Some(token) => credentials.with_security_token(token.as_str()),
        None => credentials,
    }
}

/// A header list as a set of (lower-case name, trimmed value), to compare.
fn comparable<N: AsRef<str>, V: AsRef<str>>(
    headers: impl IntoIterator<Item = (N, V)>,
) -> Vec<(String, String)> {
    let mut out: Vec<_> = headers
        .into_iter()
        .map(|(n, v)| {
            (
                n.as_ref().to_ascii_lowercase(),
                v.as_ref().trim().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[wasm_bindgen_test]
fn every_vector_signs_to_the_known_answer_under_node() {
    for v in vectors() {
        let signer = Signer::new(credentials(&v.input));
        let headers: Vec<(&str, &str)> = v
            .input
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let req = SignableRequest::new(&v.input.method, &v.input.url)
            .expect("the vector's URL parses")
            .with_headers(&headers)
            .with_body(v.input.body.as_bytes());
        let date = SdkDate::parse(&v.input.sdk_date).expect("the vector's date parses");
        let mut buf = SigningBuffer::new();
        let signed = signer
            .sign_into(&req, date, &mut buf)
            .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let e = &v.expected;
        assert_eq!(
            signed.canonical_request(),
            e.canonical_request,
            "{}",
            v.name
        );
        assert_eq!(signed.string_to_sign(), e.string_to_sign, "{}", v.name);
        assert_eq!(signed.signed_headers(), e.signed_headers, "{}", v.name);
        assert_eq!(signed.signature(), e.signature, "{}", v.name);
        assert_eq!(signed.authorization(), e.authorization, "{}", v.name);
        assert_eq!(signed.url_to_send(&v.input.url), e.url, "{}", v.name);
        let added = signed
            .headers_to_add()
            .map(|(n, v)| (n.to_owned(), v.to_owned()));
        let sent = comparable(v.input.headers.iter().cloned().chain(added));
        let want = comparable(e.headers.iter().cloned());
        assert_eq!(sent, want, "{}", v.name);
    }
}

/// The exported function a JavaScript host calls gives the vector's headers.
#[wasm_bindgen_test]
fn the_exported_function_signs_the_first_vector() {
    let v = vectors().remove(0);
    let headers: String = v
        .input
        .headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}\n"))
        .collect();
    let added = huaweicloud_aksk_wasm_tests::sign_headers(
        &v.input.ak,
        &v.input.sk,
        v.input.security_token.clone(),
        &v.input.method,
        &v.input.url,
        &headers,
        v.input.body.as_bytes(),
        &v.input.sdk_date,
    )
    .unwrap_or_else(|_| panic!("{} signs", v.name));
    let added = added
        .lines()
        .map(|l| l.split_once(": ").expect("Name: value"));
    let sent = comparable(
        v.input
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .chain(added),
    );
    let want = comparable(v.expected.headers.iter().cloned());
    assert_eq!(sent, want);
}

/// `Signer::sign_at` on an `http::Request` and the verifier, both under node, with the
/// vector's date.
#[wasm_bindgen_test]
fn sign_at_with_a_given_date_verifies_under_node() {
    let v = vectors().remove(0);
    let credentials = credentials(&v.input);
    let mut builder = http::Request::builder()
        .method(v.input.method.as_str())
        .uri(v.input.url.as_str());
    for (name, value) in &v.input.headers {
        builder = builder.header(name, value);
    }
    let mut req = builder
        .body(v.input.body.clone().into_bytes())
        .expect("the vector's request builds");
    let at = chrono::NaiveDateTime::parse_from_str(&v.input.sdk_date, "%Y%m%dT%H%M%SZ")
        .expect("the vector's date parses")
        .and_utc();
    Signer::new(credentials.clone())
        .sign_at(&mut req, at)
        .expect("the vector signs");
    assert_eq!(
        req.headers()["authorization"],
        v.expected.authorization.as_str()
    );

    let verifier = Verifier::new(KeySet::from_iter([credentials]));
    let verified = verifier
        .verify_http(&req, at + chrono::TimeDelta::minutes(2))
        .expect("what the signer made verifies");
    assert_eq!(verified.access_key(), v.input.ak);
    let tampered = {
        let mut r = req.clone();
        r.headers_mut()
            .insert("x-project-id", http::HeaderValue::from_static("another"));
        r
    };
    assert!(
        verifier.verify_http(&tampered, at).is_err(),
        "a changed signed header is refused"
    );
}

/// With `wasm-clock`, `Signer::sign` reads the time from `Date.now()`: the date it signs is
/// node's, and the verifier accepts the request at node's time.
#[cfg(feature = "wasm-clock")]
#[wasm_bindgen_test]
fn sign_reads_the_clock_through_date_now() {
    let credentials = Credentials::new(
        "HWCEXAMPLEAK0123TEST",
        "HWCexampleSK0123456789abcdefghijklmnopqrST",
    );
    let mut req = http::Request::delete(
        "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211",
    )
    .header("X-Project-Id", "0123456789abcdef0123456789abcdef")
    .body(Vec::new())
    .expect("the request builds");
    Signer::new(credentials.clone())
        .sign(&mut req)
        .expect("signing with the clock works");

    let node_millis = js_sys::Date::now();
    assert!(
        node_millis.is_finite() && node_millis > 0.0,
        "Date.now() is {node_millis}"
    );
    #[allow(clippy::cast_possible_truncation)]
    let node_now = chrono::DateTime::from_timestamp_millis(node_millis as i64)
        .expect("Date.now() is a representable time");
    let date = req.headers()["x-sdk-date"]
        .to_str()
        .expect("X-Sdk-Date is ASCII");
    let signed_at = chrono::NaiveDateTime::parse_from_str(date, "%Y%m%dT%H%M%SZ")
        .expect("X-Sdk-Date is YYYYMMDDTHHMMSSZ")
        .and_utc();
    let apart = (node_now - signed_at).abs();
    assert!(
        apart <= chrono::TimeDelta::minutes(1),
        "signed at {signed_at}, node's clock reads {node_now}"
    );

    let verifier = Verifier::new(KeySet::from_iter([credentials]));
    let verified = verifier
        .verify_http(&req, node_now)
        .expect("a request signed with the clock verifies at node's time");
    assert_eq!(verified.date().as_str(), date);
}

/// Without `wasm-clock`, `Signer::sign` cannot read the clock on wasm32-unknown-unknown: the
/// standard library panics, which aborts (traps) the module; `sign_at` with a time from the
/// host is the way (see `sign_at_with_a_given_date_verifies_under_node`).
#[cfg(not(feature = "wasm-clock"))]
#[wasm_bindgen_test]
#[should_panic(expected = "time not implemented on this platform")]
fn sign_without_wasm_clock_traps() {
    let mut req = http::Request::get("https://example.com/")
        .body(Vec::new())
        .expect("the request builds");
    let signer = Signer::new(Credentials::new("AK", "SK"));
    let _ = signer.sign(&mut req);
}
