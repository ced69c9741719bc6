//! Media Processing Center (MPC): the delete-packaging-task-records call (DeleteRemuxTask).
//!
//! The call model is sans-IO and always available: what the call sends
//! ([`DeleteRemuxTask`]), where it goes ([`Endpoint`], [`REGIONS`]), what its answers mean
//! ([`DeleteOutcome`], [`MpcError`]), when to retry ([`RetryPolicy`]) and how to read the
//! gateway's clock ([`skew_from_expired_message`]). With the `blocking` feature (on by
//! default), [`MpcClient`] sends it over `ureq`.
//!
//! ```no_run
//! # #[cfg(feature = "blocking")] {
//! use huaweicloud_aksk::loader;
//! use huaweicloud_aksk::mpc::MpcClient;
//!
//! // Credentials and project id from HUAWEICLOUD_SDK_* or ~/.huaweicloud/credentials.
//! let (credentials, project_id) = loader::load_credentials()?;
//! let client = MpcClient::builder()
//!     .credentials(credentials)
//!     .project_id(project_id.unwrap_or_default())
//!     .region("cn-north-4")
//!     .build()?;
//! let outcome = client.delete_remux_task("100211")?;
//! println!("{outcome:?}");
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "blocking")]
mod client;
mod delete_remux_task;
mod endpoint;
mod error;
mod json;
#[cfg(any(feature = "blocking", feature = "server"))]
pub mod model;
mod retry;
mod skew;
mod trace;

#[cfg(feature = "blocking")]
pub use client::{DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, MpcClient, MpcClientBuilder};
pub use delete_remux_task::{
    DeleteOutcome, DeleteRemuxTask, MAX_BODY_BYTES, MAX_ID_BYTES, USER_AGENT, check_id,
    check_project_id,
};
pub use endpoint::{Endpoint, REGIONS, Scheme, region_env_var};
pub use error::{
    ApiError, ConfigError, ErrorCode, InvalidInput, MpcError, SNIPPET_CHARS, TransportError,
    TransportErrorKind, UnexpectedResponse,
};
pub use retry::{DEFAULT_MAX_ATTEMPTS, RetryPolicy, parse_retry_after};
pub use skew::{DATE_SKEW_THRESHOLD, skew_from_date_header, skew_from_expired_message};
pub use trace::{Event, redacted_request, response_summary};
