//! Verification codes, logs, assets and the demo seed.

use super::*;

#[tokio::test]
pub(crate) async fn verification_codes() {
    let t = TestLogto::start().await;
    let st = t.logto.state();
    let r = t
        .post("/api/verification-codes", json!({"email": "a@x.io"}))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (
            501,
            r#"{"code":"connector.not_found","message":"Cannot find any available connector for type: Email."}"#
        )
    );
    let r = t
        .post("/api/verification-codes", json!({"phone": "15555550123"}))
        .await;
    assert!(r.text.contains("type: Sms."));
    assert_eq!(
        t.post("/api/verification-codes", json!({"phone": "+1555"}))
            .await
            .code(),
        "guard.invalid_input"
    );
    assert_eq!(
        t.post("/api/verification-codes", json!({})).await.code(),
        "guard.invalid_input"
    );
    st.set_email_connector(true);
    st.set_sms_connector(true);
    assert_eq!(
        t.post("/api/verification-codes", json!({"email": "a@x.io"}))
            .await
            .status,
        204
    );
    let first = st.last_verification_code("a@x.io").unwrap();
    assert_eq!(first.len(), 6);
    assert!(first.chars().all(|c| c.is_ascii_digit()));
    // a new request replaces the old code
    t.post("/api/verification-codes", json!({"email": "a@x.io"}))
        .await;
    let second = st.last_verification_code("a@x.io").unwrap();
    let verify = |code: &str| json!({"email": "a@x.io", "verificationCode": code});
    let wrong = if second == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert_eq!(
        t.post("/api/verification-codes/verify", verify(wrong))
            .await
            .code(),
        "verification_code.code_mismatch"
    );
    if first != second {
        assert_eq!(
            t.post("/api/verification-codes/verify", verify(&first))
                .await
                .code(),
            "verification_code.code_mismatch"
        );
    }
    assert_eq!(
        t.post("/api/verification-codes/verify", verify(&second))
            .await
            .status,
        204
    );
    assert_eq!(
        t.post("/api/verification-codes/verify", verify(&second))
            .await
            .code(),
        "verification_code.not_found"
    );
    // max tries
    t.post("/api/verification-codes", json!({"phone": "15555550123"}))
        .await;
    let code = st.last_verification_code("15555550123").unwrap();
    let pv = |c: &str| json!({"phone": "15555550123", "verificationCode": c});
    let bad = if code == "999999" { "888888" } else { "999999" };
    for _ in 0..10 {
        assert_eq!(
            t.post("/api/verification-codes/verify", pv(bad))
                .await
                .code(),
            "verification_code.code_mismatch"
        );
    }
    assert_eq!(
        t.post("/api/verification-codes/verify", pv(&code))
            .await
            .code(),
        "verification_code.exceed_max_try"
    );
    // expiry
    t.post("/api/verification-codes", json!({"email": "b@x.io"}))
        .await;
    let code = st.last_verification_code("b@x.io").unwrap();
    st.age_verification_codes(Duration::from_secs(601));
    let r = t
        .post(
            "/api/verification-codes/verify",
            json!({"email": "b@x.io", "verificationCode": code}),
        )
        .await;
    assert_eq!(r.code(), "verification_code.expired");
    // rate limit: 10 per recipient per 600 s
    for i in 0..10 {
        let r = t
            .post("/api/verification-codes", json!({"email": "c@x.io"}))
            .await;
        assert_eq!(r.status, 204, "send {i}");
    }
    let r = t
        .post("/api/verification-codes", json!({"email": "c@x.io"}))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (429, "request.message_rate_limited".into())
    );
    assert_eq!(
        st.sent_messages()
            .iter()
            .filter(|m| m.kind == MessageKind::VerificationCode && m.to == "c@x.io")
            .count(),
        10
    );
}

