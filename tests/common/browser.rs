//! Headless Chromium (Debian's `chromium` + `chromium-driver`) for browser tests.
//! Each `Chrome` runs its own chromedriver on a free loopback port and its own profile.
#![allow(dead_code)]

use std::{process::Stdio, time::Duration};

use thirtyfour::prelude::*;
use thirtyfour::ChromiumLikeCapabilities;
use tokio::process::{Child, Command};

use super::TestApp;

pub struct Chrome {
    pub driver: WebDriver,
    chromedriver: Child,
    profile: std::path::PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Chrome {
    /// Starts headless Chromium. Fails loudly when chromium or chromedriver is missing:
    /// `.ci/run` installs them, so a silent skip would hide a broken set-up.
    pub async fn start(js_enabled: bool) -> Chrome {
        Self::start_with(js_enabled, false, (1280, 1000)).await
    }

    /// `dark`: the system prefers a dark theme; `window`: the viewport (a phone is 390×844).
    pub async fn start_with(js_enabled: bool, dark: bool, window: (u32, u32)) -> Chrome {
        let port = free_port();
        let chromedriver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver must be installed (apt-get install chromium chromium-driver)");
        let url = format!("http://127.0.0.1:{port}");
        // Wait for chromedriver to listen.
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = std::env::temp_dir().join(format!("portal-chrome-{}", uuid::Uuid::new_v4()));
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary("/usr/bin/chromium").unwrap();
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
            "--disable-dev-shm-usage",
            &format!("--window-size={},{}", window.0, window.1),
            &format!("--user-data-dir={}", profile.display()),
        ] {
            caps.add_arg(arg).unwrap();
        }
        if dark {
            caps.add_arg("--force-dark-mode").unwrap();
            caps.add_arg("--blink-settings=preferredColorScheme=0")
                .unwrap();
        }
        if !js_enabled {
            caps.add_experimental_option(
                "prefs",
                serde_json::json!({ "profile.managed_default_content_settings.javascript": 2 }),
            )
            .unwrap();
        }
        let driver = WebDriver::new(&url, caps)
            .await
            .expect("chromedriver session starts");
        driver
            .set_implicit_wait_timeout(Duration::from_secs(0))
            .await
            .unwrap();
        let chrome = Chrome {
            driver,
            chromedriver,
            profile,
        };
        chrome.set_viewport(window).await;
        chrome
    }

    /// Emulates a viewport of `window` (a phone when narrower than 600 px), for the next page
    /// loaded. Headless Chromium keeps its window wider than a phone, so a 390 px test sees a
    /// 390 px layout (and screenshots have the size asked for) only through this.
    pub async fn set_viewport(&self, window: (u32, u32)) {
        thirtyfour::extensions::cdp::ChromeDevTools::new(self.driver.handle.clone())
            .execute_cdp_with_params(
                "Emulation.setDeviceMetricsOverride",
                serde_json::json!({
                    "width": window.0, "height": window.1, "deviceScaleFactor": 1,
                    "mobile": window.0 < 600
                }),
            )
            .await
            .expect("the viewport can be set");
    }

    /// Forgets every sign-in, the portal's and the fake Logto's alike, so the next person signs
    /// in on the same browser: a new Chromium costs seconds of CPU, clearing its cookies none.
    /// Cookies are how both servers (on 127.0.0.1) know who is signed in, and every cookie of
    /// every host goes, the language's too.
    pub async fn forget_sign_ins(&self) {
        let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(self.driver.handle.clone());
        devtools
            .execute_cdp("Network.clearBrowserCookies")
            .await
            .expect("the cookies can be cleared");
        let left = devtools
            .execute_cdp("Network.getAllCookies")
            .await
            .expect("the cookies can be listed");
        assert_eq!(left["cookies"], serde_json::json!([]), "cookies survived");
    }

    /// Loads `url` and waits for `ready` (CSS) on it.
    pub async fn load(&self, url: &str, ready: &str) -> WebElement {
        self.driver.goto(url).await.unwrap();
        self.wait_for(ready).await
    }

    /// Opens the portal's `path` and waits for the page's heading.
    pub async fn open(&self, app: &TestApp, path: &str) -> WebElement {
        self.load(&format!("{}{path}", app.url), "main h1").await
    }

    /// Loads `url` in a viewport of `window` and waits for `ready` (CSS) on it.
    pub async fn view_at(&self, window: (u32, u32), url: &str, ready: &str) -> WebElement {
        self.set_viewport(window).await;
        self.load(url, ready).await
    }

    /// Signs in through the fake Logto's form; ends on the page the portal lands on.
    pub async fn sign_in(&self, app: &TestApp, username: &str) {
        self.sign_in_to(app, username, "/").await;
    }

