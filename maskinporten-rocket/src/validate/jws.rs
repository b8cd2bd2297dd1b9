//! Taking a compact JWS apart, treating every byte as hostile.
//!
//! We parse the header and payload ourselves, rather than through
//! `jsonwebtoken::decode`, so that each is decoded once and so that we can
//! refuse what that crate lets through: duplicate member names (RFC 7519 §4
//! allows only "reject" or "last wins"; we reject), a `crit` header (RFC 7515
//! §4.1.11), header-supplied key material and nested tokens.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::rejection::TokenError;

/// Far above any Maskinporten token (about 1 KiB), far below anything that
/// could hurt: the size a token may have before we look at it.
pub(crate) const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Header parameters that carry or point at key material. A resource server
/// takes keys from its configured JWKS only, so these are refused outright
/// and never fetched.
const KEY_MATERIAL_HEADERS: [&str; 4] = ["jwk", "jku", "x5u", "x5c"];

/// A compact JWS split into its parts, with the header read.
pub(crate) struct Jws<'t> {
    /// `base64url(header) "." base64url(payload)`: what the signature covers.
    pub(crate) signing_input: &'t str,
    pub(crate) payload_b64: &'t str,
    pub(crate) signature_b64: &'t str,
    pub(crate) alg: String,
    pub(crate) kid: Option<String>,
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
            if part.is_empty() || !part.bytes().all(is_base64url) {
                return Err(TokenError::Malformed("part is not base64url"));
            }
        }
        let header = decode_object(header_b64, "header")?;
        for name in KEY_MATERIAL_HEADERS {
            if header.contains_key(name) {
                return Err(TokenError::ForbiddenHeader(name));
            }
        }
        if header.contains_key("crit") {
            return Err(TokenError::ForbiddenHeader("crit"));
        }
        // RFC 7515 §4.1.10: a `cty` without `/` stands for `application/<cty>`.
        if header
            .get("cty")
            .and_then(Value::as_str)
            .is_some_and(|cty| {
                cty.eq_ignore_ascii_case("jwt") || cty.eq_ignore_ascii_case("application/jwt")
            })
        {
            return Err(TokenError::ForbiddenHeader("nested token (cty JWT)"));
        }
        let alg = match header.get("alg") {
            Some(Value::String(alg)) => alg.clone(),
            _ => return Err(TokenError::Malformed("header has no string alg")),
        };
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.clone()),
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

    /// The payload's JSON object. Call only after the signature verified:
    /// there is no reason to parse what an attacker wrote.
    pub(crate) fn claims_object(&self) -> Result<Map<String, Value>, TokenError> {
        decode_object(self.payload_b64, "payload")
    }
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn decode_object(part: &str, what: &'static str) -> Result<Map<String, Value>, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed(what))?;
    serde_json::from_slice::<UniqueObject>(&bytes)
        .map(|object| object.0)
        .map_err(|_| TokenError::Malformed(what))
}

/// A JSON object whose member names are unique at the top level, where the
/// claims and header parameters live; `serde_json::Map` alone would let a
/// later duplicate silently replace an earlier one.
struct UniqueObject(Map<String, Value>);

impl<'de> Deserialize<'de> for UniqueObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;

        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = UniqueObject;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object with unique member names")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<UniqueObject, A::Error> {
                let mut object = Map::new();
                while let Some(name) = access.next_key::<String>()? {
                    if object.contains_key(&name) {
                        return Err(de::Error::custom("duplicate member name"));
                    }
                    let value = access.next_value::<Value>()?;
                    object.insert(name, value);
                }
                Ok(UniqueObject(object))
            }
        }

        deserializer.deserialize_map(ObjectVisitor)
    }
}

#[cfg(test)]
mod tests;
