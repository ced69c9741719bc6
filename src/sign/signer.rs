//! The signer: string to sign, HMAC-SHA256 signature and `Authorization` header, over the
//! canonical request of [`crate::sign::canonical`]; and the adapter for `http::Request`.

use std::cell::RefCell;
use std::fmt;

use chrono::{DateTime, Utc};
#[cfg(feature = "sm3")]
use hmac::{Hmac, Mac};
use http::header::{AUTHORIZATION, HOST, HeaderName, HeaderValue};

use crate::sign::algorithm::{Algorithm, v11_derived_key};
use crate::sign::canonical::{self, Added, Layout, Mode, Scratch, SignContext, text};
use crate::sign::credentials::Credentials;
use crate::sign::date::SdkDate;
use crate::sign::error::SignError;
use crate::sign::request::SignableRequest;
use crate::sign::sha256::HmacSha256;

/// The name of the default algorithm, the first token of `Authorization`.
pub const SDK_HMAC_SHA256: &str = "SDK-HMAC-SHA256";

/// Signs requests with AK/SK (`SDK-HMAC-SHA256`).
///
/// Build one per set of credentials and share it: it holds the HMAC key state, prepared
/// once, and is `Send + Sync`; signing takes `&self` and takes no lock.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use huaweicloud_aksk::{Credentials, Signer};
///
/// let signer = Signer::new(Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST"));
/// let mut req = http::Request::delete(
///     "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211",
/// )
/// .header("X-Project-Id", "0123456789abcdef0123456789abcdef")
/// .body(Vec::new())
/// .unwrap();
/// let at = Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap();
/// signer.sign_at(&mut req, at).unwrap();
/// assert_eq!(req.headers()["x-sdk-date"], "20261128T043500Z");
/// assert_eq!(req.headers()["host"], "mpc.cn-north-4.myhuaweicloud.com");
/// assert!(req.headers()["authorization"].is_sensitive());
/// ```
#[derive(Clone)]
pub struct Signer {
    credentials: Credentials,
    invalid: Option<SignError>,
    mac: HmacSha256,
    /// `ALGORITHM Access=AK, SignedHeaders=`: how `Authorization` starts (but for V11,
    /// whose scope comes from each string to sign).
    authorization_prefix: Box<str>,
    unsigned_for_non_json: bool,
    algorithm: Algorithm,
    /// `(region, service)`, the V11 credential scope.
    scope: Option<(Box<str>, Box<str>)>,
    #[cfg(feature = "sm3")]
    mac_sm3: Option<Hmac<sm3::Sm3>>,
    #[cfg(feature = "ecdsa")]
    ec_key: Option<crate::sign::ecdsa::EcKey>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("access_key", &self.credentials.access_key())
            .field("algorithm", &self.algorithm.name())
            .field("scope", &self.scope)
            .field("unsigned_for_non_json", &self.unsigned_for_non_json)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer for these credentials. Credentials that cannot sign (see
    /// [`Credentials::validate`]) make every call to sign fail with the reason.
    pub fn new(credentials: Credentials) -> Self {
        let invalid = credentials.validate().err();
        // HMAC accepts keys of any length; the key's pad states are computed here, once.
        let mac = HmacSha256::new(credentials.secret_key().expose().as_bytes());
        let authorization_prefix =
            authorization_prefix(Algorithm::SdkHmacSha256, credentials.access_key());
        Signer {
            credentials,
            invalid,
            mac,
            authorization_prefix,
            unsigned_for_non_json: true,
            algorithm: Algorithm::SdkHmacSha256,
            scope: None,
            #[cfg(feature = "sm3")]
            mac_sm3: None,
            #[cfg(feature = "ecdsa")]
            ec_key: None,
        }
    }

    /// Signs with `algorithm` instead of `SDK-HMAC-SHA256`. `V11-HMAC-SHA256` also needs
    /// [`Signer::with_derived_scope`]. An algorithm this build lacks (see
    /// [`Algorithm::is_available`]) makes every call to sign fail with the reason.
    ///
    /// ```
    /// use huaweicloud_aksk::{Algorithm, Credentials, Signer};
    ///
    /// let signer = Signer::new(Credentials::new("AccessKey", "SecretKey"))
    ///     .with_algorithm(Algorithm::V11HmacSha256)
    ///     .with_derived_scope("region-id-1", "service");
    /// assert_eq!(signer.algorithm(), Algorithm::V11HmacSha256);
    /// ```
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self.authorization_prefix = authorization_prefix(algorithm, self.credentials.access_key());
        if let Err(e) = algorithm.check_available() {
            self.invalid.get_or_insert(e);
            return self;
        }
        let sk = self.credentials.secret_key().expose();
        #[cfg(feature = "sm3")]
        if algorithm == Algorithm::SdkHmacSm3 {
            self.mac_sm3 = <Hmac<sm3::Sm3> as Mac>::new_from_slice(sk.as_bytes()).ok();
        }
        #[cfg(feature = "ecdsa")]
        if algorithm.is_ecdsa() && self.invalid.is_none() {
            match crate::sign::ecdsa::EcKey::derive(algorithm, self.credentials.access_key(), sk) {
                Ok(key) => self.ec_key = Some(key),
                Err(e) => self.invalid = Some(e),
            }
        }
        let _ = sk;
        self
    }