#[tokio::test]
pub(crate) async fn logs_and_assets() {
    let t = TestLogto::start().await;
    let st = t.logto.state();
    let now = now_ms();
    let a = st.add_log(
        Some("u1"),
        "Interaction.SignIn.Submit",
        "Success",
        "1.2.3.4",
        "ua",
        now - 3000,
    );
    st.add_log(
        None,
        "Interaction.SignIn.Verification.Password.Submit",
        "Error",
        "1.2.3.4",
        "ua",
        now - 2000,
    );
    let c = st.add_log(
        Some("u1"),
        "Interaction.SignIn.Submit",
        "Success",
        "1.2.3.4",
        "ua",
        now - 1000,
    );
    let r = t.get("/api/logs?userId=u1").await;
    let list = r.json();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![c.as_str(), a.as_str()]);
    assert_eq!(
        t.get("/api/logs?logKey=Interaction.SignIn.Verification.Password.Submit")
            .await
            .header("total-number")
            .as_deref(),
        Some("1")
    );
    let r = t
        .get(&format!(
            "/api/logs?start_time={}&end_time={}",
            now - 2500,
            now - 1500
        ))
        .await;
    if common::version().at_least(40) {
        assert_eq!(r.header("total-number").as_deref(), Some("1"));
        assert_eq!(
            t.get("/api/logs?start_time=abc").await.code(),
            "guard.invalid_input"
        );
    } else {
        // 1.37 has no time window: the parameters are ignored
        let all = t.get("/api/logs").await.header("total-number");
        assert_eq!(r.header("total-number"), all);
        assert_eq!(t.get("/api/logs?start_time=abc").await.status, 200);
    }
    assert_eq!(
        t.get(&format!("/api/logs/{a}")).await.json()["payload"]["ip"],
        "1.2.3.4"
    );
    assert_eq!(
        t.get("/api/logs/nosuch").await.code(),
        "entity.not_exists_with_id"
    );

    // assets
    assert_eq!(
        t.get("/api/user-assets/service-status").await.json(),
        json!({"status": "not_configured"})
    );
    let upload = || {
        let part = reqwest::multipart::Part::bytes(vec![0x89, b'P', b'N', b'G', 1, 2, 3])
            .file_name("a.png")
            .mime_str("image/png")
            .unwrap();
        t.http
            .post(format!("{}/api/user-assets", t.url()))
            .bearer_auth(&t.token)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let r = upload().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "storage.not_configured"
    );
    st.set_storage_configured(true);
    assert_eq!(
        t.get("/api/user-assets/service-status").await.json()["status"],
        "ready"
    );
    let r = upload().await.unwrap();
    assert_eq!(r.status(), 200);
    let url = r.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        url.starts_with(&format!("{}/user-assets/", t.url())) && url.ends_with(".png"),
        "{url}"
    );
    let bytes = t
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], &[0x89, b'P', b'N', b'G', 1, 2, 3]);
}

#[tokio::test]
pub(crate) async fn demo_seed() {
    let t = TestLogto::start().await;
    let seed = t.logto.state().seed_demo();
    assert_eq!(seed.org_ids.len(), 3);
    let r = t.get("/api/users?page_size=1").await;
    let total: usize = r.header("total-number").unwrap().parse().unwrap();
    assert!(total >= 60, "{total}");
    let r = t
        .get(&format!(
            "/api/users?search.username={}&mode.username=exact",
            seed.admin_username
        ))
        .await;
    let admin = r.json()[0]["id"].as_str().unwrap().to_string();
    let orgs = t
        .get(&format!("/api/users/{admin}/organizations"))
        .await
        .json();
    assert_eq!(orgs.as_array().unwrap().len(), 1);
    assert_eq!(orgs[0]["name"], "Acme Corp");
    assert_eq!(orgs[0]["organizationRoles"][0]["name"], "admin");
    let r = t
        .get(&format!(
            "/api/users?search.username={}&mode.username=exact",
            seed.operator_username
        ))
        .await;
    let op = r.json()[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        t.get(&format!("/api/users/{op}/roles")).await.json()[0]["name"],
        "portal-operator"
    );
    let invs = t
        .get(&format!(
            "/api/organization-invitations?organizationId={}",
            seed.org_ids[0]
        ))
        .await
        .json();
    let statuses: std::collections::BTreeSet<&str> = invs
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    for s in ["Pending", "Accepted", "Revoked", "Expired"] {
        assert!(statuses.contains(s), "{s} missing: {statuses:?}");
    }
    for org in &seed.org_ids {
        let members = t
            .get(&format!("/api/organizations/{org}/users?page_size=100"))
            .await
            .json();
        assert!(members
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["organizationRoles"].to_string().contains("\"admin\"")));
    }
    assert!(t.get("/api/logs").await.header("total-number").unwrap() != "0");
}
