//! What a token request asks for, checked the same way whichever grant
//! carried it, and the access token minted from it (Digdir's
//! "Maskinporten /token endpoint" and "JWT grant" pages).

use std::time::Duration;

use aws_lc_rs::digest;
use serde_json::{Value, json};

use super::refusal::{Code, Refusal};
use crate::clients::Registered;
use crate::signing_key::SigningKey;
use crate::token::{TokenBuilder, organisation};

/// The `type` of an Altinn system user's `authorization_details` entry.
const SYSTEM_USER: &str = "urn:altinn:systemuser";

/// A token request, whichever grant carried it.
#[derive(Debug, Default)]
pub(crate) struct Ask {
    pub(crate) client_id: String,
    /// `private_key_jwt` for a JWT grant, `client_secret_basic` or
    /// `client_secret_post` for Swagger UI's flow.
    pub(crate) client_amr: &'static str,
    pub(crate) scopes: Vec<String>,
    /// The token's `aud`: a string or an array of strings.
    pub(crate) resource: Option<Value>,
    pub(crate) consumer_org: Option<String>,
    pub(crate) system_user: Option<SystemUser>,
}

/// A system user asked for: its organisation, and its ids if the request
/// names them.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SystemUser {
    pub(crate) orgno: String,
    pub(crate) ids: Option<Vec<String>>,
}

/// What the endpoint mints with.
pub(crate) struct Minter<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) key: SigningKey,
    pub(crate) lifetime: Duration,
    /// The consumer of an unregistered client's tokens.
    pub(crate) default_consumer: &'a str,
}

fn is_orgno(value: &str) -> bool {
    value.len() == 9 && value.bytes().all(|b| b.is_ascii_digit())
}

/// `scope`: space-separated (RFC 6749 §3.3), at least one.
pub(crate) fn scopes(scope: Option<&str>) -> Result<Vec<String>, Refusal> {
    let scope = scope.unwrap_or("");
    if scope.is_empty() {
        return Err(Refusal::new(Code::InvalidScope, "no scope was asked for"));
    }
    let scopes: Vec<String> = scope.split(' ').map(str::to_owned).collect();
    if scopes.iter().any(String::is_empty) {
        return Err(Refusal::new(
            Code::InvalidScope,
            "scope has an empty item: separate scopes with single spaces",
        ));
    }
    Ok(scopes)
}

/// `resource`: a non-empty string, or a non-empty array of them.
pub(crate) fn resource(value: Value) -> Result<Value, Refusal> {
    let bad = || Refusal::request("resource must be a non-empty string or an array of them");
    match &value {
        Value::String(s) if !s.is_empty() => Ok(value),
        Value::Array(list)
            if !list.is_empty()
                && list
                    .iter()
                    .all(|v| v.as_str().is_some_and(|s| !s.is_empty())) =>
        {
            Ok(value)
        }
        _ => Err(bad()),
    }
}

/// `consumer_org`: an organisation number.
pub(crate) fn consumer_org(value: &Value) -> Result<String, Refusal> {
    match value.as_str() {
        Some(orgno) if is_orgno(orgno) => Ok(orgno.to_owned()),
        _ => Err(Refusal::request(format!(
            "consumer_org {value} is not an organisation number (nine digits)"
        ))),
    }
}

