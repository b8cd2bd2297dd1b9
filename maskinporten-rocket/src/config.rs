//! Configuration: the `maskinporten` table of Rocket's figment, with the NAIS
//! environment variables as defaults (doc.nais.io, Maskinporten reference,
//! "Runtime variables & credentials"; Texas: "Token introspection").
//!
//! Explicit keys win over the environment, and the environment wins over the
//! built-in defaults, so an app on NAIS needs no configuration at all, and a
//! test or a local run can set every key in `Rocket.toml` or in code.
//!
//! Two mistakes that would otherwise pass in silence stop ignite: a
//! top-level `maskinporten_*` key (`ROCKET_MASKINPORTEN_AUDIENCE`), which
//! nothing reads, and, in a release build, an explicit issuer source or
//! Texas endpoint that differs from the NAIS variable it overrides, unless
//! `override_nais` says that is meant (a debug build logs a warning
//! instead).

use std::time::Duration;

use figment::providers::Serialized;
use figment::{Figment, Provider};
use reqwest::Url;
use serde::{Deserialize, Serialize};

use crate::http::is_https_or_loopback;
use crate::well_known::issuer_of_well_known_url;

mod error;

pub use error::{ConfigError, ConfigErrorKind};

/// Clock skew beyond this is not skew: Maskinporten tokens live 30–680 s.
const MAX_LEEWAY: u64 = 300;

/// The keys that together say which issuer to trust.
const ISSUER_KEYS: [&str; 3] = ["issuer", "jwks_uri", "well_known_url"];

/// Seconds a route's check may take: the default of `check_timeout`. Long
/// enough for one call to a PDP at `http_timeout`'s default.
pub(crate) const DEFAULT_CHECK_TIMEOUT: u64 = 5;

/// The organisation prefix NAIS puts before NAV's scopes: the default of
/// `scope_prefix`.
const DEFAULT_SCOPE_PREFIX: &str = "nav";

/// The NAIS environment variables, each with the `maskinporten` key it
/// defaults: `(key, variable)`.
pub(crate) const NAIS_VARIABLES: [(&str, &str); 4] = [
    ("issuer", "MASKINPORTEN_ISSUER"),
    ("jwks_uri", "MASKINPORTEN_JWKS_URI"),
    ("well_known_url", "MASKINPORTEN_WELL_KNOWN_URL"),
    (
        "introspection_endpoint",
        "NAIS_TOKEN_INTROSPECTION_ENDPOINT",
    ),
];

