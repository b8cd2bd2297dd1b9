//! Turning a bearer token into verified [`Claims`] or a [`Rejection`].
//!
//! One [`Validator`] per Rocket instance, managed by the fairing. The verdict
//! on signature and issuer comes from a backend, named as the configuration's
//! `validation` names it: `jwks` (the issuer's keys, checked in-process) or
//! `texas` (the NAIS sidecar). The checks every backend shares (time,
//! audience) and the verdict cache (`verdicts`) are here; `jws` takes the
//! compact token apart for both.

mod jwks;
mod jws;
mod texas;
#[cfg(any(feature = "utoipa", feature = "okapi"))]
mod token_url;
mod verdicts;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::claims::Claims;
use crate::config::{BackendSettings, Settings};
use crate::http::{Http, Proxy};
#[cfg(any(feature = "metrics", feature = "tracing"))]
use crate::metrics;
use crate::metrics::Metrics;
use crate::rejection::Rejection;
use crate::token_error::TokenError;
use verdicts::VerdictCache;

pub(crate) use jwks::KeyStore;
pub(crate) use jws::MAX_TOKEN_LEN;
#[cfg(any(feature = "utoipa", feature = "okapi"))]
pub(crate) use token_url::TokenUrl;
#[cfg(any(feature = "utoipa", feature = "okapi"))]
pub use token_url::{TokenUrlError, TokenUrlErrorKind};

/// Validates tokens for one Rocket instance. The fairing manages it as
/// state, so a handler can ask it whether keys are loaded:
///
/// ```
/// use maskinporten_rocket::{public, Validator};
/// use rocket::http::Status;
/// use rocket::{get, State};
///
/// // `#[public]`: NAIS probes send no token, and under deny-by-default
/// // (the default) an unmarked route stops ignite.
/// #[public]
/// #[get("/isready")]
/// fn isready(validator: &State<Validator>) -> Status {
///     if validator.is_ready() { Status::Ok } else { Status::ServiceUnavailable }
/// }
/// ```
pub struct Validator {
    backend: Backend,
    verdicts: Option<VerdictCache>,
    audience: Option<String>,
    leeway: i64,
    pub(crate) realm: Option<String>,
    pub(crate) refresh_interval: Duration,
    /// How long a route's check may take (`check_timeout`).
    pub(crate) check_timeout: Duration,
    pub(crate) metrics: Metrics,
}

/// Why the validator cannot start: the validation's own refusals at
/// ignite, which the fairing logs.
#[derive(Debug)]
pub(crate) enum StartError {
    /// The HTTP client for the issuer or Texas cannot be built.
    HttpClient(reqwest::Error),
    /// `require_keys_at_start` is set and the issuer's keys could not be
    /// loaded.
    KeysUnavailable,
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::HttpClient(_) => {
                f.write_str("cannot start the validator: the HTTP client cannot be built")
            }
            StartError::KeysUnavailable => f.write_str(
                "maskinporten.require_keys_at_start: is set, and the issuer's keys could not \
                 be loaded at start",
            ),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::HttpClient(e) => Some(e),
            StartError::KeysUnavailable => None,
        }
    }
}

/// Where verdicts come from: the configuration's `validation`.
enum Backend {
    Jwks(jwks::JwksValidator),
    Texas(texas::TexasValidator),
}

impl Validator {
    pub(crate) fn new(settings: &Settings, metrics: Metrics) -> Result<Validator, StartError> {
        let http = |proxy| Http::new(settings.http_timeout, proxy).map_err(StartError::HttpClient);
        let backend = match &settings.backend {
            BackendSettings::Jwks(sources) => Backend::Jwks(jwks::JwksValidator {
                keys: Arc::new(KeyStore::new(
                    http(Proxy::FromEnvironment)?,
                    sources.clone(),
                    settings.refresh_cooldown,
                    metrics.clone(),
                )),
            }),
            // Texas is a sidecar: a token must never travel through a proxy.
            BackendSettings::Texas { endpoint, body } => Backend::Texas(texas::TexasValidator {
                http: http(Proxy::Never)?,
                endpoint: endpoint.clone(),
                body: *body,
                metrics: metrics.clone(),
            }),
        };
        Ok(Validator {
            backend,
            verdicts: VerdictCache::new(settings.verdict_cache),
            audience: settings.audience.clone(),
            leeway: i64::try_from(settings.leeway).unwrap_or(i64::MAX),
            realm: settings.realm.clone(),
            refresh_interval: settings.refresh_interval,
            check_timeout: settings.check_timeout,
            metrics,
        })
    }

