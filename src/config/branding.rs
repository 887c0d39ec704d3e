//! The deployer's branding: accent colours for the light and dark themes (checked for WCAG AA
//! contrast at start-up), a logo for each theme and a favicon, read from files at start-up and
//! served by the portal itself (pages load images only from the portal).

use std::path::Path;

use sha2::{Digest, Sha256};

use super::env::{err, ConfigError, Env};

/// The largest logo or favicon file accepted.
pub const MAX_IMAGE_BYTES: usize = 512 * 1024;
/// WCAG 2 AA for normal text: links and button labels in the accent colour.
pub const MIN_CONTRAST: f64 = 4.5;

/// The page backgrounds of the two themes (`static/app.css`), which links sit on.
const LIGHT_BG: Rgb = Rgb(0xff, 0xff, 0xff);
const DARK_BG: Rgb = Rgb(0x14, 0x16, 0x1a);
/// The two label colours a button may get: whichever reads better on the accent.
const LIGHT_LABEL: Rgb = Rgb(0xff, 0xff, 0xff);
const DARK_LABEL: Rgb = Rgb(0x0d, 0x0d, 0x1a);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb` or `#rgb`.
    pub fn parse(s: &str) -> Option<Rgb> {
        let hex = s.strip_prefix('#')?;
        let digits: Vec<u8> = hex
            .chars()
            .map(|c| c.to_digit(16).map(|d| d as u8))
            .collect::<Option<_>>()?;
        match digits.as_slice() {
            [r, g, b] => Some(Rgb(r * 17, g * 17, b * 17)),
            [r1, r2, g1, g2, b1, b2] => Some(Rgb(r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2)),
            _ => None,
        }
    }

    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG 2 relative luminance.
    fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// WCAG 2 contrast ratio, 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

/// An accent colour with the button label that reads best on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accent {
    pub color: Rgb,
    pub label: Rgb,
}

/// Checks `value` of `var` as the accent of a theme whose page background is `bg`: links in
/// the colour on the page and button labels on the colour must both reach [`MIN_CONTRAST`].
fn accent(var: &'static str, value: &str, bg: Rgb, theme: &str) -> Result<Accent, ConfigError> {
    let color = Rgb::parse(value).ok_or_else(|| {
        err(
            var,
            format!("is not a colour: expected #rrggbb, got {value:?}"),
        )
    })?;
    let on_page = color.contrast(bg);
    if on_page < MIN_CONTRAST {
        return Err(err(
            var,
            format!(
                "{value} has a contrast of {on_page:.1}:1 with the {theme} page background ({}); \
                 links and buttons need at least {MIN_CONTRAST}:1 (WCAG AA)",
                bg.css()
            ),
        ));
    }
    let label = if color.contrast(LIGHT_LABEL) >= color.contrast(DARK_LABEL) {
        LIGHT_LABEL
    } else {
        DARK_LABEL
    };
    let on_button = color.contrast(label);
    if on_button < MIN_CONTRAST {
        return Err(err(
            var,
            format!(
                "{value} gives button labels a contrast of at most {on_button:.1}:1; \
                 at least {MIN_CONTRAST}:1 is needed (WCAG AA)"
            ),
        ));
    }
    Ok(Accent { color, label })
}

/// A logo or favicon file, kept in memory and served at a content-named address.
#[derive(Clone, PartialEq, Eq)]
pub struct BrandImage {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub hash: String,
}

impl std::fmt::Debug for BrandImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BrandImage({}, {} bytes)",
            self.content_type,
            self.bytes.len()
        )
    }
}

/// The image type by the file's first bytes: PNG, JPEG, WebP, GIF, SVG, and for favicons ICO.
fn sniff(bytes: &[u8], allow_ico: bool) -> Option<&'static str> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF8") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if allow_ico && bytes.starts_with(&[0, 0, 1, 0]) {
        Some("image/x-icon")
    } else if head.trim_start().starts_with("<svg") || head.trim_start().starts_with("<?xml") {
        head.contains("<svg").then_some("image/svg+xml")
    } else {
        None
    }
}

fn image(var: &'static str, path: &str, allow_ico: bool) -> Result<BrandImage, ConfigError> {
    let bytes = std::fs::read(Path::new(path))
        .map_err(|e| err(var, format!("cannot be read ({path}): {e}")))?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(err(
            var,
            format!("is larger than {} KB ({path})", MAX_IMAGE_BYTES / 1024),
        ));
    }
    let kinds = if allow_ico {
        "PNG, JPEG, WebP, GIF, SVG or ICO"
    } else {
        "PNG, JPEG, WebP, GIF or SVG"
    };
    let content_type = sniff(&bytes, allow_ico)
        .ok_or_else(|| err(var, format!("is not a {kinds} image ({path})")))?;
    let hash = hex::encode(&Sha256::digest(&bytes)[..6]);
    Ok(BrandImage {
        bytes,
        content_type,
        hash,
    })
}

