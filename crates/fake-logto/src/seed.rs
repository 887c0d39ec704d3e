//! Deterministic demo data (names, emails, memberships); only ids and timestamps vary.

use crate::store::{now_ms, DemoSeed, FakeState, NewUser};
use serde_json::json;

pub const DEMO_PASSWORD: &str = "demo-Passw0rd!";

const FIRST: &[&str] = &[
    "Alice", "Bruno", "Chloe", "Diego", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Keira", "Liam", "Maya", "Nils", "Olga", "Pedro", "Quinn", "Rosa", "Sami", "Tara", "Umar",
    "Vera",
];
const LAST: &[&str] = &["Lovelace", "Novak", "Okafor"];
const DOMAINS: &[&str] = &["acme.test", "globex.test", "initech.test"];
const DAY_MS: i64 = 86_400_000;
const PLANS: &[&str] = &["enterprise", "pro", "free"];
const DEPARTMENTS: &[&str] = &["sales", "engineering", "support"];

/// Seed the demo tenant. Safe to call once per fake.
pub fn seed_demo(st: &FakeState) -> DemoSeed {
    let now = now_ms();
    let created = |days: i64, hours: i64| now - days * DAY_MS - hours * 3_600_000;

    let org_names = [
        ("Acme Corp", "Anvils, rockets and other fine products"),
        ("Globex", "Global exports"),
        ("Initech", "Software for the enterprise"),
    ];
    let org_ids: Vec<String> = org_names
        .iter()
        .map(|(n, d)| st.create_organization(n, Some(d)))
        .collect();
    // stable creation times: Acme oldest
    {
        let mut s = st.lock();
        for (i, id) in org_ids.iter().enumerate() {
            if let Some(o) = s.orgs.get_mut(id) {
                o.created_at = created(90 - i as i64 * 10, 0);
                o.custom_data = json!({"plan": PLANS[i]});
            }
        }
    }
    let admin_role = st.create_org_role("admin", "Organization administrator");
    let member_role = st.create_org_role("member", "Organization member");
    let _ = (&admin_role, &member_role);
    // Enterprise SSO: Acme's people sign in through Acme's Okta (an OIDC connector) and join
    // Acme just in time; Globex's SAML connector is bound to no organization.
    st.bind_sso_connector(&org_ids[0], "Acme Okta", "acme.test");
    st.add_sso_connector("SAML", "Globex SAML", &["globex.test"], true);
    let operator_role = st.create_role(
        "portal-operator",
        "Operates the portal for all organizations",
    );

    let special = |username: &str, name: &str, email: &str, days: i64| {
        st.create_user_at(
            NewUser {
                username: Some(username.into()),
                primary_email: Some(email.into()),
                name: Some(name.into()),
                password: Some(DEMO_PASSWORD.into()),
                profile: json!({"givenName": name.split(' ').next().unwrap_or(name)}),
                ..Default::default()
            },
            created(days, 0),
        )
    };
    let operator = special(
        "olivia_operator",
        "Olivia Operator",
        "olivia.operator@portal.test",
        120,
    );
    let admin = special("adam_admin", "Adam Admin", "adam.admin@acme.test", 110);
    let member = special("mia_member", "Mia Member", "mia.member@acme.test", 100);
    st.assign_role(&operator, &operator_role);
    // Account security: a deploy token and a passkey to look at. Nobody has TOTP, so every
    // demo account signs in with the password alone.
    st.add_personal_access_token(&operator, "ci-deploy", Some(now + 90 * DAY_MS));
    // Registered days ago, not at seeding: a page read a minute later says the same.
    st.add_passkey_at(&member, Some("iPhone"), "Safari on iOS", now - 12 * DAY_MS);

    // 66 regular users: first × last names, spread over the last 66 days
    let mut regular = Vec::new();
    let mut n = 0i64;
    for last in LAST {
        for first in FIRST {
            let domain = DOMAINS[(n as usize) % DOMAINS.len()];
            let username = format!("{}_{}", first.to_lowercase(), last.to_lowercase());
            let email = format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase());
            let phone = (n % 4 == 0).then(|| format!("1555010{:04}", n));
            let id = st.create_user_at(
                NewUser {
                    username: Some(username),
                    primary_email: Some(email),
                    primary_phone: phone,
                    name: Some(format!("{first} {last}")),
                    password: Some(DEMO_PASSWORD.into()),
                    custom_data: json!({"department": DEPARTMENTS[(n % 3) as usize]}),
                    profile: json!({"givenName": first, "familyName": last}),
                    ..Default::default()
                },
                created(n + 1, n % 24),
            );
            regular.push((id, domain));
            n += 1;
        }
    }
    // one suspended user
    if let Some((id, _)) = regular.last() {
        if let Some(u) = st.lock().users.get_mut(id) {
            u.is_suspended = true;
        }
    }

    // memberships: users join the org of their email domain
    st.add_member(&org_ids[0], &admin, &["admin"]);
    st.add_member(&org_ids[0], &member, &["member"]);
    let mut first_of = [None::<String>, None, None];
    for (id, domain) in &regular {
        let idx = DOMAINS.iter().position(|d| d == domain).unwrap_or(0);
        if idx > 0 && first_of[idx].is_none() {
            // each of Globex and Initech gets one admin
            st.add_member(&org_ids[idx], id, &["admin"]);
            first_of[idx] = Some(id.clone());
        } else {
            st.add_member(&org_ids[idx], id, &["member"]);
        }
    }
    // a few people in two organizations
    for (id, _) in regular.iter().take(3) {
        st.add_member(&org_ids[1], id, &["member"]);
    }

    // invitations in every state
    let day = DAY_MS;
    st.create_invitation(
        &org_ids[0],
        Some(&admin),
        "new.hire@acme.test",
        &["member"],
        now + 7 * day,
        "Pending",
    );
    st.create_invitation(
        &org_ids[0],
        Some(&admin),
        "contractor@example.test",
        &["member"],
        now + 3 * day,
        "Pending",
    );
    st.create_invitation(
        &org_ids[0],
        Some(&admin),
        "late.reply@acme.test",
        &["member"],
        now - day,
        "Pending",
    );
    st.create_invitation(
        &org_ids[0],
        Some(&admin),
        "changed.mind@acme.test",
        &["member"],
        now + 5 * day,
        "Revoked",
    );
    let accepted = st.create_invitation(
        &org_ids[0],
        Some(&admin),
        "mia.member@acme.test",
        &["member"],
        now + 2 * day,
        "Accepted",
    );
    {
        let mut s = st.lock();
        if let Some(inv) = s.invitations.get_mut(&accepted) {
            inv.accepted_user_id = Some(member.clone());
        }
    }
    if let Some(globex_admin) = &first_of[1] {
        st.create_invitation(
            &org_ids[1],
            Some(globex_admin),
            "partner@globex.test",
            &["admin"],
            now + 7 * day,
            "Pending",
        );
        st.create_invitation(
            &org_ids[1],
            Some(globex_admin),
            "old.friend@globex.test",
            &["member"],
            now - 2 * day,
            "Expired",
        );
    }
    if let Some(initech_admin) = &first_of[2] {
        st.create_invitation(
            &org_ids[2],
            Some(initech_admin),
            "peter@initech.test",
            &["member"],
            now + 7 * day,
            "Pending",
        );
    }

    // some audit logs
    let ua = "Mozilla/5.0 (X11; Linux x86_64) Demo";
    for (i, who) in [&admin, &member, &operator].iter().enumerate() {
        for d in 0..3i64 {
            st.add_log(
                Some(who),
                "Interaction.SignIn.Submit",
                "Success",
                "127.0.0.1",
                ua,
                created(d + i as i64, 2),
            );
        }
    }
    st.add_log(
        None,
        "Interaction.SignIn.Verification.Password.Submit",
        "Error",
        "127.0.0.1",
        ua,
        created(0, 5),
    );
    st.add_log(
        Some(&member),
        "Interaction.ForgotPassword.Submit",
        "Success",
        "127.0.0.1",
        ua,
        created(4, 1),
    );

    DemoSeed {
        operator_username: "olivia_operator".into(),
        admin_username: "adam_admin".into(),
        member_username: "mia_member".into(),
        password: DEMO_PASSWORD.into(),
        org_ids,
    }
}
