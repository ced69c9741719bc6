//! `aksk verify`, run as a user runs it on captured raw requests.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use huaweicloud_aksk::{Credentials, SdkDate, SignableRequest, Signer, SigningBuffer};
use serde_json::Value;

const AK: &str = "HWCEXAMPLEAK0123TEST";
const SK: &str = "HWCexampleSK0123456789abcdefghijklmnopqrST";
const HOST: &str = "mpc.cn-north-4.myhuaweicloud.com";
const PATH: &str = "/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211";
const DATE: &str = "20261128T043500Z";
const PROJECT: &str = "0123456789abcdef0123456789abcdef";

/// Runs `aksk verify ARGS... -` with `input` on stdin and only the given credentials.
fn verify(args: &[&str], input: &[u8], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aksk"));
    cmd.arg("verify").args(args).arg("-");
    for var in [
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
        "HUAWEICLOUD_SDK_SECURITY_TOKEN",
        "HUAWEICLOUD_SDK_PROJECT_ID",
        "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
    ] {
        cmd.env_remove(var);
    }
    // No profile file of the machine's user is read.
    cmd.env("HOME", "/nonexistent");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run aksk");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // The command may stop reading early; a broken pipe is not the test's concern.
    let _ = stdin.write_all(input);
    drop(stdin);
    child.wait_with_output().expect("wait for aksk")
}

fn creds() -> Vec<(&'static str, &'static str)> {
    vec![("HUAWEICLOUD_SDK_AK", AK), ("HUAWEICLOUD_SDK_SK", SK)]
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A request signed by the library: its header lines (as sent), the canonical request and
/// the string to sign.
struct Captured {
    method: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    canonical_request: String,
    string_to_sign: String,
}

fn sign(method: &str, headers: &[(&str, &str)], body: &[u8]) -> Captured {
    let signer = Signer::new(Credentials::new(AK, SK));
    let url = format!("https://{HOST}{PATH}");
    let req = SignableRequest::new(method, &url)
        .unwrap()
        .with_headers(headers)
        .with_body(body);
    let mut buf = SigningBuffer::new();
    let signed = signer
        .sign_into(&req, SdkDate::parse(DATE).unwrap(), &mut buf)
        .unwrap();
    let mut all: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    for (n, v) in signed.headers_to_add() {
        all.push((n.to_owned(), v.to_owned()));
    }
    Captured {
        method: method.to_owned(),
        headers: all,
        body: body.to_vec(),
        canonical_request: signed.canonical_request().to_owned(),
        string_to_sign: signed.string_to_sign().to_owned(),
    }
}

impl Captured {
    /// The raw request, lines ended by `eol`.
    fn raw(&self, eol: &str) -> Vec<u8> {
        let mut out = format!("{} {PATH} HTTP/1.1{eol}", self.method);
        for (n, v) in &self.headers {
            out.push_str(&format!("{n}: {v}{eol}"));
        }
        if !self.body.is_empty() {
            out.push_str(&format!("Content-Length: {}{eol}", self.body.len()));
        }
        out.push_str(eol);
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }

    fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    fn with_value(mut self, name: &str, value: &str) -> Self {
        for (n, v) in &mut self.headers {
            if n.eq_ignore_ascii_case(name) {
                *v = value.to_owned();
            }
        }
        self
    }
}

fn delete_request() -> Captured {
    sign(
        "DELETE",
        &[
            ("X-Project-Id", PROJECT),
            ("Content-Type", "application/json"),
        ],
        b"",
    )
}

fn post_request() -> Captured {
    sign(
        "POST",
        &[("Content-Type", "application/json")],
        br#"{"task_id":"100211"}"#,
    )
}

/// Verification failed: exit 1, the explanation on stdout, no secret anywhere.
fn assert_fails(o: &Output, needle: &str) -> String {
    let out = stdout(o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "stdout: {out}\nstderr: {}",
        stderr(o)
    );
    assert!(out.contains(needle), "stdout lacks {needle:?}:\n{out}");
    assert!(!out.contains(SK) && !stderr(o).contains(SK));
    out
}

#[test]
fn a_request_signed_by_the_library_verifies_with_its_canonical_request_shown() {
    let captured = delete_request();
    for eol in ["\r\n", "\n"] {
        let o = verify(&["--at-request-date"], &captured.raw(eol), &creds());
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
        assert!(out.contains("OK: the signature verifies"), "{out}");
        assert!(out.contains(&captured.canonical_request), "{out}");
        assert!(out.contains(&captured.string_to_sign), "{out}");
        assert!(!out.contains(SK));
    }
    let post = post_request();
    let o = verify(&["--now", "20261128T044000Z"], &post.raw("\r\n"), &creds());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains(&post.string_to_sign));
}

