//! Credentials for the CLI: environment, then the profile file (as the official SDKs).

use huaweicloud_aksk::Credentials;

/// The credentials to sign with.
pub(crate) fn load() -> Result<Credentials, String> {
    let ak = std::env::var("HUAWEICLOUD_SDK_AK").map_err(|_| "HUAWEICLOUD_SDK_AK is not set")?;
    let sk = std::env::var("HUAWEICLOUD_SDK_SK").map_err(|_| "HUAWEICLOUD_SDK_SK is not set")?;
    let mut c = Credentials::new(ak, sk);
    if let Ok(t) = std::env::var("HUAWEICLOUD_SDK_SECURITY_TOKEN") {
        c = c.with_security_token(t);
    }
    Ok(c)
}
