//! The verifier on arbitrary requests, and sign-then-verify with every algorithm.
//!
//! Invariants: no panic; an arbitrary `Authorization` never verifies; a request that the
//! signer signed verifies (at any time within the allowed skew), unless it carries what the
//! verifier refuses by design (two `X-Sdk-Date`, a caller's content-hash header) when the
//! verifier accepts unsigned payloads, and with the default policy unless its signature
//! leaves out a body that is not empty; after one byte of the signed request is changed,
//! the verifier accepts it exactly when the signer's own canonical request of the changed
//! request is the original one.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, TimeDelta, Utc};
use huaweicloud_aksk::verify::{UnsignedPayload, Verifier, VerifyBuffer, VerifyError};
use huaweicloud_aksk::{
    Algorithm, Credentials, Payload, SdkDate, SignableRequest, Signer, SigningBuffer,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    signed: bool,
    algorithm: u8,
    region: &'a str,
    service: &'a str,
    ak: &'a str,
    sk: &'a str,
    token: Option<&'a str>,
    method: &'a str,
    url: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
    payload: u8,
    payload_hex: &'a str,
    authorization: &'a str,
    at: u32,
    skew: i16,
    mutation: Mutation,
}

#[derive(Arbitrary, Debug)]
struct Mutation {
    part: u8,
    index: u16,
    byte: u8,
}

fn count(headers: &[(&str, &str)], name: &str) -> usize {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .count()
}

fn payload<'a>(input: &Input<'a>, body: &'a [u8]) -> Payload<'a> {
    match input.payload % 3 {
        0 => Payload::Bytes(body),
        1 => Payload::Unsigned,
        _ => Payload::Sha256Hex(input.payload_hex),
    }
}

fuzz_target!(|input: Input<'_>| {
    // 1970 .. 2106.
    let at = DateTime::<Utc>::from_timestamp(i64::from(input.at), 0).unwrap_or_default();
    if input.signed {
        sign_then_verify(&input, at);
    } else {
        verify_arbitrary(&input, at);
    }
});

/// Any request with any `Authorization`: refused, and the refusal describes itself.
fn verify_arbitrary(input: &Input<'_>, at: DateTime<Utc>) {
    let credentials = Credentials::new(input.ak, input.sk);
    let verifier = Verifier::new(Signer::new(credentials));
    let mut headers = input.headers.clone();
    headers.push(("Authorization", input.authorization));
    let Ok(req) = SignableRequest::new(input.method, input.url) else {
        return;
    };
    let req = req
        .with_headers(&headers)
        .with_payload(payload(input, input.body));
    let mut buf = VerifyBuffer::new();
    match verifier.verify_with(&req, at, &mut buf) {
        Ok(v) => panic!("an arbitrary request verified: {v:?}"),
        Err(e) => {
            assert_eq!(e.status(), 401);
            let _ = (e.to_string(), e.error_msg(), format!("{e:?}"));
        }
    }
    // The same through an http::Request, when one can be built.
    if let (Ok(method), Ok(uri)) = (
        http::Method::from_bytes(input.method.as_bytes()),
        http::Uri::try_from(input.url),
    ) {
        let mut http_req = http::Request::new(input.body.to_vec());
        *http_req.method_mut() = method;
        *http_req.uri_mut() = uri;
        for (n, v) in &headers {
            if let (Ok(n), Ok(v)) = (
                http::HeaderName::from_bytes(n.as_bytes()),
                http::HeaderValue::from_bytes(v.as_bytes()),
            ) {
                http_req.headers_mut().append(n, v);
            }
        }
        assert!(verifier.verify_http(&http_req, at).is_err());
    }
}

/// The parts of a request as sent on the wire, owned so that they can be changed.
#[derive(Clone, Debug)]
struct Wire {
    method: String,
    authority: Option<String>,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Wire {
    fn pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }
}

