//! Strict parsing of the `Authorization` header of a signed request, for every algorithm
//! of the official SDKs.

use crate::Algorithm;
use crate::sign::algorithm::SignatureForm;
use crate::sign::canonical::{Listed, compare_bytes, same_bytes, sort_key};
use crate::verify::error::{VerifyError, echo};

/// The three fields of an `Authorization` header, borrowed from it.
///
/// ```
/// use huaweicloud_aksk::verify::Authorization;
///
/// let auth = Authorization::parse(
///     "SDK-HMAC-SHA256 Access=HWCEXAMPLEAK0123TEST, SignedHeaders=host;x-sdk-date, \
///      Signature=0858fa456de9c16562ad955eb067f9b43d1c2d8e82094d19e6df7eeb7ab5e092",
/// )?;
/// assert_eq!(auth.access_key(), "HWCEXAMPLEAK0123TEST");
/// assert_eq!(auth.signed_headers().collect::<Vec<_>>(), ["host", "x-sdk-date"]);
/// # Ok::<(), huaweicloud_aksk::verify::VerifyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authorization<'a> {
    algorithm: Algorithm,
    /// The credential scope of a scoped algorithm (V11), `YYYYMMDD/region/service`.
    scope: Option<&'a str>,
    access_key: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
    /// Which of the names the verifier looks for are signed (see [`Flags`]).
    flags: u8,
}

/// Bits of [`Authorization`]'s `flags`: names the verifier asks about on every request.
struct Flags;

impl Flags {
    const DATE: u8 = 1;
    const HOST: u8 = 2;
    const AUTHORIZATION: u8 = 4;

    /// The flag of a lower-case `name`, whose sort key is `key`: the key tells most names
    /// apart without comparing them.
    #[inline]
    fn of(key: u64, name: &[u8]) -> u8 {
        const DATE: u64 = u64::from_be_bytes(*b"x-sdk-da");
        const HOST: u64 = u64::from_be_bytes(*b"host\0\0\0\0");
        const AUTHORIZATION: u64 = u64::from_be_bytes(*b"authoriz");
        match key {
            DATE if name == b"x-sdk-date" => Flags::DATE,
            // A name has no NUL: only `host` has this key.
            HOST => Flags::HOST,
            AUTHORIZATION if name == b"authorization" => Flags::AUTHORIZATION,
            _ => 0,
        }
    }
}

impl<'a> Authorization<'a> {
    /// Parses `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b;c, Signature=HEX` exactly as the
    /// official SDKs write it (outer whitespace of the whole value is ignored):
    /// - an algorithm of [`Algorithm::ALL`] that this build supports; for `V11-HMAC-SHA256`
    ///   the first field is `Credential=AK/YYYYMMDD/region/service`;
    /// - one space after the algorithm, `", "` between the fields, the fields in this order;
    /// - a non-empty access key without outer whitespace, commas or control characters;
    /// - signed header names in lower case, valid HTTP header names, in strictly ascending
    ///   byte order (so each once), joined by `;`;
    /// - a signature of 64 lower-case hex digits (for the elliptic-curve algorithms, lower-case
    ///   hex of a DER signature).
    pub fn parse(value: &'a str) -> Result<Self, VerifyError> {
        Authorization::parse_listed(value, &mut Listed::default())
    }

