//! The `X-Sdk-Date` timestamp: `YYYYMMDD'T'HHMMSS'Z'` in UTC.

use std::fmt;

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::sign::error::SignError;

/// A signing time in the `X-Sdk-Date` form, e.g. `20191115T033655Z`.
///
/// ```
/// use huaweicloud_aksk::SdkDate;
///
/// let date = SdkDate::parse("20191115T033655Z").unwrap();
/// assert_eq!(date.as_str(), "20191115T033655Z");
/// assert_eq!(date.to_datetime().to_rfc3339(), "2019-11-15T03:36:55+00:00");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SdkDate([u8; 16]);

impl SdkDate {
    /// The date of a UTC time (sub-second precision is dropped). Fails only for years
    /// outside 0000-9999.
    pub fn from_datetime(at: DateTime<Utc>) -> Result<Self, SignError> {
        // The fields of the UTC time itself: `DateTime`'s own accessors add the (zero)
        // offset again for every field.
        let at = at.naive_utc();
        let year = at.year();
        if !(0..=9999).contains(&year) {
            return Err(SignError::InvalidSdkDate);
        }
        let mut out = *b"00000000T000000Z";
        write_digits(&mut out[0..4], year as u32);
        write_digits(&mut out[4..6], at.month());
        write_digits(&mut out[6..8], at.day());
        write_digits(&mut out[9..11], at.hour());
        write_digits(&mut out[11..13], at.minute());
        write_digits(&mut out[13..15], at.second().min(59));
        Ok(SdkDate(out))
    }

    /// The current time, read from the system clock. On wasm32-unknown-unknown this needs
    /// the `wasm-clock` feature, as [`Signer::sign`](crate::Signer::sign) does.
    pub fn now() -> Self {
        Self::from_datetime(Utc::now()).expect("the system clock reads a year within 0000-9999")
    }

    /// Parses `YYYYMMDDTHHMMSSZ`, checking that it names a real UTC time.
    pub fn parse(s: &str) -> Result<Self, SignError> {
        Self::parse_fields(s).map(|(date, _)| date)
    }

    /// [`SdkDate::parse`], with [`SdkDate::unix_timestamp`] computed from the digits it
    /// has read.
    pub(crate) fn parse_with_timestamp(s: &str) -> Result<(Self, i64), SignError> {
        let (date, [y, mo, d, h, mi, se]) = Self::parse_fields(s)?;
        let ts = timestamp(i64::from(y), i64::from(mo), i64::from(d))
            + i64::from(h) * 3600
            + i64::from(mi) * 60
            + i64::from(se);
        Ok((date, ts))
    }

    /// Parses and checks the date; gives it and its year, month, day, hour, minute and
    /// second.
    #[inline]
    fn parse_fields(s: &str) -> Result<(Self, [u32; 6]), SignError> {
        let b = s.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return Err(SignError::InvalidSdkDate);
        }
        let digits = |r: std::ops::Range<usize>| -> Result<u32, SignError> {
            b[r].iter().try_fold(0u32, |acc, &c| {
                if c.is_ascii_digit() {
                    Ok(acc * 10 + u32::from(c - b'0'))
                } else {
                    Err(SignError::InvalidSdkDate)
                }
            })
        };
        let (y, mo, d) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
        let (h, mi, se) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
        // The proleptic Gregorian calendar, as chrono's: no leap second (60) either.
        if d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59 {
            return Err(SignError::InvalidSdkDate);
        }
        let mut out = [0u8; 16];
        out.copy_from_slice(b);
        Ok((SdkDate(out), [y, mo, d, h, mi, se]))
    }

    /// The date as sent: 16 ASCII characters.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("only ASCII digits, 'T' and 'Z' are ever stored")
    }

    /// The date's 16 bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The `YYYYMMDD` part (used in V11 credential scopes).
    pub fn day(&self) -> &str {
        &self.as_str()[..8]
    }

    /// The date as a UTC time.
    pub fn to_datetime(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.unix_timestamp(), 0).expect(
            "only real UTC times of the years 0000-9999 are stored, all within chrono's range",
        )
    }

    /// Seconds since 1970-01-01T00:00:00Z (negative before), computed from the digits
    /// without going through a calendar library.
    ///
    /// ```
    /// use huaweicloud_aksk::SdkDate;
    ///
    /// let date = SdkDate::parse("20191115T033655Z").unwrap();
    /// assert_eq!(date.unix_timestamp(), 1_573_789_015);
    /// assert_eq!(date.unix_timestamp(), date.to_datetime().timestamp());
    /// ```
    pub fn unix_timestamp(&self) -> i64 {
        let b = &self.0;
        let num = |r: std::ops::Range<usize>| {
            b[r].iter()
                .fold(0i64, |acc, &c| acc * 10 + i64::from(c.wrapping_sub(b'0')))
        };
        timestamp(num(0..4), num(4..6), num(6..8))
            + num(9..11) * 3600
            + num(11..13) * 60
            + num(13..15)
    }
}

/// Seconds from 1970-01-01T00:00:00Z to the start of a day of the proleptic Gregorian
/// calendar.
#[inline]
fn timestamp(year: i64, month: i64, day: i64) -> i64 {
    // Days from the civil date (Howard Hinnant's algorithm, years starting in March so
    // that the leap day comes last).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    days * 86_400
}

