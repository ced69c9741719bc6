//! The whole retry policy of the client: when an attempt is done, signed again, tried
//! again after a wait, or the end of the call ([`RetryPolicy`] says what, in its
//! documentation). [`CallState::decide`] is that decision, with no I/O: the client loop
//! (`client.rs`) sends, reads, and does what it says.

use std::hash::BuildHasher;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use http::HeaderMap;

use crate::mpc::common::{ErrorCode, header_text};
use crate::mpc::error::{MpcError, TransportError, TransportErrorKind};
#[cfg(doc)]
use crate::mpc::pace::Pace;
use crate::mpc::skew::{skew_from_date_header, skew_from_expired_message};

/// How many attempts a call makes by default (the first and two retries).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// The retry policy of a client: how many attempts, how long the waits, how much time in
/// all.
///
/// - An answer the call reads as a success: done.
/// - 401 (`APIGW.0301`) with a "signature expired" message, or with a `Date` header more
///   than five minutes from the local clock: the clock is corrected and the call signed
///   again at once, once per call; that attempt does not count against the policy.
/// - Throttled (HTTP 429, or `APIG.0308` whatever its status): retried after a wait, and
///   never counted against the attempts: only the time budget ends it. The wait is what a
///   `Retry-After` header says, else half the backoff ceiling for the number of throttled
///   answers so far plus a random part of the other half; the client's [`Pace`] is slowed
///   too.
/// - Retried: connection failures, timeouts, connections lost mid-exchange, HTTP 500, 502,
///   503 and 504. A failure that may
///   have been acted upon (a timeout or lost connection after sending; 500, 502, 504) is
///   retried only for an idempotent call ([`Call::IDEMPOTENT`](crate::mpc::Call::IDEMPOTENT)).
///   Never any other 4xx: a refused signature retried five times in a row locks the AK/SK
///   for five minutes.
/// - The wait is exponential backoff with full jitter (uniformly random between zero and
///   `base * 2^(retry-1)`, capped), or what a `Retry-After` header says in seconds; no wait
///   ever runs past the total time budget, and no attempt starts after it.
///
/// ```
/// use std::time::Duration;
/// use huaweicloud_aksk::mpc::RetryPolicy;
///
/// let policy = RetryPolicy::new().with_max_attempts(5).with_total_time(Duration::from_secs(30));
/// assert_eq!(policy.max_attempts(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    total_time: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::new()
    }
}

impl RetryPolicy {
    /// Three attempts, waits of up to 200 ms then 400 ms (each at most 5 s), 60 s in all.
    pub fn new() -> Self {
        RetryPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            total_time: Duration::from_secs(60),
        }
    }

    /// A single attempt.
    pub fn no_retries() -> Self {
        RetryPolicy::new().with_max_attempts(1)
    }

    /// How many attempts in all (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The ceiling of the first wait; it doubles with each retry.
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The ceiling of any backoff wait (not of a server's `Retry-After`).
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The time budget of a whole call, all attempts and waits included: no retry starts
    /// after it, and no wait runs past it.
    pub fn with_total_time(mut self, total: Duration) -> Self {
        self.total_time = total;
        self
    }

    /// How many attempts in all.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The ceiling of the first wait.
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// The ceiling of any backoff wait.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// The time budget of a whole call.
    pub fn total_time(&self) -> Duration {
        self.total_time
    }

    /// An HTTP status worth retrying: 429, 500, 502, 503, 504.
    pub(crate) fn is_retryable_status(status: u16) -> bool {
        matches!(status, 429 | 500 | 502 | 503 | 504)
    }

    /// A transport failure worth retrying: connecting failed, a timeout, or the connection
    /// was lost.
    pub(crate) fn is_retryable_transport(kind: TransportErrorKind) -> bool {
        matches!(
            kind,
            TransportErrorKind::Connect | TransportErrorKind::Timeout | TransportErrorKind::Io
        )
    }

    /// The backoff ceiling before retry number `retry` (1 for the first retry):
    /// `min(max_delay, base_delay * 2^(retry-1))`.
    pub(crate) fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32 << retry.saturating_sub(1).min(30);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// How long to wait before the next attempt, or `None` to give up.
    ///
    /// `attempts_made` counts the attempts so far (1 after the first), `elapsed` the time
    /// since the call started, `retry_after` what the server asked for, and `random` any
    /// random number (the jitter). The caller has already decided the failure is
    /// retryable.
    pub(crate) fn next_delay(
        &self,
        attempts_made: u32,
        elapsed: Duration,
        retry_after: Option<Duration>,
        random: u64,
    ) -> Option<Duration> {
        if attempts_made >= self.max_attempts {
            return None;
        }
        let delay = match retry_after {
            Some(wait) => wait,
            None => {
                let ceiling = self.backoff_ceiling(attempts_made);
                let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(random % nanos.saturating_add(1))
            }
        };
        let ends = elapsed.checked_add(delay)?;
        (ends < self.total_time).then_some(delay)
    }
}

