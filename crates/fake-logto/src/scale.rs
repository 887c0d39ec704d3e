//! A large tenant for measuring the portal at scale: `users` people with realistic names,
//! emails and usernames, the first `members` of them in one organization ("Scale Co") holding
//! its roles. Deterministic: the same sizes give the same ids, names and roles on every run,
//! so a benchmark's "page deep in" or "first two admins" are the same people each time.

use crate::seed::DEMO_PASSWORD;
use crate::store::{now_ms, FakeState, NewUser};
use serde_json::json;

/// The organization the scale seed creates.
pub const SCALE_ORG_NAME: &str = "Scale Co";
/// An admin of Scale Co who can sign in (password [`DEMO_PASSWORD`]).
pub const SCALE_ADMIN_USERNAME: &str = "scale_admin";
/// One member in this many (besides `scale_admin`) is an admin of Scale Co; at least one.
pub const MEMBERS_PER_ADMIN: usize = 1_000;
/// One member in this many holds no organization role at all.
const MEMBERS_PER_ROLELESS: usize = 50;

const FIRST: &[&str] = &[
    "Aaliyah",
    "Ahmed",
    "Aiko",
    "Alejandro",
    "Amara",
    "Anders",
    "Anika",
    "Arjun",
    "Beatriz",
    "Bjorn",
    "Camille",
    "Carlos",
    "Chen",
    "Dalia",
    "Dmitri",
    "Ebony",
    "Emeka",
    "Esther",
    "Fatima",
    "Felix",
    "Giulia",
    "Hamza",
    "Hannah",
    "Ibrahim",
    "Ingrid",
    "Isabel",
    "Jamal",
    "Jia",
    "Kaito",
    "Karin",
    "Kwame",
    "Lars",
    "Leila",
    "Lucia",
    "Malik",
    "Mariana",
    "Mei",
    "Nadia",
    "Noah",
    "Oksana",
    "Omar",
    "Paulo",
    "Priya",
    "Rafael",
    "Rania",
    "Sakura",
    "Sven",
    "Thandiwe",
    "Yusuf",
    "Zofia",
];
const LAST: &[&str] = &[
    "Abebe",
    "Andersson",
    "Banerjee",
    "Brown",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fernandez",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kim",
    "Kowalski",
    "Larsen",
    "Mbeki",
    "Moreau",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Oliveira",
    "Petrov",
    "Quispe",
    "Rossi",
    "Sato",
    "Schmidt",
    "Silva",
    "Tanaka",
    "Torres",
    "Usman",
    "Varga",
    "Wang",
    "Weber",
    "Yilmaz",
    "Zhou",
];
const DOMAINS: &[&str] = &["scale.test", "example.test", "mail.test", "corp.test"];

/// What [`FakeState::seed_scale`] created.
#[derive(Debug, Clone)]
pub struct ScaleSeed {
    pub org_id: String,
    pub admin_username: String,
    pub password: String,
    /// Members of Scale Co, `scale_admin` included.
    pub members: usize,
    /// Users created (members included).
    pub users: usize,
    /// Admins of Scale Co, `scale_admin` included.
    pub admins: usize,
}

/// splitmix64: a fixed, well-mixed sequence, so ids look like Logto's random ones but repeat.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A 12-character lowercase `[0-9a-z]` id, like Logto's user ids.
fn user_id(n: u64) -> String {
    const CHARS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut x = mix(n);
    let mut y = mix(x ^ 0x5ca1e);
    (0..12)
        .map(|i| {
            let source = if i < 6 { &mut x } else { &mut y };
            let c = CHARS[(*source % 36) as usize] as char;
            *source /= 36;
            c
        })
        .collect()
}

/// Whether member number `i` (0 = `scale_admin`) of `members` is an admin.
fn is_admin(i: usize, members: usize) -> bool {
    let extra = (members / MEMBERS_PER_ADMIN).max(1);
    let stride = (members / extra).max(1);
    i == 0 || (i % stride == stride / 2 && i / stride < extra)
}

