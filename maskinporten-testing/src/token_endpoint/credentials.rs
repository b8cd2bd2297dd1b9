//! The `client_credentials` grant (RFC 6749 §4.4) as Swagger UI's
//! Authorize button sends it: client id and secret in HTTP Basic (RFC 6749
//! §2.3.1) or in the body, `scope` in the body, and as extra parameters
//! (Swagger UI's `additionalQueryStringParams`) `resource`, `consumer_org`
//! or `systemuser_org` for the token shapes a JWT grant can ask for. The real Maskinporten has
//! no such flow; the stand-in offers it for a page in a browser, and mints
//! the same tokens as for a JWT grant.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::access_token::{self, Ask};
use super::refusal::{Code, Refusal};
use crate::clients::{Clients, Registered};

pub(crate) const CLIENT_CREDENTIALS: &str = "client_credentials";

/// `(client_id, client_secret)` from an `Authorization: Basic` header.
fn basic(header: &str) -> Result<(String, String), Refusal> {
    let bad = || Refusal::new(Code::InvalidClient, "the Basic credentials cannot be read");
    let (scheme, encoded) = header.split_once(' ').ok_or_else(bad)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(Refusal::new(
            Code::InvalidClient,
            format!("Authorization `{scheme}` is not Basic"),
        ));
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    // RFC 6749 §2.3.1: both are form-urlencoded before Basic encodes them.
    let decode = |s: &str| {
        form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok((decode(id), decode(secret)))
}

/// The client and what it asks for, or why it is refused.
pub(crate) fn ask<'c>(
    authorization: Option<&str>,
    form: &HashMap<String, String>,
    clients: Option<&'c Clients>,
) -> Result<(Ask, Option<&'c Registered>), Refusal> {
    let (client_id, secret, client_amr) = match authorization {
        Some(header) => {
            if form.contains_key("client_secret") {
                // RFC 6749 §2.3: one authentication method per request.
                return Err(Refusal::request(
                    "the client authenticates twice: Basic and client_secret",
                ));
            }
            let (id, secret) = basic(header)?;
            (id, Some(secret), "client_secret_basic")
        }
        None => (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned(),
            "client_secret_post",
        ),
    };
    if client_id.is_empty() {
        return Err(Refusal::new(
            Code::InvalidClient,
            "no client id: give it in HTTP Basic or as client_id",
        ));
    }
    let client = match clients {
        None => None,
        Some(clients) => Some(clients.get(&client_id).ok_or_else(|| {
            Refusal::new(
                Code::InvalidClient,
                format!("client `{client_id}` is not registered"),
            )
        })?),
    };
    if let Some(expected) = client.and_then(|c| c.client.secret.as_deref())
        && secret.as_deref() != Some(expected)
    {
        return Err(Refusal::new(
            Code::InvalidClient,
            format!("wrong secret for client `{client_id}`"),
        ));
    }
    let ask = Ask {
        scopes: access_token::scopes(form.get("scope").map(String::as_str))?,
        resource: form
            .get("resource")
            .map(|r| access_token::resource(Value::String(r.clone())))
            .transpose()?,
        consumer_org: form
            .get("consumer_org")
            .map(|o| access_token::consumer_org(&Value::String(o.clone())))
            .transpose()?,
        system_user: form
            .get("systemuser_org")
            .map(|o| {
                access_token::consumer_org(&Value::String(o.clone()))
                    .map(|orgno| access_token::SystemUser { orgno, ids: None })
            })
            .transpose()?,
        client_id,
        client_amr,
    };
    access_token::check_scopes(&ask, client)?;
    Ok((ask, client))
}
