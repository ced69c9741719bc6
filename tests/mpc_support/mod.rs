//! A scripted HTTP/1.1 server on 127.0.0.1 (port 0) for the MPC client tests: it records
//! every request exactly as received and answers each from a script, in order.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use huaweicloud_aksk::verify::Verifier;
use huaweicloud_aksk::{Credentials, SignableRequest, Signer};

/// The example credentials of the tests.
pub const AK: &str = "HWCEXAMPLEAK0123TEST";
/// The example secret key of the tests.
pub const SK: &str = "HWCexampleSK0123456789abcdefghijklmnopqrST";
/// The example project id of the tests.
pub const PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";

/// The example credentials.
pub fn credentials() -> Credentials {
    Credentials::new(AK, SK)
}

/// 2026-11-28 04:35:00 UTC, the fixed clock of most tests.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap()
}

/// How the server answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// An HTTP answer.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Read the request, then close the connection without answering.
    Close,
    /// Read the request, write these bytes as they are, then close the connection.
    Raw(Vec<u8>),
    /// Read the request, then answer nothing until the server stops.
    Stall,
    /// An answer whose body is `len` bytes of `x`, written in chunks until the client
    /// goes away.
    Large { status: u16, len: usize },
}

impl Reply {
    /// An answer with no body.
    pub fn empty(status: u16) -> Reply {
        Reply::Respond {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A JSON answer.
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// The documented "task does not exist" answer.
    pub fn task_not_found() -> Reply {
        Reply::json(
            403,
            r#"{"error_code":"MPC.10211","error_msg":"The task does not exist."}"#,
        )
        .header("X-Request-Id", "req-not-found")
    }

    /// An answer with any body.
    pub fn body(status: u16, content_type: &str, body: &str) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// Adds a header to an answer.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

/// A request as received.
#[derive(Debug, Clone)]
pub struct Captured {
    /// The method.
    pub method: String,
    /// The request target (path and query), as sent.
    pub target: String,
    /// The header lines, names and values as sent, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Captured {
    /// The value of the header `name` (any case), when given once.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut found = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name));
        let first = found.next()?;
        assert!(found.next().is_none(), "header {name} given twice");
        Some(first.1.as_str())
    }

    /// The header names, lower-cased and sorted.
    pub fn header_names(&self) -> Vec<String> {
        let mut names: Vec<_> = self
            .headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        names.sort();
        names
    }

    /// The full URL as sent to `authority`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.header("host").unwrap(), self.target)
    }

    /// Checks the signature the way the gateway does, with the verifier of this crate,
    /// at the captured date.
    pub fn verify(&self) {
        let pairs: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let req = SignableRequest::new(&self.method, &self.target)
            .unwrap()
            .with_headers(&pairs)
            .with_body(&self.body);
        let date = huaweicloud_aksk::SdkDate::parse(self.header("x-sdk-date").unwrap()).unwrap();
        let verifier = Verifier::new(Signer::new(credentials_for(self)));
        verifier
            .verify(&req, date.to_datetime())
            .unwrap_or_else(|e| panic!("signature does not verify: {e}\n{self:#?}"));
    }

    /// The JSON capture read by `scripts/python/resign_capture.py`.
    pub fn to_resign_json(&self) -> String {
        serde_json::json!({
            "method": self.method,
            "url": self.url(),
            "headers": self.headers.iter().map(|(n, v)| [n, v]).collect::<Vec<_>>(),
            "body": String::from_utf8(self.body.clone()).unwrap(),
        })
        .to_string()
    }
}

fn credentials_for(c: &Captured) -> Credentials {
    let creds = credentials();
    match c.header("x-security-token") {
        Some(token) => creds.with_security_token(token),
        None => creds,
    }
}

#[derive(Default)]
struct State {
    script: Mutex<VecDeque<Reply>>,
    captured: Mutex<Vec<Captured>>,
    connections: AtomicUsize,
    stop: AtomicBool,
    /// Body bytes of `Reply::Large` answers that the kernel accepted before the client
    /// went away, and whether it went away before the end.
    large_written: AtomicUsize,
    large_cut_short: AtomicBool,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

/// The server; stopped (and its threads joined) when dropped.
pub struct ScriptedServer {
    addr: SocketAddr,
    state: Arc<State>,
    acceptor: Option<JoinHandle<()>>,
}

impl ScriptedServer {
    /// Starts a server answering with `script`, one reply per request, in order. When the
    /// script runs out it answers 599.
    pub fn start(script: Vec<Reply>) -> ScriptedServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        *state.script.lock().unwrap() = script.into();
        let st = state.clone();
        let acceptor = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if st.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                st.connections.fetch_add(1, Ordering::SeqCst);
                let st2 = st.clone();
                let worker = std::thread::spawn(move || serve_connection(stream, &st2));
                st.workers.lock().unwrap().push(worker);
            }
        });
        ScriptedServer {
            addr,
            state,
            acceptor: Some(acceptor),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `127.0.0.1:PORT`.
    pub fn authority(&self) -> String {
        self.addr.to_string()
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Captured> {
        self.state.captured.lock().unwrap().clone()
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Body bytes of a large answer accepted before the client closed, and whether the
    /// client closed before the end. Waits for the writer to finish.
    pub fn large_body_progress(&self) -> (usize, bool) {
        for _ in 0..500 {
            if self.state.large_cut_short.load(Ordering::SeqCst) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        (
            self.state.large_written.load(Ordering::SeqCst),
            self.state.large_cut_short.load(Ordering::SeqCst),
        )
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor.
        let _ = TcpStream::connect(self.addr);
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
        let workers = std::mem::take(&mut *self.state.workers.lock().unwrap());
        for w in workers {
            let _ = w.join();
        }
    }
}

fn serve_connection(mut stream: TcpStream, state: &State) {
    stream
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let mut buf = Vec::new();
    loop {
        let Some(req) = read_request(&mut stream, &mut buf, state) else {
            return;
        };
        state.captured.lock().unwrap().push(req);
        let reply = state
            .script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| Reply::body(599, "text/plain", "script exhausted"));
        match reply {
            Reply::Respond {
                status,
                headers,
                body,
            } => {
                let mut out = format!("HTTP/1.1 {status} Scripted\r\n");
                for (n, v) in &headers {
                    out.push_str(&format!("{n}: {v}\r\n"));
                }
                out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(&body);
                if stream.write_all(&bytes).is_err() {
                    return;
                }
            }
            Reply::Close => return,
            Reply::Raw(bytes) => {
                let _ = stream.write_all(&bytes);
                return;
            }
            Reply::Stall => {
                while !state.stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(10));
                }
                return;
            }
            Reply::Large { status, len } => {
                let head = format!(
                    "HTTP/1.1 {status} Scripted\r\nContent-Type: text/plain\r\nContent-Length: {len}\r\n\r\n"
                );
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
                let chunk = vec![b'x'; 16 * 1024];
                let mut written = 0;
                while written < len {
                    let n = chunk.len().min(len - written);
                    match stream.write(&chunk[..n]) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => written += n,
                    }
                    state.large_written.store(written, Ordering::SeqCst);
                }
                state.large_cut_short.store(written < len, Ordering::SeqCst);
                return;
            }
        }
    }
}

