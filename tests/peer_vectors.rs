//! Known answers of the official Java, Go and .NET SDKs' signer unit tests
//! (`test-vectors/peer-sdks.json`). Where those SDKs sign under other rules (Go leaves
//! `Host` unsigned, Java `Content-Type`), this crate's own signature differs; what they send
//! must verify with this crate's verifier at the test's own date.

use huaweicloud_aksk::verify::Verifier;
use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/peer-sdks.json");
    let text = std::fs::read_to_string(path).expect("read peer-sdks.json");
    let root: Value = serde_json::from_str(&text).expect("peer-sdks.json is JSON");
    root["vectors"].as_array().expect("a vectors list").clone()
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {v}"))
}

/// The request the peer SDK sends: the caller's headers, `X-Sdk-Date`, `Host` (from the
/// URL), and its `Authorization`.
fn verify_as_sent(vector: &Value, authorization: &str) -> Result<(), String> {
    let input = &vector["input"];
    let url = text(input, "url");
    let host = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['/', '?']).next())
        .expect("an absolute URL");
    let mut headers: Vec<(&str, &str)> = input["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .map(|p| (p[0].as_str().unwrap(), p[1].as_str().unwrap()))
        .collect();
    let date = text(input, "sdk_date");
    headers.extend([
        ("X-Sdk-Date", date),
        ("Host", host),
        ("Authorization", authorization),
    ]);
    let req = SignableRequest::new(text(input, "method"), url)
        .map_err(|e| e.to_string())?
        .with_headers(&headers)
        .with_body(text(input, "body").as_bytes());
    let verifier = Verifier::new(Signer::new(Credentials::new(
        text(input, "ak"),
        text(input, "sk"),
    )));
    let at = SdkDate::parse(date).expect("a valid date").to_datetime();
    verifier
        .verify(&req, at)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn every_peer_sdk_request_verifies_at_its_own_date() {
    let all = vectors();
    assert!(all.len() >= 7);
    for vector in &all {
        let name = text(vector, "name");
        let origin = &vector["origin"];
        for key in ["repo", "file", "test"] {
            assert!(!text(origin, key).is_empty(), "{name}: origin.{key}");
        }
        let authorization = text(&vector["expected"], "authorization");
        let signed = text(&vector["expected"], "signed_headers");
        assert!(
            authorization.contains(&format!("SignedHeaders={signed}, ")),
            "{name}"
        );
        if let Err(e) = verify_as_sent(vector, authorization) {
            panic!("{name}: the request the peer SDK sends does not verify: {e}");
        }
    }
}

#[test]
fn a_changed_signature_or_date_does_not_verify() {
    for vector in vectors() {
        let name = text(&vector, "name");
        let authorization = text(&vector["expected"], "authorization");
        let (head, signature) = authorization.split_once("Signature=").unwrap();
        let flipped = format!(
            "{head}Signature={}{}",
            if signature.starts_with('0') { '1' } else { '0' },
            &signature[1..]
        );
        assert!(verify_as_sent(&vector, &flipped).is_err(), "{name}");
        let mut later = vector.clone();
        later["input"]["body"] = Value::from(format!("{} ", text(&vector["input"], "body")));
        if text(&vector["input"], "method") == "POST" {
            assert!(
                verify_as_sent(&later, authorization).is_err(),
                "{name}: body changed"
            );
        }
    }
}

#[test]
fn our_own_signature_differs_exactly_where_the_file_says() {
    // A vector signed under another SDK's rules is marked as expected to fail `aksk vectors
    // check`, with the reason; one signed under ours must pass it.
    for vector in vectors() {
        let name = text(&vector, "name");
        let parsed = huaweicloud_aksk::vectors::parse(
            &serde_json::json!({ "vectors": [vector.clone()] }).to_string(),
        )
        .expect("the file parses as vectors");
        match vector.get("expected_to_fail") {
            Some(reason) => {
                assert!(
                    !reason.as_str().unwrap_or("").is_empty(),
                    "{name}: no reason"
                );
                assert!(parsed[0].check().is_err(), "{name} passes: drop its mark");
            }
            None => {
                if let Err(m) = parsed[0].check() {
                    panic!("{name}: {m}");
                }
            }
        }
    }
}
