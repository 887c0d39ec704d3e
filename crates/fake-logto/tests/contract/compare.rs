//! Comparing the fake's answers with the recorded ones.

use super::*;

pub(crate) async fn replay_file(name: &str, file: &str) -> (usize, Vec<String>, Vec<String>) {
    let dir = shared_dir();
    let text = std::fs::read_to_string(dir.join(name)).expect("read recording");
    let (blocks, summaries) = parse_blocks(&text);
    // the recordings come from Logto 1.37.1, whatever FAKE_LOGTO_VERSION says
    let logto = FakeLogto::start(FakeLogtoConfig::for_version(LogtoVersion::V1_37)).await;
    if file == "2" {
        // the Traditional app the "more" recording created as a fixture
        logto
            .state()
            .set_web_app_redirect_uris(&["http://localhost:9/callback"], &[]);
    }
    let http = client();
    let url = logto.url();
    let token = m2m_token(&http, &url, Some("all")).await;
    let token_noscope = m2m_token(&http, &url, None).await;
    let host = url.trim_start_matches("http://").to_string();
    let mut rp = Replay {
        url,
        host,
        http,
        token,
        token_noscope,
        ids: HashMap::new(),
        failures: vec![],
        replayed: 0,
        _logto: logto,
    };
    let cfg = FakeLogtoConfig::default();
    rp.ids.insert("portalm2m".into(), cfg.m2m_app_id.clone());
    // the M2M app the "more" recording inserted by SQL, and its Traditional app
    rp.ids
        .insert("q8i156kz2waomb6qi0al3".into(), cfg.m2m_app_id.clone());
    rp.ids
        .insert("5bu9khhnbu0m4h6e06sgt".into(), cfg.web_app_id.clone());
    let mut skipped: Vec<String> = summaries
        .iter()
        .map(|t| format!("{t}: summary block without a replayable request"))
        .collect();
    for b in &blocks {
        if let Some((_, why)) = SKIPPED.iter().find(|(t, _)| *t == b.title) {
            skipped.push(format!("{}: {why}", b.title));
            continue;
        }
        rp.hooks(file, &b.title).await;
        let path = rp.map(&b.path);
        let auth = auth_for(b);
        let body = if let Some(f) = &b.form {
            let mut f = rp.map(f);
            f = f.replace("<redacted>", &cfg.m2m_app_secret);
            Some((f, "application/x-www-form-urlencoded"))
        } else {
            b.body.as_ref().map(|bd| {
                let ct = match &b.header {
                    Some((k, v)) if k.eq_ignore_ascii_case("content-type") => v.as_str(),
                    _ => "application/json",
                };
                (refresh_times(&rp.map(bd)), ct)
            })
        };
        let body = body.map(|(s, ct)| (s, if ct == "text/plain" { "text/plain" } else { ct }));
        let mut extra = None;
        if let Some((k, v)) = &b.header {
            if k.eq_ignore_ascii_case("if-none-match") {
                let tag = if b.status == 304 {
                    let (_, h, _) = rp.send("GET", &path, auth, None, None).await;
                    h.get("etag")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string()
                } else {
                    v.clone()
                };
                extra = Some((k.clone(), tag));
            }
        }
        let (status, headers, text) = rp.send(&b.method, &path, auth, body, extra).await;
        rp.replayed += 1;
        let mut diffs = Vec::new();
        if status != b.status {
            diffs.push(format!("status {} (recorded {})", status, b.status));
        }
        let status_only = STATUS_ONLY.iter().any(|(t, _)| *t == b.title);
        if !status_only && diffs.is_empty() {
            compare(&mut rp, b, &headers, &text, &mut diffs);
        }
        if !diffs.is_empty() {
            rp.failures.push(format!(
                "[{name}] {} — {} {}\n    {}\n    fake body: {}",
                b.title,
                b.method,
                path,
                diffs.join("\n    "),
                text.chars().take(400).collect::<String>()
            ));
        }
    }
    for (t, why) in STATUS_ONLY {
        if blocks.iter().any(|b| b.title == *t) {
            skipped.push(format!("{t}: (status compared only) {why}"));
        }
    }
    (rp.replayed, rp.failures, skipped)
}

