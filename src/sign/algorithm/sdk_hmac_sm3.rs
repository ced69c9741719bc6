//! `SDK-HMAC-SM3`: `SDK-HMAC-SHA256` with SM3 in place of SHA-256 everywhere, and the
//! payload hash in `X-Sdk-Content-Sm3` (docs/SIGNING.md §2).

use hmac::{Hmac, Mac};

use crate::sign::algorithm::scheme::{Key, Scheme, SignatureForm, is_mac};
use crate::sign::credentials::Credentials;
use crate::sign::crypto::{Hash, HexSignature};

/// What the algorithm is, apart from its key.
pub(crate) static SCHEME: Scheme = Scheme {
    name: "SDK-HMAC-SM3",
    hash: Hash::Sm3,
    content_header: "x-sdk-content-sm3",
    content_header_name: "X-Sdk-Content-Sm3",
    scoped: false,
    signature: SignatureForm::Hex64,
};

/// The secret key, keyed into HMAC-SM3 once.
#[derive(Clone)]
pub(crate) struct HmacSm3Key(Hmac<sm3::Sm3>);

impl HmacSm3Key {
    pub(crate) fn new(credentials: &Credentials) -> Self {
        HmacSm3Key(
            <Hmac<sm3::Sm3> as Mac>::new_from_slice(credentials.secret_key().expose().as_bytes())
                .expect("HMAC accepts keys of any length"),
        )
    }
}

impl HmacSm3Key {
    fn mac(&self, message: &[u8]) -> [u8; 32] {
        let mut mac = self.0.clone();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }
}

impl Key for HmacSm3Key {
    fn sign(&self, string_to_sign: &[u8], _scope: &str, out: &mut HexSignature) {
        out.set_mac(&self.mac(string_to_sign));
    }

    fn verify(&self, string_to_sign: &[u8], _scope: &str, signature: &str) -> bool {
        is_mac(&self.mac(string_to_sign), signature)
    }
}
