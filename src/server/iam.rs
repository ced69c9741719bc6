//! IAM's project list, as the SDKs ask it for a project id: `GET /v3/projects?name=REGION`,
//! signed. The answer is the calling access key's project, named after the region asked
//! for (the endpoint serves every region).

use crate::server::routes::{Answer, Shared};

/// The answer of `GET /v3/projects`; `None` for any other path.
pub(crate) fn answer(
    shared: &Shared,
    method: &http::Method,
    path: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> Option<Answer> {
    if path != "/v3/projects" {
        return None;
    }
    if method != http::Method::GET {
        return Some(Answer::gateway(
            404,
            "APIGW.0101",
            "The API does not exist or has not been published in the environment",
        ));
    }
    let caller = match shared.authenticate(method.as_str(), target, headers, b"") {
        Ok(caller) => caller,
        Err(answer) => return Some(answer),
    };
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let name = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "name")
        .map(|(_, v)| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        });
    let name = name.unwrap_or_else(|| "default".to_owned());
    Some(Answer::json(&serde_json::json!({
        "projects": [{
            "id": caller.project_id,
            "name": name,
            "enabled": true,
        }],
        "links": {"self": "/v3/projects"},
    })))
}
