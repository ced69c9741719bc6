//! `Signer::sign_into` allocates nothing once its `SigningBuffer` has grown, and neither
//! does `Verifier::verify_with` once its `VerifyBuffer` has, for every HMAC algorithm.
//!
//! A counting global allocator counts the allocations made on the test's own thread while
//! a flag is set; the harness's other threads are not counted. This is an allocation count,
//! not a timing: the result is the same on every machine.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use huaweicloud_aksk::verify::{Verifier, VerifyBuffer};
use huaweicloud_aksk::{
    Algorithm, Credentials, Payload, PayloadHashing, SdkDate, SignableRequest, Signer,
    SigningBuffer,
};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with` fails only while the thread is being torn down; nothing is counted then.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        }
    });
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counting touches
// only const-initialised thread locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: `ptr` was allocated by `System` (every allocation goes through it) with
        // `layout`, as the caller guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `realloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns how many allocations (including reallocations) it made on this
/// thread.
fn allocations_in(f: impl FnOnce()) -> u64 {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|on| on.set(true));
    f();
    COUNTING.with(|on| on.set(false));
    ALLOCATIONS.with(Cell::get)
}

const ROUNDS: usize = 1000;

fn signer() -> Signer {
    Signer::new(Credentials::new(
        "HWCEXAMPLEAK0123TEST",
        "HWCexampleSK0123456789abcdefghijklmnopqrST",
    ))
}

/// A signer for each HMAC algorithm this build has.
fn hmac_signers() -> Vec<Signer> {
    [
        Algorithm::SdkHmacSha256,
        Algorithm::V11HmacSha256,
        Algorithm::SdkHmacSm3,
    ]
    .into_iter()
    .filter(|a| a.is_available())
    .map(|a| {
        signer()
            .with_algorithm(a)
            .with_derived_scope("cn-north-4", "mpc")
    })
    .collect()
}

fn date() -> SdkDate {
    SdkDate::parse("20261128T043500Z").unwrap()
}

/// Signs `req` once to grow the buffer, then asserts that `ROUNDS` more signatures into the
/// same buffer allocate nothing and give the same signature.
fn assert_no_allocation_after_warm_up(signer: &Signer, req: &SignableRequest<'_>) {
    let mut buf = SigningBuffer::new();
    let first = signer
        .sign_into(req, date(), &mut buf)
        .unwrap()
        .signature()
        .to_owned();
    let mut same = true;
    let n = allocations_in(|| {
        for _ in 0..ROUNDS {
            let signed = signer.sign_into(req, date(), &mut buf).unwrap();
            same &= signed.signature() == first;
        }
    });
    assert!(same, "a later signature differs from the first");
    assert_eq!(
        n, 0,
        "{ROUNDS} signatures after the warm-up allocated {n} times"
    );
}

#[test]
fn the_counter_sees_allocations() {
    let n = allocations_in(|| {
        std::hint::black_box(String::with_capacity(10));
    });
    assert_eq!(n, 1);
}

#[test]
fn signing_delete_remux_task_allocates_nothing_once_the_buffer_has_grown() {
    let headers = [
        ("X-Project-Id", "0123456789abcdef0123456789abcdef"),
        ("Content-Type", "application/json"),
    ];
    let req = SignableRequest::new(
        "DELETE",
        "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211",
    )
    .unwrap()
    .with_headers(&headers);
    assert_no_allocation_after_warm_up(&signer(), &req);
}

#[test]
fn a_query_to_sort_and_escape_allocates_nothing_once_the_buffer_has_grown() {
    let req = SignableRequest::new(
        "get",
        "https://h.example.com/a%20b/%C3%A9t%C3%A9/c+d?z=%2B1&B=x&a=y&k=10&k=2&%7E=%E2%82%AC&e=a%20b&&flag&x=%zz",
    )
    .unwrap();
    assert_no_allocation_after_warm_up(&signer(), &req);
}

#[test]
fn escapes_that_are_not_utf8_allocate_nothing_once_the_buffer_has_grown() {
    // Decoded bytes that are not UTF-8 become U+FFFD, as the official Python SDK does.
    let req = SignableRequest::new(
        "GET",
        "https://h.example.com/a%FFb/%C3?q=%E2%82&r=%ED%A0%80x&%F0%9F%98=1",
    )
    .unwrap();
    assert_no_allocation_after_warm_up(&signer(), &req);
}

