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

use crate::sign::algorithm::Scheme;
use crate::sign::date::SdkDate;
use crate::sign::encoding::{decode_into, encode_bytes_into, encode_path_into};
use crate::sign::error::SignError;
use crate::sign::request::{Headers, Payload, SignableRequest};

pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// A header the signer adds to the request it signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Added {
    Host,
    Date,
    SecurityToken,
    /// The algorithm's content-hash header, with `UNSIGNED-PAYLOAD`.
    Content,
}

/// What the signer puts into the canonical request besides the caller's headers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignContext<'s> {
    pub(crate) date: SdkDate,
    pub(crate) security_token: Option<&'s str>,
    /// Add `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` when the content type is not JSON/BSON.
    pub(crate) unsigned_for_non_json: bool,
}

/// Which headers enter the canonical request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mode<'s> {
    /// Signing: every header except `authorization` and names with `_`, plus those the
    /// signer adds.
    Sign(SignContext<'s>),
    /// Verifying: exactly the headers named in a `SignedHeaders` list, nothing added.
    Verify {
        /// The list, read and checked by the verifier.
        listed: &'s Listed<'s>,
        /// The position among the request's headers of the `Authorization` header the
        /// verifier has parsed already, when it is not listed: passed over, as it is neither
        /// signed nor to be checked again (its grammar admits no control character).
        skip: Option<usize>,
    },
}

/// Reusable working memory for canonicalisation.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scratch {
    bytes: Vec<u8>,
    params: Vec<(Range<usize>, Range<usize>)>,
    /// Each signed header: what sorts it (signing, its name's [`sort_key`]; verifying, its
    /// name's position in the `SignedHeaders` list), and where its name and value are in
    /// `bytes`.
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
    /// Verifying: the position in the list of the first listed name that no header of the
    /// request has.
    pub(crate) missing: Option<usize>,
}

/// The algorithm's content-hash header in the request.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Content<'a> {
    /// The first value (trimmed) among those in the canonical request: the payload hash
    /// the request states.
    pub(crate) signed: Option<&'a str>,
    /// How many the request carries, signed or not.
    pub(crate) count: usize,
}

impl<'a> Content<'a> {
    /// The payload hash the request states: the first signed value, unless it is empty
    /// after trimming, which states no hash (docs/SIGNING.md §1.7).
    pub(crate) fn stated(&self) -> Option<&'a str> {
        self.signed.filter(|v| !v.is_empty())
    }
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
#[inline]
pub(crate) fn sort_key(name: &[u8]) -> u64 {
    // Loaded as one word, or gathered byte by byte: a copy of a variable length into a
    // buffer read back at once is a call to `memcpy` and a stalled load.
    let first = match name.get(..8) {
        Some(eight) => u64::from_be_bytes(eight.try_into().expect("8 bytes")),
        None => (0..8).fold(0, |key, i| {
            (key << 8) | u64::from(name.get(i).copied().unwrap_or_default())
        }),
    };
    lower_ascii_8(first)
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
            _ => return None,
        };
        let same = if lower {
            same_bytes(name, expected)
        } else {
            eq_lower(name, expected)
        };
        same.then_some(known)
    }
}

/// Names compare in any case; `lower`: `name` is known to be lower case (an
/// `http::HeaderName`), which spares lower-casing it.
#[inline]
fn same_name(name: &[u8], lower_case: &[u8], lower: bool) -> bool {
    if lower {
        same_bytes(name, lower_case)
    } else {
        eq_lower(name, lower_case)
    }
}

