//! The signing core: the canonical request, the string to sign, the signature and the
//! `Authorization` header of every algorithm. No I/O and no clock (but [`Signer::sign`]).

pub(crate) mod algorithm;
pub(crate) mod canonical;
pub(crate) mod credentials;
pub(crate) mod date;
#[cfg(feature = "ecdsa")]
pub(crate) mod ecdsa;
pub(crate) mod encoding;
pub(crate) mod error;
pub(crate) mod redact;
pub(crate) mod request;
pub(crate) mod sha256;
pub(crate) mod signer;

#[cfg(doc)]
use signer::Signer;
