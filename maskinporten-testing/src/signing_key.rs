//! The kit's RSA signing key: what the issuer publishes and the token
//! builder signs with, kept below both.

use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

/// An RSA signing key with its `kid`.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    pair: Arc<RsaKeyPair>,
}

impl SigningKey {
    /// A fresh 2048-bit RSA key.
    ///
    /// # Panics
    /// If the machine cannot generate a key: a test cannot go on without one.
    pub fn generate(kid: &str) -> SigningKey {
        // Test kit only, no network input: fails only if aws-lc cannot make keys.
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        SigningKey {
            kid: kid.to_owned(),
            pair: Arc::new(pair),
        }
    }

    /// The key's `kid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub(crate) fn pair(&self) -> &RsaKeyPair {
        &self.pair
    }

    /// The public key as a JWK, as Maskinporten publishes it.
    pub fn jwk(&self) -> Value {
        let public = self.pair.public_key();
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
        })
    }
}

/// Signing with a key we generated cannot fail but for a broken crypto
/// library; the test kit panics there rather than mint a bad token.
pub(crate) fn sign_rs256(key: &SigningKey, input: &str) -> String {
    let pair = key.pair();
    let mut signature = vec![0; pair.public_modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    // Test kit only, no network input: signing with a key we generated fails
    // only if aws-lc is broken.
    .expect("RSA signing with a freshly generated key");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The public key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) document.
pub(crate) fn public_key_pem(key: &SigningKey) -> String {
    use aws_lc_rs::encoding::AsDer;
    // Test kit only: encoding a key we generated fails only if aws-lc is broken.
    let der = key
        .pair()
        .public_key()
        .as_der()
        .expect("DER encoding of an RSA public key");
    let body = STANDARD.encode(der.as_ref());
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem
}
