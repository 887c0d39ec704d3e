//! What an admin types or uploads to invite people: a list of addresses, or a CSV file with
//! `email,roles`. Parsing is pure; nothing here talks to Logto.

/// More than this in one submission is refused: it bounds the time one request may hold
/// (two Logto calls per row under the outgoing throttle).
pub const MAX_ROWS: usize = 500;

/// The largest CSV file accepted (500 rows of long addresses and role lists fit easily).
pub const MAX_CSV_BYTES: usize = 256 * 1024;

/// One person to invite, as requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requested {
    /// 1-based position in the input (line of the CSV file), so results point back at it.
    pub line: usize,
    pub email: String,
    /// Role names from the CSV `roles` column; `None` means "the roles chosen in the form".
    pub role_names: Option<Vec<String>>,
}

/// Addresses separated by new lines, commas, semicolons or spaces.
pub fn parse_address_list(text: &str) -> Vec<Requested> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
        .map(|(i, email)| Requested {
            line: i + 1,
            email: email.to_string(),
            role_names: None,
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvError {
    /// A quoted field opened on this line is never closed.
    UnclosedQuote(usize),
    NotUtf8,
}

/// Role names in the `roles` column: separated by `;`, `|` or spaces (a comma would start a
/// new CSV column unless the field is quoted, so commas are accepted too).
fn role_names(cell: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in cell
        .split(|c: char| c == ';' || c == '|' || c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name.to_string());
        }
    }
    names
}

/// Reads `email,roles` records (RFC 4180: a quoted field may hold commas, quotes and line
/// breaks). A first record whose first cell is not an address (`email`) is a header. Blank lines
/// are skipped; an empty `roles` cell means "the roles chosen in the form"; any further columns
/// are more role names.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<Requested>, CsvError> {
    let text = std::str::from_utf8(bytes).map_err(|_| CsvError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        // Rows may carry any number of role columns.
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut first_record = true;
    // The reader's own line count skips blank lines; rows point at lines as an editor shows them.
    let mut counted = (0, 1);
    for record in reader.records() {
        // Reading UTF-8 text from memory with flexible rows, invalid UTF-8 is the only error
        // the reader can report.
        let record = record.map_err(|_| CsvError::NotUtf8)?;
        let Some(position) = record.position() else {
            continue;
        };
        let (counted_to, counted_line) = counted;
        // The reader's position is where it stood before the line ends it skips.
        let after = &text[position.byte() as usize..];
        let start = text.len() - after.trim_start_matches(['\r', '\n']).len();
        let line = counted_line + text[counted_to..start].matches('\n').count();
        counted = (start, line);
        if record.len() == 1 && record[0].trim().is_empty() {
            continue;
        }
        let email = record[0].trim();
        if std::mem::take(&mut first_record) && is_header(email) {
            continue;
        }
        let rest: Vec<&str> = record.iter().skip(1).collect();
        let names = role_names(&rest.join(";"));
        rows.push(Requested {
            line,
            email: email.to_string(),
            role_names: (!names.is_empty()).then_some(names),
        });
    }
    // Only the last record can run into the end of the file inside a quote.
    let (last_start, last_line) = counted;
    match unclosed_quote_line(&text[last_start..], last_line) {
        Some(opened) => Err(CsvError::UnclosedQuote(opened)),
        None => Ok(rows),
    }
}

/// The line of a quote still open at the end of `record` (which starts on line `line`). The
/// csv reader takes such a quote to run to the end of the file without complaint, while here
/// it is almost always a typing mistake worth pointing at. Follows the reader's rules: a quote
/// opens a field only as its first character, and `""` inside quotes is a quote.
fn unclosed_quote_line(record: &str, mut line: usize) -> Option<usize> {
    enum State {
        FieldStart,
        Unquoted,
        Quoted { since: usize },
        QuoteInQuoted { since: usize },
    }
    let mut state = State::FieldStart;
    for c in record.chars() {
        state = match (state, c) {
            (State::Quoted { since }, '"') => State::QuoteInQuoted { since },
            (State::Quoted { since }, _) => State::Quoted { since },
            (State::QuoteInQuoted { since }, '"') => State::Quoted { since },
            (State::FieldStart, '"') => State::Quoted { since: line },
            (_, ',' | '\r' | '\n') => State::FieldStart,
            (_, _) => State::Unquoted,
        };
        if c == '\n' {
            line += 1;
        }
    }
    match state {
        State::Quoted { since } => Some(since),
        _ => None,
    }
}

fn is_header(first_cell: &str) -> bool {
    !first_cell.contains('@')
        && matches!(
            first_cell.trim().to_ascii_lowercase().as_str(),
            "email" | "e-mail" | "mail" | "address" | "invitee"
        )
}

/// An address Logto will take as an invitee (its check is zod's `.email()`): one `@`, a
/// plain local part, a domain of letter/digit labels with a top-level domain of two letters
/// or more, at most 254 characters.
pub fn is_valid_email(email: &str) -> bool {
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+-'".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    local_ok && domain_ok
}

