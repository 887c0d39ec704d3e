//! The `logto-portal` binary run the way the Docker image runs it: configuration only from
//! the environment, a non-root user, a read-only working directory except the data volume.
//! Also: start-up errors are one clear line, `check` explains failures, JSON logs carry the
//! request id and never a secret, SIGTERM stops it cleanly.

use std::{
    os::unix::fs::PermissionsExt,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use fake_logto::{FakeLogto, FakeLogtoConfig};

/// The binary under test: `PORTAL_IMAGE_BIN` when it names one (a `--no-default-features`
/// build, as the Dockerfile makes), else this test build's; the serving code is the same.
fn bin() -> String {
    std::env::var("PORTAL_IMAGE_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_logto-portal").into())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn base_env(fake: &FakeLogto) -> Vec<(&'static str, String)> {
    let d = FakeLogtoConfig::default();
    vec![
        ("LOGTO_ENDPOINT", fake.url()),
        ("LOGTO_M2M_APP_ID", d.m2m_app_id),
        ("LOGTO_M2M_APP_SECRET", d.m2m_app_secret),
        ("LOGTO_APP_ID", d.web_app_id),
        ("LOGTO_APP_SECRET", d.web_app_secret),
    ]
}

fn command(env: &[(&'static str, String)]) -> Command {
    let mut cmd = Command::new(bin());
    cmd.env_clear();
    cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_errors_are_one_clear_line() {
    let fake = FakeLogto::start(FakeLogtoConfig::default()).await;
    let mut env = base_env(&fake);
    env.retain(|(k, _)| *k != "LOGTO_M2M_APP_SECRET");
    let out = command(&env).arg("serve").output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("LOGTO_M2M_APP_SECRET"), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );

    let mut env = base_env(&fake);
    env.push(("PORTAL_LISTEN", "nowhere".into()));
    let out = command(&env).arg("serve").output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("PORTAL_LISTEN") && stderr.contains("127.0.0.1:8080"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_explains_what_works_and_what_fails() {
    let fake = FakeLogto::start(FakeLogtoConfig::default()).await;
    fake.state().set_web_app_redirect_uris(
        &["http://localhost:8080/callback"],
        &["http://localhost:8080/signed-out"],
    );
    let env = base_env(&fake);
    let out = command(&env).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}");
    assert!(!stdout.contains("m2m-secret"), "the secret never prints");
    // What this Logto can do, read from its own OpenAPI document.
    assert!(
        stdout.contains("management.openapi.json declares"),
        "{stdout}"
    );
    let sessions_line = stdout
        .lines()
        .find(|l| l.contains("user sessions:"))
        .unwrap_or_else(|| panic!("{stdout}"));
    if fake.state().version().minor() >= 38 {
        assert!(sessions_line.contains("available"), "{stdout}");
    } else {
        assert!(
            sessions_line.contains("not on this Logto") && sessions_line.contains("1.38"),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains("is a Traditional web app")
            && stdout.contains("lists http://localhost:8080/callback as a redirect URI"),
        "{stdout}"
    );

    // Every missing setting is listed, and Logto is still checked where it can be.
    let mut missing = base_env(&fake);
    missing.retain(|(k, _)| !matches!(*k, "LOGTO_APP_ID" | "LOGTO_APP_SECRET"));
    missing.push(("PORTAL_SESSION_IDLE_SECS", "often".into()));
    let out = command(&missing).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!out.status.success());
    for var in [
        "LOGTO_APP_ID",
        "LOGTO_APP_SECRET",
        "PORTAL_SESSION_IDLE_SECS",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("FAIL") && l.contains(var)),
            "{var}: {stdout}"
        );
    }
    assert!(stdout.contains("GET /api/users works"), "{stdout}");
    assert!(stdout.contains("sign-in app not checked"), "{stdout}");

    // The sign-in app lacks the portal's addresses: named, with what to add.
    let mut elsewhere = base_env(&fake);
    elsewhere.push(("PORTAL_PUBLIC_URL", "https://portal.example.com".into()));
    let out = command(&elsewhere).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!out.status.success());
    assert!(
        stdout.lines().any(|l| l.starts_with("FAIL")
            && l.contains("does not list https://portal.example.com/callback as a redirect URI")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("FAIL") && l.contains("https://portal.example.com/signed-out")),
        "{stdout}"
    );

    // An app id that is the M2M app: not a Traditional web app.
    let mut m2m_as_web = base_env(&fake);
    m2m_as_web.retain(|(k, _)| *k != "LOGTO_APP_ID");
    m2m_as_web.push(("LOGTO_APP_ID", FakeLogtoConfig::default().m2m_app_id));
    let out = command(&m2m_as_web).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("is a MachineToMachine app") && stdout.contains("Traditional"),
        "{stdout}"
    );

    let mut wrong = base_env(&fake);
    wrong.retain(|(k, _)| *k != "LOGTO_M2M_APP_SECRET");
    wrong.push(("LOGTO_M2M_APP_SECRET", "not-the-secret".into()));
    let out = command(&wrong).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap().to_lowercase();
    assert!(!out.status.success());
    assert!(stdout.contains("secret"), "{stdout}");
    assert!(!stdout.contains("not-the-secret"));

    let mut resource = base_env(&fake);
    resource.push((
        "LOGTO_MANAGEMENT_API_RESOURCE",
        "https://nope.example/api".into(),
    ));
    let out = command(&resource).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap().to_lowercase();
    assert!(!out.status.success());
    assert!(stdout.contains("resource"), "{stdout}");

    let mut down = base_env(&fake);
    down.retain(|(k, _)| *k != "LOGTO_ENDPOINT");
    down.push((
        "LOGTO_ENDPOINT",
        format!("http://127.0.0.1:{}", free_port()),
    ));
    let out = command(&down).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap().to_lowercase();
    assert!(!out.status.success());
    assert!(
        stdout.contains("unreachable") || stdout.contains("reach"),
        "{stdout}"
    );
}

