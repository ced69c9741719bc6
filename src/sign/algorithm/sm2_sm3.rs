//! `SDK-SM2-SM3`: SM2 signatures (GB/T 32918.2) over SM3, with a key derived from the
//! AK/SK (docs/SIGNING.md §2). The nonce is derived from the key and the digest, so no
//! random source is needed; signatures are hex of DER.

use hmac::{Hmac, Mac};
use p256::elliptic_curve::PrimeField;
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use sha2::Sha256;
use sm2::dsa::signature::hazmat::PrehashVerifier;
use sm3::Digest;

use crate::sign::algorithm::scheme::{Key, Scheme, SignatureForm};
use crate::sign::credentials::Credentials;
use crate::sign::crypto::ec::{
    decode_hex, der_decode, der_encode, derive_secret, hex_literal, minimal,
};
use crate::sign::crypto::{Hash, HexSignature};
use crate::sign::error::SignError;

/// What the algorithm is, apart from its key.
pub(crate) static SCHEME: Scheme = Scheme {
    name: "SDK-SM2-SM3",
    hash: Hash::Sm3,
    content_header: "x-sdk-content-sm3",
    content_header_name: "X-Sdk-Content-Sm3",
    scoped: false,
    signature: SignatureForm::DerHex,
};

/// n - 2 of SM2, big-endian.
const N_MINUS_2: [u8; 32] =
    hex_literal(b"fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54121");

/// The key pair derived from the AK/SK, with what signing and verifying reuse: Z_A and
/// `(1 + d)^-1`.
#[derive(Clone)]
pub(crate) struct Sm2Key {
    d: sm2::Scalar,
    one_plus_d_inv: sm2::Scalar,
    /// Affine, as the `sm2` crate keeps it: the linear combination costs less from it.
    /// The `sm2` crate's verifier of the same public key: its check of a digest is the
    /// crate's own code, as fast as the crate makes it.
    verifying: sm2::dsa::VerifyingKey,
    za: [u8; 32],
}

impl Sm2Key {
    pub(crate) fn derive(credentials: &Credentials) -> Result<Self, SignError> {
        let d = derive_secret(
            SCHEME.name,
            SCHEME.hash,
            credentials.access_key(),
            credentials.secret_key().expose(),
            &N_MINUS_2,
        )
        .ok_or(SignError::KeyDerivation)?;
        let d: sm2::Scalar =
            Option::from(sm2::Scalar::from_repr(d.into())).ok_or(SignError::KeyDerivation)?;
        // d <= n - 1, so 1 + d is not zero.
        let one_plus_d_inv: sm2::Scalar =
            Option::from((sm2::Scalar::ONE + d).invert()).ok_or(SignError::KeyDerivation)?;
        let public = (sm2::ProjectivePoint::GENERATOR * d).to_affine();
        // The distinguishing id only serves the crate's own Z_A, which is not used here:
        // digests are computed with the Python SDK's Z_A and checked as prehashes.
        let verifying = sm2::dsa::VerifyingKey::from_affine("1234567812345678", public)
            .map_err(|_| SignError::KeyDerivation)?;
        Ok(Sm2Key {
            d,
            one_plus_d_inv,
            verifying,
            za: za_python(&public),
        })
    }

    /// e = SM3(Z_A || M), as big-endian bytes.
    pub(crate) fn digest(&self, message: &[u8]) -> [u8; 32] {
        let mut h = sm3::Sm3::new();
        h.update(self.za);
        h.update(message);
        h.finalize().into()
    }

    /// The public key, for comparisons with the `sm2` crate's own verification.
    #[cfg(test)]
    pub(crate) fn public(&self) -> sm2::AffinePoint {
        *self.verifying.as_affine()
    }
}

