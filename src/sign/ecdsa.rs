//! The elliptic-curve algorithms (`SDK-ECDSA-P256-SHA256`, `SDK-SM2-SM3`): the key derived
//! from the AK/SK as the official SDKs derive it, signing and verifying.
//!
//! The private key is `d = c + 1` for the first `c = HMAC(SK, data(counter))` (HMAC-SHA256
//! for P-256, HMAC-SM3 for SM2) with `c <= n - 2`, where
//! `data = 00000001 || ALG || 00 || AK || counter || 00000100`. Signatures are hex of DER
//! `SEQUENCE { r, s }`; nonces are derived deterministically from the key and the message
//! (RFC 6979 for P-256), so that no random source is needed.

use hmac::{Hmac, Mac};
use p256::elliptic_curve::PrimeField;
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use sha2::Sha256;

use crate::sign::algorithm::Algorithm;
use crate::sign::error::SignError;

/// n - 2 of P-256, big-endian.
const P256_N_MINUS_2: [u8; 32] =
    hex_literal(b"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f");
/// n - 2 of SM2, big-endian.
const SM2_N_MINUS_2: [u8; 32] =
    hex_literal(b"fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54121");

const fn hex_literal(s: &[u8; 64]) -> [u8; 32] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => 0,
        }
    }
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = nibble(s[2 * i]) << 4 | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

/// A private key derived from an AK/SK for one of the two curves.
#[derive(Clone)]
pub(crate) enum EcKey {
    P256(p256::ecdsa::SigningKey),
    Sm2 { d: sm2::Scalar, za: [u8; 32] },
}

impl std::fmt::Debug for EcKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EcKey(<redacted>)")
    }
}

fn counter_kdf(alg: Algorithm, ak: &str, sk: &str, counter: u8) -> [u8; 32] {
    let mut data = Vec::with_capacity(4 + alg.name().len() + 1 + ak.len() + 1 + 4);
    data.extend_from_slice(&[0, 0, 0, 1]);
    data.extend_from_slice(alg.name().as_bytes());
    data.push(0);
    data.extend_from_slice(ak.as_bytes());
    data.push(counter);
    data.extend_from_slice(&[0, 0, 1, 0]);
    if alg.uses_sm3() {
        let mut mac = <Hmac<sm3::Sm3> as Mac>::new_from_slice(sk.as_bytes())
            .expect("HMAC accepts any key length");
        mac.update(&data);
        mac.finalize().into_bytes().into()
    } else {
        crate::sign::algorithm::hmac_sha256(sk.as_bytes(), &data)
    }
}

/// Adds one to a big-endian number known to be below the maximum.
fn plus_one(mut c: [u8; 32]) -> [u8; 32] {
    for byte in c.iter_mut().rev() {
        let (v, carry) = byte.overflowing_add(1);
        *byte = v;
        if !carry {
            break;
        }
    }
    c
}

impl EcKey {
    /// Derives the key of `alg` from the AK/SK.
    pub(crate) fn derive(alg: Algorithm, ak: &str, sk: &str) -> Result<EcKey, SignError> {
        let limit = match alg {
            Algorithm::SdkEcdsaP256Sha256 => &P256_N_MINUS_2,
            Algorithm::SdkSm2Sm3 => &SM2_N_MINUS_2,
            _ => return Err(SignError::UnsupportedAlgorithm { name: alg.name() }),
        };
        for counter in 0..0xffu8 {
            let c = counter_kdf(alg, ak, sk, counter);
            if &c > limit {
                continue;
            }
            let d = plus_one(c);
            return Ok(match alg {
                Algorithm::SdkEcdsaP256Sha256 => EcKey::P256(
                    p256::ecdsa::SigningKey::from_bytes(&d.into())
                        .map_err(|_| SignError::KeyDerivation)?,
                ),
                _ => {
                    let d: sm2::Scalar = Option::from(sm2::Scalar::from_repr(d.into()))
                        .ok_or(SignError::KeyDerivation)?;
                    let public = (sm2::ProjectivePoint::GENERATOR * d).to_affine();
                    EcKey::Sm2 {
                        d,
                        za: sm2_za_python(&public),
                    }
                }
            });
        }
        Err(SignError::KeyDerivation)
    }

    /// Signs `message` (the string to sign): DER `SEQUENCE { r, s }`.
    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            EcKey::P256(key) => {
                use p256::ecdsa::signature::Signer as _;
                let sig: p256::ecdsa::Signature = key.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            EcKey::Sm2 { d, za } => {
                let e = sm2_e(za, message);
                sm2_sign(d, &e)
            }
        }
    }

    /// Checks a DER signature of `message` under this key's public key.
    pub(crate) fn verify(&self, message: &[u8], der: &[u8]) -> bool {
        match self {
            EcKey::P256(key) => {
                use p256::ecdsa::signature::Verifier as _;
                let Ok(sig) = p256::ecdsa::Signature::from_der(der) else {
                    return false;
                };
                key.verifying_key().verify(message, &sig).is_ok()
            }
            EcKey::Sm2 { d, za } => {
                let e = sm2_e(za, message);
                let public = sm2::ProjectivePoint::GENERATOR * d;
                sm2_verify(&public, &e, der)
            }
        }
    }
}

