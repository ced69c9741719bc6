//! How the canonical request is built:
//!
//! ```text
//! Method '\n' CanonicalURI '\n' CanonicalQuery '\n' CanonicalHeaders '\n' SignedHeaders '\n' PayloadHash
//! ```
//!
//! Everything is written into a caller-owned [`Scratch`] and `String`, so that once they
//! have grown, building a canonical request allocates nothing. Sorting works on index
//! ranges into one byte buffer.

use std::ops::Range;

use crate::algorithm::BodyHash;
use crate::date::SdkDate;
use crate::encoding::{decode_into, encode_into};
use crate::error::SignError;
use crate::request::{Headers, Payload, SignableRequest};

/// hex(SHA-256("")), the payload hash of a request without a body.
pub(crate) const EMPTY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// A header the signer adds to the request it signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Added {
    Host,
    Date,
    SecurityToken,
    ContentSha256,
}

/// What the signer puts into the canonical request besides the caller's headers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignContext<'s> {
    pub(crate) date: SdkDate,
    pub(crate) security_token: Option<&'s str>,
    /// Add `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` when the content type is not JSON/BSON.
    pub(crate) unsigned_for_non_json: bool,
    /// The content-hash header (`x-sdk-content-sha256`, or `x-sdk-content-sm3`).
    pub(crate) content_header: &'static str,
    /// How the body is hashed (SHA-256, or SM3).
    pub(crate) body_hash: BodyHash,
}

/// Which headers enter the canonical request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mode<'s> {
    /// Signing: every header except `authorization` and names with `_`, plus those the
    /// signer adds.
    Sign(SignContext<'s>),
    /// Verifying: exactly the headers named in this `SignedHeaders` list, nothing added.
    Verify { signed_headers: &'s str },
}

/// Reusable working memory for canonicalisation.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scratch {
    bytes: Vec<u8>,
    params: Vec<(Range<usize>, Range<usize>)>,
    headers: Vec<(Range<usize>, Range<usize>)>,
    segments: Vec<u8>,
}

/// Where things landed, for the caller of [`build`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    pub(crate) query: Range<usize>,
    pub(crate) signed_headers: Range<usize>,
    pub(crate) date: Option<SdkDate>,
    /// The headers added, with the range of their value in [`Scratch`]'s bytes.
    pub(crate) added: [Option<(Added, Range<usize>)>; 4],
    pub(crate) added_len: usize,
}

impl Layout {
    fn add(&mut self, what: Added, value: Range<usize>) {
        self.added[self.added_len] = Some((what, value));
        self.added_len += 1;
    }
}

impl Scratch {
    pub(crate) fn str(&self, r: Range<usize>) -> &str {
        // Only UTF-8 is ever written into the scratch buffer.
        std::str::from_utf8(&self.bytes[r]).unwrap_or("")
    }

    fn push(&mut self, s: &[u8]) -> Range<usize> {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(s);
        start..self.bytes.len()
    }

    fn push_lower(&mut self, s: &str) -> Range<usize> {
        let start = self.bytes.len();
        self.bytes.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
        start..self.bytes.len()
    }
}

/// Is `b` a `tchar` of RFC 9110 (the characters of methods and header names)?
#[inline]
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

fn check_name(name: &str) -> Result<(), SignError> {
    if name.is_empty() || !name.bytes().all(is_tchar) {
        return Err(SignError::InvalidHeaderName {
            name: name.to_owned(),
        });
    }
    Ok(())
}

fn check_value(name: &str, value: &[u8]) -> Result<(), SignError> {
    for &b in value {
        let reason = match b {
            b'\r' | b'\n' => "contains CR or LF",
            0 => "contains NUL",
            b'\t' => continue,
            0x01..=0x1f | 0x7f => "contains a control character",
            _ => continue,
        };
        return Err(SignError::InvalidHeaderValue {
            name: name.to_owned(),
            reason,
        });
    }
    Ok(())
}

/// Calls `f` with each header of the view as `(name, value)`, after checking both.
#[inline]
fn each_header<'a>(
    headers: Headers<'a>,
    mut f: impl FnMut(&'a str, &'a str),
) -> Result<(), SignError> {
    match headers {
        Headers::Pairs(pairs) => {
            for (name, value) in pairs {
                check_name(name)?;
                check_value(name, value.as_bytes())?;
                f(name, value);
            }
        }
        Headers::Map(map) => {
            for (name, value) in map {
                // `http` has already refused invalid names and CR, LF and NUL in values.
                let value = std::str::from_utf8(value.as_bytes()).map_err(|_| {
                    SignError::InvalidHeaderValue {
                        name: name.as_str().to_owned(),
                        reason: "is not UTF-8",
                    }
                })?;
                check_value(name.as_str(), value.as_bytes())?;
                f(name.as_str(), value);
            }
        }
    }
    Ok(())
}

