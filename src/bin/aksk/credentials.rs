//! Credentials for the CLI, as the official SDKs read them: the environment, then the
//! profile file (`HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`).

use huaweicloud_aksk::Credentials;
use huaweicloud_aksk::loader;

/// The credentials to sign with; the error names where they were looked for.
pub(crate) fn load() -> Result<Credentials, String> {
    loader::load_credentials()
        .map(|(credentials, _project_id)| credentials)
        .map_err(|e| e.to_string())
}
