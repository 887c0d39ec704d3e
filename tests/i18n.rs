//! Every message key used by a template or handler exists in English and Traditional Chinese,
//! and both languages have the same keys.

use std::path::Path;

use std::collections::BTreeMap;

use logto_portal::web::i18n::{load_catalog, Lang};

fn catalogs() -> BTreeMap<&'static str, BTreeMap<String, String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    Lang::ALL
        .into_iter()
        .map(|lang| (lang.code(), load_catalog(&dir, lang).unwrap()))
        .collect()
}

fn walk(dir: &Path, exts: &[&str], out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, exts, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            out.push(path);
        }
    }
}

/// Keys written literally as `.t("…")`, `.f("…"`, `.count("…"` or `.count_with("…"` (the key
/// may start on the next line) in templates and Rust sources.
fn used_keys() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("templates"), &["html"], &mut files);
    walk(&root.join("src"), &["rs"], &mut files);
    let pattern = regex_lite_keys();
    let mut keys = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for key in pattern(&text) {
            keys.push((key, file.display().to_string()));
        }
    }
    keys
}

/// A tiny scanner for the translator's calls (no regex dependency needed).
fn regex_lite_keys() -> impl Fn(&str) -> Vec<String> {
    |text: &str| {
        let mut found = Vec::new();
        for marker in [".t(", ".f(", ".count(", ".count_with("] {
            let mut rest = text;
            while let Some(i) = rest.find(marker) {
                rest = rest[i + marker.len()..].trim_start();
                let Some(after_quote) = rest.strip_prefix('"') else {
                    continue;
                };
                rest = after_quote;
                if let Some(end) = rest.find('"') {
                    let key = &rest[..end];
                    let looks_like_key = key.contains('.')
                        && key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-');
                    if looks_like_key {
                        found.push(key.to_string());
                    }
                }
            }
        }
        found
    }
}

#[test]
fn both_languages_have_the_same_keys() {
    let catalogs = catalogs();
    let (en, zh) = (&catalogs["en"], &catalogs["zh-TW"]);
    let mut missing: Vec<String> = en
        .keys()
        .filter(|k| !zh.contains_key(*k))
        .map(|k| format!("zh-TW lacks {k}"))
        .chain(
            zh.keys()
                .filter(|k| !en.contains_key(*k))
                .map(|k| format!("en lacks {k}")),
        )
        .collect();
    missing.sort();
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn every_key_used_in_code_exists_in_both_languages() {
    let keys = used_keys();
    assert!(
        keys.len() > 50,
        "the scanner finds the keys ({})",
        keys.len()
    );
    let catalogs = catalogs();
    let mut missing = Vec::new();
    for (key, file) in keys {
        for lang in ["en", "zh-TW"] {
            if !catalogs[lang].contains_key(&key) {
                missing.push(format!("{lang}: {key} (used in {file})"));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "missing message keys:\n{}",
        missing.join("\n")
    );
}

#[test]
fn chinese_messages_are_translated() {
    // A zh-TW message equal to the English one (beyond names and symbols) is an untranslated copy.
    let catalogs = catalogs();
    let (en, zh) = (&catalogs["en"], &catalogs["zh-TW"]);
    let copies: Vec<&String> = en
        .iter()
        .filter(|(k, v)| {
            zh.get(*k) == Some(v) && v.chars().filter(|c| c.is_alphabetic()).count() > 3
        })
        .map(|(k, _)| k)
        .collect();
    assert!(copies.is_empty(), "untranslated zh-TW messages: {copies:?}");
}

#[test]
fn every_message_file_parses() {
    // `load_catalog` fails on any Fluent syntax error; the loader the pages use would panic.
    let catalogs = catalogs();
    assert!(catalogs.values().all(|c| c.len() > 500));
}

#[test]
fn counted_messages_select_plurals_in_both_languages() {
    let catalogs = catalogs();
    let counted: Vec<&String> = catalogs["en"]
        .iter()
        .filter(|(_, source)| source.contains("$count ->"))
        .map(|(key, _)| key)
        .collect();
    assert!(counted.len() >= 10, "{counted:?}");
    for key in counted {
        let zh = &catalogs["zh-TW"][key];
        assert!(
            zh.contains("*[other]"),
            "zh-TW {key} needs the other variant: {zh}"
        );
        assert!(
            catalogs["en"][key].contains("[one]"),
            "en {key} needs a one variant"
        );
    }
}
