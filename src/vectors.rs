//! Test vectors: reading a file of the `test-vectors/` format and checking each vector
//! against this signer, stage by stage.
//!
//! The format (`huaweicloud-aksk-vectors/1`) is described in `test-vectors/README.md`. Files
//! of the shape of an SDK comparison (`[{"name", "input", "python": {...}}]`, headers as an
//! object) are read too, with the `python` side as the expectation.

use std::fmt;

use serde_json::Value;

use crate::sign::algorithm::SignatureForm;
use crate::{Algorithm, Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};

/// One vector: a request to sign and what each stage must give.
#[derive(Debug, Clone)]
pub struct Vector {
    /// The vector's name.
    pub name: String,
    /// Where the expectation comes from (`python-sdk`, `ours`, `spec-known-answer`, ...).
    pub source: String,
    /// Access key.
    pub ak: String,
    /// Secret key (test material only).
    sk: String,
    /// Security token of temporary credentials.
    pub security_token: Option<String>,
    /// HTTP method.
    pub method: String,
    /// The URL as written.
    pub url: String,
    /// Headers as given by the caller, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The signing date.
    pub sdk_date: String,
    /// The algorithm (`input.algorithm`; default `SDK-HMAC-SHA256`).
    pub algorithm: Algorithm,
    /// The V11 credential scope's region and service (`input.region`, `input.service`).
    pub scope: Option<(String, String)>,
    /// Expected values by stage name, in the order they are checked.
    pub expected: Vec<(Stage, String)>,
    /// The expected headers to send, if given.
    pub expected_headers: Option<Vec<(String, String)>>,
    /// An expected error, if the vector expects signing to fail.
    pub expected_error: Option<String>,
}

/// A stage of signing, in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// The canonical request.
    CanonicalRequest,
    /// The string to sign.
    StringToSign,
    /// The signed header names.
    SignedHeaders,
    /// The signature.
    Signature,
    /// The `Authorization` header.
    Authorization,
    /// The headers to send.
    Headers,
    /// The URL to send.
    Url,
    /// Signing itself (an error where none was expected, or the reverse).
    Signing,
}

impl Stage {
    /// The stage's field name in the vector format.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::CanonicalRequest => "canonical_request",
            Stage::StringToSign => "string_to_sign",
            Stage::SignedHeaders => "signed_headers",
            Stage::Signature => "signature",
            Stage::Authorization => "authorization",
            Stage::Headers => "headers",
            Stage::Url => "url",
            Stage::Signing => "signing",
        }
    }
}

/// The first stage at which a vector's expectation and this signer differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The stage.
    pub stage: Stage,
    /// What the vector expects.
    pub expected: String,
    /// What this signer gave.
    pub actual: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} differs\n  expected: {:?}\n  actual:   {:?}",
            self.stage.as_str(),
            self.expected,
            self.actual
        )
    }
}

impl std::error::Error for Mismatch {}

/// A file that cannot be read as vectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(String);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a test-vector file: {}", self.0)
    }
}

impl std::error::Error for FormatError {}

fn bad(msg: impl Into<String>) -> FormatError {
    FormatError(msg.into())
}

fn str_field(v: &Value, key: &str, ctx: &str) -> Result<String, FormatError> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| bad(format!("{ctx}: missing string field {key:?}")))
}

fn pairs(v: &Value, ctx: &str) -> Result<Vec<(String, String)>, FormatError> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|item| match item.as_array().map(Vec::as_slice) {
                Some([Value::String(n), Value::String(v)]) => Ok((n.clone(), v.clone())),
                _ => Err(bad(format!("{ctx}: a header is not [name, value]"))),
            })
            .collect(),
        Value::Object(map) => map
            .iter()
            .map(|(n, v)| {
                v.as_str()
                    .map(|v| (n.clone(), v.to_owned()))
                    .ok_or_else(|| bad(format!("{ctx}: header {n:?} is not a string")))
            })
            .collect(),
        Value::Null => Ok(Vec::new()),
        _ => Err(bad(format!(
            "{ctx}: headers are neither a list nor an object"
        ))),
    }
}

/// Reads every vector of a file's text.
pub fn parse(text: &str) -> Result<Vec<Vector>, FormatError> {
    let root: Value = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    let list = match &root {
        Value::Array(items) => items,
        Value::Object(_) => root
            .get("vectors")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("no \"vectors\" list"))?,
        _ => return Err(bad("neither a list nor an object")),
    };
    list.iter()
        .enumerate()
        .map(|(i, v)| parse_one(i, v))
        .collect()
}

