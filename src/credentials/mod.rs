//! Where credentials come from: a [`ProvideCredentials`] interface, the providers the
//! official SDKs chain (environment, profile file, ECS metadata), a [`ChainProvider`] that
//! takes the first that has credentials, and a [`CachingProvider`] that keeps temporary
//! credentials and refreshes them before they expire.
//!
//! - [`StaticProvider`]: credentials given in code.
//! - [`EnvProvider`]: `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, ... (see [`loader`]).
//! - [`ProfileProvider`]: `~/.huaweicloud/credentials` (see [`loader`]).
#![cfg_attr(
    feature = "blocking",
    doc = r#"- [`MetadataProvider`] (feature `blocking`): the temporary credentials of the agency of
  an ECS instance, from its metadata service.
- [`ChainProvider::default_chain`] (feature `blocking`): environment, then profile,
  then metadata (cached), as the official Go SDK's default chain.
- [`ProjectIdResolver`] (feature `blocking`): the project id of a region, asked of IAM."#
)]
#![cfg_attr(
    not(feature = "blocking"),
    doc = "- With the `blocking` feature: `MetadataProvider` (ECS metadata), \
           `ChainProvider::default_chain` and `ProjectIdResolver` (the project id from IAM)."
)]
//!
//!
//! ```
//! use huaweicloud_aksk::Credentials;
//! use huaweicloud_aksk::credentials::{ProvideCredentials, StaticProvider};
//!
//! let provider = StaticProvider::new(Credentials::new("HWCEXAMPLEAK0123TEST", "example-sk"));
//! let provided = provider.provide()?;
//! assert_eq!(provided.credentials.access_key(), "HWCEXAMPLEAK0123TEST");
//! assert_eq!(provided.expires_at, None);
//! # Ok::<(), huaweicloud_aksk::credentials::ProvideError>(())
//! ```
//!
//! A client that finds everything itself, as the official SDKs do: credentials from the
//! chain, the project id of the region from IAM.
//!
//! ```no_run
//! # #[cfg(feature = "blocking")] {
//! use huaweicloud_aksk::credentials::ChainProvider;
//! use huaweicloud_aksk::mpc::MpcClient;
//!
//! let client = MpcClient::builder()
//!     .credentials_provider(ChainProvider::default_chain())
//!     .region("cn-north-4")
//!     .build()?;
//! client.delete_remux_task("100211")?;
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};

use crate::Credentials;

#[cfg(feature = "blocking")]
mod iam;
pub mod loader;
#[cfg(feature = "blocking")]
mod metadata;

#[cfg(feature = "blocking")]
pub use iam::{
    DEFAULT_IAM_ENDPOINT, ENV_IAM_ENDPOINT, IAM_REGIONS, ProjectIdError, ProjectIdResolver,
    iam_endpoint,
};
#[cfg(feature = "blocking")]
pub use metadata::{DEFAULT_METADATA_ENDPOINT, ENV_METADATA_ENDPOINT, MetadataProvider};

use loader::{LoadError, Loader};

/// How long before they expire temporary credentials are refreshed by default (as the
/// official SDKs do).
pub const DEFAULT_REFRESH_BEFORE: TimeDelta = TimeDelta::minutes(40);

/// Credentials as a provider gives them.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct Provided {
    /// AK, SK and, for temporary credentials, the security token.
    pub credentials: Credentials,
    /// When temporary credentials stop working; `None` for long-lived ones.
    pub expires_at: Option<DateTime<Utc>>,
    /// The project id found with the credentials, if any.
    pub project_id: Option<String>,
}

impl Provided {
    /// Long-lived credentials, without a project id.
    pub fn new(credentials: Credentials) -> Self {
        Provided {
            credentials,
            expires_at: None,
            project_id: None,
        }
    }

    /// The same, stopping to work at `expires_at`.
    pub fn expiring_at(mut self, expires_at: DateTime<Utc>) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// The same, with a project id.
    pub fn with_project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }
}

/// Why a provider gave no credentials. Messages never hold a secret.
#[non_exhaustive]
#[derive(Debug)]
pub enum ProvideError {
    /// This provider has no credentials (nothing configured, no metadata service): a
    /// chain goes on to the next.
    NotFound {
        /// Where it looked.
        looked: String,
    },
    /// Credentials are configured but cannot be had or used: a chain stops here.
    Failed {
        /// The provider's name.
        provider: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// A chain in which no provider had credentials.
    NoneInChain {
        /// Each provider's [`ProvideError::NotFound`] message, in order.
        looked: Vec<String>,
    },
}

impl fmt::Display for ProvideError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProvideError::NotFound { looked } => write!(f, "no credentials: {looked}"),
            ProvideError::Failed { provider, reason } => {
                write!(f, "credentials from {provider}: {reason}")
            }
            ProvideError::NoneInChain { looked } => {
                write!(f, "no credentials found: {}", looked.join("; "))
            }
        }
    }
}

