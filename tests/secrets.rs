//! Secret hygiene: the secret key (and the security token and IAM token) never shows in a
//! `Debug` or `Display` of a public type, in an error, or in the verbose output of the CLI;
//! `Authorization`, `X-Security-Token` and `X-Auth-Token` are marked sensitive on the
//! requests built; and a secret's bytes are wiped before its memory is given back.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use huaweicloud_aksk::credentials::loader::{LoadError, Loader};
use huaweicloud_aksk::mpc::{Call, DeleteRemuxTask, Endpoint, Event, MpcClient, ProjectId, Proxy};
use huaweicloud_aksk::server::{EndpointConfig, EndpointCredentials, LocalEndpoint, State};
use huaweicloud_aksk::verify::{KeySet, Verifier, VerifyBuffer};
use huaweicloud_aksk::{
    Algorithm, Credentials, SdkDate, SecretString, SignableRequest, Signer, SigningBuffer,
};

const AK: &str = "HWCSECRETSTESTAK0001";
/// Distinctive enough that finding it anywhere is a leak.
const SK: &str = "SkNeverShownQ7v2Lx9Rt4Wz8Yb3Nc6Md1Kf5";
const TOKEN: &str = "TokNeverShownH4g8Jp2Vs6Xe0Ua9Ci3Oq7";
const PROJECT: &str = "0123456789abcdef0123456789abcdef";

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_840_500, 0).unwrap()
}

fn temporary() -> Credentials {
    Credentials::new(AK, SK).with_security_token(TOKEN)
}

/// Fails if `shown` holds the secret key or the security token.
#[track_caller]
fn assert_clean(what: &str, shown: &str) {
    assert!(!shown.contains(SK), "{what} shows the secret key: {shown}");
    assert!(!shown.contains(TOKEN), "{what} shows the token: {shown}");
}

/// `Debug` (plain and pretty) of `value` holds no secret.
#[track_caller]
fn assert_debug_clean<T: std::fmt::Debug>(what: &str, value: &T) {
    assert_clean(what, &format!("{value:?}"));
    assert_clean(what, &format!("{value:#?}"));
}

/// `Debug`, `Display` and every `source()` of `error` hold no secret.
#[track_caller]
fn assert_error_clean(what: &str, error: &(dyn std::error::Error + 'static)) {
    assert_debug_clean(what, &error);
    let mut e: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = e {
        assert_clean(what, &err.to_string());
        e = err.source();
    }
}

// ---------------------------------------------------------------------------------------
// Debug and Display of the signing core and the verifier.
// ---------------------------------------------------------------------------------------

#[test]
fn credentials_and_signers_never_show_the_secret_key_or_token() {
    assert_debug_clean("SecretString", &SecretString::new(SK));
    assert_debug_clean("Credentials", &temporary());
    for algorithm in Algorithm::ALL {
        let signer = Signer::new(temporary())
            .with_algorithm(algorithm)
            .with_derived_scope("region-id-1", "service");
        assert_debug_clean(algorithm.name(), &signer);
    }
    let keys = KeySet::from_iter([temporary()]);
    assert_debug_clean("KeySet", &keys);
    assert_debug_clean("Verifier", &Verifier::new(keys));
}

#[test]
fn signing_results_and_buffers_never_show_the_secret_key_or_token() {
    let signer = Signer::new(temporary());
    let headers = [("X-Project-Id", PROJECT)];
    let req = SignableRequest::new(
        "DELETE",
        "https://mpc.example.com/v1/p/remux/task?task_id=1",
    )
    .unwrap()
    .with_headers(&headers);
    assert_debug_clean("SignableRequest", &req);
    let mut buf = SigningBuffer::new();
    let signed = signer
        .sign_into(&req, SdkDate::from_datetime(at()).unwrap(), &mut buf)
        .unwrap();
    assert_debug_clean("SigningDetails", &signed.to_details());
    assert_debug_clean("Signed", &signed);
    assert_debug_clean("SigningBuffer", &buf);
}

#[test]
fn verification_results_buffers_and_errors_never_show_the_secret_key_or_token() {
    let signer = Signer::new(temporary());
    let mut req = http::Request::delete("http://127.0.0.1/v1/p/remux/task?task_id=1")
        .body(Vec::new())
        .unwrap();
    signer.sign_at(&mut req, at()).unwrap();
    let verifier = Verifier::new(KeySet::from_iter([temporary()]));
    let mut buf = VerifyBuffer::new();
    let view = SignableRequest::from_http(&req);
    let verified = verifier.verify_with(&view, at(), &mut buf).unwrap();
    assert_debug_clean("Verified", &verified);
    assert_debug_clean("VerifyBuffer", &buf);

    // A wrong secret key: the error carries the canonical request, which holds the token.
    let wrong = Verifier::new(KeySet::from_iter([Credentials::new(AK, "another")]));
    let err = wrong.verify_http(&req, at()).unwrap_err();
    assert_error_clean("VerifyError", &err);
    assert_clean("VerifyError::error_msg", &err.error_msg());
}

#[test]
fn sign_errors_never_show_the_secret_key_or_token() {
    let bad_sk = format!("{SK}\n");
    let cases = [
        Credentials::new(AK, bad_sk.as_str()),
        Credentials::new(AK, format!(" {SK}")),
        Credentials::new("", SK),
        Credentials::new(AK, SK).with_security_token(format!("{TOKEN}\r\n")),
        Credentials::new(AK, SK).with_security_token(""),
    ];
    for credentials in cases {
        let err = Signer::new(credentials).check().unwrap_err();
        assert_error_clean("SignError", &err);
    }
    // A request the signer refuses.
    let signer = Signer::new(temporary());
    let headers = [("X-Bad", "a\r\nb"), ("Host", "h")];
    let req = SignableRequest::new("GET", "/x")
        .unwrap()
        .with_headers(&headers);
    let err = signer
        .sign_into(&req, SdkDate::now(), &mut SigningBuffer::new())
        .unwrap_err();
    assert_error_clean("SignError", &err);
}

// ---------------------------------------------------------------------------------------
// Credential loading.
// ---------------------------------------------------------------------------------------

/// A fresh directory under the system's temporary directory, removed on drop.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "aksk-secrets-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn load_profile(text: &str) -> Result<huaweicloud_aksk::credentials::loader::Loaded, LoadError> {
    let dir = TempDir::new("profile");
    let file = dir.0.join("credentials");
    std::fs::write(&file, text).unwrap();
    Loader::new()
        .with_env_vars([(
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
            file.to_str().unwrap().to_owned(),
        )])
        .load()
}

