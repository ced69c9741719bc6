//! Checks signatures the way the API gateway does: strict `Authorization` parsing, clock
//! skew, the canonical request rebuilt from the wire form, constant-time comparison.
//!
//! The verifier is sans-IO, like the signer: it is given a request (a borrowed
//! [`SignableRequest`] or an [`http::Request`][http-request]), the current time, and a way to
//! find the secret key of an access key ([`SecretKeys`]); it reads no clock and opens
//! nothing.
//!
//! [http-request]: https://docs.rs/http/1/http/request/struct.Request.html
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use huaweicloud_aksk::verify::{KeySet, Verifier};
//! use huaweicloud_aksk::{Credentials, Signer};
//!
//! let credentials = Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST");
//! let at = Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap();
//!
//! // A client signs...
//! let mut req = http::Request::delete("http://127.0.0.1:8080/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211")
//!     .header("X-Project-Id", "0123456789abcdef0123456789abcdef")
//!     .body(Vec::new())?;
//! Signer::new(credentials.clone()).sign_at(&mut req, at)?;
//!
//! // ...and the server checks, two minutes later by its clock.
//! let verifier = Verifier::new(KeySet::from_iter([credentials]));
//! let verified = verifier.verify_http(&req, at + chrono::TimeDelta::minutes(2))?;
//! assert_eq!(verified.access_key(), "HWCEXAMPLEAK0123TEST");
//! assert!(verified.payload_signed());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is accepted
//! Any choice of signed headers, as long as `x-sdk-date` is one of them: the official
//! Python SDK signs `content-type;host;user-agent;x-project-id;x-sdk-date`, Go signs neither
//! `host` nor `content-type`, Node signs names with `_`. The canonical request is rebuilt
//! with the rules of [`Signer`] from exactly the headers named in `SignedHeaders`.
//!
//! `X-Sdk-Content-Sha256` must be signed when present. Its value is the payload hash; a hex
//! hash must be the hash of the body. `UNSIGNED-PAYLOAD` leaves the body out of the
//! signature: such a request is refused unless its body is empty, or the verifier was told
//! to accept it ([`Verifier::with_unsigned_payload`]; then see
//! [`Verified::payload_signed`]). The official Python SDK signs `UNSIGNED-PAYLOAD`
//! requests with an empty body over the empty body's hash instead: when the body is empty,
//! that is tried too.

mod authorization;
mod error;

use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasherDefault;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use authorization::Authorization;
pub use error::VerifyError;

use crate::sign::algorithm::Scheme;
use crate::sign::canonical::{self, Content, Known, Listed, Mode, Scratch, UNSIGNED_PAYLOAD, text};
use crate::sign::credentials::Credentials;
use crate::sign::date::SdkDate;
use crate::sign::request::{Headers, Payload, SignableRequest};
use crate::sign::signer::Signer;

/// The largest difference between `X-Sdk-Date` and the verifier's clock that the gateway
/// accepts: 15 minutes.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// Finds the secret key of an access key, as a [`Signer`]: it keeps a key prepared from the
/// credentials for each algorithm, prepared the first time a request of that algorithm
/// comes (its own when it is built), so that a verification costs the hashes and the
/// signature check only.
///
/// Implemented by [`KeySet`], by maps from access keys to signers, by a single [`Signer`]
/// (which knows only its own access key), and through references, `Box` and `Arc`.
pub trait SecretKeys {
    /// The signer of `access_key`, or `None` when the access key is unknown.
    fn signer(&self, access_key: &str) -> Option<&Signer>;
}

impl<T: SecretKeys + ?Sized> SecretKeys for &T {
    fn signer(&self, access_key: &str) -> Option<&Signer> {
        (**self).signer(access_key)
    }
}

impl<T: SecretKeys + ?Sized> SecretKeys for Box<T> {
    fn signer(&self, access_key: &str) -> Option<&Signer> {
        (**self).signer(access_key)
    }
}

impl<T: SecretKeys + ?Sized> SecretKeys for Arc<T> {
    fn signer(&self, access_key: &str) -> Option<&Signer> {
        (**self).signer(access_key)
    }
}

