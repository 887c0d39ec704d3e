//! The database layer on SQLite and PostgreSQL: migrations, sessions, and the audit trail's
//! hash chain with concurrent writers.

mod common;

use common::{database_url, DbKind};
use logto_portal::audit::{Actor, AuditLog, Filter, NewEntry, Origin, Verification};
use logto_portal::db::Db;
use logto_portal::security::avatar_store;
use tower_sessions::{
    session::{Id, Record},
    SessionStore,
};

async fn fresh(kind: DbKind) -> Db {
    let db = Db::connect(&database_url(kind).await).await.unwrap();
    db.migrate().await.unwrap();
    // Migrations are idempotent.
    db.migrate().await.unwrap();
    db
}

fn actor(n: u32) -> Actor {
    Actor {
        id: Some(format!("user{n}")),
        name: Some(format!("User {n}")),
        email: Some(format!("user{n}@example.com")),
    }
}

async fn sessions_round_trip(kind: DbKind) {
    let db = fresh(kind).await;
    assert!(db.ping().await);
    let store = db.session_store();
    let mut record = Record {
        id: Id::default(),
        data: [("k".to_string(), serde_json::json!("v"))]
            .into_iter()
            .collect(),
        expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc()
            + tower_sessions::cookie::time::Duration::hours(1),
    };
    store.create(&mut record).await.unwrap();
    let loaded = store.load(&record.id).await.unwrap().unwrap();
    assert_eq!(loaded.data["k"], "v");
    store.delete(&record.id).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());
    // Expired sessions are not loaded and are swept.
    let mut old = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc()
            - tower_sessions::cookie::time::Duration::hours(1),
    };
    store.create(&mut old).await.unwrap();
    assert!(store.load(&old.id).await.unwrap().is_none());
    assert_eq!(db.delete_expired_sessions().await.unwrap(), 1);
}

#[tokio::test]
async fn sessions_on_sqlite() {
    sessions_round_trip(DbKind::Sqlite).await;
}

#[tokio::test]
async fn sessions_on_postgres() {
    sessions_round_trip(DbKind::Postgres).await;
}

