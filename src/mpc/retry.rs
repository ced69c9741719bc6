//! When a failed attempt is tried again, and after how long.
//!
//! Retried: connection failures, timeouts, connections lost mid-exchange, and HTTP 429,
//! 500, 502, 503 and 504. Never any other 4xx (a refused signature retried five times in
//! a row locks the AK/SK for five minutes). The wait is exponential backoff with full
//! jitter (a uniformly random wait between zero and `base * 2^(retry-1)`, capped), or
//! what a `Retry-After` header says; no wait ever runs past the total time budget.

use std::time::Duration;

use crate::mpc::error::TransportErrorKind;

/// How many attempts a call makes by default (the first and two retries).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// The retry policy of a client.
///
/// ```
/// use std::time::Duration;
/// use huaweicloud_aksk::mpc::RetryPolicy;
///
/// let policy = RetryPolicy::new().with_max_attempts(5).with_total_time(Duration::from_secs(30));
/// assert!(RetryPolicy::is_retryable_status(503));
/// assert!(!RetryPolicy::is_retryable_status(403));
/// // After the first attempt: a wait of at most the base delay.
/// let wait = policy.next_delay(1, Duration::ZERO, None, 12345).unwrap();
/// assert!(wait <= policy.base_delay());
/// // A Retry-After beyond the budget: give up.
/// assert_eq!(policy.next_delay(1, Duration::ZERO, Some(Duration::from_secs(60)), 1), None);
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
    pub fn is_retryable_status(status: u16) -> bool {
        matches!(status, 429 | 500 | 502 | 503 | 504)
    }

    /// A transport failure worth retrying: connecting failed, a timeout, or the connection
    /// was lost.
    pub fn is_retryable_transport(kind: TransportErrorKind) -> bool {
        matches!(
            kind,
            TransportErrorKind::Connect | TransportErrorKind::Timeout | TransportErrorKind::Io
        )
    }

    /// The backoff ceiling before retry number `retry` (1 for the first retry):
    /// `min(max_delay, base_delay * 2^(retry-1))`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32 << retry.saturating_sub(1).min(30);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(Duration::MAX)
            .min(self.max_delay)
    }

    /// How long to wait before the next attempt, or `None` to give up.
    ///
    /// `attempts_made` counts the attempts so far (1 after the first), `elapsed` the time
    /// since the call started, `retry_after` what the server asked for, and `random` any
    /// random number (the jitter). The caller has already decided the failure is
    /// retryable.
    pub fn next_delay(
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
/// gives `None`.
///
/// ```
/// use std::time::Duration;
/// use huaweicloud_aksk::mpc::parse_retry_after;
///
/// assert_eq!(parse_retry_after(" 2 "), Some(Duration::from_secs(2)));
/// assert_eq!(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT"), None);
/// ```
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() || v.len() > 9 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok().map(Duration::from_secs)
}

/// A small xorshift64* generator for jitter; no cryptographic use.
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "blocking"), allow(dead_code))]
pub(crate) struct Jitter(u64);

#[cfg_attr(not(feature = "blocking"), allow(dead_code))]
impl Jitter {
    /// Seeded from the clock and a counter, so that clients started together differ.
    pub(crate) fn from_time() -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        Jitter::with_seed(nanos ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15))
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
        let mut b = Jitter::from_time();
        let mut c = Jitter::from_time();
        assert_ne!(b.next_u64(), c.next_u64());
    }
}