impl SecretKeys for Signer {
    fn signer(&self, access_key: &str) -> Option<&Signer> {
        (self.credentials().access_key() == access_key).then_some(self)
    }
}

impl<S: Borrow<str> + std::hash::Hash + Eq, H: std::hash::BuildHasher> SecretKeys
    for HashMap<S, Signer, H>
{
    fn signer(&self, access_key: &str) -> Option<&Signer> {
        self.get(access_key)
    }
}

impl<S: Borrow<str> + Ord> SecretKeys for BTreeMap<S, Signer> {
    fn signer(&self, access_key: &str) -> Option<&Signer> {
        self.get(access_key)
    }
}

/// A set of credentials, each kept as a prepared [`Signer`] and looked up by access key.
///
/// ```
/// use huaweicloud_aksk::Credentials;
/// use huaweicloud_aksk::verify::{KeySet, SecretKeys};
///
/// let mut keys = KeySet::new();
/// keys.insert(Credentials::new("AK1", "secret one"));
/// assert!(keys.signer("AK1").is_some());
/// assert!(keys.signer("AK2").is_none());
/// // Debug output shows access keys only.
/// assert!(!format!("{keys:?}").contains("secret"));
/// ```
#[derive(Clone, Default)]
pub struct KeySet {
    signers: HashMap<Box<str>, Signer, BuildHasherDefault<AccessKeyHasher>>,
}

/// A multiply-rotate hash over 8 bytes at a time (the scheme of rustc's `FxHasher`), for
/// looking access keys up: a multiply per 8 bytes where SipHash runs several rounds and
/// FNV-1a multiplies per byte. Flooding a hash table needs
/// control of the keys *inserted*, which here are the operator's; a request only chooses
/// the key looked up, which costs one probe sequence whatever it is.
#[derive(Clone, Copy, Default)]
struct AccessKeyHasher(u64);

impl AccessKeyHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for AccessKeyHasher {
    #[inline]
    fn finish(&self) -> u64 {
        // The multiplications mix upwards; the table indexes with the low bits.
        self.0.rotate_left(26)
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            self.add(u64::from_le_bytes(w));
        }
        let tail = words.remainder();
        if tail.is_empty() {
            return;
        }
        let mut w = [0u8; 8];
        if bytes.len() >= 8 {
            // The last 8 bytes, overlapping the previous word: one load rather than a
            // copy of a variable length.
            w.copy_from_slice(&bytes[bytes.len() - 8..]);
        } else {
            w[..tail.len()].copy_from_slice(tail);
        }
        self.add(u64::from_le_bytes(w) ^ ((tail.len() as u64) << 59));
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
}

impl KeySet {
    /// An empty set.
    pub fn new() -> Self {
        KeySet::default()
    }

    /// Adds credentials (replacing those of the same access key, which are returned).
    pub fn insert(&mut self, credentials: Credentials) -> Option<Signer> {
        let ak: Box<str> = credentials.access_key().into();
        self.signers.insert(ak, Signer::new(credentials))
    }

    /// Removes the credentials of `access_key`.
    pub fn remove(&mut self, access_key: &str) -> Option<Signer> {
        self.signers.remove(access_key)
    }

    /// The number of access keys.
    pub fn len(&self) -> usize {
        self.signers.len()
    }

    /// Is the set empty?
    pub fn is_empty(&self) -> bool {
        self.signers.is_empty()
    }

    /// The access keys, in no particular order.
    pub fn access_keys(&self) -> impl Iterator<Item = &str> {
        self.signers.keys().map(|k| &**k)
    }
}

impl SecretKeys for KeySet {
    fn signer(&self, access_key: &str) -> Option<&Signer> {
        self.signers.get(access_key)
    }
}

impl FromIterator<Credentials> for KeySet {
    fn from_iter<I: IntoIterator<Item = Credentials>>(iter: I) -> Self {
        let mut keys = KeySet::new();
        for credentials in iter {
            keys.insert(credentials);
        }
        keys
    }
}