/// Is `name`, its ASCII letters lower-cased, the same bytes as `lower_case` (which has no
/// upper-case ASCII letter)? `name.eq_ignore_ascii_case(lower_case)` without a branch per
/// byte: eight bytes at a time for names of eight bytes or more.
#[inline]
pub(crate) fn eq_lower(name: &[u8], lower_case: &[u8]) -> bool {
    debug_assert!(!lower_case.iter().any(u8::is_ascii_uppercase));
    let n = name.len();
    if n != lower_case.len() {
        return false;
    }
    if n < 8 {
        return name
            .iter()
            .zip(lower_case)
            .fold(0, |diff, (a, b)| diff | (a.to_ascii_lowercase() ^ b))
            == 0;
    }
    let word = |s: &[u8], i: usize| {
        u64::from_le_bytes(s[i..i + 8].try_into().expect("a range of 8 bytes"))
    };
    let mut diff = 0;
    let mut i = 0;
    while i + 8 < n {
        diff |= lower_ascii_8(word(name, i)) ^ word(lower_case, i);
        i += 8;
    }
    // The last 8 bytes, overlapping the previous word when `n` is not a multiple of 8.
    diff |= lower_ascii_8(word(name, n - 8)) ^ word(lower_case, n - 8);
    diff == 0
}

/// The 8 bytes of `word` with their ASCII upper-case letters lower-cased (other bytes
/// unchanged), all at once.
#[inline]
fn lower_ascii_8(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low = word & LOW7;
    // In each byte, the top bit of `low + 0x3f` is set from 'A' (0x41) up, that of
    // `low + 0x25` from past 'Z' (0x5b) up; no sum carries into the next byte.
    let from_a = low + 0x3f3f_3f3f_3f3f_3f3f;
    let past_z = low + 0x2525_2525_2525_2525;
    let upper = from_a & !past_z & !word & HIGH;
    word | (upper >> 2)
}

/// The names of a `SignedHeaders` list (lower case, strictly ascending), read once by the
/// verifier as it checks the list, each with its [`sort_key`] so that most names of a
/// request are told apart by one comparison.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Listed<'l> {
    /// The first names; all of them when `len <= FIRST`.
    first: [(u64, &'l [u8]); Listed::FIRST],
    len: usize,
    all: &'l str,
}

impl Default for Listed<'_> {
    fn default() -> Self {
        Listed {
            first: [(0, &[]); Listed::FIRST],
            len: 0,
            all: "",
        }
    }
}

impl<'l> Listed<'l> {
    /// Names kept on the stack; a longer list is split again for each lookup.
    const FIRST: usize = 16;

    /// Appends the next name of the list, whose sort key is `key`.
    #[inline]
    pub(crate) fn push(&mut self, key: u64, name: &'l [u8]) {
        if self.len < Listed::FIRST {
            self.first[self.len] = (key, name);
        }
        self.len += 1;
    }

    /// Ends the list: `all` is the whole list, the names pushed joined by `;`.
    pub(crate) fn finish(&mut self, all: &'l str) {
        debug_assert_eq!(all.split(';').count(), self.len);
        self.all = all;
    }

    /// The number of names.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The position of `name` (any case) in the list, whose sort key is `key`, and the
    /// list's own (lower-case) spelling of it.
    #[inline]
    fn find(&self, key: u64, name: &[u8], lower: bool) -> Option<(usize, &'l [u8])> {
        if self.len > Listed::FIRST {
            return self.find_long(name, lower);
        }
        self.first[..self.len]
            .iter()
            .position(|&(k, l)| k == key && same_name(name, l, lower))
            .map(|i| (i, self.first[i].1))
    }

    #[cold]
    #[inline(never)]
    fn find_long(&self, name: &[u8], lower: bool) -> Option<(usize, &'l [u8])> {
        self.all
            .as_bytes()
            .split(|&b| b == b';')
            .enumerate()
            .find(|(_, l)| same_name(name, l, lower))
    }
}

/// The pass over the caller's headers: what it is looking for, and what it found.
struct HeaderPass<'a, 'l> {
    /// The algorithm's content-hash header, lower case.
    content_header: &'static str,
    /// Verifying: the headers named in `SignedHeaders` are signed. Signing: all but
    /// `authorization` and names with `_`.
    listed: Option<&'l Listed<'l>>,
    host: bool,
    date: Option<&'a str>,
    token: bool,
    content: Content<'a>,
    content_type: Option<&'a str>,
}

