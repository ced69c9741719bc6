//! The signing algorithms of the official SDKs. Everything that differs between them lives
//! here and in one file per algorithm: the name, the hash, the content-hash header, the
//! `Authorization` form, the key and how it is derived, signing and verifying.
//!
//! Adding an algorithm is a variant of [`Algorithm`] and of [`SigningKey`] (with an arm in
//! each `match` of this file), and a file that gives its [`Scheme`] and its key type.

use std::fmt;
use std::sync::OnceLock;

use crate::sign::credentials::Credentials;
use crate::sign::crypto::HexSignature;
use crate::sign::error::SignError;

#[cfg(feature = "ecdsa")]
mod ecdsa_p256;
mod scheme;
mod sdk_hmac_sha256;
#[cfg(feature = "sm3")]
mod sdk_hmac_sm3;
#[cfg(feature = "ecdsa")]
mod sm2_sm3;
mod v11_hmac_sha256;

pub(crate) use scheme::{Key, Scheme, SignatureForm};

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
    /// elliptic-curve algorithms the `ecdsa` feature).
    pub fn is_available(self) -> bool {
        self.scheme().is_ok()
    }

    /// What the algorithm does, when this build has it.
    pub(crate) fn scheme(self) -> Result<&'static Scheme, SignError> {
        match self {
            Algorithm::SdkHmacSha256 => Ok(&sdk_hmac_sha256::SCHEME),
            Algorithm::V11HmacSha256 => Ok(&v11_hmac_sha256::SCHEME),
            #[cfg(feature = "sm3")]
            Algorithm::SdkHmacSm3 => Ok(&sdk_hmac_sm3::SCHEME),
            #[cfg(feature = "ecdsa")]
            Algorithm::SdkEcdsaP256Sha256 => Ok(&ecdsa_p256::SCHEME),
            #[cfg(feature = "ecdsa")]
            Algorithm::SdkSm2Sm3 => Ok(&sm2_sm3::SCHEME),
            #[allow(unreachable_patterns)]
            missing => Err(SignError::UnsupportedAlgorithm {
                name: missing.name(),
            }),
        }
    }

    /// The place of the algorithm in [`Algorithm::ALL`].
    fn index(self) -> usize {
        self as usize
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

/// A key prepared from credentials for one algorithm, once: the HMAC pad states, the
/// first step of the V11 key derivation, the elliptic-curve key pair.
///
/// Kept inline, not boxed: a key is made once per access key and algorithm, and read on
/// every signature, where a box would add a pointer to follow. (In some feature sets the
/// V11 key is the largest variant by far, which clippy points out.)
#[derive(Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "read on every signature, made once per access key"
)]
pub(crate) enum SigningKey {
    SdkHmacSha256(sdk_hmac_sha256::HmacKey),
    V11HmacSha256(v11_hmac_sha256::ScopedKey),
    #[cfg(feature = "sm3")]
    SdkHmacSm3(sdk_hmac_sm3::HmacSm3Key),
    #[cfg(feature = "ecdsa")]
    SdkEcdsaP256Sha256(ecdsa_p256::P256Key),
    #[cfg(feature = "ecdsa")]
    SdkSm2Sm3(sm2_sm3::Sm2Key),
}

impl SigningKey {
    /// Prepares the key of `algorithm` from `credentials`.
    fn prepare(algorithm: Algorithm, credentials: &Credentials) -> Result<Self, SignError> {
        Ok(match algorithm {
            Algorithm::SdkHmacSha256 => {
                SigningKey::SdkHmacSha256(sdk_hmac_sha256::HmacKey::new(credentials))
            }
            Algorithm::V11HmacSha256 => {
                SigningKey::V11HmacSha256(v11_hmac_sha256::ScopedKey::new(credentials))
            }
            #[cfg(feature = "sm3")]
            Algorithm::SdkHmacSm3 => {
                SigningKey::SdkHmacSm3(sdk_hmac_sm3::HmacSm3Key::new(credentials))
            }
            #[cfg(feature = "ecdsa")]
            Algorithm::SdkEcdsaP256Sha256 => {
                SigningKey::SdkEcdsaP256Sha256(ecdsa_p256::P256Key::derive(credentials)?)
            }
            #[cfg(feature = "ecdsa")]
            Algorithm::SdkSm2Sm3 => SigningKey::SdkSm2Sm3(sm2_sm3::Sm2Key::derive(credentials)?),
            #[allow(unreachable_patterns)]
            missing => {
                return Err(SignError::UnsupportedAlgorithm {
                    name: missing.name(),
                });
            }
        })
    }

    fn key(&self) -> &dyn Key {
        match self {
            SigningKey::SdkHmacSha256(k) => k,
            SigningKey::V11HmacSha256(k) => k,
            #[cfg(feature = "sm3")]
            SigningKey::SdkHmacSm3(k) => k,
            #[cfg(feature = "ecdsa")]
            SigningKey::SdkEcdsaP256Sha256(k) => k,
            #[cfg(feature = "ecdsa")]
            SigningKey::SdkSm2Sm3(k) => k,
        }
    }

    /// See [`Key::sign`].
    #[inline]
    pub(crate) fn sign(&self, string_to_sign: &[u8], scope: &str, out: &mut HexSignature) {
        self.key().sign(string_to_sign, scope, out);
    }

    /// See [`Key::verify`].
    pub(crate) fn verify(&self, string_to_sign: &[u8], scope: &str, signature: &str) -> bool {
        self.key().verify(string_to_sign, scope, signature)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

/// The keys of one set of credentials, each prepared on first use and kept: a signer's
/// own algorithm is prepared when the signer is built, any other when a verifier first
/// meets it for these credentials. `&self` suffices, and no lock is taken once prepared.
#[derive(Clone, Default)]
pub(crate) struct PreparedKeys {
    slots: [OnceLock<Result<SigningKey, SignError>>; Algorithm::ALL.len()],
}

impl PreparedKeys {
    /// The key of `algorithm` for `credentials` (always the same credentials for one
    /// `PreparedKeys`), prepared now if it was not yet.
    #[inline]
    pub(crate) fn get(
        &self,
        algorithm: Algorithm,
        credentials: &Credentials,
    ) -> Result<&SigningKey, SignError> {
        let slot = &self.slots[algorithm.index()];
        slot.get_or_init(|| SigningKey::prepare(algorithm, credentials))
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl fmt::Debug for PreparedKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PreparedKeys(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Algorithm::ALL {
            assert_eq!(a.name().parse::<Algorithm>(), Ok(a));
            assert_eq!(Algorithm::ALL[a.index()], a);
            if let Ok(scheme) = a.scheme() {
                assert_eq!(scheme.name, a.name());
            }
        }
        assert_eq!(
            "sdk-hmac-sm3".parse::<Algorithm>(),
            Ok(Algorithm::SdkHmacSm3)
        );
        assert!("HMAC".parse::<Algorithm>().is_err());
    }
}