impl std::error::Error for ProvideError {}

impl ProvideError {
    fn from_load(provider: &'static str, e: LoadError) -> Self {
        match e {
            LoadError::NotFound { looked } => ProvideError::NotFound {
                looked: looked.join("; "),
            },
            other => ProvideError::Failed {
                provider,
                reason: other.to_string(),
            },
        }
    }
}

/// Something that gives credentials: the client asks before each signature, so a
/// provider of temporary credentials is wrapped in a [`CachingProvider`].
pub trait ProvideCredentials: fmt::Debug + Send + Sync {
    /// The credentials to sign with now.
    fn provide(&self) -> Result<Provided, ProvideError>;
}

impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Arc<P> {
    fn provide(&self) -> Result<Provided, ProvideError> {
        (**self).provide()
    }
}

impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Box<P> {
    fn provide(&self) -> Result<Provided, ProvideError> {
        (**self).provide()
    }
}

/// Checks that credentials can sign before a provider hands them out.
fn checked(provider: &'static str, provided: Provided) -> Result<Provided, ProvideError> {
    match provided.credentials.validate() {
        Ok(()) => Ok(provided),
        Err(e) => Err(ProvideError::Failed {
            provider,
            reason: format!("unusable credentials: {e}"),
        }),
    }
}

/// Credentials given in code.
#[derive(Debug, Clone)]
pub struct StaticProvider {
    provided: Provided,
}

impl StaticProvider {
    /// Long-lived credentials.
    pub fn new(credentials: Credentials) -> Self {
        StaticProvider {
            provided: Provided::new(credentials),
        }
    }

    /// Any [`Provided`], temporary ones included.
    pub fn from_provided(provided: Provided) -> Self {
        StaticProvider { provided }
    }
}

impl ProvideCredentials for StaticProvider {
    fn provide(&self) -> Result<Provided, ProvideError> {
        checked("the given credentials", self.provided.clone())
    }
}

/// The `HUAWEICLOUD_SDK_*` environment variables (see [`loader`]): `NotFound` when
/// neither AK nor SK is set, `Failed` when only one is.
#[derive(Debug, Default)]
pub struct EnvProvider {
    loader: Loader,
}

impl EnvProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        EnvProvider::default()
    }

    /// Reads variables through this loader's environment.
    pub fn with_loader(loader: Loader) -> Self {
        EnvProvider { loader }
    }
}

impl ProvideCredentials for EnvProvider {
    fn provide(&self) -> Result<Provided, ProvideError> {
        const NAME: &str = "the environment";
        match self.loader.read_env() {
            Ok(Some(loaded)) => checked(
                NAME,
                Provided {
                    credentials: loaded.credentials,
                    expires_at: None,
                    project_id: loaded.project_id,
                },
            ),
            Ok(None) => Err(ProvideError::NotFound {
                looked: format!("{} and {} are not set", loader::ENV_AK, loader::ENV_SK),
            }),
            Err(e) => Err(ProvideError::from_load(NAME, e)),
        }
    }
}

/// The `[basic]` section of the profile file (see [`loader`]).
#[derive(Debug, Default)]
pub struct ProfileProvider {
    loader: Loader,
}

impl ProfileProvider {
    /// Reads the file named by the process environment, or under its home directory.
    pub fn new() -> Self {
        ProfileProvider::default()
    }

    /// Finds the file through this loader's environment and home directory.
    pub fn with_loader(loader: Loader) -> Self {
        ProfileProvider { loader }
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide(&self) -> Result<Provided, ProvideError> {
        const NAME: &str = "the profile file";
        match self.loader.read_profile() {
            Ok(loaded) => checked(
                NAME,
                Provided {
                    credentials: loaded.credentials,
                    expires_at: None,
                    project_id: loaded.project_id,
                },
            ),
            Err(e) => Err(ProvideError::from_load(NAME, e)),
        }
    }
}

/// Asks each provider in turn: the first with credentials wins; one that has none
/// ([`ProvideError::NotFound`]) passes to the next; one that fails otherwise (half a key
/// pair, an unreadable file, a metadata service that refuses) ends the search with its
/// error, so that a mistake is not hidden by credentials found further on.
#[derive(Debug)]
pub struct ChainProvider {
    providers: Vec<Box<dyn ProvideCredentials>>,
}

impl ChainProvider {
    /// A chain of these providers, in order.
    pub fn new(providers: Vec<Box<dyn ProvideCredentials>>) -> Self {
        ChainProvider { providers }
    }

