//! A borrowed view of the request to sign, for callers that are not on `http` types and
//! for the allocation-free hot path.

use http::HeaderMap;

use crate::sign::error::SignError;

/// How the payload enters the canonical request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload<'a> {
    /// The body bytes exactly as sent; they are hashed (an empty body costs nothing).
    Bytes(&'a [u8]),
    /// The hash of the body computed by the caller, 64 lower-case hex digits: SHA-256, or SM3
    /// for the SM3 algorithms. It is the last line of the canonical request, and no header is
    /// added: the receiver hashes the body it gets, as for a body the signer hashed (a
    /// signer refuses anything else with [`SignError::InvalidPayloadHash`]).
    Sha256Hex(&'a str),
    /// Do not hash the body: sign `UNSIGNED-PAYLOAD` and send
    /// `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (`X-Sdk-Content-Sm3` for the SM3
    /// algorithms).
    Unsigned,
}

impl<'a> Payload<'a> {
    /// A payload hash given as text, for a body that is not in memory (docs/SIGNING.md
    /// §1.7): 64 lower-case hex digits ([`Payload::Sha256Hex`]) or `UNSIGNED-PAYLOAD`
    /// ([`Payload::Unsigned`]). Anything else is [`SignError::InvalidPayloadHash`].
    ///
    /// ```
    /// use huaweicloud_aksk::{Payload, SignError};
    ///
    /// let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    /// assert_eq!(Payload::from_hash(hex), Ok(Payload::Sha256Hex(hex)));
    /// assert_eq!(Payload::from_hash("UNSIGNED-PAYLOAD"), Ok(Payload::Unsigned));
    /// assert_eq!(Payload::from_hash(&hex.to_uppercase()), Err(SignError::InvalidPayloadHash));
    /// ```
    pub fn from_hash(hash: &'a str) -> Result<Payload<'a>, SignError> {
        if hash == crate::sign::canonical::UNSIGNED_PAYLOAD {
            return Ok(Payload::Unsigned);
        }
        let payload = Payload::Sha256Hex(hash);
        payload.check()?;
        Ok(payload)
    }

    /// Refuses a given hash that is not 64 lower-case hex digits.
    pub(crate) fn check(&self) -> Result<(), SignError> {
        match self {
            Payload::Sha256Hex(hex)
                if hex.len() != 64
                    || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
            {
                Err(SignError::InvalidPayloadHash)
            }
            _ => Ok(()),
        }
    }
}

/// Where the view's headers come from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Headers<'a> {
    Pairs(&'a [(&'a str, &'a str)]),
    Map(&'a HeaderMap),
}

/// A request to sign, borrowed from the caller: method, authority, path and query as they
/// will be sent (already percent-encoded once), headers, and the payload.
///
/// ```
/// use huaweicloud_aksk::{Payload, SignableRequest};
///
/// let headers = [("X-Project-Id", "0123456789abcdef0123456789abcdef")];
/// let req = SignableRequest::new(
///     "DELETE",
///     "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211",
/// )
/// .unwrap()
/// .with_headers(&headers)
/// .with_payload(Payload::Bytes(b""));
/// assert_eq!(req.authority(), Some("mpc.cn-north-4.myhuaweicloud.com"));
/// assert_eq!(req.query(), "task_id=100211");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) authority: Option<&'a str>,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) headers: Headers<'a>,
    pub(crate) payload: Payload<'a>,
}

impl<'a> SignableRequest<'a> {
    /// A view of `url`, either absolute (`https://host[:port]/path?query`) or in origin form
    /// (`/path?query`, the host then comes from a `Host` header). A fragment is ignored.
    pub fn new(method: &'a str, url: &'a str) -> Result<Self, SignError> {
        let (authority, rest) = split_url(url)?;
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, q),
            None => (rest, ""),
        };
        Ok(SignableRequest::from_parts(method, authority, path, query))
    }

    /// A view from its parts: `authority` is `host[:port]` (or `None` when a `Host` header
    /// is given), `path` and `query` are the raw, still percent-encoded, wire forms.
    pub fn from_parts(
        method: &'a str,
        authority: Option<&'a str>,
        path: &'a str,
        query: &'a str,
    ) -> Self {
        SignableRequest {
            method,
            authority,
            path,
            query,
            headers: Headers::Pairs(&[]),
            payload: Payload::Bytes(&[]),
        }
    }

    /// A view of an `http::Request`; the body is hashed.
    pub fn from_http<B: AsRef<[u8]>>(req: &'a http::Request<B>) -> Self {
        SignableRequest::from_head(req.method(), req.uri(), req.headers())
            .with_payload(Payload::Bytes(req.body().as_ref()))
    }

    /// A view of a request head (`http::request::Parts`), for a body that is not in memory:
    /// give its hash with [`SignableRequest::with_payload`] (until then, the body is empty).
    pub fn from_http_parts(head: &'a http::request::Parts) -> Self {
        SignableRequest::from_head(&head.method, &head.uri, &head.headers)
    }

    /// A view of a method, URI and headers, with an empty body.
    pub(crate) fn from_head(
        method: &'a http::Method,
        uri: &'a http::Uri,
        headers: &'a HeaderMap,
    ) -> Self {
        SignableRequest {
            method: method.as_str(),
            // Credentials in the URI are not part of the Host header (as in `new`).
            authority: uri.authority().map(|a| without_userinfo(a.as_str())),
            path: uri.path(),
            query: uri.query().unwrap_or(""),
            headers: Headers::Map(headers),
            payload: Payload::Bytes(&[]),
        }
    }

    /// The headers the caller will send (any order, any case; a name may repeat).
    pub fn with_headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = Headers::Pairs(headers);
        self
    }

    /// The headers the caller will send, from an `http::HeaderMap`.
    pub fn with_header_map(mut self, headers: &'a HeaderMap) -> Self {
        self.headers = Headers::Map(headers);
        self
    }

    /// The body as sent.
    pub fn with_body(mut self, body: &'a [u8]) -> Self {
        self.payload = Payload::Bytes(body);
        self
    }

    /// How the payload is signed.
    pub fn with_payload(mut self, payload: Payload<'a>) -> Self {
        self.payload = payload;
        self
    }

    /// The method, as given.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The authority (`host[:port]`), when the URL had one.
    pub fn authority(&self) -> Option<&'a str> {
        self.authority
    }

    /// The raw path.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The raw query, without `?`.
    pub fn query(&self) -> &'a str {
        self.query
    }
}