/// The `maskinporten` table. Every field has a default that is the secure
/// choice; the README's configuration table lists them all. The fairing
/// reads it itself at ignite; this type is public so that an application
/// can read the same settings (see [`Config::from_figment`]).
///
/// ```toml
/// [default.maskinporten]
/// audience = "https://afp.nav.no/api"
/// leeway = 5
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// How tokens are verified: locally against the JWKS, or by Texas.
    pub validation: ValidationMode,
    /// Expected `iss`; defaults to `$MASKINPORTEN_ISSUER`, else the metadata's `issuer`.
    /// When metadata is fetched, its `issuer` must equal this one (one
    /// trailing `/` aside, RFC 8414 §3.3), and tokens are held to the
    /// metadata's spelling.
    pub issuer: Option<String>,
    /// Where the keys are; defaults to `$MASKINPORTEN_JWKS_URI`, else the metadata's `jwks_uri`.
    pub jwks_uri: Option<String>,
    /// The RFC 8414 metadata document; defaults to `$MASKINPORTEN_WELL_KNOWN_URL`.
    pub well_known_url: Option<String>,
    /// Texas's endpoint; defaults to `$NAIS_TOKEN_INTROSPECTION_ENDPOINT`.
    /// Over https, or plain http only to a loopback host (NAIS puts Texas
    /// on 127.0.0.1): every request to it carries a token.
    pub introspection_endpoint: Option<String>,
    /// How the token is sent to Texas: `"json"` or `"form"`.
    pub introspection_body: IntrospectionBody,
    /// If set (an absolute URI), tokens must carry it in `aud`.
    pub audience: Option<String>,
    /// Seconds of clock skew allowed on `exp`, `nbf` and `iat`.
    pub leeway: u64,
    /// Seconds: at most one JWKS refresh per this period is set off by
    /// tokens under unknown `kid`s.
    pub refresh_cooldown: u64,
    /// Seconds between background refreshes of metadata and JWKS.
    pub refresh_interval: u64,
    /// Seconds: total time for one call to the issuer or to Texas.
    pub http_timeout: u64,
    /// Seconds a route's check (`#[scopes(.., check = f)]`) may take before
    /// the request gets 503 with `Retry-After`; at least 1. Defaults to `5`.
    pub check_timeout: u64,
    /// Entries in the cache of verified tokens; 0 turns it off.
    pub verdict_cache: usize,
    /// Fail ignite when the keys cannot be loaded at start, instead of
    /// launching and answering 503 until they can.
    pub require_keys_at_start: bool,
    /// The `realm` of the `WWW-Authenticate` challenge, if any.
    pub realm: Option<String>,
    /// Fail ignite if a mounted route has neither `#[scopes]` nor `#[public]`
    /// nor an entry in `public_routes`: a forgotten handler must not answer
    /// without a token where no `Rocket.toml` came along (most images ship
    /// the binary alone). Defaults to `true`. `false` serves such routes to
    /// anyone, and logs a warning naming each at liftoff.
    pub deny_unmarked_routes: bool,
    /// Routes the app declares open though they carry no `#[public]`,
    /// because another crate mounts them: `"GET /metrics"`, or a path alone
    /// for every method, `"/swagger-ui/<path..>"` (Rocket path patterns,
    /// matched against the mounted routes whatever the parameter names).
    /// An entry that ends in a `<name..>` segment covers every route under
    /// its prefix (`"/swagger-ui/<_..>"`: `/swagger-ui/`,
    /// `/swagger-ui/index.html`, …), as other crates mount many routes under
    /// one path. An entry that names no mounted route, or names a `#[scopes]` route,
    /// fails ignite. Defaults to none.
    pub public_routes: Vec<String>,
    /// Compare the NAIS manifest with the handlers' scopes at ignite; a
    /// mismatch that breaks requests fails ignite.
    pub check_manifest: bool,
    /// The manifest for `check_manifest`; by default `nais.yaml`, else every
    /// `.nais/*.yaml`.
    pub manifest: Option<String>,
    /// The organisation prefix NAIS puts before the manifest's scopes.
    pub scope_prefix: String,
    /// Say that an explicit `issuer`, `jwks_uri`, `well_known_url` or
    /// `introspection_endpoint` is meant to differ from the NAIS variable
    /// it overrides. Without it, a release build refuses to start when one
    /// differs, and a debug build logs a warning. Defaults to `false`.
    pub override_nais: bool,
    /// The token endpoint the OpenAPI document gives clients as its
    /// `tokenUrl` (features `utoipa`, `okapi`): `"https://maskinporten.no/token"`
    /// in production, `"https://test.maskinporten.no/token"` in test. Over
    /// https, or plain http only to a loopback host. Unset, the document
    /// takes the `token_endpoint` of the issuer's metadata (RFC 8414 §2),
    /// else Maskinporten's documented endpoint when the issuer is
    /// Maskinporten's (see the `openapi` module). Defaults to none.
    pub token_endpoint: Option<String>,
    /// Say that bearer tokens may be written to the log. At Rocket's
    /// `log_level = "debug"`, or with a logger of the app's own that lets
    /// Rocket's DEBUG records through, Rocket logs each request it receives
    /// with all its headers, the token among them. Without this key a
    /// release build then refuses to start, naming the setting that keeps
    /// them out, and a debug build logs a warning; with it, both start and
    /// log the warning. Defaults to `false`.
    pub accept_tokens_in_logs: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            validation: ValidationMode::Jwks,
            issuer: None,
            jwks_uri: None,
            well_known_url: None,
            introspection_endpoint: None,
            introspection_body: IntrospectionBody::Json,
            audience: None,
            leeway: 5,
            refresh_cooldown: 30,
            refresh_interval: 300,
            http_timeout: 5,
            check_timeout: DEFAULT_CHECK_TIMEOUT,
            verdict_cache: 10_000,
            require_keys_at_start: false,
            realm: None,
            deny_unmarked_routes: true,
            public_routes: Vec::new(),
            check_manifest: false,
            manifest: None,
            scope_prefix: DEFAULT_SCOPE_PREFIX.to_owned(),
            override_nais: false,
            token_endpoint: None,
            accept_tokens_in_logs: false,
        }
    }
}

