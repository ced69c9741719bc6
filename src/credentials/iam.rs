//! The project id of a region, asked of IAM as the official SDKs ask it:
//! `GET {iam}/v3/projects?name={region}`, signed with the caller's credentials (and their
//! security token when temporary). The answer must name exactly one project.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use http::header::{HOST, HeaderValue, USER_AGENT};

use crate::mpc::{Endpoint, USER_AGENT as OUR_USER_AGENT};
use crate::{Credentials, SignError, Signer};

/// The variable that replaces the IAM endpoint of every region.
pub const ENV_IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
/// The IAM endpoint of a region not in [`IAM_REGIONS`].
pub const DEFAULT_IAM_ENDPOINT: &str = "https://iam.myhuaweicloud.com";
/// The regions with their own IAM endpoint, `https://iam.{region}.myhuaweicloud.com`, as
/// the official SDKs' region table lists them.
pub const IAM_REGIONS: &[&str] = &[
    "cn-north-1",
    "cn-north-2",
    "cn-north-4",
    "cn-north-9",
    "cn-north-12",
    "cn-east-2",
    "cn-east-3",
    "cn-east-4",
    "cn-east-5",
    "cn-south-1",
    "cn-south-2",
    "cn-southwest-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "af-south-1",
    "sa-brazil-1",
    "la-south-2",
    "la-north-2",
    "na-mexico-1",
    "eu-west-0",
    "my-kualalumpur-1",
    "ru-moscow-1",
    "me-east-1",
    "ae-ad-1",
    "tr-west-1",
];

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_ANSWER_BYTES: u64 = 1024 * 1024;

/// The IAM endpoint of `region`: `env(HUAWEICLOUD_SDK_IAM_ENDPOINT)` when set, else the
/// region table's, else [`DEFAULT_IAM_ENDPOINT`].
pub fn iam_endpoint(region: &str, env: impl Fn(&str) -> Option<String>) -> String {
    if let Some(url) = env(ENV_IAM_ENDPOINT).filter(|v| !v.is_empty()) {
        return url;
    }
    if IAM_REGIONS.contains(&region) {
        format!("https://iam.{region}.myhuaweicloud.com")
    } else {
        DEFAULT_IAM_ENDPOINT.to_owned()
    }
}

/// Why IAM gave no project id. Messages never hold a secret.
#[non_exhaustive]
#[derive(Debug)]
pub enum ProjectIdError {
    /// The region is not a region name (nothing was sent).
    InvalidRegion(String),
    /// The IAM endpoint is not a URL.
    InvalidEndpoint(String),
    /// The credentials cannot sign.
    Sign(SignError),
    /// IAM could not be reached.
    Transport(String),
    /// IAM refused, or answered something else than a project list.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The start of the answer.
        detail: String,
    },
    /// IAM has no project of that name for these credentials.
    NoProject {
        /// The region asked for.
        region: String,
        /// IAM's `X-IAM-Trace-Id`, if it sent one.
        trace_id: Option<String>,
    },
    /// IAM has several projects of that name.
    SeveralProjects {
        /// The region asked for.
        region: String,
        /// Their ids.
        ids: Vec<String>,
    },
}

impl fmt::Display for ProjectIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProjectIdError::InvalidRegion(r) => write!(f, "{r:?} is not a region name"),
            ProjectIdError::InvalidEndpoint(e) => write!(f, "the IAM endpoint: {e}"),
            ProjectIdError::Sign(e) => write!(f, "signing the IAM request: {e}"),
            ProjectIdError::Transport(e) => write!(f, "cannot reach IAM: {e}"),
            ProjectIdError::Refused { status, detail } => {
                write!(f, "IAM answered {status} to the project lookup: {detail}")
            }
            ProjectIdError::NoProject { region, trace_id } => write!(
                f,
                "IAM has no project named {region:?} for these credentials (X-IAM-Trace-Id {}); \
                 give the project id, or check the region and the key's permission to list projects",
                trace_id.as_deref().unwrap_or("none")
            ),
            ProjectIdError::SeveralProjects { region, ids } => write!(
                f,
                "IAM has several projects named {region:?}: {}; give the project id",
                ids.join(", ")
            ),
        }
    }
}

impl std::error::Error for ProjectIdError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProjectIdError::Sign(e) => Some(e),
            _ => None,
        }
    }
}

/// Looks project ids up in IAM, keeping each answer per access key and region.
pub struct ProjectIdResolver {
    endpoint: Option<String>,
    agent: ureq::Agent,
    cache: Mutex<HashMap<(String, String), String>>,
}

impl fmt::Debug for ProjectIdResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProjectIdResolver")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl Default for ProjectIdResolver {
    fn default() -> Self {
        ProjectIdResolver::new()
    }
}