#[test]
fn several_headers_a_token_and_a_body_allocate_nothing_once_the_buffer_has_grown() {
    let headers = [
        ("X-Project-Id", "0123456789abcdef0123456789abcdef"),
        ("content-type", "  application/json; charset=utf-8 "),
        ("User-Agent", "huaweicloud-aksk/0.1"),
        ("Accept", "application/json"),
        ("X-Repeated", "b"),
        ("x-repeated", "a"),
        ("X_Not_Signed", "skipped"),
        ("X-Custom", "in  ner\tspace"),
    ];
    let signer = signer().with_payload_hashing(PayloadHashing::UnsignedForNonJson);
    let temporary = Signer::new(
        Credentials::new(
            "HWCEXAMPLEAK0123TEST",
            "HWCexampleSK0123456789abcdefghijklmnopqrST",
        )
        .with_security_token("example-security-token"),
    );
    let body = br#"{"task_id":"100211"}"#;
    let base = SignableRequest::new(
        "POST",
        "https://mpc.cn-north-4.myhuaweicloud.com:443/v1/p/remux/task?b=2&a=1",
    )
    .unwrap()
    .with_headers(&headers);
    assert_no_allocation_after_warm_up(&signer, &base.with_body(body));
    assert_no_allocation_after_warm_up(&temporary, &base.with_body(body));
    assert_no_allocation_after_warm_up(&signer, &base.with_payload(Payload::Unsigned));
}

#[test]
fn a_header_map_allocates_nothing_once_the_buffer_has_grown() {
    let mut map = http::HeaderMap::new();
    map.insert(
        "x-project-id",
        http::HeaderValue::from_static("0123456789abcdef0123456789abcdef"),
    );
    map.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    let req = SignableRequest::new(
        "DELETE",
        "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211",
    )
    .unwrap()
    .with_header_map(&map);
    assert_no_allocation_after_warm_up(&signer(), &req);
}

/// Signs `headers` on the DeleteRemuxTask URL, then asserts that verifying the request as
/// received, `ROUNDS` times into one `VerifyBuffer` after a warm-up, allocates nothing: as
/// pairs, and as a `HeaderMap`.
fn assert_verifying_allocates_nothing(signer: Signer, headers: &[(&str, &str)]) {
    let target = "/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211";
    let mut all: Vec<(&str, &str)> = vec![("Host", "127.0.0.1:8080")];
    all.extend_from_slice(headers);
    let mut buf = SigningBuffer::new();
    let signed = signer
        .sign_into(
            &SignableRequest::new("DELETE", target)
                .unwrap()
                .with_headers(&all),
            date(),
            &mut buf,
        )
        .unwrap();
    let added: Vec<(String, String)> = signed
        .headers_to_add()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    all.extend(added.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let mut map = http::HeaderMap::new();
    for (n, v) in &all {
        map.append(
            http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
            http::HeaderValue::from_str(v).unwrap(),
        );
    }

    let verifier = Verifier::new(signer);
    let now = date().to_datetime();
    let pairs = SignableRequest::new("DELETE", target)
        .unwrap()
        .with_headers(&all);
    let in_map = SignableRequest::new("DELETE", target)
        .unwrap()
        .with_header_map(&map);
    for req in [pairs, in_map] {
        let mut buf = VerifyBuffer::new();
        assert!(verifier.verify_with(&req, now, &mut buf).is_ok());
        let mut ok = true;
        let n = allocations_in(|| {
            for _ in 0..ROUNDS {
                ok &= verifier.verify_with(&req, now, &mut buf).is_ok();
            }
        });
        assert!(ok, "a later verification failed");
        assert_eq!(n, 0, "{ROUNDS} verifications allocated {n} times");
    }
}

#[test]
fn verifying_delete_remux_task_allocates_nothing_once_the_buffer_has_grown() {
    assert_verifying_allocates_nothing(
        signer(),
        &[
            ("X-Project-Id", "0123456789abcdef0123456789abcdef"),
            ("Content-Type", "application/json"),
        ],
    );
}

#[test]
fn every_hmac_algorithm_signs_and_verifies_without_allocating() {
    let headers = [
        ("X-Project-Id", "0123456789abcdef0123456789abcdef"),
        ("Content-Type", "application/json"),
    ];
    let req = SignableRequest::new(
        "DELETE",
        "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211",
    )
    .unwrap()
    .with_headers(&headers);
    let signers = hmac_signers();
    assert!(
        signers.len() >= 2,
        "SDK-HMAC-SHA256 and V11 are always built"
    );
    for signer in signers {
        assert_no_allocation_after_warm_up(&signer, &req);
        assert_verifying_allocates_nothing(signer, &headers);
    }
}

#[test]
fn verifying_long_lists_and_repeated_headers_allocates_nothing() {
    // More than the 16 signed names the verifier keeps on the stack, and more than 32
    // signed headers.
    let names: Vec<String> = (0..20).map(|i| format!("X-Custom-{i:02}")).collect();
    let many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    assert_verifying_allocates_nothing(signer(), &many);
    let repeated: Vec<(&str, &str)> = ["b", "a", "c"]
        .iter()
        .cycle()
        .take(40)
        .map(|v| ("X-Repeated", *v))
        .collect();
    assert_verifying_allocates_nothing(signer(), &repeated);
}
