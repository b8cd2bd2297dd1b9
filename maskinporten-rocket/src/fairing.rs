//! The fairing: reads the configuration at ignite, loads the issuer's keys,
//! holds the mounted routes to the configuration's rules, keeps the keys
//! fresh after liftoff, and writes challenges on responses.

use std::sync::{Arc, Mutex};

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::figment::Figment;
use rocket::{Build, Orbit, Request, Response, Rocket};

use crate::audit::{self, AuditError, Rules};
use crate::chain::Chain;
use crate::config::{Config, ConfigError};
use crate::metrics::{Metrics, Trigger};
use crate::request_log::{self, RequestLogError};
use crate::response;
use crate::routes::{self, ScopeMap};
#[cfg(any(feature = "utoipa", feature = "okapi"))]
use crate::validate::TokenUrl;
use crate::validate::{KeyStore, StartError, Validator};

/// Attach this to protect `#[scopes]` handlers and `Claims` guards:
///
/// ```no_run
/// use maskinporten_rocket::Maskinporten;
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     rocket::build().attach(Maskinporten::fairing())
/// }
/// ```
///
/// At ignite it reads the `maskinporten` table (see [`Config`]). An
/// impossible configuration stops ignite with a [`ConfigError`], logged as a
/// message naming the key and its environment variable. In a release build,
/// so does a log that would get bearer tokens: Rocket's `log_level =
/// "debug"`, or a logger that lets Rocket's DEBUG records through, writes
/// every request's headers (the message names the setting that keeps them
/// out; `accept_tokens_in_logs = true` starts anyway, and a debug build
/// only warns). Routes that break the configuration's rules stop it with
/// an [`AuditError`](crate::audit::AuditError). An issuer that is down at
/// start does not: the app launches, protected routes answer 503 with
/// `Retry-After`, and a background task retries until the keys load (unless
/// `require_keys_at_start` is set).
///
/// The mounted routes are held to `deny_unmarked_routes` and
/// `check_manifest` at ignite, and again once every ignite fairing has run:
/// a fairing attached after this one may mount routes of its own. Routes
/// mounted later still (by a fairing that an ignite fairing attaches) are
/// audited at liftoff, where a failure is logged and trips Rocket's
/// shutdown, so a launched server stops instead of serving them.
///
/// With the feature `utoipa` or `okapi`, ignite also resolves the token URL
/// an OpenAPI document gives clients (see the `openapi` module):
/// `token_endpoint`, else the issuer metadata's (read once at ignite when
/// nothing else reads it), else Maskinporten's documented endpoint.
///
/// Without the fairing, a route of a `#[scopes]` handler or with a
/// [`Claims`](crate::Claims) guard could check no token: such a route makes
/// launch fail (a Rocket [`Sentinel`](rocket::Sentinel) abort, logged with
/// the handler's name).
///
/// With the `metrics` feature, the fairing counts every verdict and more
/// (see the README's "Metrics and tracing") in Prometheus's default
/// registry, or in the one given to [`Maskinporten::with_registry`].
pub struct Maskinporten {
    #[cfg(feature = "metrics")]
    registry: Option<prometheus::Registry>,
    _private: (),
}

impl Maskinporten {
    /// The fairing.
    pub fn fairing() -> Maskinporten {
        Maskinporten {
            #[cfg(feature = "metrics")]
            registry: None,
            _private: (),
        }
    }

    /// Registers the library's metrics in `registry` instead of
    /// Prometheus's default registry: the one the app serves at
    /// `/metrics`, beside its own (and `rocket_prometheus`'s, whose
    /// `PrometheusMetrics::with_registry` takes the same registry).
    ///
    /// ```
    /// use maskinporten_rocket::prometheus::{Encoder, Registry, TextEncoder};
    /// use maskinporten_rocket::{public, Maskinporten};
    /// use rocket::State;
    ///
    /// #[public]
    /// #[rocket::get("/metrics")]
    /// fn metrics(registry: &State<Registry>) -> String {
    ///     let mut text = Vec::new();
    ///     let _ = TextEncoder::new().encode(&registry.gather(), &mut text);
    ///     String::from_utf8(text).unwrap_or_default()
    /// }
    ///
    /// let registry = Registry::new();
    /// let rocket = rocket::build()
    ///     .attach(Maskinporten::fairing().with_registry(registry.clone()))
    ///     .manage(registry)
    ///     .mount("/", maskinporten_rocket::routes![metrics]);
    /// ```
    ///
    /// Ignite fails, and says so in the log, if `registry` already holds
    /// metrics of the same names, from another Rocket, say: give each its
    /// own registry.
    #[cfg(feature = "metrics")]
    pub fn with_registry(mut self, registry: prometheus::Registry) -> Maskinporten {
        self.registry = Some(registry);
        self
    }

