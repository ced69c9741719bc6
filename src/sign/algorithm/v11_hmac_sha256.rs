//! `V11-HMAC-SHA256`: HMAC-SHA256 under a key derived per day, region and service
//! (docs/SIGNING.md §2): `hex(HKDF-SHA256(IKM = SK, salt = AK, info = scope, L = 32))`,
//! whose 64 ASCII characters are the HMAC key.

use std::sync::Mutex;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::sign::algorithm::scheme::{Key, Scheme, SignatureForm, is_mac};
use crate::sign::credentials::Credentials;
use crate::sign::crypto::{Hash, HexSignature, HmacSha256, hex32, wipe};

/// What the algorithm is, apart from its key.
pub(crate) static SCHEME: Scheme = Scheme {
    name: "V11-HMAC-SHA256",
    hash: Hash::Sha256,
    content_header: "x-sdk-content-sha256",
    content_header_name: "X-Sdk-Content-Sha256",
    scoped: true,
    signature: SignatureForm::Hex64,
};

/// HKDF's extract step done once: the pseudo-random key `HMAC(AK, SK)`, prepared as an
/// HMAC key for the expand step of each scope; and the key of the last scope used, since
/// one scope serves a whole day.
pub(crate) struct ScopedKey {
    prk: Hmac<Sha256>,
    last: Mutex<Option<(Box<str>, HmacSha256)>>,
}

impl Clone for ScopedKey {
    fn clone(&self) -> Self {
        ScopedKey {
            prk: self.prk.clone(),
            last: Mutex::new(None),
        }
    }
}

impl ScopedKey {
    pub(crate) fn new(credentials: &Credentials) -> Self {
        let mut extract =
            <Hmac<Sha256> as Mac>::new_from_slice(credentials.access_key().as_bytes())
                .expect("HMAC accepts keys of any length");
        extract.update(credentials.secret_key().expose().as_bytes());
        let prk: [u8; 32] = extract.finalize().into_bytes().into();
        ScopedKey {
            prk: <Hmac<Sha256> as Mac>::new_from_slice(&prk)
                .expect("HMAC accepts keys of any length"),
            last: Mutex::new(None),
        }
    }

    /// The HMAC key of `scope`: the last one kept when the scope is the same, derived
    /// otherwise. A thread that finds the last key in use by another derives its own
    /// rather than wait.
    fn key(&self, scope: &str) -> HmacSha256 {
        let Ok(mut last) = self.last.try_lock() else {
            return self.derive(scope);
        };
        match &*last {
            Some((kept, key)) if **kept == *scope => key.clone(),
            _ => {
                let key = self.derive(scope);
                *last = Some((scope.into(), key.clone()));
                key
            }
        }
    }

    /// The HMAC key of `scope` (`YYYYMMDD/region/service`): HKDF's expand step for one
    /// block, as hex.
    fn derive(&self, scope: &str) -> HmacSha256 {
        let mut expand = self.prk.clone();
        expand.update(scope.as_bytes());
        expand.update(&[1]);
        let okm: [u8; 32] = expand.finalize().into_bytes().into();
        let mut key = hex32(&okm);
        let prepared = HmacSha256::new(&key);
        wipe(&mut key);
        prepared
    }
}

impl Key for ScopedKey {
    fn sign(&self, string_to_sign: &[u8], scope: &str, out: &mut HexSignature) {
        out.set_mac(&self.key(scope).mac(string_to_sign));
    }

    fn verify(&self, string_to_sign: &[u8], scope: &str, signature: &str) -> bool {
        is_mac(&self.key(scope).mac(string_to_sign), signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_derived_key_matches_the_java_sdk_known_answer() {
        // docs/SIGNING.md §3: the Java SDK's test, AK "AccessKey", SK "SecretKey".
        let key = ScopedKey::new(&Credentials::new("AccessKey", "SecretKey"));
        let expected =
            HmacSha256::new(b"1c5724913ed69bdda5e7a25d0beb7f2518aa55d96f97e0649301127d35b9ed31");
        let derived = key.derive("20191115/region-id-1/service");
        assert_eq!(derived.mac(b"message"), expected.mac(b"message"));
        // Kept and reused for the same scope, replaced for another.
        for scope in [
            "20191115/region-id-1/service",
            "20191115/region-id-1/service",
            "20191116/region-id-1/service",
        ] {
            assert_eq!(
                key.key(scope).mac(b"m"),
                key.derive(scope).mac(b"m"),
                "{scope}"
            );
        }
    }
}
