use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use figment::Figment;
use serde_json::{json, Value};

use super::server::{Answer, Fault, Faults, Handler, Request, Server};
use super::token::TokenBuilder;

/// An RSA signing key with its `kid`.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    pair: Arc<RsaKeyPair>,
}

impl SigningKey {
    /// A fresh 2048-bit RSA key.
    ///
    /// # Panics
    /// If the machine cannot generate a key: a test cannot go on without one.
    pub fn generate(kid: &str) -> SigningKey {
        // Test kit only, no network input: fails only if aws-lc cannot make keys.
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        SigningKey {
            kid: kid.to_owned(),
            pair: Arc::new(pair),
        }
    }

    /// The key's `kid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub(super) fn pair(&self) -> &RsaKeyPair {
        &self.pair
    }

    /// The public key as a JWK, as Maskinporten publishes it.
    pub fn jwk(&self) -> Value {
        let public = self.pair.public_key();
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
        })
    }
}

pub(super) struct State {
    /// Published keys; the first signs new tokens.
    keys: Mutex<Vec<SigningKey>>,
    faults: Faults,
    jwks_requests: AtomicUsize,
    metadata_requests: AtomicUsize,
    issuer: OnceLock<String>,
}

impl State {
    pub(super) fn keys(&self) -> MutexGuard<'_, Vec<SigningKey>> {
        // A test that panicked while holding the lock already failed; the
        // data inside is still a valid list of keys.
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn issuer(&self) -> &str {
        self.issuer.get().map_or("", String::as_str)
    }
}

/// A stand-in Maskinporten on `127.0.0.1:<random port>`: RFC 8414 metadata at
/// `/.well-known/oauth-authorization-server`, the JWKS at `/jwks`, a fresh RSA
/// key, request counters, key rotation and failure modes.
///
/// ```
/// # fn main() { rocket::execute(async {
/// use maskinporten_rocket::testing::Issuer;
///
/// let issuer = Issuer::start().await;
/// let token = issuer.token().scope("nav:helse/sykepenger/afp.read").sign();
/// assert_eq!(token.split('.').count(), 3);
/// assert!(issuer.issuer().starts_with("http://127.0.0.1:"));
/// # }) }
/// ```
pub struct Issuer {
    pub(super) state: Arc<State>,
    server: Server,
}

impl Issuer {
    /// Starts the stand-in with one key, `kid` `key-1`.
    ///
    /// # Panics
    /// If no port on 127.0.0.1 can be bound.
    pub async fn start() -> Issuer {
        let state = Arc::new(State {
            keys: Mutex::new(vec![SigningKey::generate("key-1")]),
            faults: Faults::new(),
            jwks_requests: AtomicUsize::new(0),
            metadata_requests: AtomicUsize::new(0),
            issuer: OnceLock::new(),
        });
        let shared = state.clone();
        let handler: Handler = Arc::new(move |request: Request| {
            let state = shared.clone();
            Box::pin(async move { answer(&state, request).await })
        });
        // Test kit only, no network input: fails only if no loopback port is free.
        let server = Server::start(handler).await.expect("bind 127.0.0.1:0");
        // The identifier names the port, known only once bound; no request
        // can arrive before the test has the address.
        let _ = state.issuer.set(format!("http://{}/", server.addr()));
        Issuer { state, server }
    }

    /// The issuer identifier, `http://127.0.0.1:<port>/` (with the trailing
    /// slash, as Maskinporten's).
    pub fn issuer(&self) -> &str {
        self.state.issuer()
    }

    /// The metadata document's URL.
    pub fn well_known_url(&self) -> String {
        format!(
            "http://{}/.well-known/oauth-authorization-server",
            self.server.addr()
        )
    }

    /// The JWKS URL.
    pub fn jwks_uri(&self) -> String {
        format!("http://{}/jwks", self.server.addr())
    }

    /// A Rocket configuration that points the fairing at this issuer through
    /// its metadata document, as `MASKINPORTEN_WELL_KNOWN_URL` does on NAIS.
    /// Merge more `maskinporten.*` keys into it as a test needs.
    pub fn figment(&self) -> Figment {
        Figment::from(rocket::Config::debug_default())
            .merge(("log_level", "critical"))
            .merge(("maskinporten.well_known_url", self.well_known_url()))
    }

    /// A token builder signing with the current key, with Maskinporten's
    /// claims filled in (see [`TokenBuilder`]).
    pub fn token(&self) -> TokenBuilder {
        TokenBuilder::new(self.issuer(), self.current_key())
    }

    /// The key that signs new tokens.
    pub fn current_key(&self) -> SigningKey {
        self.state.keys()[0].clone()
    }

    /// Publishes a new key beside the old ones and signs with it from now on;
    /// returns it. The old keys stay published until [`Issuer::retire_old_keys`].
    pub fn rotate(&self, kid: &str) -> SigningKey {
        let key = SigningKey::generate(kid);
        self.state.keys().insert(0, key.clone());
        key
    }

    /// Stops publishing every key but the current one.
    pub fn retire_old_keys(&self) {
        self.state.keys().truncate(1);
    }

    /// From now on, answer every request with this HTTP status.
    pub fn fail_with(&self, status: u16) {
        self.state.faults.set(Fault::Status(status));
    }

    /// From now on, answer every request with a body that is not JSON.
    pub fn answer_garbage(&self) {
        self.state.faults.set(Fault::Garbage);
    }

    /// From now on, answer every request 200 with this JSON (a JWKS without
    /// usable keys, say).
    pub fn answer_json(&self, body: &Value) {
        self.state.faults.set(Fault::Json(body.to_string()));
    }

    /// From now on, wait this long before answering each request.
    pub fn stall(&self, delay: Duration) {
        self.state.faults.set(Fault::Stall(delay));
    }

    /// Answer normally again.
    pub fn recover(&self) {
        self.state.faults.set(Fault::None);
    }

    /// How many times the JWKS was requested.
    pub fn jwks_requests(&self) -> usize {
        self.state.jwks_requests.load(Ordering::SeqCst)
    }

    /// How many times the metadata document was requested.
    pub fn metadata_requests(&self) -> usize {
        self.state.metadata_requests.load(Ordering::SeqCst)
    }
}

async fn answer(state: &State, request: Request) -> Answer {
    match request.path.as_str() {
        "/jwks" => state.jwks_requests.fetch_add(1, Ordering::SeqCst),
        "/.well-known/oauth-authorization-server" => {
            state.metadata_requests.fetch_add(1, Ordering::SeqCst)
        }
        _ => return Answer::status(404, "not found"),
    };
    if let Some(fault) = state.faults.apply().await {
        return fault;
    }
    if request.method != "GET" {
        return Answer::status(405, "GET only");
    }
    if request.path == "/jwks" {
        let keys: Vec<Value> = state.keys().iter().map(SigningKey::jwk).collect();
        Answer::json(&json!({ "keys": keys }))
    } else {
        let base = state.issuer().trim_end_matches('/');
        Answer::json(&json!({
            "issuer": state.issuer(),
            "jwks_uri": format!("{base}/jwks"),
            "token_endpoint": format!("{base}/token"),
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "grant_types_supported": ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
        }))
    }
}
