//! MPC's packaging (remux) task as JSON: the task record, its status, the body of a create
//! call, and the answers of create and list. Field names and types follow MPC's API
//! reference and the official SDKs' models (`RemuxTask`, `ObsObjInfo`, `RemuxOutputParam`,
//! `CreateRemuxTaskReq`, `ListRemuxTaskResponse`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The status of a packaging (remux) task, as MPC names it.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    /// Created, not yet queued.
    Init,
    /// Queued.
    Waiting,
    /// Running.
    Processing,
    /// Completed.
    Succeed,
    /// Failed.
    Failed,
    /// Canceled.
    Canceled,
}

impl TaskStatus {
    /// Every status, in the order of a task's life.
    pub const ALL: [TaskStatus; 6] = [
        TaskStatus::Init,
        TaskStatus::Waiting,
        TaskStatus::Processing,
        TaskStatus::Succeed,
        TaskStatus::Failed,
        TaskStatus::Canceled,
    ];

    /// Is this a final state (`SUCCEED`, `FAILED`, `CANCELED`), whose record can be deleted?
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskStatus::Succeed | TaskStatus::Failed | TaskStatus::Canceled
        )
    }

    /// Is the task still queued (`INIT` or `WAITING`), so that it can be canceled?
    pub fn is_queued(self) -> bool {
        matches!(self, TaskStatus::Init | TaskStatus::Waiting)
    }

    /// The name MPC gives it, e.g. `SUCCEED`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Init => "INIT",
            TaskStatus::Waiting => "WAITING",
            TaskStatus::Processing => "PROCESSING",
            TaskStatus::Succeed => "SUCCEED",
            TaskStatus::Failed => "FAILED",
            TaskStatus::Canceled => "CANCELED",
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status name MPC does not use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStatus {
    name: String,
}

impl fmt::Display for UnknownStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown task status {:?} (expected INIT, WAITING, PROCESSING, SUCCEED, FAILED or CANCELED)",
            self.name
        )
    }
}

impl std::error::Error for UnknownStatus {}

impl FromStr for TaskStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, UnknownStatus> {
        TaskStatus::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownStatus { name: s.to_owned() })
    }
}

/// An OBS object (`ObsObjInfo`): where a task reads its input or writes its output.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ObsObjInfo {
    /// The bucket.
    pub bucket: String,
    /// The bucket's region (the MPC region).
    pub location: String,
    /// The object path (for an output: the folder).
    pub object: String,
    /// The output file name (outputs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

/// Output settings of a packaging task (`RemuxOutputParam`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RemuxOutputParam {
    /// `HLS` or `MP4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// HLS segment length in seconds (2 to 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_duration: Option<i32>,
    /// Drop the source's custom metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_meta: Option<bool>,
}

/// The body of `POST /v1/{project_id}/remux` (`CreateRemuxTaskReq`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CreateRemuxTaskBody {
    /// The source file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<ObsObjInfo>,
    /// Where the result goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<ObsObjInfo>,
    /// Free text kept with the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
    /// Output settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_param: Option<RemuxOutputParam>,
}

/// The answer of a create call: `{"task_id": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRemuxTaskAnswer {
    /// The new task's id.
    pub task_id: String,
}

/// The body of `PUT /v1/{project_id}/remux` (`RemuxRetryReq`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryRemuxTaskBody {
    /// The failed task to run again.
    #[serde(default)]
    pub task_id: Option<String>,
}

/// A packaging task as the list call answers it (`RemuxTask`). Times are
/// `yyyymmddhhmmss`, UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemuxTask {
    /// The task id.
    pub task_id: String,
    /// Its status.
    pub status: TaskStatus,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// When it started running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// The task's result code (failed tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The error description (failed tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The caller's data given at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
    /// The source file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<ObsObjInfo>,
    /// Where the result goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<ObsObjInfo>,
    /// Output settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_param: Option<RemuxOutputParam>,
    /// Percent done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete_ratio: Option<i32>,
}

impl RemuxTask {
    /// A task with only an id and a status.
    pub fn new(task_id: impl Into<String>, status: TaskStatus) -> Self {
        RemuxTask {
            task_id: task_id.into(),
            status,
            create_time: None,
            start_time: None,
            end_time: None,
            error_code: None,
            description: None,
            user_data: None,
            input: None,
            output: None,
            output_param: None,
            complete_ratio: None,
        }
    }
}

/// The answer of the list call: `{"total": N, "tasks": [...]}`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRemuxTaskAnswer {
    /// How many tasks match the query (on every page).
    pub total: u64,
    /// This page of them.
    pub tasks: Vec<RemuxTask>,
}

/// At most this many `task_id` in one list call.
pub const MAX_LIST_TASK_IDS: usize = 10;
/// The largest `size` of a list page.
pub const MAX_LIST_PAGE_SIZE: u32 = 100;
/// The `size` of a list page when none is given.
pub const DEFAULT_LIST_PAGE_SIZE: u32 = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in TaskStatus::ALL {
            assert_eq!(s.as_str().parse::<TaskStatus>(), Ok(s));
            assert_eq!(
                serde_json::to_string(&s).expect("a status serializes"),
                format!("\"{s}\"")
            );
        }
        assert!("DONE".parse::<TaskStatus>().is_err());
    }

    #[test]
    fn a_task_without_optional_fields_serializes_only_id_and_status() {
        let t = RemuxTask::new("1", TaskStatus::Init);
        assert_eq!(
            serde_json::to_string(&t).expect("a task serializes"),
            r#"{"task_id":"1","status":"INIT"}"#
        );
    }
}
