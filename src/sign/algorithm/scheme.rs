//! What describes an algorithm apart from its key, and what its key does: the types each
//! algorithm's file fills in.

use crate::sign::crypto::{Hash, HexSignature, ct_eq, hex32};
use crate::sign::date::SdkDate;

/// How an algorithm's signature is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureForm {
    /// 64 lower-case hex digits (an HMAC).
    Hex64,
    /// Lower-case hex of a DER `SEQUENCE { r, s }` of a 256-bit curve (8 to 72 bytes).
    DerHex,
}

/// Everything about an algorithm but its key (docs/SIGNING.md §2).
#[derive(Debug)]
pub(crate) struct Scheme {
    /// The name, as it starts `Authorization` and the string to sign (the same as
    /// [`Algorithm::name`](super::Algorithm::name)).
    pub(crate) name: &'static str,
    /// The hash of the canonical request and of the body.
    pub(crate) hash: Hash,
    /// The header that carries a precomputed payload hash, lower case.
    pub(crate) content_header: &'static str,
    /// The same header as the signer adds it.
    pub(crate) content_header_name: &'static str,
    /// Is the key scoped to a day, a region and a service? Then the string to sign has
    /// the scope as its third line, and `Authorization` starts
    /// `NAME Credential=AK/YYYYMMDD/region/service` rather than `NAME Access=AK`.
    pub(crate) scoped: bool,
    pub(crate) signature: SignatureForm,
}

impl Scheme {
    /// Writes the string to sign of `canonical` at `date` into `out` (docs/SIGNING.md §1, §2):
    /// the name, the date, for a scoped algorithm `YYYYMMDD/region/service`, and the hex
    /// hash of the canonical request. Gives where the scope is in `out` (empty when not
    /// scoped).
    pub(crate) fn write_string_to_sign(
        &self,
        canonical: &[u8],
        date: SdkDate,
        scope: Option<(&str, &str)>,
        out: &mut Vec<u8>,
    ) -> std::ops::Range<usize> {
        out.clear();
        out.extend_from_slice(self.name.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(date.as_bytes());
        out.push(b'\n');
        let mut range = out.len()..out.len();
        if self.scoped {
            if let Some((region, service)) = scope {
                out.extend_from_slice(date.day().as_bytes());
                out.push(b'/');
                out.extend_from_slice(region.as_bytes());
                out.push(b'/');
                out.extend_from_slice(service.as_bytes());
            }
            range.end = out.len();
            out.push(b'\n');
        }
        out.extend_from_slice(&hex32(&self.hash.digest(canonical)));
        range
    }

    /// Writes `Authorization` into `out`.
    pub(crate) fn write_authorization(
        &self,
        access_key: &str,
        scope: &str,
        signed_headers: &str,
        signature: &str,
        out: &mut String,
    ) {
        out.clear();
        out.push_str(self.name);
        if self.scoped {
            out.push_str(" Credential=");
            out.push_str(access_key);
            out.push('/');
            out.push_str(scope);
        } else {
            out.push_str(" Access=");
            out.push_str(access_key);
        }
        out.push_str(", SignedHeaders=");
        out.push_str(signed_headers);
        out.push_str(", Signature=");
        out.push_str(signature);
    }
}

/// What each algorithm's key does. `scope` is `YYYYMMDD/region/service` for a scoped
/// algorithm, empty otherwise.
pub(crate) trait Key {
    /// Writes the signature of `string_to_sign` into `out`.
    fn sign(&self, string_to_sign: &[u8], scope: &str, out: &mut HexSignature);

    /// Is `signature` (hex, as in `Authorization`) a signature of `string_to_sign`?
    fn verify(&self, string_to_sign: &[u8], scope: &str, signature: &str) -> bool;
}

/// Is `signature` the hex of `mac`? In time independent of where they differ.
#[inline]
pub(crate) fn is_mac(mac: &[u8; 32], signature: &str) -> bool {
    ct_eq(&hex32(mac), signature.as_bytes())
}
