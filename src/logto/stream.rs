//! Walking every page of a list as a `Stream`.

use std::future::Future;

use futures::{stream, Stream, TryStreamExt};

use super::error::LogtoError;
use super::page::{Page, MAX_PAGE_SIZE};

/// Streams the items of pages 1, 2, … (size 100) until the page computed from
/// `Total-Number` is reached or a page comes back empty. Each page is a normal
/// call, so the throttle and retries apply; `Link` URLs are never followed.
pub(crate) fn pages<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, LogtoError>>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, LogtoError>>,
{
    stream::try_unfold((fetch, Some(1u32)), |(mut fetch, next)| async move {
        let Some(page_no) = next else {
            return Ok(None);
        };
        let page = fetch(page_no, MAX_PAGE_SIZE).await?;
        let next = (page.has_next() && !page.items.is_empty()).then(|| page_no + 1);
        Ok(Some((page.items, (fetch, next))))
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    fn fake_page(total: u64, page: u32, page_size: u32) -> Page<u64> {
        let start = u64::from(page - 1) * u64::from(page_size);
        let end = (start + u64::from(page_size)).min(total);
        Page {
            items: (start..end.max(start)).collect(),
            total,
            page,
            page_size,
            links: vec![],
        }
    }

    #[tokio::test]
    async fn walks_all_pages_once() {
        let calls = Arc::new(AtomicU32::new(0));
        let c = calls.clone();
        let items: Vec<u64> = pages(move |p, s| {
            c.fetch_add(1, Ordering::SeqCst);
            async move { Ok(fake_page(250, p, s)) }
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items, (0..250).collect::<Vec<_>>());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn empty_list_is_one_call() {
        let items: Vec<u64> = pages(|p, s| async move { Ok(fake_page(0, p, s)) })
            .try_collect()
            .await
            .unwrap();
        assert!(items.is_empty());
    }

    #[tokio::test]
    async fn stops_on_error() {
        let s = pages(|p, s| async move {
            if p == 2 {
                Err(LogtoError::RateLimited)
            } else {
                Ok(fake_page(300, p, s))
            }
        });
        let out: Vec<_> = s.collect().await;
        assert_eq!(out.len(), 101);
        assert!(matches!(out[100], Err(LogtoError::RateLimited)));
    }

    #[tokio::test]
    async fn stops_when_a_page_is_empty_despite_total() {
        // Rows deleted while paging: the total says more, the page is empty.
        let items: Vec<u64> = pages(|p, s| async move {
            let mut page = fake_page(500, p, s);
            if p == 2 {
                page.items.clear();
            }
            Ok(page)
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items.len(), 100);
    }
}
