//! Large invitation batches run as background jobs (issue 18): the form hands the batch to
//! the job worker and sends the admin to its progress page, which htmx refreshes while the
//! batch runs; at the end the page holds one result per row. The batch survives the portal
//! being killed halfway: it resumes, and nobody gets two invitations.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use fake_logto::{FakeLogto, FakeLogtoConfig};

use super::*;

/// Polls a batch's page until the batch is finished (the page stops asking htmx to poll);
/// returns the finished page.
pub(super) async fn wait_for_batch(b: &Browser, url: &str, within: Duration) -> String {
    let started = Instant::now();
    loop {
        let (status, html) = b.get_text(url).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        if attrs(&html, "#batch-progress", "hx-trigger").is_empty() {
            return html;
        }
        assert!(
            started.elapsed() < within,
            "the batch did not finish in {within:?}: {:?}",
            texts(&html, "#batch-status")
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn is_batch_url(org: &str, url: &str) -> bool {
    url.strip_prefix(&format!("/orgs/{org}/invitations/batches/"))
        .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok())
}

#[tokio::test]
async fn a_large_batch_runs_in_the_background_and_reports_each_row() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    // Slow enough that the batch is still running when its page is first read.
    app.fake.state().set_latency(Duration::from_millis(150));
    let mut emails: Vec<String> = (0..57)
        .map(|i| format!("batch{i:02}@example.com"))
        .collect();
    emails.push("mia.member@acme.test".into());
    emails.push("not-an-address".into());
    emails.push("BATCH00@example.com".into());
    let (status, _) = invite(&b, &org, &emails.join("\n"), &[], "7").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let r = b
        .post_form(
            &format!("/orgs/{org}/invitations"),
            &[("emails", "never@example.com"), ("expiry_days", "7")],
        )
        .await;
    // A small batch is still answered at once, on the form.
    assert_eq!(r.status(), StatusCode::OK);

    let batch_page = {
        let (_, html) = b.get_text(&format!("/orgs/{org}/invitations")).await;
        let links = attrs(&html, "#batches a", "href");
        assert_eq!(
            links.len(),
            1,
            "the invitations page lists the batch: {html}"
        );
        links[0].clone()
    };
    assert!(is_batch_url(&org, &batch_page), "{batch_page}");

    // While it runs: progress, a region htmx polls, and a refresh link without JavaScript.
    let (status, html) = b.get_text(&batch_page).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(attrs(&html, "#batch-bar", "max"), ["60"]);
    assert_eq!(attrs(&html, "#batch-progress", "hx-trigger"), ["every 2s"]);
    assert_eq!(
        attrs(&html, "#batch-progress", "hx-get"),
        [batch_page.as_str()]
    );
    assert_eq!(
        attrs(&html, "#batch-refresh", "href"),
        [batch_page.as_str()]
    );
    let fragment = b.get_htmx(&batch_page).await.text().await.unwrap();
    assert!(
        fragment
            .trim_start()
            .starts_with("<div id=\"batch-progress\""),
        "htmx gets the progress region alone: {fragment}"
    );

    let html = wait_for_batch(&b, &batch_page, Duration::from_secs(60)).await;
    app.fake.state().set_latency(Duration::ZERO);
    assert_eq!(attrs(&html, "#batch-bar", "value"), ["60"]);
    assert!(attrs(&html, "#batch-refresh", "href").is_empty());
    let got = results(&html);
    assert_eq!(got.len(), 60);
    let count = |label: &str| got.iter().filter(|(_, l)| l == label).count();
    assert_eq!(count("Invited"), 57);
    assert_eq!(count("Already a member"), 1);
    assert_eq!(count("Invalid address"), 1);
    assert_eq!(count("Listed twice"), 1);

    // Logto holds exactly one invitation per good row.
    let invitees: Vec<String> = app
        .fake
        .state()
        .invitations_of(&org)
        .into_iter()
        .map(|(_, invitee, _)| invitee)
        .filter(|i| i.starts_with("batch"))
        .collect();
    assert_eq!(invitees.len(), 57);
    // Every row but the repeat is in the audit trail, each naming the batch.
    let job_id = batch_page.rsplit('/').next().unwrap();
    let entries: Vec<_> = audit(&app, "invitation.create")
        .await
        .into_iter()
        .filter(|e| serde_json::from_str::<serde_json::Value>(&e.details).unwrap()["job"] == job_id)
        .collect();
    assert_eq!(entries.len(), 59);
    assert_eq!(entries.iter().filter(|e| e.result == "success").count(), 57);
}

#[tokio::test]
async fn htmx_goes_to_the_batch_page_and_batches_stay_in_their_organization() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let emails: Vec<String> = (0..30).map(|i| format!("hx{i:02}@example.com")).collect();
    let r = b
        .post_htmx(
            &format!("/orgs/{org}/invitations"),
            &[("emails", emails.join("\n").as_str()), ("expiry_days", "7")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let to = r.headers()["hx-redirect"].to_str().unwrap().to_string();
    assert!(is_batch_url(&org, &to), "{to}");
    wait_for_batch(&b, &to, Duration::from_secs(60)).await;

    // The same batch under another organization's address, or a malformed id: not found,
    // even for an operator.
    let op = app.operator().await;
    let globex = app.fake.state().find_org_id_by_name("Globex").unwrap();
    let job_id = to.rsplit('/').next().unwrap();
    let (status, _) = op
        .get_text(&format!("/orgs/{globex}/invitations/batches/{job_id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = op
        .get_text(&format!("/orgs/{org}/invitations/batches/not-a-uuid"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, html) = op.get_text(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        results(&html)
            .iter()
            .filter(|(_, l)| l == "Invited")
            .count(),
        30
    );
}

fn creates(fake: &FakeLogto) -> usize {
    fake.state()
        .api_requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/api/organization-invitations")
        .count()
}

#[tokio::test]
async fn a_500_row_batch_survives_a_restart_and_nobody_is_invited_twice() {
    let fake = FakeLogto::start(FakeLogtoConfig::default()).await;
    let seed = fake.state().seed_demo();
    fake.state().set_email_connector(true);
    let org = fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let port = common::process::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut env = common::process::portal_env(&fake, port);
    // The outgoing budget is not what this test is about: 500 rows at the default
    // 200 calls per 10 s would only make it slow.
    env.insert("PORTAL_LOGTO_RATE_LIMIT", "10000".into());
    let mut first = common::process::start_portal(&env).await;

    let mut b = common::process::signed_in(&base, &fake, "adam_admin", &seed.password).await;
    let (_, html) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    b.csrf = hidden_value(&html, "_csrf");

    // Each Logto answer takes a while after the change is made, so the portal is killed with
    // invitations made in Logto that it has not heard of yet.
    fake.state().set_answer_latency(Duration::from_millis(25));
    let emails: Vec<String> = (0..500)
        .map(|i| format!("restart{i:03}@example.com"))
        .collect();
    let (status, _) = invite(&b, &org, &emails.join("\n"), &[], "7").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    let batch_page = attrs(&html, "#batches a", "href").remove(0);

    let started = Instant::now();
    while creates(&fake) < 150 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the batch never got going"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Killed, not stopped: whatever was in flight is cut off.
    first.kill().unwrap();
    first.wait().unwrap();
    let at_kill = creates(&fake);
    assert!(
        at_kill < 500,
        "the batch finished before the portal was killed"
    );

    let mut second = common::process::start_portal(&env).await;
    let html = wait_for_batch(&b, &batch_page, Duration::from_secs(120)).await;
    second.kill().unwrap();
    second.wait().unwrap();

    // Everyone was invited, once.
    let pending: Vec<String> = fake
        .state()
        .invitations_of(&org)
        .into_iter()
        .filter(|(_, invitee, _)| invitee.starts_with("restart"))
        .map(|(_, invitee, _)| invitee)
        .collect();
    let mut unique = pending.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(pending.len(), 500, "one invitation per row");
    assert_eq!(unique.len(), 500);
    // Nobody got the email twice.
    let mut mailed: HashMap<String, usize> = HashMap::new();
    for m in fake.state().sent_messages() {
        if m.to.starts_with("restart") {
            *mailed.entry(m.to.clone()).or_default() += 1;
        }
    }
    assert!(
        mailed.values().all(|n| *n == 1),
        "an invitation was mailed twice"
    );
    assert!(mailed.len() >= 490, "{} of 500 mailed", mailed.len());
    let got = results(&html);
    assert_eq!(got.len(), 500);
    let not_invited: Vec<_> = got.iter().filter(|(_, l)| l != "Invited").collect();
    assert!(not_invited.is_empty(), "{not_invited:?}");
}

#[tokio::test]
async fn a_batch_stops_when_its_inviter_may_no_longer_invite() {
    // Past the default budget of 200 calls per 10 s the batch would only wait.
    let app = common::Spawn::default()
        .env("PORTAL_LOGTO_RATE_LIMIT", "10000")
        .start()
        .await;
    let (b, org) = admin_on_page(&app).await;
    app.fake.state().set_latency(Duration::from_millis(40));
    let emails: Vec<String> = (0..160)
        .map(|i| format!("gone{i:03}@example.com"))
        .collect();
    let (status, _) = invite(&b, &org, &emails.join("\n"), &[], "7").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The batch has passed its check at the start once its first invitation exists (demoted
    // before that, it would stop at row 0).
    common::until("the batch sends its first invitation", || {
        app.fake
            .state()
            .invitations_of(&org)
            .iter()
            .any(|(_, invitee, _)| invitee.starts_with("gone"))
    })
    .await;
    // The admin is demoted to member in Logto while the batch runs (outside the portal).
    let admin_id = app.user_id(&app.seed.admin_username);
    let member = role_id(&app, "member").await;
    app.state
        .logto
        .set_member_roles(&org, &admin_id, std::slice::from_ref(&member))
        .await
        .unwrap();
    let op = app.operator().await;
    let (_, html) = op.get_text(&format!("/orgs/{org}/invitations")).await;
    let batch_page = attrs(&html, "#batches a", "href").remove(0);
    let html = wait_for_batch(&op, &batch_page, Duration::from_secs(90)).await;
    app.fake.state().set_latency(Duration::ZERO);
    assert!(
        texts(&html, "#batch-status")[0].contains("may no longer invite"),
        "{:?}",
        texts(&html, "#batch-status")
    );
    // It stopped at its next check (every 100 rows): the rest were not sent.
    let invited = app
        .fake
        .state()
        .invitations_of(&org)
        .into_iter()
        .filter(|(_, invitee, _)| invitee.starts_with("gone"))
        .count();
    assert!((99..=104).contains(&invited), "{invited} invited");
    assert_eq!(results(&html).len(), invited);
}
