//! Pagination: `Total-Number` and `Link` headers, page arithmetic.

use reqwest::header::HeaderMap;

/// Logto rejects `page_size` above 100 with 400 `guard.invalid_pagination`.
pub const MAX_PAGE_SIZE: u32 = 100;
/// Logto's default when `page_size` is absent.
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// Clamps a page number to Logto's accepted range (1-based; 0 is a 400).
pub fn clamp_page(page: u32) -> u32 {
    page.max(1)
}

/// Clamps a page size to 1..=100 (0 and >100 are 400 at Logto).
pub fn clamp_page_size(page_size: u32) -> u32 {
    page_size.clamp(1, MAX_PAGE_SIZE)
}

/// One page of a paginated list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `Total-Number`: all matching rows, not only this page.
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
    /// Relations from the `Link` header lines as `(rel, page)`, e.g. `("next", 3)`.
    /// Informational only: Logto's link URLs lack the `/api` prefix, so they are
    /// never followed; navigation is computed from `total`.
    pub links: Vec<(String, u32)>,
}

impl<T> Page<T> {
    /// Number of the last page (at least 1, like Logto's `rel="last"`).
    pub fn last_page(&self) -> u32 {
        last_page(self.total, self.page_size)
    }

    pub fn has_next(&self) -> bool {
        self.page < self.last_page()
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    pub fn next_page(&self) -> Option<u32> {
        self.has_next().then(|| self.page + 1)
    }

    pub fn prev_page(&self) -> Option<u32> {
        // A page beyond the end points back to the last real page.
        self.has_prev()
            .then(|| (self.page - 1).min(self.last_page()))
    }

    /// 1-based index of the first item shown ("x" in "x–y of N"); 0 when empty.
    pub fn first_item_index(&self) -> u64 {
        if self.items.is_empty() {
            0
        } else {
            u64::from(self.page - 1) * u64::from(self.page_size) + 1
        }
    }

    /// 1-based index of the last item shown ("y" in "x–y of N"); 0 when empty.
    pub fn last_item_index(&self) -> u64 {
        if self.items.is_empty() {
            0
        } else {
            self.first_item_index() + self.items.len() as u64 - 1
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            page_size: self.page_size,
            links: self.links,
        }
    }
}

pub fn last_page(total: u64, page_size: u32) -> u32 {
    let size = u64::from(page_size.max(1));
    let pages = total.div_ceil(size).max(1);
    u32::try_from(pages).unwrap_or(u32::MAX)
}

/// Reads `Total-Number`; `None` when absent (unpaginated answer) or malformed.
pub(crate) fn total_number(headers: &HeaderMap) -> Option<u64> {
    headers
        .get("total-number")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// Parses every `Link` header line (Logto sends one line per relation; proxies
/// may join them with `, `) into `(rel, page)` pairs, in order.
pub(crate) fn parse_links(headers: &HeaderMap) -> Vec<(String, u32)> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(parse_link_value)
        .collect()
}

/// Parses one `Link` header value that may hold several comma-separated links.
pub(crate) fn parse_link_value(value: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>').map(|e| start + e) else {
            break;
        };
        let target = &rest[start + 1..end];
        // Parameters run until the next link starts.
        let after = &rest[end + 1..];
        let params_end = after.find('<').unwrap_or(after.len());
        let params = &after[..params_end];
        rest = &after[params_end..];

        let Some(page) = page_param(target) else {
            continue;
        };
        for rel in rel_values(params) {
            out.push((rel, page));
        }
    }
    out
}

fn page_param(target: &str) -> Option<u32> {
    let query = target.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
}

/// `rel` may be quoted and hold several space-separated relation types.
fn rel_values(params: &str) -> Vec<String> {
    params
        .split(';')
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            (k.trim().eq_ignore_ascii_case("rel")).then(|| {
                v.trim()
                    .trim_end_matches(',')
                    .trim()
                    .trim_matches('"')
                    .to_owned()
            })
        })
        .flat_map(|v| {
            v.split_whitespace()
                .map(|s| s.to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, LINK};

    fn page(total: u64, page: u32, page_size: u32, n: usize) -> Page<u8> {
        Page {
            items: vec![0; n],
            total,
            page,
            page_size,
            links: vec![],
        }
    }

    #[test]
    fn page_math() {
        let p = page(7, 2, 2, 2);
        assert_eq!(p.last_page(), 4);
        assert_eq!((p.first_item_index(), p.last_item_index()), (3, 4));
        assert_eq!(p.next_page(), Some(3));
        assert_eq!(p.prev_page(), Some(1));

        let last = page(7, 4, 2, 1);
        assert_eq!((last.first_item_index(), last.last_item_index()), (7, 7));
        assert!(!last.has_next());

        let empty = page(0, 1, 20, 0);
        assert_eq!(empty.last_page(), 1);
        assert_eq!((empty.first_item_index(), empty.last_item_index()), (0, 0));
        assert!(!empty.has_next() && !empty.has_prev());

        let beyond = page(7, 9, 2, 0);
        assert_eq!(beyond.prev_page(), Some(4));
        assert_eq!(beyond.first_item_index(), 0);

        assert_eq!(last_page(100, 100), 1);
        assert_eq!(last_page(101, 100), 2);
    }

    #[test]
    fn clamps() {
        assert_eq!(clamp_page_size(0), 1);
        assert_eq!(clamp_page_size(101), 100);
        assert_eq!(clamp_page_size(20), 20);
        assert_eq!(clamp_page(0), 1);
    }

    #[test]
    fn parses_every_link_line() {
        // As a real 1.37.1 sends page 2 of 3: four separate lines, no `/api`.
        let mut h = HeaderMap::new();
        for l in [
            r#"<http://127.0.0.1:3001/users?page=1&page_size=2>; rel="first""#,
            r#"<http://127.0.0.1:3001/users?page=3&page_size=2>; rel="last""#,
            r#"<http://127.0.0.1:3001/users?page=1&page_size=2>; rel="prev""#,
            r#"<http://127.0.0.1:3001/users?page=3&page_size=2>; rel="next""#,
        ] {
            h.append(LINK, HeaderValue::from_static(l));
        }
        h.insert("total-number", HeaderValue::from_static("7"));
        assert_eq!(
            parse_links(&h),
            vec![
                ("first".to_owned(), 1),
                ("last".to_owned(), 3),
                ("prev".to_owned(), 1),
                ("next".to_owned(), 3)
            ]
        );
        assert_eq!(total_number(&h), Some(7));
    }

    #[test]
    fn parses_joined_links_and_odd_queries() {
        let v = r#"<http://h/users?search=%25a%2Cb%25&page=2>; rel="next", <http://h/users?page=5&page_size=2>; rel=last"#;
        assert_eq!(
            parse_link_value(v),
            vec![("next".to_owned(), 2), ("last".to_owned(), 5)]
        );
        // Default-page-size link without page_size, and a link without page.
        assert_eq!(
            parse_link_value(r#"<http://h/users?page=1>; rel="last""#),
            vec![("last".to_owned(), 1)]
        );
        assert!(parse_link_value(r#"<http://h/users>; rel="last""#).is_empty());
        assert!(parse_link_value("garbage").is_empty());
    }

    #[test]
    fn missing_total_is_none() {
        assert_eq!(total_number(&HeaderMap::new()), None);
    }
}