impl<'a> HeaderPass<'a, '_> {
    /// Takes one header of the caller's: notes what it is, and when it is signed, adds its
    /// lower-cased name and trimmed value to the scratch buffer. Gives `true` when the name
    /// is one of a `SignedHeaders` list, and so a valid name (the list's names are).
    ///
    /// Everything is decided on the caller's `name`, not on the bytes just written: a
    /// vector load of bytes still in flight from a narrower store stalls until they land.
    #[inline]
    fn take(
        &mut self,
        scratch: &mut Scratch,
        name: &str,
        name_is_lower: bool,
        value: &'a str,
    ) -> bool {
        let name = name.as_bytes();
        let mut key = sort_key(name);
        // What the signer adds depends on these; the verifier adds nothing.
        let known = match self.listed {
            Some(_) => None,
            None => Known::of(name, name_is_lower),
        };
        match known {
            Some(Known::Host) => self.host = true,
            Some(Known::Date) => {
                self.date.get_or_insert(trim(value));
            }
            Some(Known::SecurityToken) => self.token = true,
            Some(Known::ContentType) => {
                self.content_type.get_or_insert(value);
            }
            _ => {}
        }
        // Verifying, the list's spelling of a signed name is lower case already, and its
        // position in the list sorts it (the list is strictly ascending).
        let (signed, listed) = match &self.listed {
            Some(list) => match list.find(key, name, name_is_lower) {
                Some((slot, lower_case)) => {
                    key = slot as u64;
                    (true, Some(lower_case))
                }
                None => (false, None),
            },
            None => {
                let underscore = name.iter().fold(false, |found, &b| found | (b == b'_'));
                (!underscore && known != Some(Known::Authorization), None)
            }
        };
        if same_name(name, self.content_header.as_bytes(), name_is_lower) {
            self.content.count += 1;
            if signed {
                self.content.signed.get_or_insert(trim(value));
            }
        }
        if !signed {
            return false;
        }
        let bytes = &mut scratch.bytes;
        let start = bytes.len();
        match listed {
            Some(lower_case) => bytes.extend_from_slice(lower_case),
            None if name_is_lower => bytes.extend_from_slice(name),
            None => {
                bytes.extend_from_slice(name);
                bytes[start..].make_ascii_lowercase();
            }
        }
        let n = start..bytes.len();
        bytes.extend_from_slice(trim(value).as_bytes());
        let v = n.end..bytes.len();
        scratch.headers.push((key, n, v));
        listed.is_some()
    }
}

/// Writes the whole canonical request of `req` for `scheme` into `out` (docs/SIGNING.md §1).
/// Every piece written is UTF-8 (a `str` of the caller's, ASCII, or decoded and repaired
/// UTF-8): readers view it with [`text`]. Gives where its parts are, and what the request
/// says of its payload hash.
pub(crate) fn build<'a>(
    req: &SignableRequest<'a>,
    mode: Mode<'_>,
    scheme: &Scheme,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
    payload_hex: &mut [u8; 64],
) -> Result<(Layout, Content<'a>), SignError> {
    out.clear();
    scratch.bytes.clear();
    scratch.headers.clear();
    let mut layout = Layout::default();
    let (listed, skip) = match mode {
        Mode::Sign(_) => (None, None),
        Mode::Verify { listed, skip } => (Some(listed), skip),
    };
    let mut pass = HeaderPass {
        content_header: scheme.content_header,
        listed,
        host: false,
        date: None,
        token: false,
        content: Content::default(),
        content_type: None,
    };
    collect_headers(req, &mut pass, scratch, skip)?;
    match mode {
        Mode::Sign(ctx) => {
            add_signer_headers(req, ctx, scheme, &mut pass, scratch, &mut layout)?;
            sort_headers(scratch);
        }
        Mode::Verify { listed, .. } => layout.missing = order_by_slot(scratch, listed.len()),
    }

    write_method(out, req.method)?;
    out.push(b'\n');
    write_uri(out, scratch, req.path);
    out.push(b'\n');
    layout.query = write_query(out, scratch, req.query);
    out.push(b'\n');
    let complete = match (mode, layout.missing) {
        (Mode::Verify { listed, .. }, None) => Some(listed.all),
        _ => None,
    };
    layout.signed_headers = write_headers(out, scratch, complete);
    out.push(b'\n');
    match (pass.content.stated(), req.payload) {
        (Some(given), _) => out.extend_from_slice(given.as_bytes()),
        (None, Payload::Sha256Hex(hex)) => out.extend_from_slice(hex.as_bytes()),
        (None, Payload::Bytes([])) => out.extend_from_slice(scheme.hash.empty_hex().as_bytes()),
        (None, Payload::Bytes(body)) => {
            *payload_hex = crate::sign::crypto::hex32(&scheme.hash.digest(body));
            out.extend_from_slice(payload_hex);
        }
        (None, Payload::Unsigned) => out.extend_from_slice(UNSIGNED_PAYLOAD.as_bytes()),
    }
    Ok((layout, pass.content))
}

