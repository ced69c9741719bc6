//! The blocking MPC client: any [`Call`] sent over `ureq`, each attempt signed afresh, in
//! one loop that does what the retry policy (`retry.rs`) decides.

use std::fmt;
use std::io::Read;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use http::HeaderMap;
use http::header::HeaderValue;

use crate::credentials::{ProjectIdResolver, ProvideCredentials};
use crate::mpc::call::{Answer, BodyRead, Call, EarlierAttempts};
use crate::mpc::cancel_remux_task::CancelRemuxTask;
use crate::mpc::common::{InvalidInput, ProjectId};
use crate::mpc::create_remux_task::CreateRemuxTask;
use crate::mpc::delete_remux_task::{DeleteOutcome, DeleteRemuxTask};
use crate::mpc::endpoint::{Endpoint, EndpointError};
use crate::mpc::error::{MpcError, SignedSummary, TransportError, TransportErrorKind};
use crate::mpc::list_remux_tasks::{ListRemuxTasks, Pager};
use crate::mpc::model::{CreateRemuxTaskAnswer, CreateRemuxTaskBody, RemuxTask};
use crate::mpc::pace::{DEFAULT_RATE_PER_MINUTE, Pace};
use crate::mpc::proxy;
use crate::mpc::retry::{Action, CallState, Jitter, RetryPolicy, Seen, attempt_timeout};
use crate::mpc::retry_remux_task::RetryRemuxTask;
use crate::mpc::trace::Event;
use crate::{Credentials, SecretString, SignError, Signer};

/// The connect timeout used unless another is set.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The timeout of one attempt (connect, send, answer and body) unless another is set.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(30);

type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;
type Sleeper = Arc<dyn Fn(Duration) + Send + Sync>;
type Monotonic = Arc<dyn Fn() -> Instant + Send + Sync>;
type Observer = Arc<dyn Fn(&Event<'_>) + Send + Sync>;

/// A blocking client of the MPC API.
///
/// Cheap to clone (clones share one connection pool and one clock correction) and
/// `Send + Sync`. Each attempt is signed afresh at the current time plus the clock
/// correction learnt from the gateway.
///
/// ```no_run
/// use huaweicloud_aksk::Credentials;
/// use huaweicloud_aksk::mpc::{DeleteOutcome, MpcClient, MpcError};
///
/// let client = MpcClient::builder()
///     .credentials(Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST"))
///     .project_id("0123456789abcdef0123456789abcdef")
///     .region("cn-north-4")
///     .build()?;
/// match client.delete_remux_task("100211") {
///     Ok(DeleteOutcome::Deleted) => println!("deleted"),
///     Ok(DeleteOutcome::AlreadyDeleted) => println!("deleted (by an earlier attempt)"),
///     Ok(_) => println!("deleted"),
///     Err(e) if e.is_task_not_found() => println!("no such task"),
///     Err(e) => eprintln!("{e}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct MpcClient {
    inner: Arc<Inner>,
}

struct Inner {
    agent: ureq::Agent,
    endpoint: Endpoint,
    project_id: ProjectId,
    auth: Auth,
    retry: RetryPolicy,
    call_timeout: Duration,
    clock: Clock,
    sleep: Sleeper,
    monotonic: Monotonic,
    pace: Option<Pace>,
    observer: Option<Observer>,
    offset_seconds: AtomicI64,
    jitter: Mutex<Jitter>,
}

enum Auth {
    AkSk(Box<Signer>),
    /// Credentials asked of a provider before each attempt (temporary ones change).
    Provider(Arc<dyn ProvideCredentials>),
    Token(SecretString),
}

impl fmt::Debug for MpcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("MpcClient");
        d.field("endpoint", &i.endpoint.to_string())
            .field("project_id", &i.project_id.as_str());
        match &i.auth {
            Auth::AkSk(s) => d.field("access_key", &s.credentials().access_key()),
            Auth::Provider(p) => d.field("credentials_provider", p),
            Auth::Token(_) => d.field("iam_token", &"<redacted>"),
        };
        d.field("retry", &i.retry)
            .field("pace_interval", &i.pace.as_ref().map(Pace::interval))
            .field("call_timeout", &i.call_timeout)
            .field(
                "clock_offset_seconds",
                &i.offset_seconds.load(Ordering::Relaxed),
            )
            .finish_non_exhaustive()
    }
}