    /// [`Authorization::parse`], keeping the names of `SignedHeaders` in `listed` as they
    /// are read and checked.
    pub(crate) fn parse_listed(
        value: &'a str,
        listed: &mut Listed<'a>,
    ) -> Result<Self, VerifyError> {
        // One forward pass over the bytes: the fields are found by their separators while
        // they are checked, and an error is only built on the way out.
        let malformed = |reason| VerifyError::MalformedAuthorization { reason };
        let value = crate::sign::canonical::trim(value);
        let Some(space) = position(value.as_bytes(), b' ') else {
            return Err(if value.is_empty() {
                malformed("empty")
            } else if value.parse::<Algorithm>().is_ok() {
                malformed("no fields after the algorithm")
            } else {
                VerifyError::UnsupportedAlgorithm {
                    algorithm: echo(value),
                }
            });
        };
        let (name, rest) = (&value[..space], &value[space + 1..]);
        let (algorithm, scheme) = Algorithm::ALL
            .into_iter()
            .find(|a| same_bytes(a.name().as_bytes(), name.as_bytes()))
            .and_then(|a| Some((a, a.scheme().ok()?)))
            .ok_or_else(|| VerifyError::UnsupportedAlgorithm {
                algorithm: echo(name),
            })?;
        let separated =
            || malformed("expected Access=, SignedHeaders= and Signature= separated by \", \"");

        // The first field, up to the first comma (no field can hold one).
        // (Two prefixes known at compile time compare inline; a chosen one calls `memcmp`.)
        let rest = if scheme.scoped {
            rest.strip_prefix("Credential=")
                .ok_or_else(|| malformed("the first field is not Credential="))?
        } else {
            rest.strip_prefix("Access=")
                .ok_or_else(|| malformed("the first field is not Access="))?
        };
        let comma = position(rest.as_bytes(), b',').ok_or_else(separated)?;
        let (field, rest) = (&rest[..comma], &rest[comma + 1..]);
        let (access_key, scope) = if scheme.scoped {
            let slash = position(field.as_bytes(), b'/')
                .ok_or_else(|| malformed("the credential has no scope"))?;
            let (ak, scope) = (&field[..slash], &field[slash + 1..]);
            if !is_credential_scope(scope) {
                return Err(malformed(
                    "the credential scope is not YYYYMMDD/region/service",
                ));
            }
            (ak, Some(scope))
        } else {
            (field, None)
        };
        // An access key may hold inner spaces (the Python SDK's own tests use "my ak").
        match access_key.as_bytes() {
            [] => return Err(malformed("empty access key")),
            [b' ', ..] | [.., b' '] => return Err(bad_access_key()),
            ak if !ak.iter().fold(true, |ok, &b| ok & !b.is_ascii_control()) => {
                return Err(bad_access_key());
            }
            _ => {}
        }

        let rest = rest
            .strip_prefix(" SignedHeaders=")
            .ok_or_else(|| malformed("the second field is not \", SignedHeaders=\""))?;
        let (len, flags) = read_signed_headers(rest.as_bytes(), listed)?;
        let (signed_headers, rest) = (&rest[..len], &rest[len..]);
        listed.finish(signed_headers);
        // The list ends at a comma or at the end of the value.
        let signature = rest.strip_prefix(", Signature=").ok_or_else(|| {
            if rest.is_empty() {
                separated()
            } else {
                malformed("the third field is not \", Signature=\"")
            }
        })?;

        // Hex has no comma: a fourth field makes the signature fail this check.
        let lower_hex = signature.bytes().fold(true, |ok, b| {
            ok & (b.is_ascii_digit() | (b'a'..=b'f').contains(&b))
        });
        if scheme.signature == SignatureForm::DerHex {
            // DER SEQUENCE of two INTEGERs of a 256-bit curve: 8 to 72 bytes.
            if !lower_hex || signature.len() % 2 != 0 || !(16..=144).contains(&signature.len()) {
                return Err(malformed(
                    "signature is not lower-case hex of a DER signature",
                ));
            }
        } else if signature.len() != 64 || !lower_hex {
            return Err(malformed("signature is not 64 lower-case hex digits"));
        }
        Ok(Authorization {
            algorithm,
            scope,
            access_key,
            signed_headers,
            signature,
            flags,
        })
    }

    /// The algorithm named.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The credential scope of a `V11-HMAC-SHA256` header: `YYYYMMDD/region/service`.
    pub fn credential_scope(&self) -> Option<&'a str> {
        self.scope
    }

    /// The access key (AK).
    pub fn access_key(&self) -> &'a str {
        self.access_key
    }

    /// The signed header names as written: lower case, joined by `;`.
    pub fn signed_headers_str(&self) -> &'a str {
        self.signed_headers
    }

    /// The signed header names, one by one.
    pub fn signed_headers(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.signed_headers.split(';')
    }

    /// Is `name` (any case) among the signed headers?
    pub fn is_signed(&self, name: &str) -> bool {
        self.signed_headers().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// The signature: 64 lower-case hex digits, or hex of DER for the elliptic-curve
    /// algorithms.
    pub fn signature(&self) -> &'a str {
        self.signature
    }

    /// Is `x-sdk-date` signed?
    pub(crate) fn signs_date(&self) -> bool {
        self.flags & Flags::DATE != 0
    }

    /// Is `host` signed?
    pub(crate) fn signs_host(&self) -> bool {
        self.flags & Flags::HOST != 0
    }

    /// Is `authorization` signed (as a header of its own: no SDK signs it)?
    pub(crate) fn signs_authorization(&self) -> bool {
        self.flags & Flags::AUTHORIZATION != 0
    }
}

