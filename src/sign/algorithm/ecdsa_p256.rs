//! `SDK-ECDSA-P256-SHA256`: ECDSA on P-256 over the SHA-256 of the string to sign, with a
//! key derived from the AK/SK (docs/SIGNING.md §2). Nonces follow RFC 6979, so no random
//! source is needed; signatures are hex of DER.

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::signature::hazmat::PrehashVerifier as _;

use crate::sign::algorithm::scheme::{Key, Scheme, SignatureForm};
use crate::sign::credentials::Credentials;
use crate::sign::crypto::ec::{decode_hex, derive_secret, hex_literal};
use crate::sign::crypto::{Hash, HexSignature};
use crate::sign::error::SignError;

/// What the algorithm is, apart from its key.
pub(crate) static SCHEME: Scheme = Scheme {
    name: "SDK-ECDSA-P256-SHA256",
    hash: Hash::Sha256,
    content_header: "x-sdk-content-sha256",
    content_header_name: "X-Sdk-Content-Sha256",
    scoped: false,
    signature: SignatureForm::DerHex,
};

/// n - 2 of P-256, big-endian.
const N_MINUS_2: [u8; 32] =
    hex_literal(b"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f");

/// The key pair derived from the AK/SK (the signing key holds its verifying key).
#[derive(Clone)]
pub(crate) struct P256Key(p256::ecdsa::SigningKey);

impl P256Key {
    pub(crate) fn derive(credentials: &Credentials) -> Result<Self, SignError> {
        let d = derive_secret(
            SCHEME.name,
            SCHEME.hash,
            credentials.access_key(),
            credentials.secret_key().expose(),
            &N_MINUS_2,
        )
        .ok_or(SignError::KeyDerivation)?;
        let key =
            p256::ecdsa::SigningKey::from_bytes(&d.into()).map_err(|_| SignError::KeyDerivation)?;
        Ok(P256Key(key))
    }

    /// The public key, for comparisons with the `p256` crate's own verification.
    #[cfg(test)]
    pub(crate) fn verifying_key(&self) -> &p256::ecdsa::VerifyingKey {
        self.0.verifying_key()
    }
}

impl Key for P256Key {
    fn sign(&self, string_to_sign: &[u8], _scope: &str, out: &mut HexSignature) {
        let signature: p256::ecdsa::Signature = self.0.sign(string_to_sign);
        out.set_der(signature.to_der().as_bytes());
    }

    fn verify(&self, string_to_sign: &[u8], _scope: &str, signature: &str) -> bool {
        let mut der = [0u8; 72];
        let Some(len) = decode_hex(signature, &mut der) else {
            return false;
        };
        let Ok(signature) = p256::ecdsa::Signature::from_der(&der[..len]) else {
            return false;
        };
        // The same check as `verify(string_to_sign, ..)`, on the digest our SHA-256 computes.
        self.0
            .verifying_key()
            .verify_prehash(&crate::sign::crypto::sha256(string_to_sign), &signature)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_and_refuses_a_changed_message() {
        let key = P256Key::derive(&Credentials::new("HWCEXAMPLEAK0123TEST", "secret")).unwrap();
        let mut sig = HexSignature::EMPTY;
        key.sign(b"string to sign", "", &mut sig);
        assert!(key.verify(b"string to sign", "", sig.as_str()));
        assert!(!key.verify(b"string to sign!", "", sig.as_str()));
        let cut = &sig.as_str()[..sig.as_str().len() - 2];
        assert!(!key.verify(b"string to sign", "", cut));
        let _ = key.verifying_key();
    }
}