impl Extend<Credentials> for KeySet {
    fn extend<I: IntoIterator<Item = Credentials>>(&mut self, iter: I) {
        for credentials in iter {
            self.insert(credentials);
        }
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<&str> = self.access_keys().collect();
        keys.sort_unstable();
        f.debug_struct("KeySet")
            .field("access_keys", &keys)
            .finish()
    }
}

/// Checks signatures (every algorithm of [`crate::Algorithm`] this build has) against a set
/// of secret keys.
///
/// Share one verifier between threads: it is `Send + Sync` when its key store is, and
/// verifying takes `&self`.
#[derive(Debug, Clone)]
pub struct Verifier<K> {
    keys: K,
    max_skew: Duration,
    unsigned_payload: UnsignedPayload,
}

/// What a [`Verifier`] does with a request whose signature does not cover its body
/// (`X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`, or [`Payload::Unsigned`] given to the
/// verifier).
///
/// Anyone who saw such a request can send it again with another body, and the signature
/// still checks out. So by default the verifier refuses it, unless the body it was given is
/// empty: a request without a body carries no unsigned data to act upon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UnsignedPayload {
    /// Refuse a request whose non-empty (or not given) body the signature does not cover,
    /// with [`VerifyError::UnsignedPayload`]. The default.
    #[default]
    Refuse,
    /// Accept it: [`Verified::payload_signed`] is then `false`, and the handler must not
    /// trust the body (for an upload, check it by other means).
    Accept,
}

impl<K: SecretKeys> Verifier<K> {
    /// A verifier over `keys`, allowing a clock skew of [`DEFAULT_MAX_SKEW`] (15 minutes).
    pub fn new(keys: K) -> Self {
        Verifier {
            keys,
            max_skew: DEFAULT_MAX_SKEW,
            unsigned_payload: UnsignedPayload::Refuse,
        }
    }

