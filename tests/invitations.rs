//! Organization invitations (issue 5), through real HTTP against the fake Logto: inviting one
//! or many (typed and CSV), with and without an email connector, the list, resend, revoke,
//! delete, and acceptance on the invitee's landing page.

mod common;

use common::{attrs, location, texts};

use common::{hidden_value, Browser, TestApp};
use logto_portal::audit::{Entry, Filter};
use logto_portal::logto::{Invitation, InvitationFilter, InvitationStatus, MemberQuery};
use reqwest::StatusCode;

const DAY_MS: i64 = 86_400_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn acme(app: &TestApp) -> String {
    app.fake.state().find_org_id_by_name("Acme Corp").unwrap()
}

async fn role_id(app: &TestApp, name: &str) -> String {
    app.state
        .logto
        .list_org_roles()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == name)
        .unwrap()
        .id
}

async fn invitations(app: &TestApp, org: &str, invitee: Option<&str>) -> Vec<Invitation> {
    app.state
        .logto
        .list_invitations(&InvitationFilter {
            organization_id: Some(org.to_string()),
            invitee: invitee.map(str::to_string),
            ..Default::default()
        })
        .await
        .unwrap()
}

async fn audit(app: &TestApp, action: &str) -> Vec<Entry> {
    app.state
        .audit
        .list(
            &Filter {
                action: Some(action.into()),
                ..Default::default()
            },
            1,
            1000,
        )
        .await
        .unwrap()
        .0
}

/// The admin of Acme on the invitations page, with the page's CSRF token.
async fn admin_on_page(app: &TestApp) -> (Browser, String) {
    let mut b = app.admin().await;
    let org = acme(app);
    let (status, html) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    b.csrf = hidden_value(&html, "_csrf");
    assert!(b.csrf.is_some(), "the page carries a CSRF token");
    (b, org)
}

/// Posts the invite form as a plain (urlencoded) form.
async fn invite(
    b: &Browser,
    org: &str,
    emails: &str,
    roles: &[&str],
    days: &str,
) -> (StatusCode, String) {
    let mut fields: Vec<(&str, &str)> = vec![("emails", emails), ("expiry_days", days)];
    for r in roles {
        fields.push(("roles", r));
    }
    let r = b
        .post_form(&format!("/orgs/{org}/invitations"), &fields)
        .await;
    let status = r.status();
    (status, r.text().await.unwrap())
}

/// Result rows as `(email, label)`.
fn results(html: &str) -> Vec<(String, String)> {
    let emails = texts(html, "#invite-results-table .result-email");
    let labels = texts(html, "#invite-results-table .result-label");
    emails.into_iter().zip(labels).collect()
}

/// A multipart body as browsers send it (reqwest's multipart feature is not enabled here).
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----portal-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some((filename, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

enum Login<'a> {
    SignIn {
        identifier: &'a str,
        password: &'a str,
    },
    Register {
        email: &'a str,
        password: &'a str,
    },
}

/// Follows a portal `/sign-in?…` address through the fake Logto's form and back through the
/// callback, in this browser (so its session keeps what the portal stored before). Returns
/// where the callback sends the browser, and the sign-in request the fake received.
async fn through_logto(
    app: &TestApp,
    b: &Browser,
    sign_in_path: &str,
    login: Login<'_>,
) -> (String, String) {
    let start = b.client.get(b.url(sign_in_path)).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let authorize = location(&start);
    let form = b.client.get(&authorize).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let html = form.text().await.unwrap();
    let interaction = hidden_value(&html, "interaction").expect("fake Logto form");
    let submitted = match login {
        Login::SignIn {
            identifier,
            password,
        } => b
            .client
            .post(format!("{}/oidc/auth/submit", app.fake.url()))
            .form(&[
                ("interaction", interaction.as_str()),
                ("identifier", identifier),
                ("password", password),
            ])
            .send()
            .await
            .unwrap(),
        Login::Register { email, password } => {
            // The register screen was shown, with the invited address filled in.
            assert_eq!(
                attrs(&html, "#email", "value"),
                [email.to_string()],
                "{html}"
            );
            b.client
                .post(format!("{}/oidc/auth/register", app.fake.url()))
                .form(&[
                    ("interaction", interaction.as_str()),
                    ("email", email),
                    ("username", ""),
                    ("password", password),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    assert!(
        submitted.status().is_redirection(),
        "fake Logto accepted the form"
    );
    let callback = b.client.get(location(&submitted)).send().await.unwrap();
    assert_eq!(callback.status(), StatusCode::SEE_OTHER);
    (location(&callback), authorize)
}

fn new_user(app: &TestApp, username: &str, email: &str) -> String {
    app.fake.state().create_user(fake_logto::NewUser {
        username: Some(username.into()),
        primary_email: Some(email.into()),
        name: Some(format!("{username} person")),
        password: Some(app.seed.password.clone()),
        ..Default::default()
    })
}

// ---------------------------------------------------------------------------------------
// Inviting

#[tokio::test]
async fn single_invitation_without_connector_gives_a_link_to_share() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let member = role_id(&app, "member").await;
    let admin_role = role_id(&app, "admin").await;
    app.fake.state().clear_requests();

    let before = now_ms();
    let (status, html) = invite(
        &b,
        &org,
        "Newcomer@Example.com",
        &[&member, &admin_role],
        "10",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        results(&html),
        [("newcomer@example.com".to_string(), "Invited".to_string())]
    );

    // Created in Logto with the roles, the inviter and the chosen expiry; not emailed.
    let created = invitations(&app, &org, Some("newcomer@example.com")).await;
    assert_eq!(created.len(), 1);
    let inv = &created[0];
    assert_eq!(inv.status, InvitationStatus::Pending);
    assert_eq!(
        inv.inviter_id.as_deref(),
        Some(app.user_id(&app.seed.admin_username).as_str())
    );
    let mut roles: Vec<_> = inv
        .organization_roles
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    roles.sort();
    assert_eq!(roles, ["admin", "member"]);
    assert!(
        (inv.expires_at - (before + 10 * DAY_MS)).abs() < 60_000,
        "expiry is 10 days out"
    );
    assert!(app.fake.state().sent_messages().is_empty());

    // The page says clearly that Logto cannot email, and shows the link to copy.
    let link = format!("{}/invitations/{}", app.url, inv.id);
    assert_eq!(texts(&html, "#no-connector").len(), 1, "{html}");
    // In plain words: no backend names, and what to do instead.
    let no_connector = &texts(&html, "#no-connector")[0];
    assert!(
        no_connector.contains("send it to them yourself"),
        "{no_connector}"
    );
    assert!(!no_connector.contains("Logto") && !no_connector.contains("connector"));
    assert_eq!(
        attrs(
            &html,
            "#invite-results-table input.invitation-link",
            "value"
        ),
        [link.as_str()]
    );
    assert_eq!(
        texts(&html, "#invite-links"),
        [format!("newcomer@example.com,{link}")]
    );
    assert!(attrs(&html, "button[data-copy='#invite-links']", "data-copy").len() == 1);

    // One create, one (refused) message attempt; the invitation was kept.
    let calls: Vec<String> = app
        .fake
        .state()
        .api_requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        calls,
        [
            "/api/organization-invitations".to_string(),
            format!("/api/organization-invitations/{}/message", inv.id)
        ]
    );

    // Audited with the admin as actor.
    let entries = audit(&app, "invitation.create").await;
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e.result, "success");
    assert_eq!(e.target_id.as_deref(), Some(inv.id.as_str()));
    assert_eq!(e.org_id.as_deref(), Some(org.as_str()));
    assert_eq!(
        e.actor_id.as_deref(),
        Some(app.user_id(&app.seed.admin_username).as_str())
    );
    assert!(e.details.contains("no_connector"), "{}", e.details);

    // The list shows the new invitation, pending, with its link.
    let (_, list) = b
        .get_text(&format!("/orgs/{org}/invitations?q=newcomer"))
        .await;
    assert_eq!(
        texts(&list, "#invitations .invitee"),
        ["newcomer@example.com"]
    );
    assert_eq!(texts(&list, "#invitations .status"), ["Pending"]);
    assert_eq!(attrs(&list, &format!("#link-{}", inv.id), "value"), [link]);
    assert!(texts(&list, "#invitations .expires")[0].contains("in 10 days"));
}

#[tokio::test]
async fn no_connector_is_detected_once_per_process() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    // Before anything was tried the page cannot know, and says nothing.
    let (_, html) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    assert!(texts(&html, "#no-connector").is_empty());

    app.fake.state().clear_requests();
    let (status, html) = invite(
        &b,
        &org,
        "one@example.com\ntwo@example.com\nthree@example.com",
        &[],
        "7",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        results(&html)
            .iter()
            .filter(|(_, l)| l == "Invited")
            .count(),
        3
    );
    let message_calls = |app: &TestApp| {
        app.fake
            .state()
            .api_requests()
            .iter()
            .filter(|r| r.path.ends_with("/message"))
            .count()
    };
    assert_eq!(message_calls(&app), 1, "only the first row tried to email");
    assert_eq!(
        attrs(
            &html,
            "#invite-results-table input.invitation-link",
            "value"
        )
        .len(),
        3
    );

    // A later batch skips the doomed attempt altogether, and the page keeps saying why.
    app.fake.state().clear_requests();
    let (_, html) = invite(&b, &org, "four@example.com", &[], "7").await;
    assert_eq!(
        results(&html),
        [("four@example.com".to_string(), "Invited".to_string())]
    );
    assert_eq!(message_calls(&app), 0);
    let (_, page) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    assert_eq!(texts(&page, "#no-connector").len(), 1);
    assert_eq!(
        invitations(&app, &org, Some("four@example.com"))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn connector_path_emails_the_acceptance_link() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let (b, org) = admin_on_page(&app).await;
    let member = role_id(&app, "member").await;

    let (status, html) = invite(&b, &org, "mailed@example.com", &[&member], "7").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        results(&html),
        [("mailed@example.com".to_string(), "Invited".to_string())]
    );
    assert!(texts(&html, "#invite-results-table td")
        .iter()
        .any(|t| t.contains("Invitation email sent")));
    assert!(texts(&html, "#no-connector").is_empty());
    assert!(
        texts(&html, "#invite-links").is_empty(),
        "nothing to share by hand"
    );

    let inv = invitations(&app, &org, Some("mailed@example.com"))
        .await
        .remove(0);
    let sent = app.fake.state().sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "mailed@example.com");
    assert_eq!(
        sent[0].kind,
        fake_logto::MessageKind::OrganizationInvitation
    );
    assert_eq!(
        sent[0].payload["link"],
        format!("{}/invitations/{}", app.url, inv.id)
    );
    assert_eq!(sent[0].payload["organization"]["name"], "Acme Corp");
    assert_eq!(sent[0].payload["inviter"]["name"], "Adam Admin");
    assert_eq!(
        sent[0].payload["locale"], "en",
        "the email goes out in the inviter's language"
    );

    let entries = audit(&app, "invitation.create").await;
    assert!(
        entries[0].details.contains("\"email\":\"sent\""),
        "{}",
        entries[0].details
    );
}

