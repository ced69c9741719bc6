//! What a client reports while it works (for `-v` output and logs), shown with credentials
//! redacted.

use std::fmt;
use std::time::Duration;

use chrono::TimeDelta;
use http::HeaderMap;

use crate::mpc::common::Printable;
use crate::mpc::error::TransportError;

/// One step of a call, reported to the observer set with
/// `MpcClientBuilder::observer`.
///
/// Its `Display` is curl's verbose style with credentials redacted: `*` lines from the
/// client, `>` the request head as sent (the signature of `Authorization` and the values of
/// `X-Security-Token` and `X-Auth-Token` shown as `<redacted>`), `<` the answer's head and
/// what was read of its body, control characters escaped. `Debug` shows the request too,
/// with sensitive header values hidden by `http`.
#[non_exhaustive]
#[derive(Debug)]
pub enum Event<'a> {
    /// An attempt is about to be sent: the request exactly as it goes out.
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

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Sending { attempt, request } => {
                writeln!(f, "* attempt {attempt}: {}", request.uri())?;
                prefixed(f, '>', &redacted_request(request))
            }
            Event::Received {
                status,
                headers,
                body,
                ..
            } => prefixed(
                f,
                '<',
                &ResponseSummary {
                    status: *status,
                    headers,
                    body,
                },
            ),
            Event::Failed { attempt, error } => {
                writeln!(f, "* attempt {attempt} failed: {error}")
            }
            Event::Retrying {
                next_attempt,
                delay,
            } => writeln!(
                f,
                "* attempt {next_attempt} in {:.3} s",
                delay.as_secs_f64()
            ),
            Event::ClockCorrected { offset } => writeln!(
                f,
                "* the gateway's clock is {:+} s from the local one: signatures are dated accordingly",
                offset.num_seconds()
            ),
        }
    }
}

/// Writes each line of `text` after `prefix` and a space.
fn prefixed(f: &mut fmt::Formatter<'_>, prefix: char, text: &dyn fmt::Display) -> fmt::Result {
    for line in text.to_string().lines() {
        writeln!(f, "{prefix} {line}")?;
    }
    Ok(())
}

/// The request as an HTTP/1.1 message head, with the signature of `Authorization` and the
/// values of `X-Security-Token` and `X-Auth-Token` replaced by `<redacted>`.
pub(crate) fn redacted_request<B>(request: &http::Request<B>) -> impl fmt::Display + '_ {
    RedactedRequest {
        method: request.method(),
        uri: request.uri(),
        headers: request.headers(),
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
            .and_then(|s| s.canonical_reason());
        match reason {
            Some(reason) => writeln!(f, "HTTP/1.1 {} {reason}", self.status)?,
            None => writeln!(f, "HTTP/1.1 {}", self.status)?,
        }
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
    fn a_request_is_shown_with_its_signature_and_tokens_redacted() {
        let req = http::Request::delete("https://mpc.example.com/v1/p/remux/task?task_id=1")
            .header(
                "Authorization",
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=0123abcd",
            )
            .header("X-Security-Token", "token")
            .body(Vec::<u8>::new())
            .unwrap();
        let shown = Event::Sending {
            attempt: 1,
            request: &req,
        }
        .to_string();
        assert_eq!(
            shown,
            "* attempt 1: https://mpc.example.com/v1/p/remux/task?task_id=1\n\
             > DELETE /v1/p/remux/task?task_id=1 HTTP/1.1\n\
             > authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=<redacted>\n\
             > x-security-token: <redacted>\n"
        );
    }

    #[test]
    fn a_response_shows_status_headers_and_body() {
        let mut h = HeaderMap::new();
        h.insert("x-request-id", "r1".parse().unwrap());
        let body = b"{\"error_code\":\"MPC.10211\"}\n";
        let shown = Event::Received {
            attempt: 1,
            status: 403,
            headers: &h,
            body,
        }
        .to_string();
        assert_eq!(
            shown,
            "< HTTP/1.1 403 Forbidden\n< x-request-id: r1\n< \n< {\"error_code\":\"MPC.10211\"}\\n\n"
        );
        let shown = Event::Received {
            attempt: 1,
            status: 599,
            headers: &HeaderMap::new(),
            body: b"",
        }
        .to_string();
        assert_eq!(shown, "< HTTP/1.1 599\n");
    }
}
