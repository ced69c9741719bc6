//! Temporary credentials from the ECS metadata paths and the project id from IAM, both
//! served by the local endpoint, which then accepts the temporary credentials with their
//! security token until they expire.

use std::process::Command;
use std::time::Duration;

use chrono::Utc;
use huaweicloud_aksk::Credentials;
use huaweicloud_aksk::credentials::{
    CachingProvider, MetadataProvider, ProjectIdResolver, ProvideCredentials, ProvideError,
};
use huaweicloud_aksk::mpc::{DeleteOutcome, MpcClient, MpcError, Proxy};
use huaweicloud_aksk::server::{
    DEMO_PROJECT_ID, DEMO_TASK_ID, EndpointConfig, LocalEndpoint, TaskStatus,
};

fn endpoint(ttl: Duration) -> LocalEndpoint {
    LocalEndpoint::start(EndpointConfig::demo().temporary_credentials_ttl(ttl))
        .expect("start the local endpoint")
}

#[test]
fn the_metadata_paths_issue_temporary_credentials_the_gateway_accepts() {
    let server = endpoint(Duration::from_secs(3600));
    let provided = MetadataProvider::with_endpoint(server.url())
        .provide()
        .expect("credentials from the metadata paths");
    let token = provided
        .credentials
        .security_token()
        .expect("temporary credentials have a security token");
    assert!(!token.expose().is_empty());
    let expires = provided.expires_at.expect("temporary credentials expire");
    assert!(expires > Utc::now() + chrono::TimeDelta::minutes(50));
    // Their secrets stay out of Debug.
    let shown = format!("{provided:?}");
    assert!(!shown.contains(token.expose()), "{shown}");
    assert!(!shown.contains(provided.credentials.secret_key().expose()));

    // IAM names the project of the temporary access key.
    let project = ProjectIdResolver::new()
        .with_endpoint(server.url())
        .resolve(&provided.credentials, "cn-north-4", Utc::now())
        .expect("the project of the region");
    assert_eq!(project, DEMO_PROJECT_ID);

    // A client signing with the provider's temporary credentials deletes a record (the
    // project lookup inside the builder is the CLI test's below: it reads the environment).
    let client = MpcClient::builder()
        .credentials_provider(CachingProvider::new(MetadataProvider::with_endpoint(
            server.url(),
        )))
        .endpoint(server.url())
        .project_id(project)
        .proxy(Proxy::Direct)
        .build()
        .expect("a client");
    server.add_task(DEMO_PROJECT_ID, "900001", TaskStatus::Succeed);
    assert!(matches!(
        client.delete_remux_task("900001"),
        Ok(DeleteOutcome::Deleted)
    ));
    assert_eq!(server.task_status(DEMO_PROJECT_ID, "900001"), None);
    server.shutdown();
}

#[test]
fn temporary_credentials_are_refused_without_their_token_and_after_they_expire() {
    let server = endpoint(Duration::from_secs(1));
    let provided = MetadataProvider::with_endpoint(server.url())
        .provide()
        .expect("credentials from the metadata paths");
    let token = provided.credentials.security_token().unwrap().expose();
    let without_token = Credentials::new(
        provided.credentials.access_key(),
        provided.credentials.secret_key().expose(),
    );
    server.add_task(DEMO_PROJECT_ID, "900002", TaskStatus::Succeed);
    let client = |credentials: Credentials| {
        MpcClient::builder()
            .credentials(credentials)
            .endpoint(server.url())
            .project_id(DEMO_PROJECT_ID)
            .proxy(Proxy::Direct)
            .max_attempts(1)
            .build()
            .unwrap()
    };
    match client(without_token).delete_remux_task("900002") {
        Err(MpcError::Unauthorized(e)) => {
            assert!(e.error_msg.contains("security token"), "{e:?}")
        }
        other => panic!("expected a 401, got {other:?}"),
    }
    // Wait until the one-second credentials have expired on the endpoint's clock.
    while Utc::now() <= provided.expires_at.unwrap() + chrono::TimeDelta::milliseconds(50) {
        std::thread::sleep(Duration::from_millis(100));
    }
    match client(provided.credentials.clone()).delete_remux_task("900002") {
        Err(MpcError::Unauthorized(e)) => {
            assert!(e.error_msg.contains("expired"), "{e:?}");
            assert!(!e.to_string().contains(token));
        }
        other => panic!("expected a 401, got {other:?}"),
    }
    assert_eq!(
        server.task_status(DEMO_PROJECT_ID, "900002"),
        Some(TaskStatus::Succeed)
    );
    server.shutdown();
}