impl Key for Sm2Key {
    fn sign(&self, string_to_sign: &[u8], _scope: &str, out: &mut HexSignature) {
        let e = reduce(&self.digest(string_to_sign));
        let d = &self.d;
        for counter in 0u32.. {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&d.to_repr())
                .expect("HMAC accepts keys of any length");
            mac.update(&e.to_repr());
            mac.update(&counter.to_be_bytes());
            let k = reduce(&mac.finalize().into_bytes().into());
            if bool::from(k.is_zero()) {
                continue;
            }
            let x1 = (sm2::ProjectivePoint::GENERATOR * k).to_affine().x();
            let r = e + <sm2::Scalar as Reduce<sm2::U256>>::reduce_bytes(&x1);
            if bool::from(r.is_zero()) || bool::from((r + k).is_zero()) {
                continue;
            }
            let s = self.one_plus_d_inv * (k - r * d);
            if bool::from(s.is_zero()) {
                continue;
            }
            out.set_der(&der_encode(&r.to_repr(), &s.to_repr()));
            return;
        }
        unreachable!("a nonce is found within a few tries")
    }

    fn verify(&self, string_to_sign: &[u8], _scope: &str, signature: &str) -> bool {
        let mut der = [0u8; 72];
        let Some(len) = decode_hex(signature, &mut der) else {
            return false;
        };
        let Some((r, s)) = der_decode(&der[..len]) else {
            return false;
        };
        let (Some(r), Some(s)) = (scalar_in_range(r), scalar_in_range(s)) else {
            return false;
        };
        let Ok(signature) = sm2::dsa::Signature::from_scalars(r.to_repr(), s.to_repr()) else {
            return false;
        };
        self.verifying
            .verify_prehash(&self.digest(string_to_sign), &signature)
            .is_ok()
    }
}

fn reduce(bytes: &[u8; 32]) -> sm2::Scalar {
    <sm2::Scalar as Reduce<sm2::U256>>::reduce_bytes(&(*bytes).into())
}

/// Z_A as the official Python SDK computes it: user id `1234567812345678`, and the curve
/// and key coordinates in minimal-length big-endian form (GB/T 32918 uses 32 bytes each;
/// the two differ when a public coordinate starts with a zero byte).
fn za_python(public: &sm2::AffinePoint) -> [u8; 32] {
    const A: [u8; 32] =
        hex_literal(b"fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc");
    const B: [u8; 32] =
        hex_literal(b"28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93");
    const GX: [u8; 32] =
        hex_literal(b"32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7");
    const GY: [u8; 32] =
        hex_literal(b"bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0");
    let uid = b"1234567812345678";
    let point = public.to_encoded_point(false);
    let mut h = sm3::Sm3::new();
    h.update(((uid.len() * 8) as u16).to_be_bytes());
    h.update(uid);
    for part in [&A[..], &B[..], &GX[..], &GY[..]] {
        h.update(minimal(part));
    }
    let x = point
        .x()
        .expect("an uncompressed point has an x coordinate");
    let y = point.y().expect("an uncompressed point has a y coordinate");
    h.update(minimal(x));
    h.update(minimal(y));
    h.finalize().into()
}

/// A scalar in [1, n-1] from big-endian bytes of any length up to 32.
fn scalar_in_range(bytes: &[u8]) -> Option<sm2::Scalar> {
    let bytes = minimal(bytes);
    if bytes.is_empty() || bytes.len() > 32 {
        return None;
    }
    let mut repr = [0u8; 32];
    repr[32 - bytes.len()..].copy_from_slice(bytes);
    let s: sm2::Scalar = Option::from(sm2::Scalar::from_repr(repr.into()))?;
    (!bool::from(s.is_zero())).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_and_refuses_a_changed_message() {
        let key = Sm2Key::derive(&Credentials::new("HWCEXAMPLEAK0123TEST", "secret")).unwrap();
        let mut sig = HexSignature::EMPTY;
        key.sign(b"string to sign", "", &mut sig);
        assert!(key.verify(b"string to sign", "", sig.as_str()));
        assert!(!key.verify(b"string to sign!", "", sig.as_str()));
        let cut = &sig.as_str()[..sig.as_str().len() - 2];
        assert!(!key.verify(b"string to sign", "", cut));
        assert_eq!(
            key.public(),
            (sm2::ProjectivePoint::GENERATOR * key.d).to_affine()
        );
    }
}
