//! `aksk sign` and `aksk vectors check`, run as a user runs them.

use std::process::{Command, Output};

use serde_json::Value;

const AK: &str = "HWCEXAMPLEAK0123TEST";
const SK: &str = "HWCexampleSK0123456789abcdefghijklmnopqrST";
const URL: &str = "https://mpc.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/remux/task?task_id=100211";

fn aksk(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aksk"));
    cmd.args(args);
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
    cmd.output().expect("run aksk")
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

/// Bad input: exit code 2, one line on stderr, nothing on stdout.
fn assert_usage_error(o: &Output, needle: &str) {
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(o));
    assert!(o.stdout.is_empty(), "stdout: {}", stdout(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "stderr: {err}");
    assert!(err.contains(needle), "stderr {err:?} lacks {needle:?}");
    assert!(!err.contains(SK));
}

#[test]
fn default_output_is_the_headers_to_send_ready_for_curl() {
    let o = aksk(
        &[
            "sign",
            "-X",
            "DELETE",
            "-H",
            "X-Project-Id: 0123456789abcdef0123456789abcdef",
            "-H",
            "Content-Type: application/json",
            "--date",
            "20261128T043500Z",
            URL,
        ],
        &creds(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "X-Project-Id: 0123456789abcdef0123456789abcdef\n\
         Content-Type: application/json\n\
         X-Sdk-Date: 20261128T043500Z\n\
         Host: mpc.cn-north-4.myhuaweicloud.com\n\
         Authorization: SDK-HMAC-SHA256 Access=HWCEXAMPLEAK0123TEST, \
         SignedHeaders=content-type;host;x-project-id;x-sdk-date, \
         Signature=3c5d7aa8b5909955bc2203bb05d1073f61f7db9e5324e0dbdb38561a2b35fc46\n"
    );
}

#[test]
fn json_output_gives_every_stage_as_the_official_sdk_computes_it() {
    // The official Python SDK's values for this request (vector delete_remux_task_plain).
    let o = aksk(
        &[
            "sign",
            "--json",
            "-X",
            "DELETE",
            "-H",
            "X-Project-Id: 0123456789abcdef0123456789abcdef",
            "-H",
            "Content-Type: application/json",
            "--date",
            "20261128T043500Z",
            URL,
        ],
        &creds(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["canonical_request"],
        "DELETE\n/v1/0123456789abcdef0123456789abcdef/remux/task/\ntask_id=100211\n\
         content-type:application/json\nhost:mpc.cn-north-4.myhuaweicloud.com\n\
         x-project-id:0123456789abcdef0123456789abcdef\nx-sdk-date:20261128T043500Z\n\n\
         content-type;host;x-project-id;x-sdk-date\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        v["string_to_sign"],
        "SDK-HMAC-SHA256\n20261128T043500Z\n134adde2ef3a3d6475e6aac36be9da7f054255d5aae2383bff56e8bc04351965"
    );
    assert_eq!(
        v["signed_headers"],
        "content-type;host;x-project-id;x-sdk-date"
    );
    assert_eq!(
        v["signature"],
        "3c5d7aa8b5909955bc2203bb05d1073f61f7db9e5324e0dbdb38561a2b35fc46"
    );
    assert_eq!(v["headers"]["Authorization"], v["authorization"]);
    assert_eq!(v["headers"]["X-Sdk-Date"], "20261128T043500Z");
    assert_eq!(v["headers"]["Host"], "mpc.cn-north-4.myhuaweicloud.com");
    assert_eq!(
        v["headers"]["X-Project-Id"],
        "0123456789abcdef0123456789abcdef"
    );
    assert_eq!(v["headers"].as_object().unwrap().len(), 5);
}

#[test]
fn query_is_taken_as_written_with_a_literal_plus_kept() {
    let o = aksk(
        &[
            "sign",
            "--json",
            "--date",
            "20261128T043500Z",
            "https://h.example.com/x?b=a+b%20c&A=%7e",
        ],
        &creds(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let canonical = v["canonical_request"].as_str().unwrap();
    assert_eq!(canonical.lines().nth(2), Some("A=~&b=a%2Bb%20c"));
    assert!(canonical.starts_with("GET\n/x/\n"), "-X defaults to GET");
    assert_eq!(v["url"], "https://h.example.com/x?A=~&b=a%2Bb%20c");
}

#[test]
fn security_token_from_the_environment_is_sent_and_signed() {
    let mut env = creds();
    env.push(("HUAWEICLOUD_SDK_SECURITY_TOKEN", "example-token"));
    let o = aksk(&["sign", "--json", "--date", "20261128T043500Z", URL], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["headers"]["X-Security-Token"], "example-token");
    assert_eq!(v["signed_headers"], "host;x-sdk-date;x-security-token");
}

#[test]
fn credentials_come_from_the_profile_file_when_the_environment_has_none() {
    let dir = std::env::temp_dir().join(format!("aksk-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("credentials");
    std::fs::write(&file, format!("[basic]\nak = {AK}\nsk = {SK}\n")).unwrap();
    let o = aksk(
        &[
            "sign",
            "--date",
            "20261128T043500Z",
            "-X",
            "DELETE",
            "-H",
            "X-Project-Id: 0123456789abcdef0123456789abcdef",
            URL,
        ],
        &[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", file.to_str().unwrap())],
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o)
            .contains("Signature=0858fa456de9c16562ad955eb067f9b43d1c2d8e82094d19e6df7eeb7ab5e092")
    );
}

#[test]
fn json_headers_of_a_header_given_twice_are_two_lines_and_verify_as_sent() {
    use chrono::{TimeZone, Utc};
    use huaweicloud_aksk::verify::Verifier;
    use huaweicloud_aksk::{Credentials, SignableRequest, Signer};

    let o = aksk(
        &[
            "sign",
            "--json",
            "--date",
            "20261128T043500Z",
            "-H",
            "X-A: 2",
            "-H",
            "X-A: 1",
            "-H",
            "X-B: b",
            URL,
        ],
        &creds(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["headers"]["X-A"], serde_json::json!(["2", "1"]));
    assert_eq!(v["headers"]["X-B"], "b");
    assert!(
        v["canonical_request"]
            .as_str()
            .unwrap()
            .contains("\nx-a:1\nx-a:2\nx-b:b\n")
    );

    // Send the headers as printed: one line per value.
    let mut sent: Vec<(String, String)> = Vec::new();
    for (name, value) in v["headers"].as_object().unwrap() {
        match value {
            Value::Array(values) => {
                for value in values {
                    sent.push((name.clone(), value.as_str().unwrap().to_owned()));
                }
            }
            value => sent.push((name.clone(), value.as_str().unwrap().to_owned())),
        }
    }
    assert_eq!(sent.len(), 6, "{sent:?}");
    let pairs: Vec<(&str, &str)> = sent.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let url = v["url"].as_str().unwrap();
    let req = SignableRequest::new("GET", url)
        .unwrap()
        .with_headers(&pairs);
    let verifier = Verifier::new(Signer::new(Credentials::new(AK, SK)));
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap();
    verifier
        .verify(&req, now)
        .expect("the headers as printed verify");

    // The old output folded them into one value, "2, 1": that does not verify.
    let folded: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(n, _)| *n != "X-A")
        .copied()
        .chain([("X-A", "2, 1")])
        .collect();
    let req = SignableRequest::new("GET", url)
        .unwrap()
        .with_headers(&folded);
    assert!(verifier.verify(&req, now).is_err());
}

#[test]
fn header_values_are_sent_trimmed_as_they_are_signed() {
    let o = aksk(
        &[
            "sign",
            "--json",
            "-H",
            "X-Tag:   padded  ",
            "https://h.example.com/",
        ],
        &creds(),
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["headers"]["X-Tag"], "padded");
    assert!(
        v["canonical_request"]
            .as_str()
            .unwrap()
            .contains("\nx-tag:padded\n")
    );
}

#[test]
fn body_from_data_is_hashed() {
    let o = aksk(
        &[
            "sign",
            "--json",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "--data",
            "{\"a\":1}",
            "--date",
            "20261128T043500Z",
            "https://h.example.com/x",
        ],
        &creds(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let canonical = v["canonical_request"].as_str().unwrap();
    // sha256 of {"a":1}
    assert!(
        canonical.ends_with("015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"),
        "{canonical}"
    );
}

#[test]
fn bad_input_exits_2_with_one_line_and_nothing_on_stdout() {
    let c = creds();
    assert_usage_error(
        &aksk(
            &["sign", "https://h.example.com/", "--date", "2026-11-28"],
            &c,
        ),
        "X-Sdk-Date",
    );
    assert_usage_error(
        &aksk(&["sign", "-H", "X-A: a\rb", "https://h.example.com/"], &c),
        "CR or LF",
    );
    assert_usage_error(
        &aksk(&["sign", "-H", "no colon", "https://h.example.com/"], &c),
        "Name: value",
    );
    assert_usage_error(
        &aksk(&["sign", "-H", "Bad Name: v", "https://h.example.com/"], &c),
        "header name",
    );
    assert_usage_error(&aksk(&["sign", "https:///no-host"], &c), "host");
    assert_usage_error(&aksk(&["sign", "not a url"], &c), "URI");
    assert_usage_error(
        &aksk(&["sign", "-X", "DE LETE", "https://h.example.com/"], &c),
        "method",
    );
    assert_usage_error(
        &aksk(&["sign", "--nope", "https://h.example.com/"], &c),
        "--nope",
    );
    assert_usage_error(
        &aksk(&["sign", "https://h.example.com/"], &[]),
        "HUAWEICLOUD_SDK_AK",
    );
    assert_usage_error(
        &aksk(
            &["sign", "https://h.example.com/"],
            &[("HUAWEICLOUD_SDK_AK", AK), ("HUAWEICLOUD_SDK_SK", "")],
        ),
        "HUAWEICLOUD_SDK_SK",
    );
    assert_usage_error(
        &aksk(
            &["sign", "https://h.example.com/"],
            &[
                ("HUAWEICLOUD_SDK_AK", AK),
                ("HUAWEICLOUD_SDK_SK", "secret\n"),
            ],
        ),
        "secret key",
    );
}

#[test]
fn vectors_check_passes_our_vectors_and_fails_a_changed_one() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let o = aksk(
        &[
            "vectors",
            "check",
            &format!("{dir}/test-vectors/sdk-hmac-sha256.json"),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).ends_with("79 passed, 0 failed\n"),
        "{}",
        stdout(&o)
    );

    let text = std::fs::read_to_string(format!("{dir}/test-vectors/known-answers.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["vectors"][0]["expected"]["signature"] = Value::from("0".repeat(64));
    let tmp = std::env::temp_dir().join(format!("aksk-vectors-{}.json", std::process::id()));
    std::fs::write(&tmp, v.to_string()).unwrap();
    let o = aksk(&["vectors", "check", tmp.to_str().unwrap()], &[]);
    let _ = std::fs::remove_file(&tmp);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("FAIL doc_example_get_vpcs"), "{out}");
    assert!(out.contains("signature differs"), "{out}");
    assert!(out.ends_with("3 passed, 1 failed\n"), "{out}");
}

#[test]
fn vectors_check_of_an_unreadable_file_is_a_usage_error() {
    assert_usage_error(
        &aksk(&["vectors", "check", "/nonexistent/v.json"], &[]),
        "v.json",
    );
}