/// Where the verdict on a token comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ValidationMode {
    /// Signature and claims checked in-process against the issuer's JWKS.
    Jwks,
    /// The verdict of Texas, at `NAIS_TOKEN_INTROSPECTION_ENDPOINT`.
    Texas,
}

/// The body of a Texas introspection request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum IntrospectionBody {
    /// `application/json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

/// Where the issuer's identity and keys come from, after defaults: the two
/// shapes a configuration that can work takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sources {
    /// `issuer` and `jwks_uri` both given: no metadata is fetched.
    Explicit { issuer: String, jwks_uri: Url },
    /// From the metadata document (RFC 8414 §3) at `well_known_url`, with
    /// `issuer` and `jwks_uri` overriding its values when given.
    Discovered {
        well_known_url: Url,
        issuer: Option<String>,
        jwks_uri: Option<Url>,
    },
}

/// Where verdicts come from, with what that backend needs: the
/// configuration's `validation`, checked.
#[derive(Debug, Clone)]
pub(crate) enum BackendSettings {
    Jwks(Sources),
    Texas {
        endpoint: Url,
        body: IntrospectionBody,
    },
}

/// What the OpenAPI document's `tokenUrl` can come from, in every
/// validation mode: the configured endpoint, else the metadata at
/// `well_known_url` (whoever reads it), else the issuer's documented one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TokenUrlSources {
    /// `token_endpoint`, checked.
    pub(crate) configured: Option<Url>,
    /// `well_known_url` (`$MASKINPORTEN_WELL_KNOWN_URL`), checked, whatever
    /// the mode: with `issuer` and `jwks_uri` given, or in Texas mode,
    /// nothing else reads it.
    pub(crate) well_known_url: Option<Url>,
    /// The configured issuer (`$MASKINPORTEN_ISSUER`), else the one the
    /// well-known URL was formed from (RFC 8414 §3.1): the issuer whose
    /// metadata is trusted, and whose documented endpoint is the fallback.
    pub(crate) issuer: Option<String>,
}

/// A checked configuration: every value the validator needs, typed.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) backend: BackendSettings,
    /// Read only by the OpenAPI features; checked in every build, so that
    /// one `Rocket.toml` is refused or accepted alike.
    #[cfg_attr(not(any(feature = "utoipa", feature = "okapi")), allow(dead_code))]
    pub(crate) token_url: TokenUrlSources,
    pub(crate) audience: Option<String>,
    pub(crate) leeway: u64,
    pub(crate) refresh_cooldown: Duration,
    pub(crate) refresh_interval: Duration,
    pub(crate) http_timeout: Duration,
    pub(crate) check_timeout: Duration,
    pub(crate) verdict_cache: usize,
    pub(crate) require_keys_at_start: bool,
    pub(crate) realm: Option<String>,
}

