//! The embedded local MPC endpoint: `DELETE /v1/{project_id}/remux/task?task_id=...` with
//! MPC's answers, behind the gateway's AK/SK signature check, on a loopback port.
//!
//! It lets the whole loop run on one machine with no cloud account, and is a test double
//! for any client (this crate's, the official SDKs') that checks signatures as the API
//! gateway does:
//!
//! - a record in a final state (`SUCCEED`, `FAILED`, `CANCELED`) is deleted: 204, empty
//!   body, and it is gone; an unknown task: 403 `MPC.10211` "The task does not exist.";
//!   a task not in a final state: 403 `MPC.10213`; a missing or empty `task_id`: 400
//!   `MPC.10202`; a project id in the path other than `X-Project-Id`, or other than the
//!   credentials' project: 403 `MPC.10212`;
//! - a missing, malformed, wrong, expired or unknown-AK signature, or an unknown
//!   `X-Auth-Token`: 401 `APIGW.0301` with the gateway's message (see
//!   [`VerifyError`](crate::verify::VerifyError)); five failures in a row lock the access key
//!   for five minutes (both configurable);
//! - any other method or path: 404 `APIGW.0101`; a body over the limit: 413;
//! - every answer carries an `X-Request-Id`.
//!
//! Requests are served by a pool of worker threads over keep-alive connections; a record is
//! deleted under a lock, so exactly once however many clients race for it.
//!
//! ```
//! use huaweicloud_aksk::server::{LocalEndpoint, TaskStatus};
//!
//! let endpoint = LocalEndpoint::start_demo()?;
//! let (ak, sk, project_id) = endpoint.demo_credentials();
//! println!("{} accepts {ak} for project {project_id}", endpoint.url());
//! assert_eq!(endpoint.task_status(project_id, endpoint.demo_task_id()), Some(TaskStatus::Succeed));
//! endpoint.add_task(project_id, "my-task", TaskStatus::Canceled);
//! # let _ = sk;
//! endpoint.shutdown();
//! # Ok::<(), huaweicloud_aksk::server::ServeError>(())
//! ```

mod handler;
mod lockout;
mod state;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

pub use state::{
    DEMO_ACCESS_KEY, DEMO_PROCESSING_TASK_ID, DEMO_PROJECT_ID, DEMO_SECRET_KEY, DEMO_TASK_ID,
    EndpointCredentials, State, Task, TaskStatus, Token,
};

use handler::{Limits, Shared};

/// How a [`LocalEndpoint`] is set up.
///
/// ```
/// use std::time::Duration;
/// use huaweicloud_aksk::server::{EndpointConfig, State, Token};
///
/// let mut state = State::demo();
/// state.tokens.push(Token::new("my-iam-token", "0123456789abcdef0123456789abcdef"));
/// let config = EndpointConfig::new(state)
///     .addr("127.0.0.1:0".parse().unwrap())
///     .lockout(5, Duration::from_secs(60))
///     .workers(4);
/// # let _ = config;
/// ```
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    addr: SocketAddr,
    state: State,
    workers: usize,
    max_body: usize,
    max_skew: Duration,
    lockout_threshold: u32,
    lockout_duration: Duration,
}

impl EndpointConfig {
    /// Serves `state` on `127.0.0.1:0` (a free port), with the gateway's limits: 15 minutes
    /// of clock skew, five failures lock an access key for five minutes; eight worker
    /// threads; bodies up to 1 MiB.
    pub fn new(state: State) -> Self {
        EndpointConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            state,
            workers: 8,
            max_body: 1 << 20,
            max_skew: crate::verify::DEFAULT_MAX_SKEW,
            lockout_threshold: 5,
            lockout_duration: Duration::from_secs(5 * 60),
        }
    }

    /// The built-in demo set ([`State::demo`]) on a free loopback port.
    pub fn demo() -> Self {
        EndpointConfig::new(State::demo())
    }

    /// Listens on `addr` (port 0: a free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Serves with `workers` threads (at least one).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Refuses bodies longer than `bytes` (413).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Accepts an `X-Sdk-Date` at most `skew` away from the endpoint's clock.
    pub fn max_skew(mut self, skew: Duration) -> Self {
        self.max_skew = skew;
        self
    }

    /// Locks an access key for `duration` after `threshold` failed authentications in a
    /// row (`threshold` 0: never).
    pub fn lockout(mut self, threshold: u32, duration: Duration) -> Self {
        self.lockout_threshold = threshold;
        self.lockout_duration = duration;
        self
    }

    /// Accepts `X-Auth-Token: token` for `project_id`.
    pub fn token(mut self, token: impl Into<String>, project_id: impl Into<String>) -> Self {
        self.state.tokens.push(Token::new(token, project_id));
        self
    }

    /// The state the endpoint starts with.
    pub fn state(&self) -> &State {
        &self.state
    }
}