/// Reads a `Retry-After` header given in seconds (`120`); an HTTP date or anything else
/// gives `None` (the backoff then decides).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() || v.len() > 9 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok().map(Duration::from_secs)
}

/// The time an attempt may take: the call timeout, but never past the total budget (and
/// at least 100 ms, so that a last attempt can still be answered).
pub(crate) fn attempt_timeout(
    policy: &RetryPolicy,
    call_timeout: Duration,
    elapsed: Duration,
) -> Duration {
    let remaining = policy.total_time().saturating_sub(elapsed);
    call_timeout.min(remaining).max(Duration::from_millis(100))
}

/// What one attempt came to, as the policy sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seen<'a> {
    /// An answer arrived and the call read it: `error` is `None` when it was a success.
    Answer {
        status: u16,
        headers: &'a HeaderMap,
        error: Option<&'a MpcError>,
    },
    /// No answer arrived.
    NoAnswer(&'a TransportError),
}

/// What the client does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Return the call's output.
    Done,
    /// Sign the same call again at once (the clock was corrected); not counted.
    Resign,
    /// Send the call again after this wait.
    Retry(Duration),
    /// Return the error.
    Fail,
}

/// The next step, and the correction to add to the signing clock before it (server time
/// minus local time), when an answer showed the local clock off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) action: Action,
    pub(crate) clock_correction: Option<TimeDelta>,
    /// The answer was throttling: the client's pace slows down.
    pub(crate) throttled: bool,
}

/// One call's way through the policy: the attempts counted, whether it was signed again,
/// whether an earlier attempt may have been acted upon.
#[derive(Debug, Clone)]
pub(crate) struct CallState {
    policy: RetryPolicy,
    idempotent: bool,
    counted: u32,
    throttles: u32,
    resigned: bool,
    outcome_unknown: bool,
}

impl CallState {
    /// A call about to make its first attempt; `idempotent` is the call's
    /// [`Call::IDEMPOTENT`](crate::mpc::Call::IDEMPOTENT).
    pub(crate) fn new(policy: RetryPolicy, idempotent: bool) -> Self {
        CallState {
            policy,
            idempotent,
            counted: 0,
            throttles: 0,
            resigned: false,
            outcome_unknown: false,
        }
    }

    /// An earlier attempt may have been acted upon (given to the call with the answer).
    pub(crate) fn earlier_outcome_unknown(&self) -> bool {
        self.outcome_unknown
    }

