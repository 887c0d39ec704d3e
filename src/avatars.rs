//! Avatars served through the portal (issue 15): a page never points a browser at another
//! host, so a member cannot learn who opened the member list from their image host's logs.
//!
//! `GET /avatars/{user_id}?v=<hash of the avatar URL>` (src/web/avatars.rs) answers a small PNG to a viewer who
//! may see that person (themselves, an operator, or an admin of an organization the person
//! belongs to). The portal fetches the image itself, with strict limits:
//! - `https:` only, or the Logto endpoint's own origin (its storage serves uploads there);
//! - after DNS resolution, no private, loopback, link-local or otherwise non-public address
//!   unless it is the Logto endpoint's own origin, and the connection goes to exactly the
//!   addresses checked (no second lookup to rebind);
//! - 5 seconds, 2 MB, image content types only, redirects only within the same origin;
//! - decoded (PNG, JPEG, GIF, WebP; at most 4096 px a side) and re-encoded as a 96 px PNG
//!   square: no metadata and no bytes of the original reach the browser.
//!
//! Results live in memory, bounded: at most [`MAX_IMAGES`] images (about 30 KB each) for an
//! hour, failures for five minutes, and who-may-see facts for a minute; the oldest go first.
//! A failure answers 404 and the page shows the initials underneath the image instead.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Mutex,
    time::{Duration, Instant},
};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use url::{Host, Url};

use crate::security::avatar_store;

use crate::logto::{LogtoClient, LogtoError, LogtoId};

/// Width and height of every avatar the portal serves.
pub const SIZE: u32 = 96;
pub const MAX_IMAGES: usize = 512;
const MAX_SUBJECTS: usize = 2048;
const MAX_DOWNLOAD: usize = 2 * 1024 * 1024;
const MAX_SIDE: u32 = 4096;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
const IMAGE_TTL: Duration = Duration::from_secs(3600);
const FAILURE_TTL: Duration = Duration::from_secs(300);
const SUBJECT_TTL: Duration = Duration::from_secs(60);
const SUBJECT_RELOAD_AFTER: Duration = Duration::from_secs(5);
const MAX_URL: usize = 2048;

/// The portal's address for `user_id`'s avatar in lists (64 px), when they have one that
/// could be fetched.
pub fn avatar_src(user_id: &str, avatar: Option<&str>) -> Option<String> {
    stored_src(avatar, avatar_store::SIZES[1]).or_else(|| proxied_src(user_id, avatar))
}

/// The same for a large avatar (profile, user detail: 256 px when the portal keeps it).
pub fn avatar_src_large(user_id: &str, avatar: Option<&str>) -> Option<String> {
    stored_src(avatar, avatar_store::SIZES[0]).or_else(|| proxied_src(user_id, avatar))
}

/// An avatar the portal keeps itself is served from its own content-named address, never
/// fetched over the network. Only the path is read: any host naming a stored image gets the
/// portal's copy, which is as public as the address itself.
fn stored_src(avatar: Option<&str>, size: u32) -> Option<String> {
    let url = Url::parse(avatar?.trim()).ok()?;
    let file = url.path().strip_prefix("/avatars/u/")?;
    let (hash, _) = avatar_store::parse_file_name(file)?;
    Some(avatar_store::path(&hash, size))
}

fn proxied_src(user_id: &str, avatar: Option<&str>) -> Option<String> {
    let url = avatar?.trim();
    let fetchable =
        (url.starts_with("https://") || url.starts_with("http://")) && url.len() <= MAX_URL;
    (fetchable && LogtoId::parse(user_id).is_ok())
        .then(|| format!("/avatars/{user_id}?v={}", version(url)))
}

/// Changes when the avatar URL changes, so browsers may keep an image for a long time.
pub fn version(url: &str) -> String {
    hex::encode(&Sha256::digest(url.as_bytes())[..8])
}

/// A bounded map whose entries expire; when full, expired entries go first, then the oldest.
struct Bounded<V> {
    max: usize,
    map: Mutex<HashMap<String, (Instant, Duration, V)>>,
}

impl<V: Clone> Bounded<V> {
    fn new(max: usize) -> Self {
        Bounded {
            max,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, key: &str) -> Option<V> {
        self.get_with_age(key).map(|(_, v)| v)
    }

    /// The value while fresh, and how long ago it was stored.
    fn get_with_age(&self, key: &str) -> Option<(Duration, V)> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .map(|(at, ttl, v)| (at.elapsed(), *ttl, v))
            .filter(|(age, ttl, _)| age < ttl)
            .map(|(age, _, v)| (age, v.clone()))
    }

    fn insert(&self, key: String, value: V, ttl: Duration) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.max && !map.contains_key(&key) {
            map.retain(|_, (at, ttl, _)| at.elapsed() < *ttl);
            if map.len() >= self.max {
                if let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, (at, _, _))| *at)
                    .map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(key, (Instant::now(), ttl, value));
    }

    fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// What the portal knows about the person whose avatar is asked for.