/// Reads one request (head and Content-Length body); `None` at end of stream or stop.
fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>, state: &State) -> Option<Captured> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        fill(stream, buf, state)?;
    };
    let head = String::from_utf8(buf[..head_end].to_vec()).expect("request head is UTF-8");
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap().to_owned();
    let target = parts.next().unwrap().to_owned();
    assert_eq!(parts.next(), Some("HTTP/1.1"), "{request_line}");
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').expect("header line");
            (n.to_owned(), v.trim().to_owned())
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap());
    let body_start = head_end + 4;
    while buf.len() < body_start + len {
        fill(stream, buf, state)?;
    }
    let body = buf[body_start..body_start + len].to_vec();
    buf.drain(..body_start + len);
    Some(Captured {
        method,
        target,
        headers,
        body,
    })
}

fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>, state: &State) -> Option<()> {
    let mut chunk = [0u8; 4096];
    loop {
        if state.stop.load(Ordering::SeqCst) {
            return None;
        }
        match stream.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return Some(());
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// A TLS server on 127.0.0.1 with a self-signed certificate for `localhost` and
/// `127.0.0.1`, which no client trusts: it counts the handshakes tried, and answers 204 to
/// a client that gets through.
pub struct UntrustedTlsServer {
    addr: SocketAddr,
    handshakes: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl UntrustedTlsServer {
    /// Starts the server.
    pub fn start() -> UntrustedTlsServer {
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let cert = CertificateDer::from(include_bytes!("localhost-cert.der").to_vec());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            include_bytes!("localhost-key.der").to_vec(),
        ));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (handshakes.clone(), stop.clone());
        let acceptor = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                h.fetch_add(1, Ordering::SeqCst);
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
                let mut tls = rustls::Stream::new(&mut conn, &mut stream);
                let mut buf = [0u8; 4096];
                if tls.read(&mut buf).is_ok() {
                    let _ = tls.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
                }
            }
        });
        UntrustedTlsServer {
            addr,
            handshakes,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// How many connections were accepted (one handshake each).
    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }
}

impl Drop for UntrustedTlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
    }
}
