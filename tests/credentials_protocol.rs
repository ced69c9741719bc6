//! The exchanges the official SDKs have with the ECS metadata service and IAM, against
//! scripted answers: the session token and its absence, a 401 that fetches a new token
//! once, and IAM answers with no project or several.

mod mpc_support;

use chrono::Utc;
use huaweicloud_aksk::Credentials;
use huaweicloud_aksk::credentials::{
    MetadataProvider, ProjectIdError, ProjectIdResolver, ProvideCredentials, ProvideError,
};
use mpc_support::{Reply, ScriptedServer};

const DOCUMENT: &str = r#"{"credential":{"access":"TMPAK","secret":"TMPSECRETVALUE","securitytoken":"TMPTOKENVALUE","expires_at":"2026-12-04T18:00:00.000000Z"}}"#;

#[test]
fn a_session_token_is_asked_for_and_sent() {
    let server = ScriptedServer::start(vec![
        Reply::body(200, "text/plain", "session-1"),
        Reply::json(200, DOCUMENT),
    ]);
    let provided = MetadataProvider::with_endpoint(server.url())
        .provide()
        .unwrap();
    assert_eq!(provided.credentials.access_key(), "TMPAK");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].target.as_str()),
        ("PUT", "/meta-data/latest/api/token")
    );
    assert_eq!(
        requests[0].header("x-metadata-token-ttl-seconds"),
        Some("21600")
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].target.as_str()),
        ("GET", "/openstack/latest/securitykey")
    );
    assert_eq!(requests[1].header("x-metadata-token"), Some("session-1"));
}

#[test]
fn without_a_token_service_the_key_is_asked_for_without_one() {
    for status in [404, 405, 503] {
        let server = ScriptedServer::start(vec![Reply::empty(status), Reply::json(200, DOCUMENT)]);
        let provided = MetadataProvider::with_endpoint(server.url())
            .provide()
            .unwrap();
        assert_eq!(provided.credentials.access_key(), "TMPAK");
        assert_eq!(server.requests()[1].header("x-metadata-token"), None);
    }
    // Any other refusal of the token is an error, not a reason to go on.
    let server = ScriptedServer::start(vec![Reply::empty(500)]);
    assert!(matches!(
        MetadataProvider::with_endpoint(server.url()).provide(),
        Err(ProvideError::Failed { .. })
    ));
}

#[test]
fn a_401_fetches_a_new_token_once() {
    let server = ScriptedServer::start(vec![
        Reply::body(200, "text/plain", "old"),
        Reply::empty(401),
        Reply::body(200, "text/plain", "new"),
        Reply::json(200, DOCUMENT),
    ]);
    MetadataProvider::with_endpoint(server.url())
        .provide()
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(requests[3].header("x-metadata-token"), Some("new"));

    // A second 401 is the answer.
    let server = ScriptedServer::start(vec![
        Reply::body(200, "text/plain", "old"),
        Reply::empty(401),
        Reply::body(200, "text/plain", "new"),
        Reply::empty(401),
    ]);
    let e = MetadataProvider::with_endpoint(server.url())
        .provide()
        .unwrap_err();
    assert!(e.to_string().contains("401"), "{e}");
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn a_bad_document_is_an_error_that_quotes_no_secret() {
    let server = ScriptedServer::start(vec![
        Reply::empty(404),
        Reply::json(
            200,
            r#"{"credential":{"access":"TMPAK","secret":"TMPSECRETVALUE"}}"#,
        ),
    ]);
    let e = MetadataProvider::with_endpoint(server.url())
        .provide()
        .unwrap_err()
        .to_string();
    assert!(!e.contains("TMPSECRETVALUE"), "{e}");
}

fn resolve(reply: Reply) -> (Result<String, ProjectIdError>, ScriptedServer) {
    let server = ScriptedServer::start(vec![reply]);
    let result = ProjectIdResolver::new()
        .with_endpoint(server.url())
        .resolve(
            &Credentials::new("AKPROJ", "SKPROJ").with_security_token("TOKPROJ"),
            "cn-north-4",
            Utc::now(),
        );
    (result, server)
}

#[test]
fn iam_is_asked_with_a_signed_request_and_its_answer_read() {
    let (result, server) = resolve(Reply::json(
        200,
        r#"{"projects":[{"id":"p-1","name":"cn-north-4"}],"links":{}}"#,
    ));
    assert_eq!(result.unwrap(), "p-1");
    let request = &server.requests()[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.target, "/v3/projects?name=cn-north-4");
    assert!(
        request
            .header("authorization")
            .unwrap()
            .starts_with("SDK-HMAC-SHA256 Access=AKPROJ,")
    );
    assert_eq!(request.header("x-security-token"), Some("TOKPROJ"));

    let (result, _) =
        resolve(Reply::json(200, r#"{"projects":[]}"#).header("X-IAM-Trace-Id", "trace-9"));
    let e = result.unwrap_err();
    assert!(matches!(e, ProjectIdError::NoProject { .. }));
    assert!(e.to_string().contains("trace-9"), "{e}");

    let (result, _) = resolve(Reply::json(
        200,
        r#"{"projects":[{"id":"p-1"},{"id":"p-2"}]}"#,
    ));
    let e = result.unwrap_err();
    assert!(e.to_string().contains("p-1, p-2"), "{e}");

    let (result, _) = resolve(Reply::json(
        401,
        r#"{"error_code":"APIGW.0301","error_msg":"verify aksk signature fail, CanonicalRequest:GET|/v3/projects/|name=cn-north-4|x-security-token:TOKPROJ|"}"#,
    ));
    let e = result.unwrap_err().to_string();
    assert!(e.contains("APIGW.0301") && !e.contains("TOKPROJ"), "{e}");

    let (result, _) = resolve(Reply::json(403, r#"{"error":{"message":"no"}}"#));
    assert!(matches!(
        result.unwrap_err(),
        ProjectIdError::Refused { status: 403, .. }
    ));
}

#[test]
fn iam_answers_are_cached_per_access_key_and_region() {
    let server = ScriptedServer::start(vec![
        Reply::json(200, r#"{"projects":[{"id":"p-1"}]}"#),
        Reply::json(200, r#"{"projects":[{"id":"p-2"}]}"#),
    ]);
    let resolver = ProjectIdResolver::new().with_endpoint(server.url());
    let creds = Credentials::new("AKCACHE", "SK");
    assert_eq!(
        resolver.resolve(&creds, "cn-north-4", Utc::now()).unwrap(),
        "p-1"
    );
    assert_eq!(
        resolver.resolve(&creds, "cn-north-4", Utc::now()).unwrap(),
        "p-1"
    );
    assert_eq!(server.requests().len(), 1);
    assert_eq!(
        resolver.resolve(&creds, "cn-east-3", Utc::now()).unwrap(),
        "p-2"
    );
}