/// The bytes of a `SignedHeaders` list: RFC 9110 `tchar`s that are not upper case (a
/// lower-case header name), and the `;` between names.
const LIST_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (crate::sign::canonical::TCHAR[b] && !(b as u8).is_ascii_uppercase())
            || b == b';' as usize;
        b += 1;
    }
    t
};

/// The first `needle` in `haystack`: eight bytes at a time, then byte by byte.
#[inline]
fn position(haystack: &[u8], needle: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = haystack.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("chunks of 8 bytes"));
        // Zero bytes where `needle` is; the lowest byte flagged is the first zero byte
        // (a borrow only runs upwards from a zero byte, past the first).
        let x = word ^ (ONES * u64::from(needle));
        let zero = x.wrapping_sub(ONES) & !x & HIGH;
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|i| at + i)
}

fn bad_access_key() -> VerifyError {
    VerifyError::MalformedAuthorization {
        reason: "access key has outer whitespace or a control character",
    }
}

/// Is `scope` a V11 credential scope, `YYYYMMDD/region/service` (region and service
/// non-empty and without spaces)?
fn is_credential_scope(scope: &str) -> bool {
    // Eight bytes at a time: the digits as one word, the separators by `position`.
    let b = scope.as_bytes();
    let Some((day, [b'/', rest @ ..])) = b.split_first_chunk::<8>() else {
        return false;
    };
    let Some(slash) = position(rest, b'/') else {
        return false;
    };
    let (region, service) = (&rest[..slash], &rest[slash + 1..]);
    is_digits_8(*day)
        && !region.is_empty()
        && !service.is_empty()
        && position(service, b'/').is_none()
        && position(rest, b' ').is_none()
}

/// Are all eight bytes ASCII digits? Each byte's high nibble is 3 and, once 6 is added,
/// still 3 (from ':' up it becomes 4).
fn is_digits_8(bytes: [u8; 8]) -> bool {
    const HIGH: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    let word = u64::from_le_bytes(bytes);
    word & HIGH == THREES && word.wrapping_add(0x0606_0606_0606_0606) & HIGH == THREES
}

/// The day, region and service of a scope that [`is_credential_scope`] accepted.
pub(crate) fn scope_parts(scope: &str) -> (&str, &str, &str) {
    let (day, rest) = (&scope[..8], &scope[9..]);
    let slash = position(rest.as_bytes(), b'/').expect("a checked scope has a second '/'");
    (day, &rest[..slash], &rest[slash + 1..])
}

/// Reads the `SignedHeaders` list at the start of `s`, up to the first comma or the end,
/// checking it: lower-case header names, strictly ascending, joined by `;`. Gives the
/// list's length and the [`Flags`] of the names in it; the names go to `listed`.
fn read_signed_headers<'a>(
    s: &'a [u8],
    listed: &mut Listed<'a>,
) -> Result<(usize, u8), VerifyError> {
    let malformed = |reason| VerifyError::MalformedAuthorization { reason };
    let len = position(s, b',').unwrap_or(s.len());
    let list = &s[..len];
    // Every byte is checked in one pass without a branch per byte (the usual bytes by
    // comparisons the compiler vectorises, the others by the table); the names are then
    // only split.
    let usual = |b: u8| b.is_ascii_lowercase() | b.is_ascii_digit() | (b == b'-') | (b == b';');
    if !list.iter().fold(true, |ok, &b| ok & usual(b))
        && !list
            .iter()
            .fold(true, |ok, &b| ok & LIST_BYTE[usize::from(b)])
    {
        return Err(malformed(if list.iter().any(u8::is_ascii_uppercase) {
            "SignedHeaders is not lower case"
        } else {
            "invalid header name in SignedHeaders"
        }));
    }
    let mut flags = 0;
    let mut previous: Option<(u64, &[u8])> = None;
    let mut start = 0;
    loop {
        let rest = &list[start..];
        let end = start + position(rest, b';').unwrap_or(rest.len());
        let name = &list[start..end];
        if name.is_empty() {
            return Err(malformed(if list.is_empty() {
                "empty SignedHeaders"
            } else {
                "empty name in SignedHeaders"
            }));
        }
        // Names compare as their sort keys do, unless the keys are equal.
        let key = lower_sort_key(s, start, name.len());
        if let Some((previous_key, previous_name)) = previous {
            if !previous_key
                .cmp(&key)
                .then_with(|| compare_bytes(previous_name, name))
                .is_lt()
            {
                return Err(malformed("SignedHeaders is not sorted or repeats a name"));
            }
        }
        flags |= Flags::of(key, name);
        listed.push(key, name);
        if end == len {
            return Ok((len, flags));
        }
        previous = Some((key, name));
        start = end + 1;
    }
}

