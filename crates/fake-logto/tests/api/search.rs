//! Logto's search grammar, exclude filters and paging.

use super::*;

#[tokio::test]
pub(crate) async fn search_grammar() {
    let t = TestLogto::start().await;
    let st = t.logto.state();
    st.create_user(user("alice", Some("Alice@Example.com"), "Alice A"));
    st.create_user(user("bob", Some("bob@example.com"), "Bob B"));
    st.create_user(user("a_b", Some("under@corp.test"), "100% Pure"));
    st.create_user(user("axb", None, "Axb"));

    // like: verbatim, no implicit wildcards; case-insensitive by default
    assert_eq!(search(&t, "search=alice").await, vec!["alice"]);
    assert_eq!(search(&t, "search=ali").await, Vec::<String>::new());
    assert_eq!(
        search(&t, "search=%25EXAMPLE.COM%25").await,
        vec!["alice", "bob"]
    );
    assert!(search(&t, "search=%25EXAMPLE.COM%25&isCaseSensitive=true")
        .await
        .is_empty());
    // `_` is a wildcard, `\_` a literal underscore, `\%` a literal percent
    assert_eq!(search(&t, "search.username=a_b").await, vec!["a_b", "axb"]);
    assert_eq!(search(&t, "search.username=a%5C_b").await, vec!["a_b"]);
    assert_eq!(search(&t, "search.name=100%5C%25%25").await, vec!["a_b"]);
    // exact, several values, case-insensitive unless asked
    assert_eq!(
        search(
            &t,
            "search.username=alice&search.username=BOB&mode.username=exact"
        )
        .await,
        vec!["alice", "bob"]
    );
    assert_eq!(
        search(
            &t,
            "search.username=alice&search.username=BOB&mode.username=exact&isCaseSensitive=true"
        )
        .await,
        vec!["alice"]
    );
    assert_eq!(
        search(
            &t,
            "search.primary_email=alice@example.com&mode.primary_email=exact"
        )
        .await,
        vec!["alice"]
    );
    // joint
    assert_eq!(
        search(
            &t,
            "search.primaryEmail=%25example.com%25&search.name=%25B%25&joint=and"
        )
        .await,
        vec!["bob"]
    );
    assert_eq!(
        search(
            &t,
            "search.primaryEmail=%25example.com%25&search.name=%25B%25&jointMode=or"
        )
        .await,
        vec!["alice", "axb", "bob"]
    );
    // posix and similar_to
    assert_eq!(
        search(&t, "search.username=%5Ea&mode.username=posix").await,
        vec!["a_b", "alice", "axb"]
    );
    assert_eq!(
        search(
            &t,
            "search.username=%5EA&mode.username=posix&isCaseSensitive=true"
        )
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        search(
            &t,
            "search.username=(alice%7Cbob)&mode.username=similar_to&isCaseSensitive=true"
        )
        .await,
        vec!["alice", "bob"]
    );
    assert_eq!(
        search(
            &t,
            "search.username=a.b&mode.username=similar_to&isCaseSensitive=true"
        )
        .await,
        Vec::<String>::new(),
        "`.` is literal in SIMILAR TO"
    );
    // global mode applies to all fields
    assert_eq!(search(&t, "search=bob&mode=exact").await, vec!["bob"]);

    // errors (messages as Logto words them)
    assert_eq!(
        search_error(&t, "search.foo=bar").await,
        "Input is invalid. Search field `foo` is not valid, expect one of id, primary_email, primary_phone, username, name."
    );
    assert!(
        search_error(&t, "search.primaryEmail=a&mode.primaryEmail=regex")
            .await
            .contains("Search match mode `regex` for field `primaryEmail` is not valid")
    );
    assert!(search_error(&t, "search.username=a&search.username=b")
        .await
        .contains("Only one search value"));
    assert!(search_error(&t, "search=a&joint=xor")
        .await
        .contains("Search joint mode `xor` is not valid"));
    assert!(
        search_error(&t, "search.username=a%25&mode.username=similar_to")
            .await
            .contains("case-insensitive match for `similar to`")
    );
    assert!(search_error(&t, "search.username=(&mode.username=posix")
        .await
        .contains("regular expression"));
    assert!(search_error(&t, "search.a.b=x").await.contains("nested"));
    assert!(search_error(&t, "search=")
        .await
        .contains("cannot be empty"));
    let r = t.get("/api/users?search.foo=bar").await;
    assert_eq!(r.json()["data"], json!({}));
    let r = t
        .get("/api/users?excludeRoleId=a&excludeOrganizationId=b")
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.code(), "request.invalid_input");
}

