//! CPU per page view, as instructions counted by callgrind: repeatable on a noisy machine,
//! unlike seconds. The portal binary runs under `valgrind --tool=callgrind` against an
//! in-process fake Logto (whose own work is not counted); after sign-in and warm-up, each page
//! is viewed `VIEWS` times between a zeroing and a dump of the counters, so the figure is the
//! whole process's instructions (every thread: hyper, the session store's SQLite worker, the
//! Logto client) per view.
//!
//! The figures are compared with the ones recorded in `tests/instructions.toml` for the
//! binary's profile (`debug`: the test build, or the image build CI makes; `release`:
//! `scripts/bench`), and the test fails when a page costs more than 20 % over its record.
//! `PORTAL_INSTRUCTIONS_RECORD=1` writes the measured figures as the new record instead.
//! `PORTAL_INSTRUCTIONS_BIN` measures another binary (scripts/bench: the release build);
//! `PORTAL_INSTRUCTIONS_DUMPS=<dir>` keeps the callgrind dumps there for `callgrind_annotate`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{process, Browser};
use fake_logto::{FakeLogto, FakeLogtoConfig};

/// Views per page between zeroing and dumping the counters.
const VIEWS: u64 = 10;
/// The most a page may grow over its record before the test fails.
const ALLOWED_GROWTH: f64 = 0.20;
const RECORD_FILE: &str = "tests/instructions.toml";

struct PageView {
    /// The key in `tests/instructions.toml`.
    key: &'static str,
    path: String,
    htmx: bool,
    /// Text the answer must hold: a view that failed must not pass for a cheap one.
    marker: &'static str,
}

fn binary() -> String {
    std::env::var("PORTAL_INSTRUCTIONS_BIN").unwrap_or_else(|_| process::portal_bin())
}

/// `release` for a release build, `debug` otherwise (the figures differ tenfold).
fn profile_of(bin: &str) -> &'static str {
    if Path::new(bin)
        .components()
        .any(|c| c.as_os_str() == "release")
    {
        "release"
    } else {
        "debug"
    }
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} could not run ({e}): install valgrind"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `totals:` (or `summary:`) line of a callgrind dump: instructions executed.
fn total_instructions(dump: &Path) -> u64 {
    let text = std::fs::read_to_string(dump).unwrap();
    text.lines()
        .find_map(|l| {
            l.strip_prefix("totals:")
                .or_else(|| l.strip_prefix("summary:"))
        })
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no totals in {}", dump.display()))
}

fn dumps_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("callgrind.out"))
        })
        .collect();
    found.sort();
    found
}