#[test]
fn loader_errors_and_results_never_show_the_secret_key_or_token() {
    // Environment: a secret key with a newline, a token without a pair, a key alone.
    let envs: [Vec<(&str, String)>; 4] = [
        vec![
            ("HUAWEICLOUD_SDK_AK", AK.into()),
            ("HUAWEICLOUD_SDK_SK", format!("{SK}\n")),
        ],
        vec![("HUAWEICLOUD_SDK_SK", SK.into())],
        vec![("HUAWEICLOUD_SDK_SECURITY_TOKEN", TOKEN.into())],
        vec![
            ("HUAWEICLOUD_SDK_AK", AK.into()),
            ("HUAWEICLOUD_SDK_SK", SK.into()),
            ("HUAWEICLOUD_SDK_SECURITY_TOKEN", format!("{TOKEN}\u{1}")),
        ],
    ];
    for env in envs {
        let loader = Loader::new()
            .with_env_vars(env)
            .with_home_dir(TempDir::new("home").0.clone());
        assert_debug_clean("Loader", &loader);
        let err = loader.load().unwrap_err();
        assert_error_clean("LoadError (environment)", &err);
    }

    // Profile files: broken syntax around the secret, half a pair, a bad secret key.
    let profiles = [
        format!("[basic]\nak = {AK}\nsk {SK}\n"),
        format!("[basic\nsk = {SK}\n"),
        format!("{SK}\n[basic]\nak = {AK}\n"),
        format!("[basic]\nsk = {SK}\nsecurity_token = {TOKEN}\n"),
        format!("[basic]\nak = {AK}\nsk = {SK}\u{1}\nsecurity_token = {TOKEN}\n"),
        format!("[basic]\nak = {AK}\nsk = {SK}\nsecurity_token = {TOKEN}\u{7f}\n"),
        format!("[other]\nak = {AK}\nsk = {SK}\n"),
    ];
    for text in &profiles {
        match load_profile(text) {
            Err(err) => assert_error_clean("LoadError (profile)", &err),
            Ok(loaded) => assert_debug_clean("Loaded", &loaded),
        }
    }
    let loaded = load_profile(&format!(
        "[basic]\nak = {AK}\nsk = {SK}\nsecurity_token = {TOKEN}\nproject_id = {PROJECT}\n"
    ))
    .unwrap();
    assert_eq!(loaded.credentials.secret_key().expose(), SK);
    assert_debug_clean("Loaded", &loaded);
}