#[tokio::test]
pub(crate) async fn exclude_filters() {
    let t = TestLogto::start().await;
    let st = t.logto.state();
    let a = st.create_user(user("in_org", None, "In"));
    let b = st.create_user(user("has_role", None, "Role"));
    st.create_user(user("free", None, "Free"));
    let org = st.create_organization("O", None);
    st.create_org_role("member", "m");
    st.add_member(&org, &a, &["member"]);
    let role = st.create_role("r", "d");
    st.assign_role(&b, &role);
    assert_eq!(
        search(&t, &format!("excludeOrganizationId={org}")).await,
        vec!["free", "has_role"]
    );
    assert_eq!(
        search(&t, &format!("excludeRoleId={role}")).await,
        vec!["free", "in_org"]
    );
}

#[tokio::test]
pub(crate) async fn pagination_headers_and_validation() {
    let t = TestLogto::start().await;
    let st = t.logto.state();
    for i in 0..7 {
        st.create_user_at(user(&format!("u{i}"), None, "x"), 1_000_000 + i);
    }
    let r = t.get("/api/users?page=2&page_size=3").await;
    assert_eq!(r.header("total-number").as_deref(), Some("7"));
    assert_eq!(
        usernames(&r.json()),
        vec!["u3", "u2", "u1"],
        "createdAt desc"
    );
    let host = t.url();
    assert_eq!(
        links(&r),
        vec![
            ("first".into(), format!("{host}/users?page=1&page_size=3")),
            ("last".into(), format!("{host}/users?page=3&page_size=3")),
            ("prev".into(), format!("{host}/users?page=1&page_size=3")),
            ("next".into(), format!("{host}/users?page=3&page_size=3")),
        ]
    );
    assert_eq!(r.all("link").len(), 4, "one Link header line per relation");
    // page beyond end
    let r = t.get("/api/users?page=9&page_size=3").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!([]));
    let rels: Vec<String> = links(&r).into_iter().map(|(r, _)| r).collect();
    assert_eq!(rels, vec!["first", "last", "prev"]);
    // repeated keys are joined, `page` appended
    let r = t
        .get("/api/users?search.username=u1&search.username=u2&mode.username=exact")
        .await;
    assert_eq!(
        links(&r)[0].1,
        format!("{host}/users?search.username=u1%2Cu2&mode.username=exact&page=1")
    );
    for bad in [
        "page=0",
        "page=-1",
        "page=abc",
        "page_size=0",
        "page_size=101",
        "page_size=x",
    ] {
        let r = t.get(&format!("/api/users?{bad}")).await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.code(), "guard.invalid_pagination");
    }
    assert_eq!(
        t.get("/api/users?page=").await.status,
        200,
        "empty = absent"
    );
    // optional pagination: no headers without page params
    let org = st.create_organization("O", None);
    let u = st.create_user(user("m", None, "m"));
    st.create_org_role("a", "a");
    st.create_org_role("b", "b");
    st.add_member(&org, &u, &["a", "b"]);
    let r = t
        .get(&format!("/api/organizations/{org}/users/{u}/roles"))
        .await;
    assert!(r.header("total-number").is_none());
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    let r = t
        .get(&format!(
            "/api/organizations/{org}/users/{u}/roles?page_size=1"
        ))
        .await;
    assert_eq!(r.header("total-number").as_deref(), Some("2"));
    assert_eq!(r.json().as_array().unwrap().len(), 1);
}