impl MpcClient {
    /// A builder.
    pub fn builder() -> MpcClientBuilder {
        MpcClientBuilder::new()
    }

    /// The endpoint calls go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The project id sent with every call.
    pub fn project_id(&self) -> &ProjectId {
        &self.inner.project_id
    }

    /// The correction added to the local clock when signing (server time minus local
    /// time), learnt from the gateway's answers; zero until a skew is seen.
    pub fn clock_offset(&self) -> TimeDelta {
        TimeDelta::seconds(self.inner.offset_seconds.load(Ordering::Relaxed))
    }

    /// Sets the clock correction (whole seconds are kept).
    pub fn set_clock_offset(&self, offset: TimeDelta) {
        self.inner
            .offset_seconds
            .store(offset.num_seconds(), Ordering::Relaxed);
    }

    /// Deletes the packaging task record `task_id` ([`DeleteRemuxTask`]).
    ///
    /// Nothing is sent when `task_id` is invalid ([`MpcError::Invalid`]). When an
    /// attempt whose outcome was unknown is followed by a "task does not exist" answer the
    /// result is [`DeleteOutcome::AlreadyDeleted`]. Retries and clock correction are as
    /// [`MpcClient::run`] says.
    pub fn delete_remux_task(&self, task_id: &str) -> Result<DeleteOutcome, MpcError> {
        self.run(&DeleteRemuxTask::new(task_id)?)
    }

    /// Starts a packaging task ([`CreateRemuxTask`]); never sent twice once MPC may
    /// have received it.
    pub fn create_remux_task(
        &self,
        body: &CreateRemuxTaskBody,
    ) -> Result<CreateRemuxTaskAnswer, MpcError> {
        self.run(&CreateRemuxTask::new(body)?)
    }

    /// Cancels a queued packaging task ([`CancelRemuxTask`]).
    pub fn cancel_remux_task(&self, task_id: &str) -> Result<(), MpcError> {
        self.run(&CancelRemuxTask::new(task_id)?)
    }

    /// Runs a failed packaging task again ([`RetryRemuxTask`]).
    pub fn retry_remux_task(&self, task_id: &str) -> Result<(), MpcError> {
        self.run(&RetryRemuxTask::new(task_id)?)
    }

    /// Every task `query` matches, as an iterator that fetches one page at a time when
    /// needed (pages of `query`'s size, else 100, from page 0; see [`Pager`]). An error
    /// ends the iteration after it is given.
    ///
    /// A listing is a snapshot only page by page: delete what it gives after it ends, not
    /// during, or later pages shift under it.
    ///
    /// ```no_run
    /// use chrono::{TimeDelta, Utc};
    /// use huaweicloud_aksk::Credentials;
    /// use huaweicloud_aksk::mpc::{ListRemuxTasks, MpcClient, TaskStatus};
    ///
    /// let client = MpcClient::builder()
    ///     .credentials(Credentials::new("HWCEXAMPLEAK0123TEST", "HWCexampleSK0123456789abcdefghijklmnopqrST"))
    ///     .project_id("0123456789abcdef0123456789abcdef")
    ///     .region("cn-north-4")
    ///     .build()?;
    /// let query = ListRemuxTasks::new()
    ///     .status(TaskStatus::Failed)
    ///     .created_until(Utc::now() - TimeDelta::days(30));
    /// let old: Vec<String> = client
    ///     .list_remux_tasks(query)
    ///     .map(|task| task.map(|t| t.task_id))
    ///     .collect::<Result<_, _>>()?;
    /// for id in &old {
    ///     client.delete_remux_task(id)?;
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn list_remux_tasks(&self, query: ListRemuxTasks) -> RemuxTasks {
        RemuxTasks {
            client: self.clone(),
            pager: Pager::new(query),
            page: Vec::new().into_iter(),
            failed: false,
        }
    }

    /// The pace shared by every call of this client (and its clones); `None` when pacing
    /// is off.
    pub fn pace(&self) -> Option<&Pace> {
        self.inner.pace.as_ref()
    }

    /// Sends `call` until the retry policy says it is done or failed.
    ///
    /// Each attempt waits for its slot in the client's [`Pace`] first, and is signed
    /// afresh. Failed attempts are retried as the
    /// [`RetryPolicy`] says. A 401 `APIGW.0301` "signature expired" answer (or a `Date`
    /// header more than 5 minutes off) corrects the clock, and the call is signed again
    /// once.
    pub fn run<C: Call>(&self, call: &C) -> Result<C::Output, MpcError> {
        self.run_answered(call).map(|answered| answered.output)
    }

