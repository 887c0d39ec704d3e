//! Authenticator-app codes (TOTP, RFC 6238 as every authenticator app and Logto use it:
//! HMAC-SHA-1, 6 digits, 30-second steps). The portal makes the secret, shows it as a QR code
//! and as text, checks a code the person types, and only then hands the secret to Logto.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::clock::Clock;
use crate::logto::Secret;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Bytes of a new secret: 160 bits, RFC 4226's recommendation and Logto's own choice.
const SECRET_BYTES: usize = 20;

/// A TOTP secret in base32 (RFC 4648, upper case, no padding). `Debug` prints `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret {
    base32: Secret,
    key: Vec<u8>,
}

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

/// Why a secret was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a TOTP secret is 16 to 32 base32 characters")]
pub struct InvalidSecret;

impl TotpSecret {
    /// A new random secret (160 bits, 32 base32 characters).
    pub fn generate() -> TotpSecret {
        let mut key = vec![0u8; SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut key);
        TotpSecret {
            base32: Secret::new(BASE32_NOPAD.encode(&key)),
            key,
        }
    }

    /// A secret as Logto accepts it: 16 to 32 base32 characters (spaces and case are
    /// forgiven, padding dropped), so what the portal checks is what Logto will store.
    pub fn parse(text: &str) -> Result<TotpSecret, InvalidSecret> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .trim_end_matches('=')
            .to_ascii_uppercase();
        if !(16..=32).contains(&cleaned.len()) {
            return Err(InvalidSecret);
        }
        let key = BASE32_NOPAD
            .decode(cleaned.as_bytes())
            .map_err(|_| InvalidSecret)?;
        Ok(TotpSecret {
            base32: Secret::new(cleaned),
            key,
        })
    }

    /// The base32 text (to send to Logto, or to keep in the person's own session while they
    /// confirm it).
    pub fn base32(&self) -> &Secret {
        &self.base32
    }

    /// The base32 text in groups of four, for typing it into an app by hand.
    pub fn grouped(&self) -> String {
        let chars: Vec<char> = self.base32.expose().chars().collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The code for the step that holds `epoch_ms`.
    pub fn code_at(&self, epoch_ms: i64) -> String {
        let step = epoch_ms.div_euclid(STEP_SECS * 1000);
        format!(
            "{:0width$}",
            hotp(&self.key, step as u64, DIGITS),
            width = DIGITS as usize
        )
    }

    /// The step whose code `code` is, when it is the current step's or one either side (RFC
    /// 6238 §5.2 allows for a clock a little off and for typing time). Callers that must refuse
    /// a code used twice keep the step and accept only later ones.
    pub fn matching_step(&self, code: &str, now_ms: i64) -> Option<i64> {
        let code = code.trim();
        if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now_step = now_ms.div_euclid(STEP_SECS * 1000);
        (-1..=1).map(|d| now_step + d).find(|step| {
            let expected = self.code_at(step * STEP_SECS * 1000);
            bool::from(expected.as_bytes().ct_eq(code.as_bytes()))
        })
    }

    /// Whether `code` is valid now (±1 step) by `clock`.
    pub fn verify(&self, code: &str, clock: &Clock) -> bool {
        self.matching_step(code, clock.now_ms()).is_some()
    }

    /// The `otpauth://` URI authenticator apps read from the QR code (Google Authenticator's
    /// key URI format: label `issuer:account`, `issuer` repeated as a parameter).
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let enc = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
            enc(issuer),
            enc(account),
            self.base32.expose(),
            enc(issuer)
        )
    }

    /// The key URI as an inline SVG QR code, drawn on the server: `fill` and `d` attributes
    /// only (the CSP forbids style attributes), `role="img"` with `label` for screen readers.
    pub fn qr_svg(&self, issuer: &str, account: &str, label: &str) -> String {
        qr_svg(&self.otpauth_uri(issuer, account), label)
    }
}

/// RFC 4226 HOTP: the `digits` low decimal digits of the dynamically truncated HMAC-SHA-1.
fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(&counter.to_be_bytes());
    let d = mac.finalize().into_bytes();
    let offset = (d[d.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        d[offset] & 0x7f,
        d[offset + 1],
        d[offset + 2],
        d[offset + 3],
    ]);
    bin % 10u32.pow(digits)
}