#[test]
fn a_curl_verbose_capture_verifies() {
    let captured = delete_request();
    let mut text = String::from("*   Trying 127.0.0.1:443...\n* Connected\n");
    for line in String::from_utf8(captured.raw("\r\n"))
        .unwrap()
        .split("\r\n")
    {
        text.push_str(&format!("> {line}\r\n"));
    }
    text.push_str("< HTTP/1.1 200 OK\r\n< Content-Length: 0\r\n<\r\n");
    let o = verify(&["--at-request-date"], text.as_bytes(), &creds());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn the_headers_printed_by_aksk_sign_verify() {
    let mut sign = Command::new(env!("CARGO_BIN_EXE_aksk"));
    sign.args([
        "sign",
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"a":1}"#,
        "--date",
        DATE,
        &format!("https://{HOST}{PATH}"),
    ]);
    sign.env_remove("HUAWEICLOUD_SDK_SECURITY_TOKEN")
        .env_remove("HUAWEICLOUD_SDK_CREDENTIALS_FILE")
        .env("HOME", "/nonexistent")
        .env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK);
    let signed = sign.output().expect("run aksk sign");
    assert_eq!(signed.status.code(), Some(0), "{}", stderr(&signed));
    let headers = stdout(&signed).replace('\n', "\r\n");
    let raw = format!("POST {PATH} HTTP/1.1\r\n{headers}Content-Length: 7\r\n\r\n{{\"a\":1}}");
    let o = verify(&["--at-request-date"], raw.as_bytes(), &creds());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn a_changed_header_is_a_signature_mismatch() {
    let captured = delete_request().with_value("X-Project-Id", "ffffffffffffffffffffffffffffffff");
    let o = verify(&["--at-request-date"], &captured.raw("\r\n"), &creds());
    let out = assert_fails(&o, "FAILED: signature does not match");
    assert!(
        out.contains("x-project-id:ffffffffffffffffffffffffffffffff"),
        "{out}"
    );
    assert!(
        out.contains("first problem: the signature differs"),
        "{out}"
    );
}

#[test]
fn a_changed_body_shows_the_hash_of_the_body_received() {
    use sha2::Digest;
    let mut captured = post_request();
    captured.body = br#"{"task_id":"999999"}"#.to_vec();
    let o = verify(&["--at-request-date"], &captured.raw("\r\n"), &creds());
    let out = assert_fails(&o, "FAILED: signature does not match");
    let hash = hex::encode(sha2::Sha256::digest(&captured.body));
    assert!(out.contains(&format!("x-sdk-date\n{hash}\n")), "{out}");
}

#[test]
fn a_content_hash_header_that_does_not_match_the_body_is_named() {
    use sha2::Digest;
    let stated = hex::encode(sha2::Sha256::digest(b"the body signed"));
    let mut captured = sign(
        "POST",
        &[
            ("Content-Type", "application/json"),
            ("X-Sdk-Content-Sha256", &stated),
        ],
        b"the body signed",
    );
    captured.body = b"another body".to_vec();
    let o = verify(&["--at-request-date"], &captured.raw("\r\n"), &creds());
    assert_fails(&o, "first problem: payload hash mismatch");
}

#[test]
fn a_missing_signed_header_is_named() {
    let captured = delete_request().without("X-Project-Id");
    let o = verify(&["--at-request-date"], &captured.raw("\r\n"), &creds());
    assert_fails(
        &o,
        "signed header \"x-project-id\" is named in SignedHeaders but missing",
    );
}

