//! Credentials for the CLI, as the official SDKs read them: the environment, then the
//! profile file (`HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`).

use huaweicloud_aksk::Credentials;
use huaweicloud_aksk::loader::{LoadError, Loader};

/// The credentials to sign with; the error names where they were looked for.
pub(crate) fn load() -> Result<Credentials, LoadError> {
    Loader::new().load().map(|loaded| loaded.credentials)
}