impl Config {
    /// Reads the `maskinporten` table of `figment` over the NAIS environment.
    ///
    /// ```
    /// use maskinporten_rocket::Config;
    ///
    /// let figment = rocket::Config::figment()
    ///     .merge(("maskinporten.issuer", "https://test.maskinporten.no/"));
    /// let config = Config::from_figment(&figment)?;
    /// assert_eq!(config.issuer.as_deref(), Some("https://test.maskinporten.no/"));
    /// assert_eq!(config.refresh_cooldown, 30);
    /// # Ok::<(), maskinporten_rocket::ConfigError>(())
    /// ```
    ///
    /// A table that cannot be read (a value of the wrong type, an unknown
    /// key) is [`ConfigErrorKind::Unreadable`], with figment's error as the
    /// source.
    ///
    /// A top-level `maskinporten_*` key (what `ROCKET_MASKINPORTEN_AUDIENCE`
    /// becomes) is [`ConfigErrorKind::TopLevelKey`]. An explicit `issuer`,
    /// `jwks_uri`, `well_known_url` or `introspection_endpoint` that differs
    /// from the NAIS variable it overrides is logged as a warning in a debug
    /// build and is [`ConfigErrorKind::OverridesNais`] in a release build,
    /// unless `override_nais` is set.
    pub fn from_figment(figment: &Figment) -> Result<Config, ConfigError> {
        let env = |name: &str| std::env::var(name).ok();
        let config = Config::from_sources(figment, env)?;
        let overrides = nais_overrides(figment, env);
        for warning in judge_overrides(&overrides, config.override_nais, BuildKind::current())? {
            tracing::warn!(target: "maskinporten", "{warning}");
        }
        Ok(config)
    }

    /// As [`Config::from_figment`], with the environment given as a function,
    /// so tests need not touch the process's variables.
    pub(crate) fn from_sources(
        figment: &Figment,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        if let Some(found) = top_level_key(figment) {
            let key = found
                .strip_prefix("maskinporten_")
                .unwrap_or(&found)
                .to_owned();
            let kind = ConfigErrorKind::TopLevelKey { found, key };
            return Err(ConfigError::unkeyed(kind));
        }
        // Read with the caller's profile selected, so `[debug.maskinporten]`
        // and `[release.maskinporten]` apply as Rocket users expect.
        let table = figment.focus("maskinporten");
        // Issuer, JWKS and metadata URL describe one issuer: a table that
        // names any of them replaces all three NAIS variables, or an
        // explicit well_known_url would lose to the issuer and JWKS that
        // NAIS always sets beside it.
        let explicit_issuer = ISSUER_KEYS.iter().any(|key| table.find_value(key).is_ok());
        let mut layered = Figment::from(Serialized::defaults(Config::default()));
        for (key, var) in NAIS_VARIABLES {
            if explicit_issuer && ISSUER_KEYS.contains(&key) {
                continue;
            }
            if let Some(value) = env(var).filter(|v| !v.trim().is_empty()) {
                layered = layered.merge(Serialized::default(key, value));
            }
        }
        layered
            .merge(table)
            .select(figment.profile().clone())
            .extract()
            .map_err(|e| ConfigError::unkeyed(ConfigErrorKind::Unreadable).with_source(e))
    }