/// The number of days of a month of the proleptic Gregorian calendar (0 for no month).
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 0,
    }
}

fn write_digits(out: &mut [u8], mut v: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

impl TryFrom<DateTime<Utc>> for SdkDate {
    type Error = SignError;
    fn try_from(at: DateTime<Utc>) -> Result<Self, SignError> {
        SdkDate::from_datetime(at)
    }
}

impl std::str::FromStr for SdkDate {
    type Err = SignError;
    fn from_str(s: &str) -> Result<Self, SignError> {
        SdkDate::parse(s)
    }
}

impl fmt::Display for SdkDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for SdkDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SdkDate({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    #[test]
    fn formats_a_utc_time_as_basic_iso8601() {
        let at = Utc.with_ymd_and_hms(2019, 11, 15, 3, 36, 55).unwrap();
        assert_eq!(
            SdkDate::from_datetime(at).unwrap().as_str(),
            "20191115T033655Z"
        );
    }

    #[test]
    fn parse_round_trips_and_rejects_impossible_times() {
        let d = SdkDate::parse("20240229T235959Z").unwrap();
        assert_eq!(SdkDate::from_datetime(d.to_datetime()).unwrap(), d);
        for bad in [
            "20230229T000000Z",
            "20191115T246000Z",
            "20191115 033655Z",
            "2019-11-15T03:36:55Z",
            "",
            "20191115T033655z",
            "2019111５T03365Z",
        ] {
            assert_eq!(SdkDate::parse(bad), Err(SignError::InvalidSdkDate), "{bad}");
        }
    }

    #[test]
    fn from_datetime_and_to_datetime_agree_with_chrono_across_the_years() {
        // Every 9999991 seconds (about 116 days, drifting through the time of day) from
        // 0000-01-01 to 9999-12-31, and the ends of the range.
        let first = Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap().timestamp();
        let last = Utc
            .with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
            .unwrap()
            .timestamp();
        let mut t = first;
        while t <= last + 9_999_991 {
            let at = DateTime::from_timestamp(t.min(last), 0).unwrap();
            let expected = at.format("%Y%m%dT%H%M%SZ").to_string();
            let date = SdkDate::from_datetime(at).unwrap();
            assert_eq!(date.as_str(), expected);
            assert_eq!(date.to_datetime(), at);
            t += 9_999_991;
        }
        for (y, ok) in [
            (-1, false),
            (0, true),
            (1969, true),
            (9999, true),
            (10000, false),
        ] {
            let at = Utc.with_ymd_and_hms(y, 12, 31, 23, 59, 59).unwrap();
            assert_eq!(SdkDate::from_datetime(at).is_ok(), ok, "{y}");
        }
    }

    #[test]
    fn parse_accepts_exactly_the_dates_and_times_chrono_accepts() {
        let mut years: Vec<u32> = (0..=9999).step_by(7).collect();
        years.extend([
            0, 1, 4, 100, 200, 400, 1600, 1900, 2000, 2024, 2100, 2400, 9996, 9999,
        ]);
        let mut s = *b"00000000T000000Z";
        for y in years {
            for mo in 0..=13 {
                for d in 0..=32 {
                    write_digits(&mut s[0..4], y);
                    write_digits(&mut s[4..6], mo);
                    write_digits(&mut s[6..8], d);
                    let text = std::str::from_utf8(&s).unwrap();
                    let chrono = NaiveDate::from_ymd_opt(y as i32, mo, d);
                    assert_eq!(SdkDate::parse(text).is_ok(), chrono.is_some(), "{text}");
                    if let (Ok(date), Some(day)) = (SdkDate::parse(text), chrono) {
                        let expected = day.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
                        assert_eq!(date.unix_timestamp(), expected, "{text}");
                        assert_eq!(SdkDate::parse_with_timestamp(text), Ok((date, expected)));
                    }
                }
            }
        }
        for h in 0..=25 {
            for mi in [0, 59, 60, 99] {
                for se in [0, 59, 60, 61, 99] {
                    let text = format!("20240229T{h:02}{mi:02}{se:02}Z");
                    let chrono = chrono::NaiveTime::from_hms_opt(h, mi, se);
                    assert_eq!(SdkDate::parse(&text).is_ok(), chrono.is_some(), "{text}");
                    if let (Ok(date), Some(time)) = (SdkDate::parse(&text), chrono) {
                        let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
                        let expected = day.and_time(time).and_utc().timestamp();
                        assert_eq!(date.unix_timestamp(), expected, "{text}");
                        assert_eq!(date.to_datetime().timestamp(), expected, "{text}");
                        assert_eq!(SdkDate::parse_with_timestamp(&text), Ok((date, expected)));
                    }
                }
            }
        }
    }

    #[test]
    fn a_leap_second_is_second_59() {
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_milli_opt(23, 59, 59, 1500)
            .unwrap()
            .and_utc();
        assert_eq!(
            SdkDate::from_datetime(leap).unwrap().as_str(),
            "20161231T235959Z"
        );
    }

    #[test]
    fn years_beyond_four_digits_are_refused() {
        let at = Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(SdkDate::from_datetime(at), Err(SignError::InvalidSdkDate));
    }
}
