use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use crate::signing_key::{SigningKey, public_key_pem, sign_rs256};

/// Builds tokens shaped like Maskinporten's access tokens
/// (<https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_token>),
/// and forgeries of them.
///
/// Defaults: `iss` is the stand-in issuer, `consumer` is organisation
/// `123456789`, `client_id` and `jti` are set, `iat` is now and `exp` two
/// minutes later, no `scope`, no `aud`, header `{"alg":"RS256","kid":…}`.
///
/// ```
/// # fn main() { rocket::execute(async {
/// use maskinporten_testing::Issuer;
///
/// let issuer = Issuer::start().await;
/// let expired = issuer.token().scope("nav:helse/sykepenger/afp.read").expires_in(-60).sign();
/// let forged = issuer.token().scope("nav:helse/sykepenger/afp.read").unsigned_with_alg("none");
/// # let _ = (expired, forged);
/// # }) }
/// ```
#[derive(Clone)]
pub struct TokenBuilder {
    key: SigningKey,
    header: Map<String, Value>,
    claims: Map<String, Value>,
    scopes: Vec<String>,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn organisation(orgno: &str) -> Value {
    json!({ "authority": "iso6523-actorid-upis", "ID": format!("0192:{orgno}") })
}

static NEXT_JTI: AtomicU64 = AtomicU64::new(1);

impl TokenBuilder {
    pub(crate) fn new(issuer: &str, key: SigningKey) -> TokenBuilder {
        let now = now();
        let mut header = Map::new();
        header.insert("alg".into(), json!("RS256"));
        header.insert("kid".into(), json!(key.kid()));
        let claims = json!({
            "iss": issuer,
            "client_amr": "private_key_jwt",
            "token_type": "Bearer",
            "client_id": "test-client",
            "consumer": organisation("123456789"),
            "iat": now,
            "exp": now + 120,
            "jti": format!("jti-{}", NEXT_JTI.fetch_add(1, Ordering::Relaxed)),
        });
        let Value::Object(claims) = claims else {
            unreachable!("json! of an object literal is an object")
        };
        TokenBuilder {
            key,
            header,
            claims,
            scopes: Vec::new(),
        }
    }

    /// Adds a scope to the `scope` claim (space-separated, in order).
    pub fn scope(mut self, scope: &str) -> Self {
        self.scopes.push(scope.to_owned());
        self
    }

    /// The consumer's organisation number (`consumer.ID` = `0192:<orgno>`).
    pub fn consumer(self, orgno: &str) -> Self {
        self.claim("consumer", organisation(orgno))
    }

    /// A `supplier`, as in delegated access.
    pub fn supplier(self, orgno: &str) -> Self {
        self.claim("supplier", organisation(orgno))
    }

    /// An Altinn system user (docs.altinn.studio, "Using System User"): an
    /// `authorization_details` entry of type `urn:altinn:systemuser` for the
    /// organisation `orgno` (written `0192:<orgno>` under the key `ID`),
    /// with the system-user `ids` and the `system_id`. Replaces any
    /// `authorization_details` set before.
    pub fn system_user(self, orgno: &str, ids: &[&str], system_id: &str) -> Self {
        self.authorization_details(json!([{
            "type": "urn:altinn:systemuser",
            "systemuser_org": organisation(orgno),
            "systemuser_id": ids,
            "system_id": system_id,
        }]))
    }

    /// `authorization_details` (RFC 9396) as given, for entries
    /// [`system_user`](Self::system_user) does not write, or malformed ones.
    pub fn authorization_details(self, details: Value) -> Self {
        self.claim("authorization_details", details)
    }

    /// `client_id`.
    pub fn client_id(self, client_id: &str) -> Self {
        self.claim("client_id", json!(client_id))
    }

    /// `aud`, as in an audience-restricted token.
    pub fn audience(self, audience: &str) -> Self {
        self.claim("aud", json!(audience))
    }

    /// `iss`, to forge a token from another issuer.
    pub fn issuer(self, issuer: &str) -> Self {
        self.claim("iss", json!(issuer))
    }

    /// `exp` this many seconds from now (negative: already expired).
    pub fn expires_in(self, seconds: i64) -> Self {
        self.claim("exp", json!(now() + seconds))
    }

    /// `iat` this many seconds from now (positive: issued in the future).
    pub fn issued_in(self, seconds: i64) -> Self {
        self.claim("iat", json!(now() + seconds))
    }

    /// `nbf` this many seconds from now.
    pub fn not_before_in(self, seconds: i64) -> Self {
        self.claim("nbf", json!(now() + seconds))
    }

    /// Sets any claim.
    pub fn claim(mut self, name: &str, value: Value) -> Self {
        self.claims.insert(name.to_owned(), value);
        self
    }

    /// Removes a claim.
    pub fn without_claim(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }

    /// Sets any header parameter (`kid`, `alg`, `jku`, `crit`…).
    pub fn header(mut self, name: &str, value: Value) -> Self {
        self.header.insert(name.to_owned(), value);
        self
    }

    /// The `kid` header, for a token under a key the issuer does not publish.
    pub fn kid(self, kid: &str) -> Self {
        self.header("kid", json!(kid))
    }

    /// Signs with another key while keeping the `kid` header as it is: a
    /// stranger's key under a known `kid`.
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.key = key;
        self
    }

    fn claims_json(&self) -> String {
        let mut claims = self.claims.clone();
        if !self.scopes.is_empty() {
            claims.insert("scope".into(), json!(self.scopes.join(" ")));
        }
        Value::Object(claims).to_string()
    }

    /// `base64url(header) "." base64url(claims)` from raw JSON texts.
    fn signing_input(header: &str, claims: &str) -> String {
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    /// The token, signed RS256 with the key.
    pub fn sign(&self) -> String {
        let header = Value::Object(self.header.clone()).to_string();
        sign_rs256(
            &self.key,
            &Self::signing_input(&header, &self.claims_json()),
        )
    }

    /// Signs header and claims given as raw JSON text, for what a builder
    /// cannot express (duplicate member names, odd types).
    pub fn sign_raw(&self, header_json: &str, claims_json: &str) -> String {
        sign_rs256(&self.key, &Self::signing_input(header_json, claims_json))
    }

    /// Unsigned: the header's `alg` replaced by `alg` (`none`, `None`,
    /// `NONE`…), with an empty signature.
    pub fn unsigned_with_alg(&self, alg: &str) -> String {
        let mut header = self.header.clone();
        header.insert("alg".into(), json!(alg));
        let header = Value::Object(header).to_string();
        format!("{}.", Self::signing_input(&header, &self.claims_json()))
    }

    /// Algorithm confusion: HS256, with the issuer's public key (as PEM) as
    /// the HMAC secret.
    pub fn sign_hs256_with_public_key(&self) -> String {
        let mut header = self.header.clone();
        header.insert("alg".into(), json!("HS256"));
        let input = Self::signing_input(&Value::Object(header).to_string(), &self.claims_json());
        let key = hmac::Key::new(hmac::HMAC_SHA256, public_key_pem(&self.key).as_bytes());
        let tag = hmac::sign(&key, input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
    }
}
