//! The stand-in's token endpoint, `POST /token`: Maskinporten's JWT grant
//! (RFC 7523 §2.1) as Maskinporten answers it, and, for Swagger UI's
//! Authorize button, the `client_credentials` grant (RFC 6749 §4.4), which
//! the real Maskinporten does not offer. Answers are RFC 6749 §5.1 JSON,
//! refusals §5.2 JSON, with CORS so a page on an API's origin can call it.

mod access_token;
mod credentials;
mod grant;
mod refusal;
mod replay;

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::clients::{Clients, Registered};
use crate::server::{Answer, Request};
use crate::signing_key::SigningKey;
use access_token::{Ask, Minter};
use refusal::{Code, Refusal};
pub(crate) use replay::Replays;

/// The path the endpoint answers on; the metadata's `token_endpoint`.
pub(crate) const PATH: &str = "/token";

/// The JWT grant's `grant_type` (RFC 7523 §2.1).
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The access tokens' lifetime unless told otherwise: Maskinporten's
/// default, two minutes.
pub(crate) const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(120);

/// How the endpoint mints, changeable while it runs.
#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) lifetime: Duration,
    pub(crate) default_consumer: String,
    pub(crate) clients: Option<Clients>,
}

/// Everything one request is answered with.
pub(crate) struct Endpoint<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) key: SigningKey,
    pub(crate) settings: Settings,
    pub(crate) replays: &'a Replays,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// CORS for a page on another origin (Swagger UI on the API's): the
/// origin echoed, since no cookie is involved any origin may ask.
fn cors(answer: Answer, origin: Option<&str>) -> Answer {
    match origin {
        Some(origin) => answer
            .with_header("access-control-allow-origin", origin)
            .with_header("vary", "Origin"),
        None => answer.with_header("access-control-allow-origin", "*"),
    }
}

impl Endpoint<'_> {
    /// The answer to any request on [`PATH`].
    pub(crate) fn answer(&self, request: &Request) -> Answer {
        let origin = request.origin.as_deref();
        if request.method == hyper::Method::OPTIONS {
            // A CORS preflight (Fetch standard): what the browser may send.
            let mut answer = Answer::status(204, "");
            answer.body.clear();
            return cors(answer, origin)
                .with_header("access-control-allow-methods", "POST, OPTIONS")
                .with_header(
                    "access-control-allow-headers",
                    "Authorization, Content-Type, X-Requested-With",
                )
                .with_header("access-control-max-age", "600");
        }
        if request.method != hyper::Method::POST {
            return cors(
                Answer::status(405, "POST a token request here")
                    .with_header("allow", "POST, OPTIONS"),
                origin,
            );
        }
        let basic = request
            .authorization
            .as_deref()
            .is_some_and(|a| a.len() > 6 && a[..6].eq_ignore_ascii_case("basic "));
        let answer = match self.token(request) {
            Ok(answer) => answer,
            Err(refusal) => refusal.answer(basic),
        };
        cors(answer, origin)
    }

    fn token(&self, request: &Request) -> Result<Answer, Refusal> {
        let media_type = request
            .content_type
            .as_deref()
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase());
        if media_type.as_deref() != Some("application/x-www-form-urlencoded") {
            return Err(Refusal::request(
                "the body must be application/x-www-form-urlencoded",
            ));
        }
        let mut form: HashMap<String, String> = HashMap::new();
        for (name, value) in form_urlencoded::parse(&request.body) {
            // RFC 6749 §3.2: a parameter is sent at most once.
            if form.insert(name.to_string(), value.into_owned()).is_some() {
                return Err(Refusal::request(format!("`{name}` is given twice")));
            }
        }
        let clients = self.settings.clients.as_ref();
        let check = grant::Check {
            issuer: self.issuer,
            now: now(),
            clients,
            replays: self.replays,
        };
        let (ask, client) = match form.get("grant_type").map(String::as_str) {
            Some(JWT_BEARER) => {
                let assertion = form
                    .get("assertion")
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| Refusal::request("the JWT grant needs an `assertion`"))?;
                check.check(assertion)?
            }
            Some(credentials::CLIENT_CREDENTIALS) => {
                credentials::ask(request.authorization.as_deref(), &form, clients)?
            }
            Some(other) => {
                return Err(Refusal::new(
                    Code::UnsupportedGrantType,
                    format!(
                        "grant_type `{other}` is not supported: use {JWT_BEARER} (or client_credentials from Swagger UI)"
                    ),
                ));
            }
            None => return Err(Refusal::request("the request has no grant_type")),
        };
        Ok(self.mint(&ask, client))
    }

    fn mint(&self, ask: &Ask, client: Option<&Registered>) -> Answer {
        let minter = Minter {
            issuer: self.issuer,
            key: self.key.clone(),
            lifetime: self.settings.lifetime,
            default_consumer: &self.settings.default_consumer,
        };
        let (token, expires_in) = minter.mint(ask, client);
        let body: Value = json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "scope": ask.scopes.join(" "),
        });
        // RFC 6749 §5.1: a token answer is never cached.
        Answer::json(&body)
            .with_header("cache-control", "no-store")
            .with_header("pragma", "no-cache")
    }
}