#[tokio::test]
async fn bulk_invitations_give_one_result_per_row() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let member = role_id(&app, "member").await;
    let emails = "fresh.one@example.com, mia.member@acme.test\n\
                  new.hire@acme.test\n\
                  not-an-address\n\
                  FRESH.ONE@example.com\n\
                  fresh.two@example.com;late.reply@acme.test o'@example.com";
    let (status, html) = invite(&b, &org, emails, &[&member], "7").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let got = results(&html);
    let expect = [
        ("fresh.one@example.com", "Invited"),
        ("mia.member@acme.test", "Already a member"),
        ("new.hire@acme.test", "Already invited"),
        ("not-an-address", "Invalid address"),
        ("fresh.one@example.com", "Listed twice"),
        ("fresh.two@example.com", "Invited"),
        // Its earlier invitation expired: a new one can be sent.
        ("late.reply@acme.test", "Invited"),
        // Looks fine to the portal, Logto refuses it.
        ("o'@example.com", "Invalid address"),
    ];
    assert_eq!(
        got,
        expect
            .iter()
            .map(|(e, l)| (e.to_string(), l.to_string()))
            .collect::<Vec<_>>()
    );
    assert!(texts(&html, "#invite-results .summary")
        .iter()
        .any(|s| s.contains("Invited: 3")));

    // Exactly the good rows exist in Logto, and nothing else changed.
    for email in ["fresh.one@example.com", "fresh.two@example.com"] {
        assert_eq!(
            invitations(&app, &org, Some(email)).await.len(),
            1,
            "{email}"
        );
    }
    assert_eq!(
        invitations(&app, &org, Some("new.hire@acme.test"))
            .await
            .len(),
        1
    );
    assert_eq!(
        invitations(&app, &org, Some("late.reply@acme.test"))
            .await
            .len(),
        2
    );

    // Every row but the repeat is in the audit trail, refusals with their reason.
    let entries = audit(&app, "invitation.create").await;
    assert_eq!(entries.len(), 7);
    let mut codes: Vec<String> = entries
        .iter()
        .filter_map(|e| e.error_code.clone())
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "already_invited",
            "guard.invalid_input",
            "invalid_address",
            "request.invalid_input"
        ]
    );
}

