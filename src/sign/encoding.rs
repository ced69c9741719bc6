//! Percent-encoding and -decoding as the official SDKs canonicalise paths and queries.
//!
//! Kept as is: `A-Z a-z 0-9 - _ . ~`; every other UTF-8 byte becomes `%XY` (upper-case hex).
//! Decoding follows Python's `urllib.parse.unquote`: valid `%XY` escapes become bytes,
//! anything else stays literal (`+` is not a space), and bytes that are not UTF-8 become
//! U+FFFD, so that our canonical form is the official Python SDK's.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode, percent_encode};

/// Every byte except the unreserved characters of RFC 3986.
#[cfg_attr(not(feature = "mpc"), allow(dead_code))]
pub(crate) const ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Appends `bytes`, percent-encoded, to `out` (the MPC calls' paths and queries).
#[cfg_attr(not(feature = "mpc"), allow(dead_code))]
#[inline]
pub(crate) fn encode_into(out: &mut String, bytes: &[u8]) {
    for chunk in percent_encode(bytes, ENCODE_SET) {
        out.push_str(chunk);
    }
}

/// The bytes [`ENCODE_SET`] keeps as they are, as a table (`A-Z a-z 0-9 - _ . ~`).
const UNRESERVED: [bool; 256] = keep_table(false);
/// [`UNRESERVED`] and `/`: encoding a path with it is encoding each segment.
const UNRESERVED_OR_SLASH: [bool; 256] = keep_table(true);

const fn keep_table(slash: bool) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'-' | b'_' | b'.' | b'~')
            || (slash && c == b'/');
        b += 1;
    }
    t
}

/// Appends `bytes`, percent-encoded as [`encode_into`] does, to a byte buffer.
#[inline]
pub(crate) fn encode_bytes_into(out: &mut Vec<u8>, bytes: &[u8]) {
    encode_with(out, bytes, &UNRESERVED);
}

/// Appends a decoded path, each `/`-separated segment percent-encoded, to a byte buffer.
#[inline]
pub(crate) fn encode_path_into(out: &mut Vec<u8>, bytes: &[u8]) {
    encode_with(out, bytes, &UNRESERVED_OR_SLASH);
}

#[inline]
fn encode_with(out: &mut Vec<u8>, bytes: &[u8], keep: &[bool; 256]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Most paths and query parameters need no escape: one pass without branches finds out,
    // and the whole is copied at once.
    if bytes
        .iter()
        .fold(true, |all, &b| all & keep[usize::from(b)])
    {
        out.extend_from_slice(bytes);
        return;
    }
    // Runs of kept bytes are copied whole.
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !keep[usize::from(b)] {
            out.extend_from_slice(&bytes[run..i]);
            out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            run = i + 1;
        }
    }
    out.extend_from_slice(&bytes[run..]);
}

/// Appends `s`, percent-decoded the way Python's `unquote` does it, to `out`.
#[inline]
pub(crate) fn decode_into(out: &mut Vec<u8>, s: &[u8]) {
    if !s.contains(&b'%') {
        out.extend_from_slice(s);
        return;
    }
    let start = out.len();
    out.extend(percent_decode(s));
    if std::str::from_utf8(&out[start..]).is_err() {
        repair_utf8(out, start);
    }
}

/// Replaces what is not UTF-8 in `out[start..]` with U+FFFD, as `String::from_utf8_lossy`
/// (and Python's `errors="replace"`) do, without allocating once `out` has grown: the
/// repaired text is appended, then moved down over the original.
fn repair_utf8(out: &mut Vec<u8>, start: usize) {
    let end = out.len();
    let mut pos = start;
    while pos < end {
        match std::str::from_utf8(&out[pos..end]) {
            Ok(_) => {
                out.extend_from_within(pos..end);
                break;
            }
            Err(e) => {
                let valid = e.valid_up_to();
                out.extend_from_within(pos..pos + valid);
                out.extend_from_slice("\u{FFFD}".as_bytes());
                match e.error_len() {
                    Some(len) => pos += valid + len,
                    // An incomplete sequence at the end is one replacement.
                    None => break,
                }
            }
        }
    }
    out.drain(start..end);
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
        decode_into(&mut out, s.as_bytes());
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

    #[test]
    fn the_byte_encoder_agrees_with_the_string_encoder_on_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let mut bytes = Vec::new();
        encode_bytes_into(&mut bytes, &all);
        assert_eq!(String::from_utf8(bytes).unwrap(), enc_bytes(&all));
    }

    fn enc_bytes(b: &[u8]) -> String {
        let mut out = String::new();
        encode_into(&mut out, b);
        out
    }

    #[test]
    fn encoding_a_path_is_encoding_each_segment() {
        let path = "/a b//%/é~/x+y/".as_bytes();
        let mut bytes = Vec::new();
        encode_path_into(&mut bytes, path);
        let segments: Vec<String> = path.split(|&b| b == b'/').map(enc_bytes).collect();
        assert_eq!(String::from_utf8(bytes).unwrap(), segments.join("/"));
    }

    #[test]
    fn repair_matches_from_utf8_lossy_and_keeps_what_precedes() {
        for s in [
            "%FF",
            "a%C3",
            "%C3%28x",
            "%E2%82",
            "%E2%82%AC%80%80ok",
            "%F0%9F%98",
            "%ED%A0%80",
        ] {
            let mut out = b"kept".to_vec();
            decode_into(&mut out, s.as_bytes());
            let raw: Vec<u8> = percent_encoding::percent_decode(s.as_bytes()).collect();
            let expected = format!("kept{}", String::from_utf8_lossy(&raw));
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{s}");
        }
    }
}
