//! What the local endpoint knows: credentials, tokens and packaging task records, as read
//! from a JSON state file or taken from the built-in demo set.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::mpc::model::RemuxTask;
pub use crate::mpc::model::TaskStatus;
use crate::server::ServeError;
use crate::sign::credentials::Credentials;

/// The demo access key (AK).
pub const DEMO_ACCESS_KEY: &str = "HWCEXAMPLEAK0123TEST";
/// The demo secret key (SK). It is public: never use it for anything but the local endpoint.
pub const DEMO_SECRET_KEY: &str = "HWCexampleSK0123456789abcdefghijklmnopqrST";
/// The demo project id.
pub const DEMO_PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";
/// A demo task whose record can be deleted (`SUCCEED`).
pub const DEMO_TASK_ID: &str = "100211";
/// A demo task that is still running (`PROCESSING`): deleting it is refused.
pub const DEMO_PROCESSING_TASK_ID: &str = "100214";

/// A packaging task record: the project it belongs to, and the task as MPC's list call
/// shows it (in a state file, the task's fields sit beside `project_id`).
///
/// `complete_ratio` is not kept: the endpoint works it out from the status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// The project the task belongs to.
    pub project_id: String,
    /// The task.
    #[serde(flatten)]
    pub task: RemuxTask,
}

impl Task {
    /// A task record with only an id and a status.
    pub fn new(
        project_id: impl Into<String>,
        task_id: impl Into<String>,
        status: TaskStatus,
    ) -> Self {
        Task {
            project_id: project_id.into(),
            task: RemuxTask::new(task_id, status),
        }
    }
}

/// AK/SK credentials the endpoint accepts, and the project they act on.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointCredentials {
    /// The access key.
    pub ak: String,
    /// The secret key.
    pub sk: String,
    /// The project these credentials may act on.
    pub project_id: String,
}

impl EndpointCredentials {
    /// Credentials for `project_id`.
    pub fn new(
        ak: impl Into<String>,
        sk: impl Into<String>,
        project_id: impl Into<String>,
    ) -> Self {
        EndpointCredentials {
            ak: ak.into(),
            sk: sk.into(),
            project_id: project_id.into(),
        }
    }

    /// The AK/SK as signing [`Credentials`].
    pub fn to_credentials(&self) -> Credentials {
        Credentials::new(self.ak.clone(), self.sk.clone())
    }
}

impl fmt::Debug for EndpointCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointCredentials")
            .field("ak", &self.ak)
            .field("sk", &"<redacted>")
            .field("project_id", &self.project_id)
            .finish()
    }
}

/// An IAM token (`X-Auth-Token`) the endpoint accepts, and its project.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// The token, as sent in `X-Auth-Token`.
    pub token: String,
    /// The project the token is scoped to.
    pub project_id: String,
}

impl Token {
    /// A token scoped to `project_id`.
    pub fn new(token: impl Into<String>, project_id: impl Into<String>) -> Self {
        Token {
            token: token.into(),
            project_id: project_id.into(),
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("token", &"<redacted>")
            .field("project_id", &self.project_id)
            .finish()
    }
}

/// Everything the endpoint starts with: the JSON of `aksk serve --state FILE`.
///
/// ```
/// use huaweicloud_aksk::server::{State, TaskStatus};
///
/// let state = State::from_json(r#"{
///     "credentials": [{"ak": "MYAK", "sk": "MYSK", "project_id": "p1"}],
///     "tasks": [{"project_id": "p1", "task_id": "t1", "status": "SUCCEED"}]
/// }"#)?;
/// assert_eq!(state.tasks[0].task.status, TaskStatus::Succeed);
/// # Ok::<(), huaweicloud_aksk::server::ServeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// AK/SK credentials accepted (at least one, unless tokens are given).
    #[serde(default)]
    pub credentials: Vec<EndpointCredentials>,
    /// `X-Auth-Token` tokens accepted (optional).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<Token>,
    /// The task records.
    #[serde(default)]
    pub tasks: Vec<Task>,
}

impl State {
    /// The built-in demo set: the demo credentials ([`DEMO_ACCESS_KEY`],
    /// [`DEMO_SECRET_KEY`], [`DEMO_PROJECT_ID`]) and six tasks of that project:
    /// `100211` `SUCCEED`, `100212` `FAILED`, `100213` `CANCELED` (deletable), `100214`
    /// `PROCESSING`, `100215` `WAITING` and `100216` `INIT` (not deletable).
    pub fn demo() -> State {
        let task = |id: &str, status| Task::new(DEMO_PROJECT_ID, id, status);
        State {
            credentials: vec![EndpointCredentials::new(
                DEMO_ACCESS_KEY,
                DEMO_SECRET_KEY,
                DEMO_PROJECT_ID,
            )],
            tokens: Vec::new(),
            tasks: vec![
                task(DEMO_TASK_ID, TaskStatus::Succeed),
                task("100212", TaskStatus::Failed),
                task("100213", TaskStatus::Canceled),
                task(DEMO_PROCESSING_TASK_ID, TaskStatus::Processing),
                task("100215", TaskStatus::Waiting),
                task("100216", TaskStatus::Init),
            ],
        }
    }

