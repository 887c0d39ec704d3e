//! The audit trail in words: one sentence per entry from its action and target ("invited
//! new.person@example.com to Acme Corp as member"), a failure's code as a reason, and the
//! action filter's choices as translated names in groups. The actor comes first, drawn by
//! the template (a link for operators); the raw keys stay in the entry's details.

use serde_json::Value;

use crate::audit::Entry;
use crate::web::i18n::Tr;

/// The action filter's groups: a heading key and the actions under it (the security
/// page's own actions join sign-in and sign-out, see [`groups`]).
const GROUPS: &[(&str, &[&str])] = &[
    (
        "audit.group.members",
        &[
            "member.add",
            "member.roles_change",
            "member.roles_restore",
            "member.remove",
            "member.export",
        ],
    ),
    (
        "audit.group.orgs",
        &[
            "org.create",
            "org.update",
            "org.delete",
            "org.jit_domain_add",
            "org.jit_domain_remove",
            "org.jit_roles_set",
        ],
    ),
    (
        "audit.group.invitations",
        &[
            "invitation.create",
            "invitation.resend",
            "invitation.revoke",
            "invitation.delete",
            "invitation.accept",
        ],
    ),
    (
        "audit.group.users",
        &[
            "user.suspend",
            "user.unsuspend",
            "user.password_expire",
            "user.delete",
            "user.org_add",
            "user.org_remove",
            "user.role_assign",
            "user.role_remove",
            "user.export",
        ],
    ),
    (
        "audit.group.profile",
        &[
            "profile.update_basics",
            "profile.update_profile",
            "profile.update_custom",
            "profile.password_change",
            "profile.email_change",
            "profile.phone_change",
            "profile.identity_unlink",
            "profile.delete_account",
        ],
    ),
    (
        "audit.group.protection",
        &[
            "security.csrf_refused",
            "security.access_denied",
            "security.rate_limited",
            "audit.prune",
        ],
    ),
];

/// Sign-in and sign-out, then the security page's actions ([`crate::security::AUDIT_ACTIONS`]).
const SIGN_IN: &[&str] = &["auth.sign_in", "auth.sign_out"];

/// Every group of the filter, in order, the security group last but one.
fn groups() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut all: Vec<(&'static str, Vec<&'static str>)> =
        GROUPS.iter().map(|(k, a)| (*k, a.to_vec())).collect();
    let security = SIGN_IN
        .iter()
        .copied()
        .chain(crate::security::AUDIT_ACTIONS)
        .collect();
    all.insert(all.len() - 1, ("audit.group.security", security));
    all
}

/// Every action the portal records.
pub fn known_actions() -> impl Iterator<Item = &'static str> {
    groups().into_iter().flat_map(|(_, a)| a)
}

/// The message key part of an action: `member.add` → `member_add`.
fn slug(action: &str) -> String {
    action.replace('.', "_")
}

/// "Member added": the action's name for the filter.
pub fn action_name(t: &Tr, action: &str) -> String {
    let key = format!("audit.name.{}", slug(action));
    let name = t.t(&key);
    if name == key {
        t.t("audit.name.other")
    } else {
        name
    }
}

/// One group of the action filter, translated.
pub struct ActionGroup {
    pub label: String,
    /// (action key, its name).
    pub actions: Vec<(&'static str, String)>,
}

pub fn action_groups(t: &Tr) -> Vec<ActionGroup> {
    groups()
        .into_iter()
        .map(|(label, actions)| ActionGroup {
            label: t.t(label),
            actions: actions
                .into_iter()
                .map(|a| (a, action_name(t, a)))
                .collect(),
        })
        .collect()
}

fn text(details: &Value, key: &str) -> Option<String> {
    match details.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Array(items) => {
            let names: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        _ => None,
    }
}

/// What an entry did, after its actor: "added Person 3 to Acme Corp as admin". Failures read
/// "tried to …". `org_name`: the organization's name when the page knows it.
pub fn sentence(t: &Tr, e: &Entry, org_name: Option<&str>) -> String {
    let details: Value = serde_json::from_str(&e.details).unwrap_or(Value::Null);
    let target = e
        .target_label
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| text(&details, "invitee"))
        .or_else(|| e.target_id.clone())
        .unwrap_or_else(|| t.t("audit.someone"));
    let org = org_name
        .map(str::to_string)
        .or_else(|| text(&details, "organization"))
        .unwrap_or_else(|| t.t("audit.an_org"));
    let roles = text(&details, "roles").or_else(|| text(&details, "role"));
    let name = text(&details, "name")
        .or_else(|| text(&details, "application"))
        .unwrap_or_default();
    let outcome = if e.result == "success" {
        "done"
    } else {
        "tried"
    };
    let has_roles = if roles.is_some() { "yes" } else { "no" };
    let roles = roles.unwrap_or_default();
    // Organization changes: which settings changed, which email domain.
    let fields = text(&details, "fields").unwrap_or_default();
    let domain = text(&details, "domain").unwrap_or_default();
    let args: [(&str, &dyn std::fmt::Display); 8] = [
        ("target", &target),
        ("org", &org),
        ("roles", &roles),
        ("has_roles", &has_roles),
        ("name", &name),
        ("outcome", &outcome),
        ("fields", &fields),
        ("domain", &domain),
    ];
    let key = format!("audit.did.{}", slug(&e.action));
    let said = t.f(&key, &args);
    if said == key {
        t.f("audit.did.other", &args)
    } else {
        said
    }
}

