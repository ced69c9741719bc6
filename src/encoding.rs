//! Percent-encoding and -decoding as the official SDKs canonicalise paths and queries.
//!
//! Kept as is: `A-Z a-z 0-9 - _ . ~`; every other UTF-8 byte becomes `%XY` (upper-case hex).
//! Decoding follows Python's `urllib.parse.unquote`: valid `%XY` escapes become bytes,
//! anything else stays literal (`+` is not a space), and bytes that are not UTF-8 become
//! U+FFFD, so that our canonical form is the official Python SDK's.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode, percent_encode};

/// Every byte except the unreserved characters of RFC 3986.
pub(crate) const ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Appends `bytes`, percent-encoded, to `out`.
#[inline]
pub(crate) fn encode_into(out: &mut String, bytes: &[u8]) {
    for chunk in percent_encode(bytes, ENCODE_SET) {
        out.push_str(chunk);
    }
}

/// Appends `s`, percent-decoded the way Python's `unquote` does it, to `out`.
#[inline]
pub(crate) fn decode_into(out: &mut Vec<u8>, s: &str) {
    if !s.as_bytes().contains(&b'%') {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    let start = out.len();
    out.extend(percent_decode(s.as_bytes()));
    if std::str::from_utf8(&out[start..]).is_err() {
        let fixed = String::from_utf8_lossy(&out[start..]).into_owned();
        out.truncate(start);
        out.extend_from_slice(fixed.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str) -> String {
        let mut out = String::new();
        encode_into(&mut out, s.as_bytes());
        out
    }

    fn dec(s: &str) -> String {
        let mut out = Vec::new();
        decode_into(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn unreserved_characters_are_kept() {
        assert_eq!(enc("AZaz09-_.~"), "AZaz09-_.~");
    }

    #[test]
    fn space_is_percent_20_and_plus_star_slash_are_escaped() {
        assert_eq!(enc("a b+c*d/e"), "a%20b%2Bc%2Ad%2Fe");
    }

    #[test]
    fn utf8_is_escaped_byte_by_byte_in_upper_case() {
        assert_eq!(enc("é😀"), "%C3%A9%F0%9F%98%80");
    }

    #[test]
    fn decoding_keeps_plus_and_invalid_escapes() {
        assert_eq!(dec("a+b%20c%zz%4"), "a+b c%zz%4");
    }

    #[test]
    fn decoding_replaces_bytes_that_are_not_utf8() {
        assert_eq!(dec("%FFa%C3"), "\u{FFFD}a\u{FFFD}");
    }
}