/// Strips leading zero bytes, as Python's `int.to_bytes` of minimal length does.
fn minimal(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// Z_A as the official Python SDK computes it: user id `1234567812345678`, and the curve
/// and key coordinates in minimal-length big-endian form (GB/T 32918 uses 32 bytes each;
/// the two differ when a public coordinate starts with a zero byte).
fn sm2_za_python(public: &sm2::AffinePoint) -> [u8; 32] {
    use sm3::Digest;
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
    h.update(minimal(point.x().map(|x| x.as_slice()).unwrap_or(&[])));
    h.update(minimal(point.y().map(|y| y.as_slice()).unwrap_or(&[])));
    h.finalize().into()
}

/// e = SM3(Z_A || M) as a scalar.
fn sm2_e(za: &[u8; 32], message: &[u8]) -> sm2::Scalar {
    use sm3::Digest;
    let mut h = sm3::Sm3::new();
    h.update(za);
    h.update(message);
    let digest: [u8; 32] = h.finalize().into();
    <sm2::Scalar as Reduce<sm2::U256>>::reduce_bytes(&digest.into())
}

/// SM2 signature (GB/T 32918.2) with a nonce derived from the key and the digest.
fn sm2_sign(d: &sm2::Scalar, e: &sm2::Scalar) -> Vec<u8> {
    let one_plus_d_inv: sm2::Scalar =
        Option::from((sm2::Scalar::ONE + d).invert()).unwrap_or(sm2::Scalar::ONE);
    for counter in 0u32.. {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&d.to_repr())
            .expect("HMAC accepts any key length");
        mac.update(&e.to_repr());
        mac.update(&counter.to_be_bytes());
        let k_bytes: [u8; 32] = mac.finalize().into_bytes().into();
        let k = <sm2::Scalar as Reduce<sm2::U256>>::reduce_bytes(&k_bytes.into());
        if bool::from(k.is_zero()) {
            continue;
        }
        let x1 = (sm2::ProjectivePoint::GENERATOR * k).to_affine().x();
        let r = *e + <sm2::Scalar as Reduce<sm2::U256>>::reduce_bytes(&x1);
        if bool::from(r.is_zero()) || bool::from((r + k).is_zero()) {
            continue;
        }
        let s = one_plus_d_inv * (k - r * d);
        if bool::from(s.is_zero()) {
            continue;
        }
        return der_encode(&r.to_repr(), &s.to_repr());
    }
    unreachable!("a nonce is found within a few tries")
}

fn sm2_verify(public: &sm2::ProjectivePoint, e: &sm2::Scalar, der: &[u8]) -> bool {
    let Some((r, s)) = der_decode(der) else {
        return false;
    };
    let (Some(r), Some(s)) = (scalar_in_range(&r), scalar_in_range(&s)) else {
        return false;
    };
    let t = r + s;
    if bool::from(t.is_zero()) {
        return false;
    }
    let point = (sm2::ProjectivePoint::GENERATOR * s + *public * t).to_affine();
    let x1 = <sm2::Scalar as Reduce<sm2::U256>>::reduce_bytes(&point.x());
    *e + x1 == r
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

/// DER `SEQUENCE { INTEGER r, INTEGER s }` of two unsigned big-endian numbers.
fn der_encode(r: &[u8], s: &[u8]) -> Vec<u8> {
    fn integer(out: &mut Vec<u8>, v: &[u8]) {
        let v = minimal(v);
        let pad = v.first().is_none_or(|&b| b & 0x80 != 0);
        out.push(0x02);
        out.push((v.len() + usize::from(pad)) as u8);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(v);
    }
    let mut body = Vec::with_capacity(72);
    integer(&mut body, r);
    integer(&mut body, s);
    let mut out = Vec::with_capacity(body.len() + 2);
    out.push(0x30);
    out.push(body.len() as u8);
    out.extend_from_slice(&body);
    out
}

/// Parses DER `SEQUENCE { INTEGER r, INTEGER s }` (short-form lengths only, as for any
/// signature of a 256-bit curve).
fn der_decode(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    fn integer(input: &[u8]) -> Option<(&[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let len = usize::from(len);
        if tag != 0x02 || len == 0 || len > 33 || rest.len() < len {
            return None;
        }
        let (value, rest) = rest.split_at(len);
        if value[0] & 0x80 != 0 {
            return None;
        }
        Some((value, rest))
    }
    let (&tag, rest) = der.split_first()?;
    let (&len, rest) = rest.split_first()?;
    if tag != 0x30 || usize::from(len) != rest.len() {
        return None;
    }
    let (r, rest) = integer(rest)?;
    let (s, rest) = integer(rest)?;
    rest.is_empty().then(|| (r.to_vec(), s.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_curves_sign_and_verify_and_refuse_a_changed_message() {
        for alg in [Algorithm::SdkEcdsaP256Sha256, Algorithm::SdkSm2Sm3] {
            let key = EcKey::derive(alg, "HWCEXAMPLEAK0123TEST", "secret").unwrap();
            let sig = key.sign(b"string to sign");
            assert!(key.verify(b"string to sign", &sig), "{alg}");
            assert!(!key.verify(b"string to sign!", &sig), "{alg}");
            assert!(
                !key.verify(b"string to sign", &sig[..sig.len() - 1]),
                "{alg}"
            );
        }
    }

    #[test]
    fn der_round_trips() {
        let r = [0x80u8; 32];
        let s = [0x01u8; 32];
        let der = der_encode(&r, &s);
        let (r2, s2) = der_decode(&der).unwrap();
        assert_eq!(minimal(&r2), &r[..]);
        assert_eq!(minimal(&s2), &s[..]);
    }
}