/// Bytes this crate wrote as UTF-8 (a canonical request, a string to sign), as a `str`.
/// They are checked here, when read, rather than on every signature, which only hashes
/// them.
pub(crate) fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("the canonical request is written from UTF-8 pieces only")
}

/// Checks every header of the request as the signer checks what it signs, signed or not
/// (a request the signer could not have sent is refused), and collects the signed ones.
/// The header at position `skip` is passed over if it is `Authorization` (see
/// [`Mode::Verify`]).
fn collect_headers<'a>(
    req: &SignableRequest<'a>,
    pass: &mut HeaderPass<'a, '_>,
    scratch: &mut Scratch,
    skip: Option<usize>,
) -> Result<(), SignError> {
    let verifying = pass.listed.is_some();
    match req.headers {
        Headers::Pairs(pairs) => {
            for (i, &(name, value)) in pairs.iter().enumerate() {
                if Some(i) == skip && eq_lower(name.as_bytes(), b"authorization") {
                    continue;
                }
                // A name found in the list is a valid one.
                if !pass.take(scratch, name, false, value) {
                    check_name(name)?;
                }
                check_value(name, value.as_bytes())?;
            }
        }
        Headers::Map(map) if verifying => {
            for (i, (name, value)) in map.iter().enumerate() {
                if Some(i) == skip && name == http::header::AUTHORIZATION {
                    continue;
                }
                let value = map_value_received(name.as_str(), value)?;
                pass.take(scratch, name.as_str(), true, value);
            }
        }
        Headers::Map(map) => {
            for (name, value) in map {
                let value = map_value(name, value)?;
                pass.take(scratch, name.as_str(), true, value);
            }
        }
    }
    Ok(())
}

/// Signing: adds the headers the signer adds (`X-Sdk-Date`, `Host`, `X-Security-Token`,
/// the content-hash header with `UNSIGNED-PAYLOAD`) when the request lacks them.
fn add_signer_headers(
    req: &SignableRequest<'_>,
    ctx: SignContext<'_>,
    scheme: &Scheme,
    pass: &mut HeaderPass<'_, '_>,
    scratch: &mut Scratch,
    layout: &mut Layout,
) -> Result<(), SignError> {
    let date = match pass.date {
        Some(given) => SdkDate::parse(given)?,
        None => {
            let v = scratch.add_header(b"x-sdk-date", ctx.date.as_bytes());
            layout.add(Added::Date, v);
            ctx.date
        }
    };
    layout.date = Some(date);
    if !pass.host {
        let host = req
            .authority
            .filter(|a| !a.is_empty())
            .ok_or(SignError::MissingHost)?;
        check_value("host", host.as_bytes())?;
        // The receiver trims header values: a host with outer white space would be signed
        // as one value and checked as another (as a security token, `Credentials::validate`).
        if trim(host).len() != host.len() {
            return Err(SignError::InvalidHeaderValue {
                name: "host".to_owned(),
                reason: "has leading or trailing whitespace",
            });
        }
        let v = scratch.add_header(b"host", host.as_bytes());
        layout.add(Added::Host, v);
    }
    if let (Some(token), false) = (ctx.security_token, pass.token) {
        let v = scratch.add_header(b"x-security-token", token.as_bytes());
        layout.add(Added::SecurityToken, v);
    }
    let wants_unsigned = matches!(req.payload, Payload::Unsigned)
        || (ctx.unsigned_for_non_json
            && pass.content_type.is_some_and(|ct| {
                // An empty type names no type, as for the official Python SDK.
                !ct.is_empty()
                    && !ct.starts_with("application/json")
                    && !ct.starts_with("application/bson")
            }));
    // A caller's content-hash header is never doubled, even an empty one.
    if pass.content.count == 0 && wants_unsigned {
        let v = scratch.add_header(
            scheme.content_header.as_bytes(),
            UNSIGNED_PAYLOAD.as_bytes(),
        );
        layout.add(Added::Content, v);
        pass.content.signed = Some(UNSIGNED_PAYLOAD);
    }
    Ok(())
}

