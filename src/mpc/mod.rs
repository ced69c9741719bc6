//! Media Processing Center (MPC): the packaging task (remux) calls, as sans-IO models and a
//! blocking client.
//!
//! - What every call shares: [`ProjectId`], [`ErrorCode`], [`InvalidInput`],
//!   [`USER_AGENT`], the limits.
//! - [`Call`]: what a call sends and what its answers mean, one type per call:
//!   [`CreateRemuxTask`], [`ListRemuxTasks`] (and [`Pager`], the walk through every page),
//!   [`CancelRemuxTask`], [`RetryRemuxTask`], [`DeleteRemuxTask`] (answers
//!   [`DeleteOutcome`]); their JSON in [`model`].
//! - [`Pace`]: the client-side limit on requests a minute, shared by every call of a
//!   client.
//! - [`Endpoint`]: where calls go ([`REGIONS`], or a URL).
//! - [`MpcError`]: why a call failed, as types to match on.
//! - [`MpcClient`] (feature `blocking`, on by default): sends any [`Call`] over `ureq`,
//!   each attempt signed afresh, retried as the [`RetryPolicy`] says.
//!
//! ```no_run
//! # #[cfg(feature = "blocking")] {
//! use huaweicloud_aksk::credentials::loader::Loader;
//! use huaweicloud_aksk::mpc::MpcClient;
//!
//! // Credentials and project id from HUAWEICLOUD_SDK_* or ~/.huaweicloud/credentials.
//! let loaded = Loader::new().load()?;
//! let client = MpcClient::builder()
//!     .credentials(loaded.credentials)
//!     .project_id(loaded.project_id.ok_or("no project id")?)
//!     .region("cn-north-4")
//!     .build()?;
//! let outcome = client.delete_remux_task("100211")?;
//! println!("{outcome:?}");
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Where things are
//! Adding a call is one file beside `delete_remux_task.rs` implementing [`Call`], its
//! re-export here, and, for a shortcut, one method on [`MpcClient`]. The whole retry policy
//! (done, sign again, retry after a wait, fail) is `retry.rs`.

mod call;
mod cancel_remux_task;
#[cfg(feature = "blocking")]
mod client;
mod common;
mod create_remux_task;
mod delete_remux_task;
mod endpoint;
mod error;
mod list_remux_tasks;
pub mod model;
mod pace;
#[cfg(feature = "blocking")]
mod proxy;
// The policy is sans-IO and tested on its own; only the blocking client acts on it.
#[cfg_attr(not(feature = "blocking"), allow(dead_code))]
mod retry;
mod retry_remux_task;
#[cfg_attr(not(feature = "blocking"), allow(dead_code))]
mod skew;
mod trace;

pub use call::{Answer, BodyRead, Call, EarlierAttempts};
pub use cancel_remux_task::CancelRemuxTask;
#[cfg(feature = "blocking")]
pub use client::{
    Answered, ConfigError, DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, MpcClient,
    MpcClientBuilder, PlainHttp, Proxy, RemuxTasks,
};
pub use common::{
    ErrorCode, InvalidInput, InvalidReason, MAX_BODY_BYTES, MAX_ID_BYTES, MAX_TEXT_BYTES,
    ProjectId, USER_AGENT,
};
pub use create_remux_task::CreateRemuxTask;
pub use delete_remux_task::{DeleteOutcome, DeleteRemuxTask};
pub use endpoint::{Endpoint, EndpointError, REGIONS, Scheme, region_env_var};
pub use error::{
    ApiError, MpcError, SNIPPET_CHARS, SignatureExplanation, SignedSummary, TransportError,
    TransportErrorKind, UnexpectedResponse, explain_signature,
};
pub use list_remux_tasks::{
    ListRemuxTasks, MAX_LIST_BODY_BYTES, Pager, format_mpc_time, parse_mpc_time,
};
pub use model::{
    CreateRemuxTaskAnswer, CreateRemuxTaskBody, DEFAULT_LIST_PAGE_SIZE, ListRemuxTaskAnswer,
    MAX_LIST_PAGE_SIZE, MAX_LIST_TASK_IDS, ObsObjInfo, RemuxOutputParam, RemuxTask,
    RetryRemuxTaskBody, TaskStatus, UnknownStatus,
};
pub use pace::{DEFAULT_RATE_PER_MINUTE, Pace};
pub use retry::{DEFAULT_MAX_ATTEMPTS, RetryPolicy};
pub use retry_remux_task::RetryRemuxTask;
pub use trace::Event;
