//! The credential providers: the chain's order and stops, and the cache's refresh rules on
//! an injected clock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use huaweicloud_aksk::Credentials;
use huaweicloud_aksk::credentials::loader::Loader;
use huaweicloud_aksk::credentials::{
    CachingProvider, ChainProvider, EnvProvider, ProfileProvider, ProvideCredentials, ProvideError,
    Provided, StaticProvider,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap()
}

/// A provider answering from a script, counting the calls; each answer expires one hour
/// after the clock's time when asked.
#[derive(Debug)]
struct Scripted {
    calls: Arc<AtomicUsize>,
    fail_from: Mutex<Option<usize>>,
    now: Arc<Mutex<DateTime<Utc>>>,
    barrier: Option<Arc<Barrier>>,
}

impl Scripted {
    fn new(now: Arc<Mutex<DateTime<Utc>>>) -> Self {
        Scripted {
            calls: Arc::new(AtomicUsize::new(0)),
            fail_from: Mutex::new(None),
            now,
            barrier: None,
        }
    }
}

impl ProvideCredentials for Scripted {
    fn provide(&self) -> Result<Provided, ProvideError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if let (1, Some(barrier)) = (n, &self.barrier) {
            // Hold the first refresh until the test thread lets it go.
            barrier.wait();
        }
        if self.fail_from.lock().unwrap().is_some_and(|from| n >= from) {
            return Err(ProvideError::Failed {
                provider: "scripted",
                reason: "refused".into(),
            });
        }
        let now = *self.now.lock().unwrap();
        Ok(Provided::new(
            Credentials::new(format!("AK{n}"), "SK").with_security_token(format!("TOKEN{n}")),
        )
        .expiring_at(now + TimeDelta::hours(1)))
    }
}

fn cached(now: &Arc<Mutex<DateTime<Utc>>>, inner: Scripted) -> CachingProvider<Scripted> {
    let clock = Arc::clone(now);
    CachingProvider::new(inner).clock(move || *clock.lock().unwrap())
}

#[test]
fn temporary_credentials_are_kept_until_forty_minutes_remain() {
    let now = Arc::new(Mutex::new(t0()));
    let provider = cached(&now, Scripted::new(Arc::clone(&now)));
    assert_eq!(provider.provide().unwrap().credentials.access_key(), "AK1");
    // 1 h lifetime: at +19 min, 41 min remain: kept.
    *now.lock().unwrap() = t0() + TimeDelta::minutes(19);
    assert_eq!(provider.provide().unwrap().credentials.access_key(), "AK1");
    // At +21 min, 39 min remain: refreshed.
    *now.lock().unwrap() = t0() + TimeDelta::minutes(21);
    assert_eq!(provider.provide().unwrap().credentials.access_key(), "AK2");
}

#[test]
fn a_failed_refresh_keeps_valid_credentials_and_fails_once_they_expire() {
    let now = Arc::new(Mutex::new(t0()));
    let inner = Scripted::new(Arc::clone(&now));
    *inner.fail_from.lock().unwrap() = Some(2);
    let provider = cached(&now, inner);
    assert_eq!(provider.provide().unwrap().credentials.access_key(), "AK1");
    *now.lock().unwrap() = t0() + TimeDelta::minutes(50);
    assert_eq!(provider.provide().unwrap().credentials.access_key(), "AK1");
    *now.lock().unwrap() = t0() + TimeDelta::minutes(61);
    let e = provider.provide().unwrap_err();
    assert!(e.to_string().contains("refused"), "{e}");
}