/// Everything the deployer set; unset parts keep the portal's own look.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Branding {
    pub accent: Option<Accent>,
    pub accent_dark: Option<Accent>,
    pub logo: Option<BrandImage>,
    pub logo_dark: Option<BrandImage>,
    pub favicon: Option<BrandImage>,
}

impl Branding {
    pub(super) fn read<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        let colour = |var: &'static str, bg: Rgb, theme: &str| {
            env.get(var).map(|v| accent(var, &v, bg, theme)).transpose()
        };
        let file =
            |var: &'static str, ico: bool| env.get(var).map(|p| image(var, &p, ico)).transpose();
        Ok(Branding {
            accent: colour("PORTAL_ACCENT_COLOR", LIGHT_BG, "light")?,
            accent_dark: colour("PORTAL_ACCENT_COLOR_DARK", DARK_BG, "dark")?,
            logo: file("PORTAL_LOGO_FILE", false)?,
            logo_dark: file("PORTAL_LOGO_DARK_FILE", false)?,
            favicon: file("PORTAL_FAVICON_FILE", true)?,
        })
    }

    /// The style sheet that sets the accent colours, when any is configured.
    pub fn stylesheet(&self) -> Option<String> {
        if self.accent.is_none() && self.accent_dark.is_none() {
            return None;
        }
        let vars = |a: &Accent| {
            format!(
                ":root {{ --accent: {}; --accent-fg: {}; }}",
                a.color.css(),
                a.label.css()
            )
        };
        let mut css = String::from("/* The deployer's accent colours (PORTAL_ACCENT_COLOR*). */\n");
        if let Some(a) = &self.accent {
            css.push_str(&vars(a));
            css.push('\n');
        }
        if let Some(a) = &self.accent_dark {
            css.push_str(&format!(
                "@media (prefers-color-scheme: dark) {{ {} }}\n",
                vars(a)
            ));
        }
        Some(css)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_and_contrast_follows_wcag() {
        assert_eq!(Rgb::parse("#0b6e4f"), Some(Rgb(0x0b, 0x6e, 0x4f)));
        assert_eq!(Rgb::parse("#fff"), Some(Rgb(255, 255, 255)));
        assert_eq!(Rgb::parse("0b6e4f"), None);
        assert_eq!(Rgb::parse("#12345"), None);
        assert_eq!(Rgb::parse("#gggggg"), None);
        let black_white = Rgb(0, 0, 0).contrast(Rgb(255, 255, 255));
        assert!((black_white - 21.0).abs() < 0.01);
        // The portal's own accent passes on both of its surfaces.
        assert!(accent("X", "#3b3bd9", LIGHT_BG, "light").is_ok());
        assert!(accent("X", "#8f8fff", DARK_BG, "dark").is_ok());
    }

    #[test]
    fn colours_failing_aa_are_refused_naming_the_variable() {
        let e = accent("PORTAL_ACCENT_COLOR", "#ffcc00", LIGHT_BG, "light").unwrap_err();
        assert_eq!(e.var, "PORTAL_ACCENT_COLOR");
        assert!(e.expected.contains("4.5:1"), "{}", e.expected);
        assert!(
            e.expected.contains("light page background"),
            "{}",
            e.expected
        );
        let e = accent("PORTAL_ACCENT_COLOR_DARK", "#1a1a80", DARK_BG, "dark").unwrap_err();
        assert_eq!(e.var, "PORTAL_ACCENT_COLOR_DARK");
        // A mid grey reads on white but no label reads on it.
        let e = accent("PORTAL_ACCENT_COLOR", "#767676", LIGHT_BG, "light");
        assert!(e.is_ok(), "#767676 is the lightest AA grey on white");
        let green = accent("X", "#0b6e4f", LIGHT_BG, "light").unwrap();
        assert_eq!(green.label, LIGHT_LABEL);
        let yellow = accent("X", "#ffd75e", DARK_BG, "dark").unwrap();
        assert_eq!(yellow.label, DARK_LABEL, "dark labels on a light accent");
    }

    #[test]
    fn images_are_known_by_their_bytes() {
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0], false),
            Some("image/png")
        );
        assert_eq!(
            sniff(
                b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
                false
            ),
            Some("image/svg+xml")
        );
        assert_eq!(sniff(&[0, 0, 1, 0, 1], true), Some("image/x-icon"));
        assert_eq!(sniff(&[0, 0, 1, 0, 1], false), None);
        assert_eq!(sniff(b"<html><script>", false), None);
    }

    #[test]
    fn the_stylesheet_sets_both_themes() {
        let b = Branding {
            accent: Some(accent("X", "#0b6e4f", LIGHT_BG, "light").unwrap()),
            accent_dark: Some(accent("X", "#7ee0b8", DARK_BG, "dark").unwrap()),
            ..Default::default()
        };
        let css = b.stylesheet().unwrap();
        assert!(
            css.contains(":root { --accent: #0b6e4f; --accent-fg: #ffffff; }"),
            "{css}"
        );
        assert!(css.contains("@media (prefers-color-scheme: dark) { :root { --accent: #7ee0b8; --accent-fg: #0d0d1a; } }"), "{css}");
        assert_eq!(Branding::default().stylesheet(), None);
    }
}
