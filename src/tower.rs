//! Tower middleware (feature `tower`): [`VerifyLayer`] checks the AK/SK signature of every
//! request a server receives (axum, hyper, tonic), [`SignLayer`] signs every request a
//! client sends (hyper-util's client, or any tower `Service`).
//!
//! Both are thin: the verifier is [`Verifier`], the signer [`Signer`], shared through an
//! `Arc`; the layers only read bodies, read the clock and turn refusals into answers.
//!
//! ```
//! use std::sync::Arc;
//! use huaweicloud_aksk::tower::{SignLayer, VerifyLayer};
//! use huaweicloud_aksk::verify::{KeySet, Verifier};
//! use huaweicloud_aksk::{Credentials, Signer};
//!
//! let credentials = Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST");
//! // A server: `Router::new().route(...).layer(verify)` in axum, or
//! // `ServiceBuilder::new().layer(verify).service(handler)` in tower.
//! let verify = VerifyLayer::new(Verifier::new(KeySet::from_iter([credentials.clone()])));
//! // A client: `ServiceBuilder::new().layer(sign).service(hyper_util_client)`.
//! let sign = SignLayer::new(Arc::new(Signer::new(credentials)));
//! # let _ = (verify, sign);
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{Request, Response};
use http_body::Body;
use http_body_util::{BodyExt, Either, Full, LengthLimitError, Limited};
use tower_layer::Layer;
use tower_service::Service;

use crate::sign::{Payload, SdkDate, Signer};
use crate::verify::{SecretKeys, Verified, Verifier, VerifyError};

/// The error type of [`SignService`], as in tower: a [`SignError`](crate::SignError), an
/// error of the body while it was read, or the inner service's error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body of a request [`SignService`] passes on: the buffered body
/// (`Either::Left`), or the caller's own, unread (`Either::Right`).
pub type SignedBody<B> = Either<Full<Bytes>, B>;

/// The body of an answer of [`VerifyService`]: a refusal (`Either::Left`), or the inner
/// service's answer (`Either::Right`).
pub type VerifyResponseBody<B> = Either<Full<Bytes>, B>;

/// The largest body [`VerifyLayer`] reads and [`SignLayer`] buffers by default: 12 MiB,
/// as the API gateway documents.
pub const DEFAULT_MAX_BODY: usize = 12 * 1024 * 1024;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Where the layers read the time: the system clock, or one given for tests.
#[derive(Clone)]
struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    fn system() -> Clock {
        Clock(Arc::new(Utc::now))
    }

    fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

/// Does the signature cover the body? (See [`Verified::payload_signed`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadCoverage {
    /// The body's hash is in the signature: the body is as the client sent it.
    Signed,
    /// The request was signed with `UNSIGNED-PAYLOAD`: anyone who saw it could have changed
    /// the body. A request with a body gets here so only from a verifier told to accept
    /// such requests (docs/SIGNING.md §7).
    Unsigned,
}

/// What [`VerifyService`] puts in the request extensions of a request whose signature
/// checked out: who signed it, and what the signature covers.
///
/// In axum, take it with `Extension<VerifiedRequest>`; elsewhere,
/// `req.extensions().get::<VerifiedRequest>()`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedRequest {
    /// The access key (AK) that signed the request.
    pub access_key: String,
    /// The signed header names, lower case, joined by `;`.
    pub signed_headers: String,
    /// The signing time (`X-Sdk-Date`).
    pub date: SdkDate,
    /// Whether the signature covers the body.
    pub payload: PayloadCoverage,
}

impl From<Verified<'_>> for VerifiedRequest {
    fn from(v: Verified<'_>) -> Self {
        VerifiedRequest {
            access_key: v.access_key().to_owned(),
            signed_headers: v.signed_headers().to_owned(),
            date: v.date(),
            payload: if v.payload_signed() {
                PayloadCoverage::Signed
            } else {
                PayloadCoverage::Unsigned
            },
        }
    }
}

