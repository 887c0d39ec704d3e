//! Static assets compiled into the binary (one file to ship), served with a content hash in
//! the URL so browsers may cache them for a year.

use std::{
    collections::HashMap,
    io::Write,
    sync::{LazyLock, OnceLock},
};

use axum::extract::State;
use axum::{
    extract::Path,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::config::branding::{BrandImage, Branding};
use crate::web::AppState;

pub struct Asset {
    pub bytes: &'static [u8],
    pub content_type: &'static str,
    pub hash: String,
    /// Compressed once, at the highest levels, on the first request that asks for it (about
    /// 50 ms for htmx), never again: assets are the same for every page.
    brotli: OnceLock<Vec<u8>>,
    gzip: OnceLock<Vec<u8>>,
}

impl Asset {
    fn brotli(&self) -> &[u8] {
        self.brotli.get_or_init(|| {
            let params = brotli::enc::BrotliEncoderParams {
                quality: 11,
                lgwin: 22,
                size_hint: self.bytes.len(),
                ..Default::default()
            };
            let mut out = Vec::with_capacity(self.bytes.len() / 3);
            brotli::BrotliCompress(&mut &self.bytes[..], &mut out, &params)
                .map(|_| out)
                .unwrap_or_default()
        })
    }

    fn gzip(&self) -> &[u8] {
        self.gzip.get_or_init(|| {
            let mut encoder = flate2::write::GzEncoder::new(
                Vec::with_capacity(self.bytes.len() / 3),
                flate2::Compression::best(),
            );
            encoder
                .write_all(self.bytes)
                .and_then(|_| encoder.finish())
                .unwrap_or_default()
        })
    }
}

/// The encoding to send an asset in, from the request's `Accept-Encoding` (brotli first).
fn preferred_encoding(headers: &HeaderMap) -> Option<&'static str> {
    ["br", "gzip"]
        .into_iter()
        .find(|e| crate::web::compress::accepts(headers, e))
}

const FILES: &[(&str, &[u8], &str)] = &[
    (
        "htmx.min.js",
        include_bytes!("../../static/htmx.min.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "app.js",
        include_bytes!("../../static/app.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "app.css",
        include_bytes!("../../static/app.css"),
        "text/css; charset=utf-8",
    ),
    (
        "favicon.svg",
        include_bytes!("../../static/favicon.svg"),
        "image/svg+xml",
    ),
    (
        "logo.svg",
        include_bytes!("../../static/logo.svg"),
        "image/svg+xml",
    ),
];

pub static ASSETS: LazyLock<HashMap<&'static str, Asset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, bytes, content_type)| {
            let hash = hex::encode(&Sha256::digest(bytes)[..6]);
            (
                *name,
                Asset {
                    bytes,
                    content_type,
                    hash,
                    brotli: OnceLock::new(),
                    gzip: OnceLock::new(),
                },
            )
        })
        .collect()
});

/// `/static/<name>?v=<hash>` for templates.
pub fn asset_url(name: &str) -> String {
    match ASSETS.get(name) {
        Some(a) => format!("/static/{name}?v={}", a.hash),
        None => format!("/static/{name}"),
    }
}

/// Where pages find the deployer's branding (or the portal's own look).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrandLinks {
    /// The style sheet with the accent colours, when configured.
    pub css: Option<String>,
    pub logo: String,
    /// The logo for the dark theme, when configured.
    pub logo_dark: Option<String>,
    pub favicon: String,
    pub favicon_type: &'static str,
}

fn brand_url(name: &str, image: &BrandImage) -> String {
    format!("/brand/{name}?v={}", image.hash)
}

impl BrandLinks {
    pub fn of(branding: &Branding) -> Self {
        BrandLinks {
            css: branding
                .stylesheet()
                .map(|css| format!("/brand/brand.css?v={}", short_hash(css.as_bytes()))),
            logo: branding
                .logo
                .as_ref()
                .map(|i| brand_url("logo", i))
                .unwrap_or_else(|| asset_url("logo.svg")),
            logo_dark: branding
                .logo_dark
                .as_ref()
                .map(|i| brand_url("logo-dark", i)),
            favicon: branding
                .favicon
                .as_ref()
                .map(|i| brand_url("favicon", i))
                .unwrap_or_else(|| asset_url("favicon.svg")),
            favicon_type: branding
                .favicon
                .as_ref()
                .map_or("image/svg+xml", |i| i.content_type),
        }
    }
}

fn short_hash(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..6])
}

/// `/favicon.ico`, which browsers ask for on their own: the icon's fingerprinted address.
pub async fn favicon(State(state): State<AppState>) -> axum::response::Redirect {
    axum::response::Redirect::permanent(&BrandLinks::of(&state.config.branding).favicon)
}

/// `/brand/{name}`: the deployer's accent colours, logos and favicon, read at start-up.
pub async fn serve_brand(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    let branding = &state.config.branding;
    let (bytes, content_type): (Vec<u8>, &'static str) = match name.as_str() {
        "brand.css" => match branding.stylesheet() {
            Some(css) => (css.into_bytes(), "text/css; charset=utf-8"),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
        "logo" | "logo-dark" | "favicon" => {
            let image = match name.as_str() {
                "logo" => &branding.logo,
                "logo-dark" => &branding.logo_dark,
                _ => &branding.favicon,
            };
            match image {
                Some(i) => (i.bytes.clone(), i.content_type),
                None => return StatusCode::NOT_FOUND.into_response(),
            }
        }
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Addresses carry the content's hash: keep for a year.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    // An SVG opened on its own is a document: the portal's CSP (every response) lets it run
    // no inline script.
    resp
}

pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS.get(name.as_str()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", asset.hash);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag)
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let encoding = preferred_encoding(&headers);
    let body: &'static [u8] = match encoding {
        Some("br") => asset.brotli(),
        Some(_) => asset.gzip(),
        None => asset.bytes,
    };
    // A failed compression leaves nothing: send the file as it is.
    let (body, encoding) = if body.is_empty() {
        (asset.bytes, None)
    } else {
        (body, encoding)
    };
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(encoding) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    resp
}
