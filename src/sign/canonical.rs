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

use crate::sign::algorithm::BodyHash;
use crate::sign::date::SdkDate;
use crate::sign::encoding::{decode_into, encode_bytes_into, encode_path_into};
use crate::sign::error::SignError;
use crate::sign::request::{Headers, Payload, SignableRequest};

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
    /// Each signed header: its [`sort_key`], and where its name and value are in `bytes`.
    headers: Vec<(u64, Range<usize>, Range<usize>)>,
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
        text(&self.bytes[r])
    }

    /// Adds a signed header the signer adds itself (`name` in lower case); gives where its
    /// value is in `bytes`.
    fn add_header(&mut self, name: &[u8], value: &[u8]) -> Range<usize> {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(name);
        let n = start..self.bytes.len();
        self.bytes.extend_from_slice(value);
        let v = n.end..self.bytes.len();
        // The key from `name` itself, not from the bytes just written (see `take`).
        self.headers.push((sort_key(name), n, v.clone()));
        v
    }
}

/// The first 8 bytes of a header name, lower-cased (zeros after a shorter one), as a
/// big-endian number: lower-cased names compare as their keys do, unless the keys are
/// equal. A name holds no zero byte, so a name that is a prefix of another still sorts
/// first.
fn sort_key(name: &[u8]) -> u64 {
    let mut first = [0u8; 8];
    let n = name.len().min(8);
    first[..n].copy_from_slice(&name[..n]);
    first.make_ascii_lowercase();
    u64::from_be_bytes(first)
}

/// The bytes of RFC 9110's `tchar` (the characters of methods and header names).
pub(crate) const TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
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
            );
        b += 1;
    }
    t
};

/// Is `s` a non-empty RFC 9110 token (a method or a header name)?
#[inline]
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| TCHAR[usize::from(b)])
}

fn check_name(name: &str) -> Result<(), SignError> {
    if !is_token(name) {
        return Err(SignError::InvalidHeaderName {
            name: name.to_owned(),
        });
    }
    Ok(())
}

/// Is every byte of `value` allowed in a header value as far as [`check_value`] goes?
/// One branch-free pass for the common case; [`check_value`] then names what is wrong.
#[inline]
fn value_is_clean(value: &[u8]) -> bool {
    value.iter().fold(true, |ok, &b| {
        ok & ((b >= 0x20 && b != 0x7f) | (b == b'\t'))
    })
}

fn check_value(name: &str, value: &[u8]) -> Result<(), SignError> {
    if value_is_clean(value) {
        return Ok(());
    }
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

/// Checks a method and appends it, upper-cased.
fn write_method(out: &mut Vec<u8>, method: &str) -> Result<(), SignError> {
    if !is_token(method) {
        return Err(SignError::InvalidMethod);
    }
    out.extend(method.bytes().map(|b| b.to_ascii_uppercase()));
    Ok(())
}

/// Appends the canonical URI: the decoded path's segments, each encoded, and a final `/`.
fn write_uri(out: &mut Vec<u8>, scratch: &mut Scratch, path: &str) {
    // Encoding each `/`-separated segment and joining them with `/` is encoding the whole
    // path with `/` kept; without `%` there is nothing to decode.
    if path.as_bytes().contains(&b'%') {
        scratch.segments.clear();
        decode_into(&mut scratch.segments, path.as_bytes());
        encode_path_into(out, &scratch.segments);
    } else {
        encode_path_into(out, path.as_bytes());
    }
    if out.last() != Some(&b'/') {
        out.push(b'/');
    }
}

/// Appends the canonical query and returns where it is in `out`.
fn write_query(out: &mut Vec<u8>, scratch: &mut Scratch, query: &str) -> Range<usize> {
    scratch.params.clear();
    for piece in query.as_bytes().split(|&b| b == b'&') {
        if piece.is_empty() {
            continue;
        }
        let (k, v) = match piece.iter().position(|&b| b == b'=') {
            Some(i) => (&piece[..i], &piece[i + 1..]),
            None => (piece, &[][..]),
        };
        let start = scratch.bytes.len();
        decode_into(&mut scratch.bytes, k);
        let key = start..scratch.bytes.len();
        decode_into(&mut scratch.bytes, v);
        let value = key.end..scratch.bytes.len();
        scratch.params.push((key, value));
    }
    let bytes = &scratch.bytes;
    // Byte order of the decoded UTF-8 is code-point order, as the official SDKs sort.
    if scratch.params.len() > 1 {
        scratch.params.sort_unstable_by(|a, b| {
            bytes[a.0.clone()]
                .cmp(&bytes[b.0.clone()])
                .then_with(|| bytes[a.1.clone()].cmp(&bytes[b.1.clone()]))
        });
    }
    let start = out.len();
    for (i, (k, v)) in scratch.params.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        encode_bytes_into(out, &bytes[k.clone()]);
        out.push(b'=');
        encode_bytes_into(out, &bytes[v.clone()]);
    }
    start..out.len()
}

