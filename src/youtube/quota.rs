//! The daily quota resets at midnight Pacific time; this computes when that is in UTC, and which
//! Pacific day an instant belongs to (the quota ledger's day). US daylight-saving rules (since 2007): PDT
//! from the second Sunday of March, 02:00 local, to the first Sunday of November, 02:00 local.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

/// The quota day of `now`: the date in Pacific time (the quota resets at its midnight).
pub fn pacific_day(now: DateTime<Utc>) -> NaiveDate {
    let offset = if pdt_at(now) { 7 } else { 8 };
    (now - Duration::hours(offset)).date_naive()
}

/// The next midnight Pacific time after `now`, in UTC.
pub fn next_reset(now: DateTime<Utc>) -> DateTime<Utc> {
    let next = pacific_day(now)
        .succ_opt()
        .expect("dates far from the end of time");
    let offset = if pdt_at_local_midnight(next) { 7 } else { 8 };
    Utc.from_utc_datetime(&next.and_hms_opt(0, 0, 0).expect("midnight exists"))
        + Duration::hours(offset)
}

fn nth_sunday(year: i32, month: u32, n: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, n as u8)
        .expect("every month has a 2nd Sunday")
}

/// Whether Pacific time is on PDT at this instant.
fn pdt_at(t: DateTime<Utc>) -> bool {
    let year = t.year();
    // 02:00 PST = 10:00 UTC; 02:00 PDT = 09:00 UTC.
    let start = Utc.from_utc_datetime(&nth_sunday(year, 3, 2).and_hms_opt(10, 0, 0).unwrap());
    let end = Utc.from_utc_datetime(&nth_sunday(year, 11, 1).and_hms_opt(9, 0, 0).unwrap());
    t >= start && t < end
}

/// Whether local midnight starting `date` is on PDT (the switches happen at 02:00, after it).
fn pdt_at_local_midnight(date: NaiveDate) -> bool {
    let year = date.year();
    date > nth_sunday(year, 3, 2) && date <= nth_sunday(year, 11, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn resets_at_pacific_midnight() {
        // Winter (PST, UTC-8).
        assert_eq!(
            next_reset(utc("2026-11-22T10:00:00Z")),
            utc("2026-11-23T08:00:00Z")
        );
        assert_eq!(
            next_reset(utc("2026-11-22T07:59:00Z")),
            utc("2026-11-22T08:00:00Z")
        );
        // Summer (PDT, UTC-7).
        assert_eq!(
            next_reset(utc("2026-07-01T12:00:00Z")),
            utc("2026-07-02T07:00:00Z")
        );
        // The night DST ends (Sunday 2026-11-01): midnight that starts it is still PDT.
        assert_eq!(
            next_reset(utc("2026-10-31T20:00:00Z")),
            utc("2026-11-01T07:00:00Z")
        );
        assert_eq!(
            next_reset(utc("2026-11-01T12:00:00Z")),
            utc("2026-11-02T08:00:00Z")
        );
        // The night DST starts (Sunday 2026-03-08): that midnight is still PST.
        assert_eq!(
            next_reset(utc("2026-03-07T20:00:00Z")),
            utc("2026-03-08T08:00:00Z")
        );
        assert_eq!(
            next_reset(utc("2026-03-08T20:00:00Z")),
            utc("2026-03-09T07:00:00Z")
        );
    }

    #[test]
    fn the_quota_day_is_the_pacific_date() {
        let day = |s: &str| pacific_day(utc(s)).to_string();
        // 07:59 UTC in winter is 23:59 PST the day before; 08:00 is the new day.
        assert_eq!(day("2026-11-22T07:59:00Z"), "2026-11-21");
        assert_eq!(day("2026-11-22T08:00:00Z"), "2026-11-22");
        // Summer: the day starts at 07:00 UTC.
        assert_eq!(day("2026-07-01T06:59:00Z"), "2026-06-30");
        assert_eq!(day("2026-07-01T07:00:00Z"), "2026-07-01");
        // Every day's reset is the start of the next quota day.
        for t in [
            "2026-03-08T09:30:00Z",
            "2026-11-01T08:30:00Z",
            "2026-12-31T23:00:00Z",
        ] {
            let reset = next_reset(utc(t));
            assert_eq!(
                pacific_day(reset),
                pacific_day(utc(t)).succ_opt().unwrap(),
                "{t}"
            );
            assert_eq!(
                pacific_day(reset - Duration::seconds(1)),
                pacific_day(utc(t)),
                "{t}"
            );
        }
    }
}