    /// Allows `X-Sdk-Date` to be at most `max_skew` away from the verifier's clock, in
    /// either direction.
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }

    /// The allowed clock skew.
    pub fn max_skew(&self) -> Duration {
        self.max_skew
    }

    /// Accepts or refuses requests whose signature does not cover a non-empty body
    /// ([`UnsignedPayload::Refuse`] by default).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use huaweicloud_aksk::verify::{UnsignedPayload, Verifier, VerifyError};
    /// use huaweicloud_aksk::{Credentials, Signer};
    ///
    /// let signer = Signer::new(Credentials::new("AK", "SK"));
    /// let at = Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap();
    /// // A text/plain body is signed as UNSIGNED-PAYLOAD (docs/SIGNING.md §1.7)...
    /// let mut req = huaweicloud_aksk::http::Request::post("http://127.0.0.1:8080/v1/p/notes")
    ///     .header("Content-Type", "text/plain")
    ///     .body(b"hello".to_vec())?;
    /// signer.sign_at(&mut req, at)?;
    /// // ...so anyone could change it on the way.
    /// *req.body_mut() = b"tampered".to_vec();
    ///
    /// let verifier = Verifier::new(&signer);
    /// assert_eq!(verifier.verify_http(&req, at), Err(VerifyError::UnsignedPayload));
    ///
    /// let verifier = verifier.with_unsigned_payload(UnsignedPayload::Accept);
    /// assert!(!verifier.verify_http(&req, at)?.payload_signed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_unsigned_payload(mut self, unsigned_payload: UnsignedPayload) -> Self {
        self.unsigned_payload = unsigned_payload;
        self
    }

    /// What the verifier does with a body the signature does not cover.
    pub fn unsigned_payload(&self) -> UnsignedPayload {
        self.unsigned_payload
    }

    /// The key store.
    pub fn keys(&self) -> &K {
        &self.keys
    }

    /// The key store, to change it.
    pub fn keys_mut(&mut self) -> &mut K {
        &mut self.keys
    }

    /// Checks the signature of `req` at time `now`.
    ///
    /// `req` is the request as received: the method, the path and query exactly as on the
    /// wire (still percent-encoded), the headers (with `Host`), and the body
    /// ([`Payload::Bytes`]). Working memory is a per-thread buffer; see
    /// [`Verifier::verify_with`] for a caller-owned one.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use huaweicloud_aksk::verify::Verifier;
    /// use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};
    ///
    /// let signer = Signer::new(Credentials::new("AK", "SK"));
    /// let url = "/v1/p/remux/task?task_id=1";
    /// let unsigned = [("Host", "127.0.0.1:8080")];
    /// let mut buf = SigningBuffer::new();
    /// let date = SdkDate::parse("20261128T043500Z")?;
    /// let signed = signer.sign_into(&SignableRequest::new("DELETE", url)?.with_headers(&unsigned), date, &mut buf)?;
    /// let headers = [
    ///     ("Host", "127.0.0.1:8080"),
    ///     ("X-Sdk-Date", "20261128T043500Z"),
    ///     ("Authorization", signed.authorization()),
    /// ];
    ///
    /// let verifier = Verifier::new(signer);
    /// let req = SignableRequest::new("DELETE", url)?.with_headers(&headers);
    /// let now = Utc.with_ymd_and_hms(2026, 11, 28, 4, 40, 0).unwrap();
    /// assert!(verifier.verify(&req, now).is_ok());
    /// // Twenty minutes later, the same request has expired.
    /// let later = Utc.with_ymd_and_hms(2026, 11, 28, 4, 55, 1).unwrap();
    /// assert!(verifier.verify(&req, later).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify<'a>(
        &self,
        req: &SignableRequest<'a>,
        now: DateTime<Utc>,
    ) -> Result<Verified<'a>, VerifyError> {
        BUFFER.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buf) => self.verify_with(req, now, &mut buf),
            Err(_) => self.verify_with(req, now, &mut VerifyBuffer::new()),
        })
    }

    /// Checks the signature of an `http::Request` as received, at time `now`; the body is
    /// hashed. The `Host` header is used, or else the URI's authority (HTTP/2).
    pub fn verify_http<'a, B: AsRef<[u8]>>(
        &self,
        req: &'a http::Request<B>,
        now: DateTime<Utc>,
    ) -> Result<Verified<'a>, VerifyError> {
        self.verify(&SignableRequest::from_http(req), now)
    }

    /// [`Verifier::verify`] with caller-owned working memory: once `buf` has grown, a
    /// verification allocates nothing (except to describe an error).
    pub fn verify_with<'a>(
        &self,
        req: &SignableRequest<'a>,
        now: DateTime<Utc>,
        buf: &mut VerifyBuffer,
    ) -> Result<Verified<'a>, VerifyError> {
        let found = scan(req.headers)?;
        let mut listed = Listed::default();
        let auth = Authorization::parse_listed(
            found
                .authorization
                .ok_or(VerifyError::MissingAuthorization)?,
            &mut listed,
        )?;

        if found.dates == 0 {
            return Err(VerifyError::MissingDate);
        }
        if !auth.signs_date() {
            return Err(VerifyError::DateNotSigned);
        }
        let (date, timestamp) = match (found.date, found.dates) {
            (Some(value), 1) => SdkDate::parse_with_timestamp(canonical::trim(value))
                .map_err(|_| VerifyError::InvalidDate)?,
            _ => return Err(VerifyError::InvalidDate),
        };
        self.check_skew(date, timestamp, now)?;

        let signer =
            self.keys
                .signer(auth.access_key())
                .ok_or_else(|| VerifyError::UnknownAccessKey {
                    access_key: error::echo(auth.access_key()),
                })?;

        // The signer keeps a prepared key per algorithm: its own, and any other the first
        // time a request of that algorithm comes for these credentials.
        let algorithm = auth.algorithm();
        let scheme = algorithm
            .scheme()
            .map_err(|_| VerifyError::UnsupportedAlgorithm {
                algorithm: algorithm.name().to_owned(),
            })?;
        let scope = match auth.credential_scope() {
            Some(scope) => {
                let (day, region, service) = authorization::scope_parts(scope);
                if day.as_bytes() != &date.as_bytes()[..8] {
                    return Err(VerifyError::MalformedAuthorization {
                        reason: "the credential scope's date is not the X-Sdk-Date's",
                    });
                }
                Some((region, service))
            }
            None => None,
        };
        // Over HTTP/2 the host is the URI's authority, not a header: it is added after
        // the others, so `Authorization` keeps its position.
        let with_host: Vec<(&str, &str)>;
        let mut req = *req;
        if !found.host && auth.signs_host() {
            if let Some(authority) = req.authority.filter(|a| !a.is_empty()) {
                with_host = pairs_with_host(req.headers, authority)?;
                req.headers = Headers::Pairs(&with_host);
            }
        }

        let signed_headers = auth.signed_headers_str();
        let skip = found
            .authorization_at
            .filter(|_| !auth.signs_authorization());
        let (layout, content) = canonical::build(
            &req,
            Mode::Verify {
                listed: &listed,
                skip,
            },
            scheme,
            &mut buf.scratch,
            &mut buf.canonical,
            &mut buf.payload_hex,
        )
        .map_err(VerifyError::InvalidRequest)?;
        let content = check_content_hash(content, req.payload, scheme, &mut buf.payload_hex)?;
        if let Some(slot) = layout.missing {
            let name = auth
                .signed_headers()
                .nth(slot)
                .expect("the missing name's position is within the list");
            return Err(VerifyError::MissingSignedHeader {
                name: name.to_owned(),
            });
        }

        // A key that cannot be derived (for an elliptic curve, about 2^-8160 likely)
        // verifies nothing.
        let key = signer.key(algorithm).ok();
        let check = |buf: &mut VerifyBuffer| {
            let scope =
                scheme.write_string_to_sign(&buf.canonical, date, scope, &mut buf.string_to_sign);
            key.is_some_and(|key| {
                key.verify(
                    &buf.string_to_sign,
                    text(&buf.string_to_sign[scope]),
                    auth.signature(),
                )
            })
        };
        let mut payload_signed = content != Coverage::Unsigned;
        let mut matches = check(buf);
        if !matches && content == Coverage::Unsigned && matches!(req.payload, Payload::Bytes([])) {
            // The official Python SDK signs the empty body's hash despite UNSIGNED-PAYLOAD.
            if let Some(kept) = buf
                .canonical
                .strip_suffix(UNSIGNED_PAYLOAD.as_bytes())
                .map(<[u8]>::len)
            {
                buf.canonical.truncate(kept);
                buf.canonical
                    .extend_from_slice(scheme.hash.empty_hex().as_bytes());
                matches = check(buf);
                // Keep the canonical request as received, for the mismatch answer.
                buf.canonical.truncate(kept);
                buf.canonical.extend_from_slice(UNSIGNED_PAYLOAD.as_bytes());
            }
            payload_signed = true;
        }
        if !matches {
            return Err(VerifyError::SignatureMismatch {
                signed_headers: signed_headers.to_owned(),
                canonical_request: crate::sign::redact::canonical(text(&buf.canonical)).to_string(),
            });
        }
        // Checked once the signature is known good, so that a forged request is still
        // answered as a mismatch.
        if !payload_signed
            && self.unsigned_payload == UnsignedPayload::Refuse
            && !matches!(req.payload, Payload::Bytes([]))
        {
            return Err(VerifyError::UnsignedPayload);
        }
        Ok(Verified {
            access_key: auth.access_key(),
            signed_headers,
            date,
            payload_signed,
        })
    }

    /// `timestamp`: `date`'s [`SdkDate::unix_timestamp`].
    fn check_skew(
        &self,
        date: SdkDate,
        timestamp: i64,
        now: DateTime<Utc>,
    ) -> Result<(), VerifyError> {
        // In nanoseconds, from the digits of the date: exact, and no calendar arithmetic.
        let skew = (i128::from(now.timestamp()) - i128::from(timestamp)) * 1_000_000_000
            + i128::from(now.timestamp_subsec_nanos());
        if skew.unsigned_abs() > self.max_skew.as_nanos() {
            return Err(VerifyError::Expired {
                signature_time: date,
                server_time: now,
            });
        }
        Ok(())
    }
}