async fn view(b: &Browser, page: &PageView, fake: &FakeLogto) {
    let mut req = b.client.get(b.url(&page.path));
    if page.htmx {
        req = req.header("HX-Request", "true");
    }
    // As a browser asks: the answer is compressed, and that is part of its cost.
    let resp = req
        .header("Accept-Encoding", "gzip, deflate, br, zstd")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", page.path);
    // reqwest undoes gzip itself; zstd (what a browser that asks for it gets) is undone here.
    let zstd = resp
        .headers()
        .get("content-encoding")
        .is_some_and(|v| v == "zstd");
    let body = resp.bytes().await.unwrap();
    let html = if zstd {
        String::from_utf8(zstd::decode_all(body.as_ref()).unwrap()).unwrap()
    } else {
        String::from_utf8(body.to_vec()).unwrap()
    };
    assert!(
        html.contains(page.marker),
        "{} does not hold {:?}: {:?}",
        page.path,
        page.marker,
        fake.state()
            .api_requests()
            .iter()
            .filter(|r| r.path == "/api/users")
            .map(|r| r.query.clone())
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instructions_per_page_view_stay_within_their_record() {
    run("valgrind", &["--version"]);
    let fake = FakeLogto::start(FakeLogtoConfig::default()).await;
    let seed = fake.state().seed_demo();
    let acme = fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let pages = [
        PageView {
            key: "member_page",
            path: format!("/orgs/{acme}/members"),
            htmx: false,
            marker: "members-table",
        },
        PageView {
            key: "member_fragment",
            path: format!("/orgs/{acme}/members?page=2"),
            htmx: true,
            marker: "<table",
        },
        PageView {
            key: "directory_search",
            // 44 of the demo's people match (a full page of 20).
            path: "/users?q=ov".into(),
            htmx: false,
            marker: "users-table",
        },
        PageView {
            key: "profile",
            path: "/profile".into(),
            htmx: false,
            marker: "Olivia",
        },
    ];

    let bin = binary();
    let profile = profile_of(&bin);
    let out_dir = std::env::temp_dir().join(format!("portal-callgrind-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let port = process::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut env = process::portal_env(&fake, port);
    // Nothing but the page views in the counted window: the 60 s access re-check and the
    // minute's session keep-alive would land in it at random under valgrind's slowness.
    env.insert("PORTAL_ACCESS_RECHECK_SECS", "3600".into());
    env.insert("PORTAL_LOGTO_RATE_LIMIT", "100000".into());
    let args = [
        "--tool=callgrind".to_string(),
        "--instr-atstart=no".to_string(),
        format!("--callgrind-out-file={}/callgrind.out", out_dir.display()),
        bin.clone(),
    ];
    let portal = process::StopOnDrop(
        process::serve_command("valgrind", &args, &env)
            .spawn()
            .unwrap(),
    );
    let pid = portal.0.id().to_string();
    process::wait_ready(&base, Duration::from_secs(180)).await;

    let b = process::signed_in(&base, &fake, "olivia_operator", &seed.password).await;
    // Warm: caches filled, code translated, the session's keep-alive written.
    for page in &pages {
        for _ in 0..3 {
            view(&b, page, &fake).await;
        }
    }
    run("callgrind_control", &["--instr=on", &pid]);
    let mut measured = BTreeMap::new();
    for page in &pages {
        for _ in 0..2 {
            view(&b, page, &fake).await;
        }
        run("callgrind_control", &["--zerocost", &pid]);
        for _ in 0..VIEWS {
            view(&b, page, &fake).await;
        }
        let before = dumps_in(&out_dir);
        run(
            "callgrind_control",
            &[&format!("--dump={}", page.key), &pid],
        );
        let dump = dumps_in(&out_dir)
            .into_iter()
            .find(|d| !before.contains(d))
            .expect("callgrind wrote a dump");
        measured.insert(page.key, total_instructions(&dump) / VIEWS);
    }
    drop(portal);
    // `PORTAL_INSTRUCTIONS_DUMPS=<dir>` keeps the dumps there, for `callgrind_annotate`.
    if let Some(keep) = std::env::var_os("PORTAL_INSTRUCTIONS_DUMPS") {
        std::fs::create_dir_all(&keep).unwrap();
        for dump in dumps_in(&out_dir) {
            std::fs::copy(&dump, Path::new(&keep).join(dump.file_name().unwrap())).unwrap();
        }
        println!("callgrind dumps kept in {}", Path::new(&keep).display());
    }
    let _ = std::fs::remove_dir_all(&out_dir);

    // One line for scripts/bench to read, and a table for people.
    println!(
        "INSTRUCTIONS {}",
        serde_json::json!({ "profile": profile, "per_view": measured })
    );
    let record_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(RECORD_FILE);
    let mut record: toml::Table = std::fs::read_to_string(&record_path)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    if std::env::var("PORTAL_INSTRUCTIONS_RECORD").is_ok_and(|v| v == "1") {
        let section: toml::Table = measured
            .iter()
            .map(|(k, v)| (k.to_string(), toml::Value::Integer(*v as i64)))
            .collect();
        record.insert(profile.to_string(), toml::Value::Table(section));
        let header = "# Instructions per page view (callgrind Ir), per build profile: the record\n\
                      # tests/instructions.rs compares with (fails above +20 %).\n\
                      # Written by PORTAL_INSTRUCTIONS_RECORD=1 cargo test --test instructions.\n\n";
        std::fs::write(
            &record_path,
            format!("{header}{}", toml::to_string(&record).unwrap()),
        )
        .unwrap();
        println!("recorded {profile} figures in {RECORD_FILE}");
        return;
    }
    let recorded = record
        .get(profile)
        .and_then(|s| s.as_table())
        .unwrap_or_else(|| panic!("{RECORD_FILE} has no [{profile}] figures"));
    let mut over = Vec::new();
    for (key, count) in &measured {
        let was = recorded
            .get(*key)
            .and_then(|v| v.as_integer())
            .unwrap_or_else(|| panic!("{RECORD_FILE} [{profile}] has no {key}"))
            as u64;
        let growth = *count as f64 / was as f64 - 1.0;
        println!(
            "{key:18} {count:>12} instructions per view (record {was}, {:+.1} %)",
            growth * 100.0
        );
        if growth > ALLOWED_GROWTH {
            over.push(format!(
                "{key}: {count} instructions per view, {:+.1} % over the record {was}",
                growth * 100.0
            ));
        }
    }
    assert!(
        over.is_empty(),
        "pages grew by more than {:.0} %:\n{}",
        ALLOWED_GROWTH * 100.0,
        over.join("\n")
    );
}
