//! Directory exports too large for one request run as background jobs (issue 18): the
//! export link offers to prepare the file, a job reads every page, and the file is
//! downloaded from the portal when ready.

use std::time::{Duration, Instant};

use super::*;

async fn operator_of(app: &TestApp) -> Browser {
    operator(app).await
}

#[tokio::test]
async fn a_large_export_is_prepared_in_the_background_and_downloaded_whole() {
    let app = common::Spawn::default()
        .env("PORTAL_EXPORT_INLINE_MAX", "150")
        .start()
        .await;
    let b = operator_of(&app).await;
    let st = app.fake.state();
    for i in 0..230 {
        st.create_user(user(
            &format!("Big Export {i:03}"),
            &format!("bigexport_{i:03}"),
            &format!("big{i:03}@export.test"),
        ));
    }
    // A smaller search still downloads at once.
    let resp = b.get("/users/export.csv?q=bigexport_00").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        resp.text().await.unwrap().trim_end().split("\r\n").count(),
        11
    );

    // The whole search: an offer to prepare the file, nothing downloaded yet.
    let resp = b.get("/users/export.csv?q=bigexport").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(
        text_of(&html, "main").contains("230 people match"),
        "{html}"
    );
    assert_eq!(
        attr(
            &html,
            "form[action='/users/exports'] input[name=q]",
            "value"
        )
        .as_deref(),
        Some("bigexport")
    );

    st.set_latency(Duration::from_millis(400));
    st.clear_requests();
    let resp = b.post_form("/users/exports", &[("q", "bigexport")]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = location(&resp);
    let id = page.strip_prefix("/users/exports/").unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{page}");

    // While it runs: a region htmx polls and a refresh link; the download is not there yet.
    let html = b.get(&page).await.text().await.unwrap();
    assert_eq!(
        attr(&html, "#batch-progress", "hx-trigger").as_deref(),
        Some("every 2s")
    );
    assert_eq!(
        attr(&html, "#batch-refresh", "href").as_deref(),
        Some(page.as_str())
    );
    assert!(attr(&html, "#export-download", "href").is_none());
    let early = b.get(&format!("{page}/download")).await;
    assert_eq!(early.status(), StatusCode::SEE_OTHER, "no half file");

    let started = Instant::now();
    let html = loop {
        let html = b.get(&page).await.text().await.unwrap();
        if attr(&html, "#batch-progress", "hx-trigger").is_none() {
            break html;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the export never finished"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    st.set_latency(Duration::ZERO);
    assert!(
        text_of(&html, "#batch-status").contains("230 people"),
        "{html}"
    );
    let download = attr(&html, "#export-download", "href").unwrap();
    assert_eq!(download, format!("{page}/download"));

    // One call for the total, then the three pages, once each.
    let queries = user_queries(&app);
    assert_eq!(
        queries,
        [
            "search=%25bigexport%25&page=1&page_size=1",
            "search=%25bigexport%25&page=1&page_size=100",
            "search=%25bigexport%25&page=2&page_size=100",
            "search=%25bigexport%25&page=3&page_size=100",
        ]
    );

    let resp = b.get(&download).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"users-"));
    let body = resp.text().await.unwrap();
    let lines: Vec<&str> = body.trim_end().split("\r\n").collect();
    assert!(lines[0].starts_with("\u{feff}id,username,name"));
    assert_eq!(lines.len(), 1 + 230);
    let mut usernames: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    usernames.sort();
    usernames.dedup();
    assert_eq!(usernames.len(), 230, "every person once");

    // Asked for once, in the audit trail with the search and the job.
    let entries = audit(&app, "user.export").await;
    assert_eq!(entries.len(), 2);
    assert!(entries
        .iter()
        .any(|e| e.details.contains(&id) && e.details.contains("q=bigexport")));

    // Only operators; a malformed or unknown id names nothing.
    let member = app.sign_in(&app.seed.member_username).await;
    assert_eq!(member.get(&page).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(member.get(&download).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        b.get("/users/exports/nope").await.status(),
        StatusCode::NOT_FOUND
    );
    let unknown = format!("/users/exports/{}", uuid::Uuid::new_v4());
    assert_eq!(b.get(&unknown).await.status(), StatusCode::NOT_FOUND);
}
