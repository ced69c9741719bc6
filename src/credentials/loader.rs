//! Credentials as the official SDKs read them: explicit, environment, profile file.
//!
//! The first source that has an AK and an SK wins:
//! 1. credentials given to the [`Loader`];
//! 2. the environment: `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, and optionally
//!    `HUAWEICLOUD_SDK_SECURITY_TOKEN` and `HUAWEICLOUD_SDK_PROJECT_ID`;
//! 3. the profile file `$HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else
//!    `~/.huaweicloud/credentials`: section `[basic]`, keys `ak`, `sk`, and optionally
//!    `security_token` and `project_id`.
//!
//! A source that has only half of the pair (an AK without an SK, say) is an error rather
//! than skipped, and so is a profile file named by `HUAWEICLOUD_SDK_CREDENTIALS_FILE` that
//! does not exist. The project id comes from the loader if given one, else from the source
//! of the credentials, else from `HUAWEICLOUD_SDK_PROJECT_ID`. Errors name the variables
//! and files they looked at, never a secret.
//!
//! The profile file is INI as Python's `configparser` reads it: `[section]` headers,
//! `key = value` or `key: value` lines (keys without regard to case, values trimmed),
//! whole-line comments starting with `#` or `;`.
//!
//! ```
//! use huaweicloud_aksk::credentials::loader::{Loader, Source};
//!
//! let env = [("HUAWEICLOUD_SDK_AK", "HWCEXAMPLEAK0123TEST"), ("HUAWEICLOUD_SDK_SK", "example-sk")];
//! let loaded = Loader::new().with_env_vars(env).load()?;
//! assert_eq!(loaded.credentials.access_key(), "HWCEXAMPLEAK0123TEST");
//! assert_eq!(loaded.source, Source::Environment);
//! assert_eq!(loaded.project_id, None);
//! # Ok::<(), huaweicloud_aksk::credentials::loader::LoadError>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::{Credentials, SignError};

/// The access key variable.
pub const ENV_AK: &str = "HUAWEICLOUD_SDK_AK";
/// The secret key variable.
pub const ENV_SK: &str = "HUAWEICLOUD_SDK_SK";
/// The project id variable.
pub const ENV_PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// The security token variable (temporary credentials).
pub const ENV_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// The variable naming the profile file.
pub const ENV_CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
/// The profile section that holds AK/SK credentials.
pub const PROFILE_SECTION: &str = "basic";

/// Where loaded credentials came from.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Given to the loader.
    Explicit,
    /// The `HUAWEICLOUD_SDK_*` environment variables.
    Environment,
    /// The `[basic]` section of this profile file.
    Profile(PathBuf),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Explicit => f.write_str("explicit credentials"),
            Source::Environment => write!(f, "the environment ({ENV_AK}, {ENV_SK})"),
            Source::Profile(path) => write!(f, "[{PROFILE_SECTION}] of {}", path.display()),
        }
    }
}

/// Loaded credentials, the project id if one was found, and where the credentials came
/// from.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct Loaded {
    /// AK, SK and, for temporary credentials, the security token.
    pub credentials: Credentials,
    /// The project id, when one was given or found.
    pub project_id: Option<String>,
    /// Where the credentials came from.
    pub source: Source,
}

/// Why no credentials could be loaded. The message names where the loader looked.
#[non_exhaustive]
#[derive(Debug)]
pub enum LoadError {
    /// No source had credentials.
    NotFound {
        /// The places looked at, in order, each with what was missing.
        looked: Vec<String>,
    },
    /// A source has one half of the AK/SK pair (or a token without them).
    Incomplete {
        /// The source: [`Source::Environment`] or [`Source::Profile`].
        source: Source,
        /// What is missing, e.g. `HUAWEICLOUD_SDK_SK` or `the key sk`.
        missing: &'static str,
    },
    /// The profile file named by `HUAWEICLOUD_SDK_CREDENTIALS_FILE` does not exist.
    MissingFile {
        /// The file.
        path: PathBuf,
    },
    /// The profile file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The profile file is not valid INI.
    Syntax {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The credentials found cannot sign (an SK with a trailing newline, say).
    Invalid {
        /// Where they came from.
        source: Source,
        /// What is wrong.
        error: SignError,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotFound { looked } => {
                write!(f, "no credentials found: {}", looked.join("; "))
            }
            LoadError::Incomplete { source, missing } => {
                let source: &dyn fmt::Display = match source {
                    Source::Environment => &"the environment",
                    other => other,
                };
                write!(f, "incomplete credentials in {source}: missing {missing}")
            }
            LoadError::MissingFile { path } => write!(
                f,
                "the credentials file {} named by {ENV_CREDENTIALS_FILE} does not exist",
                path.display()
            ),
            LoadError::Io { path, error } => {
                write!(
                    f,
                    "cannot read the credentials file {}: {error}",
                    path.display()
                )
            }
            LoadError::Syntax { path, line, reason } => {
                write!(f, "{}:{line}: {reason}", path.display())
            }
            LoadError::Invalid { source, error } => {
                write!(f, "unusable credentials in {source}: {error}")
            }
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { error, .. } => Some(error),
            LoadError::Invalid { error, .. } => Some(error),
            _ => None,
        }
    }
}