    /// Checks that this configuration can work. Reads nothing but `self`:
    /// what the configuration asks of the routes and the manifest is the
    /// route audit's to check.
    pub(crate) fn settings(&self) -> Result<Settings, ConfigError> {
        let well_known_url = parse_url(
            &self.well_known_url,
            "well_known_url",
            Some("MASKINPORTEN_WELL_KNOWN_URL"),
        )?;
        let jwks_uri = parse_url(&self.jwks_uri, "jwks_uri", Some("MASKINPORTEN_JWKS_URI"))?;
        let issuer = self.issuer.clone().filter(|i| !i.is_empty());
        let token_url = TokenUrlSources {
            configured: parse_url(&self.token_endpoint, "token_endpoint", None)?,
            well_known_url: well_known_url.clone(),
            issuer: issuer
                .clone()
                .or_else(|| well_known_url.as_ref().and_then(issuer_of_well_known_url)),
        };
        let backend = match self.validation {
            ValidationMode::Jwks => match (issuer, jwks_uri, well_known_url) {
                (Some(issuer), Some(jwks_uri), _) => {
                    BackendSettings::Jwks(Sources::Explicit { issuer, jwks_uri })
                }
                (issuer, jwks_uri, Some(well_known_url)) => {
                    // Refused here rather than at every refresh (a 503 on
                    // every request): no metadata fetched from it can pass.
                    if issuer_of_well_known_url(&well_known_url).is_none() {
                        let kind = ConfigErrorKind::NotWellKnownUrl {
                            value: well_known_url.to_string(),
                        };
                        return Err(ConfigError::new(kind, "well_known_url")
                            .with_variable("MASKINPORTEN_WELL_KNOWN_URL"));
                    }
                    BackendSettings::Jwks(Sources::Discovered {
                        well_known_url,
                        issuer,
                        jwks_uri,
                    })
                }
                (None, _, None) => {
                    return Err(ConfigError::new(ConfigErrorKind::NoIssuer, "issuer")
                        .with_variable("MASKINPORTEN_ISSUER"));
                }
                (Some(_), None, None) => {
                    return Err(ConfigError::new(ConfigErrorKind::NoKeySource, "jwks_uri")
                        .with_variable("MASKINPORTEN_JWKS_URI"));
                }
            },
            ValidationMode::Texas => {
                let endpoint = parse_url(
                    &self.introspection_endpoint,
                    "introspection_endpoint",
                    Some("NAIS_TOKEN_INTROSPECTION_ENDPOINT"),
                )?
                .ok_or_else(|| {
                    ConfigError::new(
                        ConfigErrorKind::NoIntrospectionEndpoint,
                        "introspection_endpoint",
                    )
                    .with_variable("NAIS_TOKEN_INTROSPECTION_ENDPOINT")
                })?;
                BackendSettings::Texas {
                    endpoint,
                    body: self.introspection_body,
                }
            }
        };
        if let Some(audience) = &self.audience
            && Url::parse(audience).is_err()
        {
            let kind = ConfigErrorKind::RelativeAudience {
                value: audience.clone(),
            };
            return Err(ConfigError::new(kind, "audience"));
        }
        // A zero cooldown would let every made-up kid cost a JWKS fetch: a
        // storm against the issuer that any client could set off. A zero
        // check_timeout would answer 503 to every request on a checked route.
        for (key, value) in [
            ("http_timeout", self.http_timeout),
            ("check_timeout", self.check_timeout),
            ("refresh_interval", self.refresh_interval),
            ("refresh_cooldown", self.refresh_cooldown),
        ] {
            if value == 0 {
                return Err(ConfigError::new(ConfigErrorKind::ZeroSeconds, key));
            }
        }
        if self.leeway > MAX_LEEWAY {
            let kind = ConfigErrorKind::LeewayTooLarge {
                leeway: self.leeway,
                max: MAX_LEEWAY,
            };
            return Err(ConfigError::new(kind, "leeway"));
        }
        Ok(Settings {
            backend,
            token_url,
            audience: self.audience.clone(),
            leeway: self.leeway,
            refresh_cooldown: Duration::from_secs(self.refresh_cooldown),
            refresh_interval: Duration::from_secs(self.refresh_interval),
            http_timeout: Duration::from_secs(self.http_timeout),
            check_timeout: Duration::from_secs(self.check_timeout),
            verdict_cache: self.verdict_cache,
            require_keys_at_start: self.require_keys_at_start,
            realm: self.realm.clone(),
        })
    }
}

/// The first top-level key, in any profile, that looks meant for the
/// `maskinporten` table: Rocket turns `ROCKET_MASKINPORTEN_AUDIENCE` into
/// the top-level key `maskinporten_audience`, which nothing reads.
fn top_level_key(figment: &Figment) -> Option<String> {
    // A figment that cannot be read fails in `extract`, with figment's error.
    let profiles = figment.data().ok()?;
    profiles
        .values()
        .flat_map(|dict| dict.keys())
        .find(|key| {
            key.get(.."maskinporten_".len())
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case("maskinporten_"))
        })
        .map(|key| key.to_ascii_lowercase())
}

