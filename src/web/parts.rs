//! Data for the shared template parts (`templates/components/parts.html`): the tabs of a page
//! header and the items of a row menu. Handlers build these; the macros draw them the same
//! way on every page. `docs/design-parts.md` shows each part in use.

use crate::web::i18n::Tr;

/// One tab of a page header: a plain link, so tabs work without JavaScript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tab {
    pub label: String,
    pub href: String,
    /// Shown after the label ("Members 12"); `None` when the count is not known.
    pub count: Option<u64>,
    /// The page shown now: `aria-current="page"` and the underline.
    pub current: bool,
    /// With htmx: the region (a CSS selector) whose content the tab's page replaces; `None`:
    /// a plain link only. That region's answer must carry the tab bar out of band (`tab_nav`
    /// with `oob`), so the current tab follows.
    pub region: Option<String>,
}

impl Tab {
    pub fn new(label: impl Into<String>, href: impl Into<String>) -> Self {
        Tab {
            label: label.into(),
            href: href.into(),
            count: None,
            current: false,
            region: None,
        }
    }

    pub fn with_count(mut self, count: Option<u64>) -> Self {
        self.count = count;
        self
    }

    pub fn current_if(mut self, current: bool) -> Self {
        self.current = current;
        self
    }

    /// With htmx, the tab swaps `target` (a CSS selector) and pushes its address.
    pub fn swapping(mut self, target: &str) -> Self {
        self.region = Some(target.to_string());
        self
    }
}

/// Does any tab swap a region with htmx (the tab bar then has an id to be replaced by)?
pub fn any_swapping<'a>(mut tabs: impl Iterator<Item = &'a Tab>) -> bool {
    tabs.any(|t| t.region.is_some())
}

/// For a page header without tabs.
pub const NO_TABS: &[Tab] = &[];

/// The sections of an organization's pages, each a tab of its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgSection {
    Members,
    Invitations,
    Settings,
}

/// Members | Invitations | Settings of one organization, with counts when the page knows
/// them; Settings only when `settings` (see [`crate::web::context::PageCtx::may_edit_org`]).
pub fn org_tabs(
    t: &Tr,
    org_id: &str,
    current: OrgSection,
    members: Option<u64>,
    invitations: Option<u64>,
    settings: bool,
) -> Vec<Tab> {
    let base = format!(
        "/orgs/{}",
        percent_encoding::utf8_percent_encode(org_id, percent_encoding::NON_ALPHANUMERIC)
    );
    let mut tabs = vec![
        Tab::new(t.t("parts.tab_members"), format!("{base}/members"))
            .with_count(members)
            .current_if(current == OrgSection::Members),
        Tab::new(t.t("parts.tab_invitations"), format!("{base}/invitations"))
            .with_count(invitations)
            .current_if(current == OrgSection::Invitations),
    ];
    if settings {
        tabs.push(
            Tab::new(t.t("parts.tab_settings"), format!("{base}/settings"))
                .current_if(current == OrgSection::Settings),
        );
    }
    tabs
}

/// An action beside a page's title: the view's one primary action, an export. A link, so it
/// works without JavaScript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderAction {
    pub label: String,
    pub href: String,
    /// The element's id (tests and out-of-band updates find it by this).
    pub id: &'static str,
    pub primary: bool,
    /// A file to save (an export).
    pub download: bool,
    /// With htmx: the element the answer replaces (`outerHTML`), e.g. a panel placeholder;
    /// drawn by the same template macro as a menu item's.
    pub swap: SwapTarget,
}

impl HeaderAction {
    pub fn new(id: &'static str, label: impl Into<String>, href: impl Into<String>) -> Self {
        HeaderAction {
            label: label.into(),
            href: href.into(),
            id,
            primary: false,
            download: false,
            swap: SwapTarget::Page,
        }
    }

    pub fn primary(mut self) -> Self {
        self.primary = true;
        self
    }

    pub fn download(mut self) -> Self {
        self.download = true;
        self
    }