type Env = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Finds credentials: explicit, then environment, then profile file.
///
/// The environment and the home directory can be replaced, for tests and for callers
/// that keep their own configuration.
pub struct Loader {
    explicit: Option<Credentials>,
    project_id: Option<String>,
    env: Env,
    home: Option<PathBuf>,
}

impl fmt::Debug for Loader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loader")
            .field("explicit", &self.explicit)
            .field("project_id", &self.project_id)
            .field("home", &self.home)
            .finish_non_exhaustive()
    }
}

impl Default for Loader {
    fn default() -> Self {
        Loader::new()
    }
}

impl Loader {
    /// A loader reading the process environment.
    pub fn new() -> Self {
        Loader {
            explicit: None,
            project_id: None,
            env: Box::new(|name| std::env::var(name).ok()),
            home: None,
        }
    }

    /// Reads variables with `env` instead of the process environment.
    pub fn with_env(
        mut self,
        env: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.env = Box::new(env);
        self
    }

    /// Reads variables from these pairs only, instead of the process environment.
    pub fn with_env_vars<K, V>(self, vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        let map: HashMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self.with_env(move |name| map.get(name).cloned())
    }

    /// The home directory holding `.huaweicloud/credentials` (by default `HOME`, or
    /// `USERPROFILE`, of the environment).
    pub fn with_home_dir(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// Credentials to use before any other source.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.explicit = Some(credentials);
        self
    }

    /// A project id that overrides any found with the credentials.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    fn var(&self, name: &str) -> Option<String> {
        (self.env)(name).filter(|v| !v.is_empty())
    }

    /// The profile file path, and whether it was named by the environment.
    fn profile_path(&self) -> Option<(PathBuf, bool)> {
        if let Some(path) = self.var(ENV_CREDENTIALS_FILE) {
            return Some((PathBuf::from(path), true));
        }
        let home = self
            .home
            .clone()
            .or_else(|| self.var("HOME").map(PathBuf::from))
            .or_else(|| self.var("USERPROFILE").map(PathBuf::from))?;
        Some((default_profile_path(&home), false))
    }

    /// Finds credentials; see the [module documentation](self).
    pub fn load(&self) -> Result<Loaded, LoadError> {
        let env_project_id = || self.var(ENV_PROJECT_ID);
        let loaded = match self.explicit.clone() {
            Some(credentials) => Loaded {
                credentials,
                project_id: None,
                source: Source::Explicit,
            },
            None => match self.read_env()? {
                Some(loaded) => loaded,
                None => self.read_profile()?,
            },
        };
        let check = loaded.credentials.validate();
        if let Err(error) = check {
            return Err(LoadError::Invalid {
                source: loaded.source,
                error,
            });
        }
        Ok(Loaded {
            project_id: self
                .project_id
                .clone()
                .or(loaded.project_id)
                .or_else(env_project_id),
            ..loaded
        })
    }

    /// The environment's credentials, `None` when it names none.
    pub(crate) fn read_env(&self) -> Result<Option<Loaded>, LoadError> {
        let ak = self.var(ENV_AK);
        let sk = self.var(ENV_SK);
        let token = self.var(ENV_SECURITY_TOKEN);
        let (ak, sk) = match (ak, sk) {
            (Some(ak), Some(sk)) => (ak, sk),
            (None, None) if token.is_none() => return Ok(None),
            (ak, _) => {
                let missing = if ak.is_none() { ENV_AK } else { ENV_SK };
                return Err(LoadError::Incomplete {
                    source: Source::Environment,
                    missing,
                });
            }
        };
        let mut credentials = Credentials::new(ak, sk);
        if let Some(token) = token {
            credentials = credentials.with_security_token(token);
        }
        Ok(Some(Loaded {
            credentials,
            project_id: self.var(ENV_PROJECT_ID),
            source: Source::Environment,
        }))
    }

    /// The profile file's credentials ([`LoadError::NotFound`] when it has none).
    pub(crate) fn read_profile(&self) -> Result<Loaded, LoadError> {
        let env_looked = format!("{ENV_AK} and {ENV_SK} are not set");
        let Some((path, named)) = self.profile_path() else {
            return Err(LoadError::NotFound {
                looked: vec![
                    env_looked,
                    format!(
                        "{ENV_CREDENTIALS_FILE} is not set and the home directory is unknown (HOME is not set)"
                    ),
                ],
            });
        };
        let text = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if named {
                    return Err(LoadError::MissingFile { path });
                }
                return Err(LoadError::NotFound {
                    looked: vec![env_looked, format!("{} does not exist", path.display())],
                });
            }
            Err(error) => return Err(LoadError::Io { path, error }),
        };
        let Ok(text) = String::from_utf8(text) else {
            return Err(LoadError::Syntax {
                path,
                line: 1,
                reason: "the file is not UTF-8",
            });
        };
        let section = match parse_section(&text, PROFILE_SECTION) {
            Ok(Some(section)) => section,
            Ok(None) => {
                return Err(LoadError::NotFound {
                    looked: vec![
                        env_looked,
                        format!("{} has no [{PROFILE_SECTION}] section", path.display()),
                    ],
                });
            }
            Err((line, reason)) => return Err(LoadError::Syntax { path, line, reason }),
        };
        let get = |key: &str| {
            section
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let source = Source::Profile(path);
        let (ak, sk) = match (get("ak"), get("sk")) {
            (Some(ak), Some(sk)) => (ak, sk),
            (ak, sk) => {
                let missing = match (ak, sk) {
                    (None, None) => "the keys ak and sk",
                    (None, _) => "the key ak",
                    _ => "the key sk",
                };
                return Err(LoadError::Incomplete { source, missing });
            }
        };
        let mut credentials = Credentials::new(ak, sk);
        if let Some(token) = get("security_token") {
            credentials = credentials.with_security_token(token);
        }
        Ok(Loaded {
            credentials,
            project_id: get("project_id"),
            source,
        })
    }
}

