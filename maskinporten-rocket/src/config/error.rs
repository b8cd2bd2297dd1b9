//! Why a `maskinporten` configuration cannot work. What the configuration
//! asks of the mounted routes and of the manifest fails as an
//! [`AuditError`](crate::audit::AuditError), and what the validator cannot
//! start with as its own error: each part owns its kinds, and the fairing
//! logs whichever stops ignite.

use std::error::Error as StdError;
use std::fmt;

/// Why a `maskinporten` configuration cannot work. Each names the `maskinporten`
/// key to change ([`ConfigError::key`]) and, where NAIS sets its default,
/// the environment variable ([`ConfigError::variable`]); a test or a
/// caller matches [`ConfigError::kind`].
///
/// ```
/// use maskinporten_rocket::{Config, ConfigErrorKind};
///
/// let figment = rocket::Config::figment().merge(("maskinporten.issuers", "https://typo/"));
/// let error = Config::from_figment(&figment).unwrap_err();
/// assert_eq!(error.kind(), &ConfigErrorKind::Unreadable);
/// ```
#[derive(Debug)]
pub struct ConfigError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: ConfigErrorKind,
    key: Option<&'static str>,
    variable: Option<&'static str>,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// The ways a configuration cannot work.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The `maskinporten` table cannot be read: a value of the wrong type or
    /// an unknown key. The figment error is the [`source`](StdError::source).
    Unreadable,
    /// `validation = "jwks"` without an issuer: neither `issuer` nor
    /// `well_known_url`, nor their NAIS variables.
    NoIssuer,
    /// `validation = "jwks"` without a key source: neither `jwks_uri` nor
    /// `well_known_url`, nor their NAIS variables.
    NoKeySource,
    /// `validation = "texas"` without `introspection_endpoint`, nor
    /// `NAIS_TOKEN_INTROSPECTION_ENDPOINT`.
    NoIntrospectionEndpoint,
    /// A top-level key that looks meant for the `maskinporten` table, such
    /// as `maskinporten_audience` (what `ROCKET_MASKINPORTEN_AUDIENCE`
    /// becomes): nothing reads it, so the setting would silently not apply.
    TopLevelKey {
        /// The key as found, lowercased: `maskinporten_audience`.
        found: String,
        /// The key it is meant to be inside the table: `audience`.
        key: String,
    },
    /// In a release build, an explicit `issuer`, `jwks_uri`,
    /// `well_known_url` or `introspection_endpoint` differs from the NAIS
    /// variable it overrides ([`ConfigError::variable`]), and
    /// `override_nais` is not set.
    OverridesNais {
        /// The value in the `maskinporten` table.
        explicit: String,
        /// The value of the NAIS variable.
        environment: String,
    },
    /// A URL key holds something other than an absolute http(s) URL.
    NotHttpUrl {
        /// The value as configured.
        value: String,
    },
    /// `jwks_uri`, `well_known_url`, `introspection_endpoint` or
    /// `token_endpoint` is plain `http://` to a host that is not loopback
    /// (127.0.0.0/8, `::1`, `localhost`): anyone on the path could swap the
    /// keys, read the tokens sent to Texas and forge its verdicts, or take
    /// the grants clients send to the token endpoint.
    PlainHttp {
        /// The value as configured.
        value: String,
    },
    /// `well_known_url` ends in neither `/.well-known/oauth-authorization-server`
    /// (RFC 8414 §3.1) nor `/.well-known/openid-configuration`: the issuer
    /// it was formed from cannot be told, so the metadata's `issuer` could
    /// not be checked against it (RFC 8414 §3.3).
    NotWellKnownUrl {
        /// The value as configured.
        value: String,
    },
    /// `audience` is not an absolute URI.
    RelativeAudience {
        /// The value as configured.
        value: String,
    },
    /// A duration that must be at least one second is 0.
    ZeroSeconds,
    /// `leeway` allows more clock skew than any token lifetime warrants.
    LeewayTooLarge {
        /// The configured leeway, in seconds.
        leeway: u64,
        /// The largest leeway accepted, in seconds.
        max: u64,
    },
}

impl ConfigError {
    pub(crate) fn new(kind: ConfigErrorKind, key: &'static str) -> ConfigError {
        ConfigError(Box::new(Inner {
            kind,
            key: Some(key),
            variable: None,
            source: None,
        }))
    }

    /// An error that no single key causes.
    pub(crate) fn unkeyed(kind: ConfigErrorKind) -> ConfigError {
        ConfigError(Box::new(Inner {
            kind,
            key: None,
            variable: None,
            source: None,
        }))
    }

    pub(crate) fn with_variable(mut self, variable: &'static str) -> ConfigError {
        self.0.variable = Some(variable);
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl StdError + Send + Sync + 'static,
    ) -> ConfigError {
        self.0.source = Some(Box::new(source));
        self
    }

    /// What is wrong.
    pub fn kind(&self) -> &ConfigErrorKind {
        &self.0.kind
    }

    /// The key of the `maskinporten` table to change (`"issuer"` for
    /// `maskinporten.issuer`), when one key is the cause.
    pub fn key(&self) -> Option<&'static str> {
        self.0.key
    }

    /// The NAIS environment variable that sets the key's default, when
    /// there is one.
    pub fn variable(&self) -> Option<&'static str> {
        self.0.variable
    }
}

