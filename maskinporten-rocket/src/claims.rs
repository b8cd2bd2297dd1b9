//! The verified claims of a Maskinporten token, typed: the registered claims
//! of RFC 7519 §4.1 and those Digdir documents for Maskinporten's access
//! tokens (docs.digdir.no, Maskinporten, "Access token": `scope`,
//! `client_id`, `consumer`, `supplier`).
//!
//! Built from the payload of a locally verified JWT or from a Texas answer,
//! so both validators hand handlers the same type. Cheap to clone: the verdict
//! cache and every guard share one allocation.
//!
//! A verified payload is read once, into the typed claims; every other
//! member is skipped, not stored. [`Claims::raw`] builds the map of every
//! claim from the payload's bytes on first use, so a verdict-cache entry
//! holds the typed claims and one buffer, not a map of values.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::MapAccess;
use serde_json::{Map, Value};

use crate::json::{self, Members};
use crate::scope;
use crate::token_error::TokenError;

mod system_user;

pub use crate::token_error::{SystemUserError, SystemUserErrorKind};
pub use system_user::SystemUser;

/// The claims of a verified token. Take it as a handler parameter to read who
/// is calling:
///
/// ```
/// use maskinporten_rocket::{scopes, Claims};
/// use rocket::get;
///
/// #[scopes("nav:helse/sykepenger/afp.read")]
/// #[get("/afp")]
/// fn afp(claims: Claims) -> String {
///     format!("hello {}", claims.consumer_orgno().unwrap_or("unknown"))
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Claims(Arc<Inner>);

struct Inner {
    issuer: String,
    scope: String,
    client_id: Option<String>,
    consumer: Option<Organisation>,
    supplier: Option<Organisation>,
    jti: Option<String>,
    expires_at: i64,
    issued_at: Option<i64>,
    not_before: Option<i64>,
    audience: Vec<String>,
    /// Read when the token is, kept with its error: only routes that ask
    /// for a system user refuse a token whose entry is malformed.
    system_user: Result<Option<SystemUser>, SystemUserError>,
    /// The verified payload, for [`Claims::raw`]; empty when `raw` was
    /// filled at once (a Texas answer arrives as a map).
    payload: Box<[u8]>,
    raw: OnceLock<Map<String, Value>>,
}

/// Every field but the payload: its claims are the fields above, and the
/// `Debug` of a `Claims` in a log line should not grow with it.
impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("issuer", &self.issuer)
            .field("scope", &self.scope)
            .field("client_id", &self.client_id)
            .field("consumer", &self.consumer)
            .field("supplier", &self.supplier)
            .field("jti", &self.jti)
            .field("expires_at", &self.expires_at)
            .field("issued_at", &self.issued_at)
            .field("not_before", &self.not_before)
            .field("audience", &self.audience)
            .field("system_user", &self.system_user)
            .finish_non_exhaustive()
    }
}

/// The claims we read into typed fields, as found in the token; every other
/// member is skipped.
#[derive(Default)]
struct Fields {
    iss: Option<Value>,
    exp: Option<Value>,
    iat: Option<Value>,
    nbf: Option<Value>,
    scope: Option<Value>,
    client_id: Option<Value>,
    jti: Option<Value>,
    consumer: Option<Value>,
    supplier: Option<Value>,
    aud: Option<Value>,
    authorization_details: Option<Value>,
}

impl Fields {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Value>> {
        Some(match name {
            "iss" => &mut self.iss,
            "exp" => &mut self.exp,
            "iat" => &mut self.iat,
            "nbf" => &mut self.nbf,
            "scope" => &mut self.scope,
            "client_id" => &mut self.client_id,
            "jti" => &mut self.jti,
            "consumer" => &mut self.consumer,
            "supplier" => &mut self.supplier,
            "aud" => &mut self.aud,
            "authorization_details" => &mut self.authorization_details,
            _ => return None,
        })
    }

    fn from_map(map: &Map<String, Value>) -> Fields {
        let mut fields = Fields::default();
        for (name, value) in map {
            if let Some(slot) = fields.slot(name) {
                *slot = Some(value.clone());
            }
        }
        fields
    }
}

impl Members for Fields {
    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        name: &str,
        access: &mut A,
    ) -> Result<(), A::Error> {
        match self.slot(name) {
            Some(slot) => *slot = Some(access.next_value()?),
            None => {
                access.next_value::<json::Skip>()?;
            }
        }
        Ok(())
    }
}

