//! Dates and times as people read them: absolute (UTC) and relative ("in 3 days"), and waits.

use std::time::Duration;

use crate::web::i18n::Tr;

/// "30 seconds" / "2 minutes", for waits (whole seconds, rounded up).
pub fn wait(t: &Tr, secs: u64) -> String {
    if secs < 90 {
        t.count("common.wait_seconds", secs.max(1) as i64)
    } else {
        t.count("common.wait_minutes", secs.div_ceil(60) as i64)
    }
}

/// "Too many attempts. Try again in 2 minutes." for an attempt limit's refusal.
pub fn too_many_attempts(t: &Tr, retry_after: Duration) -> String {
    let secs = retry_after.as_millis().div_ceil(1000) as u64;
    t.f("common.too_many_attempts", &[("wait", &wait(t, secs))])
}

/// A point in time as every page writes it: the relative text in the page's language inside
/// `<time datetime="{iso}" title="{exact}">` (templates/components/moment.html), so the exact
/// UTC time shows on hover and machines read the ISO form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    /// `2026-11-25 09:05 UTC`.
    pub exact: String,
    /// `2026-11-25T09:05:03Z`.
    pub iso: String,
    /// `3 days ago`, `in 2 hours`, `just now`.
    pub relative: String,
}

impl Moment {
    /// `at_ms` as read at `now_ms` (the state's clock, so tests can move it).
    pub fn new(t: &Tr, at_ms: i64, now_ms: i64) -> Moment {
        Moment {
            exact: datetime(at_ms),
            iso: iso(at_ms),
            relative: relative(t, at_ms, now_ms),
        }
    }
}

/// What a page needs to write its times: its language and the one "now" of the request.
#[derive(Debug, Clone, Copy)]
pub struct Dates {
    pub t: Tr,
    pub now_ms: i64,
}

impl Dates {
    pub fn new(t: Tr, now_ms: i64) -> Dates {
        Dates { t, now_ms }
    }

    pub fn moment(&self, at_ms: i64) -> Moment {
        Moment::new(&self.t, at_ms, self.now_ms)
    }
}

/// Epoch milliseconds written with `fmt` in UTC; empty for a time out of range.
pub(crate) fn format_utc(
    ms: i64,
    fmt: &[time::format_description::BorrowedFormatItem<'_>],
) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(fmt).ok())
        .unwrap_or_default()
}

/// `2026-11-25 09:05 UTC` from epoch milliseconds.
pub fn datetime(ms: i64) -> String {
    format_utc(
        ms,
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC"),
    )
}

/// RFC 3339 in UTC, seconds precision, for `<time datetime>` and exports.
pub fn iso(ms: i64) -> String {
    format_utc(
        ms,
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"),
    )
}

/// "just now", "5 minutes ago", "in 3 days", in the page's language with its plural rules.
/// Rounded to the nearest unit, not truncated: an invitation made a second ago for 7 days
/// reads "in 7 days", not "in 6 days". Under 45 seconds is "just now"; minutes up to 45,
/// hours up to 22, then days.
pub fn relative(t: &Tr, at_ms: i64, now_ms: i64) -> String {
    let diff_secs = (at_ms - now_ms) / 1000;
    let secs = diff_secs.unsigned_abs();
    if secs < 45 {
        return t.t("time.just_now");
    }
    let rounded = |unit: u64| ((secs + unit / 2) / unit).max(1);
    let (count, unit) = if secs < 45 * 60 {
        (rounded(60), "minutes")
    } else if secs < 22 * 3600 {
        (rounded(3600), "hours")
    } else {
        (rounded(86_400), "days")
    };
    let key = if diff_secs > 0 {
        format!("time.in_{unit}")
    } else {
        format!("time.{unit}_ago")
    };
    t.count(&key, count as i64)
}