/// Sorts the collected headers by name, then value, as the official SDKs do.
fn sort_headers(scratch: &mut Scratch) {
    let bytes = &scratch.bytes;
    scratch.headers.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| compare_bytes(&bytes[a.1.clone()], &bytes[b.1.clone()]))
            .then_with(|| bytes[a.2.clone()].cmp(&bytes[b.2.clone()]))
    });
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

/// Puts the collected headers of a verification, whose keys are their names' positions in
/// a list of `len` names, in the order of the list (of their values, for a name given
/// more than once). Gives the position of the first listed name none of them has.
fn order_by_slot(scratch: &mut Scratch, len: usize) -> Option<usize> {
    let headers = &mut scratch.headers;
    let n = headers.len();
    // Each name once, the usual case: the keys are 0..n in some order, put in place by
    // swaps, each of which puts one header where it stays.
    let mut placed = true;
    'place: for i in 0..n {
        loop {
            let slot = headers[i].0 as usize;
            if slot == i {
                break;
            }
            if slot >= n || headers[slot].0 as usize == slot {
                // A name given more than once (or, then, one missing).
                placed = false;
                break 'place;
            }
            headers.swap(i, slot);
        }
    }
    if placed {
        return (n < len).then_some(n);
    }
    sort_headers(scratch);
    let mut next = 0;
    for &(slot, _, _) in &scratch.headers {
        let slot = slot as usize;
        if slot > next {
            return Some(next);
        }
        next = slot + 1;
    }
    (next < len).then_some(next)
}