// ---------------------------------------------------------------------------------------
// The local endpoint and the MPC client.
// ---------------------------------------------------------------------------------------

fn state() -> State {
    let mut state = State::demo();
    state
        .credentials
        .push(EndpointCredentials::new(AK, SK, PROJECT));
    state
}

#[test]
fn endpoint_types_and_errors_never_show_the_secret_key_or_token() {
    assert_debug_clean(
        "EndpointCredentials",
        &EndpointCredentials::new(AK, SK, PROJECT),
    );
    let config = EndpointConfig::new(state()).token(TOKEN, PROJECT);
    assert_debug_clean("EndpointConfig", &config);
    assert_debug_clean("State", config.state());
    let endpoint = LocalEndpoint::start(config).unwrap();
    assert_debug_clean("LocalEndpoint", &endpoint);
    endpoint.shutdown();

    // Invalid states: a secret key with a newline, a token given twice.
    let mut bad = state();
    bad.credentials[1].sk = format!("{SK}\n");
    let err = bad.validate().unwrap_err();
    assert_error_clean("ServeError", &err);
    let err = EndpointConfig::new(state())
        .token(TOKEN, PROJECT)
        .token(TOKEN, PROJECT);
    let err = LocalEndpoint::start(err).unwrap_err();
    assert_error_clean("ServeError", &err);
}

#[test]
fn a_state_file_with_a_secret_in_the_wrong_place_is_refused_without_echoing_it() {
    // A state file that puts AK:SK or a token where an object is expected.
    for json in [
        format!(r#"{{"credentials": ["{AK}:{SK}"]}}"#),
        format!(
            r#"{{"credentials": [{{"ak": "{AK}", "sk": "{SK}", "project_id": "p"}}], "tokens": ["{TOKEN}"]}}"#
        ),
        format!(r#"{{"credentials": [{{"ak": "{AK}", "sk": ["{SK}"], "project_id": "p"}}]}}"#),
    ] {
        let err = State::from_json(&json).unwrap_err();
        assert_error_clean("ServeError (state JSON)", &err);
    }
}

fn client_for(
    endpoint: &LocalEndpoint,
    credentials: Credentials,
) -> (MpcClient, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let client = MpcClient::builder()
        .credentials(credentials)
        .project_id(PROJECT)
        .endpoint(endpoint.url())
        .proxy(Proxy::Direct)
        .max_attempts(1)
        .observer(move |event: &Event<'_>| {
            let mut log = log.lock().unwrap();
            log.push(format!("{event:?}"));
            if let Event::Sending { request, .. } = event {
                for name in ["authorization", "x-security-token", "x-auth-token"] {
                    if let Some(value) = request.headers().get(name) {
                        assert!(value.is_sensitive(), "{name} is not marked sensitive");
                    }
                }
            }
            log.push(event.to_string());
        })
        .build()
        .unwrap();
    assert_debug_clean("MpcClient", &client);
    (client, seen)
}

#[test]
fn mpc_client_events_and_errors_never_show_the_secret_key_or_token() {
    let endpoint =
        LocalEndpoint::start(EndpointConfig::new(state()).token(TOKEN, PROJECT)).unwrap();

    // Deleted, then not found: both answers and every event are clean.
    endpoint.add_task(PROJECT, "t1", huaweicloud_aksk::server::TaskStatus::Failed);
    let (client, seen) = client_for(&endpoint, temporary());
    assert!(client.delete_remux_task("t1").is_ok());
    let err = client.delete_remux_task("t1").unwrap_err();
    assert_error_clean("MpcError (not found)", &err);

    // A wrong secret key: the gateway answer quotes the canonical request, token included.
    let (client, seen_wrong) = client_for(
        &endpoint,
        Credentials::new(AK, "wrong-secret").with_security_token(TOKEN),
    );
    let err = client.delete_remux_task("t1").unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    assert_error_clean("MpcError (401)", &err);

    // An IAM token instead of AK/SK.
    let seen_token = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen_token);
    let client = MpcClient::builder()
        .iam_token(TOKEN)
        .project_id(PROJECT)
        .endpoint(endpoint.url())
        .proxy(Proxy::Direct)
        .observer(move |event: &Event<'_>| {
            if let Event::Sending { request, .. } = event {
                assert!(request.headers()["x-auth-token"].is_sensitive());
            }
            log.lock().unwrap().push(event.to_string());
            log.lock().unwrap().push(format!("{event:?}"));
        })
        .build()
        .unwrap();
    assert_debug_clean("MpcClient (token)", &client);
    let _ = client.delete_remux_task("nope");

    for log in [seen, seen_wrong, seen_token] {
        let log = log.lock().unwrap();
        assert!(!log.is_empty());
        for line in log.iter() {
            assert_clean("observer event", line);
        }
    }
    endpoint.shutdown();

    // Configuration errors.
    let bad = MpcClient::builder()
        .credentials(Credentials::new(AK, format!("{SK}\n")))
        .project_id(PROJECT)
        .region("cn-north-4")
        .build()
        .unwrap_err();
    assert_error_clean("ConfigError", &bad);
    let bad = MpcClient::builder()
        .iam_token(format!("{TOKEN}\n"))
        .project_id(PROJECT)
        .region("cn-north-4")
        .build()
        .unwrap_err();
    assert_error_clean("ConfigError", &bad);
    // The request model itself holds no credentials.
    let call = DeleteRemuxTask::new("t1").unwrap();
    let endpoint = Endpoint::parse("https://mpc.example.com").unwrap();
    let project = ProjectId::new(PROJECT).unwrap();
    assert_debug_clean("DeleteRemuxTask", &call.request(&endpoint, &project));
}