#[derive(Clone)]
pub struct Subject {
    pub avatar: Option<String>,
    pub org_ids: Vec<String>,
}

/// The in-memory avatar caches of one process.
pub struct Avatars {
    /// Re-encoded PNGs by source URL; `None` remembers a failure.
    images: Bounded<Option<Bytes>>,
    subjects: Bounded<Subject>,
}

impl Default for Avatars {
    fn default() -> Self {
        Avatars {
            images: Bounded::new(MAX_IMAGES),
            subjects: Bounded::new(MAX_SUBJECTS),
        }
    }
}

impl Avatars {
    pub fn cached_images(&self) -> usize {
        self.images.len()
    }

    /// Who `user_id` is, from memory while fresh and still naming the `wanted` version
    /// (a page rendered after the avatar changed asks Logto again).
    /// `None` when the person does not exist.
    pub async fn subject(
        &self,
        logto: &LogtoClient,
        user_id: &str,
        wanted: &str,
    ) -> Result<Option<Subject>, LogtoError> {
        if let Some((age, s)) = self.subjects.get_with_age(user_id) {
            // A made-up version does not make every request ask Logto: at most once in
            // SUBJECT_RELOAD_AFTER.
            let same = s.avatar.as_deref().map(version).as_deref() == Some(wanted);
            if same || age < SUBJECT_RELOAD_AFTER {
                return Ok(Some(s));
            }
        }
        let (user, orgs) = tokio::join!(logto.get_user(user_id), logto.user_organizations(user_id));
        let user = match user {
            Ok(u) => u,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let subject = Subject {
            avatar: user.avatar.filter(|a| !a.trim().is_empty()),
            org_ids: orgs?.into_iter().map(|o| o.organization.id).collect(),
        };
        self.subjects
            .insert(user_id.to_string(), subject.clone(), SUBJECT_TTL);
        Ok(Some(subject))
    }

    /// The re-encoded image of `url`, fetched once per hour at most (failures: 5 minutes).
    pub async fn image(&self, logto: &Url, url: &str) -> Option<Bytes> {
        if let Some(done) = self.images.get(url) {
            return done;
        }
        let result = match fetch(logto, url).await {
            Ok(raw) => tokio::task::spawn_blocking(move || reencode(&raw))
                .await
                .map_err(|e| Refusal::Image(e.to_string()))
                .and_then(|r| r),
            Err(e) => Err(e),
        };
        let (value, ttl) = match result {
            Ok(png) => (Some(Bytes::from(png)), IMAGE_TTL),
            Err(e) => {
                tracing::info!(reason = %e, "avatar not served");
                (None, FAILURE_TTL)
            }
        };
        self.images.insert(url.to_string(), value.clone(), ttl);
        value
    }
}

/// Why an avatar is not served (logged, never shown).
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("address not allowed: {0}")]
    Address(String),
    #[error("fetch failed: {0}")]
    Fetch(String),
    #[error("not an acceptable image: {0}")]
    Image(String),
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Whether `ip` is on the public internet (not private, loopback, link-local, shared,
/// documentation, multicast, reserved or unspecified).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the IPv4 address it embeds.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                let [a, b] = s[6].to_be_bytes();
                let [c, d] = s[7].to_be_bytes();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || v6 == Ipv6Addr::from([0u8; 16]))
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