    /// The region and service of the `V11-HMAC-SHA256` credential scope
    /// (`YYYYMMDD/region/service`).
    pub fn with_derived_scope(mut self, region: &str, service: &str) -> Self {
        self.scope = Some((region.into(), service.into()));
        self
    }

    /// The algorithm this signer signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Always hash the body, even when the `Content-Type` is neither JSON nor BSON.
    ///
    /// By default, like the official SDKs, a request whose `Content-Type` starts with
    /// neither `application/json` nor `application/bson` is signed with
    /// `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`, so that binary uploads are not hashed.
    pub fn always_hash_body(mut self, always: bool) -> Self {
        self.unsigned_for_non_json = !always;
        self
    }

    /// The credentials this signer signs with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Checks the credentials (the reason every signing would fail, if any).
    pub fn check(&self) -> Result<(), SignError> {
        match &self.invalid {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Signs a borrowed request at `date` into `buf`: the hot path. Once `buf` has grown to
    /// the size of the requests it signs, this allocates nothing.
    ///
    /// The result borrows `buf` and gives every intermediate value and the headers to add.
    ///
    /// ```
    /// use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};
    ///
    /// let signer = Signer::new(Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST"));
    /// let headers = [("X-Project-Id", "0123456789abcdef0123456789abcdef")];
    /// let req = SignableRequest::new(
    ///     "DELETE",
    ///     "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211",
    /// )?
    /// .with_headers(&headers);
    /// let mut buf = SigningBuffer::new();
    /// let signed = signer.sign_into(&req, SdkDate::parse("20261128T043500Z")?, &mut buf)?;
    /// assert_eq!(signed.signed_headers(), "host;x-project-id;x-sdk-date");
    /// assert_eq!(signed.signature(), "0858fa456de9c16562ad955eb067f9b43d1c2d8e82094d19e6df7eeb7ab5e092");
    /// for (name, value) in signed.headers_to_add() {
    ///     // Host, X-Sdk-Date and Authorization: add them to the request you send.
    ///     assert!(!value.is_empty(), "{name}");
    /// }
    /// # Ok::<(), huaweicloud_aksk::SignError>(())
    /// ```
    pub fn sign_into<'b>(
        &self,
        req: &SignableRequest<'_>,
        date: SdkDate,
        buf: &'b mut SigningBuffer,
    ) -> Result<Signed<'b>, SignError> {
        self.check()?;
        let scope_ok = self.scope.as_ref().is_some_and(|(region, service)| {
            [region, service].iter().all(|p| {
                !p.is_empty() && !p.contains(['/', ',', ' ']) && !p.contains(char::is_control)
            })
        });
        if self.algorithm == Algorithm::V11HmacSha256 && !scope_ok {
            return Err(SignError::MissingDerivedScope);
        }
        let ctx = SignContext {
            date,
            security_token: self.credentials.security_token().map(|t| t.expose()),
            unsigned_for_non_json: self.unsigned_for_non_json,
            content_header: self.algorithm.content_header(),
            body_hash: self.algorithm.body_hash(),
        };
        let layout = canonical::build(
            req,
            Mode::Sign(ctx),
            &mut buf.scratch,
            &mut buf.canonical,
            &mut buf.payload_hex,
        )?;
        let date = layout.date.unwrap_or(date);
        buf.ec_signature.clear();
        if self.algorithm.is_ecdsa() {
            self.sign_canonical_ec(
                &buf.canonical,
                date,
                &mut buf.string_to_sign,
                &mut buf.ec_signature,
            )?;
        } else {
            self.sign_canonical(
                &buf.canonical,
                date,
                &mut buf.string_to_sign,
                &mut buf.signature,
            );
        }

        buf.authorization.clear();
        if self.algorithm == Algorithm::V11HmacSha256 {
            buf.authorization.push_str(self.algorithm.name());
            buf.authorization.push_str(" Credential=");
            buf.authorization.push_str(self.credentials.access_key());
            buf.authorization.push('/');
            // The scope is the third line of the V11 string to sign.
            buf.authorization.push_str(v11_info(&buf.string_to_sign));
            buf.authorization.push_str(", SignedHeaders=");
        } else {
            buf.authorization.push_str(&self.authorization_prefix);
        }
        buf.authorization
            .push_str(text(&buf.canonical[layout.signed_headers.clone()]));
        buf.authorization.push_str(", Signature=");
        if self.algorithm.is_ecdsa() {
            buf.authorization.push_str(&buf.ec_signature);
        } else {
            buf.authorization
                .push_str(std::str::from_utf8(&buf.signature).unwrap_or(""));
        }
        buf.date = date;
        buf.sm3 = self.algorithm.uses_sm3();
        buf.layout = layout;
        Ok(Signed { buf })
    }