/// Runs the command as an unprivileged user (uid/gid 65534) when the tests run as root, as
/// CI does, so the portal cannot rely on root's rights to the file system.
fn as_nobody(cmd: &mut Command) {
    if unsafe { libc_geteuid() } != 0 {
        return;
    }
    let mut wrapped = Command::new("setpriv");
    wrapped
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .env_clear();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            wrapped.env(k, v);
        }
    }
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped.stdout(Stdio::piped()).stderr(Stdio::piped());
    *cmd = wrapped;
}

extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_like_the_image_non_root_read_only_json_logs() {
    let fake = FakeLogto::start(FakeLogtoConfig::default()).await;
    fake.state().seed_demo();
    let root = std::env::temp_dir().join(format!("portal-image-{}", uuid::Uuid::new_v4()));
    let workdir = root.join("app");
    let data = root.join("data");
    std::fs::create_dir_all(&workdir).unwrap();
    std::fs::create_dir_all(&data).unwrap();
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
    // The working directory is read-only; only the data volume is writable.
    std::fs::set_permissions(&workdir, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o777)).unwrap();

    let port = free_port();
    let mut env = base_env(&fake);
    env.push(("PORTAL_LISTEN", format!("127.0.0.1:{port}")));
    env.push(("PORTAL_PUBLIC_URL", format!("http://127.0.0.1:{port}")));
    env.push((
        "DATABASE_URL",
        format!("sqlite://{}/portal.db", data.display()),
    ));
    env.push(("PORTAL_LOG_FORMAT", "json".into()));
    let mut cmd = command(&env);
    cmd.arg("serve")
        .current_dir(&workdir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    as_nobody(&mut cmd);
    let mut child = cmd.spawn().unwrap();

    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "portal never became ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let sign_in = client.get(format!("{base}/sign-in")).send().await.unwrap();
    assert_eq!(sign_in.status(), 303);
    assert!(sign_in.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(&format!("{}/oidc/auth?", fake.url())));
    let request_id = sign_in.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let welcome = client.get(&base).send().await.unwrap();
    assert_eq!(welcome.status(), 200);
    assert!(
        data.join("portal.db").exists(),
        "SQLite file in the data volume"
    );

    // The healthcheck subcommand the image uses.
    let mut hc = command(&[("PORTAL_LISTEN", format!("0.0.0.0:{port}"))]);
    hc.arg("healthcheck");
    assert!(hc.status().unwrap().success());

    // SIGTERM: a clean stop within 10 s.
    let stop = Instant::now();
    unsafe { libc_kill(child.id() as i32, 15) };
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            stop.elapsed() < Duration::from_secs(10),
            "did not stop within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
    let output = child.wait_with_output().unwrap();
    let logs = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    assert!(!lines.is_empty());
    assert!(
        logs.contains(&request_id),
        "the request id of a response appears in the logs: {logs}"
    );
    for secret in ["m2m-secret", "web-secret"] {
        assert!(!logs.contains(secret), "secret in logs: {logs}");
    }
    let _ = std::fs::set_permissions(&workdir, std::fs::Permissions::from_mode(0o755));
    let _ = std::fs::remove_dir_all(&root);
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_names_the_first_broken_entry() {
    use logto_portal::audit::{Actor, AuditLog, NewEntry, Origin};
    use logto_portal::db::Db;
    let dir = std::env::temp_dir().join(format!("portal-verify-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/portal.db", dir.display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let audit = AuditLog::new(db.clone());
    for n in 0..3 {
        audit
            .record(NewEntry::new(
                "member.add",
                Actor {
                    id: Some(format!("u{n}")),
                    ..Default::default()
                },
                Origin::default(),
            ))
            .await
            .unwrap();
    }
    let run = || {
        command(&[("DATABASE_URL", url.clone())])
            .args(["audit", "verify"])
            .output()
            .unwrap()
    };
    let out = run();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact: 3 entries"));
    if let Db::Sqlite(pool) = &db {
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET actor_id = 'mallory' WHERE id = 2")
            .execute(pool)
            .await
            .unwrap();
    }
    let out = run();
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("BROKEN at entry 2"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The image is built `--no-default-features` (Dockerfile): its dependency graph holds no fake
/// Logto. Read from cargo's resolution of that build, so CI need not compile it a second time.
#[test]
fn the_image_binary_has_no_fake_logto() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let tree = |features: &[&str]| {
        let out = Command::new(&cargo)
            .args([
                "tree",
                "--locked",
                "--offline",
                "-p",
                "logto-portal",
                "-e",
                "normal",
            ])
            .args(["--prefix", "none", "--format", "{p}"])
            .args(features)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let has_fake = |tree: &str| tree.lines().any(|l| l.starts_with("fake-logto "));
    assert!(
        !has_fake(&tree(&["--no-default-features"])),
        "the image links the fake Logto"
    );
    // The check can see it: the default build (the demo) has it.
    assert!(has_fake(&tree(&[])), "the demo build links the fake Logto");
}