/// Parses `YYYY-MM-DD` (from a date input) to epoch ms at the start (or end) of that UTC day.
pub fn parse_date(s: &str, end_of_day: bool) -> Option<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s.trim(), &fmt).ok()?;
    let t = if end_of_day {
        d.with_hms_milli(23, 59, 59, 999).ok()?
    } else {
        d.midnight()
    };
    Some((t.assume_utc().unix_timestamp_nanos() / 1_000_000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;

    #[test]
    fn dates_are_written_one_way() {
        assert_eq!(datetime(1_795_574_763_464), "2026-11-25 02:46 UTC");
        assert_eq!(iso(1_795_574_763_464), "2026-11-25T02:46:03Z");
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(datetime(0), "1970-01-01 00:00 UTC");
        let m = Moment::new(&Tr::new(Lang::En), 0, 3 * DAY);
        assert_eq!(
            (m.exact.as_str(), m.iso.as_str(), m.relative.as_str()),
            ("1970-01-01 00:00 UTC", "1970-01-01T00:00:00Z", "3 days ago")
        );
        assert_eq!(
            Dates::new(Tr::new(Lang::En), 0).moment(0).relative,
            "just now"
        );
        assert_eq!(parse_date("1970-01-02", false), Some(86_400_000));
        assert_eq!(parse_date("1970-01-01", true), Some(86_399_999));
        assert_eq!(parse_date("nope", false), None);
    }

    #[test]
    fn relative_time_boundaries_in_english() {
        let t = Tr::new(Lang::En);
        let now = 100 * DAY;
        let ago = |ms: i64| relative(&t, now - ms, now);
        assert_eq!(ago(0), "just now");
        assert_eq!(ago(44_999), "just now");
        assert_eq!(ago(45_000), "1 minute ago");
        assert_eq!(ago(89_999), "1 minute ago");
        assert_eq!(ago(90_000), "2 minutes ago");
        assert_eq!(ago(44 * MINUTE + 59_000), "45 minutes ago");
        assert_eq!(ago(45 * MINUTE), "1 hour ago");
        assert_eq!(ago(21 * HOUR), "21 hours ago");
        assert_eq!(ago(22 * HOUR), "1 day ago");
        assert_eq!(ago(DAY + HOUR), "1 day ago");
        assert_eq!(ago(2 * DAY - HOUR), "2 days ago");
        assert_eq!(ago(3 * DAY), "3 days ago");
        assert_eq!(relative(&t, now + 7 * DAY - 5_000, now), "in 7 days");
        assert_eq!(relative(&t, now + 2 * HOUR, now), "in 2 hours");
        assert_eq!(relative(&t, now + MINUTE, now), "in 1 minute");
        assert_eq!(relative(&t, now + 10_000, now), "just now");
    }

    #[test]
    fn relative_time_in_chinese_has_one_form() {
        let t = Tr::new(Lang::ZhTw);
        let now = 100 * DAY;
        assert_eq!(relative(&t, now + 3 * DAY, now), "3 天後");
        assert_eq!(relative(&t, now + DAY, now), "1 天後");
        assert_eq!(relative(&t, now - MINUTE, now), "1 分鐘前");
        assert_eq!(relative(&t, now - 5 * HOUR, now), "5 小時前");
        assert_eq!(relative(&t, now, now), "剛剛");
    }

    #[test]
    fn waits_use_plurals() {
        let t = Tr::new(Lang::En);
        assert_eq!(wait(&t, 1), "1 second");
        assert_eq!(wait(&t, 0), "1 second");
        assert_eq!(wait(&t, 30), "30 seconds");
        assert_eq!(wait(&t, 120), "2 minutes");
        assert_eq!(
            too_many_attempts(&t, Duration::from_secs(900)),
            "Too many attempts. Try again in 15 minutes."
        );
        assert_eq!(wait(&Tr::new(Lang::ZhTw), 1), "1 秒");
    }

    #[test]
    fn relative_times_round_to_the_nearest_unit() {
        let t = Tr::new(Lang::En);
        let now = 100 * DAY;
        // A 7-day invitation seen a few seconds after creation still reads "in 7 days".
        assert_eq!(relative(&t, now + 7 * DAY - 5_000, now), "in 7 days");
        assert_eq!(relative(&t, now - 2 * DAY + 3_600_000, now), "2 days ago");
        assert_eq!(relative(&t, now - DAY - 3_600_000, now), "1 day ago");
        assert_eq!(relative(&t, now - 21 * 3_600_000, now), "21 hours ago");
        assert_eq!(relative(&t, now - 3 * 3_600_000, now), "3 hours ago");
        assert_eq!(relative(&t, now + 60_000, now), "in 1 minute");
        assert_eq!(relative(&t, now - 10_000, now), "just now");
        let zh = Tr::new(Lang::ZhTw);
        assert_eq!(relative(&zh, now + 3 * DAY, now), "3 天後");
    }
}