/// Writes the collected headers (sorted) and the signed header names, each once; gives
/// where the names are. `complete`: a list known to name exactly the collected headers.
fn write_headers(out: &mut Vec<u8>, scratch: &Scratch, complete: Option<&str>) -> Range<usize> {
    let bytes = &scratch.bytes;
    for (_, n, v) in &scratch.headers {
        out.extend_from_slice(&bytes[n.clone()]);
        out.push(b':');
        out.extend_from_slice(&bytes[v.clone()]);
        out.push(b'\n');
    }
    out.push(b'\n');
    let start = out.len();
    if let Some(list) = complete {
        out.extend_from_slice(list.as_bytes());
        return start..out.len();
    }
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

/// A received header value of an `http::HeaderMap` as a `str`: `http` has refused
/// control characters, so only UTF-8 is left to check (what is received is not checked as
/// what is sent is: see [`map_value`]).
pub(crate) fn map_value_received<'a>(
    name: &str,
    value: &'a http::HeaderValue,
) -> Result<&'a str, SignError> {
    std::str::from_utf8(value.as_bytes()).map_err(|_| SignError::InvalidHeaderValue {
        name: name.to_owned(),
        reason: "is not UTF-8",
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_key_is_the_first_eight_bytes_lower_cased_and_zero_padded() {
        let names: [&[u8]; 9] = [
            b"",
            b"H",
            b"Host",
            b"x-sdk-d",
            b"X-Sdk-Da",
            b"X-Sdk-Date",
            b"content-type",
            b"\xc3\x89T\xe9",
            b"Authorization",
        ];
        for name in names {
            let mut first = [0u8; 8];
            let n = name.len().min(8);
            first[..n].copy_from_slice(&name[..n]);
            first.make_ascii_lowercase();
            assert_eq!(sort_key(name), u64::from_be_bytes(first), "{name:?}");
        }
    }

    /// The collected headers as `order_by_slot` leaves them: (slot, value) in order.
    fn ordered(slots: &[(u64, &[u8])], len: usize) -> (Vec<(u64, Vec<u8>)>, Option<usize>) {
        let mut scratch = Scratch::default();
        for &(slot, value) in slots {
            // Every name of one slot is spelled the same, as the list spells it.
            let name = format!("n{slot}");
            let start = scratch.bytes.len();
            scratch.bytes.extend_from_slice(name.as_bytes());
            let n = start..scratch.bytes.len();
            scratch.bytes.extend_from_slice(value);
            scratch
                .headers
                .push((slot, n.clone(), n.end..scratch.bytes.len()));
        }
        let missing = order_by_slot(&mut scratch, len);
        let headers = scratch
            .headers
            .iter()
            .map(|(k, _, v)| (*k, scratch.bytes[v.clone()].to_vec()))
            .collect();
        (headers, missing)
    }

    #[test]
    fn headers_are_put_in_list_order_and_the_first_missing_name_is_found() {
        // Every sequence of up to 5 slots of a list of 4 names, values chosen to need the
        // tie-break: the order must be that of a sort by (slot, value), and `missing` the
        // first slot no header has.
        let values: [&[u8]; 3] = [b"b", b"a", b"c"];
        let mut seqs: Vec<Vec<u64>> = vec![vec![]];
        for _ in 0..5 {
            let longer: Vec<Vec<u64>> = seqs
                .iter()
                .filter(|s| s.len() == seqs.last().map_or(0, Vec::len))
                .flat_map(|s| {
                    (0..4).map(move |slot| {
                        let mut s = s.clone();
                        s.push(slot);
                        s
                    })
                })
                .collect();
            seqs.extend(longer);
        }
        for seq in &seqs {
            let input: Vec<(u64, &[u8])> = seq
                .iter()
                .enumerate()
                .map(|(i, &slot)| (slot, values[i % 3]))
                .collect();
            let mut expected: Vec<(u64, Vec<u8>)> =
                input.iter().map(|&(k, v)| (k, v.to_vec())).collect();
            expected.sort();
            let expected_missing = (0..4).find(|slot| !seq.contains(&(*slot as u64)));
            for len in [4, 5] {
                let (got, missing) = ordered(&input, len);
                assert_eq!(got, expected, "{seq:?}");
                let expected_missing = expected_missing.or((len == 5).then_some(4));
                assert_eq!(missing, expected_missing, "{seq:?} of {len}");
            }
        }
    }

    #[test]
    fn eq_lower_agrees_with_eq_ignore_ascii_case_on_every_byte_pair_at_every_position() {
        let filler = b"x-sdk-date-content";
        for len in [1, 2, 7, 8, 9, 15, 16, 17] {
            for at in 0..len {
                let mut name = filler[..len].to_vec();
                name.make_ascii_uppercase();
                let mut lower = filler[..len].to_vec();
                for a in 0..=255u8 {
                    name[at] = a;
                    for b in (0..=255u8).filter(|b| !b.is_ascii_uppercase()) {
                        lower[at] = b;
                        assert_eq!(
                            eq_lower(&name, &lower),
                            name.eq_ignore_ascii_case(&lower),
                            "{name:?} {lower:?}"
                        );
                    }
                }
            }
        }
        assert!(!eq_lower(b"Host", b"hos"));
        assert!(!eq_lower(b"X-Sdk-Date", b"x-sdk-datex"));
        assert!(eq_lower(b"", b""));
        assert!(eq_lower(b"X-SECURITY-TOKEN", b"x-security-token"));
        assert!(!eq_lower(b"X-SECURITY-TOKEN", b"x-security-tokem"));
    }
}