/// Why an entry failed, in words: the portal's own rules, Logto's common refusals, outages;
/// anything else reads as a general refusal (the code stays in the details).
pub fn failure_reason(t: &Tr, code: &str) -> String {
    let key = match code {
        "not_org_admin" | "not_operator" | "org_edit_off" | "access" => "audit.why.not_allowed",
        "self_guard" => "audit.why.self",
        "last_admin" => "audit.why.last_admin",
        "csrf" => "audit.why.csrf",
        "logto_rate_limited" => "audit.why.busy",
        "logto_unavailable" | "logto_config" | "logto_decode" => "audit.why.logto_down",
        "logto_unsupported" => "audit.why.unsupported",
        "role_not_assignable" | "user.invalid_role_type" => "audit.why.role_type",
        "organization.require_membership" => "audit.why.not_member",
        "entity.not_found" => "audit.why.gone",
        "email_mismatch" => "audit.why.email_mismatch",
        "invalid_current_password" | "session.invalid_credentials" => "audit.why.password",
        "password_policy" => "audit.why.password_policy",
        "reauthentication_required" => "audit.why.reauthenticate",
        c if c.ends_with("_already_in_use") => "audit.why.in_use",
        c if c.starts_with("invitation_") => "audit.why.invitation_state",
        c if c.starts_with("rate_") || c.ends_with("_limited") => "audit.why.too_often",
        c if c.starts_with("http_5") => "audit.why.logto_down",
        _ => "audit.why.refused",
    };
    t.t(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn entry(action: &str, result: &str, label: Option<&str>, details: &str) -> Entry {
        Entry {
            id: 1,
            occurred_at: 0,
            actor_id: Some("a1".into()),
            actor_name: Some("Adam Admin".into()),
            actor_email: None,
            action: action.into(),
            target_type: Some("user".into()),
            target_id: Some("u1".into()),
            target_label: label.map(String::from),
            org_id: Some("o1".into()),
            result: result.into(),
            error_code: None,
            request_id: None,
            ip: None,
            user_agent: None,
            details: details.into(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn entries_read_as_sentences_in_both_languages() {
        let en = Tr::new(Lang::En);
        let e = entry(
            "invitation.create",
            "success",
            Some("new.person@example.com"),
            r#"{"invitee":"new.person@example.com","roles":["member"]}"#,
        );
        assert_eq!(
            sentence(&en, &e, Some("Acme Corp")),
            "invited new.person@example.com to Acme Corp as member"
        );
        let failed = entry("member.remove", "failure", Some("Ann"), "{}");
        assert_eq!(
            sentence(&en, &failed, Some("Acme Corp")),
            "tried to remove Ann from Acme Corp"
        );
        let zh = Tr::new(Lang::ZhTw);
        let said = sentence(&zh, &e, Some("Acme Corp"));
        assert!(said.contains("new.person@example.com") && said.contains("Acme Corp"));
        assert!(!said.contains("audit."), "{said}");
    }

    #[test]
    fn every_known_action_has_words_and_unknown_ones_fall_back() {
        for lang in [Lang::En, Lang::ZhTw] {
            let t = Tr::new(lang);
            for action in known_actions() {
                for result in ["success", "failure"] {
                    let said = sentence(&t, &entry(action, result, Some("X"), "{}"), None);
                    assert!(
                        !said.contains("audit.") && !said.is_empty(),
                        "{action}: {said}"
                    );
                }
                assert_ne!(action_name(&t, action), t.t("audit.name.other"), "{action}");
            }
            let odd = sentence(&t, &entry("future.thing", "success", Some("X"), "{}"), None);
            assert_eq!(
                odd,
                t.f("audit.did.other", &[("target", &"X"), ("outcome", &"done")])
            );
            assert_eq!(action_name(&t, "future.thing"), t.t("audit.name.other"));
        }
    }

    #[test]
    fn organization_changes_read_as_sentences() {
        let en = Tr::new(Lang::En);
        let mut e = entry(
            "org.update",
            "success",
            Some("Acme"),
            r#"{"organization":"Acme","fields":["name","isMfaRequired"]}"#,
        );
        e.target_type = Some("organization".into());
        assert_eq!(
            sentence(&en, &e, None),
            "changed the settings of Acme (name, isMfaRequired)"
        );
        let add = entry(
            "org.jit_domain_add",
            "success",
            Some("Acme"),
            r#"{"organization":"Acme","domain":"acme.com"}"#,
        );
        assert_eq!(
            sentence(&en, &add, None),
            "made @acme.com a verified domain of Acme"
        );
        let roles = entry(
            "org.jit_roles_set",
            "success",
            Some("Acme"),
            r#"{"organization":"Acme","roles":[]}"#,
        );
        assert_eq!(
            sentence(&en, &roles, None),
            "set that people joining Acme by themselves get no role"
        );
    }

    #[test]
    fn failure_codes_read_as_reasons() {
        let t = Tr::new(Lang::En);
        assert_eq!(
            failure_reason(&t, "not_org_admin"),
            t.t("audit.why.not_allowed")
        );
        assert_eq!(
            failure_reason(&t, "logto_rate_limited"),
            t.t("audit.why.busy")
        );
        assert_eq!(
            failure_reason(&t, "some.new_code"),
            t.t("audit.why.refused")
        );
        assert!(!failure_reason(&t, "logto_rate_limited").contains("logto_"));
    }
}
