//! Maskinporten's JWT grant (RFC 7523 §2.1; Digdir, "JWT grant"): decoded
//! and checked as Maskinporten checks it, into what it asks for.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value};

use super::access_token::{self, Ask};
use super::refusal::{Code, Refusal};
use super::replay::{Replay, Replays};
use crate::clients::{Clients, Registered, Verifier};

/// How far ahead of our clock a grant's `iat` may be (Digdir allows ten
/// seconds of clock skew).
pub(crate) const SKEW_SECONDS: i64 = 10;

/// The longest a grant may live, `exp - iat` (Digdir: 120 seconds).
pub(crate) const MAX_LIFETIME_SECONDS: i64 = 120;

/// What a grant is checked against.
pub(crate) struct Check<'a> {
    /// The stand-in's issuer identifier: the grant's `aud`.
    pub(crate) issuer: &'a str,
    pub(crate) now: i64,
    pub(crate) clients: Option<&'a Clients>,
    pub(crate) replays: &'a Replays,
}

/// A JSON object from one base64url part of a JWS.
fn object(part: &str, what: &str) -> Result<Map<String, Value>, Refusal> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| Refusal::grant(format!("the grant's {what} is not base64url")))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Refusal::grant(format!(
            "the grant's {what} is not a JSON object"
        ))),
    }
}

/// A NumericDate (RFC 7519 §2), seconds; fractions are cut.
fn seconds(claims: &Map<String, Value>, name: &str) -> Result<i64, Refusal> {
    match claims.get(name).and_then(Value::as_f64) {
        Some(value) if value.is_finite() && value.abs() < 1e15 => Ok(value as i64),
        Some(_) => Err(Refusal::grant(format!("{name} is not a time"))),
        None => Err(Refusal::grant(format!(
            "the grant has no {name} (seconds since 1970)"
        ))),
    }
}

impl Check<'_> {
    /// The grant's client and what it asks for, or why it is refused.
    pub(crate) fn check<'c>(
        &'c self,
        assertion: &str,
    ) -> Result<(Ask, Option<&'c Registered>), Refusal> {
        let parts: Vec<&str> = assertion.split('.').collect();
        let [header_part, claims_part, signature] = parts[..] else {
            return Err(Refusal::grant(
                "the assertion is not a JWT: three base64url parts separated by `.`",
            ));
        };
        let header = object(header_part, "header")?;
        let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
        if !matches!(alg, "RS256" | "RS384" | "RS512") {
            return Err(Refusal::grant(format!(
                "alg `{alg}` is not one Maskinporten accepts: RS256, RS384 or RS512"
            )));
        }
        if header.contains_key("crit") {
            return Err(Refusal::grant(
                "the grant's header has `crit`: no extension is understood here",
            ));
        }
        let kid = header.get("kid").and_then(Value::as_str);
        let x5c = match header.get("x5c") {
            None => None,
            Some(Value::Array(chain)) if !chain.is_empty() => Some(
                chain[0]
                    .as_str()
                    .and_then(|leaf| STANDARD.decode(leaf).ok())
                    .ok_or_else(|| {
                        Refusal::grant("x5c must be a list of base64 DER certificates")
                    })?,
            ),
            Some(_) => {
                return Err(Refusal::grant(
                    "x5c must be a non-empty list of base64 DER certificates",
                ));
            }
        };
        if kid.is_none() && x5c.is_none() {
            return Err(Refusal::grant(
                "the grant's header names neither a kid nor an x5c certificate chain",
            ));
        }
        if signature.is_empty() {
            return Err(Refusal::grant("the grant is not signed"));
        }

        let claims = object(claims_part, "payload")?;
        let client_id = claims
            .get("iss")
            .and_then(Value::as_str)
            .filter(|iss| !iss.is_empty())
            .ok_or_else(|| Refusal::grant("the grant has no iss: the client id"))?;
        let audience_matches = match claims.get("aud") {
            Some(Value::String(aud)) => aud == self.issuer,
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(self.issuer)),
            _ => false,
        };
        if !audience_matches {
            return Err(Refusal::grant(format!(
                "the grant's aud must be this issuer, `{}`",
                self.issuer
            )));
        }
        let iat = seconds(&claims, "iat")?;
        let exp = seconds(&claims, "exp")?;
        if iat > self.now + SKEW_SECONDS {
            return Err(Refusal::grant("the grant is issued in the future (iat)"));
        }
        if exp <= self.now {
            return Err(Refusal::grant("the grant has expired (exp)"));
        }
        if exp <= iat || exp - iat > MAX_LIFETIME_SECONDS {
            return Err(Refusal::grant(format!(
                "the grant must expire within {MAX_LIFETIME_SECONDS} seconds of iat"
            )));
        }
        let jti = match claims.get("jti") {
            None => None,
            Some(Value::String(jti)) if !jti.is_empty() => Some(jti.as_str()),
            Some(_) => return Err(Refusal::grant("jti must be a non-empty string")),
        };

        let client = match self.clients {
            None => None,
            Some(clients) => Some(clients.get(client_id).ok_or_else(|| {
                Refusal::new(
                    Code::InvalidClient,
                    format!("client `{client_id}` is not registered"),
                )
            })?),
        };
        if let Some(client) = client {
            if let (Some(registered), Some(kid)) = (&client.client.kid, kid)
                && registered != kid
            {
                return Err(Refusal::grant(format!(
                    "kid `{kid}` is not the key registered for client `{client_id}`"
                )));
            }
            if let Verifier::Certificate(der) = &client.verifier
                && x5c.as_deref() != Some(der.as_slice())
            {
                return Err(Refusal::grant(format!(
                    "the grant's x5c does not begin with the certificate registered for client `{client_id}`"
                )));
            }
            let signed = &assertion[..header_part.len() + 1 + claims_part.len()];
            client
                .verify(alg, signed.as_bytes(), signature)
                .map_err(|_| {
                    Refusal::grant(format!(
                        "the grant's signature does not hold under the key registered for client `{client_id}`"
                    ))
                })?;
        }

        let ask = Ask {
            client_id: client_id.to_owned(),
            client_amr: "private_key_jwt",
            scopes: access_token::scopes(claims.get("scope").and_then(Value::as_str))?,
            resource: claims
                .get("resource")
                .cloned()
                .map(access_token::resource)
                .transpose()?,
            consumer_org: claims
                .get("consumer_org")
                .map(access_token::consumer_org)
                .transpose()?,
            system_user: claims
                .get("authorization_details")
                .map(access_token::system_user)
                .transpose()?,
        };
        access_token::check_scopes(&ask, client)?;
        // Last: a grant refused for another reason may be fixed and sent
        // again with the same jti.
        if let Some(jti) = jti {
            match self.replays.record(client_id, jti, exp, self.now) {
                Ok(()) => {}
                Err(Replay::Seen) => {
                    return Err(Refusal::grant(format!(
                        "jti `{jti}` was used before: a grant is used once"
                    )));
                }
                Err(Replay::Full) => {
                    return Err(Refusal::grant(
                        "too many unexpired grants are held; try again in two minutes",
                    ));
                }
            }
        }
        Ok((ask, client))
    }
}