/// Trims outer whitespace as the official Python and Go SDKs do.
#[inline]
pub(crate) fn trim(value: &str) -> &str {
    // ASCII that `char::is_whitespace` does not count as white space at both ends: nothing
    // to trim, and no need to decode the last character.
    let untrimmed = |b: u8| b.is_ascii() && b != b' ' && !(b'\t'..=b'\r').contains(&b);
    match value.as_bytes() {
        [first, .., last] if untrimmed(*first) && untrimmed(*last) => value,
        [only] if untrimmed(*only) => value,
        _ => value.trim(),
    }
}

/// The header names the signer and the verifier act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Known {
    Host,
    Date,
    Authorization,
    ContentType,
    SecurityToken,
    ContentSha256,
    ContentSm3,
}

impl Known {
    /// Which of these `name` is, if any. Their lengths all differ, so the length picks the
    /// one name to compare with. `lower`: `name` is known to be lower case (an
    /// `http::HeaderName`), which spares lower-casing it to compare.
    #[inline]
    pub(crate) fn of(name: &[u8], lower: bool) -> Option<Known> {
        let (known, expected): (Known, &[u8]) = match name.len() {
            4 => (Known::Host, b"host"),
            10 => (Known::Date, b"x-sdk-date"),
            12 => (Known::ContentType, b"content-type"),
            13 => (Known::Authorization, b"authorization"),
            16 => (Known::SecurityToken, b"x-security-token"),
            17 => (Known::ContentSm3, b"x-sdk-content-sm3"),
            20 => (Known::ContentSha256, b"x-sdk-content-sha256"),
            _ => return None,
        };
        let same = if lower {
            same_bytes(name, expected)
        } else {
            name.eq_ignore_ascii_case(expected)
        };
        same.then_some(known)
    }
}

/// The pass over the caller's headers: what it is looking for, and what it found.
struct HeaderPass<'a> {
    /// The algorithm's content-hash header.
    content: Option<Known>,
    host: bool,
    date: Option<&'a str>,
    token: bool,
    content_hash: Option<&'a str>,
    /// The algorithm's content-hash header is on the request, whatever its value.
    content_given: bool,
    content_type: Option<&'a str>,
}

impl<'a> HeaderPass<'a> {
    /// Takes one header of the caller's (already checked): notes what it is, and when it
    /// is signed, adds its lower-cased name and trimmed value to the scratch buffer.
    ///
    /// Everything is decided on the caller's `name`, not on the bytes just written: a
    /// vector load of bytes still in flight from a narrower store stalls until they land.
    #[inline]
    fn take(&mut self, scratch: &mut Scratch, name: &str, name_is_lower: bool, value: &'a str) {
        let name = name.as_bytes();
        let known = Known::of(name, name_is_lower);
        match known {
            Some(Known::Host) => self.host = true,
            Some(Known::Date) => {
                self.date.get_or_insert(trim(value));
            }
            Some(Known::SecurityToken) => self.token = true,
            Some(Known::ContentType) => {
                self.content_type.get_or_insert(value);
            }
            // An empty value states no payload hash: the body is hashed, as the official
            // Python SDK does (docs/SIGNING.md §1, Payload hash).
            Some(content) if Some(content) == self.content => {
                self.content_given = true;
                if !trim(value).is_empty() {
                    self.content_hash.get_or_insert(trim(value));
                }
            }
            _ => {}
        }
        let underscore = name.iter().fold(false, |found, &b| found | (b == b'_'));
        if underscore || known == Some(Known::Authorization) {
            return;
        }
        let bytes = &mut scratch.bytes;
        let start = bytes.len();
        if name_is_lower {
            bytes.extend_from_slice(name);
        } else {
            bytes.extend(name.iter().map(u8::to_ascii_lowercase));
        }
        let n = start..bytes.len();
        bytes.extend_from_slice(trim(value).as_bytes());
        let v = n.end..bytes.len();
        scratch.headers.push((sort_key(name), n, v));
    }
}