    /// Decides what follows an attempt. `elapsed` is the time since the call started,
    /// `now` the signing clock (local clock plus correction) and `random` any random
    /// number, for the jitter.
    pub(crate) fn decide(
        &mut self,
        seen: Seen<'_>,
        elapsed: Duration,
        now: DateTime<Utc>,
        random: u64,
    ) -> Decision {
        let date_skew = match seen {
            Seen::Answer { headers, .. } => {
                header_text(headers, "date").and_then(|d| skew_from_date_header(&d, now))
            }
            Seen::NoAnswer(_) => None,
        };
        let end = |action| Decision {
            action,
            clock_correction: date_skew,
            throttled: false,
        };
        let (retry_after, maybe_processed) = match seen {
            Seen::Answer { error: None, .. } => return end(Action::Done),
            Seen::Answer {
                error: Some(MpcError::Unauthorized(api)),
                ..
            } => {
                let skew = (api.code() == ErrorCode::GatewayAuthenticationFailed)
                    .then(|| skew_from_expired_message(&api.error_msg))
                    .flatten()
                    .or(date_skew)
                    .filter(|s| s.num_seconds() != 0);
                return match skew {
                    Some(skew) if !self.resigned => {
                        self.resigned = true;
                        Decision {
                            action: Action::Resign,
                            clock_correction: Some(skew),
                            throttled: false,
                        }
                    }
                    _ => Decision {
                        action: Action::Fail,
                        clock_correction: None,
                        throttled: false,
                    },
                };
            }
            Seen::Answer {
                status,
                headers,
                error: Some(error),
            } => {
                let throttled = matches!(error, MpcError::Throttled(_)) || status == 429;
                if !(RetryPolicy::is_retryable_status(status) || throttled) {
                    return end(Action::Fail);
                }
                let retry_after =
                    header_text(headers, "retry-after").and_then(|v| parse_retry_after(&v));
                if throttled {
                    // Not counted: a throttled request was not acted upon, and the pace
                    // makes room for it; only the time budget ends the call.
                    self.throttles = self.throttles.saturating_add(1);
                    let wait = retry_after.unwrap_or_else(|| {
                        let half = self.policy.backoff_ceiling(self.throttles) / 2;
                        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
                        half + Duration::from_nanos(random % nanos.saturating_add(1))
                    });
                    let fits = elapsed
                        .checked_add(wait)
                        .is_some_and(|ends| ends < self.policy.total_time);
                    return Decision {
                        action: if fits {
                            Action::Retry(wait)
                        } else {
                            Action::Fail
                        },
                        clock_correction: date_skew,
                        throttled: true,
                    };
                }
                // The gateway may have passed the request on before failing.
                (retry_after, matches!(status, 500 | 502 | 504))
            }
            Seen::NoAnswer(error) => {
                if !RetryPolicy::is_retryable_transport(error.kind()) {
                    return end(Action::Fail);
                }
                (None, error.may_have_been_processed())
            }
        };
        self.outcome_unknown |= maybe_processed;
        if maybe_processed && !self.idempotent {
            return end(Action::Fail);
        }
        self.counted += 1;
        match self
            .policy
            .next_delay(self.counted, elapsed, retry_after, random)
        {
            Some(wait) => end(Action::Retry(wait)),
            None => end(Action::Fail),
        }
    }
}

/// A small xorshift64* generator for jitter; no cryptographic use.
#[derive(Debug, Clone)]
pub(crate) struct Jitter(u64);