    pub fn swapping(mut self, target: impl Into<String>) -> Self {
        self.swap = SwapTarget::Element(target.into());
        self
    }

    pub fn class(&self) -> &'static str {
        if self.primary {
            "button primary"
        } else {
            "button"
        }
    }
}

/// For a page header without actions.
pub const NO_ACTIONS: &[HeaderAction] = &[];

/// What a row-menu item does: follow a link (a page that explains or confirms), or post a
/// form at once (only for changes that need no confirmation, such as resending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuAction {
    Link,
    Post,
}

/// Where htmx puts the answer to a menu item or a header action (`outerHTML`); without
/// JavaScript every one is a plain link or form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SwapTarget {
    /// No htmx: the answer is a page.
    Page,
    /// The element a selector names, e.g. the row's `#id`, so a confirmation appears where
    /// the change happens.
    Element(String),
    /// The table row that holds the item. The table declares that target once
    /// (`hx-target="closest tr" hx-swap="outerHTML"` on its `tbody`), so each row's links go
    /// without 100 bytes of it.
    ItsRow,
}

/// One entry of a row's "⋯" menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    /// Shared: the same label is on every row of a table ([`Tr::text`](crate::web::i18n::Tr::text)).
    pub label: std::sync::Arc<str>,
    /// The link's address, or the form's action.
    pub href: String,
    pub action: MenuAction,
    pub swap: SwapTarget,
    /// Destructive (remove, revoke, delete): quiet until hovered or focused, then red.
    pub danger: bool,
}

impl MenuItem {
    pub fn link(label: impl Into<std::sync::Arc<str>>, href: impl Into<String>) -> Self {
        MenuItem {
            label: label.into(),
            href: href.into(),
            action: MenuAction::Link,
            swap: SwapTarget::Page,
            danger: false,
        }
    }

    pub fn post(label: impl Into<std::sync::Arc<str>>, action: impl Into<String>) -> Self {
        MenuItem {
            action: MenuAction::Post,
            ..MenuItem::link(label, action)
        }
    }

    /// htmx swaps the answer into the element `target` selects instead of loading a page.
    pub fn swapping(mut self, target: impl Into<String>) -> Self {
        self.swap = SwapTarget::Element(target.into());
        self
    }

    /// htmx swaps the answer into the row that holds the item ([`SwapTarget::ItsRow`]).
    pub fn swapping_its_row(mut self) -> Self {
        self.swap = SwapTarget::ItsRow;
        self
    }

    pub fn danger(mut self) -> Self {
        self.danger = true;
        self
    }

    pub fn is_post(&self) -> bool {
        self.action == MenuAction::Post
    }

    /// The CSS classes of the item.
    pub fn class(&self) -> &'static str {
        if self.danger {
            "menu-item danger-quiet"
        } else {
            "menu-item"
        }
    }
}

/// "Actions for {name}", the label of a row menu.
pub fn actions_for(t: &Tr, name: impl std::fmt::Display) -> String {
    t.f("parts.actions_for", &[("name", &name)])
}

