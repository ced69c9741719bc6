//! The local endpoint's HTTP handling on arbitrary bytes: one connection's worth of request
//! bytes in, the bytes written back out, through hyper and the handler, with no socket.
//!
//! Invariants: no panic; whatever is written back starts with an HTTP/1.1 (or, to HTTP/1.0, HTTP/1.0) answer, not a 5xx (the
//! store never fails on input); and no unsigned request changes a record (the fuzzer cannot
//! forge an HMAC, so the demo set stays as it was).
#![no_main]

use std::sync::OnceLock;

use huaweicloud_aksk::server::{LocalEndpoint, Task};
use libfuzzer_sys::fuzz_target;

fn endpoint() -> &'static (LocalEndpoint, Vec<Task>) {
    static ENDPOINT: OnceLock<(LocalEndpoint, Vec<Task>)> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        let endpoint = LocalEndpoint::start_demo().expect("the demo endpoint starts");
        let tasks = endpoint.tasks();
        (endpoint, tasks)
    })
}

fuzz_target!(|data: &[u8]| {
    let (endpoint, tasks) = endpoint();
    let out = endpoint.answer_raw(data);
    if !out.is_empty() {
        // HTTP/1.0 requests are answered in HTTP/1.0.
        assert!(
            out.starts_with(b"HTTP/1.1 ") || out.starts_with(b"HTTP/1.0 "),
            "{:?}",
            String::from_utf8_lossy(&out)
        );
        // The first answer's status (later ones may sit behind bodies that echo input).
        assert_ne!(
            out.get(9),
            Some(&b'5'),
            "{:?}",
            String::from_utf8_lossy(&out)
        );
    }
    assert_eq!(
        &endpoint.tasks(),
        tasks,
        "an unsigned request changed a record"
    );
});