/// Is the lower-cased `name` one of the names of a `SignedHeaders` list?
fn listed(signed_headers: &str, name: &str) -> bool {
    signed_headers
        .split(';')
        .any(|n| n.eq_ignore_ascii_case(name))
}

/// Checks a method and appends it, upper-cased.
fn write_method(out: &mut String, method: &str) -> Result<(), SignError> {
    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err(SignError::InvalidMethod);
    }
    out.extend(method.chars().map(|c| c.to_ascii_uppercase()));
    Ok(())
}

/// Appends the canonical URI: the decoded path's segments, each encoded, and a final `/`.
fn write_uri(out: &mut String, scratch: &mut Scratch, path: &str) {
    scratch.segments.clear();
    decode_into(&mut scratch.segments, path);
    let mut first = true;
    for segment in scratch.segments.split(|&b| b == b'/') {
        if !first {
            out.push('/');
        }
        first = false;
        encode_into(out, segment);
    }
    if !out.ends_with('/') {
        out.push('/');
    }
}

/// Appends the canonical query and returns where it is in `out`.
fn write_query(out: &mut String, scratch: &mut Scratch, query: &str) -> Range<usize> {
    scratch.params.clear();
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        let start = scratch.bytes.len();
        decode_into(&mut scratch.bytes, k);
        let key = start..scratch.bytes.len();
        decode_into(&mut scratch.bytes, v);
        let value = key.end..scratch.bytes.len();
        scratch.params.push((key, value));
    }
    let bytes = &scratch.bytes;
    // Byte order of the decoded UTF-8 is code-point order, as the official SDKs sort.
    scratch.params.sort_unstable_by(|a, b| {
        bytes[a.0.clone()]
            .cmp(&bytes[b.0.clone()])
            .then_with(|| bytes[a.1.clone()].cmp(&bytes[b.1.clone()]))
    });
    let start = out.len();
    for (i, (k, v)) in scratch.params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(out, &bytes[k.clone()]);
        out.push('=');
        encode_into(out, &bytes[v.clone()]);
    }
    start..out.len()
}

/// Trims outer whitespace as the official Python and Go SDKs do.
#[inline]
fn trim(value: &str) -> &str {
    value.trim()
}

/// Writes the whole canonical request of `req` into `out`.
pub(crate) fn build(
    req: &SignableRequest<'_>,
    mode: Mode<'_>,
    scratch: &mut Scratch,
    out: &mut String,
    payload_hex: &mut [u8; 64],
) -> Result<Layout, SignError> {
    let body_hash = match mode {
        Mode::Sign(ctx) => ctx.body_hash,
        Mode::Verify { .. } => BodyHash::SHA256,
    };
    build_hashed(req, mode, body_hash, scratch, out, payload_hex)
}