impl ProjectIdResolver {
    /// Asks the IAM endpoint of each region (see [`iam_endpoint`]; the environment is
    /// read at each lookup).
    pub fn new() -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(ureq::config::AutoHeaderValue::None)
            .accept(ureq::config::AutoHeaderValue::None)
            .accept_encoding(ureq::config::AutoHeaderValue::None)
            .proxy(None)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(CALL_TIMEOUT))
            .build();
        ProjectIdResolver {
            endpoint: None,
            agent: config.new_agent(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The process's resolver, whose answers every client built without a project id
    /// shares.
    pub fn shared() -> &'static ProjectIdResolver {
        static SHARED: OnceLock<ProjectIdResolver> = OnceLock::new();
        SHARED.get_or_init(ProjectIdResolver::new)
    }

    /// Asks this IAM endpoint, whatever the region.
    pub fn with_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The project id of `region` for `credentials`, signed at `now`; asked of IAM once
    /// per access key and region.
    pub fn resolve(
        &self,
        credentials: &Credentials,
        region: &str,
        now: DateTime<Utc>,
    ) -> Result<String, ProjectIdError> {
        if region.is_empty()
            || region.len() > 64
            || !region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(ProjectIdError::InvalidRegion(
                region.escape_default().to_string(),
            ));
        }
        let key = (credentials.access_key().to_owned(), region.to_owned());
        if let Some(id) = self.cached(&key) {
            return Ok(id);
        }
        let id = self.ask(credentials, region, now)?;
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, id.clone());
        Ok(id)
    }

    fn cached(&self, key: &(String, String)) -> Option<String> {
        // A map of plain strings stays valid whatever a panicking holder did.
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    fn ask(
        &self,
        credentials: &Credentials,
        region: &str,
        now: DateTime<Utc>,
    ) -> Result<String, ProjectIdError> {
        let url = match &self.endpoint {
            Some(url) => url.clone(),
            None => iam_endpoint(region, |name| std::env::var(name).ok()),
        };
        let endpoint =
            Endpoint::parse(&url).map_err(|e| ProjectIdError::InvalidEndpoint(e.to_string()))?;
        let mut request = http::Request::new(Vec::<u8>::new());
        *request.uri_mut() = format!("{endpoint}/v3/projects?name={region}")
            .parse()
            .expect("an endpoint and a checked region name form a valid URI");
        let headers = request.headers_mut();
        headers.insert(
            HOST,
            HeaderValue::from_str(endpoint.authority())
                .expect("an endpoint's authority is a valid header value"),
        );
        headers.insert(USER_AGENT, HeaderValue::from_static(OUR_USER_AGENT));
        let signer = Signer::new(credentials.clone());
        signer
            .sign_at(&mut request, now)
            .map_err(ProjectIdError::Sign)?;
        let (parts, _) = request.into_parts();
        let response = self
            .agent
            .run(http::Request::from_parts(parts, ()))
            .map_err(|e| ProjectIdError::Transport(e.to_string()))?;
        let status = response.status().as_u16();
        let trace_id = response
            .headers()
            .get("x-iam-trace-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut body = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(MAX_ANSWER_BYTES)
            .read_to_end(&mut body)
            .map_err(|e| ProjectIdError::Transport(format!("reading the answer: {e}")))?;
        let refused = |body: &[u8]| {
            let mut detail: String = String::from_utf8_lossy(&body[..body.len().min(300)])
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            // A gateway quoting the canonical request may quote the security token: cut
            // the detail before it.
            if let Some(at) = detail.to_ascii_lowercase().find("x-security-token") {
                detail.truncate(at);
                detail.push_str("x-security-token:<redacted>...");
            }
            ProjectIdError::Refused { status, detail }
        };
        if status != 200 {
            return Err(refused(&body));
        }
        #[derive(serde::Deserialize)]
        struct Projects {
            projects: Vec<Project>,
        }
        #[derive(serde::Deserialize)]
        struct Project {
            id: String,
        }
        let projects: Projects = serde_json::from_slice(&body).map_err(|_| refused(&body))?;
        let mut ids: Vec<String> = projects.projects.into_iter().map(|p| p.id).collect();
        match ids.len() {
            1 => Ok(ids.remove(0)),
            0 => Err(ProjectIdError::NoProject {
                region: region.to_owned(),
                trace_id,
            }),
            _ => Err(ProjectIdError::SeveralProjects {
                region: region.to_owned(),
                ids,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_iam_endpoint_follows_the_region_table_and_the_variable() {
        let none = |_: &str| None;
        assert_eq!(
            iam_endpoint("cn-north-4", none),
            "https://iam.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(iam_endpoint("mars-1", none), DEFAULT_IAM_ENDPOINT);
        let set = |name: &str| (name == ENV_IAM_ENDPOINT).then(|| "http://127.0.0.1:9".to_owned());
        assert_eq!(iam_endpoint("cn-north-4", set), "http://127.0.0.1:9");
    }

    #[test]
    fn a_bad_region_is_refused_before_anything_is_sent() {
        let resolver = ProjectIdResolver::new().with_endpoint("http://127.0.0.1:9");
        for region in ["", "cn north", "cn-north-4&x=y", "CN-NORTH-4", "é"] {
            assert!(matches!(
                resolver.resolve(&Credentials::new("AK", "SK"), region, Utc::now()),
                Err(ProjectIdError::InvalidRegion(_))
            ));
        }
    }
}