#[test]
fn securitykey_without_a_session_token_is_refused() {
    let server = endpoint(Duration::from_secs(3600));
    let answer = ureq::get(format!("{}/openstack/latest/securitykey", server.url()))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .unwrap();
    assert_eq!(answer.status().as_u16(), 401);
    server.shutdown();
}

#[test]
fn iam_refuses_an_unsigned_or_badly_signed_project_lookup() {
    let server = endpoint(Duration::from_secs(3600));
    let e = ProjectIdResolver::new()
        .with_endpoint(server.url())
        .resolve(
            &Credentials::new("HWCEXAMPLEAK0123TEST", "not-the-secret"),
            "cn-north-4",
            Utc::now(),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("401") && e.contains("APIGW.0301"), "{e}");
    assert!(!e.contains("not-the-secret"), "{e}");
    server.shutdown();
}

#[test]
fn off_ecs_the_metadata_provider_has_no_credentials_rather_than_an_error() {
    // A port nothing listens on: the chain must go on, not fail.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    match MetadataProvider::with_endpoint(url).provide() {
        Err(ProvideError::NotFound { looked }) => {
            assert!(looked.contains("no ECS metadata service"), "{looked}")
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// The issue's end-to-end case: no key and no project id anywhere, the metadata and IAM
/// paths of the local endpoint give both, and the record is deleted.
#[test]
fn the_cli_deletes_with_credentials_and_project_id_found_by_itself() {
    let server = endpoint(Duration::from_secs(3600));
    assert_eq!(
        server.task_status(DEMO_PROJECT_ID, DEMO_TASK_ID),
        Some(TaskStatus::Succeed)
    );
    let home = std::env::temp_dir().join(format!("aksk-creds-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aksk"))
        .env_clear()
        .env("HOME", &home)
        .env("AKSK_METADATA_ENDPOINT", server.url())
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", server.url())
        .args([
            "mpc",
            "delete-remux-task",
            "--endpoint",
            &server.url(),
            "--region",
            "cn-north-4",
            "--task-id",
            DEMO_TASK_ID,
        ])
        .output()
        .expect("run aksk");
    std::fs::remove_dir_all(&home).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("deleted packaging task record"), "{stdout}");
    assert_eq!(server.task_status(DEMO_PROJECT_ID, DEMO_TASK_ID), None);
    server.shutdown();
}

/// `aksk serve --temporary-credentials-ttl` sets how long the issued credentials last.
#[test]
fn serve_issues_credentials_for_the_time_it_is_told() {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_aksk"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--quiet",
            "--temporary-credentials-ttl",
            "120",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start aksk serve");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim_end()
        .strip_prefix("listening on ")
        .map(str::to_owned);
    let before = Utc::now();
    let provided = url.map(|url| MetadataProvider::with_endpoint(url).provide());
    let _ = child.kill();
    let _ = child.wait();
    let provided = provided
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .expect("credentials from aksk serve");
    let expires = provided.expires_at.expect("temporary credentials expire");
    // Two minutes from when they were issued (the bounds allow for a slow machine).
    assert!(
        expires > before + chrono::TimeDelta::seconds(100),
        "{expires}"
    );
    assert!(
        expires <= Utc::now() + chrono::TimeDelta::seconds(120),
        "{expires}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_aksk"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--temporary-credentials-ttl",
            "0",
        ])
        .output()
        .expect("run aksk serve");
    assert_eq!(out.status.code(), Some(2));
}
