//! The MPC call model reading an answer (`Call::interpret` of `DeleteRemuxTask`): status,
//! headers and an arbitrary body, read with serde_json.
//!
//! Invariants: no panic; only a 2xx is `Deleted`; `AlreadyDeleted` only after an attempt
//! whose outcome was unknown; an error shows no control character (text from the network
//! is escaped before it reaches a terminal); when serde_json reads the body as a flat
//! object naming `error_code` once, the call model reads the same code.
#![no_main]

use arbitrary::Arbitrary;
use huaweicloud_aksk::mpc::{
    Answer, BodyRead, Call, DeleteOutcome, DeleteRemuxTask, EarlierAttempts, MpcError,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    status: u16,
    request_id: Option<&'a [u8]>,
    content_type: Option<&'a [u8]>,
    truncated: bool,
    earlier: bool,
    body: &'a [u8],
}

fn shows_control_character(e: &dyn std::error::Error) -> bool {
    let mut e = Some(e);
    while let Some(err) = e {
        if err.to_string().chars().any(char::is_control) {
            return true;
        }
        e = err.source();
    }
    false
}

fuzz_target!(|input: Input<'_>| {
    let mut headers = http::HeaderMap::new();
    for (name, value) in [
        ("x-request-id", input.request_id),
        ("content-type", input.content_type),
    ] {
        if let Some(v) = value.and_then(|v| http::HeaderValue::from_bytes(v).ok()) {
            headers.insert(name, v);
        }
    }
    let status = input.status;
    let answer = Answer::new(status, &headers, input.body)
        .body_read(if input.truncated {
            BodyRead::Truncated
        } else {
            BodyRead::Whole
        })
        .earlier_attempts(if input.earlier {
            EarlierAttempts::MayHaveBeenActedUpon
        } else {
            EarlierAttempts::NotActedUpon
        });
    let call = DeleteRemuxTask::new("1").expect("a valid task id");
    match call.interpret(&answer) {
        Ok(DeleteOutcome::Deleted) => assert!((200..300).contains(&status)),
        Ok(_) => assert!(input.earlier && !(200..300).contains(&status)),
        Err(e) => {
            assert!(!(200..300).contains(&status));
            assert!(!shows_control_character(&e), "{e}");
            let _ = format!("{e:?}");
            let once = input
                .body
                .windows(12)
                .filter(|w| w == b"\"error_code\"")
                .count()
                == 1;
            if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(input.body) {
                let code = map
                    .get("error_code")
                    .and_then(|c| c.as_str())
                    .filter(|c| !c.is_empty());
                let flat = map.values().all(|v| !v.is_array() && !v.is_object());
                if let (Some(code), true, true, false, true) =
                    (code, flat, once, input.truncated, status >= 400)
                {
                    match &e {
                        MpcError::Api(a) | MpcError::Unauthorized(a) | MpcError::Throttled(a) => {
                            assert_eq!(a.error_code, code)
                        }
                        other => panic!("{code:?} read as {other:?}"),
                    }
                }
            }
        }
    }
});