pub(crate) fn compare(
    rp: &mut Replay,
    b: &Block,
    headers: &reqwest::header::HeaderMap,
    text: &str,
    diffs: &mut Vec<String>,
) {
    let get = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let rec = |k: &str| {
        b.headers
            .iter()
            .find(|(kk, _)| kk == k)
            .map(|(_, v)| v.clone())
    };
    if let Some(ct) = rec("content-type") {
        if get("content-type").as_deref() != Some(ct.as_str()) {
            diffs.push(format!(
                "content-type {:?} (recorded {ct:?})",
                get("content-type")
            ));
        }
    }
    for h in ["www-authenticate", "allow", "cache-control", "etag"] {
        if rec(h).is_some() && get(h).is_none() {
            diffs.push(format!("missing header {h}"));
        }
    }
    let count_differs = COUNT_DIFFERS.contains(&b.title.as_str());
    match (rec("total-number"), get("total-number")) {
        (Some(r), Some(f)) if r != f && !count_differs => {
            diffs.push(format!("Total-Number {f} (recorded {r})"))
        }
        (Some(_), None) => diffs.push("missing Total-Number".into()),
        (None, Some(_)) => diffs.push("unexpected Total-Number".into()),
        _ => {}
    }
    // Link: relations (a single recorded line = the last one sent) and URLs modulo host/ids
    let rec_links: Vec<(String, String)> = b
        .headers
        .iter()
        .filter(|(k, _)| k == "link")
        .filter_map(|(_, v)| {
            let (u, rel) = v.split_once(">; rel=\"")?;
            Some((
                rel.trim_end_matches('"').to_string(),
                u.trim_start_matches('<').to_string(),
            ))
        })
        .collect();
    let fake_links: Vec<(String, String)> = headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| {
            let (u, rel) = v.split_once(">; rel=\"")?;
            Some((
                rel.trim_end_matches('"').to_string(),
                u.trim_start_matches('<').to_string(),
            ))
        })
        .collect();
    if !rec_links.is_empty() {
        let expected: Vec<(String, String)> = rec_links
            .iter()
            .map(|(rel, u)| (rel.clone(), rp.map(&u.replace("127.0.0.1:3001", &rp.host))))
            .collect();
        let got: Vec<(String, String)> = if expected.len() == 1 {
            fake_links.last().cloned().into_iter().collect()
        } else {
            fake_links.clone()
        };
        let rels = |v: &[(String, String)]| v.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>();
        if rels(&expected) != rels(&got) {
            diffs.push(format!(
                "Link rels {:?} (recorded {:?})",
                rels(&fake_links),
                rels(&rec_links)
            ));
        } else if !count_differs && expected != got {
            diffs.push(format!("Link URLs {got:?} (expected {expected:?})"));
        }
    } else if !fake_links.is_empty() {
        diffs.push("unexpected Link".into());
    }
    // body
    let rb = b.resp_body.as_str();
    if rb.is_empty() {
        if !text.is_empty() && b.method != "HEAD" {
            diffs.push("unexpected body".into());
        }
        return;
    }
    if rb.contains("... [trimmed") {
        let keys_re = Regex::new(r#""([A-Za-z_]+)":"#).unwrap();
        let fake: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(_) => {
                diffs.push("body is not JSON".into());
                return;
            }
        };
        let mut all_keys = BTreeSet::new();
        collect_keys(&fake, &mut all_keys);
        for c in keys_re.captures_iter(rb) {
            if !all_keys.contains(&c[1]) {
                diffs.push(format!("key {} missing", &c[1]));
            }
        }
        let want = if rb.starts_with('[') {
            "array"
        } else {
            "object"
        };
        let got = if fake.is_array() { "array" } else { "object" };
        if want != got {
            diffs.push(format!("body is {got}, recorded {want}"));
        }
        return;
    }
    match serde_json::from_str::<Value>(rb) {
        Ok(recv) => {
            let fake: Value = match serde_json::from_str(text) {
                Ok(v) => v,
                Err(_) => {
                    diffs.push("body is not JSON".into());
                    return;
                }
            };
            if let Some(code) = recv.get("code").and_then(Value::as_str) {
                if b.status >= 400 && fake["code"].as_str() != Some(code) {
                    diffs.push(format!("code {:?} (recorded {code})", fake["code"]));
                }
            }
            let mut out = Vec::new();
            rp.shape(&recv, &fake, "$", !count_differs, &mut out);
            diffs.extend(out);
            if diffs.is_empty() {
                rp.learn(&recv, &fake);
            }
        }
        Err(_) => {
            if b.status >= 300 && rb.starts_with("Redirecting") {
                return;
            }
            if text.trim() != rb {
                diffs.push(format!("text body {text:?} (recorded {rb:?})"));
            }
        }
    }
}

pub(crate) fn collect_keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.insert(k.clone());
                collect_keys(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_keys(x, out)),
        _ => {}
    }
}

pub(crate) async fn run(name: &str, file: &str, min_replayed: usize) {
    let (replayed, failures, skipped) = replay_file(name, file).await;
    println!(
        "{name}: replayed {replayed} blocks; skipped {}:",
        skipped.len()
    );
    for s in &skipped {
        println!("  - {s}");
    }
    assert!(
        failures.is_empty(),
        "{} of {replayed} replayed blocks differ from the recording:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(replayed >= min_replayed, "only {replayed} blocks replayed");
}