/// Writes the whole canonical request of `req` into `out`. Every piece written is UTF-8 (a
/// `str` of the caller's, ASCII, or decoded and repaired UTF-8): readers view it with
/// [`text`].
pub(crate) fn build(
    req: &SignableRequest<'_>,
    mode: Mode<'_>,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
    payload_hex: &mut [u8; 64],
) -> Result<Layout, SignError> {
    let body_hash = match mode {
        Mode::Sign(ctx) => ctx.body_hash,
        Mode::Verify { .. } => BodyHash::SHA256,
    };
    build_hashed(req, mode, body_hash, scratch, out, payload_hex)
}

/// Bytes this crate wrote as UTF-8 (a canonical request, a string to sign), as a `str`.
/// They are checked here, when read, rather than on every signature, which only hashes
/// them; were they ever not UTF-8, they would read as empty.
pub(crate) fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("")
}

/// [`build`], with the body hashed by `body_hash` (SM3 for the SM3 algorithms).
pub(crate) fn build_hashed(
    req: &SignableRequest<'_>,
    mode: Mode<'_>,
    body_hash: BodyHash,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
    payload_hex: &mut [u8; 64],
) -> Result<Layout, SignError> {
    out.clear();
    scratch.bytes.clear();
    scratch.headers.clear();
    let mut layout = Layout::default();

    let mut content_hash = match mode {
        Mode::Sign(ctx) => collect_signed_headers(req, ctx, scratch, &mut layout)?,
        Mode::Verify { .. } => None,
    };

    write_method(out, req.method)?;
    out.push(b'\n');
    write_uri(out, scratch, req.path);
    out.push(b'\n');
    layout.query = write_query(out, scratch, req.query);
    out.push(b'\n');
    match mode {
        Mode::Sign(_) => layout.signed_headers = write_collected_headers(out, scratch),
        Mode::Verify { signed_headers } => {
            // The SM3 algorithms read `x-sdk-content-sm3`, the SHA-256 ones
            // `x-sdk-content-sha256`.
            let content_header = if body_hash.empty == crate::sign::algorithm::EMPTY_SM3 {
                "x-sdk-content-sm3"
            } else {
                "x-sdk-content-sha256"
            };
            let (range, given) =
                write_listed_headers(out, req.headers, signed_headers, content_header)?;
            layout.signed_headers = range;
            content_hash = given;
        }
    }
    out.push(b'\n');
    match (content_hash, req.payload) {
        (Some(given), _) => out.extend_from_slice(given.as_bytes()),
        (None, Payload::Sha256Hex(hex)) => out.extend_from_slice(hex.as_bytes()),
        (None, Payload::Bytes([])) => out.extend_from_slice(body_hash.empty.as_bytes()),
        (None, Payload::Bytes(body)) => {
            let digest = (body_hash.hash)(body);
            *payload_hex = crate::sign::encoding::hex32(&digest);
            out.extend_from_slice(payload_hex);
        }
        (None, Payload::Unsigned) => out.extend_from_slice(UNSIGNED_PAYLOAD.as_bytes()),
    }
    Ok(layout)
}

