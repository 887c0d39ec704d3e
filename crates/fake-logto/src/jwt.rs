//! The fake's signing key (P-384, ES384) and compact JWS encoding.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p384::ecdsa::signature::Signer;
use p384::ecdsa::{Signature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256, Sha384};

pub struct Keys {
    signing: SigningKey,
    pub kid: String,
    x: String,
    y: String,
}

impl Keys {
    pub fn generate() -> Keys {
        let signing = SigningKey::random(&mut rand::rngs::OsRng);
        let point = signing.verifying_key().to_encoded_point(false);
        let x = URL_SAFE_NO_PAD.encode(point.x().map(|x| x.to_vec()).unwrap_or_default());
        let y = URL_SAFE_NO_PAD.encode(point.y().map(|y| y.to_vec()).unwrap_or_default());
        // RFC 7638 thumbprint as the key id, like Logto's.
        let thumb_input = format!(r#"{{"crv":"P-384","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumb_input.as_bytes()));
        Keys { signing, kid, x, y }
    }

    /// The public JWKS document.
    pub fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "EC",
            "crv": "P-384",
            "alg": "ES384",
            "use": "sig",
            "kid": self.kid,
            "x": self.x,
            "y": self.y,
        }]})
    }

    /// Sign `claims` as an ES384 JWT; `tamper` flips a bit of the signature.
    pub fn sign(&self, claims: &Value, tamper: bool) -> String {
        let header = json!({"alg": "ES384", "typ": "JWT", "kid": self.kid});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig: Signature = self.signing.sign(input.as_bytes());
        let mut bytes = sig.to_bytes().to_vec();
        if tamper {
            bytes[10] ^= 0x01;
        }
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(bytes))
    }
}

/// OIDC `at_hash`: base64url of the left half of SHA-384(access token).
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha384::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..24])
}

/// PKCE S256: base64url(SHA-256(verifier)).
pub fn pkce_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}