    /// The official SDKs' default chain: environment, profile file, then the ECS
    /// metadata service (its temporary credentials cached and refreshed).
    #[cfg(feature = "blocking")]
    pub fn default_chain() -> Self {
        ChainProvider::new(vec![
            Box::new(EnvProvider::new()),
            Box::new(ProfileProvider::new()),
            Box::new(CachingProvider::new(MetadataProvider::new())),
        ])
    }
}

impl ProvideCredentials for ChainProvider {
    fn provide(&self) -> Result<Provided, ProvideError> {
        let mut looked = Vec::new();
        for provider in &self.providers {
            match provider.provide() {
                Ok(provided) => return Ok(provided),
                Err(ProvideError::NotFound { looked: here }) => looked.push(here),
                Err(ProvideError::NoneInChain { looked: here }) => looked.extend(here),
                Err(e) => return Err(e),
            }
        }
        Err(ProvideError::NoneInChain { looked })
    }
}

type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Keeps what a provider gave until less than [`DEFAULT_REFRESH_BEFORE`] (or the time set
/// with [`CachingProvider::refresh_before`]) remains, then asks again. One thread
/// refreshes at a time; the others wait for it. When a refresh fails and the kept
/// credentials have not expired, they are used. Long-lived credentials (no expiry) are
/// asked for once.
pub struct CachingProvider<P> {
    inner: P,
    refresh_before: TimeDelta,
    clock: Clock,
    state: Mutex<CacheState>,
    refreshed: Condvar,
}

#[derive(Default)]
struct CacheState {
    cached: Option<Provided>,
    refreshing: bool,
}

impl<P: fmt::Debug> fmt::Debug for CachingProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingProvider")
            .field("inner", &self.inner)
            .field("refresh_before", &self.refresh_before)
            .finish_non_exhaustive()
    }
}

impl<P: ProvideCredentials> CachingProvider<P> {
    /// Caches what `inner` gives, on the system clock.
    pub fn new(inner: P) -> Self {
        CachingProvider {
            inner,
            refresh_before: DEFAULT_REFRESH_BEFORE,
            clock: Arc::new(Utc::now),
            state: Mutex::new(CacheState::default()),
            refreshed: Condvar::new(),
        }
    }

    /// Refresh when less than this remains before expiry.
    pub fn refresh_before(mut self, margin: TimeDelta) -> Self {
        self.refresh_before = margin;
        self
    }

    /// The clock that decides expiry (the system clock by default); for tests.
    pub fn clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    fn fresh(&self, provided: &Provided, now: DateTime<Utc>) -> bool {
        match provided.expires_at {
            None => true,
            Some(at) => at - now > self.refresh_before,
        }
    }
}

/// Clears the refreshing mark and wakes the waiters when the provider panics.
struct RefreshGuard<'a> {
    state: &'a Mutex<CacheState>,
    refreshed: &'a Condvar,
}

impl Drop for RefreshGuard<'_> {
    fn drop(&mut self) {
        // The state is two plain fields, valid whatever a panicking holder did.
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .refreshing = false;
        self.refreshed.notify_all();
    }
}

impl<P: ProvideCredentials> ProvideCredentials for CachingProvider<P> {
    fn provide(&self) -> Result<Provided, ProvideError> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let now = (self.clock)();
            if let Some(cached) = &state.cached {
                if self.fresh(cached, now) {
                    return Ok(cached.clone());
                }
            }
            if !state.refreshing {
                break;
            }
            state = self
                .refreshed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            // Another thread refreshed: serve what it got, even if already due again,
            // rather than refreshing back to back (unless it got nothing usable).
            let now = (self.clock)();
            if let Some(cached) = &state.cached {
                if cached.expires_at.is_none_or(|at| at > now) && !state.refreshing {
                    return Ok(cached.clone());
                }
            }
        }
        state.refreshing = true;
        drop(state);
        let guard = RefreshGuard {
            state: &self.state,
            refreshed: &self.refreshed,
        };
        let result = self.inner.provide();
        // Not panicked: store the result and wake the waiters here, under one lock.
        std::mem::forget(guard);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.refreshing = false;
        self.refreshed.notify_all();
        match result {
            Ok(provided) => {
                state.cached = Some(provided.clone());
                Ok(provided)
            }
            Err(e) => {
                let now = (self.clock)();
                match &state.cached {
                    Some(old) if old.expires_at.is_none_or(|at| at > now) => Ok(old.clone()),
                    _ => Err(e),
                }
            }
        }
    }
}
