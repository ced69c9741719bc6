//! The other algorithms of the official SDKs: V11-HMAC-SHA256, SDK-HMAC-SM3, and the
//! elliptic-curve ones.

mod support;

use huaweicloud_aksk::{
    Algorithm, Credentials, SdkDate, SignError, SignableRequest, Signer, SigningBuffer,
};

const JAVA_GET: &str = "https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0";

fn date() -> SdkDate {
    SdkDate::parse("20191115T033655Z").unwrap()
}

#[test]
fn sm3_matches_the_java_sdk_known_answer() {
    let signer = Signer::new(Credentials::new("AccessKey", "SecretKey"))
        .with_algorithm(Algorithm::SdkHmacSm3);
    let headers = [("head-name", "head-value")];
    let req = SignableRequest::new("GET", JAVA_GET)
        .unwrap()
        .with_headers(&headers);
    let mut buf = SigningBuffer::new();
    let signed = signer.sign_into(&req, date(), &mut buf).unwrap();
    assert_eq!(signed.signed_headers(), "head-name;host;x-sdk-date");
    assert_eq!(
        signed.signature(),
        "f3e3163b5eb173f957858427dbec0486c3bf338a3f2b795dab2979bc6724850a"
    );
    assert!(
        signed
            .string_to_sign()
            .starts_with("SDK-HMAC-SM3\n20191115T033655Z\n")
    );
    assert!(
        signed
            .authorization()
            .starts_with("SDK-HMAC-SM3 Access=AccessKey, ")
    );
}