#[tokio::test]
async fn csv_upload_takes_roles_per_row() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let member = role_id(&app, "member").await;
    let csv = "email,roles\n\
               csv.admin@example.com,admin\n\
               csv.both@example.com,\"admin,member\"\n\
               csv.default@example.com,\n\
               csv.ghost@example.com,owner\n\
               broken,member\n";
    // The page's form sends its token as a part of the body, as a browser does.
    let csrf = b.csrf.clone().unwrap();
    let (content_type, body) = multipart(
        &[
            ("_csrf", &csrf),
            ("emails", ""),
            ("roles", &member),
            ("expiry_days", "3"),
        ],
        Some(("people.csv", csv.as_bytes())),
    );
    let r = b
        .client
        .post(b.url(&format!("/orgs/{org}/invitations")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let got = results(&html);
    assert_eq!(
        got.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>(),
        [
            "Invited",
            "Invited",
            "Invited",
            "Unknown role",
            "Invalid address"
        ]
    );
    assert_eq!(
        texts(&html, "#invite-results-table td:first-child .result-line"),
        ["2", "3", "4", "5", "6"]
    );
    let roles_of = |list: Vec<Invitation>| {
        let mut r: Vec<String> = list[0]
            .organization_roles
            .iter()
            .map(|r| r.name.clone())
            .collect();
        r.sort();
        r
    };
    assert_eq!(
        roles_of(invitations(&app, &org, Some("csv.admin@example.com")).await),
        ["admin"]
    );
    assert_eq!(
        roles_of(invitations(&app, &org, Some("csv.both@example.com")).await),
        ["admin", "member"]
    );
    assert_eq!(
        roles_of(invitations(&app, &org, Some("csv.default@example.com")).await),
        ["member"]
    );
    assert!(invitations(&app, &org, Some("csv.ghost@example.com"))
        .await
        .is_empty());
    let expires = invitations(&app, &org, Some("csv.admin@example.com")).await[0].expires_at;
    assert!((expires - (now_ms() + 3 * DAY_MS)).abs() < 60_000);
    let entries = audit(&app, "invitation.create").await;
    assert!(entries
        .iter()
        .all(|e| e.details.contains("\"source\":\"csv\"")));

    // A file that cannot be read is a field message, and nothing is sent.
    let (content_type, body) = multipart(
        &[("_csrf", &csrf), ("expiry_days", "7")],
        Some(("bad.csv", b"email\n\"open,admin\n")),
    );
    let r = b
        .client
        .post(b.url(&format!("/orgs/{org}/invitations")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        texts(&html, "#invite-file-error")[0].contains("Line 2"),
        "{html}"
    );
    assert_eq!(attrs(&html, "#invite-file", "aria-invalid"), ["true"]);

    // Without the token, the upload is refused; a token in the address does not count
    // (it would stay in the address bar, the history and the logs).
    for path in [
        format!("/orgs/{org}/invitations"),
        format!("/orgs/{org}/invitations?_csrf={csrf}"),
    ] {
        let (content_type, body) =
            multipart(&[("expiry_days", "7")], Some(("p.csv", b"x@example.com\n")));
        let r = b
            .client
            .post(b.url(&path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert!(invitations(&app, &org, Some("x@example.com"))
        .await
        .is_empty());
}

#[tokio::test]
async fn bad_input_rerenders_the_form_with_messages() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let (status, html) = invite(&b, &org, "  ", &["no-such-role"], "0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&html, "#invite-emails-error").len(), 1);
    assert_eq!(texts(&html, "#invite-roles-error").len(), 1);
    assert_eq!(texts(&html, "#invite-expiry-error").len(), 1);
    assert_eq!(attrs(&html, "#invite-expiry", "aria-invalid"), ["true"]);

    let many: Vec<String> = (0..501).map(|i| format!("p{i}@example.com")).collect();
    let (status, html) = invite(&b, &org, &many.join("\n"), &[], "7").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        texts(&html, "#invite-emails-error")[0].contains("501"),
        "{html}"
    );
    // What was typed is kept.
    assert!(texts(&html, "#invite-emails")[0].contains("p500@example.com"));
    assert!(audit(&app, "invitation.create").await.is_empty());

    // htmx gets the card alone, still with the messages.
    let r = b
        .post_htmx(
            &format!("/orgs/{org}/invitations"),
            &[("emails", ""), ("expiry_days", "7")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.trim_start()
            .starts_with("<section class=\"card\" id=\"invite-card\""),
        "{html}"
    );
}

#[tokio::test]
async fn logto_failures_are_rows_not_a_lost_batch() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    // Slow Logto down so the first create can be caught in flight, then make it fail as if
    // Logto were overloaded; the rows after it go through.
    app.fake
        .state()
        .set_latency(std::time::Duration::from_millis(300));
    app.fake.state().clear_requests();
    let path = format!("/orgs/{org}/invitations");
    let post = b.post_htmx(
        &path,
        &[
            ("emails", "a.one@example.com\nb.two@example.com"),
            ("expiry_days", "7"),
        ],
    );
    let fault = async {
        for _ in 0..500 {
            let creating = app
                .fake
                .state()
                .api_requests()
                .iter()
                .any(|r| r.method == "POST" && r.path == "/api/organization-invitations");
            if creating {
                app.fake.state().fail_next_api(1, 500);
                app.fake.state().set_latency(std::time::Duration::ZERO);
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        panic!("the batch never reached Logto");
    };
    let (r, ()) = tokio::join!(post, fault);
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    // The table comes along (out of band) and lists the new invitation.
    assert_eq!(
        attrs(&html, "#invitations-view", "hx-swap-oob"),
        ["true"],
        "the table reloads itself"
    );
    assert!(texts(&html, "#invitations .invitee").contains(&"b.two@example.com".to_string()));
    assert_eq!(
        results(&html),
        [
            ("a.one@example.com".to_string(), "Not invited".to_string()),
            ("b.two@example.com".to_string(), "Invited".to_string())
        ]
    );
    // The failed row is back in the box, ready to send again; the other was kept.
    assert_eq!(texts(&html, "#invite-emails"), ["a.one@example.com"]);
    assert!(invitations(&app, &org, Some("a.one@example.com"))
        .await
        .is_empty());
    assert_eq!(
        invitations(&app, &org, Some("b.two@example.com"))
            .await
            .len(),
        1
    );
    let failed: Vec<_> = audit(&app, "invitation.create")
        .await
        .into_iter()
        .filter(|e| e.result == "failure")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].error_code.as_deref(), Some("http_500"));
}

#[tokio::test]
async fn bulk_rows_go_out_a_few_at_a_time() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let latency = 50;
    app.fake
        .state()
        .set_latency(std::time::Duration::from_millis(latency));
    app.fake.state().clear_requests();
    let emails: Vec<String> = (0..60).map(|i| format!("wave{i:02}@example.com")).collect();
    let (status, html) = invite(&b, &org, &emails.join("\n"), &[], "7").await;
    app.fake.state().set_latency(std::time::Duration::ZERO);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        results(&html)
            .iter()
            .filter(|(_, l)| l == "Invited")
            .count(),
        60
    );
    // Each create takes `latency` ms at the fake: creates that arrive within a shorter window
    // were in flight together. Never more than four at once, and more than one.
    let arrivals: Vec<i64> = app
        .fake
        .state()
        .api_requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/api/organization-invitations")
        .map(|r| r.at_ms)
        .collect();
    assert_eq!(arrivals.len(), 60);
    let busiest = arrivals
        .iter()
        .map(|start| {
            arrivals
                .iter()
                .filter(|t| **t >= *start && **t < start + latency as i64 - 5)
                .count()
        })
        .max()
        .unwrap();
    assert!(
        (2..=4).contains(&busiest),
        "{busiest} creates in flight at once"
    );
}

// ---------------------------------------------------------------------------------------
// The list

#[tokio::test]
async fn list_shows_status_expiry_and_filters() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let (status, html) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    assert_eq!(status, StatusCode::OK);
    let invitees = texts(&html, "#invitations .invitee");
    let statuses = texts(&html, "#invitations .status");
    let status_of =
        |email: &str| statuses[invitees.iter().position(|e| e == email).unwrap()].clone();
    assert_eq!(status_of("new.hire@acme.test"), "Pending");
    // Stored as Pending, past its expiry: Expired.
    assert_eq!(status_of("late.reply@acme.test"), "Expired");
    assert_eq!(status_of("changed.mind@acme.test"), "Revoked");
    assert_eq!(status_of("mia.member@acme.test"), "Accepted");
    // Only Acme's invitations.
    assert!(!invitees.iter().any(|e| e.contains("globex")));
    // Inviter by name, times relative with the absolute one beside.
    assert!(texts(&html, "#invitations tbody tr")
        .iter()
        .all(|r| r.contains("Adam Admin")));
    let expires = texts(&html, "#invitations .expires");
    let row = |email: &str| invitees.iter().position(|e| e == email).unwrap();
    assert!(
        expires[row("new.hire@acme.test")].starts_with("in 7 days"),
        "{expires:?}"
    );
    assert!(
        expires[row("late.reply@acme.test")].starts_with("1 day ago"),
        "{expires:?}"
    );
    assert!(expires[row("new.hire@acme.test")].contains(" UTC"));
    assert_eq!(
        attrs(&html, "#invitations .expires time", "datetime").len(),
        invitees.len()
    );
    // Actions only where the status allows them.
    let pending_row = texts(
        &html,
        &format!(
            "#invitations tbody tr:nth-child({})",
            row("new.hire@acme.test") + 1
        ),
    );
    assert!(pending_row[0].contains("Resend") && pending_row[0].contains("Revoke"));
    assert!(!pending_row[0].contains("Delete"));
    let accepted_row = texts(
        &html,
        &format!(
            "#invitations tbody tr:nth-child({})",
            row("mia.member@acme.test") + 1
        ),
    );
    assert!(!accepted_row[0].contains("Resend") && !accepted_row[0].contains("Delete"));

    // Status filter with counts, search by email.
    let (_, html) = b
        .get_text(&format!("/orgs/{org}/invitations?status=expired"))
        .await;
    assert_eq!(
        texts(&html, "#invitations .invitee"),
        ["late.reply@acme.test"]
    );
    assert!(texts(&html, "#invitations-status option[selected]")[0].starts_with("Expired (1)"));
    let (_, html) = b
        .get_text(&format!("/orgs/{org}/invitations?q=CONTRACTOR"))
        .await;
    assert_eq!(
        texts(&html, "#invitations .invitee"),
        ["contractor@example.test"]
    );
    let (_, html) = b
        .get_text(&format!("/orgs/{org}/invitations?q=nobody-matches"))
        .await;
    assert_eq!(texts(&html, "#invitations-empty").len(), 1);

    // htmx asks for the table alone.
    let r = b
        .get_htmx(&format!("/orgs/{org}/invitations?status=pending"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let fragment = r.text().await.unwrap();
    assert!(!fragment.contains("<html"));
    assert_eq!(
        texts(&fragment, "#invitations .status")
            .iter()
            .filter(|s| *s != "Pending")
            .count(),
        0
    );
}

#[tokio::test]
async fn the_portal_pages_logto_s_unpaginated_list() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let emails: Vec<String> = (0..25)
        .map(|i| format!("pager{i:02}@example.com"))
        .collect();
    let (status, _) = invite(&b, &org, &emails.join("\n"), &[], "7").await;
    assert_eq!(status, StatusCode::OK);
    app.fake.state().clear_requests();
    let (_, page1) = b
        .get_text(&format!("/orgs/{org}/invitations?q=pager&page_size=20"))
        .await;
    let (_, page2) = b
        .get_text(&format!(
            "/orgs/{org}/invitations?q=pager&page=2&page_size=20"
        ))
        .await;
    assert_eq!(texts(&page1, "#invitations .invitee").len(), 20);
    assert_eq!(texts(&page2, "#invitations .invitee").len(), 5);
    assert!(texts(&page2, ".pager .summary")[0].contains("21–25 of 25"));
    // Logto got no paging parameters (it has none for this list); the portal did the paging.
    let lists: Vec<_> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/api/organization-invitations")
        .collect();
    assert!(!lists.is_empty());
    assert!(
        lists
            .iter()
            .all(|r| r.query == format!("organizationId={org}")),
        "{:?}",
        lists[0].query
    );
    // A page past the end shows the last one.
    let (_, past) = b
        .get_text(&format!(
            "/orgs/{org}/invitations?q=pager&page=9&page_size=20"
        ))
        .await;
    assert_eq!(texts(&past, "#invitations .invitee").len(), 5);
}

#[tokio::test]
async fn only_the_organization_s_admins_reach_its_invitations() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let globex = app.fake.state().find_org_id_by_name("Globex").unwrap();
    let mut admin = app.admin().await;
    let (status, _) = admin.get_text(&format!("/orgs/{globex}/invitations")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let member = app.member().await;
    let (status, _) = member.get_text(&format!("/orgs/{org}/invitations")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let anonymous = app.browser();
    let r = anonymous.get(&format!("/orgs/{org}/invitations")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/sign-in"));

    // An Acme admin cannot act on another organization's invitation through Acme's address.
    let globex_invitation = invitations(&app, &globex, Some("partner@globex.test"))
        .await
        .remove(0);
    let (_, html) = admin.get_text(&format!("/orgs/{org}/invitations")).await;
    admin.csrf = hidden_value(&html, "_csrf");
    let r = admin
        .post_form(
            &format!("/orgs/{org}/invitations/{}/revoke", globex_invitation.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        invitations(&app, &globex, Some("partner@globex.test")).await[0].status,
        InvitationStatus::Pending
    );
    // The operator administers every organization.
    let operator = app.operator().await;
    let (status, html) = operator
        .get_text(&format!("/orgs/{globex}/invitations"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(texts(&html, "#invitations .invitee").contains(&"partner@globex.test".to_string()));
}

// ---------------------------------------------------------------------------------------
// Resend, revoke, delete

#[tokio::test]
async fn resend_revoke_and_delete_follow_the_status() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let (b, org) = admin_on_page(&app).await;
    let pending = invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .remove(0);
    let accepted = invitations(&app, &org, Some("mia.member@acme.test"))
        .await
        .remove(0);
    let back = format!("/orgs/{org}/invitations?status=pending");

    // Resend: Logto sends the message again, with the link.
    let r = b
        .post_form(
            &format!("/orgs/{org}/invitations/{}/resend", pending.id),
            &[("back", &back)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), back, "back to the list with its filters");
    let sent = app.fake.state().sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "new.hire@acme.test");
    assert_eq!(
        sent[0].payload["link"],
        format!("{}/invitations/{}", app.url, pending.id)
    );
    let (_, html) = b.get_text(&back).await;
    assert!(texts(&html, "#alerts .alert-success")[0].contains("new.hire@acme.test"));

    // Revoke (htmx): the table comes back with the message for the alert region.
    let r = b
        .post_htmx(
            &format!("/orgs/{org}/invitations/{}/revoke", pending.id),
            &[("back", &back)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let fragment = r.text().await.unwrap();
    // The message sits above the table it changed, not at the top of the page.
    assert!(!fragment.contains("hx-swap-oob"));
    assert!(texts(&fragment, "#invitations-view > .alert-success")[0].contains("revoked"));
    assert!(
        !texts(&fragment, "#invitations .invitee").contains(&"new.hire@acme.test".to_string()),
        "the pending filter no longer shows it"
    );
    assert_eq!(
        invitations(&app, &org, Some("new.hire@acme.test")).await[0].status,
        InvitationStatus::Revoked
    );

    // Now revoked: resending and revoking again are refused with a clear message, no call.
    app.fake.state().clear_requests();
    for action in ["resend", "revoke"] {
        let r = b
            .post_htmx(
                &format!("/orgs/{org}/invitations/{}/{action}", pending.id),
                &[("back", &back)],
            )
            .await;
        let fragment = r.text().await.unwrap();
        assert!(
            texts(&fragment, ".alert-error")[0].contains("Revoked"),
            "{action}: {fragment}"
        );
    }
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));
    assert_eq!(app.fake.state().sent_messages().len(), 1);

    // Accepted invitations are kept; revoked ones may be deleted.
    let r = b
        .post_form(
            &format!("/orgs/{org}/invitations/{}/delete", accepted.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = b.get_text(&location(&r)).await;
    assert!(texts(&html, "#alerts .alert-error")[0].contains("record of how the person joined"));
    assert_eq!(
        invitations(&app, &org, Some("mia.member@acme.test"))
            .await
            .len(),
        1
    );
    let r = b
        .post_form(
            &format!("/orgs/{org}/invitations/{}/delete", pending.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .is_empty());

    // Each action is in the audit trail, refusals included.
    let results_of = |entries: Vec<Entry>| {
        let mut r: Vec<String> = entries
            .iter()
            .map(|e| format!("{}:{}", e.result, e.error_code.clone().unwrap_or_default()))
            .collect();
        r.sort();
        r
    };
    assert_eq!(
        results_of(audit(&app, "invitation.resend").await),
        ["failure:invitation_revoked", "success:"]
    );
    assert_eq!(
        results_of(audit(&app, "invitation.revoke").await),
        ["failure:invitation_revoked", "success:"]
    );
    assert_eq!(
        results_of(audit(&app, "invitation.delete").await),
        ["failure:invitation_accepted", "success:"]
    );

    // Without the CSRF token nothing happens.
    let contractor = invitations(&app, &org, Some("contractor@example.test"))
        .await
        .remove(0);
    let r = b
        .post_without_csrf(
            &format!("/orgs/{org}/invitations/{}/revoke", contractor.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        invitations(&app, &org, Some("contractor@example.test")).await[0].status,
        InvitationStatus::Pending
    );
}

#[tokio::test]
async fn resend_without_connector_offers_the_link() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let pending = invitations(&app, &org, Some("contractor@example.test"))
        .await
        .remove(0);
    let r = b
        .post_htmx(
            &format!("/orgs/{org}/invitations/{}/resend", pending.id),
            &[],
        )
        .await;
    let fragment = r.text().await.unwrap();
    let info = texts(&fragment, ".alert-info");
    assert!(info[0].contains("send it to them yourself"), "{fragment}");
    assert!(!info[0].contains("Logto") && !info[0].contains("connector"));
    assert!(info[0].contains(&format!("{}/invitations/{}", app.url, pending.id)));
    let entries = audit(&app, "invitation.resend").await;
    assert_eq!(
        entries[0].error_code.as_deref(),
        Some("connector.not_found")
    );
}

// ---------------------------------------------------------------------------------------
// The invitee's side

#[tokio::test]
async fn landing_page_shows_little_to_strangers() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let inv = invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .remove(0);
    let anonymous = app.browser();
    let (status, html) = anonymous
        .get_text(&format!("/invitations/{}", inv.id))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "#invitation-org"), ["Acme Corp"]);
    assert_eq!(texts(&html, "#invitation-inviter"), ["Adam Admin"]);
    assert_eq!(texts(&html, "#invitation-roles"), ["member"]);
    assert_eq!(texts(&html, "#invitation-invitee"), ["n***@acme.test"]);
    assert!(!html.contains("new.hire@acme.test"));
    assert!(!html.contains("adam.admin@acme.test"));
    assert!(texts(&html, "#invitation-expiry")[0].starts_with("in 7 days"));
    assert_eq!(texts(&html, "#accept"), ["Accept and sign in"]);

    // Unknown and malformed ids: a clear "not found" page.
    for id in ["aaaaaaaaaaaaaaaaaaaaa", "..%2Fusers"] {
        let (status, html) = anonymous.get_text(&format!("/invitations/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(texts(&html, "#invitation-unknown").len(), 1, "{id}");
    }
}

#[tokio::test]
async fn strangers_cannot_try_invitation_ids_by_the_thousand() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let inv = invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .remove(0);
    // 60 look-ups per 10 minutes from one client address (src/limits.rs), known ids or not.
    let anonymous = app.browser();
    for i in 0..60 {
        let id = if i % 2 == 0 {
            inv.id.clone()
        } else {
            format!("unknown{i:04}")
        };
        let r = anonymous.get(&format!("/invitations/{id}")).await;
        assert_ne!(r.status(), StatusCode::TOO_MANY_REQUESTS, "look-up {i}");
    }
    app.fake.state().clear_requests();
    // Another browser from the same address is counted with the first.
    let r = app.browser().get(&format!("/invitations/{}", inv.id)).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry_after), "{retry_after}");
    let html = r.text().await.unwrap();
    assert!(html.contains("Too many attempts. Try again in"), "{html}");
    assert!(
        app.fake.state().api_requests().is_empty(),
        "Logto is not asked"
    );
    let refused = audit(&app, "security.rate_limited").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(
        refused[0].error_code.as_deref(),
        Some("invitation_lookups_throttled")
    );
    assert_eq!(refused[0].ip.as_deref(), Some("127.0.0.1"));
    // A signed-in person is counted on their own.
    let member = app.member().await;
    let r = member.get(&format!("/invitations/{}", inv.id)).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_invited_person_accepts_after_signing_in() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let user_id = new_user(&app, "casey", "Casey@Example.com");
    let (admin, _) = admin_on_page(&app).await;
    let admin_role = role_id(&app, "admin").await;
    let (_, html) = invite(&admin, &org, "casey@example.com", &[&admin_role], "7").await;
    let link = attrs(
        &html,
        "#invite-results-table input.invitation-link",
        "value",
    )
    .remove(0);
    let path = link.strip_prefix(&app.url).unwrap().to_string();
    let id = path.rsplit('/').next().unwrap().to_string();

    // Anonymous "Accept": remembered, then off to sign in with the address filled in.
    let mut b = app.browser();
    let (_, html) = b.get_text(&path).await;
    b.csrf = hidden_value(&html, "_csrf");
    let r = b.post_form(&format!("{path}/accept"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sign_in = location(&r);
    assert_eq!(
        sign_in,
        format!("/sign-in?return_to=%2Finvitations%2F{id}&login_hint=casey%40example%2Ecom&first_screen=signIn"),
        "an account exists: the sign-in screen, with the invited address"
    );
    assert!(
        invitations(&app, &org, Some("casey@example.com")).await[0].status
            == InvitationStatus::Pending
    );

    let (back, authorize) = through_logto(
        &app,
        &b,
        &sign_in,
        Login::SignIn {
            identifier: "casey",
            password: &app.seed.password,
        },
    )
    .await;
    assert!(
        authorize.contains("login_hint=casey%40example.com"),
        "{authorize}"
    );
    assert_eq!(back, path);

    // Back on the page, signed in: the acceptance completes and lands in the organization.
    let r = b.get(&path).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        format!("/orgs/{org}/members"),
        "an admin role: the org's pages"
    );
    let accepted = invitations(&app, &org, Some("casey@example.com"))
        .await
        .remove(0);
    assert_eq!(accepted.id, id);
    assert_eq!(accepted.status, InvitationStatus::Accepted);
    assert_eq!(accepted.accepted_user_id.as_deref(), Some(user_id.as_str()));
    let members = app
        .state
        .logto
        .list_org_members(
            &org,
            &MemberQuery {
                q: Some(user_id.clone()),
                page_size: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let casey = members
        .items
        .iter()
        .find(|m| m.id == user_id)
        .expect("member now");
    assert!(casey.has_role("admin"));
    // The session already knows: the org's invitation page opens without waiting for a recheck.
    let (status, _) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    assert_eq!(status, StatusCode::OK);

    let entries = audit(&app, "invitation.accept").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].result, "success");
    assert_eq!(entries[0].actor_id.as_deref(), Some(user_id.as_str()));

    // The link now says it was accepted, by this person.
    let (status, html) = b.get_text(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(texts(&html, "#invitation-accepted")[0].contains("you are a member of Acme Corp"));
}

#[tokio::test]
async fn a_new_person_registers_and_joins() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let (admin, _) = admin_on_page(&app).await;
    let (_, html) = invite(&admin, &org, "brand.new@example.com", &[], "7").await;
    let link = attrs(
        &html,
        "#invite-results-table input.invitation-link",
        "value",
    )
    .remove(0);
    let path = link.strip_prefix(&app.url).unwrap().to_string();

    let mut b = app.browser();
    let (_, html) = b.get_text(&path).await;
    b.csrf = hidden_value(&html, "_csrf");
    let r = b.post_form(&format!("{path}/accept"), &[]).await;
    let sign_in = location(&r);
    assert!(sign_in.ends_with("&first_screen=register"), "{sign_in}");
    let (back, _) = through_logto(
        &app,
        &b,
        &sign_in,
        Login::Register {
            email: "brand.new@example.com",
            password: "a-Long-passw0rd",
        },
    )
    .await;
    assert_eq!(back, path);
    let r = b.get(&path).await;
    assert_eq!(
        location(&r),
        "/profile",
        "a member without admin role: their profile"
    );
    let inv = invitations(&app, &org, Some("brand.new@example.com"))
        .await
        .remove(0);
    assert_eq!(inv.status, InvitationStatus::Accepted);
}

#[tokio::test]
async fn the_wrong_person_is_refused_and_told_which_email_to_use() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let inv = invitations(&app, &org, Some("contractor@example.test"))
        .await
        .remove(0);
    let path = format!("/invitations/{}", inv.id);
    // Mia is signed in, the invitation is for someone else.
    let mut mia = app.member().await;
    let (status, html) = mia.get_text(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(texts(&html, "#email-mismatch")[0].contains("mia.member@acme.test"));
    // The invited address stays masked for anyone but the invitee (issue 15).
    assert!(texts(&html, "#email-mismatch")[0].contains("c***@example.test"));
    assert_eq!(texts(&html, "#invitation-invitee"), ["c***@example.test"]);
    assert!(!html.contains("contractor@example.test"), "{html}");
    assert!(!html.contains("contractor%40example.test"), "{html}");
    assert!(
        texts(&html, "#accept").is_empty(),
        "no accept button for the wrong person"
    );
    assert_eq!(texts(&html, "#sign-out-retry"), ["Sign out"]);
    // One click signs in again as the invited person (Logto asks for credentials).
    let switch = attrs(&html, "#switch-account", "href");
    assert_eq!(switch.len(), 1);
    assert!(switch[0].contains("prompt=login"), "{switch:?}");
    assert!(!switch[0].contains("login_hint"), "{switch:?}");
    assert!(
        switch[0].contains(&format!("return_to=%2Finvitations%2F{}", inv.id)),
        "{switch:?}"
    );
    assert_eq!(
        attrs(&html, "#invitation-link", "value"),
        [format!("{}{path}", app.url)]
    );

    // Posting anyway (a crafted request) is refused and recorded.
    mia.csrf = hidden_value(&html, "_csrf");
    let r = mia.post_form(&format!("{path}/accept"), &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = r.text().await.unwrap();
    assert_eq!(texts(&html, "#email-mismatch").len(), 1);
    let entries = audit(&app, "invitation.accept").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].result, "failure");
    assert_eq!(entries[0].error_code.as_deref(), Some("email_mismatch"));
    assert_eq!(
        invitations(&app, &org, Some("contractor@example.test")).await[0].status,
        InvitationStatus::Pending
    );
    let mia_id = app.user_id(&app.seed.member_username);
    assert!(
        !app.state
            .logto
            .user_organizations(&mia_id)
            .await
            .unwrap()
            .iter()
            .any(|o| o.id != org),
        "Mia joined nothing"
    );

    // An anonymous accept without the token is refused outright.
    let anonymous = app.browser();
    let r = anonymous
        .post_without_csrf(&format!("{path}/accept"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn expired_and_revoked_links_say_so_and_cannot_be_accepted() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let expired = invitations(&app, &org, Some("late.reply@acme.test"))
        .await
        .remove(0);
    let revoked = invitations(&app, &org, Some("changed.mind@acme.test"))
        .await
        .remove(0);
    let accepted = invitations(&app, &org, Some("mia.member@acme.test"))
        .await
        .remove(0);
    let anonymous = app.browser();

    let (status, html) = anonymous
        .get_text(&format!("/invitations/{}", expired.id))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(texts(&html, "#invitation-expired")[0].contains("Ask Adam Admin for a new one"));
    assert!(texts(&html, "#accept").is_empty());
    let (_, html) = anonymous
        .get_text(&format!("/invitations/{}", revoked.id))
        .await;
    assert!(texts(&html, "#invitation-revoked")[0].contains("withdrawn by Acme Corp"));
    assert!(texts(&html, "#accept").is_empty());
    let (_, html) = anonymous
        .get_text(&format!("/invitations/{}", accepted.id))
        .await;
    assert!(texts(&html, "#invitation-accepted")[0].contains("already been accepted"));

    // Someone invited with that address, signed in, still cannot accept an expired one.
    let late = new_user(&app, "late_reply", "late.reply@acme.test");
    let (mut b, _) = app
        .sign_in_to(
            "late_reply",
            &app.seed.password,
            &format!("/invitations/{}", expired.id),
        )
        .await;
    let (_, html) = b.get_text(&format!("/invitations/{}", expired.id)).await;
    b.csrf = hidden_value(&html, "_csrf");
    let r = b
        .post_form(&format!("/invitations/{}/accept", expired.id), &[])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert_eq!(texts(&html, "#invitation-expired").len(), 1);
    let entries = audit(&app, "invitation.accept").await;
    assert_eq!(entries[0].error_code.as_deref(), Some("invitation_expired"));
    assert!(!app
        .state
        .logto
        .user_organizations(&late)
        .await
        .unwrap()
        .iter()
        .any(|o| o.id == org));
}

#[tokio::test]
async fn a_signed_in_invitee_accepts_with_one_click() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let globex = app.fake.state().find_org_id_by_name("Globex").unwrap();
    let inv_id = app.fake.state().create_invitation(
        &globex,
        None,
        "MIA.member@acme.test",
        &["member"],
        now_ms() + DAY_MS,
        "Pending",
    );
    let mut mia = app.member().await;
    let (status, html) = mia.get_text(&format!("/invitations/{inv_id}")).await;
    assert_eq!(status, StatusCode::OK);
    // Signed in with the invited address (ignoring case): the full address, one button.
    assert_eq!(
        texts(&html, "#invitation-invitee"),
        ["MIA.member@acme.test"]
    );
    assert!(
        texts(&html, "#invitation-inviter").is_empty(),
        "no inviter recorded"
    );
    assert_eq!(texts(&html, "#accept"), ["Accept invitation"]);
    mia.csrf = hidden_value(&html, "_csrf");
    let r = mia
        .post_form(&format!("/invitations/{inv_id}/accept"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/profile");
    let mia_id = app.user_id(&app.seed.member_username);
    let orgs = app.state.logto.user_organizations(&mia_id).await.unwrap();
    assert!(orgs.iter().any(|o| o.id == globex));
    assert!(orgs.iter().any(|o| o.id == org));
}

/// Issue 15: the invited address is whole only for the invitee, signed in with it; a stranger
/// and anyone else signed in see it masked, and nowhere else on the page either.
#[tokio::test]
async fn the_invited_address_is_whole_only_for_the_invitee() {
    let app = common::spawn_app().await;
    let globex = app.fake.state().find_org_id_by_name("Globex").unwrap();
    let inv_id = app.fake.state().create_invitation(
        &globex,
        None,
        "mia.member@acme.test",
        &["member"],
        now_ms() + DAY_MS,
        "Pending",
    );
    let path = format!("/invitations/{inv_id}");
    let anonymous = app.browser();
    let adam = app.admin().await;
    for (who, b) in [("anonymous", &anonymous), ("someone else", &adam)] {
        let (status, html) = b.get_text(&path).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert_eq!(
            texts(&html, "#invitation-invitee"),
            ["m***@acme.test"],
            "{who}"
        );
        assert!(!html.contains("mia.member"), "{who}: {html}");
    }
    let mia = app.member().await;
    let (_, html) = mia.get_text(&path).await;
    assert_eq!(
        texts(&html, "#invitation-invitee"),
        ["mia.member@acme.test"]
    );
}

// ---------------------------------------------------------------------------------------
// The page's design (issue 20) and its one page pattern (issue 16)

/// The row of `email` in a list page.
fn row_of(html: &str, email: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let rows = scraper::Selector::parse("#invitations tbody tr").unwrap();
    let invitee = scraper::Selector::parse(".invitee").unwrap();
    doc.select(&rows)
        .find(|r| {
            r.select(&invitee)
                .any(|i| i.text().collect::<String>() == email)
        })
        .map(|r| r.html())
        .unwrap_or_else(|| panic!("no row for {email}"))
}

#[tokio::test]
async fn the_page_has_tabs_a_toolbar_and_one_primary_action() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let (_, html) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    // Point 1: Members | Invitations, the current one marked, with the pending count.
    assert_eq!(
        attrs(&html, "main nav.tabs a", "href"),
        [
            format!("/orgs/{org}/members"),
            format!("/orgs/{org}/invitations")
        ]
    );
    assert_eq!(
        attrs(&html, "main nav.tabs a[aria-current=page]", "href"),
        [format!("/orgs/{org}/invitations")]
    );
    let pending = invitations(&app, &org, None)
        .await
        .iter()
        .filter(|i| i.status == InvitationStatus::Pending && i.expires_at > now_ms())
        .count();
    assert_eq!(
        texts(&html, "main nav.tabs a[aria-current=page] .tab-count"),
        [pending.to_string()]
    );
    // Point 9: one primary action, "Invite people"; Search is secondary.
    assert_eq!(texts(&html, "main .primary"), ["Invite people"]);
    assert_eq!(attrs(&html, "main .primary", "id"), ["invite-submit"]);
    assert_eq!(
        attrs(&html, "form.toolbar button[type=submit]", "class"),
        Vec::<String>::new(),
        "Search is an ordinary button"
    );
    // Point 8: the toolbar's fields on one row, the hint below, a compact pager.
    assert_eq!(
        attrs(
            &html,
            "form.toolbar > .toolbar-field > input, form.toolbar > .toolbar-field > select",
            "id"
        ),
        ["invitations-q", "invitations-status"]
    );
    assert_eq!(
        attrs(&html, "#invitations-q", "aria-describedby"),
        ["invitations-q-hint"]
    );
    assert_eq!(
        texts(&html, "form.toolbar > p.toolbar-hint#invitations-q-hint").len(),
        1
    );
    assert_eq!(texts(&html, ".pager .summary").len(), 1);
    assert!(
        texts(&html, ".pager ul").is_empty(),
        "one page: no page links"
    );
    // Point 2: a table that becomes cards, each cell saying what it is on a phone.
    assert_eq!(attrs(&html, "table#invitations", "class"), ["table-cards"]);
    assert!(texts(&html, "#invitations tbody tr .cell-label")
        .iter()
        .any(|l| l == "Expires"));
}

#[tokio::test]
async fn revoke_and_delete_are_quiet_menu_items_confirmed_in_the_row() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let pending = invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .remove(0);
    let (_, html) = b
        .get_text(&format!("/orgs/{org}/invitations?status=pending"))
        .await;
    assert!(!html.contains("hx-confirm"), "no browser dialogs");
    assert!(
        texts(&html, "main button.danger").is_empty(),
        "nothing loud in the list"
    );
    // Point 5: Resend an ordinary item, Revoke a quiet danger item leading to a confirmation.
    let row = row_of(&html, "new.hire@acme.test");
    assert_eq!(texts(&row, "details.row-menu button.menu-item"), ["Resend"]);
    assert_eq!(
        attrs(&row, "details.row-menu button.menu-item", "class"),
        ["menu-item"]
    );
    assert_eq!(texts(&row, "details.row-menu a.danger-quiet"), ["Revoke"]);
    let revoke_href = attrs(&row, "a.danger-quiet", "href").remove(0);
    assert!(
        revoke_href.starts_with(&format!(
            "/orgs/{org}/invitations/{}/revoke?back=%2Forgs%2F{org}%2Finvitations%3Fstatus%3Dpending",
            pending.id
        )),
        "the menu remembers the view: {revoke_href}"
    );
    assert_eq!(
        attrs(&row, "a.danger-quiet", "hx-target"),
        [format!("#invitation-{}", pending.id)]
    );
    let (_, all) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    assert_eq!(
        texts(&row_of(&all, "changed.mind@acme.test"), "a.danger-quiet"),
        ["Delete"]
    );
    assert!(texts(&row_of(&all, "mia.member@acme.test"), "details.row-menu").is_empty());

    // htmx: the confirmation replaces the row; nothing changes yet.
    let r = b.get_htmx(&revoke_href).await;
    assert_eq!(r.status(), StatusCode::OK);
    let fragment = r.text().await.unwrap();
    assert!(
        fragment
            .trim_start()
            .starts_with(&format!("<tr id=\"invitation-{}\"", pending.id)),
        "{fragment}"
    );
    assert!(texts(&fragment, "form.confirm .confirm-question")[0].contains("new.hire@acme.test"));
    assert_eq!(texts(&fragment, "form.confirm button.danger"), ["Revoke"]);
    assert_eq!(
        attrs(&fragment, "form.confirm", "hx-target"),
        ["#invitations-view"]
    );
    let back = attrs(&fragment, "form.confirm input[name=back]", "value").remove(0);
    assert!(
        back.starts_with(&format!("/orgs/{org}/invitations?status=pending")),
        "{back}"
    );
    assert_eq!(
        attrs(&fragment, "form.confirm a.button", "href"),
        [back.as_str()]
    );
    assert_eq!(
        invitations(&app, &org, Some("new.hire@acme.test")).await[0].status,
        InvitationStatus::Pending
    );
    // Cancel (htmx) brings the list view back.
    let r = b.get_htmx(&back).await;
    let view = r.text().await.unwrap();
    assert!(
        view.trim_start()
            .starts_with("<div id=\"invitations-view\""),
        "{view}"
    );

    // Without JavaScript: a page of its own, a plain form and a plain link.
    let (status, page) = b.get_text(&revoke_href).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<main"));
    assert!(attrs(&page, "form.confirm", "hx-post").is_empty());
    assert_eq!(texts(&page, "main nav.tabs a[aria-current=page]").len(), 1);
    // Resend has nothing to confirm.
    let r = b
        .get(&format!("/orgs/{org}/invitations/{}/resend", pending.id))
        .await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);

    // Confirming (htmx) answers the list view with the message above the table.
    let r = b
        .post_htmx(
            &format!("/orgs/{org}/invitations/{}/revoke", pending.id),
            &[("back", &back)],
        )
        .await;
    let view = r.text().await.unwrap();
    assert!(texts(
        &view,
        "#invitations-view > #invitations-notice.alert-success"
    )[0]
    .contains("new.hire@acme.test"));
    let entries = audit(&app, "invitation.revoke").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].result, "success");
}

#[tokio::test]
async fn admins_read_no_backend_words() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    // Point 6: no email service: the invitation is made and the page says, plainly, to send
    // the link by hand.
    let r = b
        .post_htmx(
            &format!("/orgs/{org}/invitations"),
            &[("emails", "plain.words@example.com"), ("expiry_days", "7")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // The address bar shows the unfiltered list the table now is.
    assert_eq!(
        r.headers().get("hx-push-url").map(|v| v.to_str().unwrap()),
        Some(format!("/orgs/{org}/invitations").as_str())
    );
    let card = r.text().await.unwrap();
    assert!(!card.contains("<main"), "htmx gets the form and the table");
    assert!(texts(&card, "#invite-results-table td")
        .iter()
        .any(|t| t.contains("send it to the person yourself")));
    let (_, page) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    for html in [&card, &page] {
        let words = texts(html, "#invite-card, #invitations-view").join(" ");
        for jargon in ["Logto", "connector", "tenant", "connector.not_found"] {
            assert!(!words.contains(jargon), "{jargon}: {words}");
        }
    }
    let pending = invitations(&app, &org, Some("plain.words@example.com"))
        .await
        .remove(0);
    let r = b
        .post_htmx(
            &format!("/orgs/{org}/invitations/{}/resend", pending.id),
            &[],
        )
        .await;
    let words = texts(&r.text().await.unwrap(), "#invitations-notice").join(" ");
    assert!(words.contains("Copy the invitation link"), "{words}");
    assert!(
        !words.contains("Logto") && !words.contains("connector"),
        "{words}"
    );
}

#[tokio::test]
async fn a_repeated_filter_takes_its_last_value() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let (status, html) = b
        .get_text(&format!(
            "/orgs/{org}/invitations?status=pending&status=expired&q=&q=late"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        texts(&html, "#invitations .invitee"),
        ["late.reply@acme.test"]
    );
}

#[tokio::test]
async fn the_landing_page_answers_htmx_with_its_section() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let pending = invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .remove(0);
    let visitor = app.browser();
    let r = visitor
        .get_htmx(&format!("/invitations/{}", pending.id))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let fragment = r.text().await.unwrap();
    assert!(!fragment.contains("<main"), "{fragment}");
    assert!(fragment.trim_start().starts_with("<section"), "{fragment}");
    assert_eq!(texts(&fragment, "#invitation-org"), ["Acme Corp"]);
}

/// `main_markup`, with what else differs between runs here: the fake's ids (even those
/// without a digit), form CSRF fields and the port of the links.
fn snapshot_markup(html: &str, ids: &[String]) -> String {
    let html = ids
        .iter()
        .fold(html.to_string(), |h, id| h.replace(id.as_str(), "[id]"));
    let markup = common::snapshot::main_markup(&html);
    [
        (
            r#"name="_csrf" value="[^"]*""#,
            r#"name="_csrf" value="[csrf]""#,
        ),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
    ]
    .into_iter()
    .fold(markup, |m, (re, to)| {
        regex::Regex::new(re)
            .unwrap()
            .replace_all(&m, to)
            .into_owned()
    })
}

/// The list and the landing page, in both languages, as reviewed snapshots.
#[tokio::test]
async fn the_list_and_the_landing_page_are_snapshots_in_both_languages() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let pending = invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .remove(0);
    let mut ids: Vec<String> = invitations(&app, &org, None)
        .await
        .into_iter()
        .map(|i| i.id)
        .collect();
    ids.push(org.clone());
    for role in ["admin", "member"] {
        ids.push(role_id(&app, role).await);
    }
    let visitor = app.browser();
    for lang in ["en", "zh-TW"] {
        let list = format!("/orgs/{org}/invitations");
        let r = b.get(&format!("/lang/{lang}?return_to={list}")).await;
        assert!(r.status().is_redirection());
        let (status, html) = b.get_text(&list).await;
        assert_eq!(status, StatusCode::OK);
        insta::assert_snapshot!(
            format!("invitations_list_{lang}"),
            snapshot_markup(&html, &ids)
        );
        let landing = format!("/invitations/{}", pending.id);
        let r = visitor
            .get(&format!("/lang/{lang}?return_to={landing}"))
            .await;
        assert!(r.status().is_redirection());
        let (status, html) = visitor.get_text(&landing).await;
        assert_eq!(status, StatusCode::OK);
        insta::assert_snapshot!(
            format!("invitations_landing_{lang}"),
            snapshot_markup(&html, &ids)
        );
    }
}
