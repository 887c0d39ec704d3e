//! Two-step verification factors, personal access tokens and social linking through the
//! typed client, on both releases the fake imitates.

use super::*;
use fake_logto::LogtoVersion;
use logto_portal::logto::{MfaFactor, IDENTITY_IN_USE};
use logto_portal::security::{backup_codes, totp::TotpSecret};

fn now_ms() -> i64 {
    logto_portal::clock::system_now_ms()
}

#[tokio::test]
async fn totp_and_backup_codes_round_trip() {
    for v in LogtoVersion::SUPPORTED {
        let (fake, client) = setup_with(FakeLogtoConfig::for_version(v), |_| {}).await;
        let st = fake.state();
        let id = user(&st, "mfa_user", "Mfa User");
        assert!(client.list_mfa_verifications(&id).await.unwrap().is_empty());

        // Backup codes alone are refused, as Logto does.
        let codes = backup_codes::generate();
        let err = client.create_backup_codes(&id, &codes).await.unwrap_err();
        assert_eq!(
            err.code(),
            Some("session.mfa.backup_code_can_not_be_alone"),
            "{v}"
        );

        let secret = TotpSecret::generate();
        let enrolled = client.enrol_totp(&id, secret.base32()).await.unwrap();
        assert_eq!(enrolled.secret, *secret.base32());
        assert_eq!(
            st.totp_secret(&id).as_deref(),
            Some(secret.base32().expose())
        );
        let again = client
            .enrol_totp(&id, &TotpSecret::generate().base32().clone())
            .await;
        assert_eq!(again.unwrap_err().code(), Some("user.totp_already_in_use"));

        let stored = client.create_backup_codes(&id, &codes).await.unwrap();
        assert_eq!(stored.codes, codes);
        let list = client.list_mfa_verifications(&id).await.unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].factor, MfaFactor::Totp);
        assert_eq!(list[1].factor, MfaFactor::BackupCode);
        assert_eq!(list[1].remain_codes, Some(10));
        let created = list[0].created_at_ms().unwrap();
        assert!((created - now_ms()).abs() < 60_000, "{created}");

        // Regenerating: the old set goes first (Logto refuses a second live set).
        let err = client
            .create_backup_codes(&id, &backup_codes::generate())
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("user.backup_code_already_in_use"));
        client
            .delete_mfa_verification(&id, &list[1].id)
            .await
            .unwrap();
        client
            .create_backup_codes(&id, &backup_codes::generate())
            .await
            .unwrap();

        let err = client
            .delete_mfa_verification(&id, "nosuchfactor")
            .await
            .unwrap_err();
        assert!(err.is_not_found());
        st.add_passkey(&id, Some("Laptop"), "Firefox");
        assert_eq!(client.reset_mfa(&id).await.unwrap(), 3);
        assert!(client.list_mfa_verifications(&id).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn personal_access_tokens_round_trip() {
    for v in LogtoVersion::SUPPORTED {
        let (fake, client) = setup_with(FakeLogtoConfig::for_version(v), |_| {}).await;
        let id = user(&fake.state(), "pat_user", "Pat User");
        let expires = now_ms() + 30 * 86_400_000;
        let created = client
            .create_access_token(&id, "ci / deploy", Some(expires))
            .await
            .unwrap();
        assert!(created.value.expose().starts_with("pat_"), "{v}");
        assert!(!format!("{created:?}").contains(created.value.expose()));
        assert_eq!(created.expires_at, Some(expires));
        let forever = client
            .create_access_token(&id, "laptop", None)
            .await
            .unwrap();
        assert_eq!(forever.expires_at, None);
        let err = client
            .create_access_token(&id, "laptop", None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("user.personal_access_token_name_exists"));
        let err = client
            .create_access_token(&id, "old", Some(now_ms() - 1000))
            .await
            .unwrap_err();
        assert_eq!(
            (err.status(), err.code()),
            (Some(400), Some("request.invalid_input"))
        );

        // A name with a slash and spaces: rename and delete go in the body, never the path.
        let renamed = client
            .rename_access_token(&id, "ci / deploy", "ci: deploy")
            .await
            .unwrap();
        assert_eq!(renamed.name, "ci: deploy");
        let err = client
            .rename_access_token(&id, "gone", "x")
            .await
            .unwrap_err();
        assert!(err.is_not_found());
        let names: Vec<String> = client
            .list_access_tokens(&id)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["ci: deploy", "laptop"]);
        client.delete_access_token(&id, "ci: deploy").await.unwrap();
        assert!(client
            .delete_access_token(&id, "ci: deploy")
            .await
            .unwrap_err()
            .is_not_found());
        assert_eq!(fake.state().personal_access_token_names(&id), ["laptop"]);
    }
}

#[tokio::test]
async fn social_accounts_link_through_the_connector() {
    for v in LogtoVersion::SUPPORTED {
        let (fake, client) = setup_with(FakeLogtoConfig::for_version(v), |_| {}).await;
        let st = fake.state();
        st.set_email_connector(true);
        let ada = user(&st, "ada", "Ada");
        let bob = user(&st, "bob", "Bob");
        let connectors = client.list_social_connectors().await.unwrap();
        assert_eq!(connectors.len(), 1, "{v}: email connectors are left out");
        assert_eq!(connectors[0].target, "github");
        assert_eq!(connectors[0].display_name("zh-TW"), "GitHub");

        let redirect = "http://127.0.0.1:9/profile/security/social/callback";
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let follow = |to: String| {
            let http = http.clone();
            async move {
                let r = http.get(&to).send().await.unwrap();
                let back = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
                let mut data = Map::new();
                for (k, v) in back.query_pairs() {
                    data.insert(k.into_owned(), json!(v.into_owned()));
                }
                data.insert("redirectUri".into(), json!(redirect));
                data
            }
        };
        st.set_next_social_profile("gh-7", Some("Ada GH"), None);
        let to = client
            .social_authorization_uri(&connectors[0].id, "state-1", redirect)
            .await
            .unwrap();
        let data = follow(to).await;
        assert_eq!(data["state"], "state-1");
        let identities = client
            .link_identity(&ada, &connectors[0].id, &data)
            .await
            .unwrap();
        assert_eq!(identities["github"].user_id, "gh-7");

        st.set_next_social_profile("gh-7", None, None);
        let to = client
            .social_authorization_uri(&connectors[0].id, "state-2", redirect)
            .await
            .unwrap();
        let data = follow(to).await;
        let err = client
            .link_identity(&bob, &connectors[0].id, &data)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(IDENTITY_IN_USE));
        let err = client
            .social_authorization_uri("nosuchconnector", "s", redirect)
            .await
            .unwrap_err();
        assert!(err.is_not_found());
        // unlinking keeps working as before
        let after = client.delete_identity(&ada, "github").await.unwrap();
        assert!(after.identities.is_empty());
    }
}