/// Signing: checks every header of the request and collects, lower-cased and trimmed, those
/// that are signed (all but `authorization` and names with `_`) plus the headers the
/// signer adds. Gives the payload hash a header already states, if any.
fn collect_signed_headers<'a>(
    req: &SignableRequest<'a>,
    ctx: SignContext<'a>,
    scratch: &mut Scratch,
    layout: &mut Layout,
) -> Result<Option<&'a str>, SignError> {
    let mut seen = HeaderPass {
        content: Known::of(ctx.content_header.as_bytes(), true),
        host: false,
        date: None,
        token: false,
        content_hash: None,
        content_given: false,
        content_type: None,
    };
    match req.headers {
        Headers::Pairs(pairs) => {
            for &(name, value) in pairs {
                check_name(name)?;
                check_value(name, value.as_bytes())?;
                seen.take(scratch, name, false, value);
            }
        }
        Headers::Map(map) => {
            for (name, value) in map {
                let value = map_value(name, value)?;
                seen.take(scratch, name.as_str(), true, value);
            }
        }
    }
    let mut content_hash = seen.content_hash;

    let date = match seen.date {
        Some(given) => SdkDate::parse(given)?,
        None => {
            let v = scratch.add_header(b"x-sdk-date", ctx.date.as_bytes());
            layout.add(Added::Date, v);
            ctx.date
        }
    };
    layout.date = Some(date);
    if !seen.host {
        let host = req
            .authority
            .filter(|a| !a.is_empty())
            .ok_or(SignError::MissingHost)?;
        check_value("host", host.as_bytes())?;
        let v = scratch.add_header(b"host", host.as_bytes());
        layout.add(Added::Host, v);
    }
    if let (Some(token), false) = (ctx.security_token, seen.token) {
        let v = scratch.add_header(b"x-security-token", token.as_bytes());
        layout.add(Added::SecurityToken, v);
    }
    let wants_unsigned = matches!(req.payload, Payload::Unsigned)
        || (ctx.unsigned_for_non_json
            && seen.content_type.is_some_and(|ct| {
                // An empty content type names no type, as for the official Python SDK.
                !ct.is_empty()
                    && !ct.starts_with("application/json")
                    && !ct.starts_with("application/bson")
            }));
    // A caller's content-hash header is never doubled, even an empty one.
    if content_hash.is_none() && !seen.content_given && wants_unsigned {
        // The content headers' names are lower case already.
        let v = scratch.add_header(ctx.content_header.as_bytes(), UNSIGNED_PAYLOAD.as_bytes());
        layout.add(Added::ContentSha256, v);
        content_hash = Some(UNSIGNED_PAYLOAD);
    }

    let bytes = &scratch.bytes;
    scratch.headers.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| compare_bytes(&bytes[a.1.clone()], &bytes[b.1.clone()]))
            .then_with(|| bytes[a.2.clone()].cmp(&bytes[b.2.clone()]))
    });
    Ok(content_hash)
}

/// The value of a header of an `http::HeaderMap` as a `str`. `http` has already refused
/// invalid names (and keeps them lower case) and control characters in values; what is
/// left is UTF-8 (one fast pass for ASCII, unlike `to_str`'s byte-by-byte one), and the
/// rules for pairs, in case `http` ever relaxes its own.
fn map_value<'a>(
    name: &http::HeaderName,
    value: &'a http::HeaderValue,
) -> Result<&'a str, SignError> {
    let value = map_value_received(name.as_str(), value)?;
    check_value(name.as_str(), value.as_bytes())?;
    Ok(value)
}

/// Writes the collected headers (sorted) and the signed header names; gives where the
/// names are.
fn write_collected_headers(out: &mut Vec<u8>, scratch: &Scratch) -> Range<usize> {
    let bytes = &scratch.bytes;
    for (_, n, v) in &scratch.headers {
        out.extend_from_slice(&bytes[n.clone()]);
        out.push(b':');
        out.extend_from_slice(&bytes[v.clone()]);
        out.push(b'\n');
    }
    out.push(b'\n');
    let start = out.len();
    let mut previous: Option<&[u8]> = None;
    for (_, n, _) in &scratch.headers {
        let name = &bytes[n.clone()];
        if previous == Some(name) {
            continue;
        }
        if previous.is_some() {
            out.push(b';');
        }
        out.extend_from_slice(name);
        previous = Some(name);
    }
    start..out.len()
}