/// Whether this is a debug or a release build: a configuration that may
/// point production at a test issuer is a warning in the one and an error
/// in the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BuildKind {
    Debug,
    Release,
}

impl BuildKind {
    pub(crate) fn current() -> BuildKind {
        if cfg!(debug_assertions) {
            BuildKind::Debug
        } else {
            BuildKind::Release
        }
    }
}

/// An explicit issuer source or Texas endpoint that differs from the NAIS
/// variable it overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Override {
    pub(crate) key: &'static str,
    pub(crate) variable: &'static str,
    pub(crate) explicit: String,
    pub(crate) environment: String,
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "maskinporten.{} = {:?} overrides {} = {:?}, which NAIS set; remove it, or if \
             that is meant, add `override_nais = true` under [default.maskinporten] in \
             Rocket.toml (a release build refuses to start without it)",
            self.key, self.explicit, self.variable, self.environment
        )
    }
}

/// Every key the `maskinporten` table sets to something other than the NAIS
/// variable that would otherwise set it. An explicit value wins (see
/// [`Config::from_sources`]), so a `Rocket.toml` baked into an image can
/// point production at a test issuer, or send its tokens to another Texas
/// than the one NAIS runs beside the app; this is how we notice.
pub(crate) fn nais_overrides(
    figment: &Figment,
    env: impl Fn(&str) -> Option<String>,
) -> Vec<Override> {
    let table = figment.focus("maskinporten");
    NAIS_VARIABLES
        .iter()
        .filter_map(|&(key, variable)| {
            // An empty value counts as unset (see `from_sources`): it
            // overrides nothing.
            let explicit = table
                .find_value(key)
                .ok()?
                .into_string()
                .filter(|v| !v.trim().is_empty())?;
            let environment = env(variable).filter(|v| !v.trim().is_empty())?;
            let differs = explicit.trim() != environment.trim();
            differs.then_some(Override {
                key,
                variable,
                explicit,
                environment,
            })
        })
        .collect()
}

/// What to do about `overrides`: nothing when `override_nais` says they are
/// meant; otherwise the warnings to log in a debug build, and an error in a
/// release build.
pub(crate) fn judge_overrides(
    overrides: &[Override],
    override_nais: bool,
    build: BuildKind,
) -> Result<Vec<Override>, ConfigError> {
    match (overrides.first(), override_nais, build) {
        (None, _, _) | (Some(_), true, _) => Ok(Vec::new()),
        (Some(_), false, BuildKind::Debug) => Ok(overrides.to_vec()),
        (Some(first), false, BuildKind::Release) => {
            let kind = ConfigErrorKind::OverridesNais {
                explicit: first.explicit.clone(),
                environment: first.environment.clone(),
            };
            Err(ConfigError::new(kind, first.key).with_variable(first.variable))
        }
    }
}

/// The URL at `key` (or in its NAIS variable `var`), if set: absolute
/// http(s), and plain http only to a loopback host, since every URL the
/// configuration names is one that keys or verdicts come from, or that
/// clients send their grants to (`token_endpoint`).
fn parse_url(
    value: &Option<String>,
    key: &'static str,
    var: Option<&'static str>,
) -> Result<Option<Url>, ConfigError> {
    let Some(value) = value.as_deref().filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let value = value.to_owned();
    let kind = match Url::parse(&value) {
        Ok(url) if is_https_or_loopback(&url) => return Ok(Some(url)),
        Ok(url) if url.scheme() == "http" => ConfigErrorKind::PlainHttp { value },
        _ => ConfigErrorKind::NotHttpUrl { value },
    };
    let error = ConfigError::new(kind, key);
    Err(match var {
        Some(var) => error.with_variable(var),
        None => error,
    })
}

#[cfg(test)]
mod tests;
