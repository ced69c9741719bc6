//! `aksk verify`: check the signature of a captured raw HTTP request, and explain a refusal.

use std::io::Read;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use huaweicloud_aksk::verify::{Authorization, Verifier, VerifyBuffer, VerifyError};
use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer};

/// The most header lines read from a captured request.
const MAX_HEADERS: usize = 128;

/// Arguments of `aksk verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Verify at the request's own X-Sdk-Date instead of the clock (for old captures).
    #[arg(long, conflicts_with = "now")]
    at_request_date: bool,
    /// The verifier's clock (UTC) as YYYYMMDDTHHMMSSZ; default: now.
    #[arg(long, value_name = "YYYYMMDDTHHMMSSZ")]
    now: Option<String>,
    /// Your signer's canonical request, to compare with the verifier's after a mismatch.
    #[arg(long, value_name = "FILE")]
    canonical: Option<String>,
    /// The raw request (request line, headers, blank line, body; CRLF or LF; curl -v's
    /// '> ' lines too), or '-' for stdin.
    #[arg(value_name = "FILE")]
    request: String,
}

pub(crate) fn run(args: Args) -> ExitCode {
    match verify(&args) {
        Ok((report, verified)) => {
            print!("{report}");
            if verified {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(message) => crate::usage_error(message),
    }
}

/// A captured request, parsed.
struct Raw {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Read from curl -v lines, which never show the body.
    from_curl: bool,
}

/// Reads the capture: from a file, or stdin for `-`.
fn read_input(path: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("stdin: {e}"))?;
    } else {
        bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(bytes)
}

/// Keeps curl -v's request lines (`> ...`, the prefix removed), when the capture is one.
fn strip_curl_prefixes(input: &[u8]) -> Option<Vec<u8>> {
    let first = input
        .split(|&b| b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))?;
    // curl -v starts with its `* ` notes or the first `> ` line.
    if !first.starts_with(b">") && !first.starts_with(b"* ") {
        return None;
    }
    let mut out = Vec::with_capacity(input.len());
    for line in input.split(|&b| b == b'\n') {
        if let Some(rest) = line.strip_prefix(b">") {
            let rest = rest.strip_prefix(b" ").unwrap_or(rest);
            out.extend_from_slice(rest);
            out.push(b'\n');
        }
    }
    Some(out)
}

/// Parses the request head with httparse; what follows the blank line is the body.
fn parse(input: &[u8]) -> Result<Raw, String> {
    let curl = strip_curl_prefixes(input);
    let from_curl = curl.is_some();
    let mut bytes = curl.unwrap_or_else(|| input.to_vec());
    // A capture of a body-less request may end right after its last header line.
    let mut padded = false;
    loop {
        let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut slots);
        match req.parse(&bytes) {
            Ok(httparse::Status::Complete(head_len)) => {
                let method = req.method.expect("a complete request head has a method");
                let target = req.path.expect("a complete request head has a target");
                let mut headers = Vec::with_capacity(req.headers.len());
                for h in req.headers.iter() {
                    let value = std::str::from_utf8(h.value)
                        .map_err(|_| format!("the value of header {} is not UTF-8", h.name))?;
                    headers.push((h.name.to_owned(), value.to_owned()));
                }
                let mut body = bytes[head_len..].to_vec();
                if let Some((_, len)) = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                {
                    let len: usize = len
                        .trim()
                        .parse()
                        .map_err(|_| format!("invalid Content-Length {:?}", len.trim()))?;
                    // Editors end files with a newline the request did not carry.
                    if len <= body.len() {
                        body.truncate(len);
                    } else if !from_curl {
                        return Err(format!(
                            "the body has {} bytes, Content-Length says {len}",
                            body.len()
                        ));
                    }
                }
                if from_curl {
                    body.clear();
                }
                return Ok(Raw {
                    method: method.to_owned(),
                    target: target.to_owned(),
                    headers,
                    body,
                    from_curl,
                });
            }
            Ok(httparse::Status::Partial) if !padded && !bytes.is_empty() => {
                padded = true;
                bytes.extend_from_slice(if bytes.ends_with(b"\n") {
                    b"\n"
                } else {
                    b"\n\n"
                });
            }
            Ok(httparse::Status::Partial) => {
                return Err(
                    "incomplete request: no request line and headers ended by a blank line"
                        .to_owned(),
                );
            }
            Err(e) => return Err(format!("unparseable request: {e}")),
        }
    }
}

/// The request's single `X-Sdk-Date`, when it has one that parses.
fn request_date(raw: &Raw) -> Option<SdkDate> {
    let mut dates = raw
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("x-sdk-date"));
    let (_, value) = dates.next()?;
    if dates.next().is_some() {
        return None;
    }
    SdkDate::parse(value.trim()).ok()
}