    /// [`MpcClient::run`], also giving the request id (`X-Request-Id`) of the answer that
    /// succeeded, for the record.
    pub fn run_answered<C: Call>(&self, call: &C) -> Result<Answered<C::Output>, MpcError> {
        let inner = &*self.inner;
        let started = Instant::now();
        let mut state = CallState::new(inner.retry, C::IDEMPOTENT);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if let Some(pace) = &inner.pace {
                let wait = pace.reserve((inner.monotonic)());
                if !wait.is_zero() {
                    (inner.sleep)(wait);
                }
            }
            let mut request = call.request(&inner.endpoint, &inner.project_id);
            let signed = self.authenticate(&mut request)?;
            self.observe(&Event::Sending {
                attempt,
                request: &request,
            });
            let timeout = attempt_timeout(&inner.retry, inner.call_timeout, started.elapsed());
            let (result, decision) = match self.send(request, timeout, call.max_body_bytes()) {
                Ok(answer) => {
                    self.observe(&Event::Received {
                        attempt,
                        status: answer.status,
                        headers: &answer.headers,
                        body: &answer.body,
                    });
                    let read = Answer::new(answer.status, &answer.headers, &answer.body)
                        .body_read(answer.body_read)
                        .earlier_attempts(if state.earlier_outcome_unknown() {
                            EarlierAttempts::MayHaveBeenActedUpon
                        } else {
                            EarlierAttempts::NotActedUpon
                        });
                    let request_id = read.request_id();
                    let mut result = call
                        .interpret(&read)
                        .map(|output| Answered { output, request_id });
                    if let (Err(MpcError::Unauthorized(e)), Some(signed)) = (&mut result, &signed) {
                        e.explain(signed);
                    }
                    let seen = Seen::Answer {
                        status: answer.status,
                        headers: &answer.headers,
                        error: result.as_ref().err(),
                    };
                    let decision = state.decide(seen, started.elapsed(), self.now(), self.random());
                    if let Some(pace) = &inner.pace {
                        if decision.throttled {
                            pace.throttled((inner.monotonic)());
                        } else {
                            pace.not_throttled();
                        }
                    }
                    (result, decision)
                }
                Err(error) => {
                    self.observe(&Event::Failed {
                        attempt,
                        error: &error,
                    });
                    let seen = Seen::NoAnswer(&error);
                    let decision = state.decide(seen, started.elapsed(), self.now(), self.random());
                    (Err(MpcError::Transport(error)), decision)
                }
            };
            if let Some(skew) = decision.clock_correction {
                self.correct_clock(skew);
            }
            match decision.action {
                Action::Done | Action::Fail => return result,
                Action::Resign => {}
                Action::Retry(delay) => {
                    self.observe(&Event::Retrying {
                        next_attempt: attempt + 1,
                        delay,
                    });
                    (inner.sleep)(delay);
                }
            }
        }
    }

    fn observe(&self, event: &Event<'_>) {
        if let Some(observe) = &self.inner.observer {
            observe(event);
        }
    }

    /// A random number for the jitter of the next wait.
    fn random(&self) -> u64 {
        // The generator's state is valid whatever a panicking holder did: keep using it.
        self.inner
            .jitter
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .next_u64()
    }

    /// The signing time: the clock plus the learnt correction.
    fn now(&self) -> DateTime<Utc> {
        (self.inner.clock)() + self.clock_offset()
    }

    fn correct_clock(&self, skew: TimeDelta) {
        self.set_clock_offset(self.clock_offset() + skew);
        self.observe(&Event::ClockCorrected {
            offset: self.clock_offset(),
        });
    }

    /// Signs `request` (or adds the IAM token); gives what was signed, to explain a
    /// refused signature.
    fn authenticate(
        &self,
        request: &mut http::Request<Vec<u8>>,
    ) -> Result<Option<SignedSummary>, MpcError> {
        match &self.inner.auth {
            Auth::AkSk(signer) => Ok(Some(sign(signer, request, self.now())?)),
            Auth::Provider(provider) => {
                let provided = provider.provide().map_err(MpcError::Credentials)?;
                let signer = Signer::new(provided.credentials);
                Ok(Some(sign(&signer, request, self.now())?))
            }
            Auth::Token(token) => {
                let mut value = HeaderValue::from_str(token.expose())
                    .expect("the token was checked as a header value when the client was built");
                value.set_sensitive(true);
                request.headers_mut().insert("x-auth-token", value);
                Ok(None)
            }
        }
    }

    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Duration,
        max_body: usize,
    ) -> Result<Received, TransportError> {
        let agent = &self.inner.agent;
        let (parts, body) = request.into_parts();
        let response = if body.is_empty() {
            // No body: send none (no Content-Length), as the official SDKs send a DELETE.
            let request = http::Request::from_parts(parts, ());
            agent.run(
                agent
                    .configure_request(request)
                    .timeout_global(Some(timeout))
                    .build(),
            )
        } else {
            let request = http::Request::from_parts(parts, body);
            agent.run(
                agent
                    .configure_request(request)
                    .timeout_global(Some(timeout))
                    .build(),
            )
        }
        .map_err(transport_error)?;
        let status = response.status().as_u16();
        let (parts, body) = response.into_parts();
        let mut read = Vec::new();
        // Read one byte past the cap to know whether there was more; never more.
        body.into_reader()
            .take(max_body as u64 + 1)
            .read_to_end(&mut read)
            .map_err(io_transport_error)?;
        let body_read = if read.len() > max_body {
            BodyRead::Truncated
        } else {
            BodyRead::Whole
        };
        read.truncate(max_body);
        Ok(Received {
            status,
            headers: parts.headers,
            body: read,
            body_read,
        })
    }
}