/// A request whose signature checked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified<'a> {
    access_key: &'a str,
    signed_headers: &'a str,
    date: SdkDate,
    payload_signed: bool,
}

impl<'a> Verified<'a> {
    /// The access key that signed the request.
    pub fn access_key(&self) -> &'a str {
        self.access_key
    }

    /// The signed header names, lower case, joined by `;`.
    pub fn signed_headers(&self) -> &'a str {
        self.signed_headers
    }

    /// The signing time (`X-Sdk-Date`).
    pub fn date(&self) -> SdkDate {
        self.date
    }

    /// Does the signature cover the body? `false` when the request was signed with
    /// `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (unless the Python SDK's empty-body form,
    /// which covers the empty body), or the caller gave [`Payload::Unsigned`]: anyone who saw
    /// the request could then change its body. Such a request verifies only with an empty
    /// body, or under [`UnsignedPayload::Accept`].
    pub fn payload_signed(&self) -> bool {
        self.payload_signed
    }
}

/// Caller-owned working memory for [`Verifier::verify_with`]; reuse it across requests.
#[derive(Clone)]
pub struct VerifyBuffer {
    scratch: Scratch,
    canonical: Vec<u8>,
    string_to_sign: Vec<u8>,
    payload_hex: [u8; 64],
}

