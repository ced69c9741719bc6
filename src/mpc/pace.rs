//! The client-side pace: at most N requests a minute, spaced evenly, slower after the
//! gateway throttles. No I/O and no clock of its own: the caller says what time it is and
//! waits as long as it is told, so that tests drive it with made-up instants.
//!
//! MPC allows a tenant 100 requests a minute; over it the gateway answers 429
//! `APIG.0308`. The limit is per account: more clients or machines do not make a bulk job
//! faster, only more throttled.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// MPC's limit of requests a minute for one tenant: the pace of a client unless another is
/// set.
pub const DEFAULT_RATE_PER_MINUTE: u32 = 100;

/// The slowest the pace gets after throttling: this many times its set interval.
const MAX_SLOWDOWN: u32 = 16;

/// When each request of a client may go: one every 60/N seconds, shared by every call
/// and every thread of the client. A throttled answer doubles the interval (up to 16
/// times the set one) and pushes the next slot at least one interval away; each answer
/// that is not throttled takes an eighth of the extra interval back.
///
/// ```
/// use std::time::{Duration, Instant};
/// use huaweicloud_aksk::mpc::Pace;
///
/// let pace = Pace::per_minute(120).expect("a rate above zero");
/// let t0 = Instant::now();
/// assert_eq!(pace.reserve(t0), Duration::ZERO);
/// assert_eq!(pace.reserve(t0), Duration::from_millis(500));
/// assert_eq!(pace.reserve(t0), Duration::from_millis(1000));
/// ```
#[derive(Debug)]
pub struct Pace {
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy)]
struct State {
    /// The interval that was set.
    base: Duration,
    /// The interval now (longer than `base` after throttling).
    interval: Duration,
    /// The earliest time the next request may go.
    next: Option<Instant>,
}

impl Pace {
    /// At most `n` requests a minute, evenly spaced; `None` when `n` is zero.
    pub fn per_minute(n: u32) -> Option<Pace> {
        // Rounded up to the nanosecond, so that no minute ever holds more than `n`.
        (n > 0).then(|| {
            Pace::with_interval(Duration::from_nanos(
                60_000_000_000u64.div_ceil(u64::from(n)),
            ))
        })
    }

    /// One request every `interval` (zero: no pacing until throttled, then 1 ms
    /// doubled).
    pub fn with_interval(interval: Duration) -> Pace {
        Pace {
            state: Mutex::new(State {
                base: interval,
                interval,
                next: None,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a few numbers, valid whatever a panicking holder did.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the next slot for a request about to be sent at `now`, and says how long to
    /// wait before sending it (zero when it may go at once).
    pub fn reserve(&self, now: Instant) -> Duration {
        let mut s = self.lock();
        let slot = s.next.map_or(now, |next| next.max(now));
        s.next = Some(slot + s.interval);
        slot - now
    }

    /// The gateway throttled a request at `now`: the interval doubles (at most 16 times
    /// the set one) and no request goes before one interval from `now`.
    pub fn throttled(&self, now: Instant) {
        let mut s = self.lock();
        let ceiling = (s.base * MAX_SLOWDOWN).max(Duration::from_millis(16));
        s.interval = (s.interval * 2).max(Duration::from_millis(1)).min(ceiling);
        let earliest = now + s.interval;
        s.next = Some(s.next.map_or(earliest, |next| next.max(earliest)));
    }

    /// A request got an answer that was not throttling: an eighth of the slowdown is
    /// taken back.
    pub fn not_throttled(&self) {
        let mut s = self.lock();
        let extra = s.interval.saturating_sub(s.base);
        s.interval = s.base + extra * 7 / 8;
    }

    /// The interval between requests now.
    pub fn interval(&self) -> Duration {
        self.lock().interval
    }

    /// The interval that was set.
    pub fn base_interval(&self) -> Duration {
        self.lock().base
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn requests_are_spaced_evenly_from_the_first() {
        let pace = Pace::per_minute(100).unwrap();
        let t0 = Instant::now();
        let waits: Vec<_> = (0..4).map(|_| pace.reserve(t0)).collect();
        assert_eq!(waits, [Duration::ZERO, 600 * MS, 1200 * MS, 1800 * MS]);
        // A caller that waited as told gets its slot with no further wait.
        let t1 = t0 + 2400 * MS;
        assert_eq!(pace.reserve(t1), Duration::ZERO);
        assert_eq!(pace.reserve(t1), 600 * MS);
    }

    #[test]
    fn idle_time_is_not_saved_up_for_a_burst() {
        let pace = Pace::per_minute(60).unwrap();
        let t0 = Instant::now();
        assert_eq!(pace.reserve(t0), Duration::ZERO);
        let later = t0 + Duration::from_secs(3600);
        assert_eq!(pace.reserve(later), Duration::ZERO);
        assert_eq!(pace.reserve(later), Duration::from_secs(1));
    }

    #[test]
    fn n_a_minute_means_n_slots_in_any_minute() {
        for n in [1, 7, 100, 6000] {
            let pace = Pace::per_minute(n).unwrap();
            let t0 = Instant::now();
            let in_a_minute = (0..n + 5)
                .map(|_| pace.reserve(t0))
                .filter(|w| *w < Duration::from_secs(60))
                .count();
            assert_eq!(in_a_minute, n as usize, "{n}");
        }
        assert!(Pace::per_minute(0).is_none());
    }

    #[test]
    fn throttling_slows_down_and_recovery_is_gradual() {
        let pace = Pace::per_minute(100).unwrap();
        let t0 = Instant::now();
        assert_eq!(pace.reserve(t0), Duration::ZERO);
        pace.throttled(t0);
        assert_eq!(pace.interval(), 1200 * MS);
        // The next slot is at least one (slowed) interval away.
        assert_eq!(pace.reserve(t0), 1200 * MS);
        for _ in 0..10 {
            pace.throttled(t0);
        }
        assert_eq!(pace.interval(), 600 * MS * 16, "capped at 16 times");
        let mut last = pace.interval();
        for _ in 0..200 {
            pace.not_throttled();
            assert!(pace.interval() <= last);
            last = pace.interval();
        }
        assert_eq!(pace.interval(), pace.base_interval());
        pace.not_throttled();
        assert_eq!(pace.interval(), 600 * MS, "never faster than set");
    }

    #[test]
    fn a_zero_interval_still_backs_off_when_throttled() {
        let pace = Pace::with_interval(Duration::ZERO);
        let t0 = Instant::now();
        assert_eq!(pace.reserve(t0), Duration::ZERO);
        assert_eq!(pace.reserve(t0), Duration::ZERO);
        pace.throttled(t0);
        assert!(pace.interval() > Duration::ZERO);
        assert!(pace.reserve(t0) > Duration::ZERO);
    }

    #[test]
    fn threads_sharing_a_pace_each_get_their_own_slot() {
        let pace = Arc::new(Pace::per_minute(600).unwrap());
        let t0 = Instant::now();
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let pace = Arc::clone(&pace);
                std::thread::spawn(move || (0..50).map(|_| pace.reserve(t0)).collect::<Vec<_>>())
            })
            .collect();
        let mut waits: Vec<Duration> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        waits.sort();
        let expected: Vec<Duration> = (0..400).map(|i| 100 * MS * i).collect();
        assert_eq!(waits, expected);
    }
}