    /// The collectors, registered where the app asked.
    fn metrics(&self) -> Result<Metrics, IgniteError> {
        #[cfg(feature = "metrics")]
        {
            let metrics = match &self.registry {
                Some(registry) => Metrics::registered(registry),
                None => Metrics::in_default_registry(),
            };
            metrics.map_err(IgniteError::MetricsRegistry)
        }
        #[cfg(not(feature = "metrics"))]
        Ok(Metrics::in_default_registry())
    }
}

#[rocket::async_trait]
impl Fairing for Maskinporten {
    fn info(&self) -> Info {
        Info {
            name: "Maskinporten",
            // Singleton: attached twice, the second replaces the first
            // instead of managing a second Validator (which Rocket refuses).
            kind: Kind::Ignite | Kind::Liftoff | Kind::Response | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let map = routes::scope_map(&rocket);
        let started = match self.metrics() {
            Ok(metrics) => start(rocket.figment(), &map, metrics).await,
            Err(error) => Err(error),
        };
        match started {
            // Rocket runs a fairing attached during ignite after every
            // fairing attached before it began.
            Ok(Started {
                validator,
                rules,
                #[cfg(any(feature = "utoipa", feature = "okapi"))]
                token_url,
            }) => {
                #[cfg(any(feature = "utoipa", feature = "okapi"))]
                let rocket = rocket.manage(token_url);
                Ok(rocket.manage(validator).attach(RouteAudit {
                    rules,
                    audited: Mutex::new(map),
                }))
            }
            Err(error) => {
                tracing::error!(target: "maskinporten", "{error}");
                Err(rocket)
            }
        }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let Some(validator) = rocket.state::<Validator>() else {
            return;
        };
        tracing::info!(target: "maskinporten", "{}", routes::scope_map(rocket));
        if let Some(keys) = validator.key_store() {
            let interval = validator.refresh_interval;
            let keys = Arc::downgrade(keys);
            let shutdown = rocket.shutdown();
            rocket::tokio::spawn(async move {
                rocket::tokio::select! {
                    _ = keep_fresh(keys, interval) => {}
                    _ = shutdown => {}
                }
            });
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let realm = || {
            request
                .rocket()
                .state::<Validator>()
                .and_then(|v| v.realm.as_deref())
        };
        response::write_challenge(request, response, realm);
        #[cfg(feature = "metrics")]
        count_verdict(request);
    }
}

/// Counts the verdict of a request that reached a guard of ours, once, as
/// its response leaves, under the name of the route that answered: a
/// name from the mounted routes, never anything the request holds.
#[cfg(feature = "metrics")]
fn count_verdict(request: &Request<'_>) {
    let Some(validator) = request.rocket().state::<Validator>() else {
        return;
    };
    if let Some(verdict) = crate::verdict::Verdict::of(request) {
        let route = request
            .route()
            .and_then(|route| route.name.as_deref())
            .unwrap_or("unnamed");
        validator.metrics.verdict(route, verdict);
    }
}

/// What ignite hands Rocket.
struct Started {
    validator: Validator,
    rules: Rules,
    /// The OpenAPI document's `tokenUrl`, for `openapi::Security`.
    #[cfg(any(feature = "utoipa", feature = "okapi"))]
    token_url: TokenUrl,
}

/// Everything ignite does: reads and checks the configuration, asks
/// whether Rocket's request lines would put tokens in the log, holds the
/// routes to what the configuration asks of them, builds the validator,
/// loads the keys and, with an OpenAPI feature, resolves the token URL.
async fn start(
    figment: &Figment,
    map: &ScopeMap,
    metrics: Metrics,
) -> Result<Started, IgniteError> {
    let config = Config::from_figment(figment)?;
    if let Some(warning) = request_log::check(figment, config.accept_tokens_in_logs)? {
        tracing::warn!(target: "maskinporten", "{warning}");
    }
    let settings = config.settings()?;
    let rules = Rules::of(&config)?;
    audit::check(map, &rules)?;
    let validator = Validator::new(&settings, metrics)?;
    if let Some(keys) = validator.key_store() {
        let loaded = keys.refresh(Trigger::Start).await;
        if !loaded && settings.require_keys_at_start {
            return Err(StartError::KeysUnavailable.into());
        }
        if !loaded {
            tracing::warn!(target: "maskinporten",
                "starting without the issuer's keys: protected routes answer 503 until they load");
        }
    }
    // After the keys' first load, whose metadata it may take. Never a
    // refusal here: only an app that serves a document needs it, and
    // `Security`'s sentinel refuses for that app.
    #[cfg(any(feature = "utoipa", feature = "okapi"))]
    let token_url = TokenUrl::resolve(&settings, &validator).await;
    Ok(Started {
        validator,
        rules,
        #[cfg(any(feature = "utoipa", feature = "okapi"))]
        token_url,
    })
}

/// Why ignite stops: the error of whichever part refused, each of its own
/// type, logged whole.
#[derive(Debug)]
enum IgniteError {
    Config(ConfigError),
    RequestLog(RequestLogError),
    Audit(AuditError),
    Validator(StartError),
    /// The `metrics` feature's collectors cannot be registered in the
    /// registry handed to [`Maskinporten::with_registry`] (it holds
    /// metrics of the same names, say from another Rocket).
    #[cfg(feature = "metrics")]
    MetricsRegistry(prometheus::Error),
}

impl From<ConfigError> for IgniteError {
    fn from(error: ConfigError) -> IgniteError {
        IgniteError::Config(error)
    }
}

impl From<RequestLogError> for IgniteError {
    fn from(error: RequestLogError) -> IgniteError {
        IgniteError::RequestLog(error)
    }
}

impl From<AuditError> for IgniteError {
    fn from(error: AuditError) -> IgniteError {
        IgniteError::Audit(error)
    }
}

impl From<StartError> for IgniteError {
    fn from(error: StartError) -> IgniteError {
        IgniteError::Validator(error)
    }
}

impl std::fmt::Display for IgniteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IgniteError::Config(e) => write!(f, "{}", Chain(e)),
            IgniteError::RequestLog(e) => write!(f, "{}", Chain(e)),
            IgniteError::Audit(e) => write!(f, "{}", Chain(e)),
            IgniteError::Validator(e) => write!(f, "{}", Chain(e)),
            #[cfg(feature = "metrics")]
            IgniteError::MetricsRegistry(e) => write!(
                f,
                "cannot register the Maskinporten metrics in the registry handed to the \
                 fairing: {e}"
            ),
        }
    }
}