/// Verifies the AK/SK signature of every request, as the API gateway does, before the
/// inner service sees it.
///
/// For each request, [`VerifyService`]:
///
/// 1. reads the body, up to a limit ([`DEFAULT_MAX_BODY`] unless
///    [`VerifyLayer::with_max_body`]): a larger one, declared or sent, is answered 413 and
///    never read further; a body that fails to arrive is answered 400;
/// 2. verifies the request with the [`Verifier`] at the clock's time (the system clock
///    unless [`VerifyLayer::with_clock`]): a refusal is answered with the gateway's status
///    and JSON body ([`VerifyError::to_response`]);
/// 3. passes the request on with the body it read (`Full<Bytes>`), and a
///    [`VerifiedRequest`] in its extensions.
///
/// The method, path and query are verified as the inner service receives them: put the
/// layer where the URI is still the one the client sent (in axum, on the outer router, not
/// inside a `nest`).
///
/// The layer sets no time limit on a body: a server sets its own (hyper's
/// `header_read_timeout`, tower-http's `TimeoutLayer`, ...).
///
/// The verifier's policies apply: by default a request signed with `UNSIGNED-PAYLOAD`
/// and a non-empty body is refused
/// (see [`Verifier`] and docs/SIGNING.md §7).
#[derive(Debug)]
pub struct VerifyLayer<K> {
    verifier: Arc<Verifier<K>>,
    max_body: usize,
    clock: Clock,
}

impl<K> Clone for VerifyLayer<K> {
    fn clone(&self) -> Self {
        VerifyLayer {
            verifier: Arc::clone(&self.verifier),
            max_body: self.max_body,
            clock: self.clock.clone(),
        }
    }
}

impl<K: SecretKeys> VerifyLayer<K> {
    /// A layer that verifies with `verifier` (a [`Verifier`], or an `Arc` of one to share).
    pub fn new(verifier: impl Into<Arc<Verifier<K>>>) -> Self {
        VerifyLayer {
            verifier: verifier.into(),
            max_body: DEFAULT_MAX_BODY,
            clock: Clock::system(),
        }
    }

    /// Reads bodies of at most `max_body` bytes; a larger one is answered 413.
    pub fn with_max_body(mut self, max_body: usize) -> Self {
        self.max_body = max_body;
        self
    }

    /// Reads the verifier's time from `clock` instead of the system clock (for tests).
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Clock(Arc::new(clock));
        self
    }
}

impl<S, K> Layer<S> for VerifyLayer<K> {
    type Service = VerifyService<S, K>;

    fn layer(&self, inner: S) -> Self::Service {
        VerifyService {
            inner,
            layer: VerifyLayer::clone(self),
        }
    }
}

/// The service of [`VerifyLayer`].
#[derive(Debug)]
pub struct VerifyService<S, K> {
    inner: S,
    layer: VerifyLayer<K>,
}

impl<S: Clone, K> Clone for VerifyService<S, K> {
    fn clone(&self) -> Self {
        VerifyService {
            inner: self.inner.clone(),
            layer: self.layer.clone(),
        }
    }
}

impl<S, K, B, ResBody> Service<Request<B>> for VerifyService<S, K>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    K: SecretKeys + Send + Sync + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<VerifyResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        // The clone is the one that was not polled ready: keep the ready one for this call.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let layer = self.layer.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let body = match read_body(&parts.headers, body, layer.max_body).await {
                Ok(body) => body,
                Err(refusal) => return Ok(refusal.map(Either::Left)),
            };
            let req = Request::from_parts(parts, body);
            let verified = match layer.verifier.verify_http(&req, layer.clock.now()) {
                Ok(verified) => VerifiedRequest::from(verified),
                Err(e) => return Ok(e.to_response::<Full<Bytes>>().map(Either::Left)),
            };
            let (mut parts, body) = req.into_parts();
            parts.extensions.insert(verified);
            let answer = inner
                .call(Request::from_parts(parts, Full::new(body)))
                .await?;
            Ok(answer.map(Either::Right))
        })
    }
}

