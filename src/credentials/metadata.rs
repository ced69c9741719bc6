//! The temporary credentials of an ECS instance's agency, from its metadata service, read
//! as the official SDKs read them:
//!
//! 1. `PUT {endpoint}/meta-data/latest/api/token` with `X-Metadata-Token-Ttl-Seconds:
//!    21600` gives a session token (a 404, 405 or 503 there: go on without one);
//! 2. `GET {endpoint}/openstack/latest/securitykey` with `X-Metadata-Token` answers
//!    `{"credential":{"access","secret","securitytoken","expires_at"}}`; a 401 fetches a
//!    new session token once and asks again.

use std::fmt;
use std::io::Read;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{ProvideCredentials, ProvideError, Provided, checked};
use crate::{Credentials, SecretString};

/// The metadata service of an ECS instance.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://169.254.169.254";
/// The variable that replaces [`DEFAULT_METADATA_ENDPOINT`] (for tests and for tools that
/// proxy the service).
pub const ENV_METADATA_ENDPOINT: &str = "AKSK_METADATA_ENDPOINT";

const TOKEN_PATH: &str = "/meta-data/latest/api/token";
const SECURITY_KEY_PATH: &str = "/openstack/latest/securitykey";
const TOKEN_TTL_HEADER: &str = "X-Metadata-Token-Ttl-Seconds";
const TOKEN_HEADER: &str = "X-Metadata-Token";
/// The session token's lifetime asked for, as the official SDKs ask (6 hours).
const TOKEN_TTL_SECONDS: &str = "21600";
/// Off ECS nothing answers at the link-local address: give up quickly.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const CALL_TIMEOUT: Duration = Duration::from_secs(3);
/// The most of an answer read: a credential document is well under this.
const MAX_ANSWER_BYTES: u64 = 64 * 1024;
const NAME: &str = "the ECS metadata service";

/// Reads temporary credentials from the ECS metadata service; wrap it in a
/// [`CachingProvider`](super::CachingProvider) so that it is asked only when they are
/// about to expire.
pub struct MetadataProvider {
    endpoint: String,
    agent: ureq::Agent,
    token: Mutex<Option<SecretString>>,
}

impl fmt::Debug for MetadataProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetadataProvider")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl Default for MetadataProvider {
    fn default() -> Self {
        MetadataProvider::new()
    }
}

impl MetadataProvider {
    /// At `AKSK_METADATA_ENDPOINT`, else [`DEFAULT_METADATA_ENDPOINT`].
    pub fn new() -> Self {
        let endpoint = std::env::var(ENV_METADATA_ENDPOINT)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| DEFAULT_METADATA_ENDPOINT.to_owned());
        MetadataProvider::with_endpoint(endpoint)
    }

    /// At this address, `http://host[:port]`.
    pub fn with_endpoint(endpoint: impl Into<String>) -> Self {
        let endpoint = endpoint.into().trim_end_matches('/').to_owned();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            // The service is on the instance's own network: never through a proxy.
            .proxy(None)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(CALL_TIMEOUT))
            .build();
        MetadataProvider {
            endpoint,
            agent: config.new_agent(),
            token: Mutex::new(None),
        }
    }

    /// The address asked.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// A new session token; `Ok(None)` when the service issues none (404, 405, 503).
    fn fetch_token(&self) -> Result<Option<SecretString>, ProvideError> {
        let url = format!("{}{TOKEN_PATH}", self.endpoint);
        let response = self
            .agent
            .put(&url)
            .header(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS)
            .send_empty()
            .map_err(|e| self.unreachable(e))?;
        let status = response.status().as_u16();
        let body = read_body(response)?;
        match status {
            200 => {
                let token = String::from_utf8(body).map_err(|_| failed("the token is not text"))?;
                let token = token.trim();
                if token.is_empty() || http::HeaderValue::from_str(token).is_err() {
                    return Err(failed("the token is not a header value"));
                }
                Ok(Some(SecretString::new(token)))
            }
            404 | 405 | 503 => Ok(None),
            other => Err(failed(format!("PUT {TOKEN_PATH} answered {other}"))),
        }
    }

    fn get_security_key(
        &self,
        token: Option<&SecretString>,
    ) -> Result<(u16, Vec<u8>), ProvideError> {
        let url = format!("{}{SECURITY_KEY_PATH}", self.endpoint);
        let mut request = self.agent.get(&url);
        if let Some(token) = token {
            request = request.header(TOKEN_HEADER, token.expose());
        }
        let response = request.call().map_err(|e| self.unreachable(e))?;
        let status = response.status().as_u16();
        Ok((status, read_body(response)?))
    }

    /// No answer at all: not on ECS (or no metadata service), a chain goes on.
    fn unreachable(&self, e: ureq::Error) -> ProvideError {
        ProvideError::NotFound {
            looked: format!("no ECS metadata service at {}: {e}", self.endpoint),
        }
    }
}

