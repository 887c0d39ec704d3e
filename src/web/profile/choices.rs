//! The lists people choose their language and time zone from. Logto stores any string; the
//! portal offers its own languages first, then common BCP 47 tags, and IANA time zone names.
//! A value set elsewhere that is not listed stays selectable, so saving does not lose it.

use crate::lang::Lang;

/// Common BCP 47 tags after the portal's own languages, each named in its own language.
const LANGUAGES: &[(&str, &str)] = &[
    ("en-US", "English (United States)"),
    ("en-GB", "English (United Kingdom)"),
    ("zh-CN", "中文（中国）"),
    ("zh-HK", "中文（香港）"),
    ("ja-JP", "日本語"),
    ("ko-KR", "한국어"),
    ("de-DE", "Deutsch"),
    ("fr-FR", "Français"),
    ("es-ES", "Español (España)"),
    ("es-MX", "Español (México)"),
    ("it-IT", "Italiano"),
    ("nl-NL", "Nederlands"),
    ("pt-BR", "Português (Brasil)"),
    ("pt-PT", "Português (Portugal)"),
    ("sv-SE", "Svenska"),
    ("da-DK", "Dansk"),
    ("nb-NO", "Norsk bokmål"),
    ("fi-FI", "Suomi"),
    ("pl-PL", "Polski"),
    ("cs-CZ", "Čeština"),
    ("uk-UA", "Українська"),
    ("ru-RU", "Русский"),
    ("tr-TR", "Türkçe"),
    ("ar", "العربية"),
    ("he-IL", "עברית"),
    ("hi-IN", "हिन्दी"),
    ("th-TH", "ไทย"),
    ("vi-VN", "Tiếng Việt"),
    ("id-ID", "Bahasa Indonesia"),
    ("ms-MY", "Bahasa Melayu"),
];

/// IANA time zone names people commonly pick.
pub const ZONES: &[&str] = &[
    "UTC",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Vancouver",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/Mexico_City",
    "America/New_York",
    "America/Toronto",
    "America/Bogota",
    "America/Lima",
    "America/Santiago",
    "America/Argentina/Buenos_Aires",
    "America/Sao_Paulo",
    "Atlantic/Reykjavik",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Amsterdam",
    "Europe/Berlin",
    "Europe/Zurich",
    "Europe/Rome",
    "Europe/Vienna",
    "Europe/Prague",
    "Europe/Warsaw",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Helsinki",
    "Europe/Athens",
    "Europe/Bucharest",
    "Europe/Kyiv",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Casablanca",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Jerusalem",
    "Asia/Riyadh",
    "Asia/Dubai",
    "Asia/Tehran",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Ho_Chi_Minh",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Manila",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Pacific/Auckland",
];

/// `(tag, name)` of every language offered: the portal's own, then the common tags.
pub fn languages() -> Vec<(String, String)> {
    Lang::ALL
        .iter()
        .map(|l| (l.code().to_string(), l.native_name().to_string()))
        .chain(
            LANGUAGES
                .iter()
                .map(|(tag, name)| (tag.to_string(), name.to_string())),
        )
        .collect()
}

/// The name a language is shown with, or the tag itself when it is not listed.
pub fn language_name(tag: &str) -> String {
    languages()
        .into_iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(tag))
        .map_or_else(|| tag.to_string(), |(_, name)| name)
}

/// Options for a select: "Not set", the list, and `current` when it is set but not listed.
pub fn options(
    not_set: String,
    list: Vec<(String, String)>,
    current: &str,
) -> Vec<(String, String)> {
    let listed = list.iter().any(|(v, _)| v == current);
    let mut options = vec![(String::new(), not_set)];
    options.extend(list);
    if !current.is_empty() && !listed {
        options.push((current.to_string(), current.to_string()));
    }
    options
}

/// The zones as select options, with their names as labels.
pub fn zones() -> Vec<(String, String)> {
    ZONES
        .iter()
        .map(|z| (z.to_string(), z.replace('_', " ")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portal_languages_come_first_and_unlisted_values_stay() {
        let langs = languages();
        assert_eq!(langs[0].0, "en");
        assert_eq!(langs[1].0, "zh-TW");
        assert_eq!(language_name("ja-JP"), "日本語");
        assert_eq!(language_name("tlh"), "tlh");
        let o = options("Not set".into(), zones(), "Mars/Olympus");
        assert_eq!(o[0], (String::new(), "Not set".into()));
        assert_eq!(o.last().unwrap().0, "Mars/Olympus");
        let o = options("Not set".into(), zones(), "Asia/Taipei");
        assert_eq!(o.iter().filter(|(v, _)| v == "Asia/Taipei").count(), 1);
    }
}
