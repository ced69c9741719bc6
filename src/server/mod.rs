//! The embedded local MPC endpoint: MPC's packaging-task (remux) calls with MPC's answers,
//! behind the gateway's AK/SK signature check, on a loopback port.
//!
//! It lets the whole loop run on one machine with no cloud account, and is a test double
//! for any client (this crate's, the official SDKs') that checks signatures as the API
//! gateway does:
//!
//! - `POST /v1/{project_id}/remux` creates a task (`INIT`; with
//!   [`EndpointConfig::task_progress`] it moves on to `WAITING`, `PROCESSING` and
//!   `SUCCEED`); `GET` lists tasks (`task_id` at most 10, `status`, `start_time`/`end_time`,
//!   `input_bucket`, `input_object`, `page`, `size` 1 to 100), newest first; `DELETE
//!   ?task_id=` cancels a queued task; `PUT {"task_id"}` retries a failed one;
//! - `DELETE /v1/{project_id}/remux/task?task_id=` deletes a record in a final state
//!   (`SUCCEED`, `FAILED`, `CANCELED`): 204, and it is gone; an unknown task: 403
//!   `MPC.10211`; a task not in a final state: 403 `MPC.10213`; a bad parameter: 400
//!   `MPC.10202`; a project id in the path other than `X-Project-Id`, or other than the
//!   credentials' project, or a task in the wrong state to cancel or retry: 403 `MPC.10212`;
//! - a missing, malformed, wrong, expired or unknown-AK signature, or an unknown
//!   `X-Auth-Token`: 401 `APIGW.0301` with the gateway's message (see
//!   [`VerifyError`](crate::verify::VerifyError)), capped in length; five failures in a row
//!   lock the access key for five minutes (both configurable); over
//!   [`EndpointConfig::rate_limit`] requests a minute: 429 `APIG.0308`;
//! - any other method or path: 404 `APIGW.0101`; a body over 12 MB: 413, refused as soon
//!   as the excess arrives; malformed framing: 400 and the connection closed;
//! - every answer carries an `X-Request-Id`.
//!
//! Records are kept in SQLite, in memory or in a file ([`EndpointConfig::database`]); an
//! answer is sent only once its change is committed. The endpoint runs on its own thread
//! with its own async runtime: callers need none.
//!
//! ```
//! use huaweicloud_aksk::server::{DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_TASK_ID, LocalEndpoint, TaskStatus};
//!
//! // The demo set: DEMO_ACCESS_KEY / DEMO_SECRET_KEY for project DEMO_PROJECT_ID.
//! let endpoint = LocalEndpoint::start_demo()?;
//! println!("{} accepts {DEMO_ACCESS_KEY} for project {DEMO_PROJECT_ID}", endpoint.url());
//! assert_eq!(endpoint.task_status(DEMO_PROJECT_ID, DEMO_TASK_ID), Some(TaskStatus::Succeed));
//! endpoint.add_task(DEMO_PROJECT_ID, "my-task", TaskStatus::Canceled);
//! endpoint.shutdown();
//! # Ok::<(), huaweicloud_aksk::server::ServeError>(())
//! ```

mod gateway;
mod http;
mod iam;
mod lockout;
mod metadata;
mod routes;
mod state;
mod store;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub use http::{
    BODY_READ_TIMEOUT, HEADER_READ_TIMEOUT, MAX_CONNECTIONS, MAX_HEAD_BYTES, MAX_HEADERS,
};
pub use state::{
    DEMO_ACCESS_KEY, DEMO_PROCESSING_TASK_ID, DEMO_PROJECT_ID, DEMO_SECRET_KEY, DEMO_TASK_ID,
    EndpointCredentials, State, Task, TaskStatus, Token,
};

use gateway::Gateway;
use lockout::Lockout;
pub use metadata::DEFAULT_TEMPORARY_CREDENTIALS_TTL;
use routes::Shared;
use store::Store;

/// The largest request body accepted: 12 MB, as the API gateway documents.
pub const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;

