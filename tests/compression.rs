//! What a browser that takes compression receives (issue 19): pages compressed whole (zstd
//! when the browser takes it, else gzip), static
//! assets precompressed (brotli first), CSV exports compressed as they stream, and nothing
//! compressed for a browser that does not ask.

mod common;

use std::io::Read;

use reqwest::{header, StatusCode};

/// A client that shows the bytes as sent (no automatic decompression).
fn raw_client(b: &common::Browser) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(b.jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .no_gzip()
        .build()
        .unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

async fn fetch(
    client: &reqwest::Client,
    url: &str,
    accept: Option<&str>,
) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let mut req = client.get(url);
    if let Some(accept) = accept {
        req = req.header(header::ACCEPT_ENCODING, accept);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn pages_are_compressed_whole_zstd_first_then_gzip() {
    let app = common::spawn_app().await;
    let op = app.operator().await;
    let client = raw_client(&op);
    let acme = &app.seed.org_ids[0];
    for path in [
        format!("/orgs/{acme}/members"),
        "/users?q=ov".to_string(),
        "/profile".to_string(),
    ] {
        let url = op.url(&path);
        let (status, plain_headers, plain) = fetch(&client, &url, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(plain_headers.get(header::CONTENT_ENCODING).is_none());
        // As Chrome and Firefox ask: zstd.
        let (status, headers, zstd_packed) =
            fetch(&client, &url, Some("gzip, deflate, br, zstd")).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers[header::CONTENT_ENCODING], "zstd", "{path}");
        let from_zstd =
            String::from_utf8(zstd::decode_all(zstd_packed.as_slice()).unwrap()).unwrap();
        assert!(from_zstd.contains("</html>"), "{path}");
        // As Safari asks: gzip.
        let (status, headers, packed) = fetch(&client, &url, Some("gzip, deflate, br")).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip", "{path}");
        assert!(headers
            .get_all(header::VARY)
            .iter()
            .any(|v| v.to_str().unwrap().contains("accept-encoding")));
        assert!(
            packed.len() * 2 < plain.len(),
            "{path}: {} of {}",
            packed.len(),
            plain.len()
        );
        let unpacked = String::from_utf8(gunzip(&packed)).unwrap();
        // The same page (its CSRF token and request id aside).
        let shape = |html: &str| {
            html.lines()
                .filter(|l| !l.contains("csrf") && !l.contains("req-"))
                .count()
        };
        assert_eq!(
            shape(&unpacked),
            shape(&String::from_utf8(plain).unwrap()),
            "{path}"
        );
        assert!(unpacked.contains("</html>"), "{path}");
        assert_eq!(shape(&from_zstd), shape(&unpacked), "{path}");
    }
}

#[tokio::test]
async fn static_assets_come_precompressed_brotli_first() {
    let app = common::spawn_app().await;
    let b = app.browser();
    let client = raw_client(&b);
    let html = reqwest::get(format!("{}/", app.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let htmx = common::attrs(&html, "script[src*='htmx']", "src")
        .pop()
        .expect("the page loads htmx");
    let url = format!("{}{}", app.url, htmx.replace("&amp;", "&"));
    let (_, _, plain) = fetch(&client, &url, None).await;
    let (status, headers, br) = fetch(&client, &url, Some("gzip, deflate, br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert_eq!(headers[header::VARY], "accept-encoding");
    let mut unpacked = Vec::new();
    brotli::Decompressor::new(&br[..], 4096)
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, plain);
    assert!(br.len() * 2 < plain.len());
    let (_, headers, gz) = fetch(&client, &url, Some("gzip")).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gunzip(&gz), plain);
    // The same bytes every time: compressed once.
    let (_, _, again) = fetch(&client, &url, Some("br")).await;
    assert_eq!(again, br);
}

#[tokio::test]
async fn a_streamed_csv_export_is_compressed_as_it_streams() {
    let app = common::spawn_app().await;
    let op = app.operator().await;
    let client = raw_client(&op);
    let url = op.url("/users/export.csv");
    let (status, plain_headers, plain) = fetch(&client, &url, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(plain_headers.get(header::CONTENT_ENCODING).is_none());
    let (status, headers, packed) = fetch(&client, &url, Some("gzip, br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gunzip(&packed), plain);
}