fn sign_then_verify(input: &Input<'_>, at: DateTime<Utc>) {
    let mut credentials = Credentials::new(input.ak, input.sk);
    if let Some(token) = input.token {
        credentials = credentials.with_security_token(token);
    }
    let algorithm = match input.algorithm {
        0..=159 => Algorithm::SdkHmacSha256,
        160..=199 => Algorithm::V11HmacSha256,
        200..=239 => Algorithm::SdkHmacSm3,
        240..=247 => Algorithm::SdkEcdsaP256Sha256,
        _ => Algorithm::SdkSm2Sm3,
    };
    let made;
    let signer: &Signer = if matches!(
        algorithm,
        Algorithm::SdkEcdsaP256Sha256 | Algorithm::SdkSm2Sm3
    ) {
        // Deriving an elliptic-curve key takes milliseconds: one fixed key per curve.
        &ec_signers()[usize::from(algorithm == Algorithm::SdkSm2Sm3)]
    } else {
        made = Signer::new(credentials)
            .with_algorithm(algorithm)
            .with_derived_scope(input.region, input.service);
        &made
    };
    if signer.check().is_err() {
        return;
    }
    // The V11 credential is AK/scope: an access key with '/' cannot be read back.
    if algorithm == Algorithm::V11HmacSha256 && signer.credentials().access_key().contains('/') {
        return;
    }
    let Ok(date) = SdkDate::from_datetime(at) else {
        return;
    };
    let Ok(req) = SignableRequest::new(input.method, input.url) else {
        return;
    };
    // A client replaces any Authorization header it was given.
    let given: Vec<(&str, &str)> = input
        .headers
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("authorization"))
        .copied()
        .collect();
    let req = req
        .with_headers(&given)
        .with_payload(payload(input, input.body));
    let mut buf = SigningBuffer::new();
    let Ok(signed) = signer.sign_into(&req, date, &mut buf) else {
        return;
    };
    let canonical = signed.canonical_request().to_owned();
    let mut wire = Wire {
        method: req.method().to_owned(),
        authority: req.authority().map(str::to_owned),
        path: req.path().to_owned(),
        query: signed.canonical_query().to_owned(),
        headers: given
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: input.body.to_vec(),
    };
    for (n, v) in signed.headers_to_add() {
        wire.headers.push((n.to_owned(), v.to_owned()));
    }

    // Accepting bodies the signature does not cover, so that every signed request verifies;
    // the default policy is checked against it below.
    let verifier = Verifier::new(signer).with_unsigned_payload(UnsignedPayload::Accept);
    // Anywhere within the allowed skew of the signing time.
    let skew = TimeDelta::seconds(i64::from(input.skew).clamp(-900, 900));
    let now = signed.date().to_datetime() + skew;
    let by_design = count(&given, "x-sdk-date") > 1
        || count(&given, "x-sdk-content-sha256") > 0
        || count(&given, "x-sdk-content-sm3") > 0;
    let payload_signed = match verify(&verifier, &wire, input, now) {
        Ok(payload_signed) => payload_signed,
        Err(VerifyError::InvalidDate | VerifyError::ContentHash { .. }) if by_design => return,
        Err(e) => panic!("a signed request failed to verify: {e:?}\n{canonical:?}\n{wire:?}"),
    };
    // By default, refused exactly when the signature leaves out a body that is not empty
    // (or not given).
    let strict = verify(&Verifier::new(signer), &wire, input, now);
    if payload_signed || matches!(payload(input, &wire.body), Payload::Bytes([])) {
        assert_eq!(strict, Ok(payload_signed), "{wire:?}");
    } else {
        assert_eq!(strict, Err(VerifyError::UnsignedPayload), "{wire:?}");
    }

    // One byte changed.
    let Some(changed) = mutate(&wire, &input.mutation) else {
        return;
    };
    let accepted = verify(&verifier, &changed, input, now).is_ok();
    let pairs: Vec<(&str, &str)> = changed
        .pairs()
        .into_iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("authorization"))
        .collect();
    let resigned = SignableRequest::from_parts(
        &changed.method,
        changed.authority.as_deref(),
        &changed.path,
        &changed.query,
    )
    .with_headers(&pairs)
    .with_payload(payload(input, &changed.body));
    let mut buf2 = SigningBuffer::new();
    let same = signer
        .sign_into(&resigned, date, &mut buf2)
        .is_ok_and(|s| s.canonical_request() == canonical);
    if accepted {
        assert!(same, "accepted a changed request: {changed:?}");
    } else if same {
        // Refused although the canonical request is unchanged: only a content hash that no
        // longer matches the changed body may do that.
        let content = changed
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-sdk-content-sha256"))
            .is_some_and(|(_, v)| v.trim() != "UNSIGNED-PAYLOAD");
        assert!(content, "refused an equivalent request: {changed:?}");
    }
}

fn ec_signers() -> &'static [Signer; 2] {
    static SIGNERS: std::sync::OnceLock<[Signer; 2]> = std::sync::OnceLock::new();
    SIGNERS.get_or_init(|| {
        let credentials = Credentials::new("HWCEXAMPLEAK0123TEST", "ec-secret-key");
        [
            Signer::new(credentials.clone()).with_algorithm(Algorithm::SdkEcdsaP256Sha256),
            Signer::new(credentials).with_algorithm(Algorithm::SdkSm2Sm3),
        ]
    })
}

fn verify(
    verifier: &Verifier<&Signer>,
    wire: &Wire,
    input: &Input<'_>,
    now: DateTime<Utc>,
) -> Result<bool, VerifyError> {
    let pairs = wire.pairs();
    let req = SignableRequest::from_parts(
        &wire.method,
        wire.authority.as_deref(),
        &wire.path,
        &wire.query,
    )
    .with_headers(&pairs)
    .with_payload(payload(input, &wire.body));
    let mut buf = VerifyBuffer::new();
    verifier
        .verify_with(&req, now, &mut buf)
        .map(|v| v.payload_signed())
}

/// `wire` with one byte of one part set to `m.byte`, if that leaves it UTF-8.
fn mutate(wire: &Wire, m: &Mutation) -> Option<Wire> {
    let mut out = wire.clone();
    fn set(s: &mut String, index: u16, byte: u8) -> Option<()> {
        let mut bytes = std::mem::take(s).into_bytes();
        if bytes.is_empty() {
            bytes.push(byte);
        } else {
            let i = usize::from(index) % bytes.len();
            bytes[i] = byte;
        }
        *s = String::from_utf8(bytes).ok()?;
        Some(())
    }
    match m.part % 5 {
        0 => set(&mut out.method, m.index, m.byte)?,
        1 => set(&mut out.path, m.index, m.byte)?,
        2 => set(&mut out.query, m.index, m.byte)?,
        3 => {
            if out.headers.is_empty() {
                return None;
            }
            let i = usize::from(m.index) % out.headers.len();
            if out.headers[i].0.eq_ignore_ascii_case("authorization") {
                return None;
            }
            set(&mut out.headers[i].1, m.index / 7, m.byte)?;
        }
        _ => {
            if out.body.is_empty() {
                out.body.push(m.byte);
            } else {
                let i = usize::from(m.index) % out.body.len();
                out.body[i] = m.byte;
            }
        }
    }
    Some(out)
}
