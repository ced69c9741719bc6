//! Credentials for the CLI, as the official SDKs find them.

use huaweicloud_aksk::Credentials;
use huaweicloud_aksk::credentials::loader::{LoadError, Loader};
use huaweicloud_aksk::credentials::{CachingProvider, ChainProvider};

/// Long-lived credentials to sign with, from the environment, then the profile file
/// (`HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`); the error
/// names where they were looked for.
pub(crate) fn load() -> Result<Credentials, LoadError> {
    Loader::new().load().map(|loaded| loaded.credentials)
}

/// The official SDKs' default chain for calls: the environment, the profile file, then the
/// ECS metadata service (`AKSK_METADATA_ENDPOINT` overrides its address); what it finds is
/// kept (temporary credentials until they are about to expire).
pub(crate) fn chain() -> CachingProvider<ChainProvider> {
    CachingProvider::new(ChainProvider::default_chain())
}