impl fmt::Debug for VerifyBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The canonical request and the scratch bytes may hold a security token: show the
        // former redacted, and not the latter.
        f.debug_struct("VerifyBuffer")
            .field(
                "canonical",
                &crate::sign::redact::canonical(text(&self.canonical)),
            )
            .field("string_to_sign", &text(&self.string_to_sign))
            .finish_non_exhaustive()
    }
}

impl Default for VerifyBuffer {
    fn default() -> Self {
        VerifyBuffer::new()
    }
}

impl VerifyBuffer {
    /// An empty buffer, sized for typical requests.
    pub fn new() -> Self {
        VerifyBuffer {
            scratch: Scratch::default(),
            canonical: Vec::with_capacity(512),
            string_to_sign: Vec::with_capacity(128),
            payload_hex: [b'0'; 64],
        }
    }

    /// The canonical request of the last verification (security token included: keep it
    /// out of logs).
    pub fn canonical_request(&self) -> &str {
        text(&self.canonical)
    }
}

thread_local! {
    static BUFFER: RefCell<VerifyBuffer> = RefCell::new(VerifyBuffer::new());
}

/// What one pass over the headers found.
#[derive(Default)]
struct Found<'a> {
    authorization: Option<&'a str>,
    /// The position of the `Authorization` header among the request's headers.
    authorization_at: Option<usize>,
    date: Option<&'a str>,
    dates: usize,
    host: bool,
}

/// One pass over the headers, converting to `str` only the values it wants.
fn scan<'a>(headers: Headers<'a>) -> Result<Found<'a>, VerifyError> {
    let mut found = Found::default();
    let mut authorizations = 0;
    let mut authorization_utf8 = true;
    let mut take = |i: usize, known: Known, value: Option<&'a str>| match known {
        Known::Host => found.host = true,
        Known::Authorization => {
            authorizations += 1;
            authorization_utf8 &= value.is_some();
            found.authorization = value;
            found.authorization_at = Some(i);
        }
        Known::Date => {
            found.dates += 1;
            if found.date.is_none() {
                found.date = value;
            }
        }
        Known::ContentType | Known::SecurityToken => {}
    };
    match headers {
        Headers::Pairs(pairs) => {
            for (i, &(name, value)) in pairs.iter().enumerate() {
                if let Some(known) = Known::of(name.as_bytes(), false) {
                    take(i, known, Some(value));
                }
            }
        }
        Headers::Map(map) => {
            for (i, (name, value)) in map.iter().enumerate() {
                let known = Known::of(name.as_str().as_bytes(), true);
                // Only the values used are converted.
                if let Some(known) =
                    known.filter(|k| !matches!(k, Known::ContentType | Known::SecurityToken))
                {
                    take(i, known, std::str::from_utf8(value.as_bytes()).ok());
                }
            }
        }
    }
    if authorizations > 1 {
        return Err(VerifyError::MalformedAuthorization {
            reason: "more than one Authorization header",
        });
    }
    if !authorization_utf8 {
        return Err(VerifyError::MalformedAuthorization {
            reason: "not UTF-8",
        });
    }
    Ok(found)
}

