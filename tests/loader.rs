//! Credential loading with an injected environment and profile files written by the test:
//! the order of the sources, the profile file format, and errors that name where the
//! loader looked.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use huaweicloud_aksk::Credentials;
use huaweicloud_aksk::credentials::loader::{LoadError, Loader, Source};

/// A fresh directory under the target's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "loader-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// Writes `~/.huaweicloud/credentials` under this directory as a home.
    fn write_profile(&self, text: &str) -> PathBuf {
        let path = self.0.join(".huaweicloud").join("credentials");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn home(&self) -> String {
        self.0.to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const PROFILE: &str = "\
# Huawei Cloud credentials
[basic]
ak = FILEAK
sk = FILESK
project_id = fileproject
security_token = filetoken

[other]
ak = OTHER
";

#[test]
fn the_environment_wins_over_the_profile_file() {
    let home = TempDir::new();
    home.write_profile(PROFILE);
    let env = [
        ("HOME", home.home()),
        ("HUAWEICLOUD_SDK_AK", "ENVAK".into()),
        ("HUAWEICLOUD_SDK_SK", "ENVSK".into()),
        ("HUAWEICLOUD_SDK_PROJECT_ID", "envproject".into()),
        ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "envtoken".into()),
    ];
    let loaded = Loader::new().with_env_vars(env).load().unwrap();
    assert_eq!(loaded.source, Source::Environment);
    assert_eq!(loaded.credentials.access_key(), "ENVAK");
    assert_eq!(loaded.credentials.secret_key().expose(), "ENVSK");
    assert_eq!(
        loaded.credentials.security_token().map(|t| t.expose()),
        Some("envtoken")
    );
    assert_eq!(loaded.project_id.as_deref(), Some("envproject"));
}

#[test]
fn explicit_credentials_win_over_everything() {
    let env = [
        ("HUAWEICLOUD_SDK_AK", "ENVAK"),
        ("HUAWEICLOUD_SDK_SK", "ENVSK"),
        ("HUAWEICLOUD_SDK_PROJECT_ID", "envproject"),
    ];
    let loaded = Loader::new()
        .with_env_vars(env)
        .credentials(Credentials::new("MYAK", "MYSK"))
        .load()
        .unwrap();
    assert_eq!(loaded.source, Source::Explicit);
    assert_eq!(loaded.credentials.access_key(), "MYAK");
    // The project id still comes from the environment when not given.
    assert_eq!(loaded.project_id.as_deref(), Some("envproject"));
    let loaded = Loader::new()
        .with_env_vars(env)
        .project_id("myproject")
        .load()
        .unwrap();
    assert_eq!(loaded.source, Source::Environment);
    assert_eq!(loaded.project_id.as_deref(), Some("myproject"));
}

#[test]
fn the_profile_file_in_the_home_directory_is_read_when_the_environment_has_none() {
    let home = TempDir::new();
    let path = home.write_profile(PROFILE);
    let loaded = Loader::new()
        .with_env({
            let h = home.home();
            move |name| (name == "HOME").then(|| h.clone())
        })
        .load()
        .unwrap();
    let (creds, project_id) = (loaded.credentials, loaded.project_id);
    assert_eq!(creds.access_key(), "FILEAK");
    assert_eq!(creds.secret_key().expose(), "FILESK");
    assert_eq!(
        creds.security_token().map(|t| t.expose()),
        Some("filetoken")
    );
    assert_eq!(project_id.as_deref(), Some("fileproject"));

    let loaded = Loader::new()
        .with_env_vars([("HUAWEICLOUD_SDK_PROJECT_ID", "envproject")])
        .with_home_dir(&home.0)
        .load()
        .unwrap();
    assert_eq!(loaded.source, Source::Profile(path));
    // The project id of the file goes with its credentials.
    assert_eq!(loaded.project_id.as_deref(), Some("fileproject"));
}

#[test]
fn the_credentials_file_variable_names_another_file() {
    let dir = TempDir::new();
    let path = dir.0.join("elsewhere.ini");
    std::fs::write(&path, "[basic]\nAK: A1\nSK: S1\n").unwrap();
    let loaded = Loader::new()
        .with_env_vars([
            ("HUAWEICLOUD_SDK_CREDENTIALS_FILE", path.to_str().unwrap()),
            ("HUAWEICLOUD_SDK_PROJECT_ID", "envproject"),
        ])
        .with_home_dir(dir.0.join("no-home"))
        .load()
        .unwrap();
    assert_eq!(loaded.source, Source::Profile(path.clone()));
    assert_eq!(loaded.credentials.access_key(), "A1");
    assert!(loaded.credentials.security_token().is_none());
    // The file has no project id: the environment's is used.
    assert_eq!(loaded.project_id.as_deref(), Some("envproject"));

    let missing = dir.0.join("missing.ini");
    let err = Loader::new()
        .with_env_vars([(
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
            missing.to_str().unwrap(),
        )])
        .load()
        .unwrap_err();
    assert!(matches!(err, LoadError::MissingFile { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("missing.ini") && msg.contains("HUAWEICLOUD_SDK_CREDENTIALS_FILE"),
        "{msg}"
    );
}

#[test]
fn no_credentials_anywhere_names_every_place_looked_at() {
    let home = TempDir::new();
    let err = Loader::new()
        .with_env_vars([("HOME", home.home())])
        .load()
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, LoadError::NotFound { .. }));
    assert!(
        msg.contains("HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are not set"),
        "{msg}"
    );
    assert!(msg.contains(".huaweicloud"), "{msg}");
    assert!(msg.contains("does not exist"), "{msg}");

    let err = Loader::new()
        .with_env_vars(std::iter::empty::<(String, String)>())
        .load()
        .unwrap_err();
    assert!(
        err.to_string().contains("home directory is unknown"),
        "{err}"
    );

    home.write_profile("[other]\nak = a\nsk = s\n");
    let err = Loader::new()
        .with_env_vars([("HOME", home.home())])
        .load()
        .unwrap_err();
    assert!(err.to_string().contains("has no [basic] section"), "{err}");
}

#[test]
fn half_of_a_pair_is_an_error_not_a_reason_to_look_elsewhere() {
    let home = TempDir::new();
    home.write_profile(PROFILE);
    let err = Loader::new()
        .with_env_vars([
            ("HOME", home.home()),
            ("HUAWEICLOUD_SDK_AK", "ENVAK".into()),
        ])
        .load()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "incomplete credentials in the environment: missing HUAWEICLOUD_SDK_SK"
    );
    assert!(
        matches!(
            err,
            LoadError::Incomplete {
                source: Source::Environment,
                missing: "HUAWEICLOUD_SDK_SK"
            }
        ),
        "{err:?}"
    );
    let err = Loader::new()
        .with_env_vars([("HUAWEICLOUD_SDK_SECURITY_TOKEN", "t")])
        .load()
        .unwrap_err();
    assert!(matches!(err, LoadError::Incomplete { .. }), "{err:?}");

    home.write_profile("[basic]\nak = only\n");
    let err = Loader::new()
        .with_home_dir(&home.0)
        .with_env_vars([("X", "")])
        .load()
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("incomplete credentials in [basic] of "),
        "{msg}"
    );
    assert!(msg.ends_with("missing the key sk"), "{msg}");
    assert!(
        matches!(
            err,
            LoadError::Incomplete {
                source: Source::Profile(_),
                missing: "the key sk"
            }
        ),
        "{err:?}"
    );
}