/// Downloads `raw` within the limits; returns the bytes.
pub async fn fetch(logto: &Url, raw: &str) -> Result<Vec<u8>, Refusal> {
    let url = Url::parse(raw).map_err(|_| Refusal::Address("not a URL".into()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Address("credentials in the URL".into()));
    }
    let is_logto = same_origin(&url, logto);
    if url.scheme() != "https" && !is_logto {
        return Err(Refusal::Address(format!("scheme {}", url.scheme())));
    }
    let port = url
        .port_or_known_default()
        .ok_or_else(|| Refusal::Address("no port".into()))?;
    let (domain, addrs): (Option<String>, Vec<SocketAddr>) = match url.host() {
        Some(Host::Ipv4(ip)) => (None, vec![SocketAddr::new(IpAddr::V4(ip), port)]),
        Some(Host::Ipv6(ip)) => (None, vec![SocketAddr::new(IpAddr::V6(ip), port)]),
        Some(Host::Domain(d)) => {
            let found = tokio::time::timeout(FETCH_TIMEOUT, tokio::net::lookup_host((d, port)))
                .await
                .map_err(|_| Refusal::Fetch("DNS timeout".into()))?
                .map_err(|e| Refusal::Fetch(format!("DNS: {e}")))?;
            (Some(d.to_string()), found.collect())
        }
        None => return Err(Refusal::Address("no host".into())),
    };
    if addrs.is_empty() {
        return Err(Refusal::Fetch("no address".into()));
    }
    if !is_logto {
        if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
            return Err(Refusal::Address(format!("non-public address {}", bad.ip())));
        }
    }
    let origin = url.clone();
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() < 3 && same_origin(attempt.url(), &origin) {
                attempt.follow()
            } else {
                attempt.stop()
            }
        }));
    if let Some(domain) = &domain {
        // Connect to exactly the addresses checked above.
        builder = builder.resolve_to_addrs(domain, &addrs);
    }
    let client = builder.build().map_err(|e| Refusal::Fetch(e.to_string()))?;
    let download = async {
        let mut resp = client
            .get(url.clone())
            .header(
                reqwest::header::ACCEPT,
                "image/png, image/jpeg, image/gif, image/webp",
            )
            .send()
            .await
            .map_err(|e| Refusal::Fetch(e.without_url().to_string()))?;
        if !resp.status().is_success() {
            return Err(Refusal::Fetch(format!("status {}", resp.status())));
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !matches!(
            content_type.as_str(),
            "image/png" | "image/jpeg" | "image/gif" | "image/webp"
        ) {
            return Err(Refusal::Image(format!("content type {content_type:?}")));
        }
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_DOWNLOAD as u64)
        {
            return Err(Refusal::Image("larger than 2 MB".into()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| Refusal::Fetch(e.without_url().to_string()))?
        {
            if body.len() + chunk.len() > MAX_DOWNLOAD {
                return Err(Refusal::Image("larger than 2 MB".into()));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    tokio::time::timeout(FETCH_TIMEOUT, download)
        .await
        .map_err(|_| Refusal::Fetch("timeout".into()))?
}

/// Decodes an image (PNG, JPEG, GIF, WebP only, bounded) and re-encodes it as a
/// [`SIZE`]-pixel PNG square without metadata.
pub fn reencode(bytes: &[u8]) -> Result<Vec<u8>, Refusal> {
    let decoded = avatar_store::decode_bounded(bytes, &avatar_store::UPLOAD_FORMATS, MAX_SIDE)
        .map_err(|e| Refusal::Image(e.to_string()))?;
    avatar_store::square_png(&decoded, SIZE).map_err(|e| Refusal::Image(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn avatar_addresses_name_a_version() {
        let a = avatar_src("u1", Some("https://cdn.example/a.png")).unwrap();
        let b = avatar_src("u1", Some("https://cdn.example/b.png")).unwrap();
        assert!(a.starts_with("/avatars/u1?v="));
        assert_ne!(a, b);
        assert_eq!(avatar_src("u1", None), None);
        assert_eq!(avatar_src("u1", Some("")), None);
        assert_eq!(avatar_src("u1", Some("javascript:alert(1)")), None);
        assert_eq!(avatar_src("..", Some("https://cdn.example/a.png")), None);
    }

    #[test]
    fn avatars_the_portal_keeps_are_served_from_their_own_address() {
        let h = "ab".repeat(32);
        let url = format!("https://portal.example/avatars/u/{h}-256.png");
        assert_eq!(
            avatar_src("u1", Some(&url)),
            Some(format!("/avatars/u/{h}-64.png"))
        );
        assert_eq!(
            avatar_src_large("u1", Some(&url)),
            Some(format!("/avatars/u/{h}-256.png"))
        );
        // Not a stored image's name: fetched through the proxy like any other address.
        let other = "https://portal.example/avatars/u/not-a-hash.png";
        assert!(avatar_src("u1", Some(other))
            .unwrap()
            .starts_with("/avatars/u1?v="));
    }

    #[tokio::test]
    async fn refuses_before_connecting() {
        let logto: Url = "http://127.0.0.1:3001".parse().unwrap();
        for url in [
            "http://cdn.example/a.png",
            "https://127.0.0.1:3001/a.png",
            "https://10.0.0.1/a.png",
            "https://[::1]/a.png",
            "https://169.254.169.254/latest/meta-data",
            "http://127.0.0.1:3002/a.png",
            "https://user:pw@cdn.example/a.png",
            "ftp://cdn.example/a.png",
        ] {
            assert!(
                matches!(fetch(&logto, url).await, Err(Refusal::Address(_))),
                "{url}"
            );
        }
    }

    #[test]
    fn reencodes_to_a_small_square() {
        let mut src = image::RgbImage::new(300, 150);
        for (x, y, p) in src.enumerate_pixels_mut() {
            *p = image::Rgb([(x % 256) as u8, (y % 256) as u8, 7]);
        }
        let mut jpeg = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(src)
            .write_to(&mut jpeg, image::ImageFormat::Jpeg)
            .unwrap();
        let png = reencode(jpeg.get_ref()).unwrap();
        let back = image::load_from_memory(&png).unwrap();
        assert_eq!((back.width(), back.height()), (SIZE, SIZE));
        assert!(png.starts_with(&[0x89, b'P', b'N', b'G']));
        assert!(reencode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").is_err());
        assert!(reencode(b"GIF89a garbage").is_err());
    }

    #[test]
    fn the_cache_is_bounded() {
        let c: Bounded<u32> = Bounded::new(3);
        for i in 0..10 {
            c.insert(format!("k{i}"), i, Duration::from_secs(60));
        }
        assert_eq!(c.len(), 3);
        assert_eq!(c.get("k9"), Some(9));
        assert_eq!(c.get("k0"), None);
    }
}
