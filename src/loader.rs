//! Credentials as the official SDKs read them: explicit, environment, profile file.