    pub async fn sign_in_to(&self, app: &TestApp, username: &str, return_to: &str) {
        self.driver
            .goto(format!(
                "{}/sign-in?return_to={}",
                app.url,
                super::urlencode(return_to)
            ))
            .await
            .unwrap();
        let identifier = self.wait_for("#identifier").await;
        identifier.clear().await.unwrap();
        identifier.send_keys(username).await.unwrap();
        self.driver
            .find(By::Css("#password"))
            .await
            .unwrap()
            .send_keys(&app.seed.password)
            .await
            .unwrap();
        self.driver
            .find(By::Css("#sign-in"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        self.wait_until_url_starts_with(&app.url).await;
    }

    /// Waits (up to 10 s) for an element matching `css`.
    pub async fn wait_for(&self, css: &str) -> WebElement {
        for _ in 0..200 {
            if let Ok(el) = self.driver.find(By::Css(css)).await {
                return el;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let html = self.driver.source().await.unwrap_or_default();
        panic!("no element {css} on the page:\n{html}");
    }

    /// Waits (up to 10 s) until `predicate` holds for the page source.
    pub async fn wait_for_source(&self, what: &str, predicate: impl Fn(&str) -> bool) {
        for _ in 0..200 {
            let src = self.driver.source().await.unwrap_or_default();
            if predicate(&src) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let html = self.driver.source().await.unwrap_or_default();
        panic!("timed out waiting for {what}:\n{html}");
    }

    pub async fn wait_until_url_starts_with(&self, prefix: &str) {
        for _ in 0..200 {
            if let Ok(url) = self.driver.current_url().await {
                if url.as_str().starts_with(prefix) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "browser did not reach {prefix}; it is at {:?}",
            self.driver.current_url().await.map(|u| u.to_string())
        );
    }

    /// Sets a marker on `window`; it survives htmx swaps and is lost on a full page load.
    pub async fn mark_page(&self) {
        self.driver
            .execute("window.__portalMarker = 'kept';", vec![])
            .await
            .unwrap();
    }

    pub async fn page_was_not_reloaded(&self) -> bool {
        let ret = self
            .driver
            .execute("return window.__portalMarker === 'kept';", vec![])
            .await
            .unwrap();
        ret.json().as_bool().unwrap_or(false)
    }

    /// Runs axe-core (from `tests/a11y/node_modules`, installed by `scripts/test`) on the
    /// current page and returns the serious and critical violations as readable lines.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/a11y/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "{} is missing: run `npm ci --prefix tests/a11y` (scripts/test does)",
                path.display()
            )
        });
        self.driver.execute(&source, vec![]).await.unwrap();
        let result = self
            .driver
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   axe.run(document, { resultTypes: ['violations'] })
                      .then(r => done(JSON.stringify(r.violations)))
                      .catch(e => done(JSON.stringify([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }])));"#,
                vec![],
            )
            .await
            .unwrap();
        let text = result.json().as_str().unwrap_or("[]").to_string();
        let violations: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious") | Some("critical")))
            .map(|v| {
                let targets: Vec<String> = v["nodes"]
                    .as_array()
                    .map(|n| n.iter().take(3).map(|n| n["target"].to_string()).collect())
                    .unwrap_or_default();
                format!(
                    "{} ({}): {} at {}",
                    v["id"],
                    v["impact"],
                    v["help"],
                    targets.join(", ")
                )
            })
            .collect()
    }

    /// Saves a PNG screenshot (for looking at a page while developing).
    pub async fn screenshot(&self, path: &str) {
        let _ = self.driver.screenshot(std::path::Path::new(path)).await;
    }

    /// How wide the page is, in CSS pixels (wider than the window means sideways scrolling).
    pub async fn page_width(&self) -> i64 {
        self.driver
            .execute(
                "return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);",
                vec![],
            )
            .await
            .unwrap()
            .convert()
            .unwrap()
    }

    /// Compares the window with `tests/screenshots/<name>.png`, allowing a small share of
    /// pixels to differ (anti-aliasing, a relative time that moved on). A missing file is
    /// written (and fails under `CI=true`, where every screenshot must be committed);
    /// `UPDATE_SCREENSHOTS=1` rewrites it. A failing comparison leaves the actual image
    /// next to the target directory's `screenshots/` for review.
    pub async fn assert_screenshot(&self, name: &str) {
        // Fonts and images settle before the picture is taken.
        let _ = self
            .driver
            .execute(
                "return document.fonts ? document.fonts.status : 'loaded';",
                vec![],
            )
            .await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        let png = self.driver.screenshot_as_png().await.unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let expected_path = root.join("tests/screenshots").join(format!("{name}.png"));
        let update = std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1");
        if update || !expected_path.exists() {
            assert!(
                update || std::env::var("CI").is_err(),
                "screenshot {name} is not committed (run the test locally to write it)"
            );
            std::fs::create_dir_all(expected_path.parent().unwrap()).unwrap();
            std::fs::write(&expected_path, &png).unwrap();
            return;
        }
        let actual = image::load_from_memory(&png).unwrap().to_rgba8();
        let expected = image::open(&expected_path).unwrap().to_rgba8();
        let differing = if actual.dimensions() != expected.dimensions() {
            u64::MAX
        } else {
            actual
                .pixels()
                .zip(expected.pixels())
                .filter(|(a, b)| a.0.iter().zip(b.0.iter()).any(|(x, y)| x.abs_diff(*y) > 40))
                .count() as u64
        };
        let total = u64::from(expected.width()) * u64::from(expected.height());
        // Up to 2 % of the pixels may differ.
        if differing > total / 50 {
            let out = root.join("target/screenshots");
            std::fs::create_dir_all(&out).unwrap();
            let actual_path = out.join(format!("{name}.actual.png"));
            std::fs::write(&actual_path, &png).unwrap();
            panic!(
                "screenshot {name} differs from {} in {} of {total} pixels; see {}",
                expected_path.display(),
                if differing == u64::MAX {
                    "size".to_string()
                } else {
                    differing.to_string()
                },
                actual_path.display()
            );
        }
    }

    pub async fn quit(self) {
        let Chrome {
            driver,
            mut chromedriver,
            profile,
        } = self;
        let _ = driver.quit().await;
        let _ = chromedriver.kill().await;
        let _ = std::fs::remove_dir_all(profile);
    }
}