/// An organisation as Maskinporten names it: `{"authority": "iso6523-actorid-upis", "ID": "0192:123456789"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    authority: String,
    id: String,
}

impl Organisation {
    /// The identifier scheme, `iso6523-actorid-upis` in Maskinporten.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The whole identifier, such as `0192:123456789`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The Norwegian organisation number: the part of `ID` after `0192:`.
    pub fn orgno(&self) -> Option<&str> {
        self.id.strip_prefix("0192:")
    }
}

impl Claims {
    /// Reads the claims from a verified token's payload (the decoded
    /// octets), refusing a payload that is not one JSON object with unique
    /// member names, and claims of the wrong type (a string `exp`, a numeric
    /// `scope`).
    pub(crate) fn from_payload(payload: Vec<u8>) -> Result<Claims, TokenError> {
        let fields = json::unique_object::<Fields>(&payload)
            .map_err(|_| TokenError::Malformed("payload"))?;
        Claims::from_fields(fields, payload.into_boxed_slice(), OnceLock::new())
    }

    /// Reads the claims from a JSON object already parsed (a Texas answer),
    /// with the same rules as [`Claims::from_payload`].
    pub(crate) fn from_object(raw: Map<String, Value>) -> Result<Claims, TokenError> {
        let fields = Fields::from_map(&raw);
        Claims::from_fields(fields, Box::default(), OnceLock::from(raw))
    }

    fn from_fields(
        fields: Fields,
        payload: Box<[u8]>,
        raw: OnceLock<Map<String, Value>>,
    ) -> Result<Claims, TokenError> {
        let issuer = required_string(fields.iss, "iss")?;
        let expires_at = numeric_date(fields.exp, "exp")?.ok_or(TokenError::Malformed("no exp"))?;
        let issued_at = numeric_date(fields.iat, "iat")?;
        let not_before = numeric_date(fields.nbf, "nbf")?;
        let scope = optional_string(fields.scope, "scope")?.unwrap_or_default();
        let client_id = optional_string(fields.client_id, "client_id")?;
        let jti = optional_string(fields.jti, "jti")?;
        let consumer = organisation(fields.consumer, "consumer")?;
        let supplier = organisation(fields.supplier, "supplier")?;
        let system_user = system_user::read(fields.authorization_details.as_ref());
        let audience = match fields.aud {
            None => Vec::new(),
            Some(Value::String(aud)) => vec![aud],
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(aud) => Some(aud),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .ok_or(TokenError::Malformed("aud holds a non-string"))?,
            Some(_) => return Err(TokenError::Malformed("aud is neither string nor array")),
        };
        Ok(Claims(Arc::new(Inner {
            issuer,
            scope,
            client_id,
            consumer,
            supplier,
            jti,
            expires_at,
            issued_at,
            not_before,
            audience,
            system_user,
            payload,
            raw,
        })))
    }

    /// Checks `exp`, `nbf` and `iat` against `now` (Unix seconds), allowing
    /// `leeway` seconds of clock skew. Run on every use, cached or not.
    pub(crate) fn check_time(&self, now: i64, leeway: i64) -> Result<(), TokenError> {
        if now >= self.0.expires_at.saturating_add(leeway) {
            return Err(TokenError::Expired);
        }
        let future = |t: Option<i64>| t.is_some_and(|t| t > now.saturating_add(leeway));
        if future(self.0.not_before) || future(self.0.issued_at) {
            return Err(TokenError::NotYetValid);
        }
        Ok(())
    }

    /// `iss`.
    pub fn issuer(&self) -> &str {
        &self.0.issuer
    }

    /// The `scope` claim as sent: scopes separated by spaces.
    pub fn scope(&self) -> &str {
        &self.0.scope
    }