// ---------------------------------------------------------------------------------------
// The CLI's verbose output.
// ---------------------------------------------------------------------------------------

fn aksk(args: &[&str], env: &[(&str, &str)], home: &std::path::Path) -> (String, i32) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aksk"));
    cmd.args(args).env_clear().env("HOME", home);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run aksk");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (text, out.status.code().unwrap_or(-1))
}

#[test]
fn verbose_cli_output_never_shows_the_secret_key() {
    let home = TempDir::new("cli");
    let demo_sk = huaweicloud_aksk::server::DEMO_SECRET_KEY;
    // The demo task, deleted; then again, not found.
    for task in ["100211", "100214", "no-such-task"] {
        let (out, _) = aksk(
            &[
                "mpc",
                "delete-remux-task",
                "--local",
                "-v",
                "--task-id",
                task,
            ],
            &[],
            &home.0,
        );
        assert!(out.contains("DELETE /v1/"), "{out}");
        assert!(!out.contains(demo_sk), "-v shows the secret key: {out}");
    }

    // Credentials from the environment, against an endpoint started here: once right,
    // once with a wrong secret key (the answer quotes the canonical request).
    let endpoint = LocalEndpoint::start(EndpointConfig::new(state())).unwrap();
    endpoint.add_task(
        PROJECT,
        "t2",
        huaweicloud_aksk::server::TaskStatus::Canceled,
    );
    let url = endpoint.url();
    for sk in [SK, "SkWrongButAlsoSecretE5r7T9"] {
        let (out, code) = aksk(
            &[
                "mpc",
                "delete-remux-task",
                "-v",
                "--endpoint",
                &url,
                "--project-id",
                PROJECT,
                "--task-id",
                "t2",
                "--retries",
                "0",
            ],
            &[
                ("HUAWEICLOUD_SDK_AK", AK),
                ("HUAWEICLOUD_SDK_SK", sk),
                ("HUAWEICLOUD_SDK_SECURITY_TOKEN", TOKEN),
            ],
            &home.0,
        );
        assert!(out.contains("DELETE /v1/"), "{out}");
        assert!(!out.contains(sk), "-v shows the secret key: {out}");
        assert!(!out.contains(TOKEN), "-v shows the token: {out}");
        let _ = code;
    }
    endpoint.shutdown();

    // A secret key the loader refuses: the usage error does not quote it.
    let bad = format!("{SK} ");
    let (out, code) = aksk(
        &[
            "mpc",
            "delete-remux-task",
            "-v",
            "--endpoint",
            "http://127.0.0.1:9",
            "--project-id",
            PROJECT,
            "--task-id",
            "t",
        ],
        &[("HUAWEICLOUD_SDK_AK", AK), ("HUAWEICLOUD_SDK_SK", &bad)],
        &home.0,
    );
    assert_eq!(code, 2, "{out}");
    assert!(!out.contains(SK), "{out}");
}

// ---------------------------------------------------------------------------------------
// Sensitive headers.
// ---------------------------------------------------------------------------------------