/// The `key = value` pairs of one INI section.
type Section = Vec<(String, String)>;

/// The `key = value` pairs of `[wanted]` (keys lower-cased, values trimmed), `None` when
/// the file has no such section, or the line and reason of the first syntax error.
fn parse_section(text: &str, wanted: &str) -> Result<Option<Section>, (usize, &'static str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut current: Option<String> = None;
    let mut found: Option<Section> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let Some(end) = rest.rfind(']') else {
                return Err((line_no, "a section header has no closing ]"));
            };
            let name = rest[..end].trim().to_owned();
            if name == wanted && found.is_some() {
                return Err((line_no, "the section appears twice"));
            }
            if name == wanted {
                found = Some(Vec::new());
            }
            current = Some(name);
            continue;
        }
        let Some(section) = &current else {
            return Err((line_no, "a key comes before any [section] header"));
        };
        let Some(split) = line.find(['=', ':']) else {
            return Err((line_no, "expected `key = value`"));
        };
        let key = line[..split].trim().to_ascii_lowercase();
        let value = line[split + 1..].trim().to_owned();
        if key.is_empty() {
            return Err((line_no, "a line has a value but no key"));
        }
        if section == wanted {
            let entries = found.get_or_insert_with(Vec::new);
            if entries.iter().any(|(k, _)| *k == key) {
                return Err((line_no, "a key appears twice in the section"));
            }
            entries.push((key, value));
        }
    }
    Ok(found)
}

/// The default profile file under `home`.
fn default_profile_path(home: &Path) -> PathBuf {
    home.join(".huaweicloud").join("credentials")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wanted_section_is_read_like_configparser() {
        let text = "\u{feff}# comment\n[other]\nak = nope\n\n[basic]\nAK = HWCAK\n  sk:  secret value  \n; note\nproject_id=p1\n";
        let got = parse_section(text, "basic").unwrap().unwrap();
        assert_eq!(
            got,
            vec![
                ("ak".to_owned(), "HWCAK".to_owned()),
                ("sk".to_owned(), "secret value".to_owned()),
                ("project_id".to_owned(), "p1".to_owned()),
            ]
        );
        assert_eq!(parse_section("[x]\na=1\n", "basic").unwrap(), None);
    }

    #[test]
    fn syntax_errors_name_the_line() {
        for (text, line) in [
            ("ak = 1\n[basic]\n", 1),
            ("[basic]\nak 1\n", 2),
            ("[basic\n", 1),
            ("[basic]\n= v\n", 2),
            ("[basic]\nak=1\nak=2\n", 3),
            ("[basic]\n[basic]\n", 2),
        ] {
            assert_eq!(
                parse_section(text, "basic").unwrap_err().0,
                line,
                "{text:?}"
            );
        }
    }
}
