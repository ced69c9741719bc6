//! The lean signer (`huaweicloud-aksk` without default features) as a JavaScript host loads
//! it on wasm32-unknown-unknown: one exported function that signs a request at a date the
//! host gives. `scripts/wasm-check` builds it as a `.wasm` and reports its size; the tests in
//! `tests/node.rs` run under node.
use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};
use wasm_bindgen::prelude::*;

/// Signs a request at `sdk_date` (`YYYYMMDDTHHMMSSZ`, e.g. made from `Date.now()` by the
/// host) and returns the headers to add to it, one `Name: value` line each.
///
/// `headers` holds the request's own headers, one `Name: value` line each;
/// `security_token` is given with temporary credentials.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn sign_headers(
    access_key: &str,
    secret_key: &str,
    security_token: Option<String>,
    method: &str,
    url: &str,
    headers: &str,
    body: &[u8],
    sdk_date: &str,
) -> Result<String, JsError> {
    let mut pairs = Vec::new();
    for line in headers.lines().filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| JsError::new(&format!("a header line without a colon: {line:?}")))?;
        pairs.push((name, value.trim_start()));
    }
    let mut credentials = Credentials::new(access_key, secret_key);
    if let Some(token) = security_token {
        credentials = credentials.with_security_token(token);
    }
    let signer = Signer::new(credentials);
    let req = SignableRequest::new(method, url)?
        .with_headers(&pairs)
        .with_body(body);
    let mut buf = SigningBuffer::new();
    let signed = signer.sign_into(&req, SdkDate::parse(sdk_date)?, &mut buf)?;
    let mut out = String::new();
    for (name, value) in signed.headers_to_add() {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push('\n');
    }
    Ok(out)
}
