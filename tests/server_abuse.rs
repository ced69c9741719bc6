//! The local endpoint under hostile clients on loopback: a huge `Content-Length`, upgrade
//! requests held open, a `#fragment` in a signed target, ambiguous framing, and a 401 asked
//! to echo a huge canonical request. Each request is written byte for byte on a raw
//! `TcpStream`, so the framing is exactly what a hostile client sends.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use huaweicloud_aksk::server::{
    DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_SECRET_KEY, EndpointConfig, LocalEndpoint, TaskStatus,
};
use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect to the endpoint");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("set a read timeout");
    s
}

/// Writes `bytes` and reads until the endpoint closes the connection. A read timeout (the
/// endpoint kept the connection open) fails the test.
fn exchange_until_closed(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut s = connect(addr);
    s.write_all(bytes).expect("write the request");
    let mut out = Vec::new();
    s.read_to_end(&mut out)
        .expect("the endpoint closes the connection after answering");
    String::from_utf8_lossy(&out).into_owned()
}

/// The status codes of every answer in `raw`.
fn statuses(raw: &str) -> Vec<u16> {
    raw.match_indices("HTTP/1.1 ")
        .map(|(i, _)| raw[i + 9..i + 12].parse().expect("a three-digit status"))
        .collect()
}

/// The head of a signed request (no body), signed for `signed_target` and sent with
/// `sent_target`, plus `extra` headers (signed too), ending with `Connection: close`.
fn signed_head(
    addr: SocketAddr,
    method: &str,
    signed_target: &str,
    sent_target: &str,
    extra: &[(&str, &str)],
) -> String {
    let host = addr.to_string();
    let mut headers: Vec<(&str, &str)> = vec![("Host", &host), ("X-Project-Id", DEMO_PROJECT_ID)];
    headers.extend_from_slice(extra);
    let req = SignableRequest::new(method, signed_target)
        .expect("a valid request")
        .with_headers(&headers);
    let mut buf = SigningBuffer::new();
    let signed = Signer::new(Credentials::new(DEMO_ACCESS_KEY, DEMO_SECRET_KEY))
        .sign_into(&req, SdkDate::now(), &mut buf)
        .expect("the demo credentials sign");
    let mut head = format!("{method} {sent_target} HTTP/1.1\r\n");
    for (n, v) in &headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    for (n, v) in signed.headers_to_add() {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("Connection: close\r\nContent-Length: 0\r\n\r\n");
    head
}

fn signed_delete(addr: SocketAddr, task: &str) -> String {
    let target = format!("/v1/{DEMO_PROJECT_ID}/remux/task?task_id={task}");
    exchange_until_closed(
        addr,
        signed_head(addr, "DELETE", &target, &target, &[]).as_bytes(),
    )
}

#[test]
fn a_huge_content_length_is_refused_and_the_endpoint_keeps_serving() {
    let endpoint = LocalEndpoint::start_demo().expect("start");
    let addr = endpoint.addr();
    for path in ["/anywhere", "/v1/p/remux/task?task_id=1", "/v1/p/remux"] {
        let raw = exchange_until_closed(
            addr,
            format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n")
                .as_bytes(),
        );
        assert_eq!(statuses(&raw), [413], "{raw}");
    }
    // A body that says nothing of its length but goes past 12 MB is cut off as it comes.
    let mut s = connect(addr);
    s.write_all(
        format!("POST /v1/{DEMO_PROJECT_ID}/remux HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            .as_bytes(),
    )
    .expect("write the head");
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..13 {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
        if s.write_all(&framed).is_err() {
            break; // the endpoint has answered and closed
        }
    }
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let raw = String::from_utf8_lossy(&out);
    assert_eq!(statuses(&raw), [413], "{raw}");

    assert!(
        signed_delete(addr, huaweicloud_aksk::server::DEMO_TASK_ID).starts_with("HTTP/1.1 204 ")
    );
}

#[test]
fn connections_asking_for_an_upgrade_do_not_starve_signed_requests() {
    let endpoint = LocalEndpoint::start(EndpointConfig::demo().workers(1)).expect("start");
    let addr = endpoint.addr();
    // More holders than the old endpoint had worker threads, each kept open.
    let holders: Vec<TcpStream> = (0..32)
        .map(|_| {
            let mut s = connect(addr);
            s.write_all(
                b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
            )
            .expect("write");
            s
        })
        .collect();
    let raw = signed_delete(addr, huaweicloud_aksk::server::DEMO_TASK_ID);
    assert!(raw.starts_with("HTTP/1.1 204 "), "{raw}");
    // And the holders got an ordinary answer: no protocol switch.
    for mut h in holders {
        let mut buf = [0u8; 12];
        h.read_exact(&mut buf).expect("an answer");
        assert_eq!(&buf, b"HTTP/1.1 404", "{}", String::from_utf8_lossy(&buf));
    }
}

#[test]
fn a_fragment_never_changes_which_task_is_acted_on() {
    let endpoint = LocalEndpoint::start_demo().expect("start");
    let addr = endpoint.addr();
    endpoint.add_task(DEMO_PROJECT_ID, "victim", TaskStatus::Succeed);
    endpoint.add_task(DEMO_PROJECT_ID, "victim#x", TaskStatus::Succeed);
    let signed = format!("/v1/{DEMO_PROJECT_ID}/remux/task?task_id=victim");
    let sent = format!("{signed}#x");
    let raw = exchange_until_closed(
        addr,
        signed_head(addr, "DELETE", &signed, &sent, &[]).as_bytes(),
    );
    // Either refused, or acted on exactly what was signed.
    assert_eq!(
        endpoint.task_status(DEMO_PROJECT_ID, "victim#x"),
        Some(TaskStatus::Succeed),
        "{raw}"
    );
    match statuses(&raw).as_slice() {
        [204] => assert_eq!(endpoint.task_status(DEMO_PROJECT_ID, "victim"), None),
        [400] => {}
        other => panic!("unexpected answer {other:?}: {raw}"),
    }
}

#[test]
fn two_different_content_lengths_are_a_bad_request_and_the_connection_closes() {
    let endpoint = LocalEndpoint::start_demo().expect("start");
    let raw = exchange_until_closed(
        endpoint.addr(),
        b"POST /v1/p/remux HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 42\r\n\r\nhelloGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(statuses(&raw), [400], "{raw}");
}

#[test]
fn a_content_length_that_is_not_a_number_is_a_bad_request_and_the_connection_closes() {
    let endpoint = LocalEndpoint::start_demo().expect("start");
    let raw = exchange_until_closed(
        endpoint.addr(),
        b"POST /v1/p/remux HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(statuses(&raw), [400], "{raw}");
}

#[test]
fn content_length_with_transfer_encoding_is_framed_by_the_encoding_then_the_connection_closes() {
    let endpoint = LocalEndpoint::start_demo().expect("start");
    let raw = exchange_until_closed(
        endpoint.addr(),
        b"POST /v1/p/remux HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    // Framed by Transfer-Encoding alone (RFC 9112 §6.1), answered, and the connection closed
    // after it: the request hidden behind it is never read (it would be a 404).
    assert_eq!(statuses(&raw).len(), 1, "{raw}");
    assert!(!raw.contains("APIGW.0101"), "{raw}");
}

#[test]
fn a_bad_chunk_is_a_bad_request_and_the_connection_closes() {
    let endpoint = LocalEndpoint::start_demo().expect("start");
    let raw = exchange_until_closed(
        endpoint.addr(),
        format!("POST /v1/{DEMO_PROJECT_ID}/remux HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
    );
    assert_eq!(statuses(&raw), [400], "{raw}");
}

#[test]
fn a_wrong_signature_echoes_a_capped_canonical_request() {
    let endpoint = LocalEndpoint::start_demo().expect("start");
    let addr = endpoint.addr();
    let big = "v".repeat(48 * 1024);
    let target = format!("/v1/{DEMO_PROJECT_ID}/remux/task?task_id=100211");
    let head = signed_head(addr, "DELETE", &target, &target, &[("X-Big", &big)]);
    // Tamper with the signed header after signing.
    let head = head.replacen(&big, &"w".repeat(big.len()), 1);
    let raw = exchange_until_closed(addr, head.as_bytes());
    assert_eq!(statuses(&raw), [401], "{}", &raw[..200.min(raw.len())]);
    assert!(raw.len() < 8 * 1024, "a 401 of {} bytes", raw.len());
    assert!(raw.contains("...(truncated)"));
    assert_eq!(
        endpoint.task_status(DEMO_PROJECT_ID, "100211"),
        Some(TaskStatus::Succeed)
    );
}

#[test]
fn a_header_section_over_the_limit_is_refused_without_an_echo() {
    let endpoint = LocalEndpoint::start_demo().expect("start");
    let addr = endpoint.addr();
    let mut s = connect(addr);
    let _ = s.write_all(b"DELETE /v1/p/remux/task?task_id=1 HTTP/1.1\r\nHost: x\r\nX-Big: ");
    // 4 MiB of header value: the endpoint gives up long before the end.
    let chunk = vec![b'v'; 64 * 1024];
    for _ in 0..64 {
        if s.write_all(&chunk).is_err() {
            break;
        }
    }
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let raw = String::from_utf8_lossy(&out);
    assert!(out.len() < 4096, "an answer of {} bytes", out.len());
    assert!(
        matches!(statuses(&raw).as_slice(), [431] | [400] | []),
        "{raw}"
    );
    assert!(
        signed_delete(addr, huaweicloud_aksk::server::DEMO_TASK_ID).starts_with("HTTP/1.1 204 ")
    );
}

#[test]
fn the_rate_limit_answers_429_as_the_gateway_does() {
    let endpoint = LocalEndpoint::start(EndpointConfig::demo().rate_limit(3)).expect("start");
    let addr = endpoint.addr();
    let mut seen = Vec::new();
    for _ in 0..5 {
        let raw = signed_delete(addr, "no-such-task");
        seen.push(statuses(&raw)[0]);
        if seen.len() == 5 {
            assert!(raw.contains(r#""error_code":"APIG.0308""#), "{raw}");
            assert!(raw.contains(
                "The throttling threshold has been reached: policy user over ratelimit,limit:3,time:1 minute"
            ));
        }
    }
    assert_eq!(seen, [403, 403, 403, 429, 429]);
}

#[test]
fn arbitrary_bytes_never_take_the_endpoint_down() {
    let endpoint = LocalEndpoint::start_demo().expect("start");
    let inputs: [&[u8]; 8] = [
        b"",
        b"\r\n\r\n",
        b"GET",
        b"GET / HTTP/9.9\r\n\r\n",
        b"\x00\xff\xfe garbage\r\n\r\n",
        b"POST /v1/p/remux HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        b"POST /v1/p/remux HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"GET /v1/p/remux?%zz=%ff HTTP/1.1\r\nHost: \xff\r\n\r\n",
    ];
    for input in inputs {
        let _ = endpoint.answer_raw(input);
    }
    assert!(
        signed_delete(endpoint.addr(), huaweicloud_aksk::server::DEMO_TASK_ID)
            .starts_with("HTTP/1.1 204 ")
    );
}
