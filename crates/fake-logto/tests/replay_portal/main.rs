//! Contract replay: the 1,653 exchanges the portal had with a real Logto 1.37.1
//! (`../shared/logto-recorded-portal-1.37.1.jsonl`), sent in order to a fresh fake imitating
//! 1.37, comparing status, `Total-Number`, the set of ids of list bodies and the body shape
//! (same keys recursively, same JSON types, `null` standing for any type since nullable
//! fields carry state, not shape; error bodies the same `code`). The recorder stored most
//! gzip-encoded answers as lossy text (`{"_text": …}`): those are compared on status and
//! `Total-Number` only, and teach the replay nothing about the tenant.
//!
//! The four member lists filtered by `organizationRoleId` are in the recording: a fake that
//! honoured the filter (1.41+) fails this test.
//!
//! The recorded tenant is rebuilt from the recording itself, with the recorded ids:
//! - users, organizations, invitations and logs are seeded when the replay clock passes their
//!   `createdAt` (test fixtures created them outside the portal); roles and organization roles
//!   exist from the start; invitations the portal created are created by the replay, taking the
//!   recorded id;
//! - memberships and member roles carry no timestamp: an exchange whose recorded answer shows a
//!   membership or role the fake does not hold (or a full member list without one it holds)
//!   reveals a change made outside the portal. The change is applied and that exchange is
//!   counted as skipped ("reveals …"), never compared, so no compared answer is fed by itself;
//! - list totals larger than everything the recording ever shows mean entities it never shows:
//!   placeholders (never matching any search) are added and the exchange is skipped likewise.

#[path = "../common/mod.rs"]
mod common;

use common::{client, m2m_token, shared_dir};
use fake_logto::{FakeLogto, FakeLogtoConfig, FakeState, LogtoVersion, NewUser};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};

mod compare;
mod replay;
mod tenant;
use compare::*;
use replay::*;
use tenant::*;

const RECORDING: &str = "logto-recorded-portal-1.37.1.jsonl";

/// Exchanges that cannot be reproduced, by kind, with the reason.
fn unreproducible(e: &Exchange) -> Option<&'static str> {
    if e.kind().ends_with("/password/verify") && e.status == 204 {
        return Some(
            "password verified: the recording redacts the password, so which one was right is unknown",
        );
    }
    None
}

#[tokio::test]
async fn portal_exchanges_replay_against_the_1_37_fake() {
    let dir = shared_dir();
    let exchanges = load(&dir);
    assert!(
        exchanges.len() >= 1600,
        "{RECORDING}: only {} exchanges",
        exchanges.len()
    );
    let tenant = survey(&exchanges);
    // recorded times move to today, so invitations expire as they did relative to the replay
    let shift_ms = common::now_ms() - exchanges[0].t_ms;

    let logto = FakeLogto::start(FakeLogtoConfig::for_version(LogtoVersion::V1_37)).await;
    let state = logto.state();
    for r in &tenant.roles {
        state.seed_role_json(r);
    }
    for r in &tenant.org_roles {
        state.seed_org_role_json(r);
    }
    let http = client();
    let url = logto.url();
    let token = m2m_token(&http, &url, Some("all")).await;
    let mut rp = Replay {
        url,
        http,
        token,
        state: state.clone(),
        user_pool: Vec::new(),
        org_pool: Vec::new(),
        placeholder_members: BTreeMap::new(),
        revealed_members: BTreeMap::new(),
    };

    let mut next_seed = 0;
    let (mut replayed, mut matched, mut body_lost) = (0usize, 0usize, 0usize);
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    for (i, e) in exchanges.iter().enumerate() {
        while next_seed < tenant.timeline.len() && tenant.timeline[next_seed].0 <= e.t_ms {
            let (_, kind, body) = &tenant.timeline[next_seed];
            seed(&state, *kind, body, shift_ms);
            next_seed += 1;
        }
        if let Some(why) = unreproducible(e) {
            *skipped.entry(format!("{}: {why}", e.kind())).or_default() += 1;
            continue;
        }
        let revealed = reveal(&mut rp, e, &tenant).await;
        if e.method == "POST" && e.status == 201 {
            if let Some(id) = e.body["id"].as_str() {
                state.preset_next_ids(&[id]);
            }
        }
        let (status, headers, text) = rp.send(e, shift_ms).await;
        if !revealed.is_empty() {
            let mut kinds: Vec<String> = revealed;
            kinds.sort();
            kinds.dedup();
            *skipped
                .entry(format!(
                    "{}: reveals a change made outside the portal ({})",
                    e.kind(),
                    kinds.join(", ")
                ))
                .or_default() += 1;
            continue;
        }
        replayed += 1;
        if is_garbled(&e.body) {
            body_lost += 1;
        }
        let diffs = compare(e, status, &headers, &text);
        if diffs.is_empty() {
            matched += 1;
        } else {
            failures.push(format!(
                "#{i} {} {} → {}\n    {}\n    fake: {}",
                e.method,
                e.path,
                e.status,
                diffs.join("\n    "),
                text.chars().take(300).collect::<String>()
            ));
        }
    }
    let skipped_total: usize = skipped.values().sum();
    println!(
        "{RECORDING}: {} exchanges; replayed {replayed}, matched {matched}, skipped {skipped_total}",
        exchanges.len()
    );
    println!(
        "  of the replayed, {body_lost} are compared on status and Total-Number only: the recorder \
         stored their gzip bodies as lossy text"
    );
    for (why, n) in &skipped {
        println!("  skipped {n:>4} × {why}");
    }
    assert!(
        failures.is_empty(),
        "{} of {replayed} replayed exchanges differ from the recording:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(replayed + skipped_total, exchanges.len());
    assert!(
        replayed * 10 >= exchanges.len() * 9,
        "only {replayed} of {} exchanges replayed",
        exchanges.len()
    );
}
