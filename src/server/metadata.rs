//! The ECS metadata service's credential paths, so that the endpoint can stand in for an
//! instance with an agency:
//!
//! | Method and path                       | Answer                                  |
//! |---------------------------------------|-----------------------------------------|
//! | `PUT /meta-data/latest/api/token`     | 200, a session token (text)             |
//! | `GET /openstack/latest/securitykey`   | 200 `{"credential":{"access","secret","securitytoken","expires_at"}}` with a valid `X-Metadata-Token`, else 401 |
//!
//! Each `securitykey` answer issues new temporary credentials for the project of the
//! state's first access key, valid for the configured time. The gateway accepts them
//! with their security token (`X-Security-Token`) until `expires_at`, and refuses them
//! after.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::server::gateway::{Caller, unauthorized};
use crate::server::routes::{Answer, Shared};
use crate::verify::{Authorization, Verifier};
use crate::{Credentials, SignableRequest, Signer};

/// How long issued temporary credentials are valid unless configured otherwise.
pub const DEFAULT_TEMPORARY_CREDENTIALS_TTL: Duration = Duration::from_secs(3600);

/// The most session tokens and issued credentials kept: past it, the session tokens are
/// forgotten (clients ask for a new one after a 401) and issuing answers 503.
const MAX_KEPT: usize = 10_000;

const TOKEN_PATH: &str = "/meta-data/latest/api/token";
const SECURITY_KEY_PATH: &str = "/openstack/latest/securitykey";

/// The temporary credentials issued, and the metadata session tokens.
pub(crate) struct TemporaryKeys {
    ttl: Duration,
    project_id: Option<String>,
    max_skew: Duration,
    session_tokens: Mutex<HashSet<String>>,
    keys: Mutex<HashMap<String, Issued>>,
    random: Random,
}

struct Issued {
    signer: Signer,
    security_token: String,
    expires_at: DateTime<Utc>,
    project_id: String,
}

impl fmt::Debug for TemporaryKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemporaryKeys")
            .field("ttl", &self.ttl)
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

impl TemporaryKeys {
    /// Issues credentials for `project_id` (none: the securitykey path answers 401, as an
    /// instance without an agency does), valid for `ttl`.
    pub(crate) fn new(ttl: Duration, project_id: Option<String>, max_skew: Duration) -> Self {
        TemporaryKeys {
            ttl,
            project_id,
            max_skew,
            session_tokens: Mutex::new(HashSet::new()),
            keys: Mutex::new(HashMap::new()),
            random: Random::new(),
        }
    }

    /// New credentials as the securitykey document; `None` without a project, `Err` when
    /// too many are outstanding.
    fn issue(&self) -> Option<Result<String, ()>> {
        let project_id = self.project_id.clone()?;
        let access = format!("TMP{}", self.random.hex(17).to_ascii_uppercase());
        let secret = self.random.hex(40);
        let security_token = self.random.hex(96);
        let ttl = chrono::TimeDelta::from_std(self.ttl)
            .expect("the time to live was checked to be at most a day");
        let expires_at = Utc::now() + ttl;
        let document = serde_json::json!({"credential": {
            "access": access,
            "secret": secret,
            "securitytoken": security_token,
            "expires_at": expires_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        }})
        .to_string();
        let issued = Issued {
            signer: Signer::new(Credentials::new(access.clone(), secret)),
            security_token,
            expires_at,
            project_id,
        };
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        // Expired credentials are kept a day, so that their use is refused as expired
        // rather than as unknown.
        let now = Utc::now();
        keys.retain(|_, i| i.expires_at + chrono::TimeDelta::days(1) > now);
        if keys.len() >= MAX_KEPT {
            return Some(Err(()));
        }
        keys.insert(access, issued);
        Some(Ok(document))
    }

    /// The caller of a request signed with issued credentials; `None` when the access key
    /// is not one of them.
    pub(crate) fn authenticate(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Option<Result<Caller, Answer>> {
        let find = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v)
        };
        let authorization = Authorization::parse(find("authorization")?).ok()?;
        let keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        let issued = keys.get(authorization.access_key())?;
        let refuse = |msg: &str| {
            Some(Err(Answer::gateway(
                401,
                "APIGW.0301",
                format!("Incorrect IAM authentication information: {msg}"),
            )))
        };
        if Utc::now() >= issued.expires_at {
            return refuse("the security token has expired");
        }
        if find("x-security-token").map(str::trim) != Some(issued.security_token.as_str()) {
            return refuse("the security token is missing or wrong");
        }
        let verifier = Verifier::new(&issued.signer).with_max_skew(self.max_skew);
        let request = match SignableRequest::new(method, target) {
            Ok(r) => r.with_headers(headers).with_body(body),
            Err(e) => {
                return Some(Err(unauthorized(
                    &crate::verify::VerifyError::InvalidRequest(e),
                )));
            }
        };
        Some(match verifier.verify(&request, Utc::now()) {
            Ok(_) => Ok(Caller {
                project_id: issued.project_id.clone(),
                key: authorization.access_key().to_owned(),
            }),
            Err(e) => Err(unauthorized(&e)),
        })
    }
}

impl Shared {
    /// The caller of a request: issued temporary credentials, else the gateway's keys and
    /// tokens.
    pub(crate) fn authenticate(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Caller, Answer> {
        match self.temporary.authenticate(method, target, headers, body) {
            Some(result) => result,
            None => self.gateway.authenticate(method, target, headers, body),
        }
    }
}

/// The answer of a metadata path; `None` for any other path.
pub(crate) fn answer(
    shared: &Shared,
    method: &http::Method,
    path: &str,
    headers: &[(&str, &str)],
) -> Option<Answer> {
    let temporary = &shared.temporary;
    match (method.as_str(), path) {
        ("PUT", TOKEN_PATH) => {
            let token = temporary.random.hex(48);
            let mut tokens = temporary
                .session_tokens
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if tokens.len() >= MAX_KEPT {
                tokens.clear();
            }
            tokens.insert(token.clone());
            Some(Answer::text(token))
        }
        ("GET", SECURITY_KEY_PATH) => {
            let token = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("x-metadata-token"))
                .map(|(_, v)| v.trim());
            let known = token.is_some_and(|t| {
                temporary
                    .session_tokens
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .contains(t)
            });
            if !known {
                return Some(Answer::mpc(
                    401,
                    "ECS.0401",
                    "A valid X-Metadata-Token is required",
                ));
            }
            Some(match temporary.issue() {
                Some(Ok(document)) => Answer::text(document),
                Some(Err(())) => Answer::mpc(
                    503,
                    "ECS.0503",
                    "Too many temporary credentials are outstanding",
                ),
                None => Answer::mpc(
                    404,
                    "ECS.0404",
                    "Please configure Cloud Service Agency first",
                ),
            })
        }
        _ => None,
    }
}

/// Random hex digits for issued keys and tokens (a local test endpoint's secrets: the
/// standard library's randomly keyed hasher is enough).
struct Random {
    counter: AtomicU64,
}

impl Random {
    fn new() -> Self {
        Random {
            counter: AtomicU64::new(0),
        }
    }

    fn hex(&self, len: usize) -> String {
        let mut out = String::with_capacity(len + 16);
        while out.len() < len {
            let mut h = RandomState::new().build_hasher();
            h.write_u64(self.counter.fetch_add(1, Ordering::Relaxed));
            out.push_str(&format!("{:016x}", h.finish()));
        }
        out.truncate(len);
        out
    }
}
