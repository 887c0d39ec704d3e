//! The portal binary run as its own process (as the image runs it), for tests that stop it,
//! restart it or watch it from outside.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_logto::{FakeLogto, FakeLogtoConfig};

/// The binary under test: `PORTAL_IMAGE_BIN` when it names one (a `--no-default-features`
/// build, as the Dockerfile makes), else this test build's; the serving code is the same.
pub fn portal_bin() -> String {
    std::env::var("PORTAL_IMAGE_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_logto-portal").into())
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What a portal on `port` needs to run against `fake`, on a fresh SQLite file.
pub fn portal_env(fake: &FakeLogto, port: u16) -> HashMap<&'static str, String> {
    let defaults = FakeLogtoConfig::default();
    let base = format!("http://127.0.0.1:{port}");
    HashMap::from([
        ("LOGTO_ENDPOINT", fake.url()),
        ("LOGTO_M2M_APP_ID", defaults.m2m_app_id.clone()),
        ("LOGTO_M2M_APP_SECRET", defaults.m2m_app_secret.clone()),
        ("LOGTO_APP_ID", defaults.web_app_id.clone()),
        ("LOGTO_APP_SECRET", defaults.web_app_secret.clone()),
        ("PORTAL_PUBLIC_URL", base),
        ("PORTAL_LISTEN", format!("127.0.0.1:{port}")),
        ("DATABASE_URL", super::sqlite_url()),
    ])
}

/// `program args… serve` with only `env` (and `PATH`), its output discarded.
pub fn serve_command(
    program: &str,
    args: &[String],
    env: &HashMap<&'static str, String>,
) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .args(args)
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Waits until `{base}/readyz` answers 200; panics after `within`.
pub async fn wait_ready(base: &str, within: Duration) {
    let client = super::new_client();
    let started = Instant::now();
    while !client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(started.elapsed() < within, "portal never became ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Starts the portal binary with `env` and waits until it is ready.
pub async fn start_portal(env: &HashMap<&'static str, String>) -> Child {
    let child = serve_command(&portal_bin(), &[], env).spawn().unwrap();
    wait_ready(
        &format!("http://{}", env["PORTAL_LISTEN"]),
        Duration::from_secs(20),
    )
    .await;
    child
}

/// A browser signed in as `username` to the portal process at `base` (through the fake
/// Logto's form, as a person signs in).
pub async fn signed_in(
    base: &str,
    fake: &FakeLogto,
    username: &str,
    password: &str,
) -> super::Browser {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let b = super::Browser {
        client: super::client_with_jar(jar.clone()),
        jar,
        base: base.to_string(),
        csrf: None,
    };
    super::sign_in_at(base, &fake.url(), b, username, password, "return_to=%2F")
        .await
        .0
}

/// A child process stopped when this is dropped, also when a test panics (a portal left
/// running under valgrind keeps a core busy long after its test failed).
pub struct StopOnDrop(pub Child);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