/// Signs `request` at `now`, keeping the canonical request and date signed.
fn sign(
    signer: &Signer,
    request: &mut http::Request<Vec<u8>>,
    now: DateTime<Utc>,
) -> Result<SignedSummary, SignError> {
    let details = signer.details_at(request, now)?;
    signer.sign_at(request, now)?;
    Ok(SignedSummary::new(
        &details.canonical_request,
        details.date.to_string(),
    ))
}

/// What a call gave, and the request id of its answer.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered<T> {
    /// What the call gave.
    pub output: T,
    /// The `X-Request-Id` header of the answer, when it had one.
    pub request_id: Option<String>,
}

/// Every task of a listing, fetched a page at a time
/// ([`MpcClient::list_remux_tasks`]).
pub struct RemuxTasks {
    client: MpcClient,
    pager: Pager,
    page: std::vec::IntoIter<RemuxTask>,
    failed: bool,
}

impl RemuxTasks {
    /// The `total` of the first page, once it was fetched: how many tasks matched then.
    pub fn total(&self) -> Option<u64> {
        self.pager.total()
    }
}

impl fmt::Debug for RemuxTasks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemuxTasks")
            .field("pager", &self.pager)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl Iterator for RemuxTasks {
    type Item = Result<RemuxTask, MpcError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(task) = self.page.next() {
                return Some(Ok(task));
            }
            if self.failed {
                return None;
            }
            let call = self.pager.next_call()?;
            match self.client.run(&call) {
                Ok(answer) => self.page = self.pager.absorb(answer).into_iter(),
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// An answer as read off the wire.
struct Received {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
    body_read: BodyRead,
}

fn transport_error(e: ureq::Error) -> TransportError {
    use TransportErrorKind as K;
    use ureq::Timeout as T;
    let kind = match &e {
        ureq::Error::Timeout(T::Connect | T::Resolve) => K::Connect,
        ureq::Error::Timeout(_) | ureq::Error::BodyStalled => K::Timeout,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => K::Connect,
        ureq::Error::Io(io) => io_kind(io),
        ureq::Error::Rustls(tls) => rustls_kind(tls),
        ureq::Error::Tls(_) | ureq::Error::Pem(_) => K::Tls,
        ureq::Error::TlsRequired => K::Tls,
        ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => K::Proxy,
        ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => K::Protocol,
        _ => K::Other,
    };
    TransportError::new(kind, e.to_string(), Some(Box::new(e)))
}

/// A refused certificate, or another TLS failure.
fn rustls_kind(e: &rustls::Error) -> TransportErrorKind {
    match e {
        rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented => {
            TransportErrorKind::Certificate
        }
        _ => TransportErrorKind::Tls,
    }
}

fn io_kind(io: &std::io::Error) -> TransportErrorKind {
    use std::io::ErrorKind as E;
    // The TLS stack reports a failed handshake as an I/O error wrapping its own.
    if let Some(tls) = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
        return rustls_kind(tls);
    }
    match io.kind() {
        E::ConnectionRefused
        | E::AddrNotAvailable
        | E::AddrInUse
        | E::HostUnreachable
        | E::NetworkUnreachable
        | E::NotFound => TransportErrorKind::Connect,
        E::TimedOut | E::WouldBlock => TransportErrorKind::Timeout,
        _ => TransportErrorKind::Io,
    }
}

fn io_transport_error(e: std::io::Error) -> TransportError {
    // Failing while reading the body: the request was sent, its effect is unknown.
    let while_reading = |t: TransportError| match t.kind() {
        TransportErrorKind::Timeout => t,
        _ => TransportError::new(TransportErrorKind::Io, t.to_string(), None),
    };
    if e.get_ref().is_some_and(|r| r.is::<ureq::Error>()) {
        let inner = e.into_inner().expect("checked above: it wraps an error");
        let ureq = inner
            .downcast::<ureq::Error>()
            .expect("checked above: the wrapped error is a ureq::Error");
        return while_reading(transport_error(*ureq));
    }
    let kind = io_kind(&e);
    while_reading(TransportError::new(
        kind,
        format!("reading the answer: {e}"),
        Some(Box::new(e)),
    ))
}

/// Whether an [`MpcClient`] goes through a proxy ([`MpcClientBuilder::proxy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Proxy {
    /// The proxy named by `ALL_PROXY`, `HTTPS_PROXY` or `HTTP_PROXY` (lower case too, the
    /// first set wins), except for the hosts `NO_PROXY` exempts, read as curl reads it
    /// (`localhost`, domain suffixes, CIDR ranges such as `127.0.0.0/8`); none when none is
    /// set. The default.
    #[default]
    FromEnv,
    /// No proxy, whatever the environment says.
    Direct,
}

