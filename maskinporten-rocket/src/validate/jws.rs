//! Taking a compact JWS apart, treating every byte as hostile.
//!
//! We parse the header and payload ourselves, rather than through
//! `jsonwebtoken::decode`, so that each part is decoded and parsed exactly
//! once, into the few values we use, and so that we can refuse what that
//! crate lets through: duplicate member names (RFC 7519 §4 allows only
//! "reject" or "last wins"; we reject), a `crit` header (RFC 7515
//! §4.1.11), header-supplied key material and nested tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::MapAccess;
use serde_json::Value;

use crate::json::{self, Members};
use crate::token_error::TokenError;

/// Far above any Maskinporten token (about 1 KiB), far below anything that
/// could hurt: the size a token may have before we look at it.
pub(crate) const MAX_TOKEN_LEN: usize = 16 * 1024;

/// The longest signature we verify: RSA-8192, 1024 octets, the top of
/// aws-lc's verification range.
const MAX_SIGNATURE_LEN: usize = 1024;

/// Room for a signature of [`MAX_SIGNATURE_LEN`] octets: base64's decoder
/// wants room for its estimate, up to two octets more than the result.
pub(crate) const SIGNATURE_BUFFER: usize = MAX_SIGNATURE_LEN + 2;

/// Header parameters that carry or point at key material. A resource server
/// takes keys from its configured JWKS only, so these are refused outright
/// and never fetched.
const KEY_MATERIAL_HEADERS: [&str; 4] = ["jwk", "jku", "x5u", "x5c"];

/// A compact JWS split into its parts, with the header read.
pub(crate) struct Jws<'t> {
    /// `base64url(header) "." base64url(payload)`: what the signature covers.
    pub(crate) signing_input: &'t str,
    payload_b64: &'t str,
    signature_b64: &'t str,
    pub(crate) alg: String,
    pub(crate) kid: Option<String>,
}

/// The header parameters we read; the rest are skipped unread.
#[derive(Default)]
struct Header {
    alg: Option<Value>,
    kid: Option<Value>,
    cty: Option<Value>,
    /// Which of [`KEY_MATERIAL_HEADERS`] are present, in that order.
    key_material: [bool; 4],
    crit: bool,
}

impl Members for Header {
    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        name: &str,
        access: &mut A,
    ) -> Result<(), A::Error> {
        let slot = match name {
            "alg" => &mut self.alg,
            "kid" => &mut self.kid,
            "cty" => &mut self.cty,
            _ => {
                if let Some(i) = KEY_MATERIAL_HEADERS.iter().position(|h| *h == name) {
                    self.key_material[i] = true;
                }
                self.crit |= name == "crit";
                access.next_value::<json::Skip>()?;
                return Ok(());
            }
        };
        *slot = Some(access.next_value()?);
        Ok(())
    }
}

impl<'t> Jws<'t> {
    pub(crate) fn parse(token: &'t str) -> Result<Jws<'t>, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed("token too large"));
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed("not three dot-separated parts"));
        };
        if signature_b64.is_empty() {
            return Err(TokenError::BadSignature);
        }
        for part in [header_b64, payload_b64, signature_b64] {
            if part.is_empty() || !is_base64url(part.as_bytes()) {
                return Err(TokenError::Malformed("part is not base64url"));
            }
        }
        let header: Header = decode_object(header_b64, "header")?;
        if let Some(i) = header.key_material.iter().position(|&present| present) {
            return Err(TokenError::ForbiddenHeader(KEY_MATERIAL_HEADERS[i]));
        }
        if header.crit {
            return Err(TokenError::ForbiddenHeader("crit"));
        }
        // RFC 7515 §4.1.10: a `cty` without `/` stands for `application/<cty>`.
        if header
            .cty
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|cty| {
                cty.eq_ignore_ascii_case("jwt") || cty.eq_ignore_ascii_case("application/jwt")
            })
        {
            return Err(TokenError::ForbiddenHeader("nested token (cty JWT)"));
        }
        let alg = match header.alg {
            Some(Value::String(alg)) => alg,
            _ => return Err(TokenError::Malformed("header has no string alg")),
        };
        let kid = match header.kid {
            None => None,
            Some(Value::String(kid)) => Some(kid),
            Some(_) => return Err(TokenError::Malformed("kid is not a string")),
        };
        Ok(Jws {
            signing_input: &token[..header_b64.len() + 1 + payload_b64.len()],
            payload_b64,
            signature_b64,
            alg,
            kid,
        })
    }

    /// The signature's octets, decoded into `buffer`: no allocation per
    /// token. A signature longer than any we verify is refused unread.
    pub(crate) fn signature<'b>(
        &self,
        buffer: &'b mut [u8; SIGNATURE_BUFFER],
    ) -> Result<&'b [u8], TokenError> {
        if self.signature_b64.len() > (MAX_SIGNATURE_LEN * 4).div_ceil(3) {
            return Err(TokenError::BadSignature);
        }
        match URL_SAFE_NO_PAD.decode_slice(self.signature_b64, buffer) {
            Ok(len) => Ok(&buffer[..len]),
            Err(_) => Err(TokenError::BadSignature),
        }
    }

    /// The payload's octets. Call only after the signature verified: there
    /// is no reason to decode what an attacker wrote.
    pub(crate) fn payload(&self) -> Result<Vec<u8>, TokenError> {
        URL_SAFE_NO_PAD
            .decode(self.payload_b64)
            .map_err(|_| TokenError::Malformed("payload"))
    }
}

/// The `kid` of `token`'s header, not verified: for a log field, never for
/// a decision. `None` when the header cannot be read or has no string `kid`.
#[cfg(feature = "tracing")]
pub(crate) fn unverified_kid(token: &str) -> Option<String> {
    let header_b64 = token.split('.').next()?;
    if token.len() > MAX_TOKEN_LEN || !is_base64url(header_b64.as_bytes()) {
        return None;
    }
    let header: Header = decode_object(header_b64, "header").ok()?;
    match header.kid {
        Some(Value::String(kid)) => Some(kid),
        _ => None,
    }
}

/// Whether every byte is of the base64url alphabet (RFC 4648 §5), no
/// padding. Written as a fold of `&` over range tests, without an early
/// exit, so that the compiler vectorises it: a token is about 1 KiB, and a
/// byte-at-a-time scan of it cost more than parsing its header.
pub(crate) fn is_base64url(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |all, &b| {
        all & (b.is_ascii_digit()
            | b.is_ascii_uppercase()
            | b.is_ascii_lowercase()
            | (b == b'-')
            | (b == b'_'))
    })
}

fn decode_object<M: Members>(part: &str, what: &'static str) -> Result<M, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed(what))?;
    json::unique_object(&bytes).map_err(|_| TokenError::Malformed(what))
}

#[cfg(test)]
mod tests;
