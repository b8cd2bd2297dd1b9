use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use crate::signing_key::{SigningKey, public_key_pem, rsa_encoding, sign_rs256, sign_with};

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

pub(crate) fn organisation(orgno: &str) -> Value {
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

    /// A JWT grant (RFC 7523 §2.1) as a Maskinporten client writes one to
    /// ask for a token: `aud` the issuer identifier `audience`, `iss` the
    /// `client_id`, `iat` now, `exp` a minute later, a fresh `jti`, header
    /// `{"alg":"RS256","kid":<the key's kid>}`, signed with the client's
    /// `key` (<https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant>).
    /// Add `scope`, [`resource`](Self::resource),
    /// [`consumer_org`](Self::consumer_org) or
    /// [`system_user_org`](Self::system_user_org) as the request needs;
    /// [`Issuer::grant`](crate::Issuer::grant) fills in the audience.
    ///
    /// ```
    /// use maskinporten_testing::{SigningKey, TokenBuilder};
    ///
    /// let key = SigningKey::generate("my-key");
    /// let grant = TokenBuilder::grant("https://test.maskinporten.no/", "my-client", key)
    ///     .scope("nav:helse/sykepenger/afp.read")
    ///     .sign();
    /// assert_eq!(grant.split('.').count(), 3);
    /// ```
    pub fn grant(audience: &str, client_id: &str, key: SigningKey) -> TokenBuilder {
        let now = now();
        let mut header = Map::new();
        header.insert("alg".into(), json!("RS256"));
        header.insert("kid".into(), json!(key.kid()));
        let mut claims = Map::new();
        claims.insert("aud".into(), json!(audience));
        claims.insert("iss".into(), json!(client_id));
        claims.insert("iat".into(), json!(now));
        claims.insert("exp".into(), json!(now + 60));
        claims.insert(
            "jti".into(),
            json!(format!(
                "grant-{}-{}",
                std::process::id(),
                NEXT_JTI.fetch_add(1, Ordering::Relaxed)
            )),
        );
        TokenBuilder {
            key,
            header,
            claims,
            scopes: Vec::new(),
        }
    }

    /// Adds an audience to a grant's `resource` (an array of strings): the
    /// token is then restricted to it, its `aud` that value.
    pub fn resource(mut self, audience: &str) -> Self {
        let resources = self.claims.entry("resource").or_insert_with(|| json!([]));
        match resources {
            Value::Array(list) => list.push(json!(audience)),
            other => *other = json!([audience]),
        }
        self
    }

    /// A grant's `consumer_org`: ask for a token delegated by that
    /// organisation, whose `consumer` it is, with the client's own
    /// organisation as `supplier`.
    pub fn consumer_org(self, orgno: &str) -> Self {
        self.claim("consumer_org", json!(orgno))
    }

    /// A grant's `authorization_details` asking for a token as the Altinn
    /// system user of organisation `orgno`: one entry of type
    /// `urn:altinn:systemuser` with `systemuser_org`, as a system vendor's
    /// client writes it (docs.altinn.studio, "Using System User").
    pub fn system_user_org(self, orgno: &str) -> Self {
        self.authorization_details(json!([{
            "type": "urn:altinn:systemuser",
            "systemuser_org": organisation(orgno),
        }]))
    }

    /// The header's `alg`, and the signature to match: `RS256` (the
    /// default), `RS384` or `RS512`. Any other value is written into the
    /// header while the token is still signed RS256, a forgery.
    pub fn algorithm(self, alg: &str) -> Self {
        self.header("alg", json!(alg))
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

    /// `aud` as an array, as in a token restricted to several audiences.
    pub fn audiences(self, audiences: &[&str]) -> Self {
        self.claim("aud", json!(audiences))
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

    /// The token, signed with the key: RS384 or RS512 when the header's
    /// `alg` says so, else RS256.
    pub fn sign(&self) -> String {
        let header = Value::Object(self.header.clone()).to_string();
        let input = Self::signing_input(&header, &self.claims_json());
        match self
            .header
            .get("alg")
            .and_then(Value::as_str)
            .and_then(rsa_encoding)
        {
            Some(encoding) => sign_with(&self.key, encoding, &input),
            None => sign_rs256(&self.key, &input),
        }
    }

    /// Signs header and claims given as raw JSON text, RS256, for what a
    /// builder cannot express (duplicate member names, odd types).
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