/// Audits the routes again wherever they may have changed since the
/// fairing's ignite: after the other ignite fairings, and at liftoff.
struct RouteAudit {
    rules: Rules,
    /// The routes as last audited; the same routes need no second audit
    /// (nor a second round of the manifest check's warnings).
    audited: Mutex<ScopeMap>,
}

impl RouteAudit {
    /// Audits `map` unless it is the one audited last.
    fn audit<P: rocket::Phase>(&self, rocket: &Rocket<P>) -> Result<(), AuditError> {
        let map = routes::scope_map(rocket);
        let mut audited = self.audited.lock().unwrap_or_else(|e| e.into_inner());
        if *audited == map {
            return Ok(());
        }
        audit::check(&map, &self.rules)?;
        *audited = map;
        Ok(())
    }
}

#[rocket::async_trait]
impl Fairing for RouteAudit {
    fn info(&self) -> Info {
        Info {
            name: "Maskinporten route audit",
            kind: Kind::Ignite | Kind::Liftoff,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        match self.audit(&rocket) {
            Ok(()) => Ok(rocket),
            Err(error) => {
                tracing::error!(target: "maskinporten", "{}", Chain(&error));
                Err(rocket)
            }
        }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        if let Err(error) = self.audit(rocket) {
            tracing::error!(target: "maskinporten", "{}; shutting down", Chain(&error));
            rocket.shutdown().notify();
            return;
        }
        if !self.rules.deny_unmarked_routes {
            // Said once, at liftoff: the switch that allows these routes is
            // the unsafe choice, and each route it opens is named.
            for route in routes::scope_map(rocket).unmarked() {
                tracing::warn!(target: "maskinporten",
                    "{route} answers anyone without a token: it has neither #[scopes] nor \
                     #[public] nor a public_routes entry, and deny_unmarked_routes = false \
                     lets it be served");
            }
        }
    }
}

/// Refreshes metadata and keys every `interval`, and sooner (with a doubling
/// backoff) while they fail to load. Ends when the validator is dropped.
async fn keep_fresh(keys: std::sync::Weak<KeyStore>, interval: std::time::Duration) {
    loop {
        let wait = match keys.upgrade() {
            Some(keys) => keys.next_refresh_in(interval).await,
            None => return,
        };
        rocket::tokio::time::sleep(wait).await;
        match keys.upgrade() {
            Some(keys) => {
                keys.refresh(Trigger::Interval).await;
            }
            None => return,
        }
    }
}