async fn audit_chain(kind: DbKind) {
    let db = fresh(kind).await;
    let audit = AuditLog::new(db.clone());
    assert_eq!(
        audit.verify().await.unwrap(),
        Verification::Intact { entries: 0 }
    );
    for n in 0..5 {
        audit
            .record(
                NewEntry::new("member.add", actor(n), Origin::default())
                    .target("user", &format!("target{n}"), Some("Someone"))
                    .org(if n % 2 == 0 { "orgA" } else { "orgB" })
                    .details(serde_json::json!({ "roles": ["admin"] })),
            )
            .await
            .unwrap();
    }
    audit
        .record(
            NewEntry::new("member.remove", actor(9), Origin::default())
                .org("orgA")
                .failed("organization.require_membership"),
        )
        .await
        .unwrap();
    assert_eq!(
        audit.verify().await.unwrap(),
        Verification::Intact { entries: 6 }
    );

    // Filters and paging.
    let (rows, total) = audit
        .list(
            &Filter {
                org_id: Some("orgA".into()),
                ..Default::default()
            },
            1,
            2,
        )
        .await
        .unwrap();
    assert_eq!(total, 4);
    assert_eq!(rows.len(), 2);
    assert!(rows[0].id > rows[1].id, "newest first");
    let (_, failures) = audit
        .list(
            &Filter {
                result: Some("failure".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
    assert_eq!(failures, 1);
    let (_, visible) = audit
        .list(
            &Filter {
                org_ids: Some(vec!["orgB".into()]),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
    assert_eq!(visible, 2);
    let (_, by_actor) = audit
        .list(
            &Filter {
                actor: Some("USER3@example.com".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
    assert_eq!(by_actor, 1);

    // The application cannot update entries.
    let update = "UPDATE audit_log SET action = 'x' WHERE id = 2";
    let refused = match &db {
        Db::Sqlite(p) => sqlx::query(update).execute(p).await.is_err(),
        Db::Postgres(p) => sqlx::query(update).execute(p).await.is_err(),
    };
    assert!(refused, "updates are refused by the database");

    // Someone with direct database access edits a row: verify names it.
    match &db {
        Db::Sqlite(p) => {
            sqlx::query("DROP TRIGGER audit_log_no_update")
                .execute(p)
                .await
                .unwrap();
            sqlx::query("UPDATE audit_log SET actor_id = 'mallory' WHERE id = 3")
                .execute(p)
                .await
                .unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
                .execute(p)
                .await
                .unwrap();
            sqlx::query("UPDATE audit_log SET actor_id = 'mallory' WHERE id = 3")
                .execute(p)
                .await
                .unwrap();
        }
    }
    match audit.verify().await.unwrap() {
        Verification::Broken { entry_id, .. } => assert_eq!(entry_id, 3),
        other => panic!("edit not detected: {other:?}"),
    }
}

#[tokio::test]
async fn audit_chain_on_sqlite() {
    audit_chain(DbKind::Sqlite).await;
}

#[tokio::test]
async fn audit_chain_on_postgres() {
    audit_chain(DbKind::Postgres).await;
}

/// Several writers (as several replicas would be) keep one unbroken chain.
async fn concurrent_writers(kind: DbKind) {
    let url = database_url(kind).await;
    let mut logs = Vec::new();
    for _ in 0..3 {
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        logs.push(AuditLog::new(db));
    }
    let mut tasks = Vec::new();
    for (w, log) in logs.iter().enumerate() {
        for n in 0..20u32 {
            let log = log.clone();
            tasks.push(tokio::spawn(async move {
                log.record(NewEntry::new(
                    "test.write",
                    actor(w as u32 * 100 + n),
                    Origin::default(),
                ))
                .await
                .unwrap();
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(logs[0].count().await.unwrap(), 60);
    assert_eq!(
        logs[1].verify().await.unwrap(),
        Verification::Intact { entries: 60 }
    );
}

#[tokio::test]
async fn concurrent_writers_on_sqlite() {
    concurrent_writers(DbKind::Sqlite).await;
}

#[tokio::test]
async fn concurrent_writers_on_postgres() {
    concurrent_writers(DbKind::Postgres).await;
}

#[tokio::test]
async fn retention_prunes_by_age_and_records_it() {
    let db = fresh(DbKind::Sqlite).await;
    let audit = AuditLog::new(db.clone());
    for n in 0..3 {
        audit
            .record(NewEntry::new("test.write", actor(n), Origin::default()))
            .await
            .unwrap();
    }
    // Age the first two entries by 40 days (bypassing the trigger the way an old row would be).
    if let Db::Sqlite(p) = &db {
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(p)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET occurred_at = occurred_at - 3456000000 WHERE id <= 2")
            .execute(p)
            .await
            .unwrap();
    }
    assert_eq!(audit.prune_older_than(30).await.unwrap(), 2);
    let (rows, total) = audit.list(&Filter::default(), 1, 10).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(rows[0].action, "audit.prune");
    assert!(rows[0].details.contains("\"removed\":2"));
    // The kept part of the chain still verifies.
    assert_eq!(
        audit.verify().await.unwrap(),
        Verification::Intact { entries: 2 }
    );
}

async fn attempt_limits(kind: DbKind) {
    use logto_portal::limits::{Limiter, CODE_COOLDOWN, CURRENT_PASSWORD};
    let limiter = Limiter::new(fresh(kind).await, logto_portal::clock::Clock::system());
    // Thirty reservations released at once: exactly the limit is granted.
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(30));
    let tasks: Vec<_> = (0..30)
        .map(|_| {
            let limiter = limiter.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                limiter
                    .reserve(&CURRENT_PASSWORD, "user-1")
                    .await
                    .unwrap()
                    .is_granted()
            })
        })
        .collect();
    let mut granted = 0;
    for t in tasks {
        granted += usize::from(t.await.unwrap());
    }
    assert_eq!(granted, CURRENT_PASSWORD.attempts as usize);
    let wait = limiter
        .wait(&CURRENT_PASSWORD, "user-1")
        .await
        .unwrap()
        .expect("used up");
    assert!(wait <= CURRENT_PASSWORD.window);
    // A window that has ended is cleaned up.
    limiter
        .reserve_at(&CODE_COOLDOWN, "user-2", 1_000)
        .await
        .unwrap();
    assert_eq!(limiter.delete_expired().await.unwrap(), 1);
    assert!(limiter
        .wait(&CURRENT_PASSWORD, "user-1")
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn attempt_limits_on_sqlite() {
    attempt_limits(DbKind::Sqlite).await;
}

#[tokio::test]
async fn attempt_limits_on_postgres() {
    attempt_limits(DbKind::Postgres).await;
}

/// A 300×200 PNG: left half green, right half white.
fn upload_png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(300, 200, |x, _| {
        if x < 150 {
            image::Rgb([0, 160, 0])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// Avatars kept by the portal: stored once per content, served publicly with long caching.
async fn stored_avatars(kind: DbKind) {
    let app = common::Spawn::default().db(kind).start().await;
    let db = &app.state.db;
    let hash = avatar_store::store(db, &upload_png(), 1).await.unwrap();
    assert_eq!(hash.len(), 64);
    assert_eq!(
        avatar_store::store(db, &upload_png(), 2).await.unwrap(),
        hash,
        "the same image is the same address"
    );
    for size in avatar_store::SIZES {
        let png = avatar_store::load(db, &hash, size).await.unwrap().unwrap();
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!((img.width(), img.height()), (size, size));

        let r = reqwest::get(format!("{}{}", app.url, avatar_store::path(&hash, size)))
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "anonymous, like Logto's storage URLs");
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(r.bytes().await.unwrap().as_ref(), png.as_slice());
    }
    assert!(avatar_store::load(db, &hash, 128).await.unwrap().is_none());
    let unknown = "0".repeat(64);
    for path in [
        format!("/avatars/u/{unknown}-256.png"),
        format!("/avatars/u/{hash}-128.png"),
        format!("/avatars/u/{hash}.png"),
        "/avatars/u/..%2F..%2Fetc-256.png".to_string(),
    ] {
        let r = reqwest::get(format!("{}{path}", app.url)).await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn stored_avatars_on_sqlite() {
    stored_avatars(DbKind::Sqlite).await;
}

#[tokio::test]
async fn stored_avatars_on_postgres() {
    stored_avatars(DbKind::Postgres).await;
}