/// Where a plain `http://` endpoint override may point ([`MpcClientBuilder::plain_http`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PlainHttp {
    /// Only to this machine (a loopback address or `localhost`); an `http://` override for
    /// another host is refused with
    /// [`EndpointError::InsecureHttp`](crate::mpc::EndpointError::InsecureHttp). The
    /// default.
    #[default]
    LoopbackOnly,
    /// To any host: the signed request and any security token cross the network in clear.
    Allowed,
}

/// Builds an [`MpcClient`].
#[must_use]
pub struct MpcClientBuilder {
    credentials: Option<Credentials>,
    provider: Option<Arc<dyn ProvideCredentials>>,
    token: Option<String>,
    project_id: Option<String>,
    project_region: Option<String>,
    target: Option<Target>,
    connect_timeout: Duration,
    call_timeout: Duration,
    retry: RetryPolicy,
    proxy: Proxy,
    plain_http: PlainHttp,
    clock: Clock,
    sleep: Sleeper,
    monotonic: Monotonic,
    rate_per_minute: Option<u32>,
    observer: Option<Observer>,
}

enum Target {
    Region(String),
    Url(String),
}

impl fmt::Debug for MpcClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MpcClientBuilder")
            .field("credentials", &self.credentials)
            .field("credentials_provider", &self.provider)
            .field("iam_token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("project_id", &self.project_id)
            .field("project_region", &self.project_region)
            .field("connect_timeout", &self.connect_timeout)
            .field("call_timeout", &self.call_timeout)
            .field("retry", &self.retry)
            .field("rate_per_minute", &self.rate_per_minute)
            .field("proxy", &self.proxy)
            .field("plain_http", &self.plain_http)
            .finish_non_exhaustive()
    }
}

impl Default for MpcClientBuilder {
    fn default() -> Self {
        MpcClientBuilder::new()
    }
}

impl MpcClientBuilder {
    /// A builder with the defaults: [`DEFAULT_CONNECT_TIMEOUT`], [`DEFAULT_CALL_TIMEOUT`],
    /// [`RetryPolicy::new`], a pace of [`DEFAULT_RATE_PER_MINUTE`] requests a minute,
    /// proxy settings from the environment, the system clock.
    pub fn new() -> Self {
        MpcClientBuilder {
            credentials: None,
            provider: None,
            token: None,
            project_id: None,
            project_region: None,
            target: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            retry: RetryPolicy::new(),
            proxy: Proxy::FromEnv,
            plain_http: PlainHttp::LoopbackOnly,
            clock: Arc::new(Utc::now),
            sleep: Arc::new(std::thread::sleep),
            monotonic: Arc::new(Instant::now),
            rate_per_minute: Some(DEFAULT_RATE_PER_MINUTE),
            observer: None,
        }
    }