impl Default for EndpointConfig {
    fn default() -> Self {
        EndpointConfig::demo()
    }
}

/// Why the endpoint could not start.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServeError {
    /// The address cannot be listened on (in use, not local, no permission).
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        message: String,
    },
    /// The state file cannot be read or is not valid.
    StateFile {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The state is not valid (duplicate ids, empty keys...).
    InvalidState {
        /// Why.
        reason: String,
    },
}

impl ServeError {
    fn invalid_state(reason: impl Into<String>) -> Self {
        ServeError::InvalidState {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Bind { addr, message } => write!(f, "cannot listen on {addr}: {message}"),
            ServeError::StateFile { path, message } => {
                write!(f, "state file {}: {message}", path.display())
            }
            ServeError::InvalidState { reason } => write!(f, "invalid state: {reason}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// A running local MPC endpoint. Dropping it (or [`LocalEndpoint::shutdown`]) stops it and
/// joins its threads.
pub struct LocalEndpoint {
    addr: SocketAddr,
    server: Arc<tiny_http::Server>,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
    credentials: Vec<EndpointCredentials>,
}

impl fmt::Debug for LocalEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalEndpoint")
            .field("addr", &self.addr)
            .field("credentials", &self.credentials)
            .field("workers", &self.workers.len())
            .finish_non_exhaustive()
    }
}

impl LocalEndpoint {
    /// Starts serving; returns once the port is listening.
    pub fn start(config: EndpointConfig) -> Result<LocalEndpoint, ServeError> {
        config.state.validate()?;
        let server = tiny_http::Server::http(config.addr).map_err(|e| ServeError::Bind {
            addr: config.addr,
            message: e.to_string(),
        })?;
        let addr = server.server_addr().to_ip().unwrap_or(config.addr);
        let server = Arc::new(server);
        let shared = Arc::new(Shared::new(
            &config.state,
            Limits {
                max_body: config.max_body,
                max_skew: config.max_skew,
                lockout_threshold: config.lockout_threshold,
                lockout_duration: config.lockout_duration,
            },
        ));
        let stop = Arc::new(AtomicBool::new(false));
        let mut endpoint = LocalEndpoint {
            addr,
            server,
            shared,
            stop,
            workers: Vec::with_capacity(config.workers),
            credentials: config.state.credentials.clone(),
        };
        for i in 0..config.workers {
            let (server, shared, stop) = (
                Arc::clone(&endpoint.server),
                Arc::clone(&endpoint.shared),
                Arc::clone(&endpoint.stop),
            );
            let spawned = std::thread::Builder::new()
                .name(format!("aksk-serve-{i}"))
                .spawn(move || work(&server, &shared, &stop));
            match spawned {
                Ok(handle) => endpoint.workers.push(handle),
                // Serve with the threads we have; none at all is an error.
                Err(e) if endpoint.workers.is_empty() => {
                    return Err(ServeError::Bind {
                        addr,
                        message: format!("cannot start a worker thread: {e}"),
                    });
                }
                Err(_) => break,
            }
        }
        Ok(endpoint)
    }

    /// Starts the built-in demo set ([`State::demo`]) on a free loopback port.
    pub fn start_demo() -> Result<LocalEndpoint, ServeError> {
        LocalEndpoint::start(EndpointConfig::demo())
    }

    /// The base URL, `http://127.0.0.1:PORT`: give it to a client as its endpoint.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The AK/SK credentials accepted, with their projects.
    pub fn credentials(&self) -> &[EndpointCredentials] {
        &self.credentials
    }

    /// The demo credentials `(ak, sk, project_id)`: [`DEMO_ACCESS_KEY`],
    /// [`DEMO_SECRET_KEY`], [`DEMO_PROJECT_ID`]. They are accepted when the endpoint serves
    /// the demo set ([`LocalEndpoint::start_demo`]).
    pub fn demo_credentials(&self) -> (&'static str, &'static str, &'static str) {
        (DEMO_ACCESS_KEY, DEMO_SECRET_KEY, DEMO_PROJECT_ID)
    }

    /// A task of the demo set whose record can be deleted: [`DEMO_TASK_ID`] (`SUCCEED`).
    pub fn demo_task_id(&self) -> &'static str {
        DEMO_TASK_ID
    }

    /// Adds a task record, or sets the status of an existing one.
    pub fn add_task(
        &self,
        project_id: impl Into<String>,
        task_id: impl Into<String>,
        status: TaskStatus,
    ) {
        self.shared
            .tasks()
            .insert((project_id.into(), task_id.into()), status);
    }

    /// The status of a task record, or `None` when there is no such record (or it was
    /// deleted).
    pub fn task_status(&self, project_id: &str, task_id: &str) -> Option<TaskStatus> {
        self.shared
            .tasks()
            .get(&(project_id.to_owned(), task_id.to_owned()))
            .copied()
    }

    /// Every task record, sorted by project and task id.
    pub fn tasks(&self) -> Vec<Task> {
        self.shared.snapshot()
    }

    /// Serves until the process ends (for `aksk serve`).
    pub fn wait(mut self) {
        for handle in std::mem::take(&mut self.workers) {
            let _ = handle.join();
        }
    }

    /// Stops serving and joins the worker threads. Requests already queued are answered
    /// first; connections still open are closed when their clients close them.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Each unblock wakes one worker blocked in recv; queued requests come first.
        for _ in 0..self.workers.len() {
            self.server.unblock();
        }
        for handle in std::mem::take(&mut self.workers) {
            let _ = handle.join();
        }
    }
}

