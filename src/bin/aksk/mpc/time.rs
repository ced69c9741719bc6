//! Times and ages on the command line: `yyyymmddhhmmss` (UTC, as MPC writes it) or RFC
//! 3339; ages like `30d`, `12h`, `90m`.

use chrono::{DateTime, TimeDelta, Utc};
use huaweicloud_aksk::mpc::parse_mpc_time;

/// Reads TIME: `yyyymmddhhmmss` (UTC) or RFC 3339 (`2026-11-01T00:00:00Z`,
/// `2026-11-01T08:00:00+08:00`).
pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    if let Some(t) = parse_mpc_time(s) {
        return Ok(t);
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!(
                "{s:?} is not a time: give yyyymmddhhmmss (UTC) or RFC 3339 (2026-11-01T00:00:00Z)"
            )
        })
}

/// Reads AGE: a whole number and a unit, `d` (days), `h` (hours), `m` (minutes) or `s`
/// (seconds), e.g. `30d`; above zero, at most 100 years.
pub(crate) fn parse_age(s: &str) -> Result<TimeDelta, String> {
    let bad = || format!("{s:?} is not an age: give a number and d, h, m or s, like 30d or 12h");
    let unit = s.chars().last().ok_or_else(bad)?;
    let number = &s[..s.len() - unit.len_utf8()];
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) || number.len() > 12 {
        return Err(bad());
    }
    let n: i64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        'd' => n.checked_mul(86_400),
        'h' => n.checked_mul(3_600),
        'm' => n.checked_mul(60),
        's' => Some(n),
        _ => return Err(bad()),
    }
    .ok_or_else(bad)?;
    if seconds == 0 {
        return Err(format!("{s:?}: the age must be above zero"));
    }
    if seconds > 100 * 366 * 86_400 {
        return Err(format!("{s:?}: the age must be at most 100 years"));
    }
    Ok(TimeDelta::seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_in_both_forms() {
        let t = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        assert_eq!(parse_time("20261101000000"), Ok(t));
        assert_eq!(parse_time("2026-11-01T00:00:00Z"), Ok(t));
        assert_eq!(parse_time("2026-11-01T08:00:00+08:00"), Ok(t));
        for bad in [
            "",
            "2026",
            "20261301000000",
            "2026-11-01",
            "yesterday",
            "٢٠٢٦١١٠١٠٠٠٠٠٠",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ages() {
        assert_eq!(parse_age("30d"), Ok(TimeDelta::days(30)));
        assert_eq!(parse_age("12h"), Ok(TimeDelta::hours(12)));
        assert_eq!(parse_age("90m"), Ok(TimeDelta::minutes(90)));
        assert_eq!(parse_age("5s"), Ok(TimeDelta::seconds(5)));
        for bad in [
            "",
            "d",
            "30",
            "30x",
            "-3d",
            "0d",
            "3.5d",
            "1é",
            "999999999999d",
            "+3d",
            " 3d",
        ] {
            assert!(parse_age(bad).is_err(), "{bad}");
        }
    }
}
