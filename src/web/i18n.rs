//! Messages in English and Traditional Chinese, in Fluent (`fluent-templates`). Each page
//! family keeps its own file `locales/<lang>/<family>.ftl`; the code names a message with dots
//! (`members.found`), the file with dashes (`members-found`). Counts go through [`Tr::count`]
//! so each language applies its own plural rules. A missing key renders as the key itself and
//! a test fails when either language lacks one.

use std::{
    borrow::Cow,
    collections::HashMap,
    sync::{Arc, LazyLock, RwLock},
};

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::LanguageIdentifier;
use rustc_hash::FxHashMap;

pub use crate::lang::Lang;

fluent_templates::static_loader! {
    // Every `locales/<lang>/*.ftl` file, compiled in. Bidi isolation marks around arguments are
    // off: both languages are left-to-right and the marks would end up inside `title` and
    // `value` attributes and in test assertions.
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static LANGUAGE_IDS: LazyLock<[LanguageIdentifier; 2]> = LazyLock::new(|| {
    Lang::ALL.map(|lang| {
        lang.code()
            .parse()
            .expect("every Lang code is a language identifier")
    })
});

/// Messages without arguments, formatted once per language: a page asks for a hundred of them
/// (headings, labels, the same action on every row), and Fluent formats each from scratch.
/// The keys are the code's own, so the table stays as small as the catalog.
/// Keyed with FxHash: SipHash's defence against chosen keys is not needed for the code's own
/// keys, and hashing them was half the cost of a lookup.
/// Shared (`Arc<str>`): a template draws a label by taking a reference, not a copy.
static PLAIN_MESSAGES: LazyLock<[Texts; 2]> =
    LazyLock::new(|| Lang::ALL.map(|_| RwLock::new(FxHashMap::default())));

/// Messages with text arguments drawn on every row of a table ("Select Ann", "Actions for
/// Ann"), kept as their pieces per language and filled in. Only these: a message whose words
/// depend on an argument's value (a selector) cannot be split, and these have none in either
/// language (test `split_messages_select_nothing`).
const SPLIT_MESSAGES: &[&str] = &["members.bulk.select", "parts.actions_for"];

type Texts = RwLock<FxHashMap<String, Arc<str>>>;

type Shapes = RwLock<FxHashMap<String, std::sync::Arc<Shape>>>;

static TEXT_MESSAGES: LazyLock<[Shapes; 2]> =
    LazyLock::new(|| Lang::ALL.map(|_| RwLock::new(FxHashMap::default())));

/// Stand-ins for the arguments, from Unicode's private use area: `STAND_IN + i` is argument `i`.
const STAND_IN: u32 = 0xE000;

/// A message with text arguments, split where each argument goes.
#[derive(Debug)]
struct Shape {
    /// The argument names it was formatted with, in order.
    names: Vec<String>,
    pieces: Vec<Piece>,
}

#[derive(Debug)]
enum Piece {
    Text(String),
    Arg(usize),
}

impl Shape {
    fn read(names: Vec<String>, formatted: &str) -> Self {
        let mut pieces = Vec::new();
        let mut text = String::new();
        for c in formatted.chars() {
            let arg = (c as u32).wrapping_sub(STAND_IN) as usize;
            if arg < names.len() {
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Arg(arg));
            } else {
                text.push(c);
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Shape { names, pieces }
    }

    fn fits(&self, args: &[(&str, &dyn std::fmt::Display)]) -> bool {
        self.names.len() == args.len() && self.names.iter().zip(args).all(|(a, (b, _))| a == b)
    }

    fn fill(&self, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        use std::fmt::Write;
        // The text's own length and room for a name or two: one allocation, usually.
        let text: usize = self
            .pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.len(),
                Piece::Arg(_) => 32,
            })
            .sum();
        let mut out = String::with_capacity(text);
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Arg(i) => {
                    let _ = write!(out, "{}", args[*i].1);
                }
            }
        }
        out
    }
}

/// Fluent identifiers cannot hold dots, so `members.found` is the message `members-found`
/// (keys in the code use `_`, never `-`, inside a segment).
fn message_id(key: &str) -> String {
    key.replace('.', "-")
}

