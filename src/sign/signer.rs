//! The signer: the canonical request of [`crate::sign::canonical`], the string to sign, the
//! signature and `Authorization` of the signer's algorithm; and the adapter for
//! `http::Request`.

use std::cell::RefCell;
use std::fmt;
use std::ops::Range;

use chrono::{DateTime, Utc};
use http::header::{AUTHORIZATION, HOST, HeaderName, HeaderValue};

use crate::sign::algorithm::{Algorithm, PreparedKeys, Scheme, SigningKey};
use crate::sign::canonical::{self, Added, Layout, Mode, Scratch, SignContext, text};
use crate::sign::credentials::Credentials;
use crate::sign::crypto::HexSignature;
use crate::sign::date::SdkDate;
use crate::sign::error::SignError;
use crate::sign::request::Payload;
use crate::sign::request::SignableRequest;

/// Which request bodies a [`Signer`] hashes into the signature
/// ([`Signer::with_payload_hashing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PayloadHashing {
    /// As the official SDKs: a request whose `Content-Type` starts with neither
    /// `application/json` nor `application/bson` is signed with
    /// `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`, so that binary uploads are not hashed; any
    /// other body is hashed. The default.
    #[default]
    UnsignedForNonJson,
    /// Every body is hashed, whatever its `Content-Type`. A verifier refuses a non-empty body
    /// that the signature does not cover unless told otherwise
    /// ([`verify::UnsignedPayload`](crate::verify::UnsignedPayload)); this is the choice for
    /// a text or form body sent to one.
    Always,
}