/// The most names of a `SignedHeaders` list, and signed headers of a request, that
/// [`write_listed_headers`] handles in one pass over the request's headers (on the stack);
/// beyond, it looks each name up in turn.
const ONE_PASS_NAMES: usize = 16;
const ONE_PASS_HEADERS: usize = 32;

/// Verifying: writes the headers named in `signed_headers` (lower case, strictly
/// ascending, as the verifier has checked) straight from the request, in the list's
/// order, and the names of those present. A name without a header is left out (the caller
/// compares the names written with the list). Several headers of one name are written
/// ordered by value, as the signer sorts them. Gives where the names are, and the first
/// value of `content_header` (the payload hash it states), if signed.
fn write_listed_headers<'a>(
    out: &mut Vec<u8>,
    headers: Headers<'a>,
    signed_headers: &str,
    content_header: &str,
) -> Result<(Range<usize>, Option<&'a str>), SignError> {
    // The list, split once.
    let mut names: [&[u8]; ONE_PASS_NAMES] = [&[]; ONE_PASS_NAMES];
    let mut listed = 0;
    for name in signed_headers.as_bytes().split(|&b| b == b';') {
        if listed == ONE_PASS_NAMES {
            return write_listed_headers_by_name(out, headers, signed_headers, content_header);
        }
        names[listed] = name;
        listed += 1;
    }
    let names = &names[..listed];
    let content = names
        .iter()
        .position(|n| same_bytes(n, content_header.as_bytes()));

    // One pass over the request's headers: each signed one kept as (its name's place in
    // the list, its value), in the order received.
    let mut found: [(usize, &'a str); ONE_PASS_HEADERS] = [(0, ""); ONE_PASS_HEADERS];
    let mut kept = 0;
    let mut keep = |place: usize, value: &'a str| {
        if kept < ONE_PASS_HEADERS {
            found[kept] = (place, value);
        }
        kept += 1;
    };
    // Every header is checked as the signer checks what it signs, signed or not: a request
    // the signer could not have sent is refused.
    match headers {
        Headers::Pairs(pairs) => {
            for &(name, value) in pairs {
                check_name(name)?;
                check_value(name, value.as_bytes())?;
                let n = name.as_bytes();
                let place = names
                    .iter()
                    .position(|l| l.len() == n.len() && l.eq_ignore_ascii_case(n));
                if let Some(place) = place {
                    keep(place, value);
                }
            }
        }
        Headers::Map(map) => {
            for (name, value) in map {
                let n = name.as_str().as_bytes();
                if let Some(place) = names.iter().position(|l| same_bytes(l, n)) {
                    keep(place, map_value_received(name.as_str(), value)?);
                } else if name != http::header::AUTHORIZATION {
                    // (The verifier has read `Authorization` as UTF-8 already.)
                    map_value_received(name.as_str(), value)?;
                }
            }
        }
    }
    if kept > ONE_PASS_HEADERS {
        return write_listed_headers_by_name(out, headers, signed_headers, content_header);
    }
    let found = &mut found[..kept];
    // The first value received of the content-hash header is the payload hash it states.
    let content_hash = content
        .and_then(|c| found.iter().find(|f| f.0 == c).map(|f| trim(f.1)))
        .filter(|v| !v.is_empty());
    // In the list's order; several values of one name in the order of their bytes.
    found.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| trim(a.1).cmp(trim(b.1))));
    let mut present: u32 = 0;
    for &(place, value) in found.iter() {
        write_header_line(out, names[place], trim(value));
        present |= 1 << place;
    }
    out.push(b'\n');
    let start = out.len();
    if present.count_ones() as usize == listed {
        out.extend_from_slice(signed_headers.as_bytes());
    } else {
        let mut first = true;
        for (place, name) in names.iter().enumerate() {
            if present & (1 << place) != 0 {
                if !first {
                    out.push(b';');
                }
                out.extend_from_slice(name);
                first = false;
            }
        }
    }
    Ok((start..out.len(), content_hash))
}

/// A received header value of an `http::HeaderMap` as a `str`: `http` has refused
/// control characters, so only UTF-8 is left to check (what is received is not checked as
/// what is sent is: see [`map_value`]).
fn map_value_received<'a>(name: &str, value: &'a http::HeaderValue) -> Result<&'a str, SignError> {
    std::str::from_utf8(value.as_bytes()).map_err(|_| SignError::InvalidHeaderValue {
        name: name.to_owned(),
        reason: "is not UTF-8",
    })
}

