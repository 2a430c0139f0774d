//! The hall's time zone: China Standard Time (UTC+8, no daylight saving). Due dates, working
//! days, receipts and "today" in reports are all counted in it.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// UTC+8.
pub const CHINA_STANDARD_TIME: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// `at` on the hall's clock.
pub fn local(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&CHINA_STANDARD_TIME)
}

/// The hall's calendar day at `at`.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    local(at).date_naive()
}

/// `at` as the hall shows it to the minute: `2026-12-05 00:00`.
pub fn local_minute(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m-%d %H:%M").to_string()
}

/// The instant the hall's calendar `day` begins (00:00 UTC+8), in UTC.
pub fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    let offset = chrono::Duration::seconds(i64::from(CHINA_STANDARD_TIME.local_minus_utc()));
    day.and_time(chrono::NaiveTime::MIN).and_utc() - offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_hundred_utc_is_midnight_of_the_next_day_in_the_hall() {
        let at = DateTime::parse_from_rfc3339("2026-12-04T16:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap();
        assert_eq!(
            local_date(at),
            NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
        );
        let before = at - chrono::Duration::seconds(1);
        assert_eq!(
            local_date(before),
            NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
        );
        assert_eq!(local_minute(at), "2026-12-05 00:00");
        assert_eq!(local_midnight(local_date(at)), at);
        assert_eq!(
            local_midnight(local_date(before)),
            at - chrono::Duration::days(1)
        );
    }
}