/// One argument of a message: text, or a number that plural selectors can read.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(i64),
}

/// The translator handed to every template.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Tr { lang }
    }

    fn index(&self) -> usize {
        Lang::ALL.iter().position(|l| *l == self.lang).unwrap_or(0)
    }

    fn language_id(&self) -> &'static LanguageIdentifier {
        &LANGUAGE_IDS[self.index()]
    }

    /// The message with `args`; the key itself when it is missing or cannot be formatted
    /// (tests catch both), never another language's text.
    fn format(&self, key: &str, args: Vec<(&str, Arg)>) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .into_iter()
            .map(|(name, arg)| {
                let value = match arg {
                    Arg::Text(text) => FluentValue::from(text),
                    Arg::Number(n) => FluentValue::from(n),
                };
                (Cow::Owned(name.to_owned()), value)
            })
            .collect();
        LOCALES
            .lookup_single_language(self.language_id(), &message_id(key), Some(&args))
            .unwrap_or_else(|_| key.to_string())
    }

    /// The message for `key`.
    pub fn t(&self, key: &str) -> String {
        String::from(&*self.text(key))
    }

    /// The message for `key`, shared with the table: what templates draw (a page draws about
    /// 170 labels, and copying each cost an allocation).
    pub fn text(&self, key: &str) -> Arc<str> {
        let table = &PLAIN_MESSAGES[self.index()];
        if let Some(text) = table.read().unwrap_or_else(|e| e.into_inner()).get(key) {
            return Arc::clone(text);
        }
        let text: Arc<str> = self.format(key, Vec::new()).into();
        table
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), Arc::clone(&text));
        text
    }

    /// The message with its `{ $name }` placeables filled in with text.
    pub fn f(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        if !SPLIT_MESSAGES.contains(&key) {
            return self.format(key, text_args(args));
        }
        let table = &TEXT_MESSAGES[self.index()];
        if let Some(shape) = table.read().unwrap_or_else(|e| e.into_inner()).get(key) {
            if shape.fits(args) {
                return shape.fill(args);
            }
        }
        if !self.has_with_text(key, args) {
            // Missing or unformattable: the key itself, as `format` answers, never kept.
            return self.format(key, text_args(args));
        }
        let stand_ins: Vec<(&str, Arg)> = args
            .iter()
            .zip(STAND_IN..)
            .map(|((name, _), c)| (*name, Arg::Text(char::from_u32(c).unwrap_or('?').into())))
            .collect();
        let names = args.iter().map(|(name, _)| name.to_string()).collect();
        let shape = std::sync::Arc::new(Shape::read(names, &self.format(key, stand_ins)));
        table
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), std::sync::Arc::clone(&shape));
        shape.fill(args)
    }

    /// Whether `key` formats with these arguments (a missing key or argument is an error).
    fn has_with_text(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> bool {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(name, _)| (Cow::Owned(name.to_string()), FluentValue::from("")))
            .collect();
        LOCALES
            .lookup_single_language(self.language_id(), &message_id(key), Some(&args))
            .is_ok()
    }

    /// The message for a number of things, chosen by the language's plural rules from the
    /// message's `{ $count -> [one] … *[other] … }` selector.
    pub fn count(&self, key: &str, count: i64) -> String {
        self.count_with(key, count, &[])
    }

    /// [`Tr::count`] with further text arguments.
    pub fn count_with(
        &self,
        key: &str,
        count: i64,
        args: &[(&str, &dyn std::fmt::Display)],
    ) -> String {
        let mut all = text_args(args);
        all.push(("count", Arg::Number(count)));
        self.format(key, all)
    }

    /// Whether `key` is a message of this language that needs no argument.
    pub fn has(&self, key: &str) -> bool {
        LOCALES
            .lookup_single_language::<&str>(self.language_id(), &message_id(key), None)
            .is_ok()
    }
}

fn text_args<'a>(args: &[(&'a str, &dyn std::fmt::Display)]) -> Vec<(&'a str, Arg)> {
    args.iter()
        .map(|(name, value)| (*name, Arg::Text(value.to_string())))
        .collect()
}

