//! The HTML escaper of every template (`askama.toml`): askama's own, with a fast path. Most
//! values a page writes (ids, names, addresses, links) hold none of the five characters HTML
//! escaping changes. They are checked 16 bytes at a time and written whole, where askama's
//! escaper looks at each byte in turn: it was 9 % of a member page's instructions, this is
//! 7.5 % (callgrind; most values are shorter than 16 bytes, and their last bytes are still
//! looked at one by one). The output is byte for byte askama's: from the first byte that needs
//! escaping, askama's escaper writes the rest.

use std::fmt;

use askama::filters::Escaper;

/// Named in `askama.toml` for `.html` templates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

/// `"`, `&`, `'`, `<` or `>`, as three comparisons the compiler makes on 16 bytes at once (`&`
/// and `'` differ in the last bit only, `<` and `>` in the second). Written as `matches!`, it
/// became a bit test per byte.
#[inline(always)]
const fn needs_escaping(byte: u8) -> bool {
    (byte == b'"') | ((byte | 1) == b'\'') | ((byte | 2) == b'>')
}

/// The index of the first byte that needs escaping, or `bytes.len()` when none does.
fn clean_prefix(bytes: &[u8]) -> usize {
    let mut checked = 0;
    for chunk in bytes.chunks_exact(16) {
        let chunk: &[u8; 16] = chunk.try_into().unwrap_or(&[0; 16]);
        // No early exit inside a chunk: the compiler compares all 16 bytes at once.
        if chunk.iter().fold(false, |hit, &b| hit | needs_escaping(b)) {
            break;
        }
        checked += 16;
    }
    checked
        + bytes[checked..]
            .iter()
            .position(|&b| needs_escaping(b))
            .unwrap_or(bytes.len() - checked)
}

impl Escaper for Html {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, text: &str) -> fmt::Result {
        let clean = clean_prefix(text.as_bytes());
        if clean == text.len() {
            return dest.write_str(text);
        }
        // The byte at `clean` is ASCII, so both halves are whole characters.
        if clean > 0 {
            dest.write_str(&text[..clean])?;
        }
        askama::filters::Html.write_escaped_str(dest, &text[clean..])
    }

    fn write_escaped_char<W: fmt::Write>(&self, dest: W, c: char) -> fmt::Result {
        askama::filters::Html.write_escaped_char(dest, c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(text: &str) -> String {
        let mut out = String::new();
        Html.write_escaped_str(&mut out, text).unwrap();
        out
    }

    fn askamas(text: &str) -> String {
        let mut out = String::new();
        askama::filters::Html
            .write_escaped_str(&mut out, text)
            .unwrap();
        out
    }

    #[test]
    fn writes_what_askama_writes_wherever_the_special_characters_stand() {
        let pieces = [
            "", "a", "<", ">", "&", "\"", "'", "é", "中文", "😀", "&amp;", "x\u{0}y", "/",
        ];
        // Every special character at every offset of strings of 0 to 40 bytes, around
        // multi-byte characters, so each chunk boundary is crossed.
        for len in 0..40 {
            for (i, special) in ["<", ">", "&", "\"", "'"].iter().enumerate() {
                for at in 0..=len {
                    let mut text: String = "abcdefghijklmnopqrstuvwxyz0123456789ABCD"[..len].into();
                    text.insert_str(at, special);
                    if i % 2 == 0 {
                        text.push('é');
                    }
                    assert_eq!(ours(&text), askamas(&text), "{text:?}");
                }
            }
        }
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}0123456789abcdef{c}{a}");
                    assert_eq!(ours(&text), askamas(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn exactly_the_five_characters_need_escaping() {
        for byte in 0..=u8::MAX {
            assert_eq!(
                needs_escaping(byte),
                matches!(byte, b'"' | b'&' | b'\'' | b'<' | b'>'),
                "{byte:#x}"
            );
        }
    }

    #[test]
    fn clean_text_is_written_as_it_is_and_markup_is_escaped() {
        let id = "/orgs/8s1pz7321xnk/members/2h3gcc4nko01/roles";
        assert_eq!(ours(id), id);
        assert_eq!(
            ours("<script>alert('x')</script> & \"more\""),
            "&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; &#34;more&#34;"
        );
    }

    #[test]
    fn templates_escape_with_it() {
        #[derive(askama::Template)]
        #[template(source = "<p title=\"{{ t }}\">{{ t }} {{ n }}</p>", ext = "html")]
        struct Probe<'a> {
            t: &'a str,
            n: u32,
        }
        use askama::Template;
        assert_eq!(
            Probe {
                t: "a<b>\"c\"",
                n: 7
            }
            .render()
            .unwrap(),
            "<p title=\"a&#60;b&#62;&#34;c&#34;\">a&#60;b&#62;&#34;c&#34; 7</p>"
        );
    }
}
