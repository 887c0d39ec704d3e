//! Static assets compiled into the binary (one file to ship), served with a content hash in
//! the URL so browsers may cache them for a year.

use std::{collections::HashMap, sync::LazyLock};

use axum::{
    extract::Path,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

pub struct Asset {
    pub bytes: &'static [u8],
    pub content_type: &'static str,
    pub hash: String,
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

/// `/favicon.ico`, which browsers ask for on their own: the icon's fingerprinted address.
pub async fn favicon() -> axum::response::Redirect {
    axum::response::Redirect::permanent(&asset_url("favicon.svg"))
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
    let mut resp = asset.bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    resp
}
