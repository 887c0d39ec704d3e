//! Dates and times as people read them: absolute (UTC) and relative ("in 3 days"), and waits.

use std::time::Duration;

use crate::web::i18n::Tr;

/// "30 seconds" / "2 minutes", for waits (whole seconds, rounded up).
pub fn wait(t: &Tr, secs: u64) -> String {
    if secs < 90 {
        t.f("common.wait_seconds", &[("n", &secs.max(1))])
    } else {
        t.f("common.wait_minutes", &[("n", &secs.div_ceil(60))])
    }
}

/// "Too many attempts. Try again in 2 minutes." for an attempt limit's refusal.
pub fn too_many_attempts(t: &Tr, retry_after: Duration) -> String {
    let secs = retry_after.as_millis().div_ceil(1000) as u64;
    t.f("common.too_many_attempts", &[("wait", &wait(t, secs))])
}

/// `2026-11-25 09:05 UTC` from epoch milliseconds.
pub fn datetime(ms: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
        Err(_) => String::new(),
    }
}

/// ISO 8601 for `<time datetime>`.
pub fn iso(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// "3 days ago" / "in 2 hours", relative to `now_ms`.
pub fn relative(t: &Tr, ms: i64, now_ms: i64) -> String {
    let diff = ms - now_ms;
    let secs = diff.unsigned_abs() / 1000;
    let (n, unit) = if secs < 60 {
        return t.t("time.just_now");
    } else if secs < 3600 {
        (secs / 60, "minutes")
    } else if secs < 86_400 {
        (secs / 3600, "hours")
    } else {
        (secs / 86_400, "days")
    };
    let key = if diff < 0 {
        format!("time.{unit}_ago")
    } else {
        format!("time.in_{unit}")
    };
    t.f(&key, &[("n", &n)])
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

    #[test]
    fn formats() {
        assert_eq!(datetime(1_795_574_763_464), "2026-11-25 02:46 UTC");
        assert!(iso(0).starts_with("1970-01-01T00:00:00"));
        let t = Tr::new(Lang::En);
        assert_eq!(relative(&t, 0, 3 * 86_400_000), "3 days ago");
        assert_eq!(relative(&t, 7_200_000, 0), "in 2 hours");
        assert_eq!(relative(&t, 10_000, 0), "just now");
        assert_eq!(parse_date("1970-01-02", false), Some(86_400_000));
        assert_eq!(parse_date("1970-01-01", true), Some(86_399_999));
        assert_eq!(parse_date("nope", false), None);
    }
}
