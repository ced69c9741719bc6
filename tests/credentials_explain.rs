//! A refused signature explained: the first line where the gateway's canonical request
//! differs from the one signed, the same canonical request (a wrong secret key), or the
//! clock difference of an expired signature.

use chrono::TimeDelta;
use huaweicloud_aksk::Credentials;
use huaweicloud_aksk::mpc::{
    MpcClient, MpcError, Proxy, SignatureExplanation, SignedSummary, explain_signature,
};
use huaweicloud_aksk::server::{DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_TASK_ID, LocalEndpoint};

const SIGNED: &str = "DELETE\n/v1/p/remux/task/\ntask_id=1\nhost:h\nx-sdk-date:20261204T120000Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

#[test]
fn the_first_differing_line_is_named() {
    let signed = SignedSummary::new(SIGNED, "20261204T120000Z");
    let msg = format!(
        "Incorrect IAM authentication information: verify aksk signature fail, SignedHeaders:host;x-sdk-date, CanonicalRequest:{}",
        SIGNED
            .replace("/v1/p/remux/task/", "/v1/p/remux/task")
            .replace('\n', "|")
    );
    assert_eq!(
        explain_signature(&msg, &signed),
        Some(SignatureExplanation::CanonicalRequestDiffers {
            line: 2,
            part: "the canonical URI",
            ours: "/v1/p/remux/task/".into(),
            gateway: "/v1/p/remux/task".into(),
        })
    );
    let msg = format!(
        "...CanonicalRequest:{}",
        SIGNED.replace("host:h", "host:h:443").replace('\n', "|")
    );
    let why = explain_signature(&msg, &signed).unwrap();
    assert!(
        why.to_string().contains("line 4 (a canonical header)"),
        "{why}"
    );
    // The same canonical request: the secret key is wrong.
    let msg = format!("...CanonicalRequest:{}", SIGNED.replace('\n', "|"));
    assert_eq!(
        explain_signature(&msg, &signed),
        Some(SignatureExplanation::SameCanonicalRequest)
    );
}

#[test]
fn an_expired_signature_gives_the_clock_difference() {
    let signed = SignedSummary::new(SIGNED, "20261204T120000Z");
    let msg = "Incorrect IAM authentication information: signature expired, signature time:20261204T120000Z, server time:20261204T122000Z";
    let why = explain_signature(msg, &signed).unwrap();
    assert!(matches!(
        &why,
        SignatureExplanation::ClockSkew { offset, .. } if *offset == TimeDelta::minutes(20)
    ));
    assert!(why.to_string().contains("1200 s behind"), "{why}");
    // Other 401 messages: nothing to explain.
    assert_eq!(
        explain_signature(
            "Incorrect IAM authentication information: ak X not exist",
            &signed
        ),
        None
    );
}

#[test]
fn odd_messages_never_panic() {
    let signed = SignedSummary::new(SIGNED, "not a date");
    for msg in [
        "",
        "CanonicalRequest:",
        "signature expired",
        "signature expired, signature time:, server time:",
        "signature expired, signature time:x, server time:99999999T999999Z",
        "CanonicalRequest:|||||||||||",
        "é CanonicalRequest:é|é",
    ] {
        let _ = explain_signature(msg, &signed);
    }
}

#[test]
fn a_wrong_secret_key_is_explained_by_the_local_endpoint() {
    let server = LocalEndpoint::start_demo().expect("start the local endpoint");
    let client = MpcClient::builder()
        .credentials(
            Credentials::new(DEMO_ACCESS_KEY, "WRONGSECRET").with_security_token("SOMETOKEN"),
        )
        .project_id(DEMO_PROJECT_ID)
        .endpoint(server.url())
        .proxy(Proxy::Direct)
        .max_attempts(1)
        .build()
        .unwrap();
    let e = client.delete_remux_task(DEMO_TASK_ID).unwrap_err();
    let MpcError::Unauthorized(api) = &e else {
        panic!("expected a 401, got {e:?}")
    };
    assert_eq!(
        api.signature_explanation(),
        Some(&SignatureExplanation::SameCanonicalRequest),
        "{e}"
    );
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains("WRONGSECRET") && !shown.contains("SOMETOKEN"),
        "{shown}"
    );
    server.shutdown();
}

#[test]
fn the_cli_shows_the_explanation() {
    let server = LocalEndpoint::start_demo().expect("start the local endpoint");
    let home = std::env::temp_dir().join(format!("aksk-explain-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aksk"))
        .env_clear()
        .env("HOME", &home)
        .env("HUAWEICLOUD_SDK_AK", DEMO_ACCESS_KEY)
        .env("HUAWEICLOUD_SDK_SK", "WRONGSECRETFORCLI")
        .args([
            "mpc",
            "delete-remux-task",
            "--endpoint",
            &server.url(),
            "--project-id",
            DEMO_PROJECT_ID,
            "--task-id",
            DEMO_TASK_ID,
            "--retries",
            "0",
        ])
        .output()
        .expect("run aksk");
    std::fs::remove_dir_all(&home).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("APIGW.0301: "), "{stderr}");
    assert!(
        stderr.contains("aksk: the gateway computed the canonical request that was signed"),
        "{stderr}"
    );
    assert!(!stderr.contains("WRONGSECRETFORCLI"), "{stderr}");
    server.shutdown();
}
