//! Messages in English and Traditional Chinese. Each page family keeps its own file under
//! `locales/<lang>/<family>.toml` (flat or nested tables; nested keys join with `.`).
//! A missing key renders as the key itself and a test fails when either language lacks one.

use std::{collections::HashMap, sync::LazyLock};

pub use crate::lang::Lang;

/// Every message file, compiled in.
pub const FILES: &[(&str, &str, &str)] = &[
    ("en", "common", include_str!("../../locales/en/common.toml")),
    (
        "zh-TW",
        "common",
        include_str!("../../locales/zh-TW/common.toml"),
    ),
    (
        "en",
        "profile",
        include_str!("../../locales/en/profile.toml"),
    ),
    (
        "zh-TW",
        "profile",
        include_str!("../../locales/zh-TW/profile.toml"),
    ),
    (
        "en",
        "invitations",
        include_str!("../../locales/en/invitations.toml"),
    ),
    (
        "zh-TW",
        "invitations",
        include_str!("../../locales/zh-TW/invitations.toml"),
    ),
    ("en", "users", include_str!("../../locales/en/users.toml")),
    (
        "zh-TW",
        "users",
        include_str!("../../locales/zh-TW/users.toml"),
    ),
    (
        "en",
        "members",
        include_str!("../../locales/en/members.toml"),
    ),
    (
        "zh-TW",
        "members",
        include_str!("../../locales/zh-TW/members.toml"),
    ),
    ("en", "audit", include_str!("../../locales/en/audit.toml")),
    (
        "zh-TW",
        "audit",
        include_str!("../../locales/zh-TW/audit.toml"),
    ),
];

type Catalog = HashMap<String, String>;

fn flatten(prefix: &str, value: &toml::Value, out: &mut Catalog) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

pub static CATALOGS: LazyLock<HashMap<&'static str, Catalog>> = LazyLock::new(|| {
    let mut all: HashMap<&'static str, Catalog> = HashMap::new();
    for (lang, family, text) in FILES {
        let value: toml::Value = toml::from_str(text)
            .unwrap_or_else(|e| panic!("locales/{lang}/{family}.toml is not valid TOML: {e}"));
        flatten("", &value, all.entry(lang).or_default());
    }
    all
});

/// The translator handed to every template.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Tr { lang }
    }

    /// The message for `key`; the key itself when it is missing (tests catch that).
    pub fn t(&self, key: &str) -> String {
        CATALOGS
            .get(self.lang.code())
            .and_then(|c| c.get(key))
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// The message with `{name}` placeholders filled in.
    pub fn f(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut s = self.t(key);
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), &value.to_string());
        }
        s
    }

    pub fn has(&self, key: &str) -> bool {
        CATALOGS
            .get(self.lang.code())
            .is_some_and(|c| c.contains_key(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_exists_in_both_languages() {
        let en = &CATALOGS["en"];
        let zh = &CATALOGS["zh-TW"];
        let missing_zh: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        let missing_en: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(missing_zh.is_empty(), "missing in zh-TW: {missing_zh:?}");
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
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
    }
}