/// Signs requests with AK/SK (`SDK-HMAC-SHA256`, or another [`Algorithm`]).
///
/// Build one per set of credentials and share it: it holds its algorithm's key, prepared
/// once (the HMAC pad states, the first step of the V11 derivation, or the elliptic-curve
/// key pair), and is `Send + Sync`; signing takes `&self` and takes no lock. A verifier
/// keeps the same prepared keys, one per algorithm it meets (see [`crate::verify`]).
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
    algorithm: Algorithm,
    /// The keys of the credentials: the signer's algorithm's prepared when it is chosen,
    /// the others when a verifier first needs them.
    keys: PreparedKeys,
    /// `(region, service)`, the credential scope of a scoped algorithm (V11).
    scope: Option<(Box<str>, Box<str>)>,
    unsigned_for_non_json: bool,
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
        Signer {
            credentials,
            invalid,
            algorithm: Algorithm::SdkHmacSha256,
            keys: PreparedKeys::default(),
            scope: None,
            unsigned_for_non_json: true,
        }
        .with_algorithm(Algorithm::SdkHmacSha256)
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
        if self.invalid.is_none() {
            // The key is prepared now, so that a failure shows in `check`.
            if let Err(e) = self.keys.get(algorithm, &self.credentials) {
                self.invalid = Some(e);
            }
        }
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

    /// Which bodies are hashed into the signature ([`PayloadHashing::UnsignedForNonJson`], as
    /// the official SDKs, by default).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use huaweicloud_aksk::{Credentials, PayloadHashing, Signer};
    ///
    /// let signer = Signer::new(Credentials::new("AK", "SK"))
    ///     .with_payload_hashing(PayloadHashing::Always);
    /// let mut req = huaweicloud_aksk::http::Request::post("https://example.com/v1/notes")
    ///     .header("Content-Type", "text/plain")
    ///     .body(b"hello".to_vec())?;
    /// signer.sign_at(&mut req, Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap())?;
    /// // The text body is in the signature: no UNSIGNED-PAYLOAD header.
    /// assert!(req.headers().get("x-sdk-content-sha256").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_payload_hashing(mut self, hashing: PayloadHashing) -> Self {
        self.unsigned_for_non_json = hashing == PayloadHashing::UnsignedForNonJson;
        self
    }

    /// Which bodies this signer hashes into the signature.
    pub fn payload_hashing(&self) -> PayloadHashing {
        if self.unsigned_for_non_json {
            PayloadHashing::UnsignedForNonJson
        } else {
            PayloadHashing::Always
        }
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
        req.payload.check()?;
        let scheme = self.algorithm.scheme()?;
        let key = self.keys.get(self.algorithm, &self.credentials)?;
        let scope = if scheme.scoped {
            Some(self.scope().ok_or(SignError::MissingDerivedScope)?)
        } else {
            None
        };
        let ctx = SignContext {
            date,
            security_token: self.credentials.security_token().map(|t| t.expose()),
            unsigned_for_non_json: self.unsigned_for_non_json,
        };
        let (layout, _) = canonical::build(
            req,
            Mode::Sign(ctx),
            scheme,
            &mut buf.scratch,
            &mut buf.canonical,
            &mut buf.payload_hex,
        )?;
        let date = layout.date.expect("signing settles the date");
        let scope =
            scheme.write_string_to_sign(&buf.canonical, date, scope, &mut buf.string_to_sign);
        let scope_str = text(&buf.string_to_sign[scope.clone()]);
        key.sign(&buf.string_to_sign, scope_str, &mut buf.signature);
        scheme.write_authorization(
            self.credentials.access_key(),
            scope_str,
            text(&buf.canonical[layout.signed_headers.clone()]),
            buf.signature.as_str(),
            &mut buf.authorization,
        );
        buf.scope = scope;
        buf.layout = layout;
        Ok(Signed { buf, date, scheme })
    }

    /// The credential scope, when it is one a string to sign and `Authorization` can
    /// carry.
    fn scope(&self) -> Option<(&str, &str)> {
        let (region, service) = self.scope.as_ref()?;
        let fits = |p: &str| {
            !p.is_empty() && !p.contains(['/', ',', ' ']) && !p.contains(char::is_control)
        };
        (fits(region) && fits(service)).then_some((region, service))
    }

    /// The prepared key of `algorithm` for this signer's credentials.
    pub(crate) fn key(&self, algorithm: Algorithm) -> Result<&SigningKey, SignError> {
        self.keys.get(algorithm, &self.credentials)
    }

    #[cfg(feature = "vectors")]
    /// Does `signature` verify as the signature of what `signed` signed? (The
    /// elliptic-curve signatures differ from one signing to the next.)
    pub(crate) fn verifies(&self, signed: &Signed<'_>, signature: &str) -> bool {
        let sts = &signed.buf.string_to_sign;
        self.key(self.algorithm)
            .is_ok_and(|key| key.verify(sts, text(&sts[signed.buf.scope.clone()]), signature))
    }

    /// Signs an `http::Request` at time `at`: adds `X-Sdk-Date` (unless the request has one,
    /// which is then used), `Host` (unless present), `X-Security-Token` (temporary
    /// credentials), `X-Sdk-Content-Sha256` (when the body is not hashed) and
    /// `Authorization` (marked sensitive), and rewrites the query into its canonical form
    /// so that what is sent is what was signed.
    ///
    /// This is [`Signer::sign_head_at`] with the body as the payload: it is hashed when the
    /// signature covers it.
    ///
    /// On error the request is left exactly as it was.
    pub fn sign_at<B: AsRef<[u8]>>(
        &self,
        req: &mut http::Request<B>,
        at: DateTime<Utc>,
    ) -> Result<(), SignError> {
        let date = SdkDate::from_datetime(at)?;
        with_buffer(|buf| {
            let signed = self.sign_into(&SignableRequest::from_http(req), date, buf)?;
            let edit = signed.http_edit(req.uri())?;
            if let Some(uri) = edit.apply(req.headers_mut()) {
                *req.uri_mut() = uri;
            }
            Ok(())
        })
    }

    /// Signs a request head (`http::request::Parts`) at time `at`, for a body that is not
    /// in memory (a streaming upload): `payload` stands for the body, usually
    /// [`Payload::Sha256Hex`] with the hex hash of the body the caller will send (SHA-256,
    /// or SM3 for the SM3 algorithms), or [`Payload::Unsigned`]; [`Payload::from_hash`]
    /// reads either from text. The head gets the headers and query of
    /// [`Signer::sign_at`]: with the body's real hash, exactly those `sign_at` gives the
    /// whole request (docs/SIGNING.md §1.7).
    ///
    /// A hash that is not 64 lower-case hex digits is refused with
    /// [`SignError::InvalidPayloadHash`]; on any error the head is left exactly as it was.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use huaweicloud_aksk::{Credentials, Payload, Signer};
    ///
    /// let signer = Signer::new(Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST"));
    /// let at = Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap();
    /// let (mut head, _body) = http::Request::put("https://obs.example.com/bucket/video.mp4")
    ///     .header("Content-Type", "application/json")
    ///     .body(())?
    ///     .into_parts();
    /// // The SHA-256 of the body, computed while it was written to disk, say.
    /// let hash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    /// signer.sign_head_at(&mut head, Payload::from_hash(hash)?, at)?;
    /// assert!(head.headers["authorization"].is_sensitive());
    ///
    /// // Or leave the body out of the signature.
    /// let (mut head, _body) = http::Request::put("https://obs.example.com/bucket/video.mp4")
    ///     .body(())?
    ///     .into_parts();
    /// signer.sign_head_at(&mut head, Payload::Unsigned, at)?;
    /// assert_eq!(head.headers["x-sdk-content-sha256"], "UNSIGNED-PAYLOAD");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign_head_at(
        &self,
        head: &mut http::request::Parts,
        payload: Payload<'_>,
        at: DateTime<Utc>,
    ) -> Result<(), SignError> {
        let date = SdkDate::from_datetime(at)?;
        with_buffer(|buf| {
            let view = SignableRequest::from_http_parts(head).with_payload(payload);
            let edit = self.sign_into(&view, date, buf)?.http_edit(&head.uri)?;
            if let Some(uri) = edit.apply(&mut head.headers) {
                head.uri = uri;
            }
            Ok(())
        })
    }

    /// Signs a request head at the current time; see [`Signer::sign_head_at`] (and
    /// [`Signer::sign`] for where the time comes from).
    pub fn sign_head(
        &self,
        head: &mut http::request::Parts,
        payload: Payload<'_>,
    ) -> Result<(), SignError> {
        self.sign_head_at(head, payload, Utc::now())
    }

    /// Signs an `http::Request` at the current time; see [`Signer::sign_at`].
    ///
    /// The time comes from the system clock. On wasm32-unknown-unknown there is none: there,
    /// without the `wasm-clock` feature (which reads JavaScript's `Date.now()`), this panics
    /// and the module traps. Without that feature, call [`Signer::sign_at`] or
    /// [`Signer::sign_into`] with a time from the host, e.g. `js_sys::Date::now()`.
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

