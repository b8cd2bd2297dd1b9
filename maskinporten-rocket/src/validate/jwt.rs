//! Where a token is checked locally (RFC 7515 §5.2, RFC 7519 §7.2): signature against the JWKS,
//! then the issuer. Time and audience checks are shared with every
//! validator and live in `validate::Validator`.

use std::sync::Arc;

use jsonwebtoken::Algorithm;

use super::jwks::{KeyLookupError, KeyStore};
use super::jws::Jws;
use crate::claims::Claims;
use crate::rejection::{Rejection, TokenError};

pub(crate) struct LocalValidator {
    pub(crate) keys: Arc<KeyStore>,
}

impl LocalValidator {
    /// Verifies the signature and the issuer of `token`.
    pub(crate) async fn verify(&self, token: &str) -> Result<Claims, Rejection> {
        let jws = Jws::parse(token)?;
        let kid = jws.kid.as_deref().ok_or(TokenError::UnknownKey)?;
        let (anchor, key) = self.keys.key(kid).await.map_err(|e| match e {
            KeyLookupError::Unknown => Rejection::InvalidToken(TokenError::UnknownKey),
            KeyLookupError::Unavailable => {
                Rejection::Unavailable("the issuer's keys cannot be fetched".into())
            }
        })?;
        // Exactly the key's algorithm: this refuses `none`, every HMAC (the
        // "HS256 keyed with the public key" confusion) and other RSA variants.
        if jws.alg.parse::<Algorithm>().ok() != Some(key.algorithm) {
            // The attacker's string goes to the log: keep it short.
            let alg: String = jws.alg.chars().take(32).collect();
            return Err(TokenError::Algorithm(alg).into());
        }
        let verified = jsonwebtoken::crypto::verify(
            jws.signature_b64,
            jws.signing_input.as_bytes(),
            &key.decoding,
            key.algorithm,
        );
        if !matches!(verified, Ok(true)) {
            return Err(TokenError::BadSignature.into());
        }
        let claims = Claims::from_object(jws.claims_object()?)?;
        if claims.issuer() != anchor.issuer {
            return Err(TokenError::WrongIssuer.into());
        }
        Ok(claims)
    }
}