/// The messages of one FTL text as `(key, source)` pairs, keys dotted as the code writes them;
/// any syntax error is an error. For the tests that check that both languages have the same
/// keys and that the files parse.
pub fn catalog(ftl: &str) -> Result<Vec<(String, String)>, String> {
    let resource = fluent_syntax::parser::parse(ftl).map_err(|(_, errors)| {
        errors
            .iter()
            .map(|e| format!("{:?} at bytes {:?}", e.kind, e.pos))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let mut messages = Vec::new();
    for entry in resource.body {
        if let fluent_syntax::ast::Entry::Message(message) = entry {
            let id = message.id.name;
            let text = fluent_syntax::serializer::serialize(&fluent_syntax::ast::Resource {
                body: vec![fluent_syntax::ast::Entry::Message(message)],
            });
            let source = text
                .strip_prefix(id)
                .and_then(|rest| rest.strip_prefix(" ="))
                .unwrap_or(&text)
                .trim()
                .to_string();
            messages.push((id.replace('-', "."), source));
        }
    }
    Ok(messages)
}

/// Every message of one language under `locales_dir/<lang>/*.ftl`, key to source; a syntax
/// error or a key defined twice is an error naming the file.
pub fn load_catalog(
    locales_dir: &std::path::Path,
    lang: Lang,
) -> Result<std::collections::BTreeMap<String, String>, String> {
    let dir = locales_dir.join(lang.code());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "ftl"))
        .collect();
    files.sort();
    let mut all = std::collections::BTreeMap::new();
    for path in files {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (key, source) in catalog(&text).map_err(|e| format!("{}: {e}", path.display()))? {
            if all.insert(key.clone(), source).is_some() {
                return Err(format!("{}: {key} is defined twice", path.display()));
            }
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locales_dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales")
    }

    #[test]
    fn every_key_exists_in_both_languages() {
        let en = load_catalog(&locales_dir(), Lang::En).unwrap();
        let zh = load_catalog(&locales_dir(), Lang::ZhTw).unwrap();
        let missing_zh: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        let missing_en: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(missing_zh.is_empty(), "missing in zh-TW: {missing_zh:?}");
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
        assert!(en.len() > 500, "the catalog is read ({})", en.len());
    }

    #[test]
    fn a_fluent_syntax_error_is_reported() {
        assert!(catalog("ok = fine\nbroken = { $count ->\n [one] one\n}\n").is_err());
        assert!(catalog("no-value =\n").is_err());
        let parsed = catalog("members-found = { $count ->\n [one] one\n *[other] many\n}\n");
        assert_eq!(parsed.unwrap()[0].0, "members.found");
    }

    #[test]
    fn plain_messages_are_formatted_once_per_language() {
        let en = Tr::new(Lang::En);
        let zh = Tr::new(Lang::ZhTw);
        for _ in 0..2 {
            assert_eq!(en.t("members.export"), "Export CSV");
            assert_ne!(zh.t("members.export"), en.t("members.export"));
            let missing = ["no", "such", "key"].join(".");
            assert_eq!(en.t(&missing), missing);
        }
        let formatted = PLAIN_MESSAGES[en.index()].read().unwrap();
        assert_eq!(
            formatted.get("members.export").map(|t| &**t),
            Some("Export CSV")
        );
    }

    #[test]
    fn messages_with_text_are_split_once_and_filled_each_time() {
        let en = Tr::new(Lang::En);
        let zh = Tr::new(Lang::ZhTw);
        for name in ["Ann", "Bob <b>", "", "{ $name }"] {
            assert_eq!(
                en.f("members.bulk.select", &[("name", &name)]),
                en.format("members.bulk.select", text_args(&[("name", &name)])),
            );
            assert_eq!(
                zh.f("members.bulk.select", &[("name", &name)]),
                zh.format("members.bulk.select", text_args(&[("name", &name)])),
            );
        }
        assert_eq!(
            en.f("members.bulk.select", &[("name", &"Ann")]),
            "Select Ann"
        );
        assert!(TEXT_MESSAGES[en.index()]
            .read()
            .unwrap()
            .contains_key("members.bulk.select"));
        // Called with other arguments than it was split with: formatted as Fluent does.
        assert_eq!(
            en.f("members.bulk.select", &[("other", &"Ann")]),
            en.format("members.bulk.select", text_args(&[("other", &"Ann")])),
        );
        let missing = ["no", "such", "key"].join(".");
        assert_eq!(en.f(&missing, &[("name", &"Ann")]), missing);
        assert!(!TEXT_MESSAGES[en.index()]
            .read()
            .unwrap()
            .contains_key(&missing));
    }

    /// What `Tr::f` relies on to keep a message's pieces: it has no selector.
    #[test]
    fn split_messages_select_nothing() {
        use fluent_syntax::ast::{Expression, PatternElement};
        for lang in Lang::ALL {
            let mut found = std::collections::BTreeSet::new();
            for entry in std::fs::read_dir(locales_dir().join(lang.code())).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                let resource = fluent_syntax::parser::parse(text.as_str()).unwrap();
                for entry in &resource.body {
                    let fluent_syntax::ast::Entry::Message(m) = entry else {
                        continue;
                    };
                    let key = m.id.name.replace('-', ".");
                    if !SPLIT_MESSAGES.contains(&key.as_str()) {
                        continue;
                    }
                    let elements = &m.value.as_ref().expect("a value").elements;
                    let selects = elements.iter().any(|e| {
                        matches!(
                            e,
                            PatternElement::Placeable {
                                expression: Expression::Select { .. }
                            }
                        )
                    });
                    assert!(!selects, "{key} ({}) selects on an argument", lang.code());
                    assert!(m.attributes.is_empty(), "{key} has attributes");
                    found.insert(key);
                }
            }
            assert_eq!(found.len(), SPLIT_MESSAGES.len(), "{found:?}");
        }
    }

    #[test]
    fn a_message_outside_the_split_ones_is_formatted_each_time() {
        let en = Tr::new(Lang::En);
        let text = en.f("users.delete.type_word", &[("word", &"DELETE")]);
        assert!(text.contains("DELETE"), "{text}");
        assert!(!TEXT_MESSAGES[en.index()]
            .read()
            .unwrap()
            .contains_key("users.delete.type_word"));
    }

    #[test]
    fn plurals_follow_each_language() {
        let en = Tr::new(Lang::En);
        assert_eq!(en.count("members.found", 1), "1 member found.");
        assert_eq!(en.count("members.found", 0), "0 members found.");
        assert_eq!(en.count("members.found", 2), "2 members found.");
        let zh = Tr::new(Lang::ZhTw);
        assert_eq!(zh.count("members.found", 1), "找到 1 位成員。");
        assert_eq!(zh.count("members.found", 5), "找到 5 位成員。");
        assert_eq!(
            en.count_with("invitations.form.too_many", 1, &[("max", &500)]),
            "At most 500 people can be invited at once; this list has 1. Split it into smaller lists."
        );
    }

    #[test]
    fn accept_language_and_cookie() {
        let mut h = axum::http::HeaderMap::new();
        assert_eq!(Lang::from_headers(&h), Lang::En);
        h.insert(
            "accept-language",
            "fr-FR, zh-TW;q=0.8, en;q=0.5".parse().unwrap(),
        );
        assert_eq!(Lang::from_headers(&h), Lang::ZhTw);
        h.insert("cookie", "a=b; lang=en".parse().unwrap());
        assert_eq!(Lang::from_headers(&h), Lang::En);
    }

    #[test]
    fn placeholders_fill() {
        let t = Tr::new(Lang::En);
        let missing = "no.such.key";
        assert_eq!(t.t(missing), missing);
        assert!(t.has("app.name"));
        assert!(!t.has(missing));
        assert_eq!(
            t.f("nav.signed_in_as", &[("name", &"Ada <a@b.io>")]),
            "Signed in as Ada <a@b.io>"
        );
        // A message that needs an argument it was not given shows its key, never half a text.
        assert_eq!(t.t("nav.signed_in_as"), "nav.signed_in_as");
    }
}