/// `host[:port]` of an authority, without the `userinfo@` before it.
fn without_userinfo(authority: &str) -> &str {
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
}

/// Splits an absolute URL into authority and the rest, or accepts an origin-form target.
fn split_url(url: &str) -> Result<(Option<&str>, &str), SignError> {
    if url.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(SignError::InvalidUri {
            reason: "contains a space or a control character",
        });
    }
    if url.starts_with('/') {
        return Ok((None, url));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(SignError::InvalidUri {
            reason: "expected scheme://host/path or /path",
        });
    };
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return Err(SignError::InvalidUri {
            reason: "invalid scheme",
        });
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    // Credentials in the URL are not part of the Host header.
    let host = without_userinfo(authority);
    if host.is_empty() || host.starts_with(':') {
        return Err(SignError::MissingHost);
    }
    Ok((Some(host), &rest[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_url_is_split_into_authority_path_and_query() {
        let r = SignableRequest::new("GET", "https://h.example.com:8443/a/b?x=1&y#frag").unwrap();
        assert_eq!(r.authority(), Some("h.example.com:8443"));
        assert_eq!(r.path(), "/a/b");
        assert_eq!(r.query(), "x=1&y");
    }

    #[test]
    fn url_without_path_has_an_empty_path() {
        let r = SignableRequest::new("GET", "http://[::1]:80?q").unwrap();
        assert_eq!(r.authority(), Some("[::1]:80"));
        assert_eq!(r.path(), "");
        assert_eq!(r.query(), "q");
    }

    #[test]
    fn url_without_host_is_refused() {
        for url in [
            "https:///path",
            "https://",
            "http://:80/x",
            "https://user@/x",
        ] {
            assert_eq!(
                SignableRequest::new("GET", url).unwrap_err(),
                SignError::MissingHost,
                "{url}"
            );
        }
        assert!(matches!(
            SignableRequest::new("GET", "mpc.example.com/x"),
            Err(SignError::InvalidUri { .. })
        ));
        assert!(matches!(
            SignableRequest::new("GET", "https://h/x\r\nInjected: 1"),
            Err(SignError::InvalidUri { .. })
        ));
    }

    #[test]
    fn userinfo_is_not_part_of_the_authority() {
        let r = SignableRequest::new("GET", "https://u:p@h.example.com/x").unwrap();
        assert_eq!(r.authority(), Some("h.example.com"));
    }
}