/// Addresses are sent in lower case: Logto's "already a member" check and its one-pending-
/// invitation rule compare addresses exactly, while acceptance compares them ignoring case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(rows: &[Requested]) -> Vec<&str> {
        rows.iter().map(|r| r.email.as_str()).collect()
    }

    #[test]
    fn address_lists_take_any_separator() {
        let rows = parse_address_list("a@x.io, b@x.io\n\nc@x.io;d@x.io  e@x.io\r\n");
        assert_eq!(
            emails(&rows),
            ["a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io"]
        );
        assert_eq!(rows[4].line, 5);
        assert!(rows.iter().all(|r| r.role_names.is_none()));
        assert!(parse_address_list(" \n , ").is_empty());
    }

    #[test]
    fn csv_with_header_quotes_and_roles() {
        let csv = "\u{feff}email,roles\n\
                   a@x.io,admin\n\
                   \n\
                   \"b@x.io\",\"admin,member\"\n\
                   c@x.io,\n\
                   d@x.io,member;Member admin\n\
                   \"q\"\"uote@x.io\",member\n";
        let rows = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(
            emails(&rows),
            ["a@x.io", "b@x.io", "c@x.io", "d@x.io", "q\"uote@x.io"]
        );
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[0].role_names, Some(vec!["admin".to_string()]));
        assert_eq!(
            rows[1].role_names,
            Some(vec!["admin".to_string(), "member".to_string()])
        );
        assert_eq!(rows[2].role_names, None);
        assert_eq!(
            rows[3].role_names,
            Some(vec!["member".to_string(), "admin".to_string()])
        );
    }

    #[test]
    fn csv_without_header_and_with_errors() {
        let rows = parse_csv(b"a@x.io\nb@x.io,member,admin\n").unwrap();
        assert_eq!(emails(&rows), ["a@x.io", "b@x.io"]);
        assert_eq!(
            rows[1].role_names,
            Some(vec!["member".to_string(), "admin".to_string()])
        );
        // A non-address first cell that is not a header name is a row (reported invalid later).
        assert_eq!(emails(&parse_csv(b"hello,admin\n").unwrap()), ["hello"]);
        assert_eq!(
            parse_csv(b"email\n\"a@x.io,admin\n"),
            Err(CsvError::UnclosedQuote(2))
        );
        assert_eq!(parse_csv(&[0xff, 0xfe, b'a']), Err(CsvError::NotUtf8));
    }

    #[test]
    fn csv_quoted_field_may_hold_a_newline_and_a_comma() {
        let csv = "email,roles\n\
                   a@x.io,\"admin,\nmember\"\n\
                   b@x.io,member\n";
        let rows = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(emails(&rows), ["a@x.io", "b@x.io"]);
        assert_eq!(
            rows[0].role_names,
            Some(vec!["admin".to_string(), "member".to_string()])
        );
        // Each row points at the line it starts on.
        assert_eq!((rows[0].line, rows[1].line), (2, 4));
    }

    #[test]
    fn csv_byte_order_mark_and_crlf_line_ends() {
        let csv =
            "\u{feff}Email,Roles\r\na@x.io,admin\r\n\r\nb@x.io,\"member\r\nadmin\"\r\nc@x.io\r\n";
        let rows = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(emails(&rows), ["a@x.io", "b@x.io", "c@x.io"]);
        assert_eq!(rows[0].role_names, Some(vec!["admin".to_string()]));
        assert_eq!(
            rows[1].role_names,
            Some(vec!["member".to_string(), "admin".to_string()])
        );
        assert_eq!(rows[2].role_names, None);
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 4, 6]);
        // Without the header, the first address right after the mark is read intact.
        let rows = parse_csv("\u{feff}a@x.io\r\n".as_bytes()).unwrap();
        assert_eq!(emails(&rows), ["a@x.io"]);
    }

    #[test]
    fn csv_extra_columns_are_more_roles() {
        let csv = "email,roles\na@x.io,admin,member,,Admin\nb@x.io\n";
        let rows = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(emails(&rows), ["a@x.io", "b@x.io"]);
        assert_eq!(
            rows[0].role_names,
            Some(vec!["admin".to_string(), "member".to_string()])
        );
        assert_eq!(rows[1].role_names, None);
    }

    #[test]
    fn csv_unclosed_quote_points_at_its_line() {
        assert_eq!(
            parse_csv(b"email\na@x.io,\"admin\nb@x.io,member\n"),
            Err(CsvError::UnclosedQuote(2))
        );
        assert_eq!(
            parse_csv(b"a@x.io,\"admin\nmember\",\"x\n"),
            Err(CsvError::UnclosedQuote(2))
        );
        // A quote inside an unquoted field is an ordinary character.
        let rows = parse_csv(b"a\"b@x.io,member\n").unwrap();
        assert_eq!(emails(&rows), ["a\"b@x.io"]);
    }

    #[test]
    fn email_validation() {
        for ok in [
            "a@x.io",
            "first.last+tag@sub.example.com",
            "o'brien@x.io",
            "A_B-C@EXAMPLE.ORG",
        ] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@x.io",
            "a@x",
            "a@x.c",
            "a b@x.io",
            "a@@x.io",
            "a@x..io",
            ".a@x.io",
            "a.@x.io",
            "a..b@x.io",
            "a@-x.io",
            "a@x.i0",
            "a@x.io\n",
            "<a@x.io>",
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
        assert!(!is_valid_email(&format!("{}@x.io", "a".repeat(65))));
        assert_eq!(normalize_email(" Alice@Example.COM "), "alice@example.com");
    }
}
