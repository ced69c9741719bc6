//! What the API gateway does before MPC sees a request: check the AK/SK signature or the
//! token, lock an access key after failures in a row, and throttle an access key over its
//! rate.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::SignableRequest;
use crate::server::lockout::Lockout;
use crate::server::routes::Answer;
use crate::server::state::State;
use crate::verify::{Authorization, KeySet, Verifier, VerifyError};

/// Who a request was authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The project the caller may act on.
    pub(crate) project_id: String,
    /// The key requests are counted under: the access key, or `token:PROJECT`.
    pub(crate) key: String,
}

/// The gateway's checks.
#[derive(Debug)]
pub(crate) struct Gateway {
    verifier: Verifier<KeySet>,
    /// Access key → project id.
    projects: HashMap<String, String>,
    /// Token → project id.
    tokens: HashMap<String, String>,
    lockout: Lockout,
    rate: Option<RateLimit>,
}

impl Gateway {
    pub(crate) fn new(
        state: &State,
        max_skew: Duration,
        lockout: Lockout,
        rate_limit: Option<u32>,
    ) -> Gateway {
        let keys: KeySet = state
            .credentials
            .iter()
            .map(|c| c.to_credentials())
            .collect();
        Gateway {
            verifier: Verifier::new(keys).with_max_skew(max_skew),
            projects: state
                .credentials
                .iter()
                .map(|c| (c.ak.clone(), c.project_id.clone()))
                .collect(),
            tokens: state
                .tokens
                .iter()
                .map(|t| (t.token.clone(), t.project_id.clone()))
                .collect(),
            lockout,
            rate: rate_limit.map(RateLimit::new),
        }
    }

    /// Checks the AK/SK signature or the token, the lockout and the rate; gives the caller.
    pub(crate) fn authenticate(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Caller, Answer> {
        let find = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v)
        };
        let caller = match find("authorization") {
            None => match find("x-auth-token") {
                Some(token) => match self.tokens.get(token.trim()) {
                    Some(project) => Caller {
                        project_id: project.clone(),
                        key: format!("token:{project}"),
                    },
                    None => {
                        return Err(Answer::gateway(
                            401,
                            "APIGW.0301",
                            "Incorrect IAM authentication information: decrypt token fail",
                        ));
                    }
                },
                None => return Err(unauthorized(&VerifyError::MissingAuthorization)),
            },
            Some(authorization) => {
                self.verify_signature(method, target, headers, body, authorization)?
            }
        };
        if let Some(rate) = &self.rate {
            if !rate.admit(&caller.key, Instant::now()) {
                return Err(Answer::gateway(
                    429,
                    "APIG.0308",
                    format!(
                        "The throttling threshold has been reached: policy user over ratelimit,limit:{},time:1 minute",
                        rate.limit
                    ),
                ));
            }
        }
        Ok(caller)
    }

    fn verify_signature(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        authorization: &str,
    ) -> Result<Caller, Answer> {
        let ak = Authorization::parse(authorization)
            .map_err(|e| unauthorized(&e))?
            .access_key();
        let project = self.projects.get(ak);
        if project.is_some() && self.lockout.is_locked(ak, Instant::now()) {
            return Err(Answer::gateway(
                401,
                "APIGW.0301",
                "Incorrect IAM authentication information: AK access failed to reach the limit,forbidden.",
            ));
        }
        let req = SignableRequest::new(method, target)
            .map_err(|e| unauthorized(&VerifyError::InvalidRequest(e)))?
            .with_headers(headers)
            .with_body(body);
        match self.verifier.verify(&req, Utc::now()) {
            Ok(_) => {
                self.lockout.succeeded(ak);
                let project =
                    project.expect("the verifier knows only the access keys of the state");
                Ok(Caller {
                    project_id: project.clone(),
                    key: ak.to_owned(),
                })
            }
            Err(e) => {
                if project.is_some() {
                    self.lockout.failed(ak, Instant::now());
                }
                Err(unauthorized(&e))
            }
        }
    }
}

/// The access key named by an `Authorization` header, for the access log (not verified).
pub(crate) fn claimed_access_key(headers: &[(&str, &str)]) -> Option<String> {
    let (_, v) = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))?;
    Authorization::parse(v)
        .ok()
        .map(|a| a.access_key().to_owned())
}

/// The gateway's 401 for `e`, its message capped as every answer's
/// ([`VerifyError::answer_msg`]): a signed request with a huge header would otherwise come
/// back whole in the canonical request.
pub(crate) fn unauthorized(e: &VerifyError) -> Answer {
    Answer::gateway(e.status(), e.error_code(), e.answer_msg())
}

/// N requests per minute per key, in fixed windows that start at a key's first request.
#[derive(Debug)]
struct RateLimit {
    limit: u32,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

const WINDOW: Duration = Duration::from_secs(60);

impl RateLimit {
    fn new(limit: u32) -> Self {
        RateLimit {
            limit,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request of `key` at `now`; false when it is over the limit.
    fn admit(&self, key: &str, now: Instant) -> bool {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let w = windows.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(w.0) >= WINDOW {
            *w = (now, 0);
        }
        if w.1 >= self.limit {
            return false;
        }
        w.1 += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limit_admits_n_per_minute_per_key() {
        let r = RateLimit::new(3);
        let t0 = Instant::now();
        assert!((0..3).all(|_| r.admit("A", t0)));
        assert!(!r.admit("A", t0 + Duration::from_secs(59)));
        assert!(r.admit("B", t0));
        assert!(r.admit("A", t0 + WINDOW));
    }

    #[test]
    fn a_long_error_message_is_capped() {
        let e = VerifyError::SignatureMismatch {
            signed_headers: "host;x-big".into(),
            canonical_request: "é".repeat(100_000),
        };
        let answer = unauthorized(&e);
        let msg = answer.error_msg().expect("a 401 has a message");
        assert!(
            msg.len() <= VerifyError::MAX_ANSWER_MSG_BYTES + 20,
            "{}",
            msg.len()
        );
        assert!(msg.ends_with("...(truncated)"));
    }
}