#[test]
fn empty_variables_count_as_unset() {
    let home = TempDir::new();
    home.write_profile(PROFILE);
    let loaded = Loader::new()
        .with_env_vars([
            ("HOME", home.home()),
            ("HUAWEICLOUD_SDK_AK", String::new()),
            ("HUAWEICLOUD_SDK_SK", String::new()),
        ])
        .load()
        .unwrap();
    assert_eq!(loaded.credentials.access_key(), "FILEAK");
}

#[test]
fn a_malformed_profile_names_the_file_and_line() {
    let home = TempDir::new();
    home.write_profile("[basic]\nak = A\nthis line has no delimiter\n");
    let err = Loader::new()
        .with_home_dir(&home.0)
        .with_env_vars([("X", "")])
        .load()
        .unwrap_err();
    let LoadError::Syntax { line, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*line, 3);
    assert!(
        err.to_string()
            .contains("credentials:3: expected `key = value`"),
        "{err}"
    );
}

#[test]
fn unusable_credentials_are_refused_with_their_source_and_never_shown() {
    let err = Loader::new()
        .with_env_vars([
            ("HUAWEICLOUD_SDK_AK", "ENVAK"),
            ("HUAWEICLOUD_SDK_SK", "secret-with-newline\n"),
        ])
        .load()
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, LoadError::Invalid { .. }));
    assert!(
        msg.contains("the environment") && msg.contains("control character"),
        "{msg}"
    );
    assert!(!msg.contains("secret-with-newline"));
    assert!(!format!("{err:?}").contains("secret-with-newline"));
}

#[test]
fn debug_output_of_loaded_credentials_hides_the_secret_key() {
    let loaded = Loader::new()
        .with_env_vars([
            ("HUAWEICLOUD_SDK_AK", "ENVAK"),
            ("HUAWEICLOUD_SDK_SK", "ENVSECRET"),
        ])
        .load()
        .unwrap();
    let shown = format!("{loaded:?}");
    assert!(
        shown.contains("ENVAK") && !shown.contains("ENVSECRET"),
        "{shown}"
    );
}