/// How the payload enters the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coverage {
    /// The body's hash (computed here, or given by the caller or a checked header).
    Hashed,
    /// `UNSIGNED-PAYLOAD`, or a body the caller does not have.
    Unsigned,
}

/// Checks the algorithm's content-hash header: signed if present, given once, and when it
/// is a hash, the body's.
fn check_content_hash(
    content: Content<'_>,
    payload: Payload<'_>,
    scheme: &Scheme,
    hex_buf: &mut [u8; 64],
) -> Result<Coverage, VerifyError> {
    let content_error = |reason| VerifyError::ContentHash { reason };
    if content.count == 0 {
        return Ok(if matches!(payload, Payload::Unsigned) {
            Coverage::Unsigned
        } else {
            Coverage::Hashed
        });
    }
    let Some(value) = content.signed else {
        return Err(content_error("is present but not signed"));
    };
    if content.count > 1 {
        return Err(content_error("is given more than once"));
    }
    // An empty value states no hash: the body's hash is in the canonical request.
    if content.stated().is_none() {
        return Ok(if matches!(payload, Payload::Unsigned) {
            Coverage::Unsigned
        } else {
            Coverage::Hashed
        });
    }
    if value == UNSIGNED_PAYLOAD {
        return Ok(Coverage::Unsigned);
    }
    let body_hex: &[u8] = match payload {
        Payload::Bytes(body) => {
            *hex_buf = crate::sign::crypto::hex32(&scheme.hash.digest(body));
            &hex_buf[..]
        }
        Payload::Sha256Hex(hex) => hex.as_bytes(),
        Payload::Unsigned => return Ok(Coverage::Unsigned),
    };
    if value.len() != 64 || !value.as_bytes().eq_ignore_ascii_case(body_hex) {
        return Err(content_error("does not match the body"));
    }
    Ok(Coverage::Hashed)
}

/// The headers of `headers` in their order, plus `Host: authority` last, as pairs. A value
/// that is not UTF-8 is refused, as it is in a map.
fn pairs_with_host<'a>(
    headers: Headers<'a>,
    authority: &'a str,
) -> Result<Vec<(&'a str, &'a str)>, VerifyError> {
    let mut pairs: Vec<(&str, &str)> = match headers {
        Headers::Pairs(pairs) => pairs.to_vec(),
        Headers::Map(map) => map
            .iter()
            .map(|(n, v)| Ok((n.as_str(), canonical::map_value_received(n.as_str(), v)?)))
            .collect::<Result<_, _>>()
            .map_err(VerifyError::InvalidRequest)?,
    };
    pairs.push(("host", authority));
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Verifier<KeySet>>();
        assert_send_sync::<VerifyBuffer>();
    }

    #[test]
    fn a_key_set_finds_each_of_many_access_keys_and_no_other() {
        let mut keys: KeySet = (0..1000)
            .map(|i| Credentials::new(format!("AK{i:04}"), format!("secret {i}")))
            .collect();
        assert_eq!(keys.len(), 1000);
        for i in 0..1000 {
            let ak = format!("AK{i:04}");
            assert_eq!(
                keys.signer(&ak).map(|s| s.credentials().access_key()),
                Some(ak.as_str())
            );
        }
        for unknown in ["AK1000", "ak0001", "", "AK000", "AK00001"] {
            assert!(keys.signer(unknown).is_none(), "{unknown}");
        }
        assert!(keys.remove("AK0500").is_some());
        assert!(keys.signer("AK0500").is_none());
        assert!(keys.signer("AK0501").is_some());
    }
}
