//! Organization invitations (issue 5), through real HTTP against the fake Logto: inviting one
//! or many (typed and CSV), with and without an email connector, the list, resend, revoke,
//! delete, and acceptance on the invitee's landing page.

#[path = "../common/mod.rs"]
mod common;

use common::{attrs, location, texts};

use common::{hidden_value, Browser, TestApp};
use logto_portal::audit::{Entry, Filter};
use logto_portal::logto::{Invitation, InvitationFilter, InvitationStatus, MemberQuery};
use reqwest::StatusCode;

mod act;
mod batches;
mod design;
mod invitee;
mod inviting;
mod list;

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