    /// Verifies `token` (the bearer token, without `Bearer `) and returns
    /// its claims. Scopes are not checked here: see [`crate::scope::Requirement`].
    ///
    /// A token with characters outside RFC 6750's `b64token` is refused as
    /// a malformed request, as the guards would refuse its header.
    pub async fn validate(&self, token: &str) -> Result<Claims, Rejection> {
        self.validate_noting_hit(token).await.0
    }

    /// [`Validator::validate`] for a guard of `request`: with the `tracing`
    /// feature, inside a span (`verification`, target `maskinporten`) whose
    /// fields say which route, backend and `kid`, whether the verdict cache
    /// answered and, once the guard has decided, the outcome and reason.
    /// The span lives as long as the request, so that the scope check's
    /// verdict lands in it too. No field holds the token, its claims or its
    /// signature.
    pub(crate) async fn validate_for(
        &self,
        request: &rocket::Request<'_>,
        token: &str,
    ) -> Result<Claims, Rejection> {
        #[cfg(feature = "tracing")]
        {
            use tracing::Instrument;
            use tracing::field::{Empty, debug};

            let span = tracing::debug_span!(target: "maskinporten", "verification",
                route = request.route().and_then(|r| r.name.as_deref()).unwrap_or("unnamed"),
                backend = self.backend_name(),
                kid = Empty, consumer = Empty, cache_hit = Empty, outcome = Empty, reason = Empty);
            // Disabled (no subscriber wants it): no header parsed for the
            // kid, no future wrapped, nothing kept.
            if span.is_disabled() {
                return self.validate(token).await;
            }
            if let Some(kid) = jws::unverified_kid(token) {
                // The sender's string: quoted by `Debug`, and cut short.
                span.record("kid", debug(kid.chars().take(64).collect::<String>()));
            }
            crate::verdict::attach_span(request, span.clone());
            let (result, hit) = self
                .validate_noting_hit(token)
                .instrument(span.clone())
                .await;
            span.record("cache_hit", hit);
            if let Ok(claims) = &result
                && let Some(orgno) = claims.consumer_orgno()
            {
                span.record("consumer", debug(orgno));
            }
            result
        }
        #[cfg(not(feature = "tracing"))]
        {
            let _ = request;
            self.validate(token).await
        }
    }

    /// The verdict on `token`, and whether the verdict cache gave it.
    async fn validate_noting_hit(&self, token: &str) -> (Result<Claims, Rejection>, bool) {
        let Some(cache) = &self.verdicts else {
            return (self.verify_measured(token).await, false);
        };
        // Not a compact JWS at all: nothing to look up, and the
        // verification refuses it.
        let Some(key) = VerdictCache::key(token) else {
            self.metrics.cache_miss();
            return (self.verify_measured(token).await, false);
        };
        if let Some(claims) = cache.get(&key) {
            self.metrics.cache_hit();
            let result = match claims.check_time(now(), self.leeway) {
                Ok(()) => Ok(claims),
                Err(e) => {
                    if cache.remove(&key) {
                        self.metrics.cache_entries(-1);
                    }
                    Err(e.into())
                }
            };
            return (result, true);
        }
        self.metrics.cache_miss();
        let claims = match self.verify_measured(token).await {
            Ok(claims) => claims,
            Err(rejection) => return (Err(rejection), false),
        };
        if cache.insert(&key, claims.clone()) {
            self.metrics.cache_entries(1);
        }
        (Ok(claims), false)
    }

    /// [`Validator::verify`], timed into the `metrics` feature's histogram.
    async fn verify_measured(&self, token: &str) -> Result<Claims, Rejection> {
        #[cfg(feature = "metrics")]
        let started = std::time::Instant::now();
        let result = self.verify(token).await;
        #[cfg(feature = "metrics")]
        self.metrics
            .verification(self.backend_label(), started.elapsed());
        result
    }

