use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use figment::Figment;
use figment::providers::Serialized;
use serde_json::{Value, json};

use crate::server::{Answer, Fault, Faults, Handler, Request, Server};
use crate::signing_key::SigningKey;
use crate::token::TokenBuilder;

pub(crate) struct State {
    /// Published keys; the first signs new tokens.
    keys: Mutex<Vec<SigningKey>>,
    faults: Faults,
    jwks_requests: AtomicUsize,
    metadata_requests: AtomicUsize,
    issuer: OnceLock<String>,
}

impl State {
    pub(crate) fn keys(&self) -> MutexGuard<'_, Vec<SigningKey>> {
        // A test that panicked while holding the lock already failed; the
        // data inside is still a valid list of keys.
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn issuer(&self) -> &str {
        self.issuer.get().map_or("", String::as_str)
    }
}

/// A stand-in Maskinporten on `127.0.0.1:<random port>`: RFC 8414 metadata at
/// `/.well-known/oauth-authorization-server`, the JWKS at `/jwks`, a fresh RSA
/// key, request counters, key rotation and failure modes.
///
/// ```
/// # fn main() { rocket::execute(async {
/// use maskinporten_testing::Issuer;
///
/// let issuer = Issuer::start().await;
/// let token = issuer.token().scope("nav:helse/sykepenger/afp.read").sign();
/// assert_eq!(token.split('.').count(), 3);
/// assert!(issuer.issuer().starts_with("http://127.0.0.1:"));
/// # }) }
/// ```
pub struct Issuer {
    pub(crate) state: Arc<State>,
    server: Server,
}

impl Issuer {
    /// Starts the stand-in on a free port of 127.0.0.1 with one key, `kid`
    /// `key-1`.
    ///
    /// # Panics
    /// If no port on 127.0.0.1 can be bound: a test cannot go on without one.
    pub async fn start() -> Issuer {
        // Test kit only, no network input: fails only if no loopback port is free.
        Issuer::start_on(0).await.expect("bind 127.0.0.1:0")
    }

    /// Starts the stand-in on `127.0.0.1:port` (0: any free port), for a
    /// run whose address must be known in advance, as the
    /// `maskinporten-stand-in` program's `--port`.
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> { rocket::execute(async {
    /// use maskinporten_testing::Issuer;
    ///
    /// let issuer = Issuer::start_on(0).await?;
    /// assert!(issuer.issuer().starts_with("http://127.0.0.1:"));
    ///
    /// // The port is taken now: a second stand-in on it is an error.
    /// let port = issuer.port();
    /// let taken = Issuer::start_on(port).await.err().map(|e| e.kind());
    /// assert_eq!(taken, Some(std::io::ErrorKind::AddrInUse));
    /// # Ok(()) }) }
    /// ```
    ///
    /// # Errors
    /// The port cannot be bound: in use, or privileged.
    pub async fn start_on(port: u16) -> std::io::Result<Issuer> {
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
        let server = Server::start(port, handler).await?;
        // The identifier names the port, known only once bound; no request
        // can arrive before the caller has the address.
        let _ = state.issuer.set(format!("http://{}/", server.addr()));
        Ok(Issuer { state, server })
    }

    /// The issuer identifier, `http://127.0.0.1:<port>/` (with the trailing
    /// slash, as Maskinporten's).
    pub fn issuer(&self) -> &str {
        self.state.issuer()
    }

    /// The port the stand-in listens on.
    pub fn port(&self) -> u16 {
        self.server.addr().port()
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

    /// The variables NAIS sets for an app with Maskinporten enabled, with
    /// this stand-in's values: `MASKINPORTEN_ISSUER`,
    /// `MASKINPORTEN_JWKS_URI` and `MASKINPORTEN_WELL_KNOWN_URL`
    /// (<https://docs.nais.io/auth/maskinporten/reference/>). An API started
    /// with them trusts this stand-in, with no code of its own for it.
    ///
    /// ```
    /// # fn main() { rocket::execute(async {
    /// let issuer = maskinporten_testing::Issuer::start().await;
    /// let variables = issuer.nais_variables();
    /// assert_eq!(variables[0], ("MASKINPORTEN_ISSUER", issuer.issuer().to_owned()));
    /// # }) }
    /// ```
    pub fn nais_variables(&self) -> [(&'static str, String); 3] {
        [
            ("MASKINPORTEN_ISSUER", self.issuer().to_owned()),
            ("MASKINPORTEN_JWKS_URI", self.jwks_uri()),
            ("MASKINPORTEN_WELL_KNOWN_URL", self.well_known_url()),
        ]
    }

    /// `figment` with the fairing pointed at this stand-in and nothing
    /// else changed: the app's own realm, audience, `deny_unmarked_routes`
    /// and every other setting stay as its `Rocket.toml` and `ROCKET_*`
    /// variables say.
    ///
    /// It sets `maskinporten.validation = "jwks"` and
    /// `maskinporten.well_known_url` to this stand-in's metadata document,
    /// and empties `issuer` and `jwks_uri` (an empty value counts as unset),
    /// so the fairing discovers both from the stand-in, as with
    /// `MASKINPORTEN_WELL_KNOWN_URL` alone: no issuer or key source from the
    /// app's configuration or from NAIS variables in the shell can mix with
    /// it. It also sets `override_nais`, since winning over those variables
    /// is the point here. The keys go into Figment's global profile, over every profile the
    /// app has; a test's own `.merge(("maskinporten.key", value))` made
    /// afterwards still wins, since tuples merge into the global profile too.
    ///
    /// ```
    /// # fn main() { rocket::execute(async {
    /// use maskinporten_testing::Issuer;
    ///
    /// let issuer = Issuer::start().await;
    /// let app = rocket::Config::figment().merge(("maskinporten.realm", "afp"));
    /// let figment = issuer.configure(app);
    /// let setting = |key: &str| figment.extract_inner::<String>(key).ok();
    /// assert_eq!(setting("maskinporten.realm").as_deref(), Some("afp"));
    /// assert_eq!(setting("maskinporten.well_known_url"), Some(issuer.well_known_url()));
    /// # }) }
    /// ```
    pub fn configure(&self, figment: Figment) -> Figment {
        figment
            .merge(Serialized::global("maskinporten.validation", "jwks"))
            .merge(Serialized::global(
                "maskinporten.well_known_url",
                self.well_known_url(),
            ))
            .merge(Serialized::global("maskinporten.issuer", ""))
            .merge(Serialized::global("maskinporten.jwks_uri", ""))
            .merge(Serialized::global("maskinporten.override_nais", true))
    }

    /// Rocket's own configuration, as the app reads it (`Rocket.toml`,
    /// `ROCKET_*`), pointed at this stand-in: `configure` applied to
    /// `rocket::Config::figment()`. Merge more keys into it as a test needs.
    pub fn figment(&self) -> Figment {
        self.configure(rocket::Config::figment())
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

    /// From now on, wait this long before answering each request (then
    /// answer normally).
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
