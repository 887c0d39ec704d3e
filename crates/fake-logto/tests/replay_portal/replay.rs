//! Sending the recorded requests in order, learning ids as the fake reveals them.

use super::*;

pub(crate) struct Replay {
    pub(crate) url: String,
    pub(crate) http: reqwest::Client,
    pub(crate) token: String,
    pub(crate) state: FakeState,
    /// placeholder users (with the search term they were made to match) and organizations
    /// standing for ones the recording never shows
    pub(crate) user_pool: Vec<(String, Option<String>)>,
    pub(crate) org_pool: Vec<String>,
    /// org → placeholder users holding a membership there
    pub(crate) placeholder_members: BTreeMap<String, Vec<String>>,
    /// org → members learnt from answers, in the order learnt
    pub(crate) revealed_members: BTreeMap<String, Vec<String>>,
}

impl Replay {
    pub(crate) async fn send(
        &self,
        e: &Exchange,
        shift_ms: i64,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let method = Method::from_bytes(e.method.as_bytes()).expect("method");
        let mut req = self
            .http
            .request(method, format!("{}{}", self.url, e.path))
            .bearer_auth(&self.token);
        if !e.request_body.is_null() {
            let mut body = e.request_body.clone();
            if let Some(t) = body["expiresAt"].as_i64() {
                body["expiresAt"] = json!(t + shift_ms);
            }
            req = req.json(&body);
        }
        let r = req.send().await.expect("request to the fake");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.text().await.unwrap_or_default())
    }

    /// A user the recording never shows, created just before the exchange that counts it and
    /// named so only the search `term` (if any) of the recording matches it.
    pub(crate) fn add_placeholder_user(&mut self, at_ms: i64, term: Option<&str>) -> String {
        let n = self.user_pool.len();
        let id = self.state.create_user_at(
            NewUser {
                username: Some(match term {
                    Some(t) => format!("unshown_{n}_{t}"),
                    None => format!("unshown_{n}"),
                }),
                ..Default::default()
            },
            at_ms - 1,
        );
        self.user_pool.push((id.clone(), term.map(str::to_string)));
        id
    }

    pub(crate) fn drop_placeholder_user(&mut self, pick: impl Fn(&Option<String>) -> bool) -> bool {
        // placeholders made for no search go first
        let found = self
            .user_pool
            .iter()
            .rposition(|(_, t)| t.is_none() && pick(t))
            .or_else(|| self.user_pool.iter().rposition(|(_, t)| pick(t)));
        let Some(i) = found else {
            return false;
        };
        let (u, _) = self.user_pool.remove(i);
        self.state.delete_user(&u);
        for list in self.placeholder_members.values_mut() {
            list.retain(|m| *m != u);
        }
        true
    }

    /// The fake's own `Total-Number` for a recorded list query (a GET the recording did not make).
    pub(crate) async fn fake_total(&self, path: &str) -> usize {
        self.http
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("count request")
            .headers()
            .get("total-number")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    pub(crate) fn drop_placeholder_member(&mut self, org: &str) -> bool {
        let Some(list) = self.placeholder_members.get_mut(org) else {
            return false;
        };
        let Some(u) = list.pop() else { return false };
        self.state.remove_membership(org, &u);
        true
    }
}

pub(crate) fn is_garbled(v: &Value) -> bool {
    v.get("_text").is_some()
}