fn failed(reason: impl Into<String>) -> ProvideError {
    ProvideError::Failed {
        provider: NAME,
        reason: reason.into(),
    }
}

fn read_body(response: http::Response<ureq::Body>) -> Result<Vec<u8>, ProvideError> {
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(MAX_ANSWER_BYTES)
        .read_to_end(&mut body)
        .map_err(|e| failed(format!("reading the answer: {e}")))?;
    Ok(body)
}

impl ProvideCredentials for MetadataProvider {
    fn provide(&self) -> Result<Provided, ProvideError> {
        // One exchange at a time: the session token is shared.
        let mut token = self.token.lock().unwrap_or_else(PoisonError::into_inner);
        if token.is_none() {
            *token = self.fetch_token()?;
        }
        let (mut status, mut body) = self.get_security_key(token.as_ref())?;
        if status == 401 {
            *token = self.fetch_token()?;
            (status, body) = self.get_security_key(token.as_ref())?;
        }
        if status != 200 {
            return Err(failed(format!(
                "GET {SECURITY_KEY_PATH} answered {status}{}",
                if status == 401 || status == 403 || status == 404 {
                    " (is an agency attached to this instance?)"
                } else {
                    ""
                }
            )));
        }
        checked(NAME, parse_security_key(&body)?)
    }
}

/// Reads `{"credential":{"access","secret","securitytoken","expires_at"}}`.
pub(crate) fn parse_security_key(body: &[u8]) -> Result<Provided, ProvideError> {
    #[derive(serde::Deserialize)]
    struct Document {
        credential: Key,
    }
    #[derive(serde::Deserialize)]
    struct Key {
        access: String,
        secret: String,
        securitytoken: String,
        expires_at: String,
    }
    // The serde error may quote the document, secrets included: never show it.
    let doc: Document = serde_json::from_slice(body).map_err(|_| {
        failed("the securitykey answer is not {\"credential\":{\"access\",\"secret\",\"securitytoken\",\"expires_at\"}}")
    })?;
    let key = doc.credential;
    let expires_at = DateTime::parse_from_rfc3339(&key.expires_at)
        .map_err(|_| {
            failed(format!(
                "expires_at is not an RFC 3339 time: {:?}",
                key.expires_at
            ))
        })?
        .with_timezone(&Utc);
    Ok(Provided::new(
        Credentials::new(key.access, key.secret).with_security_token(key.securitytoken),
    )
    .expiring_at(expires_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_security_key_document_is_read_and_secrets_stay_out_of_errors() {
        let body = br#"{"credential":{"access":"TMPAK","secret":"TMPSECRET","securitytoken":"TMPTOKEN","expires_at":"2026-12-04T18:00:00.000000Z"}}"#;
        let got = parse_security_key(body).unwrap();
        assert_eq!(got.credentials.access_key(), "TMPAK");
        assert_eq!(
            got.credentials.security_token().map(|t| t.expose()),
            Some("TMPTOKEN")
        );
        assert_eq!(
            got.expires_at.unwrap().to_rfc3339(),
            "2026-12-04T18:00:00+00:00"
        );
        let bad = br#"{"credential":{"access":"TMPAK","secret":"TMPSECRET","securitytoken":7}}"#;
        let e = parse_security_key(bad).unwrap_err().to_string();
        assert!(!e.contains("TMPSECRET"), "{e}");
    }
}
