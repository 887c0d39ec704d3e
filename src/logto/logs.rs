//! Audit logs and user assets.

use rand::distributions::Alphanumeric;
use rand::Rng;
use reqwest::Method;
use serde_json::Value;

use super::client::{decode, route, Body, LogtoClient};
use super::error::LogtoError;
use super::models::Log;
use super::page::{Page, DEFAULT_PAGE_SIZE};
use super::search::{encode_query, push_opt, push_page};

/// Query of `GET /api/logs` (newest first).
#[derive(Debug, Clone, PartialEq)]
pub struct LogQuery {
    pub page: u32,
    pub page_size: u32,
    /// Matches `payload.userId`; failed password attempts carry none.
    pub user_id: Option<String>,
    /// Exact key, e.g. `Interaction.SignIn.Submit`.
    pub log_key: Option<String>,
}

impl Default for LogQuery {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
            user_id: None,
            log_key: None,
        }
    }
}

impl LogQuery {
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        push_opt(&mut pairs, "userId", self.user_id.as_deref());
        push_opt(&mut pairs, "logKey", self.log_key.as_deref());
        push_page(&mut pairs, self.page, self.page_size);
        pairs
    }

    pub fn query_string(&self) -> String {
        encode_query(&self.query_pairs())
    }
}

impl LogtoClient {
    pub async fn list_logs(&self, q: &LogQuery) -> Result<Page<Log>, LogtoError> {
        self.get_page_with(route("/api/logs", &[]), q.query_pairs())
            .await
    }

    /// Whether Logto has a storage provider for uploads (OSS usually has none).
    pub async fn user_assets_ready(&self) -> Result<bool, LogtoError> {
        let v: Value = self
            .get_json(route("/api/user-assets/service-status", &[]), &[])
            .await?;
        Ok(v.get("status").and_then(Value::as_str) == Some("ready"))
    }

    /// Uploads a file (multipart field `file`) and returns its URL; the URL is
    /// not attached to any user. 400 `storage.not_configured` without storage.
    pub async fn upload_user_asset(
        &self,
        bytes: Vec<u8>,
        file_name: &str,
        content_type: &str,
    ) -> Result<String, LogtoError> {
        let (body, ct) = multipart_file(&bytes, file_name, content_type)?;
        let resp = self
            .call(
                Method::POST,
                route("/api/user-assets", &[]),
                &[],
                Some(Body::Raw {
                    bytes: body,
                    content_type: ct,
                }),
            )
            .await?;
        let v: Value = decode("POST /api/user-assets", &resp.body)?;
        v.get("url")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| LogtoError::Decode("POST /api/user-assets: no `url`".into()))
    }
}

/// A `multipart/form-data` body with one part named `file`, built by hand
/// because reqwest's `multipart` feature is not enabled.
fn multipart_file(
    bytes: &[u8],
    file_name: &str,
    content_type: &str,
) -> Result<(Vec<u8>, String), LogtoError> {
    if content_type.contains(['\r', '\n']) || content_type.trim().is_empty() {
        return Err(LogtoError::Decode("invalid content type for upload".into()));
    }
    let boundary: String = std::iter::once("----logto-portal-".to_owned())
        .chain(std::iter::once(
            rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(24)
                .map(char::from)
                .collect(),
        ))
        .collect();
    // Quotes and line breaks would end the header early.
    let safe_name: String = file_name
        .chars()
        .map(|c| {
            if matches!(c, '"' | '\\' | '\r' | '\n') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut body = Vec::with_capacity(bytes.len() + 256);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{safe_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Ok((body, format!("multipart/form-data; boundary={boundary}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_query_string() {
        let q = LogQuery {
            user_id: Some("u1".into()),
            log_key: Some("Interaction.SignIn.Submit".into()),
            page: 2,
            page_size: 5,
        };
        assert_eq!(
            q.query_string(),
            "userId=u1&logKey=Interaction.SignIn.Submit&page=2&page_size=5"
        );
    }

    #[test]
    fn multipart_shape() {
        let (body, ct) = multipart_file(b"PNGDATA", "a\"b.png", "image/png").unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains(
            "name=\"file\"; filename=\"a_b.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n"
        ));
        assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
        assert!(multipart_file(b"", "x", "text/plain\r\nX: y").is_err());
    }
}
