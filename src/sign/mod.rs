//! The signing core: the canonical request, the string to sign, the signature and the
//! `Authorization` header of every algorithm. No I/O and no clock (but [`Signer::sign`]).
//!
//! - [`request`]: [`SignableRequest`], the borrowed view of a request to sign.
//! - [`canonical`]: the canonical request, the one place its rules live.
//! - [`algorithm`]: [`Algorithm`] and, one file each, what every algorithm does.
//! - [`signer`]: [`Signer`], its buffer and its results, and the `http::Request` adapter.
//! - [`crypto`], [`encoding`], [`date`], [`credentials`], [`error`], [`redact`]: what they
//!   say.

pub(crate) mod algorithm;
pub(crate) mod canonical;
pub(crate) mod credentials;
pub(crate) mod crypto;
pub(crate) mod date;
pub(crate) mod encoding;
pub(crate) mod error;
pub(crate) mod redact;
pub(crate) mod request;
pub(crate) mod signer;

pub use algorithm::{Algorithm, UnknownAlgorithm};
pub use credentials::{Credentials, SecretString};
pub use date::SdkDate;
pub use error::SignError;
pub use request::{Payload, SignableRequest};
pub use signer::{PayloadHashing, Signed, Signer, SigningBuffer, SigningDetails};