/// Reads a request body of at most `max` bytes, or gives the gateway's answer: 413 when
/// more is declared or sent, 400 when the body fails.
async fn read_body<B>(
    headers: &http::HeaderMap,
    body: B,
    max: usize,
) -> Result<Bytes, Response<Full<Bytes>>>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    let too_large = || {
        VerifyError::answer(
            413,
            VerifyError::BODY_ERROR_CODE,
            &VerifyError::body_too_large(max),
        )
    };
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let max_u64 = u64::try_from(max).unwrap_or(u64::MAX);
    if declared.is_some_and(|n| n > max_u64) || body.size_hint().lower() > max_u64 {
        return Err(too_large());
    }
    match Limited::new(body, max).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(too_large()),
        Err(_) => Err(VerifyError::answer(
            400,
            VerifyError::BODY_ERROR_CODE,
            VerifyError::BODY_UNREADABLE,
        )),
    }
}

/// How [`SignService`] signs a request's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodySigning {
    /// A body whose size is known exactly (its size hint) and is at most `limit` bytes is
    /// read into memory and signed with its hash (under the signer's own rule for non-JSON
    /// bodies, docs/SIGNING.md §1.7); any other body (a stream of unknown size, or a larger
    /// one) is sent as it is, its head signed alone with `UNSIGNED-PAYLOAD`. The default,
    /// with a limit of [`DEFAULT_MAX_BODY`].
    Buffer {
        /// The largest body read into memory, in bytes.
        limit: usize,
    },
    /// No body is read: every request's head is signed alone with `UNSIGNED-PAYLOAD`, and
    /// the body is sent as it is.
    Unsigned,
}

impl Default for BodySigning {
    fn default() -> Self {
        BodySigning::Buffer {
            limit: DEFAULT_MAX_BODY,
        }
    }
}

/// Signs every request with a [`Signer`] before the inner service (an HTTP client) sends it.
///
/// The request's URI must be absolute (`http://host/path`), or carry a `Host` header. The
/// body is signed as [`BodySigning`] says ([`BodySigning::Buffer`] by default), and passed
/// on as a [`SignedBody`]. The time comes from the system clock unless
/// [`SignLayer::with_clock`].
///
/// A verifier refuses a request signed with `UNSIGNED-PAYLOAD` whose body is not empty
/// unless told to accept it (docs/SIGNING.md §7); the API gateway accepts it.
#[derive(Debug, Clone)]
pub struct SignLayer {
    signer: Arc<Signer>,
    body: BodySigning,
    clock: Clock,
}

impl SignLayer {
    /// A layer that signs with `signer` (a [`Signer`], or an `Arc` of one to share).
    pub fn new(signer: impl Into<Arc<Signer>>) -> Self {
        SignLayer {
            signer: signer.into(),
            body: BodySigning::default(),
            clock: Clock::system(),
        }
    }

    /// Signs bodies as `body` says.
    pub fn with_body_signing(mut self, body: BodySigning) -> Self {
        self.body = body;
        self
    }

    /// Reads the signing time from `clock` instead of the system clock (for tests).
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Clock(Arc::new(clock));
        self
    }
}

impl<S> Layer<S> for SignLayer {
    type Service = SignService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SignService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service of [`SignLayer`].
#[derive(Debug, Clone)]
pub struct SignService<S> {
    inner: S,
    layer: SignLayer,
}

impl<S, B> Service<Request<B>> for SignService<S>
where
    S: Service<Request<SignedBody<B>>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = BoxFuture<Result<S::Response, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let layer = self.layer.clone();
        Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            let buffer = match layer.body {
                BodySigning::Buffer { limit } => body
                    .size_hint()
                    .exact()
                    .filter(|&n| u64::try_from(limit).is_ok_and(|limit| n <= limit))
                    .map(|_| limit),
                BodySigning::Unsigned => None,
            };
            let body = match buffer {
                Some(limit) => {
                    // The limit holds even if the size hint was wrong.
                    let bytes = Limited::new(body, limit).collect().await?.to_bytes();
                    layer.signer.sign_head_at(
                        &mut parts,
                        Payload::Bytes(&bytes),
                        layer.clock.now(),
                    )?;
                    Either::Left(Full::new(bytes))
                }
                None => {
                    layer
                        .signer
                        .sign_head_at(&mut parts, Payload::Unsigned, layer.clock.now())?;
                    Either::Right(body)
                }
            };
            inner
                .call(Request::from_parts(parts, body))
                .await
                .map_err(Into::into)
        })
    }
}