thread_local! {
    static BUFFER: RefCell<SigningBuffer> = RefCell::new(SigningBuffer::new());
}

/// Runs `f` with this thread's signing buffer, or with a new one when that is already in use
/// (a signature begun while another is under way on this thread, from a body's `AsRef`, say).
fn with_buffer<T>(f: impl FnOnce(&mut SigningBuffer) -> T) -> T {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => f(&mut buf),
        Err(_) => f(&mut SigningBuffer::new()),
    })
}

/// Caller-owned working memory for [`Signer::sign_into`]; reuse it across requests.
#[derive(Clone)]
pub struct SigningBuffer {
    scratch: Scratch,
    canonical: Vec<u8>,
    string_to_sign: Vec<u8>,
    payload_hex: [u8; 64],
    signature: HexSignature,
    /// Where the credential scope is in `string_to_sign` (empty when not scoped).
    scope: Range<usize>,
    authorization: String,
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
            signature: HexSignature::EMPTY,
            scope: 0..0,
            authorization: String::with_capacity(160),
            layout: Layout::default(),
        }
    }
}

/// A signed request: the intermediate values and the headers to add, borrowed from the
/// [`SigningBuffer`] they were written to.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'b> {
    buf: &'b SigningBuffer,
    date: SdkDate,
    scheme: &'static Scheme,
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

    /// The URL to send, given the URL that was signed: its scheme, authority and path as
    /// written (an empty path is `/`), with the canonical query in place of its query, so
    /// that what is sent is what was signed.
    ///
    /// ```
    /// use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};
    ///
    /// let url = "https://example.com/v1/x?b=2&a=1";
    /// let signer = Signer::new(Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST"));
    /// let mut buf = SigningBuffer::new();
    /// let signed = signer.sign_into(&SignableRequest::new("GET", url)?, SdkDate::parse("20261128T043500Z")?, &mut buf)?;
    /// assert_eq!(signed.url_to_send(url), "https://example.com/v1/x?a=1&b=2");
    /// # Ok::<(), huaweicloud_aksk::SignError>(())
    /// ```
    pub fn url_to_send(&self, url: &str) -> String {
        let base = url.split_once(['?', '#']).map_or(url, |(base, _)| base);
        let has_path = base
            .split_once("://")
            .is_some_and(|(_, rest)| rest.contains('/'));
        let query = self.canonical_query();
        let mut out = String::with_capacity(base.len() + 2 + query.len());
        out.push_str(base);
        if !has_path && base.contains("://") {
            out.push('/');
        }
        if !query.is_empty() {
            out.push('?');
            out.push_str(query);
        }
        out
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
        self.buf.signature.as_str()
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &'b str {
        &self.buf.authorization
    }

    /// The signing date (`X-Sdk-Date`).
    pub fn date(&self) -> SdkDate {
        self.date
    }

    /// The headers the caller must add to the request before sending it, in this order:
    /// those the signer added to the canonical request (`X-Sdk-Date`, `Host`,
    /// `X-Security-Token`, `X-Sdk-Content-Sha256`, when absent from the request), then
    /// `Authorization`.
    pub fn headers_to_add(&self) -> impl Iterator<Item = (&'static str, &'b str)> + 'b {
        let buf = self.buf;
        let content = self.scheme.content_header_name;
        self.added()
            .map(move |(what, value)| {
                let name = match what {
                    Added::Host => "Host",
                    Added::Date => "X-Sdk-Date",
                    Added::SecurityToken => "X-Security-Token",
                    Added::Content => content,
                };
                (name, value)
            })
            .chain(std::iter::once((
                "Authorization",
                buf.authorization.as_str(),
            )))
    }

    /// The headers the signer added to the canonical request, with their values.
    fn added(&self) -> impl Iterator<Item = (Added, &'b str)> + 'b {
        let buf = self.buf;
        buf.layout.added[..buf.layout.added_len]
            .iter()
            .flatten()
            .map(move |(what, range)| (*what, buf.scratch.str(range.clone())))
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
    // Inlined into its caller with `apply`: the edit (five header slots and a URI, some
    // 450 bytes) is then built in place instead of copied on each return
    // (benches/README.md, `sign_http`).
    #[inline(always)]
    fn http_edit(&self, uri: &http::Uri) -> Result<HttpEdit, SignError> {
        let mut edit = HttpEdit {
            headers: Default::default(),
            len: 0,
            uri: None,
        };
        let value = |name: &str, value: &str| {
            HeaderValue::from_str(value).map_err(|_| SignError::InvalidHeaderValue {
                name: name.to_owned(),
                reason: "cannot be sent as a header value",
            })
        };
        for (what, v) in self.added() {
            let header = match what {
                Added::Host => (HOST, value("Host", v)?),
                Added::Date => (X_SDK_DATE, value("X-Sdk-Date", v)?),
                Added::SecurityToken => {
                    let mut token = value("X-Security-Token", v)?;
                    token.set_sensitive(true);
                    (X_SECURITY_TOKEN, token)
                }
                Added::Content => (
                    HeaderName::from_static(self.scheme.content_header),
                    value(self.scheme.content_header_name, v)?,
                ),
            };
            edit.push(header);
        }
        let mut authorization = value("Authorization", self.authorization())?;
        authorization.set_sensitive(true);
        edit.push((AUTHORIZATION, authorization));

        let canonical_query = self.canonical_query();
        let already = match uri.query() {
            Some(query) => !query.is_empty() && query == canonical_query,
            None => canonical_query.is_empty(),
        };
        if !already {
            let unsendable = SignError::InvalidUri {
                reason: "canonical query cannot be sent",
            };
            let mut pq = String::with_capacity(uri.path().len() + 1 + canonical_query.len());
            pq.push_str(uri.path());
            if !canonical_query.is_empty() {
                pq.push('?');
                pq.push_str(canonical_query);
            }
            let mut parts = uri.clone().into_parts();
            parts.path_and_query =
                Some(http::uri::PathAndQuery::try_from(pq).map_err(|_| unsendable.clone())?);
            edit.uri = Some(http::Uri::from_parts(parts).map_err(|_| unsendable)?);
        }
        Ok(edit)
    }
}

// Checked when compiled: `from_static` called at run time checks the name on every call.
const X_SDK_DATE: HeaderName = HeaderName::from_static("x-sdk-date");
const X_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-security-token");

/// What signing changes on an `http::Request`: at most the four headers the signer adds,
/// `Authorization`, and the URI when its query is not the canonical one.
struct HttpEdit {
    headers: [Option<(HeaderName, HeaderValue)>; 5],
    len: usize,
    uri: Option<http::Uri>,
}

impl HttpEdit {
    fn push(&mut self, header: (HeaderName, HeaderValue)) {
        self.headers[self.len] = Some(header);
        self.len += 1;
    }

    /// Adds the headers; gives the URI to send, when it changes.
    #[must_use]
    #[inline(always)]
    fn apply(self, headers: &mut http::HeaderMap) -> Option<http::Uri> {
        // One growth of the map rather than one per insertion.
        headers.reserve(self.len);
        for (name, value) in self.headers.into_iter().flatten() {
            headers.insert(name, value);
        }
        self.uri
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
