//! Pagination and search.

use super::*;

#[tokio::test]
async fn pages_read_total_and_every_link_line() {
    let (fake, client) = setup().await;
    let st = fake.state();
    for i in 0..7 {
        st.create_user_at(
            fake_logto::NewUser {
                username: Some(format!("user{i}")),
                ..Default::default()
            },
            1_700_000_000_000 + i,
        );
    }
    let q = UserQuery {
        page: 2,
        page_size: 2,
        ..Default::default()
    };
    let page = client.list_users(&q).await.unwrap();
    assert_eq!(page.total, 7);
    assert_eq!((page.page, page.page_size), (2, 2));
    assert_eq!(page.last_page(), 4);
    assert_eq!((page.first_item_index(), page.last_item_index()), (3, 4));
    // Newest first.
    let names: Vec<_> = page
        .items
        .iter()
        .map(|u| u.username.clone().unwrap())
        .collect();
    assert_eq!(names, ["user4", "user3"]);
    let mut rels = page.links.clone();
    rels.sort();
    assert_eq!(
        rels,
        [
            ("first".to_owned(), 1),
            ("last".to_owned(), 4),
            ("next".to_owned(), 3),
            ("prev".to_owned(), 1)
        ]
    );
    // The page the portal computes from Total-Number is the one Logto's `Link: rel="next"` names.
    let logto_next = page
        .links
        .iter()
        .find(|(rel, _)| rel == "next")
        .map(|(_, p)| *p);
    assert_eq!(logto_next, page.next_page());

    let beyond = client
        .list_users(&UserQuery {
            page: 9,
            page_size: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(beyond.items.is_empty());
    assert_eq!(beyond.total, 7);
    assert!(!beyond.has_next());
    assert_eq!(beyond.prev_page(), Some(4));

    // Oversized and zero sizes are clamped before sending (Logto would 400).
    client
        .list_users(&UserQuery {
            page: 0,
            page_size: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    let last = received(&st, "GET", "/api/users").pop().unwrap();
    assert_eq!(last.query, "page=1&page_size=100");
}

#[tokio::test]
async fn users_stream_walks_every_page() {
    let (fake, client) = setup().await;
    let st = fake.state();
    for i in 0..230 {
        st.create_user(fake_logto::NewUser {
            username: Some(format!("u{i:03}")),
            ..Default::default()
        });
    }
    let all: Vec<_> = client
        .users_stream(UserQuery::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 230);
    let mut ids: Vec<_> = all.iter().map(|u| u.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 230);
    let queries: Vec<_> = received(&st, "GET", "/api/users")
        .into_iter()
        .map(|r| r.query)
        .collect();
    assert_eq!(
        queries,
        [
            "page=1&page_size=100",
            "page=2&page_size=100",
            "page=3&page_size=100"
        ]
    );
}

#[tokio::test]
async fn search_is_escaped_end_to_end() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let pct = user(&st, "pct", "50% off");
    user(&st, "plain", "500 off");
    let under = user(&st, "a_b", "Under");
    user(&st, "axb", "Other");

    let q = UserQuery {
        search: UserSearch::new().contains("50%"),
        ..Default::default()
    };
    assert_eq!(
        q.query_string(),
        "search=%2550%5C%25%25&page=1&page_size=20"
    );
    let page = client.list_users(&q).await.unwrap();
    let last = received(&st, "GET", "/api/users").pop().unwrap();
    assert_eq!(last.query, "search=%2550%5C%25%25&page=1&page_size=20");
    assert_eq!(page.items.iter().map(|u| &u.id).collect::<Vec<_>>(), [&pct]);

    let q = UserQuery {
        search: UserSearch::new().field_starts_with(SearchField::Username, "a_"),
        ..Default::default()
    };
    let page = client.list_users(&q).await.unwrap();
    assert_eq!(
        received(&st, "GET", "/api/users").pop().unwrap().query,
        "search.username=a%5C_%25&page=1&page_size=20"
    );
    assert_eq!(
        page.items.iter().map(|u| &u.id).collect::<Vec<_>>(),
        [&under]
    );

    // Exact with repeated values, AND-ed with a contains on another field.
    let q = UserQuery {
        search: UserSearch::new()
            .field_exact_any(SearchField::Username, ["pct", "plain", "a_b"])
            .field_contains(SearchField::Name, "off")
            .joint(Joint::And),
        ..Default::default()
    };
    let page = client.list_users(&q).await.unwrap();
    assert_eq!(
        received(&st, "GET", "/api/users").pop().unwrap().query,
        "search.username=pct&search.username=plain&search.username=a_b&search.name=%25off%25\
         &mode.username=exact&joint=and&page=1&page_size=20"
    );
    assert_eq!(page.total, 2);

    // Empty conditions are dropped, never sent.
    let q = UserQuery {
        search: UserSearch::new()
            .contains("  ")
            .field_exact(SearchField::Id, ""),
        ..Default::default()
    };
    assert_eq!(client.list_users(&q).await.unwrap().total, 4);
    assert_eq!(
        received(&st, "GET", "/api/users").pop().unwrap().query,
        "page=1&page_size=20"
    );
}

#[tokio::test]
async fn exclude_organization_members() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let org = st.create_organization("Acme", None);
    let member = user(&st, "in", "In");
    let outsider = user(&st, "out", "Out");
    st.add_member(&org, &member, &[]);
    let q = UserQuery {
        exclude_organization_id: Some(org.clone()),
        ..Default::default()
    };
    let page = client.list_users(&q).await.unwrap();
    assert_eq!(
        page.items.iter().map(|u| &u.id).collect::<Vec<_>>(),
        [&outsider]
    );
    assert_eq!(
        received(&st, "GET", "/api/users").pop().unwrap().query,
        format!("excludeOrganizationId={org}&page=1&page_size=20")
    );
}