    /// Writes the string to sign of `canonical` at `date`: the algorithm, the date, the
    /// V11 scope, and the hex hash of the canonical request.
    fn write_string_to_sign(&self, canonical: &[u8], date: SdkDate, out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(self.algorithm.name().as_bytes());
        out.push(b'\n');
        out.extend_from_slice(date.as_bytes());
        out.push(b'\n');
        if self.algorithm == Algorithm::V11HmacSha256 {
            if let Some((region, service)) = &self.scope {
                out.extend_from_slice(date.day().as_bytes());
                out.push(b'/');
                out.extend_from_slice(region.as_bytes());
                out.push(b'/');
                out.extend_from_slice(service.as_bytes());
            }
            out.push(b'\n');
        }
        let digest: [u8; 32] = if self.algorithm.uses_sm3() {
            crate::sign::algorithm::sm3_digest(canonical)
        } else {
            crate::sign::sha256::sha256(canonical)
        };
        out.extend_from_slice(&crate::sign::encoding::hex32(&digest));
    }

    /// Writes the string to sign of `canonical` at `date` into `string_to_sign`, and its
    /// HMAC signature (lower-case hex) into `signature`. For the elliptic-curve algorithms,
    /// see `sign_canonical_ec`.
    pub(crate) fn sign_canonical(
        &self,
        canonical: &[u8],
        date: SdkDate,
        string_to_sign: &mut Vec<u8>,
        signature: &mut [u8; 64],
    ) {
        self.write_string_to_sign(canonical, date, string_to_sign);
        let digest: [u8; 32] = match self.algorithm {
            Algorithm::V11HmacSha256 => {
                let info = v11_info(string_to_sign);
                let key = v11_derived_key(
                    self.credentials.access_key(),
                    self.credentials.secret_key().expose(),
                    info,
                );
                crate::sign::algorithm::hmac_sha256(&key, string_to_sign)
            }
            #[cfg(feature = "sm3")]
            Algorithm::SdkHmacSm3 => match &self.mac_sm3 {
                Some(mac) => {
                    let mut mac = mac.clone();
                    mac.update(string_to_sign);
                    mac.finalize().into_bytes().into()
                }
                None => [0; 32],
            },
            _ => self.mac.mac(string_to_sign),
        };
        *signature = crate::sign::encoding::hex32(&digest);
    }

