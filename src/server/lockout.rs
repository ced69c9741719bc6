//! Locks an access key after failed authentications in a row, as the gateway does (five
//! failures lock the AK/SK for five minutes).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failure counts per access key.
#[derive(Debug)]
pub(crate) struct Lockout {
    threshold: u32,
    duration: Duration,
    keys: Mutex<HashMap<String, Failures>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Failures {
    in_a_row: u32,
    locked_until: Option<Instant>,
}

impl Lockout {
    /// Locks after `threshold` failures in a row (0: never) for `duration`.
    pub(crate) fn new(threshold: u32, duration: Duration) -> Self {
        Lockout {
            threshold,
            duration,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// Is `access_key` locked at `now`? A lock that has run out is lifted (and the count
    /// starts again).
    pub(crate) fn is_locked(&self, access_key: &str, now: Instant) -> bool {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let Some(f) = keys.get_mut(access_key) else {
            return false;
        };
        match f.locked_until {
            Some(until) if now < until => true,
            Some(_) => {
                keys.remove(access_key);
                false
            }
            None => false,
        }
    }

    /// Records a failed authentication of a known access key.
    pub(crate) fn failed(&self, access_key: &str, now: Instant) {
        if self.threshold == 0 {
            return;
        }
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let f = keys.entry(access_key.to_owned()).or_default();
        f.in_a_row = f.in_a_row.saturating_add(1);
        if f.in_a_row >= self.threshold && f.locked_until.is_none() {
            f.locked_until = Some(now + self.duration);
        }
    }

    /// Records a successful authentication: the count starts again.
    pub(crate) fn succeeded(&self, access_key: &str) {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.remove(access_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_in_a_row_lock_until_the_time_runs_out() {
        let l = Lockout::new(5, Duration::from_secs(300));
        let t0 = Instant::now();
        for _ in 0..4 {
            l.failed("AK", t0);
        }
        assert!(!l.is_locked("AK", t0));
        l.failed("AK", t0);
        assert!(l.is_locked("AK", t0 + Duration::from_secs(299)));
        assert!(!l.is_locked("OTHER", t0));
        assert!(!l.is_locked("AK", t0 + Duration::from_secs(300)));
        // The count starts again after the lock.
        l.failed("AK", t0 + Duration::from_secs(301));
        assert!(!l.is_locked("AK", t0 + Duration::from_secs(301)));
    }

    #[test]
    fn a_success_resets_the_count() {
        let l = Lockout::new(5, Duration::from_secs(300));
        let t0 = Instant::now();
        for _ in 0..4 {
            l.failed("AK", t0);
        }
        l.succeeded("AK");
        l.failed("AK", t0);
        assert!(!l.is_locked("AK", t0));
    }

    #[test]
    fn a_zero_threshold_never_locks() {
        let l = Lockout::new(0, Duration::from_secs(300));
        let t0 = Instant::now();
        for _ in 0..100 {
            l.failed("AK", t0);
        }
        assert!(!l.is_locked("AK", t0));
    }
}
