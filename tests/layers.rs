//! The layers form a line: `web → (state) → auth → logto`, with the shared parts (`config`,
//! `db`, `audit`, `cache`, `clock`, `lang`, `limits`, `leases`, `avatars`, `jobs`) below the web.
//! Nothing below may name a layer above it; `auth` and `logto` know nothing of axum.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Source lines of `module` (a file `src/<module>.rs` and/or a folder `src/<module>/`)
/// that mention one of `forbidden`, comments aside.
fn offending_lines(module: &str, forbidden: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let file = src.join(format!("{module}.rs"));
    if file.exists() {
        files.push(file);
    }
    let dir = src.join(module);
    if dir.is_dir() {
        rust_files(&dir, &mut files);
    }
    assert!(!files.is_empty(), "no source for module {module}");
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if forbidden.iter().any(|word| code.contains(word)) {
                found.push(format!("{}:{}: {}", f.display(), n + 1, code));
            }
        }
    }
    found
}

#[test]
fn nothing_below_the_web_names_it() {
    let above = ["crate::web", "crate::state", "AppState"];
    for module in [
        "auth", "logto", "config", "db", "audit", "cache", "clock", "lang", "limits", "leases",
        "avatars", "jobs",
    ] {
        let found = offending_lines(module, &above);
        assert!(
            found.is_empty(),
            "{module} names a layer above it:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn auth_and_logto_know_nothing_of_axum() {
    for module in ["auth", "logto"] {
        let found = offending_lines(module, &["axum", "askama", "crate::auth::"])
            .into_iter()
            // auth may use its own modules; logto may not use auth.
            .filter(|l| module != "auth" || !l.contains("crate::auth::"))
            .collect::<Vec<_>>();
        assert!(
            found.is_empty(),
            "{module} depends on the web stack:\n{}",
            found.join("\n")
        );
    }
}
