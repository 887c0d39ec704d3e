//! `fake-logto [--port 3001] [--seed-demo] [--seed-scale members=N,users=M]`: run the fake
//! Logto until Ctrl-C. `--seed-scale` adds the organization "Scale Co" with N members and M
//! people in the tenant (see `FakeState::seed_scale`).
//! `FAKE_LOGTO_VERSION` (`1.37` or `1.42`, the default) picks the Logto release imitated;
//! `FAKE_LOGTO_LATENCY_MS` adds latency to every response.

use fake_logto::{FakeLogto, FakeLogtoConfig};
use std::time::Duration;

fn usage() -> ! {
    eprintln!("usage: fake-logto [--port PORT] [--seed-demo] [--seed-scale members=N,users=M]");
    std::process::exit(2);
}

/// `members=N,users=M` (either may be left out: 0).
fn scale_sizes(spec: &str) -> Option<(usize, usize)> {
    let (mut members, mut users) = (0, 0);
    for part in spec.split(',') {
        let (key, value) = part.split_once('=')?;
        let n = value.trim().replace('_', "").parse().ok()?;
        match key.trim() {
            "members" => members = n,
            "users" => users = n,
            _ => return None,
        }
    }
    Some((members, users))
}

#[tokio::main]
async fn main() {
    let mut port: u16 = 3001;
    let mut seed = false;
    let mut scale = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => {
                port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--seed-demo" => seed = true,
            "--seed-scale" => {
                scale = Some(
                    args.next()
                        .and_then(|v| scale_sizes(&v))
                        .unwrap_or_else(|| usage()),
                )
            }
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    let config = FakeLogtoConfig::default();
    let logto = match FakeLogto::start_on(config.clone(), port).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("fake-logto: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    let state = logto.state();
    if let Some(ms) = std::env::var("FAKE_LOGTO_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        state.set_latency(Duration::from_millis(ms));
    }
    println!("fake Logto {} listening on {}", config.version, logto.url());
    println!("  issuer:            {}/oidc", logto.url());
    println!("  resource:          {}", config.resource);
    println!(
        "  M2M app:           {} / {}",
        config.m2m_app_id, config.m2m_app_secret
    );
    println!(
        "  web app (sign-in): {} / {}",
        config.web_app_id, config.web_app_secret
    );
    if seed {
        let demo = state.seed_demo();
        println!(
            "  demo users:        {} (operator), {} (Acme admin), {} (Acme member); password {}",
            demo.operator_username, demo.admin_username, demo.member_username, demo.password
        );
        println!("  organizations:     {}", demo.org_ids.join(", "));
    }
    if let Some((members, users)) = scale {
        let started = std::time::Instant::now();
        let seeded = state.seed_scale(members, users);
        println!(
            "  scale organization: {} ({} members, {} admins, {} users; seeded in {} ms); admin {} / {}",
            seeded.org_id,
            seeded.members,
            seeded.admins,
            seeded.users,
            started.elapsed().as_millis(),
            seeded.admin_username,
            seeded.password
        );
    }
    println!("  ready");
    let _ = tokio::signal::ctrl_c().await;
    logto.stop().await;
}
