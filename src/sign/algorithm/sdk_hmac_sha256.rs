//! `SDK-HMAC-SHA256`, the default: HMAC-SHA256 under the secret key (docs/SIGNING.md §1).

use crate::sign::algorithm::scheme::{Key, Scheme, SignatureForm, is_mac};
use crate::sign::credentials::Credentials;
use crate::sign::crypto::{Hash, HexSignature, HmacSha256};

/// What the algorithm is, apart from its key.
pub(crate) static SCHEME: Scheme = Scheme {
    name: "SDK-HMAC-SHA256",
    hash: Hash::Sha256,
    content_header: "x-sdk-content-sha256",
    content_header_name: "X-Sdk-Content-Sha256",
    scoped: false,
    signature: SignatureForm::Hex64,
};

/// The secret key's HMAC pad states.
#[derive(Clone)]
pub(crate) struct HmacKey(HmacSha256);

impl HmacKey {
    pub(crate) fn new(credentials: &Credentials) -> Self {
        // HMAC accepts keys of any length.
        HmacKey(HmacSha256::new(
            credentials.secret_key().expose().as_bytes(),
        ))
    }
}

impl Key for HmacKey {
    #[inline]
    fn sign(&self, string_to_sign: &[u8], _scope: &str, out: &mut HexSignature) {
        out.set_mac(&self.0.mac(string_to_sign));
    }

    #[inline]
    fn verify(&self, string_to_sign: &[u8], _scope: &str, signature: &str) -> bool {
        is_mac(&self.0.mac(string_to_sign), signature)
    }
}