fn parse_one(index: usize, v: &Value) -> Result<Vector, FormatError> {
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("vector_{index}"));
    let ctx = name.as_str();
    let input = v
        .get("input")
        .ok_or_else(|| bad(format!("{ctx}: no input")))?;
    let expected = v
        .get("expected")
        .or_else(|| v.get("python"))
        .ok_or_else(|| bad(format!("{ctx}: no expected (or python) values")))?;
    let mut stages = Vec::new();
    for stage in [
        Stage::CanonicalRequest,
        Stage::StringToSign,
        Stage::SignedHeaders,
        Stage::Signature,
        Stage::Authorization,
        Stage::Url,
    ] {
        if let Some(s) = expected.get(stage.as_str()).and_then(Value::as_str) {
            stages.push((stage, s.to_owned()));
        }
    }
    let expected_headers = match expected.get("headers") {
        Some(h) => Some(pairs(h, ctx)?),
        None => None,
    };
    let expected_error = expected
        .get("error")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if stages.is_empty() && expected_error.is_none() {
        return Err(bad(format!("{ctx}: expects nothing")));
    }
    let algorithm = match input.get("algorithm").and_then(Value::as_str) {
        Some(name) => name
            .parse::<Algorithm>()
            .map_err(|e| bad(format!("{ctx}: {e}")))?,
        None => Algorithm::SdkHmacSha256,
    };
    let scope = match (
        input.get("region").and_then(Value::as_str),
        input.get("service").and_then(Value::as_str),
    ) {
        (Some(r), Some(s)) => Some((r.to_owned(), s.to_owned())),
        _ => None,
    };
    Ok(Vector {
        algorithm,
        scope,
        source: v
            .get("source")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_owned(),
        ak: str_field(input, "ak", ctx)?,
        sk: str_field(input, "sk", ctx)?,
        security_token: input
            .get("security_token")
            .and_then(Value::as_str)
            .map(str::to_owned),
        method: str_field(input, "method", ctx)?,
        url: str_field(input, "url", ctx)?,
        headers: pairs(input.get("headers").unwrap_or(&Value::Null), ctx)?,
        body: input
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or("")
            .as_bytes()
            .to_vec(),
        sdk_date: str_field(input, "sdk_date", ctx)?,
        expected: stages,
        expected_headers,
        expected_error,
        name,
    })
}

impl Vector {
    /// Signs the vector's request and compares every stage in order; the first difference
    /// is returned.
    pub fn check(&self) -> Result<(), Mismatch> {
        let mut creds = Credentials::new(self.ak.clone(), self.sk.clone());
        if let Some(t) = &self.security_token {
            creds = creds.with_security_token(t.clone());
        }
        let mut signer = Signer::new(creds).with_algorithm(self.algorithm);
        if let Some((region, service)) = &self.scope {
            signer = signer.with_derived_scope(region, service);
        }
        // Elliptic-curve signatures of the official SDKs use a random nonce: they are
        // verified, not compared.
        let ecdsa = self
            .algorithm
            .scheme()
            .is_ok_and(|s| s.signature == SignatureForm::DerHex);
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let mut buf = SigningBuffer::new();
        let result = SdkDate::parse(&self.sdk_date).and_then(|date| {
            let req = SignableRequest::new(&self.method, &self.url)?
                .with_headers(&headers)
                .with_body(&self.body);
            signer.sign_into(&req, date, &mut buf)
        });
        let signed = match (result, &self.expected_error) {
            (Err(_), Some(_)) => return Ok(()),
            (Ok(_), Some(e)) => {
                return Err(Mismatch {
                    stage: Stage::Signing,
                    expected: format!("error: {e}"),
                    actual: "signed".into(),
                });
            }
            (Err(e), None) => {
                return Err(Mismatch {
                    stage: Stage::Signing,
                    expected: "signed".into(),
                    actual: format!("error: {e}"),
                });
            }
            (Ok(signed), None) => signed,
        };
        let url = signed.url_to_send(&self.url);
        // Elliptic-curve signatures use a fresh nonce: they are verified, not compared.
        let without_signature = |auth: &str| {
            auth.split_once("Signature=")
                .map_or(auth, |(before, _)| before)
                .to_owned()
        };
        for (stage, expected) in &self.expected {
            if ecdsa && *stage == Stage::Signature {
                if !signer.verifies(&signed, expected) {
                    return Err(Mismatch {
                        stage: *stage,
                        expected: format!("a signature that verifies: {expected}"),
                        actual: "it does not verify under the key derived from the AK/SK".into(),
                    });
                }
                if !signer.verifies(&signed, signed.signature()) {
                    return Err(Mismatch {
                        stage: *stage,
                        expected: "our own signature verifies".into(),
                        actual: signed.signature().to_owned(),
                    });
                }
                continue;
            }
            if ecdsa && *stage == Stage::Authorization {
                let (want, got) = (
                    without_signature(expected),
                    without_signature(signed.authorization()),
                );
                if want != got {
                    return Err(Mismatch {
                        stage: *stage,
                        expected: want,
                        actual: got,
                    });
                }
                continue;
            }
            let actual = match stage {
                Stage::CanonicalRequest => signed.canonical_request(),
                Stage::StringToSign => signed.string_to_sign(),
                Stage::SignedHeaders => signed.signed_headers(),
                Stage::Signature => signed.signature(),
                Stage::Authorization => signed.authorization(),
                Stage::Url => url.as_str(),
                Stage::Headers | Stage::Signing => continue,
            };
            if actual != expected {
                return Err(Mismatch {
                    stage: *stage,
                    expected: expected.clone(),
                    actual: actual.to_owned(),
                });
            }
        }
        if let Some(expected) = &self.expected_headers {
            let comparable = |n: &str, v: &str| {
                let n = n.to_ascii_lowercase();
                let v = if ecdsa && n == "authorization" {
                    without_signature(v)
                } else {
                    v.trim().to_owned()
                };
                (n, v)
            };
            let mut sent: Vec<(String, String)> = self
                .headers
                .iter()
                .map(|(n, v)| comparable(n, v))
                .chain(signed.headers_to_add().map(|(n, v)| comparable(n, v)))
                .collect();
            let mut want: Vec<(String, String)> =
                expected.iter().map(|(n, v)| comparable(n, v)).collect();
            sent.sort();
            want.sort();
            if sent != want {
                return Err(Mismatch {
                    stage: Stage::Headers,
                    expected: format!("{want:?}"),
                    actual: format!("{sent:?}"),
                });
            }
        }
        Ok(())
    }
}
