//! Strict parsing of the `Authorization` header of an `SDK-HMAC-SHA256` request.

use crate::signer::SDK_HMAC_SHA256;
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
    const CONTENT_SHA256: u8 = 4;
    const CONTENT_SM3: u8 = 8;

    fn of(name: &[u8]) -> u8 {
        match name {
            b"x-sdk-date" => Flags::DATE,
            b"host" => Flags::HOST,
            b"x-sdk-content-sha256" => Flags::CONTENT_SHA256,
            b"x-sdk-content-sm3" => Flags::CONTENT_SM3,
            _ => 0,
        }
    }
}

impl<'a> Authorization<'a> {
    /// Parses `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b;c, Signature=HEX` exactly as the
    /// official SDKs write it (outer whitespace of the whole value is ignored):
    /// - one space after the algorithm, `", "` between the fields, the fields in this order;
    /// - a non-empty access key without outer whitespace, commas or control characters;
    /// - signed header names in lower case, valid HTTP header names, in strictly ascending
    ///   byte order (so each once), joined by `;`;
    /// - a signature of 64 lower-case hex digits.
    pub fn parse(value: &'a str) -> Result<Self, VerifyError> {
        let malformed = |reason| VerifyError::MalformedAuthorization { reason };
        let value = value.trim();
        let Some((algorithm, rest)) = value.split_once(' ') else {
            return Err(if value.is_empty() {
                malformed("empty")
            } else if value == SDK_HMAC_SHA256 {
                malformed("no fields after the algorithm")
            } else {
                VerifyError::UnsupportedAlgorithm {
                    algorithm: echo(value),
                }
            });
        };
        if algorithm != SDK_HMAC_SHA256 {
            return Err(VerifyError::UnsupportedAlgorithm {
                algorithm: echo(algorithm),
            });
        }
        // No field can hold a comma, so the fields are what lies between commas.
        let mut fields = rest.split(',');
        let (Some(access), Some(signed), Some(signature), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(malformed(
                "expected Access=, SignedHeaders= and Signature= separated by \", \"",
            ));
        };
        let access_key = access
            .strip_prefix("Access=")
            .ok_or(malformed("the first field is not Access="))?;
        let signed_headers = signed
            .strip_prefix(" SignedHeaders=")
            .ok_or(malformed("the second field is not \", SignedHeaders=\""))?;
        let signature = signature
            .strip_prefix(" Signature=")
            .ok_or(malformed("the third field is not \", Signature=\""))?;

        if access_key.is_empty() {
            return Err(malformed("empty access key"));
        }
        // An access key may hold inner spaces (the Python SDK's own tests use "my ak").
        let ak = access_key.as_bytes();
        if ak[0] == b' ' || ak[ak.len() - 1] == b' ' || ak.iter().any(|b| b.is_ascii_control()) {
            return Err(malformed(
                "access key has outer whitespace or a control character",
            ));
        }
        let flags = check_signed_headers(signed_headers)?;
        if signature.len() != 64
            || !signature
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(malformed("signature is not 64 lower-case hex digits"));
        }
        Ok(Authorization {
            access_key,
            signed_headers,
            signature,
            flags,
        })
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

    /// The signature, 64 lower-case hex digits.
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

    /// Is `x-sdk-content-sha256` signed?
    pub(crate) fn signs_content_sha256(&self) -> bool {
        self.flags & Flags::CONTENT_SHA256 != 0
    }

    /// Is `x-sdk-content-sm3` signed?
    pub(crate) fn signs_content_sm3(&self) -> bool {
        self.flags & Flags::CONTENT_SM3 != 0
    }
}

/// Is `b` allowed in a lower-case header name (an RFC 9110 `tchar` that is not upper case)?
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_lowercase()
        || b.is_ascii_digit()
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

/// Checks a `SignedHeaders` list in one pass over its bytes; gives the [`Flags`] of the
/// names in it.
fn check_signed_headers(list: &str) -> Result<u8, VerifyError> {
    let malformed = |reason| VerifyError::MalformedAuthorization { reason };
    if list.is_empty() {
        return Err(malformed("empty SignedHeaders"));
    }
    let bytes = list.as_bytes();
    let mut previous: Option<&[u8]> = None;
    let mut flags = 0;
    let mut start = 0;
    for i in 0..=bytes.len() {
        if let Some(&b) = bytes.get(i).filter(|&&b| b != b';') {
            if b.is_ascii_uppercase() {
                return Err(malformed("SignedHeaders is not lower case"));
            }
            if !is_name_byte(b) {
                return Err(malformed("invalid header name in SignedHeaders"));
            }
            continue;
        }
        let name = &bytes[start..i];
        if name.is_empty() {
            return Err(malformed("empty name in SignedHeaders"));
        }
        if previous.is_some_and(|p| p >= name) {
            return Err(malformed("SignedHeaders is not sorted or repeats a name"));
        }
        flags |= Flags::of(name);
        previous = Some(name);
        start = i + 1;
    }
    Ok(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn other_algorithms_are_unsupported() {
        let value = format!("SDK-HMAC-SM3 Access=AK, SignedHeaders=host, Signature={SIG}");
        assert!(matches!(
            Authorization::parse(&value),
            Err(VerifyError::UnsupportedAlgorithm { .. })
        ));
        assert!(matches!(
            Authorization::parse("Bearer"),
            Err(VerifyError::UnsupportedAlgorithm { .. })
        ));
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