impl Jitter {
    /// Seeded from the standard library's per-process random hash keys, so that clients
    /// started together (in one process or many) wait differently.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn random() -> Self {
        Jitter::with_seed(std::collections::hash_map::RandomState::new().hash_one(0u8))
    }

    /// A generator with a fixed seed.
    pub(crate) fn with_seed(seed: u64) -> Self {
        // Zero is the one state xorshift never leaves.
        Jitter(if seed == 0 {
            0x2545_F491_4F6C_DD1D
        } else {
            seed
        })
    }

    /// The next number.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn only_throttling_and_server_errors_are_retried() {
        for s in [429, 500, 502, 503, 504] {
            assert!(RetryPolicy::is_retryable_status(s), "{s}");
        }
        for s in [200, 204, 301, 400, 401, 403, 404, 409, 501, 505] {
            assert!(!RetryPolicy::is_retryable_status(s), "{s}");
        }
        for k in [
            TransportErrorKind::Connect,
            TransportErrorKind::Timeout,
            TransportErrorKind::Io,
        ] {
            assert!(RetryPolicy::is_retryable_transport(k));
        }
        for k in [
            TransportErrorKind::Certificate,
            TransportErrorKind::Tls,
            TransportErrorKind::Proxy,
            TransportErrorKind::Protocol,
            TransportErrorKind::Other,
        ] {
            assert!(!RetryPolicy::is_retryable_transport(k));
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy::new()
            .with_base_delay(100 * MS)
            .with_max_delay(1000 * MS);
        let ceilings: Vec<_> = (1..=6).map(|r| p.backoff_ceiling(r)).collect();
        assert_eq!(
            ceilings,
            [100 * MS, 200 * MS, 400 * MS, 800 * MS, 1000 * MS, 1000 * MS]
        );
        assert_eq!(p.backoff_ceiling(u32::MAX), 1000 * MS);
    }

    #[test]
    fn full_jitter_stays_between_zero_and_the_ceiling_and_spreads() {
        let p = RetryPolicy::new()
            .with_max_attempts(10)
            .with_base_delay(100 * MS);
        let mut rng = Jitter::with_seed(7);
        let waits: Vec<_> = (0..1000)
            .map(|_| {
                p.next_delay(2, Duration::ZERO, None, rng.next_u64())
                    .unwrap()
            })
            .collect();
        assert!(waits.iter().all(|w| *w <= 200 * MS));
        assert!(waits.iter().any(|w| *w < 50 * MS));
        assert!(waits.iter().any(|w| *w > 150 * MS));
        assert_eq!(
            p.next_delay(1, Duration::ZERO, None, 0),
            Some(Duration::ZERO)
        );
        assert_eq!(
            p.next_delay(1, Duration::ZERO, None, u64::MAX),
            Some(Duration::from_nanos(u64::MAX % 100_000_001))
        );
    }

    #[test]
    fn gives_up_after_the_last_attempt() {
        let p = RetryPolicy::new();
        assert!(p.next_delay(2, Duration::ZERO, None, 1).is_some());
        assert_eq!(p.next_delay(3, Duration::ZERO, None, 1), None);
        assert_eq!(
            RetryPolicy::no_retries().next_delay(1, Duration::ZERO, None, 1),
            None
        );
        assert_eq!(RetryPolicy::new().with_max_attempts(0).max_attempts(), 1);
    }

    #[test]
    fn no_wait_runs_past_the_total_budget() {
        let p = RetryPolicy::new().with_total_time(Duration::from_secs(10));
        assert_eq!(p.next_delay(1, Duration::from_secs(10), None, 0), None);
        assert_eq!(
            p.next_delay(1, Duration::from_secs(9), Some(Duration::from_secs(2)), 0),
            None
        );
        assert_eq!(
            p.next_delay(1, Duration::from_secs(5), Some(Duration::from_secs(2)), 0),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn retry_after_replaces_the_backoff_even_beyond_its_cap() {
        let p = RetryPolicy::new().with_max_delay(MS);
        assert_eq!(
            p.next_delay(1, Duration::ZERO, Some(Duration::from_secs(3)), 999),
            Some(Duration::from_secs(3))
        );
    }

    #[test]
    fn retry_after_is_read_in_seconds_only() {
        assert_eq!(parse_retry_after("0"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("17"), Some(Duration::from_secs(17)));
        for v in [
            "",
            "-1",
            "1.5",
            "1e3",
            "9999999999",
            "Wed, 21 Oct 2026 07:28:00 GMT",
        ] {
            assert_eq!(parse_retry_after(v), None, "{v}");
        }
    }

    #[test]
    fn the_generator_never_sticks() {
        let mut a = Jitter::with_seed(0);
        let first = a.next_u64();
        assert_ne!(first, a.next_u64());
        let mut b = Jitter::random();
        let mut c = Jitter::random();
        assert_ne!(b.next_u64(), c.next_u64());
    }

    // ------------------------------------------------------------------------------
    // The decision step, one row per branch.
    // ------------------------------------------------------------------------------

    use crate::mpc::call::Answer;
    use chrono::TimeZone;
    use http::header::{HeaderName, HeaderValue};

    /// What an attempt got, in a row of the table.
    #[derive(Clone, Copy)]
    enum Got {
        /// An answer: status, headers, body.
        Answer(u16, &'static [(&'static str, &'static str)], &'static str),
        /// No answer.
        NoAnswer(TransportErrorKind),
    }

    const EXPIRED: &str = r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail, signature expired, signature time:20261128T043500Z, server time:20261128T053512Z"}"#;
    const BAD_SIGNATURE: &str = r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail"}"#;
    const THROTTLED: &str = r#"{"error_code":"APIG.0308","error_msg":"The request is throttled."}"#;
    const NOT_FOUND: &str = r#"{"error_code":"MPC.10211","error_msg":"The task does not exist."}"#;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap()
    }

    /// Runs a call's state through `gots` in order and returns each decision.
    fn decisions(idempotent: bool, gots: &[Got]) -> Vec<Decision> {
        let mut state = CallState::new(RetryPolicy::new(), idempotent);
        gots.iter()
            .map(|got| match *got {
                Got::Answer(status, pairs, body) => {
                    let headers: HeaderMap = pairs
                        .iter()
                        .map(|(n, v)| (HeaderName::from_static(n), HeaderValue::from_static(v)))
                        .collect();
                    let answer = Answer::new(status, &headers, body.as_bytes());
                    let error = (!answer.is_success()).then(|| answer.error());
                    let seen = Seen::Answer {
                        status,
                        headers: &headers,
                        error: error.as_ref(),
                    };
                    state.decide(seen, Duration::ZERO, t0(), 0)
                }
                Got::NoAnswer(kind) => {
                    let error = TransportError::new(kind, "test", None);
                    state.decide(Seen::NoAnswer(&error), Duration::ZERO, t0(), 0)
                }
            })
            .collect()
    }

    fn done() -> Decision {
        Decision {
            action: Action::Done,
            clock_correction: None,
            throttled: false,
        }
    }
    fn fail() -> Decision {
        Decision {
            action: Action::Fail,
            clock_correction: None,
            throttled: false,
        }
    }
    fn retry(wait: Duration) -> Decision {
        Decision {
            action: Action::Retry(wait),
            clock_correction: None,
            throttled: false,
        }
    }
    fn slowed(decision: Decision) -> Decision {
        Decision {
            throttled: true,
            ..decision
        }
    }
    fn corrected(decision: Decision, seconds: i64) -> Decision {
        Decision {
            clock_correction: Some(TimeDelta::seconds(seconds)),
            ..decision
        }
    }
    fn resign(seconds: i64) -> Decision {
        corrected(
            Decision {
                action: Action::Resign,
                clock_correction: None,
                throttled: false,
            },
            seconds,
        )
    }

    #[test]
    fn each_answer_leads_to_the_documented_next_step() {
        use Got::{Answer as A, NoAnswer as N};
        use TransportErrorKind as K;
        let z = Duration::ZERO;
        let far_date: &[(&str, &str)] = &[("date", "Sat, 28 Nov 2026 05:05:00 GMT")];
        let behind_date: &[(&str, &str)] = &[("date", "Sat, 28 Nov 2026 03:35:00 GMT")];
        let near_date: &[(&str, &str)] = &[("date", "Sat, 28 Nov 2026 04:37:00 GMT")];
        #[rustfmt::skip]
        let table: &[(&str, bool, &[Got], &[Decision])] = &[
            ("a success is done", true,
             &[A(204, &[], "")], &[done()]),
            ("a success with a far-off Date is done and corrects the clock", true,
             &[A(204, far_date, "")], &[corrected(done(), 1800)]),
            ("a Date within five minutes corrects nothing", true,
             &[A(204, near_date, "")], &[done()]),
            ("an expired signature is signed again once, corrected by the gateway's times", true,
             &[A(401, &[], EXPIRED), A(401, &[], EXPIRED)], &[resign(3612), fail()]),
            ("a re-sign does not count: three more attempts follow it", true,
             &[A(401, &[], EXPIRED), A(503, &[], ""), A(503, &[], ""), A(503, &[], "")],
             &[resign(3612), retry(z), retry(z), fail()]),
            ("a refused signature with a far-off Date is signed again", true,
             &[A(401, behind_date, BAD_SIGNATURE)], &[resign(-3600)]),
            ("a refused signature without skew fails at once", true,
             &[A(401, &[], BAD_SIGNATURE)], &[fail()]),
            ("5xx is retried until the last attempt", true,
             &[A(503, &[], ""), A(502, &[], "<html>"), A(500, &[], "")],
             &[retry(z), retry(z), fail()]),
            ("429 is retried after its Retry-After, and slows the pace", true,
             &[A(429, &[("retry-after", "2")], THROTTLED)], &[slowed(retry(Duration::from_secs(2)))]),
            ("throttling is retried whatever its status, after half the backoff at least", true,
             &[A(403, &[], THROTTLED), A(429, &[], "")],
             &[slowed(retry(100 * MS)), slowed(retry(200 * MS))]),
            ("throttling is not counted as an attempt", true,
             &[A(503, &[], ""), A(429, &[], THROTTLED), A(429, &[], THROTTLED), A(503, &[], ""), A(503, &[], "")],
             &[retry(z), slowed(retry(100 * MS)), slowed(retry(200 * MS)), retry(z), fail()]),
            ("a Retry-After beyond the budget fails", true,
             &[A(503, &[("retry-after", "120")], "")], &[fail()]),
            ("an API refusal fails at once", true,
             &[A(403, &[], NOT_FOUND)], &[fail()]),
            ("an API refusal with a far-off Date still corrects the clock", true,
             &[A(403, far_date, NOT_FOUND)], &[corrected(fail(), 1800)]),
            ("a redirect fails at once", true,
             &[A(302, &[("location", "http://elsewhere/")], "")], &[fail()]),
            ("connection failures and timeouts are retried", true,
             &[N(K::Connect), N(K::Timeout)], &[retry(z), retry(z)]),
            ("certificate, TLS, proxy and protocol failures fail at once", true,
             &[N(K::Certificate)], &[fail()]),
            ("", true, &[N(K::Tls)], &[fail()]),
            ("", true, &[N(K::Proxy)], &[fail()]),
            ("", true, &[N(K::Protocol)], &[fail()]),
            ("a call that is not idempotent is not retried once it may have been acted upon", false,
             &[A(500, &[], "")], &[fail()]),
            ("", false, &[N(K::Timeout)], &[fail()]),
            ("", false, &[N(K::Io)], &[fail()]),
            ("but it is retried when it was not", false,
             &[N(K::Connect), A(503, &[], ""), A(429, &[], THROTTLED), A(503, &[], "")],
             &[retry(z), retry(z), slowed(retry(100 * MS)), fail()]),
        ];
        for (name, idempotent, gots, expected) in table {
            assert_eq!(decisions(*idempotent, gots), *expected, "{name}");
        }
    }

    #[test]
    fn throttling_is_retried_for_as_long_as_the_budget_lasts() {
        let policy = RetryPolicy::new().with_total_time(Duration::from_secs(60));
        let mut state = CallState::new(policy, false);
        let headers = HeaderMap::new();
        let error = Answer::new(429, &headers, THROTTLED.as_bytes()).error();
        let seen = Seen::Answer {
            status: 429,
            headers: &headers,
            error: Some(&error),
        };
        let mut elapsed = Duration::ZERO;
        let mut retries = 0;
        loop {
            let d = state.decide(seen, elapsed, t0(), 12345);
            assert!(d.throttled);
            match d.action {
                Action::Retry(wait) => {
                    // Backoff is capped at 5 s, so the wait is at most that.
                    assert!(wait <= Duration::from_secs(5), "{wait:?}");
                    assert!(elapsed + wait < Duration::from_secs(60));
                    elapsed += wait;
                    retries += 1;
                }
                Action::Fail => break,
                other => panic!("{other:?}"),
            }
        }
        assert!(retries > 3, "far more than the attempts allowed: {retries}");
        assert!(elapsed >= Duration::from_secs(55), "{elapsed:?}");
    }

    #[test]
    fn an_unknown_outcome_is_remembered_for_the_answers_that_follow() {
        for (got, unknown) in [
            (Got::Answer(500, &[], ""), true),
            (Got::Answer(502, &[], ""), true),
            (Got::Answer(504, &[], ""), true),
            (Got::NoAnswer(TransportErrorKind::Timeout), true),
            (Got::NoAnswer(TransportErrorKind::Io), true),
            (Got::Answer(503, &[], ""), false),
            (Got::Answer(429, &[], THROTTLED), false),
            (Got::NoAnswer(TransportErrorKind::Connect), false),
        ] {
            let mut state = CallState::new(RetryPolicy::new(), true);
            assert!(!state.earlier_outcome_unknown());
            let headers = HeaderMap::new();
            let error = match got {
                Got::Answer(status, _, body) => {
                    Some(Answer::new(status, &headers, body.as_bytes()).error())
                }
                Got::NoAnswer(_) => None,
            };
            let transport = match got {
                Got::NoAnswer(kind) => Some(TransportError::new(kind, "", None)),
                Got::Answer(..) => None,
            };
            let seen = match (&got, &transport) {
                (Got::Answer(status, ..), _) => Seen::Answer {
                    status: *status,
                    headers: &headers,
                    error: error.as_ref(),
                },
                (_, Some(t)) => Seen::NoAnswer(t),
                _ => unreachable!("every row has an answer or a transport error"),
            };
            state.decide(seen, Duration::ZERO, t0(), 0);
            assert_eq!(state.earlier_outcome_unknown(), unknown);
        }
    }

    #[test]
    fn an_attempt_never_runs_past_the_budget() {
        let p = RetryPolicy::new().with_total_time(Duration::from_secs(10));
        let call = Duration::from_secs(30);
        assert_eq!(attempt_timeout(&p, call, Duration::ZERO), 10 * 1000 * MS);
        assert_eq!(attempt_timeout(&p, call, Duration::from_secs(7)), 3000 * MS);
        assert_eq!(attempt_timeout(&p, call, Duration::from_secs(11)), 100 * MS);
        let p = RetryPolicy::new();
        assert_eq!(attempt_timeout(&p, call, Duration::ZERO), call);
    }

    proptest::proptest! {
        #[test]
        fn retry_and_clock_helpers_never_panic(
            retry_after in proptest::prop_oneof![proptest::arbitrary::any::<String>(), "[ 0-9]{0,12}"],
            message in proptest::prop_oneof![
                proptest::arbitrary::any::<String>(),
                "signature expired, signature time:[0-9T]{0,16}Z?, server time:[0-9T]{0,16}Z?",
            ],
            date in proptest::prop_oneof![proptest::arbitrary::any::<String>(), "[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT"],
            attempts: u32,
            max_attempts: u32,
            elapsed_ms: u64,
            server_wait: Option<u64>,
            random: u64,
            base_ms: u64,
            total_ms: u64,
        ) {
            if let Some(wait) = parse_retry_after(&retry_after) {
                proptest::prop_assert!(wait.as_secs() < 1_000_000_000);
            }
            let _ = skew_from_expired_message(&message);
            let _ = skew_from_date_header(&date, t0());
            let policy = RetryPolicy::new()
                .with_max_attempts(max_attempts)
                .with_base_delay(Duration::from_millis(base_ms))
                .with_total_time(Duration::from_millis(total_ms));
            let elapsed = Duration::from_millis(elapsed_ms);
            let delay = policy.next_delay(attempts, elapsed, server_wait.map(Duration::from_secs), random);
            if let Some(d) = delay {
                proptest::prop_assert!(attempts < policy.max_attempts());
                proptest::prop_assert!(elapsed + d < policy.total_time());
            }
        }
    }
}