    /// The elliptic-curve counterpart of `sign_canonical`: the signature is hex of DER.
    pub(crate) fn sign_canonical_ec(
        &self,
        canonical: &[u8],
        date: SdkDate,
        string_to_sign: &mut Vec<u8>,
        signature: &mut String,
    ) -> Result<(), SignError> {
        self.write_string_to_sign(canonical, date, string_to_sign);
        #[cfg(feature = "ecdsa")]
        if let Some(key) = &self.ec_key {
            push_hex(signature, &key.sign(string_to_sign));
            return Ok(());
        }
        let _ = signature;
        Err(SignError::UnsupportedAlgorithm {
            name: self.algorithm.name(),
        })
    }

    /// Checks an elliptic-curve signature (hex of DER) of `canonical` at `date`.
    pub(crate) fn verify_canonical_ec(
        &self,
        canonical: &[u8],
        date: SdkDate,
        string_to_sign: &mut Vec<u8>,
        signature_hex: &str,
    ) -> bool {
        self.write_string_to_sign(canonical, date, string_to_sign);
        #[cfg(feature = "ecdsa")]
        if let (Some(key), Ok(der)) = (&self.ec_key, hex::decode(signature_hex)) {
            return key.verify(string_to_sign, &der);
        }
        let _ = signature_hex;
        false
    }

    /// Signs an `http::Request` at time `at`: adds `X-Sdk-Date` (unless the request has one,
    /// which is then used), `Host` (unless present), `X-Security-Token` (temporary
    /// credentials), `X-Sdk-Content-Sha256` (when the body is not hashed) and
    /// `Authorization` (marked sensitive), and rewrites the query into its canonical form
    /// so that what is sent is what was signed.
    ///
    /// On error the request is left exactly as it was.
    pub fn sign_at<B: AsRef<[u8]>>(
        &self,
        req: &mut http::Request<B>,
        at: DateTime<Utc>,
    ) -> Result<(), SignError> {
        let date = SdkDate::from_datetime(at)?;
        BUFFER.with(|cell| {
            let mut guard = cell.try_borrow_mut();
            let mut fresh;
            let buf: &mut SigningBuffer = match guard {
                Ok(ref mut b) => b,
                Err(_) => {
                    fresh = SigningBuffer::new();
                    &mut fresh
                }
            };
            let signed = self.sign_into(&SignableRequest::from_http(req), date, buf)?;
            let edit = signed.http_edit(req.uri())?;
            edit.apply(req);
            Ok(())
        })
    }

    /// Signs an `http::Request` at the current time; see [`Signer::sign_at`].
    pub fn sign<B: AsRef<[u8]>>(&self, req: &mut http::Request<B>) -> Result<(), SignError> {
        self.sign_at(req, Utc::now())
    }

    /// Every intermediate value of signing `req` at `at`, without changing `req`: for
    /// debugging and for test vectors.
    pub fn details_at<B: AsRef<[u8]>>(
        &self,
        req: &http::Request<B>,
        at: DateTime<Utc>,
    ) -> Result<SigningDetails, SignError> {
        let mut buf = SigningBuffer::new();
        let signed = self.sign_into(
            &SignableRequest::from_http(req),
            SdkDate::from_datetime(at)?,
            &mut buf,
        )?;
        Ok(signed.to_details())
    }
}

/// How `Authorization` starts for `algorithm` (not V11) and `access_key`, up to the signed
/// header names.
fn authorization_prefix(algorithm: Algorithm, access_key: &str) -> Box<str> {
    format!("{} Access={access_key}, SignedHeaders=", algorithm.name()).into()
}

/// The third line of a V11 string to sign: its scope, `YYYYMMDD/region/service`.
fn v11_info(string_to_sign: &[u8]) -> &str {
    text(string_to_sign.split(|&b| b == b'\n').nth(2).unwrap_or(b""))
}

#[cfg(feature = "ecdsa")]
fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
}