    /// Sign with AK/SK (and send `X-Security-Token` for temporary credentials).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self.provider = None;
        self.token = None;
        self
    }

    /// Sign with the credentials `provider` gives, asked before each attempt (wrap a
    /// provider of temporary credentials in a
    /// [`CachingProvider`](crate::credentials::CachingProvider)).
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.provider = Some(Arc::new(provider));
        self.credentials = None;
        self.token = None;
        self
    }

    /// Authenticate with an IAM token (`X-Auth-Token`) instead of signing.
    pub fn iam_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self.credentials = None;
        self.provider = None;
        self
    }

    /// The project id (sent in the path and as `X-Project-Id`). Without one, the
    /// provider's project id is used, else [`MpcClientBuilder::build`] asks IAM for the
    /// project of the region (see [`ProjectIdResolver`]).
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// The region whose project id to ask IAM for when none is given (by default the
    /// region given with [`MpcClientBuilder::region`]); for a client of an endpoint URL.
    pub fn project_region(mut self, region: impl Into<String>) -> Self {
        self.project_region = Some(region.into());
        self
    }

    /// Call the endpoint of this region (see [`Endpoint::for_region`]); replaces any
    /// endpoint set before.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.target = Some(Target::Region(region.into()));
        self
    }

    /// Call this endpoint, `https://host[:port]` or `http://host[:port]` (see
    /// [`Endpoint::parse`]); replaces any region set before.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.target = Some(Target::Url(url.into()));
        self
    }

    /// The most time connecting may take (DNS, TCP, proxy, TLS).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The most time one attempt may take, connecting and reading the answer included.
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// The retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How many attempts in all (shorthand for the retry policy's).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.retry = self.retry.with_max_attempts(attempts);
        self
    }

    /// Whether requests go through a proxy named by the environment ([`Proxy::FromEnv`] by
    /// default).
    pub fn proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = proxy;
        self
    }

    /// Whether a plain `http://` endpoint named by `HUAWEICLOUD_SDK_REGION_MPC_<REGION>` may
    /// be for a host other than this machine ([`PlainHttp::LoopbackOnly`] by default: the
    /// signed request and any security token would cross the network in clear). An
    /// endpoint given with [`MpcClientBuilder::endpoint`] is used as written.
    pub fn plain_http(mut self, plain_http: PlainHttp) -> Self {
        self.plain_http = plain_http;
        self
    }

    /// The clock that dates signatures (the system clock by default); for tests.
    pub fn clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// How the client waits between attempts (`std::thread::sleep` by default); for
    /// tests.
    pub fn sleeper(mut self, sleep: impl Fn(Duration) + Send + Sync + 'static) -> Self {
        self.sleep = Arc::new(sleep);
        self
    }

    /// At most `n` requests a minute, evenly spaced (one every 60/`n` seconds), for every
    /// call of the client and its clones, retries included ([`Pace`]); `n` must be above
    /// zero. The default, [`DEFAULT_RATE_PER_MINUTE`], is MPC's limit for a tenant.
    pub fn rate_per_minute(mut self, n: u32) -> Self {
        self.rate_per_minute = Some(n);
        self
    }

    /// No pacing: requests go as fast as calls are made (throttled answers are still
    /// retried after a wait).
    pub fn no_pace(mut self) -> Self {
        self.rate_per_minute = None;
        self
    }

    /// The monotonic clock the pace reads (`Instant::now` by default); for tests, with
    /// [`MpcClientBuilder::sleeper`].
    pub fn monotonic_clock(mut self, now: impl Fn() -> Instant + Send + Sync + 'static) -> Self {
        self.monotonic = Arc::new(now);
        self
    }

    /// A function told about every attempt, answer, failure, wait and clock correction.
    pub fn observer(mut self, observer: impl Fn(&Event<'_>) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// The client; checks every setting, asking the credentials provider (if any) once. It
    /// opens no connection to the API; without a project id it asks IAM for the project of
    /// the region.
    pub fn build(self) -> Result<MpcClient, ConfigError> {
        let project_region = self.project_region.clone().or(match &self.target {
            Some(Target::Region(region)) => Some(region.clone()),
            _ => None,
        });
        let endpoint = match self.target.ok_or(ConfigError::MissingEndpoint)? {
            Target::Region(region) => Endpoint::resolve_region(
                &region,
                |name| std::env::var(name).ok(),
                self.plain_http == PlainHttp::Allowed,
            ),
            Target::Url(url) => Endpoint::parse(&url),
        }
        .map_err(ConfigError::Endpoint)?;
        let auth = match (self.credentials, self.provider, self.token) {
            (Some(credentials), _, _) => {
                let signer = Signer::new(credentials);
                signer.check().map_err(ConfigError::InvalidCredentials)?;
                Auth::AkSk(Box::new(signer))
            }
            (None, Some(provider), _) => Auth::Provider(provider),
            (None, None, Some(token)) => {
                if token.is_empty() || HeaderValue::from_str(&token).is_err() {
                    return Err(ConfigError::InvalidToken);
                }
                Auth::Token(SecretString::new(token))
            }
            (None, None, None) => return Err(ConfigError::MissingCredentials),
        };
        if self.call_timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(ConfigError::ZeroTimeout);
        }
        let pace = match self.rate_per_minute {
            Some(n) => Some(Pace::per_minute(n).ok_or(ConfigError::ZeroRate)?),
            None => None,
        };
        let project_id = match self.project_id {
            Some(project_id) => {
                // Missing or unusable credentials are a configuration error, found now.
                if let Auth::Provider(provider) = &auth {
                    provider
                        .provide()
                        .map_err(|e| ConfigError::Credentials(e.to_string()))?;
                }
                project_id
            }
            None => find_project_id(&auth, project_region.as_deref(), (self.clock)())?,
        };
        let project_id = ProjectId::new(project_id).map_err(ConfigError::InvalidProjectId)?;
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A signed request is for one host: never follow a redirect elsewhere.
            .max_redirects(0)
            .max_redirects_will_error(false)
            // Send only the headers the call model set (and signed): no automatic
            // User-Agent, Accept or Accept-Encoding.
            .user_agent(ureq::config::AutoHeaderValue::None)
            .accept(ureq::config::AutoHeaderValue::None)
            .accept_encoding(ureq::config::AutoHeaderValue::None)
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.call_timeout));
        let proxy = if self.proxy == Proxy::FromEnv {
            proxy::from_env(endpoint.host(), |name| std::env::var(name).ok())
        } else {
            None
        };
        let proxy = proxy
            .map(|(variable, url)| {
                ureq::Proxy::new(&url).map_err(|_| ConfigError::InvalidProxy { variable })
            })
            .transpose()?;
        config = config.proxy(proxy);
        Ok(MpcClient {
            inner: Arc::new(Inner {
                agent: config.build().new_agent(),
                endpoint,
                project_id,
                auth,
                retry: self.retry,
                call_timeout: self.call_timeout,
                clock: self.clock,
                sleep: self.sleep,
                monotonic: self.monotonic,
                pace,
                observer: self.observer,
                offset_seconds: AtomicI64::new(0),
                jitter: Mutex::new(Jitter::random()),
            }),
        })
    }
}

