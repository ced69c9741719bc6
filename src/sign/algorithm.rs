//! The signing algorithms of the official SDKs, and what each changes: the name that starts
//! `Authorization`, the hash, the key, and the content-hash header.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::sign::error::SignError;

/// A signing algorithm, named by the token that starts `Authorization`.
///
/// ```
/// use huaweicloud_aksk::Algorithm;
///
/// let alg: Algorithm = "V11-HMAC-SHA256".parse().unwrap();
/// assert_eq!(alg, Algorithm::V11HmacSha256);
/// assert_eq!(Algorithm::default().name(), "SDK-HMAC-SHA256");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// `SDK-HMAC-SHA256`, the default: HMAC-SHA256 under the secret key.
    #[default]
    SdkHmacSha256,
    /// `V11-HMAC-SHA256`: HMAC-SHA256 under a key derived per day, region and service
    /// (HKDF-SHA256); needs a region and a service.
    V11HmacSha256,
    /// `SDK-HMAC-SM3`: SM3 in place of SHA-256 everywhere (feature `sm3`).
    SdkHmacSm3,
    /// `SDK-ECDSA-P256-SHA256`: ECDSA on P-256 with a key derived from the AK/SK
    /// (feature `ecdsa`).
    SdkEcdsaP256Sha256,
    /// `SDK-SM2-SM3`: SM2 signatures with a key derived from the AK/SK (feature `ecdsa`).
    SdkSm2Sm3,
}

impl Algorithm {
    /// Every algorithm, in the order above.
    pub const ALL: [Algorithm; 5] = [
        Algorithm::SdkHmacSha256,
        Algorithm::V11HmacSha256,
        Algorithm::SdkHmacSm3,
        Algorithm::SdkEcdsaP256Sha256,
        Algorithm::SdkSm2Sm3,
    ];

    /// The name, as it starts `Authorization` and the string to sign.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::SdkHmacSha256 => "SDK-HMAC-SHA256",
            Algorithm::V11HmacSha256 => "V11-HMAC-SHA256",
            Algorithm::SdkHmacSm3 => "SDK-HMAC-SM3",
            Algorithm::SdkEcdsaP256Sha256 => "SDK-ECDSA-P256-SHA256",
            Algorithm::SdkSm2Sm3 => "SDK-SM2-SM3",
        }
    }

    /// Whether this build of the crate can sign with it (SM3 needs the `sm3` feature, the
    /// ECDSA variants the `ecdsa` feature).
    pub fn is_available(self) -> bool {
        match self {
            Algorithm::SdkHmacSha256 | Algorithm::V11HmacSha256 => true,
            Algorithm::SdkHmacSm3 => cfg!(feature = "sm3"),
            Algorithm::SdkEcdsaP256Sha256 | Algorithm::SdkSm2Sm3 => cfg!(feature = "ecdsa"),
        }
    }

    /// Does the algorithm hash with SM3 rather than SHA-256?
    pub(crate) fn uses_sm3(self) -> bool {
        matches!(self, Algorithm::SdkHmacSm3 | Algorithm::SdkSm2Sm3)
    }

    /// Is the signature an elliptic-curve signature rather than an HMAC?
    pub(crate) fn is_ecdsa(self) -> bool {
        matches!(self, Algorithm::SdkEcdsaP256Sha256 | Algorithm::SdkSm2Sm3)
    }

    /// The header that carries a precomputed payload hash (lower case).
    pub(crate) fn content_header(self) -> &'static str {
        if self.uses_sm3() {
            "x-sdk-content-sm3"
        } else {
            "x-sdk-content-sha256"
        }
    }

    /// How the body is hashed.
    pub(crate) fn body_hash(self) -> BodyHash {
        if self.uses_sm3() {
            BodyHash {
                empty: EMPTY_SM3,
                hash: sm3_digest,
            }
        } else {
            BodyHash::SHA256
        }
    }

    pub(crate) fn check_available(self) -> Result<(), SignError> {
        if self.is_available() {
            Ok(())
        } else {
            Err(SignError::UnsupportedAlgorithm { name: self.name() })
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An algorithm name that is not one of [`Algorithm::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAlgorithm;

impl fmt::Display for UnknownAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "unknown signing algorithm (expected SDK-HMAC-SHA256, V11-HMAC-SHA256, SDK-HMAC-SM3, \
             SDK-ECDSA-P256-SHA256 or SDK-SM2-SM3)",
        )
    }
}

impl std::error::Error for UnknownAlgorithm {}

impl std::str::FromStr for Algorithm {
    type Err = UnknownAlgorithm;
    fn from_str(s: &str) -> Result<Self, UnknownAlgorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(s.trim()))
            .ok_or(UnknownAlgorithm)
    }
}

/// hex(SM3("")).
pub(crate) const EMPTY_SM3: &str =
    "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b";

/// How a payload is hashed: the digest function and the constant for an empty body.
#[derive(Clone, Copy)]
pub(crate) struct BodyHash {
    pub(crate) empty: &'static str,
    pub(crate) hash: fn(&[u8]) -> [u8; 32],
}

impl fmt::Debug for BodyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyHash")
            .field("empty", &self.empty)
            .finish()
    }
}

impl BodyHash {
    pub(crate) const SHA256: BodyHash = BodyHash {
        empty: crate::sign::canonical::EMPTY_SHA256,
        hash: sha256_digest,
    };
}

pub(crate) fn sha256_digest(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

#[cfg(feature = "sm3")]
pub(crate) fn sm3_digest(data: &[u8]) -> [u8; 32] {
    sm3::Sm3::digest(data).into()
}

#[cfg(not(feature = "sm3"))]
pub(crate) fn sm3_digest(_data: &[u8]) -> [u8; 32] {
    // Unreachable: signing with SM3 is refused before any hashing without the feature.
    [0; 32]
}

/// HMAC-SHA256.
pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    crate::sign::sha256::HmacSha256::new(key).mac(data)
}

/// The V11 derived key: hex(HKDF-SHA256(IKM = SK, salt = AK, info, L = 32)), whose 64 ASCII
/// characters are the HMAC key.
pub(crate) fn v11_derived_key(ak: &str, sk: &str, info: &str) -> [u8; 64] {
    let prk = hmac_sha256(ak.as_bytes(), sk.as_bytes());
    let mut t = Vec::with_capacity(info.len() + 1);
    t.extend_from_slice(info.as_bytes());
    t.push(1);
    crate::sign::encoding::hex32(&hmac_sha256(&prk, &t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Algorithm::ALL {
            assert_eq!(a.name().parse::<Algorithm>(), Ok(a));
        }
        assert_eq!(
            "sdk-hmac-sm3".parse::<Algorithm>(),
            Ok(Algorithm::SdkHmacSm3)
        );
        assert!("HMAC".parse::<Algorithm>().is_err());
    }

    #[test]
    fn v11_key_matches_the_java_sdk_known_answer() {
        // SPEC §3: Java SDK test, AK "AccessKey", SK "SecretKey".
        let key = v11_derived_key("AccessKey", "SecretKey", "20191115/region-id-1/service");
        assert_eq!(
            std::str::from_utf8(&key).unwrap(),
            "1c5724913ed69bdda5e7a25d0beb7f2518aa55d96f97e0649301127d35b9ed31"
        );
    }

    #[cfg(feature = "sm3")]
    #[test]
    fn sm3_of_nothing_is_the_documented_constant() {
        assert_eq!(hex::encode(sm3_digest(b"")), EMPTY_SM3);
    }
}