impl FakeState {
    /// Adds, beside whatever is there, `users` people (at least `members`) and the
    /// organization "Scale Co" whose members are the first `members` of them: `scale_admin`
    /// and one in [`MEMBERS_PER_ADMIN`] more are admins, one in 50 holds no role, the others
    /// are `member`. Creates the `admin` and `member` organization roles when missing.
    /// Takes well under a second per 100,000 people (one lock, no per-user searches).
    pub fn seed_scale(&self, members: usize, users: usize) -> ScaleSeed {
        let members = members.max(1);
        let users = users.max(members);
        let now = now_ms();
        for (name, description) in [
            ("admin", "Organization administrator"),
            ("member", "Organization member"),
        ] {
            if self.lock().find_org_role_by_name(name).is_none() {
                self.create_org_role(name, description);
            }
        }
        let mut s = self.lock();
        let role_id = |name: &str| {
            s.find_org_role_by_name(name)
                .map(|r| r.id.clone())
                .unwrap_or_default()
        };
        let (admin_role, member_role) = (role_id("admin"), role_id("member"));
        let org_id = s.insert_org(
            SCALE_ORG_NAME,
            Some("A large organization for measuring the portal"),
            now - 400 * 86_400_000,
        );
        let mut admins = 0;
        for i in 0..users {
            let mut n = i as u64;
            let id = loop {
                let id = user_id(n);
                if !s.users.contains_key(&id) {
                    break id;
                }
                n = n.wrapping_add(1 << 40);
            };
            let first = FIRST[i % FIRST.len()];
            let last = LAST[(i / FIRST.len()) % LAST.len()];
            let round = i / (FIRST.len() * LAST.len());
            let domain = if i < members {
                DOMAINS[0]
            } else {
                DOMAINS[1 + i % (DOMAINS.len() - 1)]
            };
            let (username, email, name) = if i == 0 {
                (
                    SCALE_ADMIN_USERNAME.to_string(),
                    format!("scale.admin@{}", DOMAINS[0]),
                    "Scale Admin".to_string(),
                )
            } else {
                let (f, l) = (first.to_lowercase(), last.to_lowercase());
                (
                    format!("{f}_{l}_{round}"),
                    format!("{f}.{l}.{round}@{domain}"),
                    format!("{first} {last}"),
                )
            };
            s.preset_ids.borrow_mut().push_back(id.clone());
            // One new person a minute, the newest first in Logto's order.
            let created = now - 60_000 * (i as i64 + 1);
            let inserted = s.insert_user(
                NewUser {
                    username: Some(username),
                    primary_email: Some(email),
                    primary_phone: (i % 5 == 0).then(|| format!("1555{:07}", i % 10_000_000)),
                    name: Some(name),
                    password: Some(DEMO_PASSWORD.into()),
                    profile: json!({"givenName": first, "familyName": last}),
                    ..Default::default()
                },
                created,
            );
            if let Some(u) = s.users.get_mut(&inserted) {
                u.last_sign_in_at = (i % 3 != 2).then_some(created + 3_600_000);
            }
            if i < members {
                s.add_member(&org_id, &inserted);
                let role = if is_admin(i, members) {
                    admins += 1;
                    Some(&admin_role)
                } else if i % MEMBERS_PER_ROLELESS == MEMBERS_PER_ROLELESS - 1 {
                    None
                } else {
                    Some(&member_role)
                };
                if let Some(r) = role {
                    s.member_roles
                        .insert((org_id.clone(), inserted.clone(), r.clone()));
                }
            }
        }
        ScaleSeed {
            org_id,
            admin_username: SCALE_ADMIN_USERNAME.into(),
            password: DEMO_PASSWORD.into(),
            members,
            users,
            admins,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FakeLogtoConfig;

    #[test]
    fn ids_are_logto_like_and_repeat() {
        let a = user_id(7);
        assert_eq!(a.len(), 12);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
        assert_eq!(a, user_id(7));
        assert_ne!(a, user_id(8));
    }

    #[test]
    fn admins_are_one_in_a_thousand_and_at_least_two() {
        let count = |m: usize| (0..m).filter(|&i| is_admin(i, m)).count();
        assert_eq!(count(100), 2);
        assert_eq!(count(1_000), 2);
        assert_eq!(count(10_000), 11);
    }

    #[test]
    fn seeds_the_organization_and_the_tenant() {
        let st = FakeState::new(FakeLogtoConfig::default());
        let seed = st.seed_scale(300, 1_000);
        let s = st.lock();
        assert_eq!(s.users.len(), 1_000);
        assert_eq!(s.member_ids(&seed.org_id).count(), 300);
        assert_eq!(seed.admins, 2);
        let admin = s.find_user_by_username(SCALE_ADMIN_USERNAME).unwrap();
        let admin_role = s.find_org_role_by_name("admin").unwrap().id.clone();
        assert!(s.member_holds(&seed.org_id, &admin.id, &admin_role));
        let usernames: std::collections::BTreeSet<_> = s
            .users
            .values()
            .filter_map(|u| u.username.clone())
            .collect();
        assert_eq!(usernames.len(), 1_000, "usernames are unique");

        let other = FakeState::new(FakeLogtoConfig::default());
        other.seed_scale(300, 1_000);
        let ids = |st: &crate::store::Store| st.users.keys().cloned().collect::<Vec<_>>();
        assert_eq!(ids(&s), ids(&other.lock()), "the same people on every run");
    }
}
