//! Signatures per second with one `Signer` shared by several threads, without a lock.
//!
//! Each thread signs the MPC DeleteRemuxTask request with `Signer::sign_into` into its own
//! `SigningBuffer`, borrowing the same `Signer` (it is `Sync`: signing takes `&self`).
//! First one thread, then the given number of threads (2 by default), each for the given
//! number of seconds (2 by default):
//!
//! ```sh
//! cargo run --release --example throughput -- [THREADS] [SECONDS]
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};

const URL: &str = "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211";
const HEADERS: [(&str, &str); 2] = [
    ("X-Project-Id", "0123456789abcdef0123456789abcdef"),
    ("Content-Type", "application/json"),
];
const SIGNATURE: &str = "3c5d7aa8b5909955bc2203bb05d1073f61f7db9e5324e0dbdb38561a2b35fc46";

/// Signs for `duration` on the current thread; returns the number of signatures.
fn sign_for(signer: &Signer, duration: Duration) -> u64 {
    let req = SignableRequest::new("DELETE", URL)
        .expect("valid URL")
        .with_headers(&HEADERS);
    let date = SdkDate::parse("20261128T043500Z").expect("valid date");
    let mut buf = SigningBuffer::new();
    assert_eq!(
        signer
            .sign_into(&req, date, &mut buf)
            .expect("signs")
            .signature(),
        SIGNATURE
    );
    let start = Instant::now();
    let mut count = 0u64;
    // Check the clock every 1024 signatures, not after each.
    while start.elapsed() < duration {
        for _ in 0..1024 {
            let signed = signer
                .sign_into(black_box(&req), date, &mut buf)
                .expect("signs");
            black_box(signed.signature());
        }
        count += 1024;
    }
    count
}

/// Runs `threads` threads signing with the same `signer`; returns signatures per second.
fn run(signer: &Signer, threads: usize, duration: Duration) -> (f64, Vec<u64>) {
    let start = Instant::now();
    let counts: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| s.spawn(|| sign_for(signer, duration)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("signing thread"))
            .collect()
    });
    let total: u64 = counts.iter().sum();
    (total as f64 / start.elapsed().as_secs_f64(), counts)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let threads: usize = args
        .next()
        .map_or(2, |a| a.parse().expect("THREADS: a number"));
    let seconds: f64 = args
        .next()
        .map_or(2.0, |a| a.parse().expect("SECONDS: a number"));
    let duration = Duration::from_secs_f64(seconds);

    let signer = Signer::new(Credentials::new(
        "HWCEXAMPLEAK0123TEST",
        "HWCexampleSK0123456789abcdefghijklmnopqrST",
    ));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "DeleteRemuxTask, Signer::sign_into, one Signer shared without a lock ({cores} cores)"
    );

    let (one, _) = run(&signer, 1, duration);
    println!("1 thread:   {one:>12.0} signatures/s");
    let (many, counts) = run(&signer, threads, duration);
    println!(
        "{threads} threads: {many:>12.0} signatures/s ({:.2}x one thread; per thread: {counts:?})",
        many / one
    );
}
