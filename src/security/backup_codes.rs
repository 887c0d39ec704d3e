//! Backup codes in Logto's format: ten codes of ten lower-case hexadecimal digits
//! (`backup-code-validation.ts`), each good for one sign-in, and their text file for download.

use rand::Rng;

use crate::logto::Secret;

/// How many codes Logto takes, no more and no fewer.
pub const COUNT: usize = 10;
/// Characters per code.
pub const LENGTH: usize = 10;

/// A new set of codes (from the operating system's random source).
pub fn generate() -> Vec<Secret> {
    const HEX: &[u8] = b"0123456789abcdef";
    let mut rng = rand::rngs::OsRng;
    (0..COUNT)
        .map(|_| {
            let code: String = (0..LENGTH)
                .map(|_| HEX[rng.gen_range(0..HEX.len())] as char)
                .collect();
            Secret::new(code)
        })
        .collect()
}

/// Whether `codes` is a set Logto accepts.
pub fn is_valid_set(codes: &[Secret]) -> bool {
    codes.len() == COUNT
        && codes.iter().all(|c| {
            let c = c.expose();
            c.len() == LENGTH && c.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// The download: the caller's lines (already in the person's language: whose codes, when,
/// that each works once), a blank line, then one code per line. CRLF line ends, so every
/// editor shows it right.
pub fn download_text(intro: &[&str], codes: &[Secret]) -> String {
    let mut out = String::new();
    for line in intro {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    for code in codes {
        out.push_str(code.expose());
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_hex_codes_of_ten_digits_all_different() {
        let codes = generate();
        assert_eq!(codes.len(), COUNT);
        assert!(is_valid_set(&codes));
        for c in &codes {
            assert!(c
                .expose()
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        }
        let distinct: std::collections::BTreeSet<&str> = codes.iter().map(Secret::expose).collect();
        assert_eq!(
            distinct.len(),
            COUNT,
            "40 bits each: a repeat means a broken generator"
        );
        assert_ne!(generate(), codes);
        assert!(!is_valid_set(&codes[1..]));
        let mut bad = codes.clone();
        bad[0] = Secret::new("zzzzzzzzzz");
        assert!(!is_valid_set(&bad));
    }

    #[test]
    fn download_lists_the_intro_then_one_code_per_line() {
        let codes = vec![Secret::new("0123456789"), Secret::new("abcdefabcd")];
        assert_eq!(
            download_text(&["Backup codes for ada", "Each works once."], &codes),
            "Backup codes for ada\r\nEach works once.\r\n\r\n0123456789\r\nabcdefabcd\r\n"
        );
    }
}