/// The canonical request with any security token hidden.
fn redacted(canonical: &str) -> String {
    canonical
        .split('\n')
        .map(|line| {
            if line.starts_with("x-security-token:") {
                "x-security-token:<redacted>"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The string to sign of `canonical` (docs/SIGNING.md §1): algorithm, date, the credential
/// scope when there is one, and the hash of the canonical request.
fn string_to_sign(auth: &Authorization<'_>, date: &str, canonical: &str) -> String {
    let name = auth.algorithm().name();
    let hash = if name.ends_with("SM3") {
        #[cfg(feature = "sm3")]
        {
            use sm3::Digest;
            hex::encode(sm3::Sm3::digest(canonical.as_bytes()))
        }
        #[cfg(not(feature = "sm3"))]
        {
            "(SM3 is not in this build)".to_owned()
        }
    } else {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(canonical.as_bytes()))
    };
    match auth.credential_scope() {
        Some(scope) => format!("{name}\n{date}\n{scope}\n{hash}"),
        None => format!("{name}\n{date}\n{hash}"),
    }
}

fn verify(args: &Args) -> Result<(String, bool), String> {
    let input = read_input(&args.request)?;
    let raw = parse(&input)?;
    let theirs = match &args.canonical {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| format!("{path}: the canonical request is not UTF-8"))?;
            Some(text.replace("\r\n", "\n").trim_end_matches('\n').to_owned())
        }
        None => None,
    };
    let credentials: Credentials = crate::credentials::load().map_err(|e| e.to_string())?;
    let own_access_key = credentials.access_key().to_owned();
    let clock_now = match &args.now {
        Some(d) => SdkDate::parse(d).map_err(|e| e.to_string())?.to_datetime(),
        None => Utc::now(),
    };
    let date = request_date(&raw);
    let now = match (args.at_request_date, date) {
        (true, Some(d)) => d.to_datetime(),
        _ => clock_now,
    };

    let pairs: Vec<(&str, &str)> = raw
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let req = SignableRequest::new(&raw.method, &raw.target)
        .map_err(|e| format!("invalid request target {:?}: {e}", raw.target))?
        .with_headers(&pairs)
        .with_body(&raw.body);
    let verifier = Verifier::new(Signer::new(credentials));
    let mut buf = VerifyBuffer::new();
    let result = verifier.verify_with(&req, now, &mut buf);

    let mut out = String::new();
    let auth = pairs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, v)| Authorization::parse(v).ok());
    let date_str = date.map(|d| d.as_str().to_owned());
    let show = |out: &mut String, canonical: &str| {
        out.push_str("canonical request (rebuilt by the verifier):\n");
        out.push_str(&redacted(canonical));
        out.push_str("\n\n");
        if let (Some(auth), Some(date)) = (&auth, &date_str) {
            out.push_str("string to sign:\n");
            out.push_str(&string_to_sign(auth, date, canonical));
            out.push_str("\n\n");
        }
    };
    if raw.from_curl {
        out.push_str("note: curl -v does not show the body; it was taken as empty\n\n");
    }
    match result {
        Ok(verified) => {
            show(&mut out, buf.canonical_request());
            out.push_str(&format!(
                "OK: the signature verifies (access key {}, signed headers {}, signed at {}{})\n",
                verified.access_key(),
                verified.signed_headers(),
                verified.date(),
                if verified.payload_signed() {
                    ""
                } else {
                    "; the body is NOT covered: UNSIGNED-PAYLOAD"
                },
            ));
            Ok((out, true))
        }
        Err(err) => {
            let mut explanation = explain(&err, &raw, auth.as_ref(), &own_access_key, now);
            if let (VerifyError::SignatureMismatch { .. }, Some(theirs)) = (&err, &theirs) {
                explanation.push_str(&compare(buf.canonical_request(), theirs));
            }
            match &err {
                VerifyError::SignatureMismatch { .. } => show(&mut out, buf.canonical_request()),
                VerifyError::Expired { .. } => {
                    // What the verifier rebuilds once the date is inside the window.
                    if let Some(d) = date {
                        let mut again = VerifyBuffer::new();
                        let at_date = verifier.verify_with(&req, d.to_datetime(), &mut again);
                        if matches!(at_date, Ok(_) | Err(VerifyError::SignatureMismatch { .. })) {
                            show(&mut out, again.canonical_request());
                        }
                        out.push_str(&format!(
                            "at the request's own date the signature {}\n\n",
                            match at_date {
                                Ok(_) => "verifies".to_owned(),
                                Err(e) => format!("still fails: {e}"),
                            }
                        ));
                    }
                }
                _ => {}
            }
            out.push_str(&format!("FAILED: {err}\n"));
            out.push_str(&explanation);
            Ok((out, false))
        }
    }
}