/// The project id of a client given none: the provider's, else IAM's for the region.
fn find_project_id(
    auth: &Auth,
    region: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, ConfigError> {
    let credentials = match auth {
        Auth::AkSk(signer) => signer.credentials().clone(),
        Auth::Provider(provider) => {
            let provided = provider
                .provide()
                .map_err(|e| ConfigError::Credentials(e.to_string()))?;
            if let Some(project_id) = provided.project_id {
                return Ok(project_id);
            }
            provided.credentials
        }
        Auth::Token(_) => return Err(ConfigError::MissingProjectId),
    };
    let region = region.ok_or(ConfigError::MissingProjectId)?;
    ProjectIdResolver::shared()
        .resolve(&credentials, region, now)
        .map_err(|e| ConfigError::ProjectLookup(e.to_string()))
}

/// Why a client could not be configured.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The region or endpoint URL cannot be used.
    Endpoint(EndpointError),
    /// Neither a region nor an endpoint was given.
    MissingEndpoint,
    /// No credentials (AK/SK or IAM token) were given.
    MissingCredentials,
    /// No project id was given, and no region to ask IAM for one.
    MissingProjectId,
    /// The credentials provider gave no credentials (its message).
    Credentials(String),
    /// IAM gave no project id for the region (its message).
    ProjectLookup(String),
    /// The project id cannot be sent.
    InvalidProjectId(InvalidInput),
    /// The credentials cannot sign.
    InvalidCredentials(SignError),
    /// The IAM token cannot be sent as a header value.
    InvalidToken,
    /// A timeout is zero.
    ZeroTimeout,
    /// The rate of requests a minute is zero.
    ZeroRate,
    /// The proxy named by the environment is not a proxy URL.
    InvalidProxy {
        /// The variable that names it, e.g. `HTTPS_PROXY`.
        variable: &'static str,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Endpoint(e) => fmt::Display::fmt(e, f),
            ConfigError::MissingEndpoint => f.write_str("no region or endpoint given"),
            ConfigError::MissingCredentials => f.write_str("no credentials given"),
            ConfigError::MissingProjectId => {
                f.write_str("no project id given, and no region to look one up")
            }
            ConfigError::Credentials(e) => f.write_str(e),
            ConfigError::ProjectLookup(e) => write!(f, "no project id: {e}"),
            ConfigError::InvalidProjectId(e) => fmt::Display::fmt(e, f),
            ConfigError::InvalidCredentials(e) => write!(f, "invalid credentials: {e}"),
            ConfigError::InvalidToken => {
                f.write_str("invalid IAM token: empty or not a valid header value")
            }
            ConfigError::ZeroTimeout => f.write_str("timeouts must be longer than zero"),
            ConfigError::ZeroRate => {
                f.write_str("the rate of requests a minute must be above zero")
            }
            ConfigError::InvalidProxy { variable } => {
                write!(f, "{variable} is not a proxy URL")
            }
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Endpoint(e) => Some(e),
            ConfigError::InvalidProjectId(e) => Some(e),
            ConfigError::InvalidCredentials(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<MpcClient>();
    }

    #[test]
    fn debug_output_never_holds_secrets() {
        let client = MpcClient::builder()
            .credentials(Credentials::new("AKVALUE", "SKVALUE").with_security_token("TOKVALUE"))
            .project_id("p")
            .endpoint("http://127.0.0.1:9")
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        assert!(shown.contains("AKVALUE"));
        assert!(
            !shown.contains("SKVALUE") && !shown.contains("TOKVALUE"),
            "{shown}"
        );
        let builder = MpcClient::builder().iam_token("IAMVALUE");
        assert!(!format!("{builder:?}").contains("IAMVALUE"));
    }

    #[test]
    fn settings_are_checked_when_building() {
        let base = || {
            MpcClient::builder()
                .credentials(Credentials::new("AK", "SK"))
                .project_id("p")
                .endpoint("http://127.0.0.1:9")
        };
        assert!(base().build().is_ok());
        assert_eq!(
            base().region("mars-1").build().unwrap_err(),
            ConfigError::Endpoint(EndpointError::UnknownRegion {
                region: "mars-1".into()
            })
        );
        assert!(matches!(
            base().endpoint("http://").build(),
            Err(ConfigError::Endpoint(EndpointError::InvalidUrl { .. }))
        ));
        assert!(matches!(
            base().project_id("").build(),
            Err(ConfigError::InvalidProjectId { .. })
        ));
        assert!(matches!(
            base().credentials(Credentials::new("AK", "SK\n")).build(),
            Err(ConfigError::InvalidCredentials(_))
        ));
        assert!(matches!(
            base().iam_token("a\nb").build(),
            Err(ConfigError::InvalidToken)
        ));
        assert!(matches!(
            base().call_timeout(Duration::ZERO).build(),
            Err(ConfigError::ZeroTimeout)
        ));
        assert_eq!(
            MpcClient::builder()
                .project_id("p")
                .endpoint("http://h")
                .build()
                .unwrap_err(),
            ConfigError::MissingCredentials
        );
    }

    #[test]
    fn the_clock_offset_is_shared_by_clones() {
        let client = MpcClient::builder()
            .credentials(Credentials::new("AK", "SK"))
            .project_id("p")
            .endpoint("http://127.0.0.1:9")
            .build()
            .unwrap();
        let clone = client.clone();
        client.set_clock_offset(TimeDelta::seconds(-90));
        assert_eq!(clone.clock_offset(), TimeDelta::seconds(-90));
    }
}
