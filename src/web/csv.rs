//! CSV for spreadsheets, shared by every export: RFC 4180 quoting of every cell, CRLF line
//! ends, a byte-order mark so spreadsheet programs read UTF-8 names right, and formula
//! characters neutralized.
//!
//! A spreadsheet runs a cell as a formula when it starts with `=`, `+`, `-`, `@`, tab or
//! carriage return. Where the program splits on another list separator (`;` in many locales,
//! tab on paste) or on line breaks, every part of a cell becomes a cell of its own, so each
//! part that would start with a formula character gets a `'` in front of it as well:
//! `Mia;=1+1;-2+3` is written `"Mia;'=1+1;'-2+3"`.

/// Put before the header line.
pub const BOM: &str = "\u{feff}";

const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
/// Where a spreadsheet may cut a cell into several.
const PART_SEPARATORS: [char; 5] = [';', ',', '\t', '\n', '\r'];

/// `value` with a `'` before every part that a spreadsheet would read as a formula.
fn neutralize(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    let mut at_part_start = true;
    for c in value.chars() {
        if at_part_start {
            if c == ' ' {
                // Some programs trim the spaces after a separator.
                out.push(c);
                continue;
            }
            if FORMULA_START.contains(&c) {
                out.push('\'');
            }
            at_part_start = false;
        }
        out.push(c);
        if PART_SEPARATORS.contains(&c) {
            at_part_start = true;
        }
    }
    out
}

/// One text cell: neutralized and always quoted.
pub fn cell(value: &str) -> String {
    format!("\"{}\"", neutralize(value).replace('"', "\"\""))
}

/// One line of text cells, ending in CRLF.
pub fn line<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> String {
    let mut out = cells
        .into_iter()
        .map(|c| cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

/// The header line: the portal's own column names (`[a-z_]`), left unquoted so scripts that
/// match on the header keep working.
pub fn header_line(names: &[&str]) -> String {
    debug_assert!(names
        .iter()
        .all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    let mut out = names.join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_formula_neutralizing() {
        assert_eq!(cell("plain"), "\"plain\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "\"'+1\"");
        assert_eq!(cell("-2"), "\"'-2\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("\tx"), "\"'\tx\"");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(cell("mid=dle"), "\"mid=dle\"");
        assert_eq!(cell(""), "\"\"");
        assert_eq!(line(["a", "b,c", ""]), "\"a\",\"b,c\",\"\"\r\n");
        assert_eq!(header_line(&["id", "user_name"]), "id,user_name\r\n");
    }

    #[test]
    fn formulas_behind_separators_are_neutralized() {
        assert_eq!(cell("Mia;=1+1;-2+3"), "\"Mia;'=1+1;'-2+3\"");
        assert_eq!(cell("a,+1"), "\"a,'+1\"");
        assert_eq!(cell("a\t@x"), "\"a\t'@x\"");
        assert_eq!(cell("a; =1"), "\"a; '=1\"");
        assert_eq!(cell("a\n=1"), "\"a\n'=1\"");
        assert_eq!(cell("a\r\n-1"), "\"a\r\n'-1\"");
        // `;;=` and a separator at the very end.
        assert_eq!(cell("x;;=y;"), "\"x;;'=y;\"");
        // Nothing to do where no part starts with a formula character.
        assert_eq!(cell("Mia; Tan, 1-2"), "\"Mia; Tan, 1-2\"");
        // Every part of the result, cut at any separator and trimmed, is safe.
        for payload in ["Mia;=1+1;-2+3", "=a,+b\t@c\n-d\r=e", " ;  =x"] {
            let written = neutralize(payload);
            for part in written.split(PART_SEPARATORS) {
                let t = part.trim_start_matches(' ');
                assert!(!t.starts_with(FORMULA_START), "{payload:?} → {part:?}");
            }
        }
    }
}