/// Names the first place the signature could have gone wrong, with a hint.
fn explain(
    err: &VerifyError,
    raw: &Raw,
    auth: Option<&Authorization<'_>>,
    own_access_key: &str,
    now: DateTime<Utc>,
) -> String {
    match err {
        VerifyError::MissingAuthorization => {
            "first problem: the request carries no Authorization header\n".to_owned()
        }
        VerifyError::MalformedAuthorization { reason } => format!(
            "first problem: Authorization header: {reason}; expected \
             'SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=<hex>'\n"
        ),
        VerifyError::UnsupportedAlgorithm { algorithm } => format!(
            "first problem: algorithm {algorithm:?} is not one this verifier knows \
             (SDK-HMAC-SHA256, V11-HMAC-SHA256, SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256, SDK-SM2-SM3)\n"
        ),
        VerifyError::MissingDate => {
            "first problem: no X-Sdk-Date header in the request\n".to_owned()
        }
        VerifyError::DateNotSigned => {
            "first problem: x-sdk-date is not among the SignedHeaders\n".to_owned()
        }
        VerifyError::InvalidDate => "first problem: X-Sdk-Date is not one YYYYMMDDTHHMMSSZ \
                                     value (UTC, given once)\n"
            .to_owned(),
        VerifyError::Expired { signature_time, .. } => {
            let skew = now.timestamp() - signature_time.unix_timestamp();
            format!(
                "first problem: date outside the window: the verifier's clock is {skew} s {} \
                 the X-Sdk-Date (at most {} s allowed); --at-request-date verifies at the \
                 request's own date\n",
                if skew >= 0 { "after" } else { "before" },
                huaweicloud_aksk::verify::DEFAULT_MAX_SKEW.as_secs(),
            )
        }
        VerifyError::UnknownAccessKey { access_key } => format!(
            "first problem: wrong access key: the request was signed with {access_key:?}, \
             the credentials are for {own_access_key:?}\n"
        ),
        VerifyError::MissingSignedHeader { name } => format!(
            "first problem: signed header {name:?} is named in SignedHeaders but missing \
             from the request\n"
        ),
        VerifyError::ContentHash { reason } => {
            format!("first problem: payload hash mismatch: X-Sdk-Content-Sha256 {reason}\n")
        }
        VerifyError::InvalidRequest(e) => {
            format!("first problem: the request cannot be canonicalised: {e}\n")
        }
        VerifyError::SignatureMismatch { .. } => mismatch_hint(raw, auth),
        VerifyError::UnsignedPayload => "first problem: the signature is right but does not \
             cover the body (X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD): anyone could have changed \
             it, so a verifier refuses a non-empty body by default, as the local endpoint does; \
             sign the body's hash instead (a JSON Content-Type, or Payload::Sha256Hex)\n"
            .to_owned(),
        other => format!("first problem: {other}\n"),
    }
}

/// After a signature mismatch: unsigned headers that should be signed, else the key.
fn mismatch_hint(raw: &Raw, auth: Option<&Authorization<'_>>) -> String {
    let mut out = String::new();
    if let Some(auth) = auth {
        // Headers the gateway expects signed whenever they are sent.
        let should: Vec<&str> = raw
            .headers
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| {
                ["host", "x-security-token", "content-type", "x-project-id"]
                    .iter()
                    .any(|s| n.eq_ignore_ascii_case(s))
            })
            .filter(|n| !auth.is_signed(n))
            .collect();
        if !should.is_empty() {
            out.push_str(&format!(
                "note: present but not signed (the official SDKs sign them): {}\n",
                should.join(", ")
            ));
        }
    }
    out.push_str(
        "first problem: the signature differs from the one computed over the canonical \
         request above. Compare it with your signer's canonical request (--canonical FILE \
         does; method, path with its trailing '/', sorted query, lower-case sorted headers, \
         SignedHeaders, payload hash): if it is the same canonical request, the secret key differs (or the \
         signature is computed differently); otherwise the first differing line is the \
         cause.\n",
    );
    out
}

/// Compares the verifier's canonical request with the client's: the same one means the key
/// (or the signature computation) differs; else the first differing line is the cause.
fn compare(ours: &str, theirs: &str) -> String {
    if ours == theirs {
        return "with --canonical: same canonical request, so the secret key differs (or the \
                signature is not HMAC-SHA256 over the string to sign, keyed with the SK, in \
                lower-case hex)\n"
            .to_owned();
    }
    let ours = redacted(ours);
    let theirs = redacted(theirs);
    let mut a = ours.split('\n');
    let mut b = theirs.split('\n');
    let mut line = 1;
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (None, None) => {
                return "with --canonical: the canonical requests differ in the \
                        x-security-token value only\n"
                    .to_owned();
            }
            (x, y) => {
                return format!(
                    "with --canonical: the canonical requests differ first at line {line}: \
                     verifier {:?}, yours {:?}\n",
                    x.unwrap_or("(end)"),
                    y.unwrap_or("(end)"),
                );
            }
        }
    }
}
