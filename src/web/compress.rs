//! Pages compressed for the browser in one pass. A page is rendered whole before it is sent,
//! so it is gzipped at once with a compressor each thread keeps, rather than streamed through a
//! new one per response: tower-http's stream (brotli quality 4) cost 4.3 million instructions
//! per member page, two thirds of the view; this costs about a fifth of that for about a
//! quarter more bytes (BENCHMARKS.md). Bodies sent as a stream (CSV exports) are left to the
//! router's `CompressionLayer`, static assets come precompressed (`assets::serve`): both
//! pass through here untouched.
//!
//! Browsers that take zstd (Chrome, Edge and Firefox ask for it) get zstd at level 1: on the
//! member page it is about half gzip's time for a fifth fewer bytes. The others get gzip.

use std::cell::RefCell;

use axum::{
    body::{to_bytes, Body, HttpBody},
    extract::Request,
    http::{header, HeaderMap, HeaderValue},
    middleware::Next,
    response::Response,
};
use flate2::{Compress, Compression, Crc, FlushCompress, Status};

/// Smaller bodies gain nothing worth a `Content-Encoding` header.
const SMALLEST: u64 = 1024;
/// Larger complete bodies are left as they are (pages are far below).
const LARGEST: u64 = 8 * 1024 * 1024;

thread_local! {
    /// Reset between uses: allocating and clearing a compressor's tables per response cost
    /// more than compressing a small page.
    static DEFLATE: RefCell<Compress> = RefCell::new(Compress::new(Compression::fast(), false));
    /// Made on first use, then reused the same way.
    static ZSTD: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
}

/// Whether the request takes `encoding` (`Accept-Encoding`; a zero weight refuses it, `*`
/// takes anything).
pub fn accepts(headers: &HeaderMap, encoding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (name.eq_ignore_ascii_case(encoding) || name == "*") && !refused
        })
}

fn compressible(content_type: Option<&HeaderValue>) -> bool {
    let Some(ct) = content_type.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let ct = ct.trim_start().to_ascii_lowercase();
    ct.starts_with("text/")
        || ct.starts_with("application/json")
        || ct.starts_with("application/javascript")
        || ct.starts_with("image/svg+xml")
}

/// `data` as a gzip member (RFC 1952), at deflate's fastest level.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3 + 64);
    // ID1 ID2, deflate, no flags, no modification time, no extra flags, OS unknown.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    DEFLATE.with(|deflate| {
        let mut deflate = deflate.borrow_mut();
        deflate.reset();
        loop {
            let read = deflate.total_in() as usize;
            out.reserve(64 + (data.len() - read) / 2);
            match deflate.compress_vec(&data[read..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break,
                Ok(_) => continue,
                // Deflate over memory does not fail; should it, the caller sends the page as is.
                Err(_) => {
                    out.clear();
                    return;
                }
            }
        }
    });
    if out.is_empty() {
        return out;
    }
    let mut crc = Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// `data` as a zstd frame at level 1, by a compressor each thread keeps; empty if it failed.
pub fn zstd(data: &[u8]) -> Vec<u8> {
    ZSTD.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = zstd::bulk::Compressor::new(1).ok();
        }
        cell.as_mut()
            .and_then(|c| c.compress(data).ok())
            .unwrap_or_default()
    })
}

/// For the router's `CompressionLayer`: only bodies sent as a stream (a CSV export), which
/// [`compress_pages`] leaves alone; a complete body it did not compress stays as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct StreamsOnly;

impl tower_http::compression::Predicate for StreamsOnly {
    fn should_compress<B: HttpBody>(&self, response: &axum::http::Response<B>) -> bool {
        response.body().size_hint().exact().is_none()
    }
}

/// How a page goes to this browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Packing {
    Zstd,
    Gzip,
    None,
}

/// Compresses complete text answers: zstd when the browser takes it, gzip otherwise.
pub async fn compress_pages(req: Request, next: Next) -> Response {
    let packing = if accepts(req.headers(), "zstd") {
        Packing::Zstd
    } else if accepts(req.headers(), "gzip") {
        Packing::Gzip
    } else {
        Packing::None
    };
    let resp = next.run(req).await;
    if packing == Packing::None
        || resp.headers().contains_key(header::CONTENT_ENCODING)
        || !compressible(resp.headers().get(header::CONTENT_TYPE))
    {
        return resp;
    }
    match resp.body().size_hint().exact() {
        Some(n) if (SMALLEST..=LARGEST).contains(&n) => {}
        _ => return resp,
    }
    let (mut parts, body) = resp.into_parts();
    // The body is complete (its exact size is known): this does not wait on anything.
    let bytes = match to_bytes(body, LARGEST as usize).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "page body could not be read for compression");
            return Response::from_parts(parts, Body::empty());
        }
    };
    let (compressed, encoding) = match packing {
        Packing::Zstd => (zstd(&bytes), "zstd"),
        _ => (gzip(&bytes), "gzip"),
    };
    let h = &mut parts.headers;
    h.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    if compressed.is_empty() {
        return Response::from_parts(parts, Body::from(bytes));
    }
    h.remove(header::CONTENT_LENGTH);
    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    Response::from_parts(parts, Body::from(compressed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn gzip_round_trips_and_reuses_its_compressor() {
        let page = "<tr><td>Ann</td><td>admin</td></tr>\n".repeat(2000);
        for text in [page.as_bytes(), b"short", b""] {
            let packed = gzip(text);
            assert_eq!(gunzip(&packed), text);
        }
        assert!(gzip(page.as_bytes()).len() < page.len() / 10);
        // The second use on this thread starts from a clean state.
        assert_eq!(gunzip(&gzip(page.as_bytes())), page.as_bytes());
    }

    #[test]
    fn zstd_round_trips_and_reuses_its_compressor() {
        let page = "<tr><td>Ann</td><td>admin</td></tr>\n".repeat(2000);
        for text in [page.as_bytes(), b"short", b""] {
            let packed = zstd(text);
            assert_eq!(zstd::decode_all(packed.as_slice()).unwrap(), text);
        }
        assert!(zstd(page.as_bytes()).len() < page.len() / 10);
    }

    #[test]
    fn accept_encoding_is_read_with_weights() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            accepts(&h, "gzip")
        };
        assert!(with("gzip, deflate, br, zstd"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(with("*"));
        assert!(!with("br"));
        assert!(!with("gzip;q=0, br"));
        assert!(!accepts(&HeaderMap::new(), "gzip"));
    }

    #[test]
    fn only_text_is_compressed() {
        let ct = |v: &str| compressible(Some(&HeaderValue::from_str(v).unwrap()));
        assert!(ct("text/html; charset=utf-8"));
        assert!(ct("text/csv"));
        assert!(ct("application/json"));
        assert!(!ct("image/png"));
        assert!(!compressible(None));
    }
}
