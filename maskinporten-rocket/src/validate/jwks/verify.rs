//! Where a token is checked locally: its JWS signature against the key the
//! JWKS lists under its `kid` (RFC 7515 §5.2), then its issuer (RFC 7519
//! §4.1.1). Time and audience checks are shared with every backend and live
//! in `validate::Validator`.

use std::sync::Arc;

use jsonwebtoken::Algorithm;

use super::keys::{KeyLookupError, KeyStore};
use crate::claims::Claims;
use crate::rejection::{Outage, Rejection};
use crate::token_error::TokenError;
use crate::validate::jws::{Jws, SIGNATURE_BUFFER};

/// The `jwks` backend: verdicts from the issuer's keys, checked in-process.
pub(crate) struct JwksValidator {
    pub(crate) keys: Arc<KeyStore>,
}

impl JwksValidator {
    /// Verifies the signature and the issuer of `token`.
    pub(crate) async fn verify(&self, token: &str) -> Result<Claims, Rejection> {
        let jws = Jws::parse(token)?;
        let kid = jws.kid.as_deref().ok_or(TokenError::UnknownKey)?;
        let (anchor, key) = self.keys.key(kid).await.map_err(|e| match e {
            KeyLookupError::Unknown => Rejection::InvalidToken(TokenError::UnknownKey),
            KeyLookupError::Unavailable => Rejection::Unavailable(Outage::IssuerKeys),
        })?;
        // Exactly the key's algorithm: this refuses `none`, every HMAC (the
        // "HS256 keyed with the public key" confusion) and other RSA variants.
        if jws.alg.parse::<Algorithm>().ok() != Some(key.algorithm) {
            // The attacker's string goes to the log: keep it short.
            let alg: String = jws.alg.chars().take(32).collect();
            return Err(TokenError::Algorithm(alg).into());
        }
        let mut buffer = [0; SIGNATURE_BUFFER];
        let signature = jws.signature(&mut buffer)?;
        // With the key aws-lc parsed when the set loaded: not through
        // `jsonwebtoken::crypto`, whose process-wide provider another crate
        // in the app can change (or make ambiguous, which panics).
        if key
            .parsed
            .verify_sig(jws.signing_input.as_bytes(), signature)
            .is_err()
        {
            return Err(TokenError::BadSignature.into());
        }
        let claims = Claims::from_payload(jws.payload()?)?;
        if claims.issuer() != anchor.issuer {
            return Err(TokenError::WrongIssuer.into());
        }
        Ok(claims)
    }
}