/// `text` as an SVG QR code (error correction M, quiet zone kept), without the XML prolog so
/// it can sit inside HTML.
pub fn qr_svg(text: &str, label: &str) -> String {
    use qrcode::render::svg;
    let Ok(code) = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M) else {
        // Only texts far longer than a key URI do not fit a QR code.
        return String::new();
    };
    let drawn = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    let body = drawn
        .find("<svg")
        .map_or(drawn.as_str(), |start| &drawn[start..]);
    let label = label
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;");
    body.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" "),
        1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    /// RFC 6238 appendix B, SHA-1 (key "12345678901234567890", 8 digits).
    const RFC_6238_SHA1: [(i64, u32); 6] = [
        (59, 94_287_082),
        (1_111_111_109, 7_081_804),
        (1_111_111_111, 14_050_471),
        (1_234_567_890, 89_005_924),
        (2_000_000_000, 69_279_037),
        (20_000_000_000, 65_353_130),
    ];

    #[test]
    fn rfc_6238_test_vectors() {
        let key = b"12345678901234567890";
        let secret = TotpSecret::parse(&BASE32_NOPAD.encode(key)).unwrap();
        for (t, expected) in RFC_6238_SHA1 {
            assert_eq!(hotp(key, (t / 30) as u64, 8), expected, "T={t}");
            // The 6-digit code is the low six digits of the same value.
            assert_eq!(
                secret.code_at(t * 1000),
                format!("{:06}", expected % 1_000_000),
                "T={t}"
            );
        }
    }

    #[test]
    fn codes_are_accepted_one_step_either_side_by_the_clock() {
        let secret = TotpSecret::parse("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
        let clock = ManualClock::at(59_000);
        let code = "287082";
        assert!(secret.verify(code, &clock.clock()));
        assert_eq!(secret.matching_step(code, 59_000), Some(1));
        clock.advance(std::time::Duration::from_secs(30));
        assert!(secret.verify(code, &clock.clock()), "one step late");
        clock.advance(std::time::Duration::from_secs(30));
        assert!(!secret.verify(code, &clock.clock()), "two steps late");
        assert!(secret.matching_step(code, 0).is_some(), "one step early");
        for bad in ["", "28708", "2870821", "28708x", " 287082 x"] {
            assert!(secret.matching_step(bad, 59_000).is_none(), "{bad:?}");
        }
        assert!(
            secret.matching_step(" 287082 ", 59_000).is_some(),
            "spaces trimmed"
        );
    }

    #[test]
    fn secrets_are_160_bit_base32_and_parse_like_logto() {
        let s = TotpSecret::generate();
        assert_eq!(s.base32().expose().len(), 32);
        assert_ne!(s, TotpSecret::generate());
        assert_eq!(TotpSecret::parse(s.base32().expose()).unwrap(), s);
        assert_eq!(s.grouped().split(' ').count(), 8);
        assert!(!format!("{s:?}").contains(s.base32().expose()));
        let lower = TotpSecret::parse("jbsw y3dp ehpk 3pxp").unwrap();
        assert_eq!(lower.base32().expose(), "JBSWY3DPEHPK3PXP");
        for bad in [
            "JBSWY3DP",
            "JBSWY3DPEHPK3PX1",
            &"A".repeat(40),
            "ĴBSWY3DPEHPK3PXP",
        ] {
            assert_eq!(TotpSecret::parse(bad), Err(InvalidSecret), "{bad}");
        }
    }

    #[test]
    fn key_uri_and_qr_code() {
        let s = TotpSecret::parse("JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(
            s.otpauth_uri("Acme Portal", "ada@example.com"),
            "otpauth://totp/Acme%20Portal:ada%40example%2Ecom?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20Portal&algorithm=SHA1&digits=6&period=30"
        );
        let svg = s.qr_svg("Acme Portal", "ada@example.com", "QR code \"x\" <y>");
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"QR code &quot;x&quot; &lt;y>\" xmlns=\"http://www.w3.org/2000/svg\""), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("style"), "the CSP forbids style attributes");
        assert!(!svg.contains("<?xml") && !svg.contains("data:"));
        assert!(svg.contains("<path fill=\"#000\" d=\"M"));
    }
}
