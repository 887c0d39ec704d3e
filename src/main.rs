//! `logto-portal [serve|migrate|check|demo|audit verify]`.

use std::process::ExitCode;

use logto_portal::{
    audit::{AuditLog, Verification},
    config::Config,
    db::Db,
    logto::{CheckReport, SignInApp},
    startup::{init_logging, logto_client, shutdown_signal, Application},
};

const USAGE: &str = "usage: logto-portal [serve|migrate|check|demo|audit verify]

  serve         run the portal (default)
  migrate       apply database migrations and exit
  check         validate the configuration against the live Logto
  demo          run the portal against a built-in fake Logto with demo data
  audit verify  check the audit trail's hash chain
  healthcheck   exit 0 when this machine's portal answers /healthz (for Docker)

Configuration comes from environment variables; see README.md.";

/// mimalloc, not glibc's malloc: malloc and free were a sixth of a member page view's CPU under
/// load (BENCHMARKS.md, "Session 9").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    without_transparent_huge_pages();
    free_memory_at_once();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = runtime.block_on(async {
        match words.as_slice() {
            [] | ["serve"] => serve().await,
            ["migrate"] => migrate().await,
            ["check"] => check().await,
            ["demo"] => demo().await,
            ["audit", "verify"] => audit_verify().await,
            ["healthcheck"] => healthcheck().await,
            ["-h"] | ["--help"] | ["help"] => {
                println!("{USAGE}");
                Ok(ExitCode::SUCCESS)
            }
            _ => {
                eprintln!("{USAGE}");
                Ok(ExitCode::from(2))
            }
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            // One clear line, no backtrace.
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn load_config() -> anyhow::Result<Config> {
    Config::from_env().map_err(|e| anyhow::anyhow!("{e}"))
}

/// mimalloc asks the kernel for transparent huge pages wherever it may (`madvise`): the portal's
/// resident memory under load went from 37 MB to 55 MB with them, for no measurable speed.
fn without_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag on this process's memory.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// mimalloc keeps freed pages 10 ms (arenas 100 ms) before giving them back: a 100,000-row
/// export, which frees as fast as it allocates, peaked at 51 MB instead of 44 (BENCHMARKS.md,
/// "Session 10"). `MIMALLOC_PURGE_DELAY` in the environment still wins over this default.
fn free_memory_at_once() {
    // mimalloc's `mi_option_purge_delay`, the same number in its v2 and v3.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one of mimalloc's options, which it reads atomically.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
    }
}

async fn serve() -> anyhow::Result<ExitCode> {
    let config = load_config()?;
    init_logging(config.log_json);
    let app = Application::build(config).await?;
    tracing::info!(addr = %app.addr, "logto-portal listening");
    app.run_until(shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn migrate() -> anyhow::Result<ExitCode> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/portal.db".into());
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    println!("migrations applied ({})", db.kind());
    Ok(ExitCode::SUCCESS)
}

/// Checks everything it can, even when some settings are missing: each problem is listed,
/// then Logto (token, Management API, capabilities) and the sign-in app are checked where
/// the settings they need are usable.
async fn check() -> anyhow::Result<ExitCode> {
    let (config, problems) = Config::diagnose(|k| std::env::var(k).ok());
    let mut report = CheckReport::new();
    for p in &problems {
        report.push(false, p.to_string());
    }
    let unusable = |vars: &[&str]| problems.iter().any(|p| vars.contains(&p.var));
    const LOGTO_VARS: [&str; 5] = [
        "LOGTO_ENDPOINT",
        "LOGTO_M2M_APP_ID",
        "LOGTO_M2M_APP_SECRET",
        "LOGTO_MANAGEMENT_API_RESOURCE",
        "PORTAL_LOGTO_TIMEOUT_SECS",
    ];
    match config {
        Some(config) if !unusable(&LOGTO_VARS) => {
            println!("Logto endpoint:            {}", config.logto_endpoint);
            println!("Management API resource:   {}", config.management_resource);
            println!("M2M app id:                {}", config.m2m_app_id);
            let client = logto_client(&config, logto_portal::clock::Clock::system(), None)?;
            let api = client.check().await;
            let api_ok = api.ok;
            report.extend(api);
            if api_ok {
                report.extend(client.check_capabilities().await);
                if unusable(&["LOGTO_APP_ID", "PORTAL_PUBLIC_URL"]) {
                    report.push(
                        false,
                        "sign-in app not checked: LOGTO_APP_ID or PORTAL_PUBLIC_URL is unusable",
                    );
                } else {
                    let app = SignInApp {
                        app_id: config.app_id.clone(),
                        redirect_uri: config.callback_url(),
                        post_sign_out_uri: config.signed_out_url(),
                    };
                    report.extend(client.check_sign_in_app(&app).await);
                }
            }
        }
        _ => report.push(
            false,
            "Logto not checked: the settings above are needed to reach it",
        ),
    }
    for line in &report.lines {
        println!("{} {}", if line.ok { "ok  " } else { "FAIL" }, line.text);
    }
    Ok(if report.ok {
        println!("all checks passed");
        ExitCode::SUCCESS
    } else {
        println!(
            "{} problem(s) found",
            report.lines.iter().filter(|l| !l.ok).count()
        );
        ExitCode::FAILURE
    })
}

async fn audit_verify() -> anyhow::Result<ExitCode> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/portal.db".into());
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    match AuditLog::new(db).verify().await? {
        Verification::Intact { entries } => {
            println!("audit trail intact: {entries} entries checked");
            Ok(ExitCode::SUCCESS)
        }
        Verification::Broken { entry_id, reason } => {
            println!("audit trail BROKEN at entry {entry_id}: {reason}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// For the image's HEALTHCHECK (distroless has no curl): GET /healthz on the listen port.
async fn healthcheck() -> anyhow::Result<ExitCode> {
    let listen = std::env::var("PORTAL_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let addr: std::net::SocketAddr = listen.parse()?;
    let ip = if addr.ip().is_unspecified() {
        std::net::IpAddr::from([127, 0, 0, 1])
    } else {
        addr.ip()
    };
    let url = format!(
        "http://{}/healthz",
        std::net::SocketAddr::new(ip, addr.port())
    );
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(3))
        .build()?;
    match client.get(&url).send().await {
        Ok(r) if r.status().is_success() => Ok(ExitCode::SUCCESS),
        Ok(r) => {
            eprintln!("{url} answered {}", r.status());
            Ok(ExitCode::FAILURE)
        }
        Err(e) => {
            eprintln!("{url}: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

#[cfg(feature = "demo")]
async fn demo() -> anyhow::Result<ExitCode> {
    use fake_logto::{FakeLogto, FakeLogtoConfig};
    init_logging(false);
    let fake = FakeLogto::start(FakeLogtoConfig::default()).await;
    let seed = fake.state().seed_demo();
    let fake_config = FakeLogtoConfig::default();
    let listen = std::env::var("PORTAL_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let public = std::env::var("PORTAL_PUBLIC_URL").unwrap_or_else(|_| format!("http://{listen}"));
    let database = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/demo.db".into());
    let vars = std::collections::HashMap::from([
        ("LOGTO_ENDPOINT", fake.url()),
        ("LOGTO_M2M_APP_ID", fake_config.m2m_app_id.clone()),
        ("LOGTO_M2M_APP_SECRET", fake_config.m2m_app_secret.clone()),
        ("LOGTO_APP_ID", fake_config.web_app_id.clone()),
        ("LOGTO_APP_SECRET", fake_config.web_app_secret.clone()),
        ("PORTAL_LISTEN", listen),
        ("PORTAL_PUBLIC_URL", public.clone()),
        ("DATABASE_URL", database),
        ("PORTAL_ALLOW_SELF_DELETE", "true".into()),
    ]);
    let config = Config::from_lookup(|k| {
        vars.get(k)
            .cloned()
            .or_else(|| std::env::var(k).ok().filter(|_| !vars.contains_key(k)))
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = Application::build(config).await?;
    println!();
    println!("logto-portal demo is running at {public}");
    println!("  fake Logto: {} (in-process, demo data)", fake.url());
    println!("  sign in with any of these (password: {}):", seed.password);
    println!(
        "    {:<20} operator: all users, organizations and the audit trail",
        seed.operator_username
    );
    println!("    {:<20} admin of one organization", seed.admin_username);
    println!(
        "    {:<20} plain member: own profile only",
        seed.member_username
    );
    println!("Press Ctrl-C to stop.");
    app.run_until(shutdown_signal()).await?;
    drop(fake);
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "demo"))]
async fn demo() -> anyhow::Result<ExitCode> {
    anyhow::bail!("this build has no demo (built without the `demo` feature); run `cargo run -- demo` from the source tree")
}