    /// The `backend` of metrics and spans.
    #[cfg(any(feature = "metrics", feature = "tracing"))]
    fn backend_label(&self) -> metrics::Backend {
        match &self.backend {
            Backend::Jwks(_) => metrics::Backend::Jwks,
            Backend::Texas(_) => metrics::Backend::Texas,
        }
    }

    #[cfg(feature = "tracing")]
    fn backend_name(&self) -> &'static str {
        self.backend_label().as_str()
    }

    /// The full verification, without the cache.
    async fn verify(&self, token: &str) -> Result<Claims, Rejection> {
        if !is_b64token(token) {
            return Err(Rejection::MalformedRequest(
                "token has characters outside b64token",
            ));
        }
        let claims = match &self.backend {
            Backend::Jwks(jwks) => jwks.verify(token).await?,
            Backend::Texas(texas) => texas.verify(token).await?,
        };
        claims.check_time(now(), self.leeway)?;
        if let Some(audience) = &self.audience
            && !claims.audience().iter().any(|aud| aud == audience)
        {
            return Err(TokenError::WrongAudience.into());
        }
        Ok(claims)
    }

    /// Whether the validator can verify tokens now: for local validation,
    /// whether the issuer's keys are loaded. Use it in `/isready`. Texas is
    /// a sidecar that NAIS starts with the app, so Texas mode is always ready.
    pub fn is_ready(&self) -> bool {
        match &self.backend {
            Backend::Jwks(jwks) => jwks.keys.is_ready(),
            Backend::Texas(_) => true,
        }
    }

    /// The issuer's token endpoint (`token_endpoint` of its RFC 8414
    /// metadata), as of the last successful load of its keys, when the
    /// validator discovers them from the metadata.
    ///
    /// `None` when the validator reads no metadata: in Texas mode (Texas is
    /// asked about tokens, not the issuer), when `issuer` and `jwks_uri`
    /// are both configured (NAIS sets both); and before the keys first
    /// load, and when the metadata names no token endpoint. An OpenAPI
    /// document's `tokenUrl` has more sources, and is never empty (see
    /// `openapi::Security::token_url`, features `utoipa`, `okapi`).
    ///
    /// ```
    /// # fn main() -> Result<(), rocket::Error> { rocket::execute(async {
    /// use maskinporten_rocket::{Maskinporten, Validator};
    /// use maskinporten_testing::Issuer;
    ///
    /// // The stand-in's metadata names `<issuer>/token`.
    /// let issuer = Issuer::start().await;
    /// let rocket = rocket::custom(issuer.figment()).attach(Maskinporten::fairing());
    /// let rocket = rocket.ignite().await?;
    /// // The fairing manages the validator once it has ignited.
    /// let token_endpoint = rocket.state::<Validator>().and_then(Validator::token_endpoint);
    /// let expected = format!("{}/token", issuer.issuer().trim_end_matches('/'));
    /// assert_eq!(token_endpoint, Some(expected));
    /// # Ok(()) }) }
    /// ```
    pub fn token_endpoint(&self) -> Option<String> {
        match &self.backend {
            Backend::Jwks(jwks) => jwks.keys.token_endpoint(),
            Backend::Texas(_) => None,
        }
    }

    /// The key store, for the fairing's initial load and background refresh.
    pub(crate) fn key_store(&self) -> Option<&Arc<KeyStore>> {
        match &self.backend {
            Backend::Jwks(jwks) => Some(&jwks.keys),
            Backend::Texas(_) => None,
        }
    }
}

/// RFC 6750's `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
/// A fold without an early exit, like `jws::is_base64url`, so that it
/// vectorises.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=').as_bytes();
    !body.is_empty()
        && body.iter().fold(true, |all, &b| {
            all & (b.is_ascii_alphanumeric()
                | (b == b'-')
                | (b == b'.')
                | (b == b'_')
                | (b == b'~')
                | (b == b'+')
                | (b == b'/'))
        })
}

fn now() -> i64 {
    // Before 1970 only on a broken clock; every token is then "in the future".
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests;