thread_local! {
    static BUFFER: RefCell<SigningBuffer> = RefCell::new(SigningBuffer::new());
}

/// Caller-owned working memory for [`Signer::sign_into`]; reuse it across requests.
#[derive(Clone)]
pub struct SigningBuffer {
    scratch: Scratch,
    canonical: Vec<u8>,
    string_to_sign: Vec<u8>,
    payload_hex: [u8; 64],
    signature: [u8; 64],
    ec_signature: String,
    /// Whether the last request was signed with an SM3 algorithm.
    sm3: bool,
    authorization: String,
    date: SdkDate,
    layout: Layout,
}

impl fmt::Debug for SigningBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The canonical request and the scratch bytes may hold a security token: show the
        // former redacted, and not the latter.
        f.debug_struct("SigningBuffer")
            .field(
                "canonical",
                &crate::sign::redact::canonical(text(&self.canonical)),
            )
            .field("string_to_sign", &text(&self.string_to_sign))
            .field("authorization", &self.authorization)
            .field("date", &self.date)
            .finish_non_exhaustive()
    }
}

impl Default for SigningBuffer {
    fn default() -> Self {
        SigningBuffer::new()
    }
}

impl SigningBuffer {
    /// An empty buffer, sized for typical requests.
    pub fn new() -> Self {
        SigningBuffer {
            scratch: Scratch::default(),
            canonical: Vec::with_capacity(512),
            string_to_sign: Vec::with_capacity(128),
            payload_hex: [b'0'; 64],
            signature: [b'0'; 64],
            ec_signature: String::new(),
            sm3: false,
            authorization: String::with_capacity(160),
            date: SdkDate::parse("19700101T000000Z").unwrap_or_else(|_| SdkDate::now()),
            layout: Layout::default(),
        }
    }
}

/// A signed request: the intermediate values and the headers to add, borrowed from the
/// [`SigningBuffer`] they were written to.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'b> {
    buf: &'b SigningBuffer,
}