    /// The scopes the token carries, one by one.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        scope::items(&self.0.scope)
    }

    /// Whether the token carries `scope` exactly (not a prefix, not a
    /// substring, not case-folded).
    pub fn has_scope(&self, scope: impl AsRef<str>) -> bool {
        scope::contains_scope(&self.0.scope, scope.as_ref())
    }

    /// `client_id`: the consumer's Maskinporten client.
    pub fn client_id(&self) -> Option<&str> {
        self.0.client_id.as_deref()
    }

    /// `consumer`: the organisation calling.
    pub fn consumer(&self) -> Option<&Organisation> {
        self.0.consumer.as_ref()
    }

    /// The consumer's organisation number, `123456789` from `0192:123456789`.
    pub fn consumer_orgno(&self) -> Option<&str> {
        self.0.consumer.as_ref().and_then(Organisation::orgno)
    }

    /// `supplier`: present only when the consumer delegated access.
    pub fn supplier(&self) -> Option<&Organisation> {
        self.0.supplier.as_ref()
    }

    /// The supplier's organisation number, for delegated access.
    pub fn supplier_orgno(&self) -> Option<&str> {
        self.0.supplier.as_ref().and_then(Organisation::orgno)
    }

    /// Whether the token was issued for delegated access: a `supplier`
    /// (the organisation whose client asked) other than the `consumer`
    /// (the organisation that delegated the scope to it in Altinn).
    pub fn is_delegated(&self) -> bool {
        match (&self.0.supplier, &self.0.consumer) {
            (Some(supplier), Some(consumer)) => supplier.id != consumer.id,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    /// The Altinn system user the token acts as: `Ok(None)` for a token
    /// without one, an error for one whose `authorization_details` cannot
    /// be read (see [`SystemUserErrorKind`]).
    ///
    /// ```
    /// use maskinporten_rocket::{scopes, Claims};
    /// use rocket::http::Status;
    /// use rocket::get;
    ///
    /// #[scopes("nav:helse/sykepenger/afp.read")]
    /// #[get("/afp/system-user")]
    /// fn system_user(claims: Claims) -> Result<String, Status> {
    ///     match claims.system_user() {
    ///         Ok(Some(user)) => Ok(format!("{} via {}", user.orgno(), user.system_id())),
    ///         Ok(None) => Err(Status::Forbidden),
    ///         Err(_) => Err(Status::Forbidden),
    ///     }
    /// }
    /// ```
    pub fn system_user(&self) -> Result<Option<&SystemUser>, &SystemUserError> {
        self.0.system_user.as_ref().map(Option::as_ref)
    }

    /// `jti`: the token's unique id.
    pub fn jti(&self) -> Option<&str> {
        self.0.jti.as_deref()
    }

    /// `exp`, in Unix seconds.
    pub fn expires_at(&self) -> i64 {
        self.0.expires_at
    }

    /// `iat`, in Unix seconds.
    pub fn issued_at(&self) -> Option<i64> {
        self.0.issued_at
    }

    /// `aud`: empty unless the consumer asked for an audience-restricted token.
    pub fn audience(&self) -> &[String] {
        &self.0.audience
    }

    /// Every claim as received, for claims this type does not name. Built
    /// from the token on the first call for this token, then kept.
    pub fn raw(&self) -> &Map<String, Value> {
        self.0.raw.get_or_init(|| {
            // The payload parsed as one object with unique names when the
            // token was verified, so this cannot fail.
            serde_json::from_slice(&self.0.payload).unwrap_or_default()
        })
    }
}

fn optional_string(value: Option<Value>, name: &'static str) -> Result<Option<String>, TokenError> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(TokenError::Malformed(name)),
    }
}

fn required_string(value: Option<Value>, name: &'static str) -> Result<String, TokenError> {
    optional_string(value, name)?.ok_or(TokenError::Malformed(name))
}

/// A NumericDate (RFC 7519 §2): a JSON number of seconds, possibly with a
/// fraction, which we truncate. Strings are refused, not coerced.
fn numeric_date(value: Option<Value>, name: &'static str) -> Result<Option<i64>, TokenError> {
    match value {
        None => Ok(None),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(Some(i)),
            // `as` saturates, so a huge or negative float stays ordered.
            (None, Some(f)) if f.is_finite() => Ok(Some(f as i64)),
            _ => Err(TokenError::Malformed(name)),
        },
        Some(_) => Err(TokenError::Malformed(name)),
    }
}

fn organisation(
    value: Option<Value>,
    name: &'static str,
) -> Result<Option<Organisation>, TokenError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let field = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    match (field("authority"), field("ID")) {
        (Some(authority), Some(id)) => Ok(Some(Organisation { authority, id })),
        _ => Err(TokenError::Malformed(name)),
    }
}

#[cfg(test)]
mod tests;