/// [`write_listed_headers`] for long lists or many signed headers: each name of the list
/// looked up in the request in turn.
fn write_listed_headers_by_name<'a>(
    out: &mut Vec<u8>,
    headers: Headers<'a>,
    signed_headers: &str,
    content_header: &str,
) -> Result<(Range<usize>, Option<&'a str>), SignError> {
    // Every header checked, as in `write_listed_headers`.
    match headers {
        Headers::Pairs(pairs) => {
            for &(name, value) in pairs {
                check_name(name)?;
                check_value(name, value.as_bytes())?;
            }
        }
        Headers::Map(map) => {
            for (name, value) in map {
                map_value_received(name.as_str(), value)?;
            }
        }
    }
    let mut content_hash = None;
    let mut all_present = true;
    for name in signed_headers.as_bytes().split(|&b| b == b';') {
        let mut count = 0usize;
        let mut first: Option<&'a str> = None;
        for_each_named(headers, name, |value| {
            count += 1;
            first.get_or_insert(value);
            Ok(())
        })?;
        let Some(first) = first else {
            all_present = false;
            continue;
        };
        if same_bytes(name, content_header.as_bytes()) && !trim(first).is_empty() {
            content_hash = Some(trim(first));
        }
        if count == 1 {
            write_header_line(out, name, trim(first));
            continue;
        }
        // Several values: written in ascending order of their trimmed bytes, by repeated
        // selection of the least (value, position) after the last one written.
        let mut last: Option<(&str, usize)> = None;
        for _ in 0..count {
            let mut least: Option<(&str, usize)> = None;
            let mut position = 0;
            for_each_named(headers, name, |value| {
                let candidate = (trim(value), position);
                position += 1;
                if last.is_none_or(|l| candidate > l) && least.is_none_or(|m| candidate < m) {
                    least = Some(candidate);
                }
                Ok(())
            })?;
            if let Some((value, _)) = least {
                write_header_line(out, name, value);
            }
            last = least;
        }
    }
    out.push(b'\n');
    let start = out.len();
    if all_present {
        out.extend_from_slice(signed_headers.as_bytes());
    } else {
        let mut first = true;
        for name in signed_headers.as_bytes().split(|&b| b == b';') {
            let mut found = false;
            for_each_named(headers, name, |_| {
                found = true;
                Ok(())
            })?;
            if found {
                if !first {
                    out.push(b';');
                }
                out.extend_from_slice(name);
                first = false;
            }
        }
    }
    Ok((start..out.len(), content_hash))
}

fn write_header_line(out: &mut Vec<u8>, name: &[u8], value: &str) {
    out.extend_from_slice(name);
    out.push(b':');
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}

/// Calls `f` with the value of each header named `name` (lower case; header names compare
/// in any case). The caller has checked every header already.
fn for_each_named<'a>(
    headers: Headers<'a>,
    name: &[u8],
    mut f: impl FnMut(&'a str) -> Result<(), SignError>,
) -> Result<(), SignError> {
    match headers {
        Headers::Pairs(pairs) => {
            for &(n, value) in pairs {
                if n.len() == name.len() && n.as_bytes().eq_ignore_ascii_case(name) {
                    f(value)?;
                }
            }
        }
        Headers::Map(map) => {
            for (n, value) in map {
                if same_bytes(n.as_str().as_bytes(), name) {
                    f(map_value_received(n.as_str(), value)?)?;
                }
            }
        }
    }
    Ok(())
}

/// `a.cmp(b)`, inline: for header names, shorter than what a call to `memcmp` is worth.
#[inline]
pub(crate) fn compare_bytes(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    match a.iter().zip(b).find(|(x, y)| x != y) {
        Some((x, y)) => x.cmp(y),
        None => a.len().cmp(&b.len()),
    }
}

/// `a == b`, inline and without branches on the bytes: for header names, shorter than
/// what a call to `memcmp` is worth.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(true, |same, (x, y)| same & (x == y))
}