/// [`build`], with the body hashed by `body_hash` (SM3 for the SM3 algorithms).
pub(crate) fn build_hashed(
    req: &SignableRequest<'_>,
    mode: Mode<'_>,
    body_hash: BodyHash,
    scratch: &mut Scratch,
    out: &mut String,
    payload_hex: &mut [u8; 64],
) -> Result<Layout, SignError> {
    out.clear();
    scratch.bytes.clear();
    scratch.headers.clear();
    let mut layout = Layout::default();

    // Collect the headers that are signed, checking every header that is sent.
    let mut host_given = false;
    let mut date_value: Option<&str> = None;
    let mut token_given = false;
    let mut content_hash: Option<&str> = None;
    let mut content_type: Option<&str> = None;
    let content_header = match mode {
        Mode::Sign(ctx) => ctx.content_header,
        // The SM3 algorithms read `x-sdk-content-sm3`, the SHA-256 ones `x-sdk-content-sha256`.
        Mode::Verify { .. } if body_hash.empty == crate::algorithm::EMPTY_SM3 => {
            "x-sdk-content-sm3"
        }
        Mode::Verify { .. } => "x-sdk-content-sha256",
    };
    {
        let headers = &mut scratch.headers;
        let bytes = &mut scratch.bytes;
        each_header(req.headers, |name, value| {
            let signed = match mode {
                Mode::Sign(_) => !name.contains('_') && !name.eq_ignore_ascii_case("authorization"),
                Mode::Verify { signed_headers } => listed(signed_headers, name),
            };
            if name.eq_ignore_ascii_case("host") {
                host_given = true;
            } else if name.eq_ignore_ascii_case("x-sdk-date") {
                date_value.get_or_insert(trim(value));
            } else if name.eq_ignore_ascii_case("x-security-token") {
                token_given = true;
            } else if name.eq_ignore_ascii_case(content_header) {
                content_hash.get_or_insert(trim(value));
            } else if name.eq_ignore_ascii_case("content-type") {
                content_type.get_or_insert(value);
            }
            if signed {
                let start = bytes.len();
                bytes.extend(name.bytes().map(|b| b.to_ascii_lowercase()));
                let n = start..bytes.len();
                bytes.extend_from_slice(trim(value).as_bytes());
                headers.push((n.clone(), n.end..bytes.len()));
            }
        })?;
    }

    if let Mode::Sign(ctx) = mode {
        let date = match date_value {
            Some(given) => SdkDate::parse(given)?,
            None => {
                let n = scratch.push(b"x-sdk-date");
                let v = scratch.push(ctx.date.as_bytes());
                scratch.headers.push((n, v.clone()));
                layout.add(Added::Date, v);
                ctx.date
            }
        };
        layout.date = Some(date);
        if !host_given {
            let host = req
                .authority
                .filter(|a| !a.is_empty())
                .ok_or(SignError::MissingHost)?;
            check_value("host", host.as_bytes())?;
            let n = scratch.push(b"host");
            let v = scratch.push(host.as_bytes());
            scratch.headers.push((n, v.clone()));
            layout.add(Added::Host, v);
        }
        if let (Some(token), false) = (ctx.security_token, token_given) {
            let n = scratch.push(b"x-security-token");
            let v = scratch.push(token.as_bytes());
            scratch.headers.push((n, v.clone()));
            layout.add(Added::SecurityToken, v);
        }
        let wants_unsigned = matches!(req.payload, Payload::Unsigned)
            || (ctx.unsigned_for_non_json
                && content_type.is_some_and(|ct| {
                    !ct.starts_with("application/json") && !ct.starts_with("application/bson")
                }));
        if content_hash.is_none() && wants_unsigned {
            let n = scratch.push_lower(ctx.content_header);
            let v = scratch.push(UNSIGNED_PAYLOAD.as_bytes());
            scratch.headers.push((n, v.clone()));
            layout.add(Added::ContentSha256, v);
            content_hash = Some(UNSIGNED_PAYLOAD);
        }
    } else if let Some(given) = date_value {
        layout.date = SdkDate::parse(given).ok();
    }

    let bytes = &scratch.bytes;
    scratch.headers.sort_unstable_by(|a, b| {
        bytes[a.0.clone()]
            .cmp(&bytes[b.0.clone()])
            .then_with(|| bytes[a.1.clone()].cmp(&bytes[b.1.clone()]))
    });

    write_method(out, req.method)?;
    out.push('\n');
    write_uri(out, scratch, req.path);
    out.push('\n');
    layout.query = write_query(out, scratch, req.query);
    out.push('\n');
    let bytes = &scratch.bytes;
    for (n, v) in &scratch.headers {
        out.push_str(std::str::from_utf8(&bytes[n.clone()]).unwrap_or(""));
        out.push(':');
        out.push_str(std::str::from_utf8(&bytes[v.clone()]).unwrap_or(""));
        out.push('\n');
    }
    out.push('\n');
    let start = out.len();
    let mut previous: Option<&[u8]> = None;
    for (n, _) in &scratch.headers {
        let name = &bytes[n.clone()];
        if previous == Some(name) {
            continue;
        }
        if previous.is_some() {
            out.push(';');
        }
        out.push_str(std::str::from_utf8(name).unwrap_or(""));
        previous = Some(name);
    }
    layout.signed_headers = start..out.len();
    out.push('\n');
    match (content_hash, req.payload) {
        (Some(given), _) => out.push_str(given),
        (None, Payload::Sha256Hex(hex)) => out.push_str(hex),
        (None, Payload::Bytes([])) => out.push_str(body_hash.empty),
        (None, Payload::Bytes(body)) => {
            let digest = (body_hash.hash)(body);
            let _ = hex::encode_to_slice(digest, payload_hex);
            out.push_str(std::str::from_utf8(payload_hex).unwrap_or(""));
        }
        (None, Payload::Unsigned) => out.push_str(UNSIGNED_PAYLOAD),
    }
    Ok(layout)
}