impl Drop for LocalEndpoint {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// How many requests with a body may be read at once, each on a thread of its own.
const MAX_BODY_READERS: usize = 256;

/// Requests whose body is being read on a thread of its own.
static BODY_READERS: AtomicUsize = AtomicUsize::new(0);

/// A worker: answers requests until the endpoint stops.
fn work(server: &tiny_http::Server, shared: &Arc<Shared>, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        match server.recv() {
            Ok(rq) if has_body(&rq) => read_aside(shared, rq),
            Ok(rq) => answer_caught(shared, rq),
            // Unblocked by shutdown, or the listener failed: check the flag again.
            Err(_) if stop.load(Ordering::SeqCst) => break,
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Answers one request; a bug in answering it must not take the worker away: the client
/// sees its connection closed, the worker goes on.
fn answer_caught(shared: &Shared, rq: tiny_http::Request) {
    let answered =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler::handle(shared, rq)));
    let _ = answered;
}

/// Does the request announce a body (a length above zero, or chunks)?
fn has_body(rq: &tiny_http::Request) -> bool {
    match rq.body_length() {
        Some(n) => n > 0,
        None => rq
            .headers()
            .iter()
            .any(|h| h.field.equiv("Transfer-Encoding")),
    }
}

/// A body may trickle in for as long as its client likes: it is read on a thread of its
/// own, so that slow uploads cannot hold every worker and stop the endpoint serving others.
fn read_aside(shared: &Arc<Shared>, rq: tiny_http::Request) {
    if BODY_READERS.fetch_add(1, Ordering::SeqCst) >= MAX_BODY_READERS {
        BODY_READERS.fetch_sub(1, Ordering::SeqCst);
        let _ = rq.respond(tiny_http::Response::empty(503));
        return;
    }
    let shared = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name("aksk-serve-body".into())
        .spawn(move || {
            answer_caught(&shared, rq);
            BODY_READERS.fetch_sub(1, Ordering::SeqCst);
        });
    if spawned.is_err() {
        BODY_READERS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Starts `config` and serves until the process ends, calling `ready` once listening.
pub fn serve(config: EndpointConfig, ready: impl FnOnce(&LocalEndpoint)) -> Result<(), ServeError> {
    let endpoint = LocalEndpoint::start(config)?;
    ready(&endpoint);
    endpoint.wait();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<LocalEndpoint>();
        assert_send_sync::<EndpointConfig>();
    }
}
