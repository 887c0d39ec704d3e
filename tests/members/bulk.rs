//! Bulk role changes (issue 18): people ticked in the member table, a role given or taken
//! away, run as a background job whose page htmx refreshes and which ends with one result per
//! person; every row in the audit trail naming the job; the last admin kept.

use std::time::{Duration, Instant};

use super::*;

/// Reads a job's page until the job is finished (the page stops asking htmx to poll).
async fn wait_for_job(b: &Browser, url: &str) -> String {
    let started = Instant::now();
    loop {
        let (status, html) = b.get_text(url).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        if attrs(&html, "#batch-progress", "hx-trigger").is_empty() {
            return html;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the job did not finish: {:?}",
            texts(&html, "#batch-status")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn job_url(org: &str, location: &str) -> String {
    let id = location
        .strip_prefix(&format!("/orgs/{org}/members/batches/"))
        .unwrap_or_else(|| panic!("a job page of {org}: {location}"));
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{location}");
    location.to_string()
}

/// `(name, result label, detail)` of each row of a finished job's page.
fn results(html: &str) -> Vec<(String, String)> {
    texts(html, "#bulk-results .result-name")
        .into_iter()
        .zip(texts(html, "#bulk-results .result-label"))
        .collect()
}

fn details_of(e: &Entry) -> serde_json::Value {
    serde_json::from_str(&e.details).unwrap()
}

fn bulk_query(user_ids: &[&str], change: &str, role_id: &str) -> String {
    let mut q: Vec<(String, String)> = user_ids
        .iter()
        .map(|id| ("user_ids".to_string(), id.to_string()))
        .collect();
    q.push(("change".into(), change.into()));
    q.push(("role_id".into(), role_id.into()));
    q.iter()
        .map(|(k, v)| format!("{k}={}", common::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn a_role_given_to_many_without_javascript_reports_each_person_and_audits_each_row() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Bulk Co", 4);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");

    // The table's checkboxes belong to the bulk form above it, which works as a plain GET.
    assert_eq!(attrs(&html, "form#members-bulk", "method"), ["get"]);
    assert_eq!(
        attrs(&html, "form#members-bulk", "action"),
        [format!("{url}/bulk")]
    );
    let mut ticks = attrs(&html, "input[form=members-bulk][name=user_ids]", "value");
    ticks.sort();
    let mut everyone = org.member_ids.clone();
    everyone.push(org.admin_id.clone());
    everyone.sort();
    assert_eq!(ticks, everyone, "one checkbox per member");

    // Three members, the admin (has it already) and someone who is not a member.
    let outsider = person(&app, "bulk_outsider", "Olga Outsider");
    let chosen = [
        org.member_ids[0].as_str(),
        org.member_ids[1].as_str(),
        org.admin_id.as_str(),
        org.member_ids[2].as_str(),
        outsider.as_str(),
    ];
    let (status, confirm) = b
        .get_text(&format!(
            "{url}/bulk?{}",
            bulk_query(&chosen, "add", &admin_role)
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{confirm}");
    assert_eq!(
        texts(&confirm, "#bulk-question"),
        ["Give the role admin to 5 people?"]
    );
    assert_eq!(attrs(&confirm, "#bulk-confirm", "method"), ["post"]);
    assert_eq!(
        attrs(&confirm, "#bulk-confirm input[name=user_ids]", "value").len(),
        5
    );
    let csrf = attrs(&confirm, "#bulk-confirm input[name=_csrf]", "value");
    assert_eq!(csrf.len(), 1, "the confirmation carries the CSRF token");

    let mut fields: Vec<(&str, &str)> = chosen.iter().map(|id| ("user_ids", *id)).collect();
    fields.push(("change", "add"));
    fields.push(("role_id", &admin_role));
    let r = b.post_form(&format!("{url}/bulk"), &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = job_url(&org.id, &location(&r));

    let html = wait_for_job(&b, &page).await;
    assert_eq!(attrs(&html, "#batch-bar", "value"), ["5"]);
    assert_eq!(attrs(&html, "#batch-bar", "max"), ["5"]);
    assert!(attrs(&html, "#batch-refresh", "href").is_empty());
    let got = results(&html);
    assert_eq!(got.len(), 5, "{got:?}");
    let count = |label: &str| got.iter().filter(|(_, l)| l == label).count();
    assert_eq!(count("Role given"), 3, "{got:?}");
    assert_eq!(count("Already had it"), 1, "{got:?}");
    assert_eq!(count("No longer a member"), 1, "{got:?}");
    assert!(got.contains(&("Paging Member 000".to_string(), "Role given".to_string())));

    for id in &org.member_ids[..3] {
        assert_eq!(
            member_roles(&app, &org.id, id).await.unwrap(),
            ["admin", "member"]
        );
    }
    assert_eq!(
        member_roles(&app, &org.id, &org.member_ids[3])
            .await
            .unwrap(),
        ["member"]
    );
    assert_eq!(member_roles(&app, &org.id, &outsider).await, None);

    // Every row in the trail under the single change's action, naming the job.
    let job_id = page.rsplit('/').next().unwrap();
    let entries: Vec<Entry> = audit(&app, &org.id, "member.roles_change")
        .await
        .into_iter()
        .filter(|e| details_of(e)["job"] == job_id)
        .collect();
    assert_eq!(entries.len(), 5);
    assert_eq!(entries.iter().filter(|e| e.result == "success").count(), 4);
    let refused: Vec<&Entry> = entries.iter().filter(|e| e.result != "success").collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].target_id.as_deref(), Some(outsider.as_str()));
    let given = entries
        .iter()
        .find(|e| e.target_id.as_deref() == Some(org.member_ids[0].as_str()))
        .unwrap();
    let d = details_of(given);
    assert_eq!(d["before"], serde_json::json!(["member"]));
    assert_eq!(d["after"], serde_json::json!(["admin", "member"]));
    assert_eq!(d["bulk"], "add");
    let had = entries
        .iter()
        .find(|e| e.target_id.as_deref() == Some(org.admin_id.as_str()))
        .unwrap();
    assert_eq!(details_of(had)["unchanged"], true);
}

#[tokio::test]
async fn htmx_confirms_in_a_panel_and_goes_to_the_job_page() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Bulk Hx", 2);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    let member_role = role_id(&html, "member");
    assert_eq!(
        attrs(&html, "form#members-bulk", "hx-target"),
        ["#bulk-panel"]
    );

    let chosen = [org.member_ids[0].as_str(), org.member_ids[1].as_str()];
    let r = b
        .get_htmx(&format!(
            "{url}/bulk?{}",
            bulk_query(&chosen, "remove", &member_role)
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let panel = r.text().await.unwrap();
    assert!(
        panel.trim_start().starts_with("<section id=\"bulk-panel\""),
        "htmx gets the panel alone: {panel}"
    );
    assert_eq!(
        texts(&panel, "#bulk-question"),
        ["Take the role member away from 2 people?"]
    );

    // Nobody ticked, no role: the panel says what is missing.
    let r = b
        .get_htmx(&format!("{url}/bulk?change=add&role_id=nope"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let panel = r.text().await.unwrap();
    assert_eq!(
        texts(&panel, "#bulk-error-people"),
        ["Select at least one person in the table."]
    );
    assert_eq!(texts(&panel, "#bulk-error-role").len(), 1);
    assert!(attrs(&panel, "#bulk-confirm", "action").is_empty());

    let mut fields: Vec<(&str, &str)> = chosen.iter().map(|id| ("user_ids", *id)).collect();
    fields.push(("change", "remove"));
    fields.push(("role_id", &member_role));
    let r = b.post_htmx(&format!("{url}/bulk"), &fields).await;
    assert_eq!(r.status(), StatusCode::OK);
    let to = r.headers()["hx-redirect"].to_str().unwrap().to_string();
    let page = job_url(&org.id, &to);
    wait_for_job(&b, &page).await;
    let fragment = b.get_htmx(&page).await.text().await.unwrap();
    assert!(
        fragment
            .trim_start()
            .starts_with("<div id=\"batch-progress\""),
        "htmx gets the progress region alone: {fragment}"
    );
    assert_eq!(texts(&fragment, ".result-label"), ["Role taken away"; 2]);
    for id in &org.member_ids {
        assert_eq!(
            member_roles(&app, &org.id, id).await.unwrap(),
            Vec::<String>::new()
        );
    }
}

#[tokio::test]
async fn taking_admin_from_every_admin_leaves_the_one_who_asked() {
    every_admin_but_one_demoted(common::DbKind::Sqlite).await;
}

/// The same on PostgreSQL, the database replicas share (jobs and the admin lease in it).
#[tokio::test]
async fn taking_admin_from_every_admin_leaves_the_one_who_asked_on_postgres() {
    every_admin_but_one_demoted(common::DbKind::Postgres).await;
}

async fn every_admin_but_one_demoted(db: common::DbKind) {
    let app = common::Spawn::default().db(db).start().await;
    let org = org_with_members(&app, "Bulk Admins", 0);
    let st = app.fake.state();
    let others: Vec<String> = (0..3)
        .map(|i| {
            let uid = person(&app, &format!("bulk_adm_{i}"), &format!("Other Admin {i}"));
            st.add_member(&org.id, &uid, &["admin"]);
            uid
        })
        .collect();
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");

    // The person's own row first in the form: it still runs last.
    let mut chosen = vec![org.admin_id.as_str()];
    chosen.extend(others.iter().map(String::as_str));
    let mut fields: Vec<(&str, &str)> = chosen.iter().map(|id| ("user_ids", *id)).collect();
    fields.push(("change", "remove"));
    fields.push(("role_id", &admin_role));
    let r = b.post_form(&format!("{url}/bulk"), &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = job_url(&org.id, &location(&r));
    let html = wait_for_job(&b, &page).await;

    let got = results(&html);
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(
        got.iter().filter(|(_, l)| l == "Role taken away").count(),
        3
    );
    let me = got
        .iter()
        .find(|(_, l)| l == "Refused")
        .expect("one refusal");
    assert_eq!(
        texts(&html, "#bulk-results .result-detail"),
        [format!(
            "{} is the last admin of this organization. Make someone else an admin first.",
            me.0
        )]
    );
    // Exactly one admin is left: the one who asked.
    assert_eq!(
        member_roles(&app, &org.id, &org.admin_id).await.unwrap(),
        ["admin"]
    );
    for id in &others {
        assert_eq!(
            member_roles(&app, &org.id, id).await.unwrap(),
            Vec::<String>::new()
        );
    }
    let job_id = page.rsplit('/').next().unwrap();
    let refused: Vec<Entry> = audit(&app, &org.id, "member.roles_change")
        .await
        .into_iter()
        .filter(|e| details_of(e)["job"] == job_id && e.result != "success")
        .collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].target_id.as_deref(), Some(org.admin_id.as_str()));
    assert_eq!(refused[0].error_code.as_deref(), Some("last_admin_guard"));
}

#[tokio::test]
async fn a_job_is_found_only_under_its_own_organization() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Bulk Own", 1);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    let member_role = role_id(&html, "member");
    let r = b
        .post_form(
            &format!("{url}/bulk"),
            &[
                ("user_ids", org.member_ids[0].as_str()),
                ("change", "add"),
                ("role_id", member_role.as_str()),
            ],
        )
        .await;
    let page = job_url(&org.id, &location(&r));
    let job_id = page.rsplit('/').next().unwrap().to_string();
    wait_for_job(&b, &page).await;

    // An operator may see both organizations: the job still answers only under its own.
    let other = app.fake.state().create_organization("Bulk Other", None);
    let op = app.operator().await;
    let (status, _) = op.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = op
        .get_text(&format!("/orgs/{other}/members/batches/{job_id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for bad in ["not-a-uuid", "0b0e8b3c-0000-4000-8000-000000000000"] {
        let (status, _) = b
            .get_text(&format!("/orgs/{}/members/batches/{bad}", org.id))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[tokio::test]
async fn a_job_and_a_single_change_at_once_leave_one_admin() {
    use logto_portal::leases::{Lease, LEASE_WAIT};

    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Bulk Race", 2);
    let second = person(&app, "bulk_racer", "Rita Racer");
    app.fake.state().add_member(&org.id, &second, &["admin"]);
    let url = members_url(&org.id);
    let first = signed_in(&app, &app.seed.admin_username, &url).await;
    let rita = signed_in(&app, "bulk_racer", &url).await;
    let (_, html) = first.get_text(&url).await;
    let (admin_role, member_role) = (role_id(&html, "admin"), role_id(&html, "member"));

    // The organization's admin lease is held while both get going: the job taking Rita's admin
    // role away, and Rita (a single change) taking the first admin's away.
    let lease = Lease::acquire(&app.state.db, &format!("org-admins:{}", org.id), LEASE_WAIT)
        .await
        .unwrap();
    let before = app.fake.state().requests().len();
    let r = first
        .post_form(
            &format!("{url}/bulk"),
            &[
                ("user_ids", second.as_str()),
                ("change", "remove"),
                ("role_id", admin_role.as_str()),
            ],
        )
        .await;
    let page = job_url(&org.id, &location(&r));
    let single = {
        let path = format!("{url}/{}/roles", org.admin_id);
        let role = member_role.clone();
        let (client, target) = (rita.client.clone(), rita.url(&path));
        let csrf = rita.csrf.clone().unwrap_or_default();
        tokio::spawn(async move {
            let form = [("role_ids", role), ("_csrf", csrf)];
            client
                .post(target)
                .form(&form)
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    let looked_up = |id: &str| {
        app.fake.state().requests()[before..]
            .iter()
            .any(|r| r.query.contains(id))
    };
    for _ in 0..500 {
        if looked_up(&org.admin_id) && looked_up(&second) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(looked_up(&org.admin_id) && looked_up(&second));
    lease.release().await;
    let single = single.await.unwrap();
    // An operator follows the job: the first admin may be an admin no more.
    let html = wait_for_job(&app.operator().await, &page).await;

    let admins = [&org.admin_id, &second];
    let mut left = 0;
    for id in admins {
        if member_roles(&app, &org.id, id)
            .await
            .unwrap()
            .contains(&"admin".to_string())
        {
            left += 1;
        }
    }
    assert_eq!(left, 1, "exactly one admin left");
    let job_label = results(&html).remove(0).1;
    if single == StatusCode::SEE_OTHER {
        assert_eq!(job_label, "Refused");
    } else {
        assert_eq!(single, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(job_label, "Role taken away");
    }
}

#[tokio::test]
async fn a_job_taken_over_midway_reports_a_change_already_made_once_and_does_not_redo_it() {
    use logto_portal::jobs::{Jobs, NewJob, NewRow, PENDING};

    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Bulk Resume", 0);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");
    let params = serde_json::json!({
        "org_id": org.id, "change": "add", "role_id": admin_role, "role_name": "admin",
        "actor_id": org.admin_id, "is_operator": false,
        "actor": { "id": org.admin_id, "name": "Adam Admin" }, "origin": {},
    });
    // Another replica holds the job: it wrote row 1's step, made the change in Logto, and
    // stopped before finishing the row. (Should the portal's own worker take the job first,
    // it runs it as any job, and another one with new members is tried.)
    let dead = Jobs::new(app.state.db.clone());
    let mut attempt = 0;
    let (job_id, members) = loop {
        attempt += 1;
        let members: Vec<String> = (0..3)
            .map(|i| {
                let uid = person(
                    &app,
                    &format!("resume_{attempt}_{i}"),
                    &format!("Resumed {i}"),
                );
                app.fake.state().add_member(&org.id, &uid, &["member"]);
                uid
            })
            .collect();
        let id = dead
            .enqueue(NewJob {
                kind: "member_roles",
                org_id: Some(org.id.clone()),
                created_by: org.admin_id.clone(),
                params: params.clone(),
                rows: members
                    .iter()
                    .zip(1..)
                    .map(|(id, line)| NewRow {
                        line,
                        input: serde_json::json!({ "user_id": id }),
                    })
                    .collect(),
            })
            .await
            .unwrap();
        match dead.claim_next().await.unwrap() {
            Some(job) if job.id == id => break (id, members),
            _ => {
                wait_for_job(&b, &format!("{url}/batches/{id}")).await;
            }
        }
    };
    let before = serde_json::json!({ "roles": ["member"] });
    assert!(dead
        .advance(&job_id, 1, PENDING, "applying", Some(&before))
        .await
        .unwrap());
    app.fake
        .state()
        .add_member(&org.id, &members[0], &["admin", "member"]);
    app.fake.state().clear_requests();
    dead.give_back(&job_id, Duration::ZERO).await.unwrap();

    let page = format!("{url}/batches/{job_id}");
    let html = wait_for_job(&b, &page).await;
    assert_eq!(
        texts(&html, "#bulk-results .result-label"),
        ["Role given"; 3]
    );
    // Row 1's change was not made again; the others were made once each.
    let puts: Vec<String> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.path)
        .collect();
    assert_eq!(puts.len(), 2, "{puts:?}");
    assert!(!puts.iter().any(|p| p.contains(&members[0])));
    for id in &members {
        assert_eq!(
            member_roles(&app, &org.id, id).await.unwrap(),
            ["admin", "member"]
        );
    }
    // One entry per row, row 1's with the roles it had before the change.
    let entries: Vec<Entry> = audit(&app, &org.id, "member.roles_change")
        .await
        .into_iter()
        .filter(|e| details_of(e)["job"] == job_id.as_str())
        .collect();
    assert_eq!(entries.len(), 3);
    let first = entries
        .iter()
        .find(|e| e.target_id.as_deref() == Some(members[0].as_str()))
        .unwrap();
    assert_eq!(details_of(first)["before"], serde_json::json!(["member"]));
    assert_eq!(
        details_of(first)["after"],
        serde_json::json!(["admin", "member"])
    );
    assert!(details_of(first).get("unchanged").is_none());
}
