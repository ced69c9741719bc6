//! `SDK-HMAC-SM3`: `SDK-HMAC-SHA256` with SM3 in place of SHA-256 everywhere, and the
//! payload hash in `X-Sdk-Content-Sm3` (docs/SIGNING.md §2).

use hmac::{Hmac, Mac};

use crate::sign::algorithm::scheme::{Key, Scheme, SignatureForm};
use crate::sign::credentials::Credentials;
use crate::sign::crypto::{Hash, HexSignature};

/// What the algorithm is, apart from its key.
pub(crate) static SCHEME: Scheme = Scheme {
    name: "SDK-HMAC-SM3",
    hash: Hash::Sm3,
    content_header: "x-sdk-content-sm3",
    content_header_name: "X-Sdk-Content-Sm3",
    refused_signed: &[],
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

impl Key for HmacSm3Key {
    fn sign(&self, string_to_sign: &[u8], _scope: &str) -> HexSignature {
        let mut mac = self.0.clone();
        mac.update(string_to_sign);
        HexSignature::of_mac(&mac.finalize().into_bytes().into())
    }
}