/// How a user gets the NAIS variables, for the two refusals that lack them:
/// each way is a line to paste.
const WHERE_THE_VARIABLES_COME_FROM: &str = "On NAIS, `spec.maskinporten.enabled: true` \
     in the manifest sets them; on a laptop, paste the `export` lines the \
     `maskinporten-stand-in` program prints; elsewhere, for Maskinporten's test \
     environment: MASKINPORTEN_WELL_KNOWN_URL=https://test.maskinporten.no/.well-known/oauth-authorization-server";

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ConfigErrorKind::*;
        if let Some(key) = self.0.key {
            write!(f, "maskinporten.{key}")?;
            if let (NotHttpUrl { .. } | PlainHttp { .. } | NotWellKnownUrl { .. }, Some(variable)) =
                (&self.0.kind, self.0.variable)
            {
                write!(f, " (or {variable})")?;
            }
            f.write_str(": ")?;
        }
        match &self.0.kind {
            Unreadable => f.write_str("cannot read the [maskinporten] table"),
            NoIssuer => write!(
                f,
                "no issuer is configured; set MASKINPORTEN_ISSUER or \
                 MASKINPORTEN_WELL_KNOWN_URL (or `issuer` / `well_known_url` in the \
                 [maskinporten] table). {WHERE_THE_VARIABLES_COME_FROM}"
            ),
            NoKeySource => write!(
                f,
                "no key source is configured; set MASKINPORTEN_JWKS_URI or \
                 MASKINPORTEN_WELL_KNOWN_URL (or `jwks_uri` / `well_known_url` in the \
                 [maskinporten] table). {WHERE_THE_VARIABLES_COME_FROM}"
            ),
            NoIntrospectionEndpoint => f.write_str(
                "validation = \"texas\" needs Texas's endpoint; enable Texas in the NAIS \
                 manifest, which sets NAIS_TOKEN_INTROSPECTION_ENDPOINT, or set \
                 `introspection_endpoint`",
            ),
            TopLevelKey { found, key } => write!(
                f,
                "`{found}` is a top-level key that nothing reads, so `{key}` is not set; \
                 put `{key}` inside the maskinporten table: `ROCKET_MASKINPORTEN={{{key}=\"...\"}}` \
                 in the environment, or `{key} = ...` under `[default.maskinporten]` in Rocket.toml"
            ),
            OverridesNais {
                explicit,
                environment,
            } => {
                let variable = self.0.variable.unwrap_or("the NAIS variable");
                let risk = match self.0.key {
                    Some("introspection_endpoint") => {
                        "send every token to another Texas than the one NAIS runs beside the app"
                    }
                    _ => "point production at another issuer",
                };
                write!(
                    f,
                    "{explicit:?} differs from {variable} = {environment:?}, which NAIS set; \
                     an explicit value wins, so this may {risk}: remove it, or if it is meant, \
                     add `override_nais = true` under [default.maskinporten] in Rocket.toml"
                )
            }
            NotHttpUrl { value } => write!(f, "`{value}` is not an absolute http(s) URL"),
            PlainHttp { value } => {
                let (risk, fix) = match self.0.key {
                    Some(key @ "introspection_endpoint") => (
                        "read the tokens or forge verdicts",
                        format!(
                            "remove `{key}`, so that NAIS_TOKEN_INTROSPECTION_ENDPOINT (Texas \
                             on 127.0.0.1) applies, or use https: "
                        ),
                    ),
                    Some("token_endpoint") => (
                        "take the grants clients send and get their tokens",
                        "use https: ".to_owned(),
                    ),
                    _ => ("swap the keys", "use https: ".to_owned()),
                };
                let key = self.0.key.unwrap_or("url");
                write!(
                    f,
                    "`{value}` is plain http to a host that is not loopback, where anyone on \
                     the path could {risk}; {fix}`{key} = \"{https}\"` under \
                     [default.maskinporten] in Rocket.toml (plain http is allowed only to \
                     127.0.0.0/8, ::1 and localhost)",
                    https = as_https(value),
                )
            }
            NotWellKnownUrl { value } => write!(
                f,
                "`{value}` ends in neither /.well-known/oauth-authorization-server nor \
                 /.well-known/openid-configuration, so the issuer it belongs to cannot be \
                 told and its metadata could not be checked (RFC 8414 §3.3)"
            ),
            RelativeAudience { value } => write!(
                f,
                "`{value}` is not an absolute URI; write it as your consumers request it, \
                 for example `https://afp.nav.no/api`"
            ),
            ZeroSeconds => f.write_str("must be at least 1 second"),
            LeewayTooLarge { leeway, max } => write!(
                f,
                "{leeway} seconds of clock skew would accept long-expired tokens; use at \
                 most {max} (the default is 5)"
            ),
        }
    }
}

/// `value`, a plain-http URL, with `https` for its scheme: the line a
/// refusal offers to paste.
fn as_https(value: &str) -> String {
    let value = value.trim();
    let at = "http:".len();
    match (value.get(..at), value.get(at..)) {
        (Some(scheme), Some(rest)) if scheme.eq_ignore_ascii_case("http:") => {
            format!("https:{rest}")
        }
        _ => value.to_owned(),
    }
}

impl StdError for ConfigError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}
