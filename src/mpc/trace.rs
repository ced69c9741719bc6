//! What a client reports while it works (for `-v` output and logs), with credentials
//! redacted.

use std::fmt;
use std::time::Duration;

use chrono::TimeDelta;
use http::HeaderMap;

use crate::mpc::error::{Printable, TransportError};

/// One step of a call, reported to the observer set with
/// `MpcClientBuilder::observer`.
#[non_exhaustive]
#[derive(Debug)]
pub enum Event<'a> {
    /// An attempt is about to be sent: the request exactly as it goes out. Print it with
    /// [`redacted_request`].
    Sending {
        /// The attempt number, from 1.
        attempt: u32,
        /// The signed request.
        request: &'a http::Request<Vec<u8>>,
    },
    /// An answer arrived.
    Received {
        /// The attempt number, from 1.
        attempt: u32,
        /// The HTTP status.
        status: u16,
        /// The response headers.
        headers: &'a HeaderMap,
        /// What was read of the body (bounded).
        body: &'a [u8],
    },
    /// No answer arrived.
    Failed {
        /// The attempt number, from 1.
        attempt: u32,
        /// Why.
        error: &'a TransportError,
    },
    /// The client will try again after a wait.
    Retrying {
        /// The attempt that comes next.
        next_attempt: u32,
        /// The wait before it.
        delay: Duration,
    },
    /// The local clock was found off from the gateway's; signatures are now dated with
    /// this correction added.
    ClockCorrected {
        /// The new correction (server time minus local time).
        offset: TimeDelta,
    },
}

/// The request as an HTTP/1.1 message head, with the signature of `Authorization` and the
/// values of `X-Security-Token` and `X-Auth-Token` replaced by `<redacted>`.
///
/// ```
/// let req = http::Request::delete("https://mpc.example.com/v1/p/remux/task?task_id=1")
///     .header("Authorization", "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=0123abcd")
///     .header("X-Security-Token", "token")
///     .body(Vec::<u8>::new())?;
/// let shown = huaweicloud_aksk::mpc::redacted_request(&req).to_string();
/// assert_eq!(
///     shown,
///     "DELETE /v1/p/remux/task?task_id=1 HTTP/1.1\n\
///      authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=<redacted>\n\
///      x-security-token: <redacted>\n"
/// );
/// # Ok::<(), http::Error>(())
/// ```
pub fn redacted_request<B>(request: &http::Request<B>) -> impl fmt::Display + '_ {
    RedactedRequest {
        method: request.method(),
        uri: request.uri(),
        headers: request.headers(),
    }
}

/// A response as an HTTP/1.1 message head followed by what was read of its body, control
/// characters escaped.
pub fn response_summary<'a>(
    status: u16,
    headers: &'a HeaderMap,
    body: &'a [u8],
) -> impl fmt::Display + 'a {
    ResponseSummary {
        status,
        headers,
        body,
    }
}

struct RedactedRequest<'a> {
    method: &'a http::Method,
    uri: &'a http::Uri,
    headers: &'a HeaderMap,
}

impl fmt::Display for RedactedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = self.uri.path_and_query().map_or("/", |pq| pq.as_str());
        writeln!(f, "{} {} HTTP/1.1", self.method, target)?;
        for (name, value) in self.headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            write!(f, "{name}: ")?;
            match name.as_str() {
                "authorization" => match value.find("Signature=") {
                    Some(i) => write!(f, "{}Signature=<redacted>", Printable(&value[..i]))?,
                    None => f.write_str("<redacted>")?,
                },
                "x-security-token" | "x-auth-token" => f.write_str("<redacted>")?,
                _ => write!(f, "{}", Printable(&value))?,
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

struct ResponseSummary<'a> {
    status: u16,
    headers: &'a HeaderMap,
    body: &'a [u8],
}

impl fmt::Display for ResponseSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = http::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        writeln!(f, "HTTP/1.1 {} {reason}", self.status)?;
        for (name, value) in self.headers {
            writeln!(
                f,
                "{name}: {}",
                Printable(&String::from_utf8_lossy(value.as_bytes()))
            )?;
        }
        if !self.body.is_empty() {
            writeln!(f)?;
            writeln!(f, "{}", Printable(&String::from_utf8_lossy(self.body)))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_show() {
        let req = http::Request::delete("http://h/x")
            .header("X-Auth-Token", "iam-token-value")
            .header("Authorization", "garbled secret")
            .body(Vec::<u8>::new())
            .unwrap();
        let shown = redacted_request(&req).to_string();
        assert!(!shown.contains("iam-token-value"), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn a_response_shows_status_headers_and_body() {
        let mut h = HeaderMap::new();
        h.insert("x-request-id", "r1".parse().unwrap());
        let shown = response_summary(403, &h, b"{\"error_code\":\"MPC.10211\"}\n").to_string();
        assert_eq!(
            shown,
            "HTTP/1.1 403 Forbidden\nx-request-id: r1\n\n{\"error_code\":\"MPC.10211\"}\\n\n"
        );
    }
}