/// For a confirmation without extra hidden fields.
pub const NO_FIELDS: &[(&str, &str)] = &[];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;
    use askama::Template;

    #[test]
    fn org_tabs_mark_the_current_section_and_encode_the_id() {
        let t = Tr::new(Lang::En);
        let tabs = org_tabs(&t, "org 1", OrgSection::Invitations, Some(12), None, false);
        assert_eq!(tabs.len(), 2);
        let with = org_tabs(&t, "org 1", OrgSection::Settings, None, None, true);
        assert_eq!(with[2].href, "/orgs/org%201/settings");
        assert!(with[2].current && !with[1].current);
        assert_eq!(tabs[0].href, "/orgs/org%201/members");
        assert_eq!((tabs[0].current, tabs[0].count), (false, Some(12)));
        assert_eq!(tabs[1].href, "/orgs/org%201/invitations");
        assert_eq!((tabs[1].current, tabs[1].count), (true, None));
        assert_eq!(tabs[0].label, "Members");
    }

    #[derive(Template)]
    #[template(
        source = r##"{% import "components/parts.html" as parts %}
{% call parts::page_header(title, subtitle, tabs, "Sections") %}
{% call parts::row_menu(ctx, name, items) %}
{% call parts::confirm(ctx, "Remove Ann from Acme?", "/x/remove", "Remove", "/x", "#row-1", crate::web::parts::NO_FIELDS) %}
{% call parts::empty_state(empty, "", "") %}"##,
        ext = "html"
    )]
    struct Parts {
        ctx: crate::web::context::PageCtx,
        title: String,
        subtitle: String,
        tabs: Vec<Tab>,
        name: String,
        items: Vec<MenuItem>,
        empty: String,
    }

    fn render() -> String {
        let ctx = crate::web::context::PageCtx::for_tests();
        let t = ctx.t;
        Parts {
            title: "Acme <Corp>".into(),
            subtitle: "3 members".into(),
            tabs: org_tabs(&t, "o1", OrgSection::Members, Some(3), Some(1), false),
            name: "Ann <A>".into(),
            items: vec![
                MenuItem::link("Change roles", "/x/roles").swapping("#row-1"),
                MenuItem::post("Resend", "/x/resend"),
                MenuItem::link("Remove…", "/x/remove").danger(),
                MenuItem::link("Suspend", "/x/suspend").swapping_its_row(),
            ],
            empty: "Nobody here yet.".into(),
            ctx,
        }
        .render()
        .unwrap()
    }

    #[test]
    fn header_marks_the_current_tab_and_escapes() {
        let html = render();
        assert!(html.contains("<h1>Acme &#60;Corp&#62;</h1>"), "{html}");
        assert!(html.contains("<p class=\"page-subtitle\">3 members</p>"));
        assert!(html.contains(
            "<a href=\"/orgs/o1/members\" aria-current=\"page\">Members <span class=\"tab-count\">3</span></a>"
        ), "{html}");
        assert!(html.contains("<a href=\"/orgs/o1/invitations\">Invitations"));
        assert!(html.contains("<nav class=\"tabs\" aria-label=\"Sections\">"));
    }

    #[test]
    fn row_menu_is_labelled_and_posts_with_the_csrf_token() {
        let html = render();
        assert!(html.contains("<details class=\"row-menu\">"), "{html}");
        assert!(html.contains("Actions for Ann &#60;A&#62;"), "{html}");
        assert!(html.contains(
            "<a class=\"menu-item\" href=\"/x/roles\" hx-get=\"/x/roles\" hx-target=\"#row-1\" hx-swap=\"outerHTML\">Change roles</a>"
        ), "{html}");
        assert!(
            html.contains("<form method=\"post\" action=\"/x/resend\">"),
            "{html}"
        );
        assert!(html.contains("name=\"_csrf\" value=\"test-csrf\""));
        assert!(html.contains("<a class=\"menu-item danger-quiet\" href=\"/x/remove\">Remove…</a>"));
        // The table names the row as the target, once for all its rows.
        assert!(
            html.contains(
                "<a class=\"menu-item\" href=\"/x/suspend\" hx-get=\"/x/suspend\">Suspend</a>"
            ),
            "{html}"
        );
    }

    #[test]
    fn confirmation_offers_the_action_and_a_secondary_cancel() {
        let html = render();
        assert!(
            html.contains("<p class=\"confirm-question\">Remove Ann from Acme?</p>"),
            "{html}"
        );
        assert!(
            html.contains("hx-post=\"/x/remove\" hx-target=\"#row-1\""),
            "{html}"
        );
        assert!(html.contains("<button type=\"submit\" class=\"danger\">Remove</button>"));
        assert!(html.contains("<a class=\"button\" href=\"/x\" hx-get=\"/x\" hx-target=\"#row-1\" hx-swap=\"outerHTML\">Cancel</a>"), "{html}");
        assert!(
            html.contains("<div class=\"empty-state\"><p>Nobody here yet.</p></div>"),
            "{html}"
        );
    }
}