#[test]
fn a_present_but_unsigned_header_is_pointed_out() {
    let mut captured = sign("DELETE", &[("Content-Type", "application/json")], b"");
    // Sent, but added after signing.
    captured
        .headers
        .push(("X-Project-Id".to_owned(), PROJECT.to_owned()));
    let o = verify(&["--at-request-date"], &captured.raw("\r\n"), &creds());
    // The signature still covers what it names.
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // A signature over other headers than the ones sent is refused, with the note.
    let captured = captured.with_value("Content-Type", "text/plain");
    let o = verify(&["--at-request-date"], &captured.raw("\r\n"), &creds());
    assert_fails(
        &o,
        "present but not signed (the official SDKs sign them): X-Project-Id",
    );
}

#[test]
fn a_stale_date_names_the_skew_and_says_whether_it_verifies_at_its_own_date() {
    let captured = delete_request();
    let o = verify(
        &["--now", "20261128T060000Z"],
        &captured.raw("\r\n"),
        &creds(),
    );
    let out = assert_fails(&o, "first problem: date outside the window");
    assert!(out.contains("5100 s after the X-Sdk-Date"), "{out}");
    assert!(
        out.contains("at the request's own date the signature verifies"),
        "{out}"
    );
    assert!(out.contains(&captured.canonical_request), "{out}");
}

#[test]
fn a_wrong_secret_key_is_a_mismatch_over_the_same_canonical_request() {
    let captured = delete_request();
    let other_sk = "HWCotherSK0123456789abcdefghijklmnopqrSTUV";
    let o = verify(
        &["--at-request-date"],
        &captured.raw("\r\n"),
        &[("HUAWEICLOUD_SDK_AK", AK), ("HUAWEICLOUD_SDK_SK", other_sk)],
    );
    let out = assert_fails(
        &o,
        "if it is the same canonical request, the secret key differs",
    );
    assert!(out.contains(&captured.canonical_request), "{out}");
    assert!(!out.contains(other_sk) && !stderr(&o).contains(other_sk));
}

#[test]
fn a_wrong_access_key_is_named() {
    let captured = delete_request();
    let o = verify(
        &["--at-request-date"],
        &captured.raw("\r\n"),
        &[
            ("HUAWEICLOUD_SDK_AK", "OTHERAK"),
            ("HUAWEICLOUD_SDK_SK", SK),
        ],
    );
    assert_fails(
        &o,
        "wrong access key: the request was signed with \"HWCEXAMPLEAK0123TEST\", the credentials are for \"OTHERAK\"",
    );
}

#[test]
fn an_unknown_algorithm_is_named() {
    let captured = delete_request();
    let auth = captured
        .headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .unwrap()
        .1
        .replace("SDK-HMAC-SHA256", "SDK-HMAC-MD5");
    let captured = captured.with_value("Authorization", &auth);
    let o = verify(&["--at-request-date"], &captured.raw("\r\n"), &creds());
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("first problem:"), "{}", stdout(&o));
}