#[test]
fn one_refresh_at_a_time_across_threads() {
    const THREADS: usize = 8;
    let now = Arc::new(Mutex::new(t0()));
    let mut inner = Scripted::new(Arc::clone(&now));
    // The first refresh waits for the barrier's other party: the test thread, released
    // only after every worker has started asking.
    let barrier = Arc::new(Barrier::new(2));
    inner.barrier = Some(Arc::clone(&barrier));
    let calls = Arc::clone(&inner.calls);
    let provider = Arc::new(cached(&now, inner));
    let started = Arc::new(Barrier::new(THREADS + 1));
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let provider = Arc::clone(&provider);
            let started = Arc::clone(&started);
            std::thread::spawn(move || {
                started.wait();
                provider
                    .provide()
                    .unwrap()
                    .credentials
                    .access_key()
                    .to_owned()
            })
        })
        .collect();
    started.wait();
    barrier.wait();
    let keys: Vec<String> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert!(keys.iter().all(|k| k == "AK1"), "{keys:?}");
    // Only one thread asked the inner provider; the others waited for its answer.
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn long_lived_credentials_are_asked_for_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    #[derive(Debug)]
    struct Counting(Arc<AtomicUsize>);
    impl ProvideCredentials for Counting {
        fn provide(&self) -> Result<Provided, ProvideError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(Provided::new(Credentials::new("AK", "SK")))
        }
    }
    let provider = CachingProvider::new(Counting(Arc::clone(&calls)));
    for _ in 0..3 {
        provider.provide().unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

fn env_loader(vars: &[(&str, &str)], home: &std::path::Path) -> Loader {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Loader::new().with_env_vars(vars).with_home_dir(home)
}

#[test]
fn the_chain_takes_the_first_provider_with_credentials() {
    let home = std::env::temp_dir().join(format!("aksk-chain-{}", std::process::id()));
    std::fs::create_dir_all(home.join(".huaweicloud")).unwrap();
    std::fs::write(
        home.join(".huaweicloud/credentials"),
        "[basic]\nak = PROFILEAK\nsk = PROFILESK\nproject_id = p-profile\n",
    )
    .unwrap();
    let chain = |vars: &[(&str, &str)]| {
        ChainProvider::new(vec![
            Box::new(EnvProvider::with_loader(env_loader(vars, &home))),
            Box::new(ProfileProvider::with_loader(env_loader(vars, &home))),
            Box::new(StaticProvider::new(Credentials::new("LASTAK", "LASTSK"))),
        ])
    };
    // The environment first.
    let got = chain(&[
        ("HUAWEICLOUD_SDK_AK", "ENVAK"),
        ("HUAWEICLOUD_SDK_SK", "ENVSK"),
    ])
    .provide()
    .unwrap();
    assert_eq!(got.credentials.access_key(), "ENVAK");
    // Then the profile, with its project id.
    let got = chain(&[]).provide().unwrap();
    assert_eq!(got.credentials.access_key(), "PROFILEAK");
    assert_eq!(got.project_id.as_deref(), Some("p-profile"));
    // Half a pair in the environment stops the chain, naming what is missing.
    let e = chain(&[("HUAWEICLOUD_SDK_AK", "ENVAK")])
        .provide()
        .unwrap_err();
    assert!(e.to_string().contains("HUAWEICLOUD_SDK_SK"), "{e}");
    std::fs::remove_dir_all(&home).unwrap();
    // No profile file: on to the last provider.
    let got = chain(&[]).provide().unwrap();
    assert_eq!(got.credentials.access_key(), "LASTAK");
    // Nothing anywhere: every place is named.
    let e = ChainProvider::new(vec![
        Box::new(EnvProvider::with_loader(env_loader(&[], &home))),
        Box::new(ProfileProvider::with_loader(env_loader(&[], &home))),
    ])
    .provide()
    .unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.contains("HUAWEICLOUD_SDK_AK") && shown.contains("does not exist"),
        "{shown}"
    );
}

#[test]
fn unusable_credentials_are_refused_without_showing_the_secret() {
    let e = StaticProvider::new(Credentials::new("AK", "SECRETVALUE\n"))
        .provide()
        .unwrap_err()
        .to_string();
    assert!(!e.contains("SECRETVALUE"), "{e}");
}
