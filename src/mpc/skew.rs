//! Clock skew: how far the local clock is from the gateway's, read from its answers.
//!
//! The gateway refuses a signature dated more than 15 minutes from its own clock, with
//! 401 `APIGW.0301` and a message such as `... signature expired, signature
//! time:20261128T043500Z, server time:20261128T053512Z`. None of the official SDKs act on
//! it; the retry policy (`retry.rs`) corrects the signing time once and signs again.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

use crate::SdkDate;

/// A `Date` response header further than this from the local clock counts as skew.
pub(crate) const DATE_SKEW_THRESHOLD: TimeDelta = TimeDelta::minutes(5);

/// How far the server's clock is ahead of the signature's time (negative when behind),
/// read from an `APIGW.0301` "signature expired" message; `None` when the message does
/// not say "expired" or does not carry both times.
///
/// Lenient about the form of the times: `20261128T043500Z`, the same without `Z`,
/// RFC 3339, or `2026-11-28 04:35:00`.
pub(crate) fn skew_from_expired_message(message: &str) -> Option<TimeDelta> {
    let lower = message.to_ascii_lowercase();
    if !lower.contains("expired") {
        return None;
    }
    let signature = time_after(message, &lower, "signature time")?;
    let server = time_after(message, &lower, "server time")?;
    Some(server - signature)
}

/// How far the server's clock is ahead of `local_now`, from a `Date` response header
/// (`Sat, 28 Nov 2026 04:35:00 GMT`), when it is more than [`DATE_SKEW_THRESHOLD`] off;
/// `None` when it is closer or cannot be parsed.
pub(crate) fn skew_from_date_header(date: &str, local_now: DateTime<Utc>) -> Option<TimeDelta> {
    let server = DateTime::parse_from_rfc2822(date.trim())
        .ok()?
        .with_timezone(&Utc);
    let skew = server - local_now;
    (skew.abs() > DATE_SKEW_THRESHOLD).then_some(skew)
}

/// The time written after `label` (and a `:` or `=`), up to a `,`, `;`, `)`, `"` or the end.
fn time_after(message: &str, lower: &str, label: &str) -> Option<DateTime<Utc>> {
    let at = lower.find(label)? + label.len();
    let rest = message[at..].trim_start();
    let rest = rest.strip_prefix([':', '='])?.trim_start();
    let end = rest
        .find([',', ';', ')', '"', '|', '\n'])
        .unwrap_or(rest.len());
    parse_time(rest[..end].trim().trim_end_matches('.'))
}

/// Parses a time in any of the forms gateways write.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = SdkDate::parse(s) {
        return Some(d.to_datetime());
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    let s = s.trim_end_matches(['Z', 'z']).trim_end_matches(" UTC");
    ["%Y%m%dT%H%M%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|n| n.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn reads_both_times_of_the_gateway_message_in_any_usual_form() {
        for msg in [
            "signature expired, signature time:20261128T043500Z, server time:20261128T045500Z",
            "Signature Expired. Signature time: 20261128T043500Z; Server time: 20261128T045500Z.",
            "signature expired, signature time:20261128T043500, server time:20261128T045500",
            "signature expired (signature time=2026-11-28T04:35:00Z, server time=2026-11-28T04:55:00+00:00)",
            "signature expired, signature time:2026-11-28 04:35:00, server time:2026-11-28 04:55:00",
            "...|x-sdk-date:20261128T043500Z|| signature expired, signature time:20261128T043500Z, server time:20261128T045500Z\"}",
        ] {
            assert_eq!(
                skew_from_expired_message(msg),
                Some(TimeDelta::minutes(20)),
                "{msg}"
            );
        }
    }

    #[test]
    fn a_server_behind_the_signature_gives_a_negative_skew() {
        let msg =
            "signature expired, signature time:20261128T050000Z, server time:20261128T043000Z";
        assert_eq!(
            skew_from_expired_message(msg),
            Some(TimeDelta::minutes(-30))
        );
    }

    #[test]
    fn other_authentication_failures_carry_no_skew() {
        for msg in [
            "Incorrect IAM authentication information: verify aksk signature fail",
            "signature expired",
            "signature expired, signature time:soon, server time:20261128T045500Z",
            "unknown AK, signature time:20261128T043500Z, server time:20261128T045500Z",
        ] {
            assert_eq!(skew_from_expired_message(msg), None, "{msg}");
        }
    }

    #[test]
    fn a_date_header_counts_only_beyond_five_minutes() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 4, 35, 0).unwrap();
        assert_eq!(
            skew_from_date_header("Sat, 28 Nov 2026 04:39:59 GMT", now),
            None
        );
        assert_eq!(
            skew_from_date_header("Sat, 28 Nov 2026 04:45:00 GMT", now),
            Some(TimeDelta::minutes(10))
        );
        assert_eq!(
            skew_from_date_header("Sat, 28 Nov 2026 03:35:00 GMT", now),
            Some(TimeDelta::hours(-1))
        );
        assert_eq!(skew_from_date_header("yesterday", now), None);
    }
}
