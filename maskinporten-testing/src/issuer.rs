use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use figment::Figment;
use figment::providers::Serialized;
use serde_json::{Value, json};

use crate::clients::Clients;
use crate::server::{Answer, Fault, Faults, Handler, Request, Server};
use crate::signing_key::SigningKey;
use crate::token::TokenBuilder;
use crate::token_endpoint::{self, DEFAULT_TOKEN_LIFETIME, Endpoint, Replays, Settings};

pub(crate) struct State {
    /// Published keys; the first signs new tokens.
    keys: Mutex<Vec<SigningKey>>,
    faults: Faults,
    jwks_requests: AtomicUsize,
    metadata_requests: AtomicUsize,
    token_requests: AtomicUsize,
    issuer: OnceLock<String>,
    endpoint: Mutex<Settings>,
    replays: Replays,
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

    fn endpoint(&self) -> std::sync::MutexGuard<'_, Settings> {
        // As for the keys: the settings inside are valid after a panic.
        self.endpoint.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A stand-in Maskinporten on `127.0.0.1:<random port>`: RFC 8414 metadata at
/// `/.well-known/oauth-authorization-server`, the JWKS at `/jwks`, the token
/// endpoint at `/token`, a fresh RSA key, request counters, key rotation and
/// failure modes.
///
/// The token endpoint answers Maskinporten's JWT grant as Maskinporten does
/// (<https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_token>):
/// the grant's `aud` must be [`Issuer::issuer`], its `iat`/`exp` within
/// Maskinporten's window and lifetime (120 s), its `alg` RS256, RS384 or
/// RS512, with a `kid` or an `x5c` header, and its `jti` new. Without a
/// client registry ([`Issuer::use_clients`]) any client is let in and its
/// grant's signature taken on trust; with one, only registered clients,
/// their signatures checked and their scopes enforced. It also answers the
/// `client_credentials` grant Swagger UI's Authorize button sends, with
/// CORS, which the real Maskinporten does not. Tokens carry the grant's
/// `scope`, `client_id` (its `iss`), `consumer`, and, when asked, `aud`
/// (`resource`), delegation (`consumer_org`) and a system user
/// (`authorization_details`).
///
/// ```
/// # fn main() { rocket::execute(async {
/// use maskinporten_testing::{Issuer, SigningKey};
///
/// let issuer = Issuer::start().await;
/// // A client's own key signs its grant, as with the real Maskinporten.
/// let grant = issuer
///     .grant("my-client", SigningKey::generate("my-key"))
///     .scope("nav:helse/sykepenger/afp.read")
///     .sign();
/// let answer: serde_json::Value = reqwest::Client::new()
///     .post(issuer.token_endpoint())
///     .form(&[
///         ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
///         ("assertion", grant.as_str()),
///     ])
///     .send().await.unwrap()
///     .json().await.unwrap();
/// assert_eq!(answer["token_type"], "Bearer");
/// assert_eq!(answer["scope"], "nav:helse/sykepenger/afp.read");
/// # }) }
/// ```
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
        Issuer::start_with_key(port, SigningKey::generate("key-1")).await
    }

    /// Starts the stand-in on `127.0.0.1:port` (0: any free port), signing
    /// with `key`: a key kept across runs ([`SigningKey::load_or_create`])
    /// keeps earlier tokens valid, as the program's `--key-file` does.
    ///
    /// # Errors
    /// The port cannot be bound: in use, or privileged.
    pub async fn start_with_key(port: u16, key: SigningKey) -> std::io::Result<Issuer> {
        let state = Arc::new(State {
            keys: Mutex::new(vec![key]),
            faults: Faults::new(),
            jwks_requests: AtomicUsize::new(0),
            metadata_requests: AtomicUsize::new(0),
            token_requests: AtomicUsize::new(0),
            issuer: OnceLock::new(),
            endpoint: Mutex::new(Settings {
                lifetime: DEFAULT_TOKEN_LIFETIME,
                default_consumer: crate::stand_in::DEFAULT_CONSUMER.to_owned(),
                clients: None,
            }),
            replays: Replays::default(),
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

    /// The token endpoint's URL, the metadata's `token_endpoint`.
    pub fn token_endpoint(&self) -> String {
        format!("http://{}{}", self.server.addr(), token_endpoint::PATH)
    }

    /// From now on, only these clients get tokens, each under its own key,
    /// scopes and secret (see [`Clients`]); before, any client does.
    ///
    /// ```
    /// # fn main() -> Result<(), maskinporten_testing::ClientsError> { rocket::execute(async {
    /// use maskinporten_testing::{Client, Clients, Issuer};
    ///
    /// let issuer = Issuer::start().await;
    /// issuer.use_clients(Clients::from_clients([
    ///     Client::new("afp-client", "987654321").scope("nav:helse/sykepenger/afp.read"),
    /// ])?);
    /// # Ok(()) }) }
    /// ```
    pub fn use_clients(&self, clients: Clients) {
        self.state.endpoint().clients = Some(clients);
    }

    /// How long the token endpoint's tokens are valid. Defaults to 120
    /// seconds, Maskinporten's default.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.state.endpoint().lifetime = lifetime;
    }

    /// The consumer organisation of tokens the endpoint mints for clients
    /// not in a registry. Defaults to [`DEFAULT_CONSUMER`](crate::DEFAULT_CONSUMER).
    pub fn set_default_consumer(&self, orgno: &str) {
        self.state.endpoint().default_consumer = orgno.to_owned();
    }

    /// A JWT grant from `client_id` for this stand-in, signed with the
    /// client's `key` (see [`TokenBuilder::grant`]), to `POST` to
    /// [`Issuer::token_endpoint`].
    pub fn grant(&self, client_id: &str, key: SigningKey) -> TokenBuilder {
        TokenBuilder::grant(self.issuer(), client_id, key)
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

    /// How many requests reached the token endpoint.
    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }
}

async fn answer(state: &State, request: Request) -> Answer {
    match request.path.as_str() {
        "/jwks" => state.jwks_requests.fetch_add(1, Ordering::SeqCst),
        "/.well-known/oauth-authorization-server" => {
            state.metadata_requests.fetch_add(1, Ordering::SeqCst)
        }
        token_endpoint::PATH => state.token_requests.fetch_add(1, Ordering::SeqCst),
        _ => return Answer::status(404, "not found"),
    };
    if let Some(fault) = state.faults.apply().await {
        return fault;
    }
    if request.path == token_endpoint::PATH {
        let endpoint = Endpoint {
            issuer: state.issuer(),
            key: state.keys()[0].clone(),
            settings: state.endpoint().clone(),
            replays: &state.replays,
        };
        return endpoint.answer(&request);
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
            "token_endpoint_auth_methods_supported":
                ["private_key_jwt", "client_secret_basic", "client_secret_post"],
            "grant_types_supported": [token_endpoint::JWT_BEARER, "client_credentials"],
        }))
    }
}
