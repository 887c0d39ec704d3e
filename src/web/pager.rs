//! Pagination controls shared by every paginated table: "x–y of N", first/previous/next/last,
//! a page jump and a page-size choice. Compact: one page shows only the count, the page jump
//! appears only past [`JUMP_AFTER_PAGES`] pages, the size choice only when there is more than
//! the smallest size to show. Links keep every other query parameter, so the URL alone
//! reproduces the view.

use serde::Deserialize;

pub const PAGE_SIZES: [u32; 3] = [20, 50, 100];

/// Up to this many pages, previous/next reach every page: no "Go to page" box.
pub const JUMP_AFTER_PAGES: u32 = 5;

/// `page` and `page_size` from a query string, forgiving bad input (clamped, defaulted).
#[derive(Debug, Clone, Deserialize, Default)]
pub struct PageParams {
    pub page: Option<String>,
    pub page_size: Option<String>,
}

impl PageParams {
    pub fn page(&self) -> u32 {
        self.page
            .as_deref()
            .and_then(|p| p.trim().parse::<u32>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    pub fn page_size(&self) -> u32 {
        let wanted = self
            .page_size
            .as_deref()
            .and_then(|p| p.trim().parse::<u32>().ok())
            .unwrap_or(20);
        if PAGE_SIZES.contains(&wanted) {
            wanted
        } else {
            20
        }
    }
}

#[derive(Debug, Clone)]
pub struct Pager {
    pub page: u32,
    pub page_size: u32,
    pub total: u64,
    /// Path of the view, e.g. `/orgs/abc/members`.
    pub path: String,
    /// Other query parameters of the view (search, filters), already decoded.
    pub params: Vec<(String, String)>,
    /// CSS selector htmx swaps with the links (e.g. `#members-table`).
    pub target: String,
}

impl Pager {
    pub fn new(
        path: &str,
        page: u32,
        page_size: u32,
        total: u64,
        params: Vec<(String, String)>,
        target: &str,
    ) -> Self {
        Pager {
            page: page.max(1),
            page_size: page_size.max(1),
            total,
            path: path.to_string(),
            params: params.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
            target: target.to_string(),
        }
    }

    pub fn last_page(&self) -> u32 {
        (self.total.div_ceil(u64::from(self.page_size))).max(1) as u32
    }

    /// 1-based index of the first row shown (0 when empty).
    pub fn from(&self) -> u64 {
        if self.total == 0 {
            0
        } else {
            (u64::from(self.page - 1) * u64::from(self.page_size) + 1).min(self.total)
        }
    }

    pub fn to(&self) -> u64 {
        (u64::from(self.page) * u64::from(self.page_size)).min(self.total)
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.last_page()
    }

    /// Everything fits on one page: the links have nowhere to go.
    pub fn is_single_page(&self) -> bool {
        self.last_page() == 1 && self.page == 1
    }

    /// The "Go to page" box, for views too long to step through.
    pub fn shows_jump(&self) -> bool {
        self.last_page() > JUMP_AFTER_PAGES
    }

    /// The page-size choice, when another size would show a different number of rows.
    pub fn shows_sizes(&self) -> bool {
        self.total > u64::from(PAGE_SIZES[0]) || self.page_size != PAGE_SIZES[0]
    }

    pub fn prev(&self) -> u32 {
        self.page.saturating_sub(1).max(1)
    }

    pub fn next(&self) -> u32 {
        (self.page + 1).min(self.last_page())
    }

    /// The address of page `page` of this view.
    pub fn href(&self, page: u32) -> String {
        self.href_with(page, self.page_size)
    }

    pub fn href_size(&self, size: &u32) -> String {
        self.href_with(1, *size)
    }

    fn href_with(&self, page: u32, size: u32) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.params {
            q.append_pair(k, v);
        }
        q.append_pair("page", &page.to_string());
        q.append_pair("page_size", &size.to_string());
        format!("{}?{}", self.path, q.finish())
    }

    /// The target's id, for unique element ids inside the pager.
    pub fn dom_id(&self) -> &str {
        self.target.trim_start_matches('#')
    }

    /// The view's URL without page (for forms that keep filters).
    pub fn sizes(&self) -> [u32; 3] {
        PAGE_SIZES
    }

    pub fn summary(&self, t: &crate::web::i18n::Tr) -> String {
        t.f(
            "common.page_of",
            &[
                ("from", &self.from()),
                ("to", &self.to()),
                ("total", &self.total),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::Template;

    #[derive(Template)]
    #[template(source = "{% include \"components/pager.html\" %}", ext = "html")]
    struct PagerOnly {
        ctx: crate::web::context::PageCtx,
        pager: Pager,
    }

    #[test]
    fn renders() {
        let ctx = crate::web::context::PageCtx::for_tests();
        let pager = Pager::new("/x", 2, 20, 45, vec![("q".into(), "<b>".into())], "#t");
        let html = PagerOnly { ctx, pager }.render().unwrap();
        assert!(html.contains("21–40 of 45"), "{html}");
        assert!(html.contains("q=%3Cb%3E&#38;page=3"), "{html}");
        assert!(html.contains("value=\"&#60;b&#62;\""), "{html}");
    }

    fn render(page: u32, page_size: u32, total: u64) -> String {
        let ctx = crate::web::context::PageCtx::for_tests();
        let pager = Pager::new("/x", page, page_size, total, vec![], "#t");
        PagerOnly { ctx, pager }.render().unwrap()
    }

    #[test]
    fn one_page_shows_only_the_count() {
        let html = render(1, 20, 3);
        assert!(html.contains("1–3 of 3"), "{html}");
        assert!(!html.contains("<a "), "{html}");
        assert!(!html.contains("<form"), "{html}");
        assert!(!html.contains("disabled"), "{html}");
    }

    #[test]
    fn few_pages_have_links_and_sizes_but_no_jump() {
        // Three pages (the members test's 46 rows): previous/next reach each page.
        let html = render(2, 20, 46);
        assert!(html.contains("rel=\"next\""), "{html}");
        assert!(html.contains("name=\"page_size\""), "{html}");
        assert!(!html.contains("name=\"page\""), "{html}");
        assert!(!Pager::new("/x", 1, 20, 100, vec![], "#t").shows_jump());
    }

    #[test]
    fn many_pages_offer_the_jump() {
        let html = render(1, 20, 101);
        assert!(html.contains("max=\"6\""), "{html}");
        assert!(html.contains("Go to page"), "{html}");
    }

    #[test]
    fn a_larger_size_on_one_page_can_go_back() {
        // 30 rows at 50 a page: one page, but 20 a page would make two.
        let html = render(1, 50, 30);
        assert!(html.contains("name=\"page_size\""), "{html}");
        assert!(!html.contains("<a "), "{html}");
    }

    #[test]
    fn math_and_links() {
        let p = Pager::new(
            "/x",
            2,
            20,
            45,
            vec![("q".into(), "a b".into()), ("role".into(), "".into())],
            "#t",
        );
        assert_eq!((p.from(), p.to(), p.last_page()), (21, 40, 3));
        assert!(p.has_prev() && p.has_next());
        assert_eq!(p.href(3), "/x?q=a+b&page=3&page_size=20");
        let empty = Pager::new("/x", 1, 20, 0, vec![], "#t");
        assert_eq!((empty.from(), empty.to(), empty.last_page()), (0, 0, 1));
        assert!(!empty.has_next());
        let params = PageParams {
            page: Some("0".into()),
            page_size: Some("7".into()),
        };
        assert_eq!((params.page(), params.page_size()), (1, 20));
    }
}