    /// Parses and checks the JSON form.
    pub fn from_json(json: &str) -> Result<State, ServeError> {
        let state: State = serde_json::from_str(json)
            .map_err(|e| ServeError::invalid_state(format!("invalid JSON: {}", json_error(&e))))?;
        state.validate()?;
        Ok(state)
    }

    /// Reads, parses and checks a state file.
    pub fn load(path: impl AsRef<Path>) -> Result<State, ServeError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| ServeError::StateFile {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        State::from_json(&text).map_err(|e| match e {
            ServeError::InvalidState { reason } => ServeError::StateFile {
                path: path.to_owned(),
                message: reason,
            },
            other => other,
        })
    }

    /// Checks that credentials can sign, that ids are non-empty, and that no access key,
    /// token or task appears twice.
    pub fn validate(&self) -> Result<(), ServeError> {
        if self.credentials.is_empty() && self.tokens.is_empty() {
            return Err(ServeError::invalid_state(
                "no credentials and no tokens: nothing could authenticate",
            ));
        }
        let mut aks = HashSet::new();
        for (i, c) in self.credentials.iter().enumerate() {
            c.to_credentials()
                .validate()
                .map_err(|e| ServeError::invalid_state(format!("credentials[{i}]: {e}")))?;
            if c.project_id.is_empty() {
                return Err(ServeError::invalid_state(format!(
                    "credentials[{i}]: empty project_id"
                )));
            }
            if !aks.insert(c.ak.as_str()) {
                return Err(ServeError::invalid_state(format!(
                    "credentials[{i}]: access key {} given twice",
                    c.ak
                )));
            }
        }
        let mut tokens = HashSet::new();
        for (i, t) in self.tokens.iter().enumerate() {
            if t.token.is_empty() || t.project_id.is_empty() {
                return Err(ServeError::invalid_state(format!(
                    "tokens[{i}]: empty token or project_id"
                )));
            }
            if !tokens.insert(t.token.as_str()) {
                return Err(ServeError::invalid_state(format!(
                    "tokens[{i}]: token given twice"
                )));
            }
        }
        let mut tasks = HashSet::new();
        for (i, t) in self.tasks.iter().enumerate() {
            if t.task.task_id.is_empty() || t.project_id.is_empty() {
                return Err(ServeError::invalid_state(format!(
                    "tasks[{i}]: empty task_id or project_id"
                )));
            }
            for (name, time) in [
                ("create_time", &t.task.create_time),
                ("start_time", &t.task.start_time),
                ("end_time", &t.task.end_time),
            ] {
                if time.as_deref().is_some_and(|v| !is_mpc_time(v)) {
                    return Err(ServeError::invalid_state(format!(
                        "tasks[{i}]: {name} is not yyyymmddhhmmss"
                    )));
                }
            }
            if t.task.complete_ratio.is_some() {
                return Err(ServeError::invalid_state(format!(
                    "tasks[{i}]: complete_ratio is worked out from the status; leave it out"
                )));
            }
            if !tasks.insert((t.project_id.as_str(), t.task.task_id.as_str())) {
                return Err(ServeError::invalid_state(format!(
                    "tasks[{i}]: task {} of project {} given twice",
                    t.task.task_id, t.project_id
                )));
            }
        }
        Ok(())
    }
}

/// The message of a JSON error without the string value it quotes: serde writes
/// `invalid type: string "...", expected ...`, and a secret key or token put in the wrong
/// place would be echoed.
fn json_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match (msg.find("string \""), msg.rfind("\", expected")) {
        (Some(start), Some(end)) if start + 8 <= end => {
            format!("{}string{}", &msg[..start], &msg[end + 1..])
        }
        _ => msg,
    }
}

/// Is `v` a time as MPC writes it: `yyyymmddhhmmss`, a valid UTC date and time?
pub(crate) fn is_mpc_time(v: &str) -> bool {
    v.len() == 14
        && v.bytes().all(|b| b.is_ascii_digit())
        && chrono::NaiveDateTime::parse_from_str(v, "%Y%m%d%H%M%S").is_ok()
}
