//! Snapshots of rendered pages (insta), so a change of markup is reviewed on purpose.
//! Only the page's `<main>` is kept, and what differs between runs is replaced by a
//! placeholder: ids the fake Logto makes up, CSRF tokens, request ids, dates and times.

use std::sync::LazyLock;

use regex::Regex;

static REPLACEMENTS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        // CSRF tokens in hidden fields and in hx-headers.
        (
            r#"name="(_?)csrf" value="[^"]*""#,
            r#"name="${1}csrf" value="[csrf]""#,
        ),
        // The loopback ports tests listen on.
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r#""X-CSRF-Token":"[^"]*""#, r#""X-CSRF-Token":"[csrf]""#),
        // Request ids (UUIDs) and other UUIDs.
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[uuid]",
        ),
        // The fake Logto's ids: 12 to 21 lowercase letters and digits with at least one
        // digit and one letter (real words are left alone).
        (
            r"\b(?P<id>(?:[a-z]+[0-9]+|[0-9]+[a-z]+)[a-z0-9]*)\b",
            "[id]",
        ),
        // About one id in fifty has no digit: where ids stand (a value, a path segment, an
        // element id's suffix, a fragment, a whole element's text, after a kind such as
        // `org:`), letters alone count too.
        (
            r#"(?P<lead>value="|/|-|#|>|:)(?P<id>[a-z]{12,21})(?P<tail>["/?#&<])"#,
            "[id]",
        ),
        // Avatar versions.
        (r"\?v=[0-9a-f]{16}", "?v=[hash]"),
        // Dates and times, in the forms the portal writes.
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?( UTC)?",
            "[time]",
        ),
        (r"\d{4}-\d{2}-\d{2}", "[date]"),
    ]
    .into_iter()
    .map(|(re, to)| (Regex::new(re).unwrap(), to))
    .collect()
});

/// The `<main>` element of `html`, with run-specific values replaced.
pub fn main_markup(html: &str) -> String {
    let start = html.find("<main").unwrap_or(0);
    let end = html
        .rfind("</main>")
        .map(|i| i + "</main>".len())
        .unwrap_or(html.len());
    normalize(&html[start..end])
}

/// An htmx fragment with run-specific values replaced.
pub fn normalize(markup: &str) -> String {
    let mut out = markup.to_string();
    for (re, to) in REPLACEMENTS.iter() {
        // Ids: only tokens of 12 or more characters (shorter ones are ordinary words).
        if *to == "[id]" {
            out = re
                .replace_all(&out, |c: &regex::Captures| {
                    let lead = c.name("lead").map_or("", |m| m.as_str());
                    let id = &c["id"];
                    let tail = c.name("tail").map_or("", |m| m.as_str());
                    if id.len() >= 12 {
                        format!("{lead}[id]{tail}")
                    } else {
                        c[0].to_string()
                    }
                })
                .into_owned();
        } else {
            out = re.replace_all(&out, *to).into_owned();
        }
    }
    out.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