/// Whether the local endpoint logs its requests ([`EndpointConfig::access_log`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AccessLog {
    /// No access log. The default.
    #[default]
    Off,
    /// One line per request on stderr: time, method, path, status, access key,
    /// milliseconds.
    Stderr,
}

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
///     .rate_limit(100)
///     .workers(2);
/// # let _ = config;
/// ```
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    addr: SocketAddr,
    state: State,
    database: Option<PathBuf>,
    workers: usize,
    max_body: usize,
    max_skew: Duration,
    lockout_threshold: u32,
    lockout_duration: Duration,
    rate_limit: Option<u32>,
    task_progress: Option<Duration>,
    access_log: AccessLog,
    temporary_ttl: Duration,
}

impl EndpointConfig {
    /// Serves `state` on `127.0.0.1:0` (a free port), in memory, with the gateway's limits:
    /// 15 minutes of clock skew, five failures lock an access key for five minutes, bodies
    /// up to [`MAX_BODY_BYTES`], no rate limit; two runtime threads; no access log.
    pub fn new(state: State) -> Self {
        EndpointConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            state,
            database: None,
            workers: 2,
            max_body: MAX_BODY_BYTES,
            max_skew: crate::verify::DEFAULT_MAX_SKEW,
            lockout_threshold: 5,
            lockout_duration: Duration::from_secs(5 * 60),
            rate_limit: None,
            task_progress: None,
            access_log: AccessLog::Off,
            temporary_ttl: DEFAULT_TEMPORARY_CREDENTIALS_TTL,
        }
    }

    /// The built-in demo set ([`State::demo`]) on a free loopback port.
    pub fn demo() -> Self {
        EndpointConfig::new(State::demo())
    }

    /// How long the temporary credentials of the metadata paths are valid
    /// ([`DEFAULT_TEMPORARY_CREDENTIALS_TTL`] unless set; at most a day).
    pub fn temporary_credentials_ttl(mut self, ttl: Duration) -> Self {
        self.temporary_ttl = ttl.min(Duration::from_secs(86_400));
        self
    }

    /// Listens on `addr` (port 0: a free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Keeps the records in the SQLite database at `path`, created if need be. The state's
    /// credentials and tokens are added to it; its tasks only when the database is new, so
    /// that a restart does not bring back records deleted since.
    pub fn database(mut self, path: impl Into<PathBuf>) -> Self {
        self.database = Some(path.into());
        self
    }

    /// Runs the async runtime with `workers` threads (at least one). Store calls run on
    /// the runtime's blocking threads.
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

    /// Answers 429 `APIG.0308` to an access key (or token) past `per_minute` requests in a
    /// minute, as the gateway does.
    pub fn rate_limit(mut self, per_minute: u32) -> Self {
        self.rate_limit = Some(per_minute);
        self
    }

    /// Moves created tasks from `INIT` through `WAITING` and `PROCESSING` to `SUCCEED`
    /// over `total` (zero: they stay `INIT`).
    pub fn task_progress(mut self, total: Duration) -> Self {
        self.task_progress = Some(total).filter(|t| !t.is_zero());
        self
    }

    /// Where the access log goes ([`AccessLog::Off`] by default).
    pub fn access_log(mut self, access_log: AccessLog) -> Self {
        self.access_log = access_log;
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

/// A running local MPC endpoint. Dropping it (or [`LocalEndpoint::shutdown`]) stops it:
/// requests in flight are answered, then its thread ends.
pub struct LocalEndpoint {
    addr: SocketAddr,
    shared: Arc<Shared>,
    credentials: Vec<EndpointCredentials>,
    runtime: tokio::runtime::Handle,
    stop: tokio::sync::watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for LocalEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalEndpoint")
            .field("addr", &self.addr)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

fn bind_error(addr: SocketAddr, e: impl fmt::Display) -> ServeError {
    ServeError::Bind {
        addr,
        message: e.to_string(),
    }
}

impl LocalEndpoint {
    /// Opens the store, starts serving, and returns once the port is listening.
    pub fn start(config: EndpointConfig) -> Result<LocalEndpoint, ServeError> {
        let given = &config.state;
        if !(given.credentials.is_empty() && given.tokens.is_empty() && given.tasks.is_empty()) {
            given.validate()?;
        }
        let store = Store::open(config.database.as_deref(), config.task_progress)?;
        let new = !store.is_initialized()?;
        store.import(given, new)?;
        let state = store.export()?;
        state.validate()?;

        let gateway = Gateway::new(
            &state,
            config.max_skew,
            Lockout::new(config.lockout_threshold, config.lockout_duration),
            config.rate_limit,
        );
        let shared = Arc::new(
            Shared::new(
                gateway,
                Arc::new(store),
                config.max_body,
                BODY_READ_TIMEOUT,
                config.access_log == AccessLog::Stderr,
            )
            .with_temporary(metadata::TemporaryKeys::new(
                config.temporary_ttl,
                state.credentials.first().map(|c| c.project_id.clone()),
                config.max_skew,
            )),
        );

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(config.workers)
            .thread_name("aksk-serve")
            .enable_all()
            .build()
            .map_err(|e| bind_error(config.addr, format!("cannot start the runtime: {e}")))?;
        let listener =
            std::net::TcpListener::bind(config.addr).map_err(|e| bind_error(config.addr, e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| bind_error(config.addr, e))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| bind_error(addr, e))?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(|e| bind_error(addr, e))?
        };
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let handle = runtime.handle().clone();
        let served = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("aksk-serve-main".into())
            .spawn(move || {
                runtime.block_on(http::serve(listener, served, stopped));
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .map_err(|e| bind_error(addr, format!("cannot start a thread: {e}")))?;
        Ok(LocalEndpoint {
            addr,
            shared,
            credentials: state.credentials,
            runtime: handle,
            stop,
            thread: Some(thread),
        })
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

    /// Adds a task record, or sets the status of an existing one.
    ///
    /// # Panics
    /// When the store cannot be written (a database file that became unwritable).
    pub fn add_task(
        &self,
        project_id: impl Into<String>,
        task_id: impl Into<String>,
        status: TaskStatus,
    ) {
        let (p, t) = (project_id.into(), task_id.into());
        if let Err(e) = self.shared.store.set_status(&p, &t, status) {
            panic!("cannot add task {t} to the store: {e:?}");
        }
    }

    /// The status of a task record, or `None` when there is no such record (or it was
    /// deleted).
    ///
    /// # Panics
    /// When the store cannot be read.
    pub fn task_status(&self, project_id: &str, task_id: &str) -> Option<TaskStatus> {
        match self.shared.store.status(project_id, task_id) {
            Ok(s) => s,
            Err(e) => panic!("cannot read task {task_id} from the store: {e:?}"),
        }
    }

    /// Every task record, sorted by project and task id.
    ///
    /// # Panics
    /// When the store cannot be read.
    pub fn tasks(&self) -> Vec<Task> {
        match self.shared.store.tasks() {
            Ok(t) => t,
            Err(e) => panic!("cannot read the tasks from the store: {e:?}"),
        }
    }

    /// Everything the endpoint holds, as a state file: credentials, tokens, tasks.
    pub fn export_state(&self) -> Result<State, ServeError> {
        self.shared.store.export()
    }

    /// Answers the raw bytes of one or more HTTP/1.1 requests as a connection would, and
    /// gives the bytes written back. No socket is used: this is for fuzzing and tests.
    pub fn answer_raw(&self, request: &[u8]) -> Vec<u8> {
        self.runtime
            .block_on(http::answer_raw(Arc::clone(&self.shared), request.to_vec()))
    }

    /// Serves until the process ends (for `aksk serve`).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Stops accepting, lets requests in flight finish, and joins the endpoint's thread.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for LocalEndpoint {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// The state held in the database at `path` (for `aksk serve --db PATH --export-state
/// FILE`).
pub fn export_database(path: &Path) -> Result<State, ServeError> {
    if !path.exists() {
        return Err(ServeError::StateFile {
            path: path.to_owned(),
            message: "no such database".into(),
        });
    }
    Store::open(Some(path), None)?.export()
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

    #[test]
    fn a_request_can_be_answered_without_a_socket() {
        let endpoint = LocalEndpoint::start_demo().expect("the demo endpoint starts");
        let out = endpoint.answer_raw(b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 404 "), "{text}");
        assert!(text.contains("APIGW.0101"), "{text}");
    }
}