/// `authorization_details` (RFC 9396): an array holding one entry of type
/// `urn:altinn:systemuser` with `systemuser_org` `{"authority", "ID":
/// "0192:<orgno>"}` (Altinn also writes the key `id`), and optionally
/// `systemuser_id`.
pub(crate) fn system_user(details: &Value) -> Result<SystemUser, Refusal> {
    let bad = |what: &str| Refusal::request(format!("authorization_details: {what}"));
    let entries = details
        .as_array()
        .filter(|list| !list.is_empty())
        .ok_or_else(|| bad("must be a non-empty array"))?;
    if entries.len() != 1 {
        return Err(bad("must hold exactly one entry"));
    }
    let entry = &entries[0];
    match entry.get("type").and_then(Value::as_str) {
        Some(SYSTEM_USER) => {}
        Some(other) => {
            return Err(bad(&format!(
                "type `{other}` is not one the stand-in knows ({SYSTEM_USER})"
            )));
        }
        None => return Err(bad("the entry has no type")),
    }
    let org = entry
        .get("systemuser_org")
        .ok_or_else(|| bad("the entry has no systemuser_org"))?;
    let id = org
        .get("ID")
        .or_else(|| org.get("id"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let orgno = id
        .strip_prefix("0192:")
        .filter(|orgno| is_orgno(orgno))
        .ok_or_else(|| bad("systemuser_org.ID must be `0192:` and nine digits"))?;
    let ids = match entry.get("systemuser_id") {
        None => None,
        Some(Value::Array(list)) if !list.is_empty() => Some(
            list.iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad("systemuser_id must be a list of strings"))?,
        ),
        Some(_) => return Err(bad("systemuser_id must be a list of strings")),
    };
    Ok(SystemUser {
        orgno: orgno.to_owned(),
        ids,
    })
}

/// A registered client may ask only for its scopes.
pub(crate) fn check_scopes(ask: &Ask, client: Option<&Registered>) -> Result<(), Refusal> {
    let Some(client) = client else { return Ok(()) };
    match ask
        .scopes
        .iter()
        .find(|scope| !client.client.scopes.contains(scope))
    {
        Some(scope) => Err(Refusal::new(
            Code::InvalidScope,
            format!(
                "client `{}` may not ask for scope `{scope}`",
                client.client.client_id
            ),
        )),
        None => Ok(()),
    }
}

/// A made-up system-user id, the same for a client and organisation on
/// every request: a UUID (RFC 9562, version 8) from a SHA-256 of both.
fn made_up_id(client_id: &str, orgno: &str) -> String {
    let hash = digest::digest(&digest::SHA256, format!("{client_id}\n{orgno}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash.as_ref()[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

impl Minter<'_> {
    /// The access token and its lifetime in seconds.
    pub(crate) fn mint(&self, ask: &Ask, client: Option<&Registered>) -> (String, u64) {
        let own_org = client.map_or(self.default_consumer, |c| c.client.orgno.as_str());
        let seconds = self.lifetime.as_secs().clamp(1, i64::MAX as u64 / 4);
        let mut token = TokenBuilder::new(self.issuer, self.key.clone())
            .client_id(&ask.client_id)
            .claim("client_amr", json!(ask.client_amr))
            .expires_in(seconds as i64)
            .consumer(own_org);
        for scope in &ask.scopes {
            token = token.scope(scope);
        }
        if let Some(orgno) = &ask.consumer_org {
            token = token.consumer(orgno).supplier(own_org);
        }
        if let Some(resource) = &ask.resource {
            token = token.claim("aud", resource.clone());
        }
        if let Some(user) = &ask.system_user {
            let ids = user
                .ids
                .clone()
                .unwrap_or_else(|| vec![made_up_id(&ask.client_id, &user.orgno)]);
            let system_id = client
                .and_then(|c| c.client.system_id.clone())
                .unwrap_or_else(|| format!("{own_org}_{}", ask.client_id));
            token = token.authorization_details(json!([{
                "type": SYSTEM_USER,
                "systemuser_org": organisation(&user.orgno),
                "systemuser_id": ids,
                "system_id": system_id,
            }]));
        }
        (token.sign(), seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_up_system_user_id_is_a_stable_uuid() {
        let id = made_up_id("client", "123456789");
        assert_eq!(id, made_up_id("client", "123456789"));
        assert_ne!(id, made_up_id("client", "987654321"));
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(&id[14..15], "8");
    }

    #[test]
    fn scope_items_must_be_separated_by_single_spaces() {
        assert_eq!(scopes(Some("a b")).map(|s| s.len()), Ok(2));
        assert_eq!(
            scopes(Some("a  b")).map_err(|r| r.code),
            Err(Code::InvalidScope)
        );
        assert_eq!(scopes(None).map_err(|r| r.code), Err(Code::InvalidScope));
    }
}