/// Apply what the answer reveals about changes made outside the portal; a description of each.
pub(crate) async fn reveal(rp: &mut Replay, e: &Exchange, tenant: &Tenant) -> Vec<String> {
    let mut revealed = Vec::new();
    if e.method == "POST"
        && e.route() == "/api/organization-invitations"
        && e.status == 422
        && e.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("already a member"))
    {
        // the refusal shows the invitee was a member (added outside the portal)
        let email = e.request_body["invitee"].as_str().unwrap_or_default();
        let org = e.request_body["organizationId"]
            .as_str()
            .unwrap_or_default();
        let user = tenant
            .timeline
            .iter()
            .find(|(_, k, b)| *k == Kind::User && b["primaryEmail"].as_str() == Some(email));
        let uid = match user {
            Some((_, _, u)) => u["id"].as_str().unwrap_or_default().to_string(),
            // a user the recording never shows: a placeholder with that email
            None => {
                let id = rp.add_placeholder_user(e.t_ms, Some("email"));
                let mut body = rp.state.user_json(&id).expect("placeholder");
                body["primaryEmail"] = json!(email);
                rp.state.seed_user_json(&body, None)
            }
        };
        if rp.state.member_role_ids(org, &uid).is_none() {
            rp.state.seed_membership(org, &uid, &[]);
            rp.drop_placeholder_member(org);
            revealed.push("a membership".into());
        }
        return revealed;
    }
    if e.method != "GET" || e.status != 200 {
        return revealed;
    }
    let facts = if is_garbled(&e.body) {
        BTreeMap::new()
    } else {
        membership_facts(e)
    };
    for ((org, user), roles) in &facts {
        let now: Option<BTreeSet<String>> = rp
            .state
            .member_role_ids(org, user)
            .map(|v| v.into_iter().collect());
        if now.as_ref() != Some(roles) {
            let ids: Vec<&str> = roles.iter().map(String::as_str).collect();
            rp.state.seed_membership(org, user, &ids);
            if now.is_none() {
                // a placeholder stood for this member until now
                rp.drop_placeholder_member(org);
                rp.revealed_members
                    .entry(org.clone())
                    .or_default()
                    .push(user.clone());
                revealed.push("a membership".to_string());
            } else {
                revealed.push("member roles".to_string());
            }
        }
    }
    let seg = e.segments();
    let total: Option<usize> = e.header("total-number").and_then(|t| t.parse().ok());
    let query = e.query();
    let filtered = query
        .iter()
        .any(|(k, _)| k == "q" || k.starts_with("search") || k.starts_with("mode"));
    let page_size: usize = query
        .iter()
        .find(|(k, _)| k == "page_size")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(20);
    let page_one = query.iter().all(|(k, v)| k != "page" || v == "1");
    let shown = items(&e.body).len();
    let whole_list = !is_garbled(&e.body) && page_one && total == Some(shown) && shown <= page_size;
    let created_before = |kind: Kind| {
        tenant
            .timeline
            .iter()
            .filter(|(c, k, _)| *k == kind && *c <= e.t_ms)
            .count()
    };
    match (seg.as_slice(), total, filtered) {
        (["api", "organizations", org, "users"], Some(total), false) => {
            let members = rp.state.member_ids(org);
            if whole_list {
                for m in &members {
                    if !facts.contains_key(&(org.to_string(), m.clone())) {
                        rp.state.remove_membership(org, m);
                        if let Some(list) = rp.placeholder_members.get_mut(*org) {
                            list.retain(|u| u != m);
                        }
                        revealed.push("a membership ended".into());
                    }
                }
            } else if members.len() < total {
                for _ in members.len()..total {
                    let free = rp
                        .user_pool
                        .iter()
                        .map(|(u, _)| u)
                        .find(|u| {
                            !members.contains(u)
                                && !rp
                                    .placeholder_members
                                    .get(*org)
                                    .is_some_and(|l| l.contains(u))
                        })
                        .cloned();
                    let u = match free {
                        Some(u) => u,
                        None => rp.add_placeholder_user(e.t_ms, None),
                    };
                    rp.state.seed_membership(org, &u, &[]);
                    rp.placeholder_members
                        .entry(org.to_string())
                        .or_default()
                        .push(u);
                }
                revealed.push("members never shown".into());
            } else if members.len() > total {
                let mut changed = false;
                while rp.state.member_ids(org).len() > total && rp.drop_placeholder_member(org) {
                    changed = true;
                }
                // then the members learnt last (a batch added and removed outside the portal)
                while rp.state.member_ids(org).len() > total {
                    let Some(u) = rp.revealed_members.get_mut(*org).and_then(Vec::pop) else {
                        break;
                    };
                    rp.state.remove_membership(org, &u);
                    changed = true;
                }
                if changed {
                    revealed.push("members never shown".into());
                }
            }
        }
        (["api", "users", user, "roles"], Some(_), _) if whole_list => {
            let listed: BTreeSet<String> = items(&e.body)
                .iter()
                .filter_map(|r| r["id"].as_str().map(str::to_string))
                .collect();
            let held: BTreeSet<String> = rp.state.user_role_ids(user).into_iter().collect();
            if listed != held {
                for r in held.difference(&listed) {
                    rp.state.unassign_role(user, r);
                }
                for r in listed.difference(&held) {
                    rp.state.assign_role(user, r);
                }
                revealed.push("user roles".into());
            }
        }
        (["api", "users"], Some(total), _) => {
            // unfiltered, or the portal's simple search `search=%term%`
            let term: Option<String> = match query.iter().find(|(k, _)| k.starts_with("search")) {
                None => None,
                Some((k, v)) if k == "search" && v.starts_with('%') && v.ends_with('%') => {
                    Some(v.trim_matches('%').to_string())
                }
                Some(_) => return revealed,
            };
            let have = rp.fake_total(&e.path).await;
            if have != total {
                let mut changed = false;
                for _ in have..total {
                    rp.add_placeholder_user(e.t_ms, term.as_deref());
                    changed = true;
                }
                for _ in total..have {
                    let pick_term = term.clone();
                    changed |= rp.drop_placeholder_user(|t| pick_term.is_none() || *t == pick_term);
                }
                if changed {
                    revealed.push("users never shown".into());
                }
            }
        }
        (["api", "organizations"], Some(total), false) => {
            let needed = total.saturating_sub(created_before(Kind::Organization));
            if needed != rp.org_pool.len() {
                while rp.org_pool.len() < needed {
                    let id = rp.state.seed_organization_json(&json!({
                        "id": format!("unshown{:05}", rp.org_pool.len()),
                        "name": format!("unshown organization {}", rp.org_pool.len()),
                        "createdAt": 1_000_000_000_000i64 + rp.org_pool.len() as i64,
                    }));
                    rp.org_pool.push(id);
                }
                while rp.org_pool.len() > needed {
                    let o = rp.org_pool.pop().expect("pool");
                    rp.state.delete_organization(&o);
                }
                revealed.push("organizations never shown".into());
            }
        }
        _ => {}
    }
    revealed
}