/// The [`sort_key`] of the lower-case name of `len` bytes at `start` in `s`: when `s` holds
/// eight bytes from there (the rest of `Authorization` follows the list), one load with
/// the bytes past the name masked off, rather than a byte-by-byte gather.
#[inline]
fn lower_sort_key(s: &[u8], start: usize, len: usize) -> u64 {
    let key = match s.get(start..start + 8) {
        Some(eight) => {
            let word = u64::from_be_bytes(eight.try_into().expect("8 bytes"));
            if len >= 8 {
                word
            } else {
                word & !(u64::MAX >> (len * 8))
            }
        }
        None => sort_key(&s[start..start + len]),
    };
    debug_assert_eq!(key, sort_key(&s[start..start + len]));
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_finds_the_first_needle_wherever_it_is() {
        for len in 0..40 {
            for at in 0..=len {
                for other in [b'/', b',', b' ', 0, 0x2b, 0x2d, 0xff, 0x80] {
                    let mut hay = vec![b'a'; len];
                    // A byte just off the needle, in every other position.
                    hay.iter_mut().step_by(3).for_each(|b| *b = b',' + 1);
                    hay.iter_mut()
                        .skip(1)
                        .step_by(5)
                        .for_each(|b| *b = b',' - 1);
                    if at < len {
                        hay[at] = b',';
                        // A second needle after the first changes nothing.
                        hay[(at + 1 + usize::from(other) % 7).min(len - 1)] = b',';
                    }
                    let expected = hay.iter().position(|&b| b == b',');
                    assert_eq!(position(&hay, b','), expected, "{hay:?}");
                    assert_eq!(
                        position(&hay, other),
                        hay.iter().position(|&b| b == other),
                        "{hay:?} {other}"
                    );
                }
            }
        }
    }

    /// Every string of up to `n` pieces.
    fn strings(pieces: &[&str], n: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = all.clone();
        for _ in 0..n {
            last = last
                .iter()
                .flat_map(|s| pieces.iter().map(move |p| format!("{s}{p}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    #[test]
    fn is_digits_8_agrees_with_is_ascii_digit_on_every_byte_at_every_position() {
        for at in 0..8 {
            for byte in 0..=255u8 {
                let mut bytes = *b"20261128";
                bytes[at] = byte;
                assert_eq!(is_digits_8(bytes), byte.is_ascii_digit(), "{bytes:?}");
            }
        }
    }

    #[test]
    fn credential_scopes_are_what_the_definition_says() {
        // The definition read plainly: eight digits, '/', then region and service split at
        // the next '/', both non-empty and without ' ' or '/'.
        let plain = |scope: &str| {
            let Some((day, rest)) = scope.split_at_checked(8) else {
                return false;
            };
            let Some((region, service)) = rest.strip_prefix('/').and_then(|r| r.split_once('/'))
            else {
                return false;
            };
            day.bytes().all(|b| b.is_ascii_digit())
                && [region, service]
                    .iter()
                    .all(|p| !p.is_empty() && !p.contains([' ', '/']))
        };
        let mut tried = 0;
        for day in ["20191115", "2019111", "2019111x", "20191115/", "201911155"] {
            for rest in strings(&["/", "r", " ", "é", "-1"], 5) {
                let scope = format!("{day}{rest}");
                assert_eq!(is_credential_scope(&scope), plain(&scope), "{scope:?}");
                tried += usize::from(plain(&scope));
            }
        }
        assert!(tried > 100, "the pieces make valid scopes too: {tried}");
    }

    #[test]
    fn signed_header_lists_are_what_the_definition_says() {
        // Lower-case header names, strictly ascending, joined by ';'.
        let plain = |list: &str| {
            let names: Vec<&str> = list.split(';').collect();
            names.iter().all(|n| {
                !n.is_empty()
                    && n.bytes().all(|b| {
                        crate::sign::canonical::TCHAR[usize::from(b)] && !b.is_ascii_uppercase()
                    })
            }) && names.windows(2).all(|w| w[0] < w[1])
        };
        let mut accepted = 0;
        for list in strings(
            &[
                "host",
                ";",
                "x-sdk-date",
                "a",
                "Host",
                " ",
                "_",
                "\u{80}",
                "hostx",
            ],
            4,
        ) {
            let value = format!("{list}, Signature=...");
            let read = read_signed_headers(value.as_bytes(), &mut Listed::default());
            assert_eq!(read.is_ok(), plain(&list), "{list:?}");
            if let Ok((len, flags)) = read {
                assert_eq!(len, list.len());
                let names: Vec<&str> = list.split(';').collect();
                assert_eq!(
                    flags & Flags::DATE != 0,
                    names.contains(&"x-sdk-date"),
                    "{list:?}"
                );
                assert_eq!(
                    flags & Flags::HOST != 0,
                    names.contains(&"host"),
                    "{list:?}"
                );
                accepted += 1;
            }
        }
        assert!(accepted > 20, "the pieces make valid lists too: {accepted}");
    }

    const SIG: &str = "0858fa456de9c16562ad955eb067f9b43d1c2d8e82094d19e6df7eeb7ab5e092";

    #[test]
    fn parses_what_the_official_sdks_write() {
        let value = format!(
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature={SIG}"
        );
        let auth = Authorization::parse(&value).unwrap();
        assert_eq!(auth.access_key(), "AK");
        assert!(auth.is_signed("X-Sdk-Date"));
        assert!(!auth.is_signed("x-sdk"));
        assert_eq!(auth.signature(), SIG);
    }

    #[test]
    fn names_with_underscores_are_accepted() {
        let value = format!(
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date;x_custom, Signature={SIG}"
        );
        assert!(Authorization::parse(&value).is_ok());
    }

    #[test]
    fn every_official_algorithm_is_parsed_and_others_are_unsupported() {
        // A build without the algorithm's feature refuses it as unsupported.
        let sm3 = format!("SDK-HMAC-SM3 Access=AK, SignedHeaders=host;x-sdk-date, Signature={SIG}");
        #[cfg(feature = "sm3")]
        assert_eq!(
            Authorization::parse(&sm3).unwrap().algorithm(),
            Algorithm::SdkHmacSm3
        );
        #[cfg(not(feature = "sm3"))]
        assert!(matches!(
            Authorization::parse(&sm3),
            Err(VerifyError::UnsupportedAlgorithm { .. })
        ));
        let v11 = format!(
            "V11-HMAC-SHA256 Credential=AK/20191115/region-id-1/service, SignedHeaders=host;x-sdk-date, Signature={SIG}"
        );
        let auth = Authorization::parse(&v11).unwrap();
        assert_eq!(auth.access_key(), "AK");
        assert_eq!(
            auth.credential_scope(),
            Some("20191115/region-id-1/service")
        );
        for bad_scope in ["AK", "AK/2019/r/s", "AK/20191115/r", "AK/20191115//s"] {
            let v = format!(
                "V11-HMAC-SHA256 Credential={bad_scope}, SignedHeaders=host;x-sdk-date, Signature={SIG}"
            );
            assert!(
                matches!(
                    Authorization::parse(&v),
                    Err(VerifyError::MalformedAuthorization { .. })
                ),
                "{v}"
            );
        }
        let ec = "SDK-ECDSA-P256-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=3006020101020101";
        #[cfg(feature = "ecdsa")]
        assert_eq!(
            Authorization::parse(ec).unwrap().algorithm(),
            Algorithm::SdkEcdsaP256Sha256
        );
        #[cfg(not(feature = "ecdsa"))]
        assert!(matches!(
            Authorization::parse(ec),
            Err(VerifyError::UnsupportedAlgorithm { .. })
        ));
        for bad in ["30060201010201", "3006020101020101X", "30"] {
            let v =
                format!("SDK-SM2-SM3 Access=AK, SignedHeaders=host;x-sdk-date, Signature={bad}");
            assert!(Authorization::parse(&v).is_err(), "{v}");
        }
        for other in [
            format!("SDK-HMAC-MD5 Access=AK, SignedHeaders=host, Signature={SIG}"),
            format!("sdk-hmac-sha256 Access=AK, SignedHeaders=host, Signature={SIG}"),
            "Bearer".to_owned(),
        ] {
            assert!(matches!(
                Authorization::parse(&other),
                Err(VerifyError::UnsupportedAlgorithm { .. })
            ));
        }
    }

    #[test]
    fn unsorted_or_repeated_names_are_refused() {
        for list in [
            "x-sdk-date;host",
            "host;host",
            "Host;x-sdk-date",
            "host;;x-sdk-date",
            "ho st",
        ] {
            let value = format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders={list}, Signature={SIG}");
            assert!(
                matches!(
                    Authorization::parse(&value),
                    Err(VerifyError::MalformedAuthorization { .. })
                ),
                "{list}"
            );
        }
    }
}
