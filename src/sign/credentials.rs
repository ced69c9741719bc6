//! AK/SK credentials, with the secret key kept out of every `Debug` and `Display`.

use std::fmt;

use crate::sign::error::SignError;

/// A secret string (a secret key or a security token).
///
/// `Debug` prints `<redacted>`; there is no `Display`. The bytes are wiped when the value is
/// dropped (with the `zeroize` feature, through the `zeroize` crate).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(Box<str>);

impl SecretString {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        SecretString(secret.into().into_boxed_str())
    }

    /// The secret itself. Keep the result out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Drop for SecretString {
    fn drop(&mut self) {
        #[cfg(feature = "zeroize")]
        {
            use zeroize::Zeroize;
            self.0.zeroize();
        }
        #[cfg(not(feature = "zeroize"))]
        {
            // Best effort without the zeroize crate: overwrite, and keep the write observable.
            let mut bytes = std::mem::take(&mut self.0).into_boxed_bytes();
            bytes.fill(0);
            std::hint::black_box(&bytes);
        }
    }
}

/// An access key (AK), a secret key (SK), and for temporary credentials a security token.
///
/// ```
/// use huaweicloud_aksk::Credentials;
///
/// let creds = Credentials::new("HWCEXAMPLEAK0123TEST", "example-secret")
///     .with_security_token("example-token");
/// assert_eq!(creds.access_key(), "HWCEXAMPLEAK0123TEST");
/// // The secret key and the token never show in Debug output.
/// assert!(!format!("{creds:?}").contains("example-secret"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    access_key: Box<str>,
    secret_key: SecretString,
    security_token: Option<SecretString>,
}

impl Credentials {
    /// Credentials from an access key and a secret key. They are checked when used
    /// (see [`Credentials::validate`]).
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Credentials {
            access_key: access_key.into().into_boxed_str(),
            secret_key: SecretString::new(secret_key),
            security_token: None,
        }
    }

    /// Adds the security token of temporary credentials; it is sent and signed as
    /// `X-Security-Token`.
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(SecretString::new(token));
        self
    }

    /// The access key (AK).
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// The secret key (SK). Keep the result out of logs.
    pub fn secret_key(&self) -> &SecretString {
        &self.secret_key
    }

    /// The security token, for temporary credentials.
    pub fn security_token(&self) -> Option<&SecretString> {
        self.security_token.as_ref()
    }

    /// Checks that the credentials can sign: a non-empty AK that fits in an `Authorization`
    /// header, a non-empty SK without surrounding whitespace or control characters, and a
    /// security token that can be sent as a header value, without surrounding whitespace.
    pub fn validate(&self) -> Result<(), SignError> {
        let ak = self.access_key();
        if ak.is_empty() {
            return Err(SignError::EmptyAccessKey);
        }
        if ak.bytes().any(|b| b.is_ascii_control()) {
            return Err(SignError::InvalidAccessKey {
                reason: "contains a control character",
            });
        }
        if ak.contains(',') {
            return Err(SignError::InvalidAccessKey {
                reason: "contains a comma",
            });
        }
        if ak.trim() != ak {
            return Err(SignError::InvalidAccessKey {
                reason: "has leading or trailing whitespace",
            });
        }
        let sk = self.secret_key.expose();
        if sk.is_empty() {
            return Err(SignError::EmptySecretKey);
        }
        if sk.bytes().any(|b| b.is_ascii_control()) {
            return Err(SignError::InvalidSecretKey {
                reason: "contains a control character (a newline read from a file?)",
            });
        }
        if sk.trim() != sk {
            return Err(SignError::InvalidSecretKey {
                reason: "has leading or trailing whitespace",
            });
        }
        if let Some(token) = &self.security_token {
            let token = token.expose();
            if token.is_empty() {
                return Err(SignError::InvalidSecurityToken { reason: "is empty" });
            }
            if token.bytes().any(|b| b.is_ascii_control()) {
                return Err(SignError::InvalidSecurityToken {
                    reason: "contains a control character",
                });
            }
            // The receiver trims header values before it checks the signature.
            if token.trim() != token {
                return Err(SignError::InvalidSecurityToken {
                    reason: "has leading or trailing whitespace",
                });
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key)
            .field("security_token", &self.security_token)
            .finish()
    }
}