#[test]
fn authorization_and_security_token_are_marked_sensitive() {
    let mut req = http::Request::delete("https://mpc.example.com/v1/p/remux/task?task_id=1")
        .body(Vec::new())
        .unwrap();
    Signer::new(temporary()).sign_at(&mut req, at()).unwrap();
    assert!(req.headers()["authorization"].is_sensitive());
    assert!(req.headers()["x-security-token"].is_sensitive());
    // http's Debug hides sensitive values.
    let shown = format!("{req:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(!shown.contains("Signature="), "{shown}");
}

// ---------------------------------------------------------------------------------------
// Wiping on drop, observed by the allocator.
// ---------------------------------------------------------------------------------------

/// The allocator of this test binary: `System`, except that while a thread has armed it,
/// every block that thread frees is searched for [`PROBE`] first (the block is still
/// allocated then, so reading it is sound; only the drop of secrets runs while armed, and
/// the blocks they free are initialised strings and structs).
struct Inspecting;

/// A secret used by the wiping test only.
const PROBE: &[u8] = b"ProbeSecretZ3x7C1v5B9n2M6q0W4e8R";

thread_local! {
    // Per thread, so that tests running at the same time do not count each other's blocks.
    static ARMED: Cell<bool> = const { Cell::new(false) };
    static FOUND_FREED: Cell<usize> = const { Cell::new(0) };
    static INSPECTED: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Inspecting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.try_with(Cell::get).unwrap_or(false) {
            let _ = INSPECTED.try_with(|n| n.set(n.get() + 1));
            // SAFETY: `ptr` is a live block of `layout.size()` bytes until it is freed below.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if block.windows(PROBE.len()).any(|w| w == PROBE) {
                let _ = FOUND_FREED.try_with(|n| n.set(n.get() + 1));
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Inspecting = Inspecting;

/// Drops `value` with the allocator armed, and returns how many freed blocks still held
/// the probe, and how many blocks were freed.
fn freed_with_probe<T>(value: T) -> (usize, usize) {
    let (found, inspected) = (FOUND_FREED.with(Cell::get), INSPECTED.with(Cell::get));
    ARMED.with(|a| a.set(true));
    drop(value);
    ARMED.with(|a| a.set(false));
    (
        FOUND_FREED.with(Cell::get) - found,
        INSPECTED.with(Cell::get) - inspected,
    )
}

/// The probe as an owned `String` with no spare capacity, so that no copy is left behind
/// by a reallocation when it becomes a boxed string.
fn probe() -> String {
    std::str::from_utf8(PROBE).unwrap().to_owned()
}

#[test]
fn the_allocator_check_sees_a_secret_that_is_not_wiped() {
    // The control: a plain String is freed with its bytes in place.
    let (found, inspected) = freed_with_probe(probe());
    assert!(inspected >= 1);
    assert_eq!(found, 1, "the check would not notice an unwiped secret");
}

#[test]
fn a_secret_string_is_wiped_before_its_memory_is_freed() {
    let (found, inspected) = freed_with_probe(SecretString::new(probe()));
    assert!(inspected >= 1);
    // With the `zeroize` feature (on by default) the zeroize crate wipes it; without it,
    // a plain overwrite does. Either way no copy may be freed unwiped.
    assert_eq!(found, 0, "a SecretString was freed with the secret in it");
}

#[test]
fn credentials_signers_and_key_sets_are_wiped_before_their_memory_is_freed() {
    let credentials = || Credentials::new(AK, probe()).with_security_token(probe());
    assert_eq!(freed_with_probe(credentials()).0, 0, "Credentials");

    // SM3 when this build has it.
    for algorithm in [
        Algorithm::SdkHmacSha256,
        Algorithm::V11HmacSha256,
        Algorithm::SdkHmacSm3,
    ]
    .into_iter()
    .filter(|a| a.is_available())
    {
        let signer = Signer::new(credentials())
            .with_algorithm(algorithm)
            .with_derived_scope("region-id-1", "service");
        // Sign once, so that whatever signing keeps is dropped too.
        let mut req = http::Request::get("https://h.example.com/x")
            .body(Vec::new())
            .unwrap();
        signer.sign_at(&mut req, at()).unwrap();
        assert_eq!(freed_with_probe(signer).0, 0, "{algorithm}");
    }

    let keys = KeySet::from_iter([Credentials::new(AK, probe())]);
    let verifier = Verifier::new(keys);
    assert_eq!(freed_with_probe(verifier).0, 0, "Verifier<KeySet>");
}