/// Bad input: exit code 2, one line on stderr, nothing on stdout.
fn assert_bad_input(o: &Output, needle: &str) {
    assert_eq!(o.status.code(), Some(2), "stdout: {}", stdout(o));
    assert!(o.stdout.is_empty(), "stdout: {}", stdout(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "stderr: {err}");
    assert!(err.contains(needle), "stderr {err:?} lacks {needle:?}");
}

#[test]
fn garbage_and_missing_credentials_are_bad_input() {
    let o = verify(&[], b"\x00\x01 this is not HTTP\r\n\r\n", &creds());
    assert_bad_input(&o, "unparseable request");
    let o = verify(&[], b"", &creds());
    assert_bad_input(&o, "incomplete request");
    let o = verify(&["--at-request-date"], &delete_request().raw("\r\n"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    let o = verify(
        &["--now", "yesterday"],
        &delete_request().raw("\r\n"),
        &creds(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn a_request_captured_from_the_official_python_sdk_verifies() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test-vectors/sdk-hmac-sha256.json"
    ))
    .unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let vectors = file["vectors"].as_array().unwrap();
    let mut checked = 0;
    for name in [
        "delete_remux_task_plain",
        "delete_remux_task_official_client_headers",
    ] {
        let v = vectors
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("vector {name}"));
        assert_eq!(v["source"], "python-sdk");
        let url = v["input"]["url"].as_str().unwrap();
        let target = &url[url.find("://").unwrap() + 3..];
        let target = &target[target.find('/').unwrap()..];
        let mut raw = format!(
            "{} {target} HTTP/1.1\r\n",
            v["input"]["method"].as_str().unwrap()
        );
        for h in v["expected"]["headers"].as_array().unwrap() {
            raw.push_str(&format!(
                "{}: {}\r\n",
                h[0].as_str().unwrap(),
                h[1].as_str().unwrap()
            ));
        }
        raw.push_str("\r\n");
        raw.push_str(v["input"]["body"].as_str().unwrap());
        let o = verify(&["--at-request-date"], raw.as_bytes(), &creds());
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{name}: {out}");
        let expected = v["expected"]["canonical_request"].as_str().unwrap();
        assert!(out.contains(expected), "{name}: {out}");
        checked += 1;
    }
    assert_eq!(checked, 2);
}

#[test]
fn mangled_requests_never_panic() {
    let raw = post_request().raw("\r\n");
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for cut in (0..raw.len()).step_by(7) {
        inputs.push(raw[..cut].to_vec());
    }
    for at in (0..raw.len()).step_by(5) {
        for byte in [0u8, b'\n', b':', 0xff] {
            let mut m = raw.clone();
            m[at] = byte;
            inputs.push(m);
        }
    }
    let mut seen = [false; 3];
    for input in &inputs {
        let o = verify(&["--at-request-date"], input, &creds());
        let code = o.status.code();
        if let Some(c @ 0..=2) = code {
            seen[c as usize] = true;
        }
        assert!(
            matches!(code, Some(0..=2)),
            "exit {code:?} on {:?}: {}",
            String::from_utf8_lossy(input),
            stderr(&o)
        );
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
        if code == Some(2) {
            assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
        }
    }
    // The mangling reaches each outcome: verified, refused, unreadable.
    assert_eq!(seen, [true; 3]);
}

#[test]
fn the_clients_canonical_request_tells_the_key_from_the_request() {
    let dir = std::env::temp_dir().join(format!("aksk-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let captured = delete_request();
    let same = dir.join("same.txt");
    std::fs::write(&same, format!("{}\n", captured.canonical_request)).unwrap();
    let other = dir.join("other.txt");
    std::fs::write(
        &other,
        captured
            .canonical_request
            .replace("/remux/task/\n", "/remux/task\n"),
    )
    .unwrap();
    let wrong_sk = [
        ("HUAWEICLOUD_SDK_AK", AK),
        (
            "HUAWEICLOUD_SDK_SK",
            "HWCotherSK0123456789abcdefghijklmnopqrSTUV",
        ),
    ];
    let o = verify(
        &["--at-request-date", "--canonical", same.to_str().unwrap()],
        &captured.raw("\r\n"),
        &wrong_sk,
    );
    assert_fails(&o, "same canonical request, so the secret key differs");
    let o = verify(
        &["--at-request-date", "--canonical", other.to_str().unwrap()],
        &captured.raw("\r\n"),
        &wrong_sk,
    );
    assert_fails(
        &o,
        "differ first at line 2: verifier \"/v1/0123456789abcdef0123456789abcdef/remux/task/\", yours \"/v1/0123456789abcdef0123456789abcdef/remux/task\"",
    );
    let o = verify(
        &[
            "--at-request-date",
            "--canonical",
            "/nonexistent/canonical.txt",
        ],
        &captured.raw("\r\n"),
        &creds(),
    );
    assert_bad_input(&o, "/nonexistent/canonical.txt");
    std::fs::remove_dir_all(&dir).unwrap();
}