#[test]
fn sm3_hashes_bodies_with_sm3_and_uses_its_own_content_header() {
    let signer = Signer::new(Credentials::new("AccessKey", "SecretKey"))
        .with_algorithm(Algorithm::SdkHmacSm3);
    let mut buf = SigningBuffer::new();
    let req = SignableRequest::new("GET", JAVA_GET).unwrap();
    let signed = signer.sign_into(&req, date(), &mut buf).unwrap();
    assert!(
        signed
            .canonical_request()
            .ends_with("\n1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b")
    );
    let headers = [("Content-Type", "application/octet-stream")];
    let req = SignableRequest::new("PUT", JAVA_GET)
        .unwrap()
        .with_headers(&headers)
        .with_body(b"abc");
    let signed = signer.sign_into(&req, date(), &mut buf).unwrap();
    assert!(
        !signed
            .headers_to_add()
            .any(|(n, _)| n == "X-Sdk-Content-Sha256")
    );
    assert!(
        signed
            .canonical_request()
            .contains("\nx-sdk-content-sm3:UNSIGNED-PAYLOAD\n")
    );
    let headers = [("Content-Type", "application/json")];
    let req = SignableRequest::new("PUT", JAVA_GET)
        .unwrap()
        .with_headers(&headers)
        .with_body(b"abc");
    let signed = signer.sign_into(&req, date(), &mut buf).unwrap();
    // SM3("abc"), the GB/T 32905 example.
    assert!(
        signed
            .canonical_request()
            .ends_with("\n66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    );
}

#[test]
fn v11_signs_with_the_derived_key_and_credential_scope_as_the_python_sdk() {
    // The official Python SDK (DerivationAKSKSigner, huaweicloudsdkcore 3.1.219) on this request.
    let signer = Signer::new(Credentials::new("AccessKey", "SecretKey"))
        .with_algorithm(Algorithm::V11HmacSha256)
        .with_derived_scope("region-id-1", "service");
    let req = SignableRequest::new("GET", JAVA_GET).unwrap();
    let mut buf = SigningBuffer::new();
    let signed = signer.sign_into(&req, date(), &mut buf).unwrap();
    assert_eq!(
        signed.authorization(),
        "V11-HMAC-SHA256 Credential=AccessKey/20191115/region-id-1/service, SignedHeaders=host;x-sdk-date, \
         Signature=8db4da768417146efe68a63f6868bc993df986d42964946f455da5ad50406c84"
    );
    let mut lines = signed.string_to_sign().lines();
    assert_eq!(lines.next(), Some("V11-HMAC-SHA256"));
    assert_eq!(lines.next(), Some("20191115T033655Z"));
    assert_eq!(lines.next(), Some("20191115/region-id-1/service"));
}

#[test]
fn v11_without_a_valid_scope_is_refused() {
    let req = SignableRequest::new("GET", JAVA_GET).unwrap();
    let mut buf = SigningBuffer::new();
    let base = Signer::new(Credentials::new("AccessKey", "SecretKey"))
        .with_algorithm(Algorithm::V11HmacSha256);
    assert_eq!(
        base.sign_into(&req, date(), &mut buf).unwrap_err(),
        SignError::MissingDerivedScope
    );
    for (region, service) in [("", "svc"), ("r", ""), ("a/b", "svc"), ("r", "s\r\n")] {
        let s = base.clone().with_derived_scope(region, service);
        assert_eq!(
            s.sign_into(&req, date(), &mut buf).unwrap_err(),
            SignError::MissingDerivedScope
        );
    }
}

#[test]
fn ecdsa_signatures_are_hex_der_and_verified_by_the_official_sdk() {
    for alg in [Algorithm::SdkEcdsaP256Sha256, Algorithm::SdkSm2Sm3] {
        let signer = Signer::new(Credentials::new(
            "HWCEXAMPLEAK0123TEST",
            "HWCexampleSK0123456789abcdefghijklmnopqrST",
        ))
        .with_algorithm(alg);
        let headers = [("X-Project-Id", "0123456789abcdef0123456789abcdef")];
        let req = SignableRequest::new(
            "DELETE",
            "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211",
        )
        .unwrap()
        .with_headers(&headers);
        let mut buf = SigningBuffer::new();
        let signed = signer.sign_into(&req, date(), &mut buf).unwrap();
        let sig = signed.signature().to_owned();
        assert!(sig.starts_with("30"), "DER SEQUENCE: {sig}");
        assert!(sig.len() >= 16 && sig.len() <= 144 && sig.len() % 2 == 0);
        assert!(
            signed
                .authorization()
                .starts_with(&format!("{} Access=HWCEXAMPLEAK0123TEST, ", alg.name()))
        );
        let input = serde_json::json!({
            "algorithm": alg.name(),
            "ak": "HWCEXAMPLEAK0123TEST",
            "sk": "HWCexampleSK0123456789abcdefghijklmnopqrST",
            "string_to_sign": signed.string_to_sign(),
            "signature": sig,
        });
        let Some(out) =
            support::run_python_script("ecdsa_verify.py", &[], Some(&input.to_string()))
        else {
            return;
        };
        assert!(
            out.status.success(),
            "{alg}: the official SDK does not verify our signature: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn every_algorithm_is_available_in_this_build_and_named_by_its_token() {
    for alg in Algorithm::ALL {
        assert!(alg.is_available(), "{alg}");
        assert_eq!(alg.to_string().parse::<Algorithm>().unwrap(), alg);
    }
    assert!("SDK-HMAC-MD5".parse::<Algorithm>().is_err());
}

/// A vector of `test-vectors/other-algorithms.json` as the verifier needs it.
struct Wire {
    name: String,
    ak: String,
    sk: String,
    method: String,
    url: String,
    body: String,
    date: String,
    headers: Vec<(String, String)>,
}

fn other_algorithm_vectors() -> Vec<Wire> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test-vectors/other-algorithms.json"
    );
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let s = |x: &serde_json::Value| x.as_str().unwrap().to_owned();
            Wire {
                name: s(&v["name"]),
                ak: s(&v["input"]["ak"]),
                sk: s(&v["input"]["sk"]),
                method: s(&v["input"]["method"]),
                url: s(&v["expected"]["url"]),
                body: s(&v["input"]["body"]),
                date: s(&v["input"]["sdk_date"]),
                headers: v["expected"]["headers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| (s(&h[0]), s(&h[1])))
                    .collect(),
            }
        })
        .collect()
}

#[test]
fn the_verifier_accepts_every_algorithm_as_the_official_sdk_signs_it_and_rejects_a_change() {
    use huaweicloud_aksk::verify::{KeySet, UnsignedPayload, Verifier, VerifyError};
    let vectors = other_algorithm_vectors();
    assert!(vectors.len() >= 40);
    for v in &vectors {
        let verifier = Verifier::new(KeySet::from_iter([Credentials::new(&*v.ak, &*v.sk)]))
            .with_unsigned_payload(UnsignedPayload::Accept);
        let now = SdkDate::parse(&v.date).unwrap().to_datetime();
        let headers: Vec<(&str, &str)> = v
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let req = SignableRequest::new(&v.method, &v.url)
            .unwrap()
            .with_headers(&headers)
            .with_body(v.body.as_bytes());
        let payload_signed = match verifier.verify(&req, now) {
            Ok(verified) => verified.payload_signed(),
            Err(e) => panic!("{}: {e}: {}", v.name, e.error_msg()),
        };
        let declares_unsigned = v.headers.iter().any(|(name, value)| {
            name.to_ascii_lowercase().starts_with("x-sdk-content-") && value == "UNSIGNED-PAYLOAD"
        });
        assert!(payload_signed || declares_unsigned, "{}", v.name);
        // One byte more in the body, or another method: refused.
        let longer = format!("{} ", v.body);
        let changed = req.with_body(longer.as_bytes());
        if payload_signed {
            assert!(
                verifier.verify(&changed, now).is_err(),
                "{}: body change accepted",
                v.name
            );
        } else {
            // Only a verifier told to accept a body the signature does not cover takes it.
            assert!(verifier.verify(&changed, now).is_ok(), "{}", v.name);
            let strict = Verifier::new(verifier.keys());
            assert_eq!(
                strict.verify(&changed, now),
                Err(VerifyError::UnsignedPayload),
                "{}",
                v.name
            );
        }
        let other_method = SignableRequest::new("PATCH", &v.url)
            .unwrap()
            .with_headers(&headers)
            .with_body(v.body.as_bytes());
        assert!(
            verifier.verify(&other_method, now).is_err(),
            "{}: method change accepted",
            v.name
        );
    }
}

#[cfg(feature = "server")]
#[test]
fn the_local_endpoint_accepts_every_algorithm() {
    use huaweicloud_aksk::server::{LocalEndpoint, TaskStatus};
    let endpoint = LocalEndpoint::start_demo().unwrap();
    let (ak, sk, project) = (
        huaweicloud_aksk::server::DEMO_ACCESS_KEY,
        huaweicloud_aksk::server::DEMO_SECRET_KEY,
        huaweicloud_aksk::server::DEMO_PROJECT_ID,
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    for (i, alg) in Algorithm::ALL.into_iter().enumerate() {
        let task = format!("algo-{i}");
        endpoint.add_task(project, &task, TaskStatus::Succeed);
        let mut signer = Signer::new(Credentials::new(ak, sk)).with_algorithm(alg);
        if alg == Algorithm::V11HmacSha256 {
            signer = signer.with_derived_scope("cn-north-4", "mpc");
        }
        let mut req = http::Request::delete(format!(
            "{}/v1/{project}/remux/task?task_id={task}",
            endpoint.url()
        ))
        .header("X-Project-Id", project)
        .header("Content-Type", "application/json")
        .body(Vec::<u8>::new())
        .unwrap();
        signer.sign(&mut req).unwrap();
        let answer = agent.run(req).unwrap();
        assert_eq!(answer.status().as_u16(), 204, "{alg}");
        assert_eq!(endpoint.task_status(project, &task), None, "{alg}");
    }
    endpoint.shutdown();
}
