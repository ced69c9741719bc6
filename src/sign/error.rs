//! Errors of the signer: what was wrong with the credentials or the request.

use std::fmt;

/// Why a request could not be signed.
///
/// Signing checks its inputs before it computes anything; when it fails, the caller's
/// request is left exactly as it was. Messages name the offending part (a header name, say)
/// but never a secret or a header value.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    /// The access key (AK) is empty.
    EmptyAccessKey,
    /// The access key contains characters it cannot carry in an `Authorization` header.
    InvalidAccessKey {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The secret key (SK) is empty.
    EmptySecretKey,
    /// The secret key is malformed (for example it ends with a newline read from a file).
    InvalidSecretKey {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The security token of temporary credentials cannot be sent as a header value.
    InvalidSecurityToken {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The HTTP method is empty or not an HTTP token.
    InvalidMethod,
    /// A header name is empty or contains characters HTTP forbids in names.
    InvalidHeaderName {
        /// The name, as given (shown escaped).
        name: String,
    },
    /// A header value contains CR, LF, NUL or another control character, or is not UTF-8.
    InvalidHeaderValue {
        /// The header's name (its value is never shown).
        name: String,
        /// What is wrong with the value.
        reason: &'static str,
    },
    /// The URI has no host, and the request carries no `Host` header.
    MissingHost,
    /// The URI cannot be parsed.
    InvalidUri {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A date is not of the form `YYYYMMDDTHHMMSSZ`, or is out of range.
    InvalidSdkDate,
    /// The algorithm needs a feature this build of the crate does not have.
    UnsupportedAlgorithm {
        /// The algorithm's name.
        name: &'static str,
    },
    /// `V11-HMAC-SHA256` needs a region and a service for its credential scope.
    MissingDerivedScope,
    /// No elliptic-curve key could be derived from the AK/SK.
    KeyDerivation,
    /// A payload hash given for the body is neither 64 lower-case hex digits nor
    /// `UNSIGNED-PAYLOAD`.
    InvalidPayloadHash,
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::EmptyAccessKey => f.write_str("access key (AK) is empty"),
            SignError::InvalidAccessKey { reason } => {
                write!(f, "invalid access key (AK): {reason}")
            }
            SignError::EmptySecretKey => f.write_str("secret key (SK) is empty"),
            SignError::InvalidSecretKey { reason } => {
                write!(f, "invalid secret key (SK): {reason}")
            }
            SignError::InvalidSecurityToken { reason } => {
                write!(f, "invalid security token: {reason}")
            }
            SignError::InvalidMethod => f.write_str("invalid HTTP method: empty or not a token"),
            SignError::InvalidHeaderName { name } => write!(f, "invalid header name {name:?}"),
            SignError::InvalidHeaderValue { name, reason } => {
                write!(f, "invalid value for header {name:?}: {reason}")
            }
            SignError::MissingHost => f.write_str("URI has no host and there is no Host header"),
            SignError::InvalidUri { reason } => write!(f, "invalid URI: {reason}"),
            SignError::UnsupportedAlgorithm { name } => write!(
                f,
                "signing algorithm {name} is not available in this build (enable its feature)"
            ),
            SignError::MissingDerivedScope => {
                f.write_str("V11-HMAC-SHA256 needs a region and a service (the credential scope)")
            }
            SignError::KeyDerivation => {
                f.write_str("no elliptic-curve key could be derived from the AK/SK")
            }
            SignError::InvalidPayloadHash => f.write_str(
                "invalid payload hash: expected 64 lower-case hex digits or UNSIGNED-PAYLOAD",
            ),
            SignError::InvalidSdkDate => {
                f.write_str("invalid X-Sdk-Date: expected YYYYMMDDTHHMMSSZ (UTC, years 0000-9999)")
            }
        }
    }
}

impl std::error::Error for SignError {}
