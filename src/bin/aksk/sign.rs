//! `aksk sign`: sign a request and print the headers to send, or every stage.

use std::process::ExitCode;

use huaweicloud_aksk::{
    Algorithm, Credentials, PayloadHashing, SdkDate, SignableRequest, Signer, SigningBuffer,
    UnknownAlgorithm,
};
use serde_json::{Map, Value, json};

/// Arguments of `aksk sign`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// HTTP method.
    #[arg(
        short = 'X',
        long = "request",
        default_value = "GET",
        value_name = "METHOD"
    )]
    method: String,
    /// A header to send and sign, as 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The body to send; @FILE reads it from a file.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    data: Option<String>,
    /// Signing time (UTC) as YYYYMMDDTHHMMSSZ; default: now.
    #[arg(long, value_name = "YYYYMMDDTHHMMSSZ")]
    date: Option<String>,
    /// Print every stage as one JSON object; in its "headers", a header given more than
    /// once is a list of values, each sent as a header line of its own.
    #[arg(long)]
    json: bool,
    /// Always hash the body, even for content types other than JSON.
    #[arg(long)]
    always_hash_body: bool,
    /// Signing algorithm: SDK-HMAC-SHA256 (default), V11-HMAC-SHA256, SDK-HMAC-SM3,
    /// SDK-ECDSA-P256-SHA256 or SDK-SM2-SM3.
    #[arg(long, value_name = "NAME", default_value = "SDK-HMAC-SHA256")]
    algorithm: String,
    /// Region of the V11-HMAC-SHA256 credential scope.
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// Service of the V11-HMAC-SHA256 credential scope.
    #[arg(long, value_name = "SERVICE")]
    service: Option<String>,
    /// The URL to sign; its query is taken as written (escapes decoded, '+' stays '+').
    url: String,
}

pub(crate) fn run(args: Args) -> ExitCode {
    match sign(&args) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(message) => crate::usage_error(message),
    }
}

fn sign(args: &Args) -> Result<String, String> {
    let credentials: Credentials = crate::credentials::load().map_err(|e| e.to_string())?;
    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    let body = match &args.data {
        None => Vec::new(),
        Some(d) => match d.strip_prefix('@') {
            Some(path) => std::fs::read(path).map_err(|e| format!("{path}: {e}"))?,
            None => d.clone().into_bytes(),
        },
    };
    let date = match &args.date {
        Some(d) => SdkDate::parse(d).map_err(|e| e.to_string())?,
        None => SdkDate::now(),
    };
    let algorithm: Algorithm = args
        .algorithm
        .parse()
        .map_err(|e: UnknownAlgorithm| e.to_string())?;
    let mut signer = Signer::new(credentials)
        .with_payload_hashing(if args.always_hash_body {
            PayloadHashing::Always
        } else {
            PayloadHashing::UnsignedForNonJson
        })
        .with_algorithm(algorithm);
    match (&args.region, &args.service) {
        (Some(region), Some(service)) => signer = signer.with_derived_scope(region, service),
        (None, None) => {}
        _ => return Err("--region and --service go together".to_owned()),
    }
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, *v)).collect();
    let req = SignableRequest::new(&args.method, &args.url)
        .map_err(|e| e.to_string())?
        .with_headers(&pairs)
        .with_body(&body);
    let mut buf = SigningBuffer::new();
    let signed = signer
        .sign_into(&req, date, &mut buf)
        .map_err(|e| e.to_string())?;
    let mut to_send: Vec<(&str, &str)> = pairs.clone();
    for (name, value) in signed.headers_to_add() {
        to_send.push((name, value));
    }
    if !args.json {
        let mut out = String::new();
        for (n, v) in &to_send {
            out.push_str(&format!("{n}: {v}\n"));
        }
        return Ok(out);
    }
    // Each header is one value; a name given more than once maps to the list of its values
    // in order, each to be sent as a header line of its own: the signature covers one
    // canonical line per value, and a folded "1, 2" would be one other value.
    let mut map = Map::new();
    for (n, v) in &to_send {
        let value = Value::String((*v).to_owned());
        match map.get_mut(*n) {
            Some(Value::Array(values)) => values.push(value),
            Some(first) => *first = Value::Array(vec![first.take(), value]),
            None => {
                map.insert((*n).to_owned(), value);
            }
        }
    }
    let out = json!({
        "canonical_request": signed.canonical_request(),
        "string_to_sign": signed.string_to_sign(),
        "signed_headers": signed.signed_headers(),
        "signature": signed.signature(),
        "authorization": signed.authorization(),
        "headers": map,
        "date": signed.date().as_str(),
        "url": signed.url_to_send(&args.url),
    });
    Ok(format!("{out:#}\n"))
}

/// Parses `Name: value`.
fn parse_header(h: &str) -> Result<(&str, &str), String> {
    let (name, value) = h
        .split_once(':')
        .ok_or_else(|| "a -H argument is not 'Name: value'".to_owned())?;
    let name = name.trim();
    if name.is_empty() {
        return Err("a -H argument has no header name".to_owned());
    }
    // Sent as signed: outer whitespace is not part of a value (RFC 9110), and the SDKs trim it.
    Ok((name, value.trim()))
}