impl<'b> Signed<'b> {
    /// The canonical request.
    pub fn canonical_request(&self) -> &'b str {
        text(&self.buf.canonical)
    }

    /// The canonical query string: send this as the query, so that what is sent is what
    /// was signed.
    pub fn canonical_query(&self) -> &'b str {
        text(&self.buf.canonical[self.buf.layout.query.clone()])
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &'b str {
        text(&self.buf.string_to_sign)
    }

    /// The signed header names, lower case, joined by `;`.
    pub fn signed_headers(&self) -> &'b str {
        text(&self.buf.canonical[self.buf.layout.signed_headers.clone()])
    }

    /// The signature: 64 lower-case hex digits for the HMAC algorithms, hex of DER for the
    /// elliptic-curve ones.
    pub fn signature(&self) -> &'b str {
        if !self.buf.ec_signature.is_empty() {
            return &self.buf.ec_signature;
        }
        std::str::from_utf8(&self.buf.signature).unwrap_or("")
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &'b str {
        &self.buf.authorization
    }

    /// The signing date (`X-Sdk-Date`).
    pub fn date(&self) -> SdkDate {
        self.buf.date
    }

    /// The headers the caller must add to the request before sending it, in this order:
    /// those the signer added to the canonical request (`X-Sdk-Date`, `Host`,
    /// `X-Security-Token`, `X-Sdk-Content-Sha256`, when absent from the request), then
    /// `Authorization`.
    pub fn headers_to_add(&self) -> impl Iterator<Item = (&'static str, &'b str)> + 'b {
        let buf = self.buf;
        let added = buf.layout.added[..buf.layout.added_len]
            .iter()
            .flatten()
            .map(move |(what, range)| {
                let name = match what {
                    Added::Host => "Host",
                    Added::Date => "X-Sdk-Date",
                    Added::SecurityToken => "X-Security-Token",
                    Added::ContentSha256 if buf.sm3 => "X-Sdk-Content-Sm3",
                    Added::ContentSha256 => "X-Sdk-Content-Sha256",
                };
                (name, buf.scratch.str(range.clone()))
            });
        added.chain(std::iter::once((
            "Authorization",
            buf.authorization.as_str(),
        )))
    }

    /// Owned copies of every value.
    pub fn to_details(&self) -> SigningDetails {
        SigningDetails {
            canonical_request: self.canonical_request().to_owned(),
            string_to_sign: self.string_to_sign().to_owned(),
            signed_headers: self.signed_headers().to_owned(),
            signature: self.signature().to_owned(),
            authorization: self.authorization().to_owned(),
            date: self.date(),
            canonical_query: self.canonical_query().to_owned(),
            added_headers: self
                .headers_to_add()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    /// Everything to change on an `http::Request`, built (and so checked) before any change.
    fn http_edit(&self, uri: &http::Uri) -> Result<HttpEdit, SignError> {
        let mut headers = Vec::with_capacity(5);
        for (name, value) in self.headers_to_add() {
            let mut value =
                HeaderValue::from_str(value).map_err(|_| SignError::InvalidHeaderValue {
                    name: name.to_owned(),
                    reason: "cannot be sent as a header value",
                })?;
            let name = match name {
                "Host" => HOST,
                "Authorization" => {
                    value.set_sensitive(true);
                    AUTHORIZATION
                }
                "X-Security-Token" => {
                    value.set_sensitive(true);
                    HeaderName::from_static("x-security-token")
                }
                "X-Sdk-Date" => HeaderName::from_static("x-sdk-date"),
                "X-Sdk-Content-Sm3" => HeaderName::from_static("x-sdk-content-sm3"),
                _ => HeaderName::from_static("x-sdk-content-sha256"),
            };
            headers.push((name, value));
        }
        let canonical_query = self.canonical_query();
        let uri = if uri.query().unwrap_or("") == canonical_query
            && (uri.query().is_some() != canonical_query.is_empty())
        {
            None
        } else {
            let mut parts = uri.clone().into_parts();
            let pq = if canonical_query.is_empty() {
                uri.path().to_owned()
            } else {
                format!("{}?{}", uri.path(), canonical_query)
            };
            parts.path_and_query = Some(pq.parse().map_err(|_| SignError::InvalidUri {
                reason: "canonical query cannot be sent",
            })?);
            Some(
                http::Uri::from_parts(parts).map_err(|_| SignError::InvalidUri {
                    reason: "canonical query cannot be sent",
                })?,
            )
        };
        Ok(HttpEdit { headers, uri })
    }
}

struct HttpEdit {
    headers: Vec<(HeaderName, HeaderValue)>,
    uri: Option<http::Uri>,
}

impl HttpEdit {
    fn apply<B>(self, req: &mut http::Request<B>) {
        for (name, value) in self.headers {
            req.headers_mut().insert(name, value);
        }
        if let Some(uri) = self.uri {
            *req.uri_mut() = uri;
        }
    }
}

/// Owned intermediate values of one signature.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningDetails {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signed header names, joined by `;`.
    pub signed_headers: String,
    /// The signature (lower-case hex).
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
    /// The signing date.
    pub date: SdkDate,
    /// The canonical query, to send as the query.
    pub canonical_query: String,
    /// The headers the signer adds, in the order of [`Signed::headers_to_add`].
    pub added_headers: Vec<(String, String)>,
}

impl fmt::Debug for SigningDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The security token is among the added headers: keep it out of logs.
        let added: Vec<(&str, &str)> = self
            .added_headers
            .iter()
            .map(|(n, v)| {
                let shown = if n.eq_ignore_ascii_case("x-security-token") {
                    "<redacted>"
                } else {
                    v.as_str()
                };
                (n.as_str(), shown)
            })
            .collect();
        f.debug_struct("SigningDetails")
            .field(
                "canonical_request",
                &crate::sign::redact::canonical(&self.canonical_request),
            )
            .field("string_to_sign", &self.string_to_sign)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &self.signature)
            .field("authorization", &self.authorization)
            .field("date", &self.date)
            .field("canonical_query", &self.canonical_query)
            .field("added_headers", &added)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signer_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Signer>();
        assert_send_sync::<SigningBuffer>();
    }
}
