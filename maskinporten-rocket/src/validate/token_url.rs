//! The OpenAPI document's `tokenUrl` (features `utoipa`, `okapi`): where a
//! client asks the issuer for a token. Resolved once at ignite, and never
//! empty: a URL, or a [`TokenUrlError`] that says which key to set.
//!
//! In order:
//! 1. `token_endpoint` in the configuration;
//! 2. the `token_endpoint` of the issuer's metadata (RFC 8414 §2): the key
//!    store's own, kept fresh, when it discovers the keys; otherwise (with
//!    `issuer` and `jwks_uri` both given, as NAIS gives them, or in Texas
//!    mode) read once at ignite from `well_known_url`
//!    (`$MASKINPORTEN_WELL_KNOWN_URL`), and used only when its `issuer` is
//!    the one the URL was formed from and the configured one (RFC 8414 §3.3);
//! 3. Maskinporten's documented token endpoint, when the issuer is
//!    Maskinporten's: what the metadata would say, and a warning says why
//!    it did not when it was there to read.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use reqwest::Url;

use super::Validator;
use super::jwks::{RefreshError, fetch_metadata, same_issuer};
use crate::config::{BackendSettings, Settings, Sources};
use crate::http::{Http, Proxy, is_https_or_loopback};

/// Maskinporten's issuers, each with its token endpoint (docs.digdir.no,
/// Maskinporten, "Well-known endpoints"; the endpoint is `<issuer>token`,
/// "/token endpoint").
const MASKINPORTEN: [(&str, &str); 2] = [
    ("https://maskinporten.no/", "https://maskinporten.no/token"),
    (
        "https://test.maskinporten.no/",
        "https://test.maskinporten.no/token",
    ),
];

/// The line a refusal offers to paste.
const PASTE: &str = "add `token_endpoint = \"https://maskinporten.no/token\"` under \
     [default.maskinporten] in Rocket.toml (\"https://test.maskinporten.no/token\" in test; \
     for another issuer, its token endpoint)";

/// Maskinporten's documented token endpoint for `issuer`, if it is one of
/// Maskinporten's (one trailing `/` aside, as the metadata check allows).
fn documented(issuer: &str) -> Option<&'static str> {
    MASKINPORTEN
        .iter()
        .find(|(known, _)| same_issuer(issuer, known))
        .map(|(_, endpoint)| *endpoint)
}

/// The token URL as resolved at ignite; the fairing manages it beside the
/// [`Validator`], and `openapi::Security` reads it.
pub(crate) struct TokenUrl {
    resolved: Resolved,
    /// The key store discovers the keys, and reads the metadata on every
    /// refresh: its `token_endpoint` is the one to give.
    discovered: bool,
}

enum Resolved {
    Configured(String),
    Metadata(String),
    Documented(String),
    Unknown(TokenUrlError),
}

impl TokenUrl {
    /// Resolves the token URL for `settings`, after the key store's first
    /// load: the metadata is fetched here only when nothing else reads it.
    pub(crate) async fn resolve(settings: &Settings, validator: &Validator) -> TokenUrl {
        let sources = &settings.token_url;
        let discovered = matches!(
            settings.backend,
            BackendSettings::Jwks(Sources::Discovered { .. })
        );
        let token_url = |resolved| TokenUrl {
            resolved,
            discovered,
        };
        if let Some(url) = &sources.configured {
            tracing::info!(target: "maskinporten",
                "OpenAPI tokenUrl: {url} (maskinporten.token_endpoint)");
            return token_url(Resolved::Configured(url.to_string()));
        }
        let issuer = sources.issuer.as_deref();
        let Some(well_known_url) = &sources.well_known_url else {
            return token_url(without_metadata(issuer));
        };
        let read = if discovered {
            discovered_endpoint(validator)
        } else {
            // Bounded by `http_timeout`, as the key store's first load is;
            // loopback is never proxied.
            match Http::new(settings.http_timeout, Proxy::FromEnvironment) {
                Ok(http) => fetch_metadata(&http, well_known_url, issuer)
                    .await
                    .map_err(MetadataProblem::Unreadable)
                    .and_then(|metadata| usable(metadata.token_endpoint)),
                Err(error) => Err(MetadataProblem::Client(error)),
            }
        };
        let problem = match read {
            Ok(endpoint) => {
                tracing::info!(target: "maskinporten",
                    "OpenAPI tokenUrl: {endpoint:?} (token_endpoint of the metadata at {:?})",
                    well_known_url.as_str());
                return token_url(Resolved::Metadata(endpoint));
            }
            Err(problem) => problem,
        };
        let url = well_known_url.to_string();
        match issuer.and_then(documented) {
            Some(endpoint) => {
                tracing::warn!(target: "maskinporten",
                    "the OpenAPI tokenUrl cannot come from the metadata at {url:?} ({problem}); \
                     using {endpoint}, Maskinporten's documented token endpoint for {:?}",
                    issuer.unwrap_or_default());
                token_url(Resolved::Documented(endpoint.to_owned()))
            }
            None => {
                let kind = match problem {
                    MetadataProblem::NotLoaded => TokenUrlErrorKind::NotLoaded { url },
                    _ => TokenUrlErrorKind::MetadataUnusable {
                        url,
                        issuer: issuer.map(str::to_owned),
                    },
                };
                let error = TokenUrlError::new(kind);
                token_url(Resolved::Unknown(match problem {
                    MetadataProblem::NotLoaded => error,
                    problem => error.with_source(problem),
                }))
            }
        }
    }

    /// The token URL now: the configured one, else the metadata's as the
    /// key store last loaded it, else what ignite resolved.
    pub(crate) fn current(&self, validator: Option<&Validator>) -> Result<String, TokenUrlError> {
        if let Resolved::Configured(url) = &self.resolved {
            return Ok(url.clone());
        }
        if self.discovered
            && let Some(Ok(endpoint)) = validator.map(|v| usable(v.token_endpoint()))
        {
            return Ok(endpoint);
        }
        match &self.resolved {
            Resolved::Configured(url) | Resolved::Metadata(url) | Resolved::Documented(url) => {
                Ok(url.clone())
            }
            Resolved::Unknown(error) => Err(error.clone()),
        }
    }
}

/// With no metadata to read: Maskinporten's documented endpoint, or none.
fn without_metadata(issuer: Option<&str>) -> Resolved {
    match issuer.and_then(documented) {
        Some(endpoint) => {
            tracing::info!(target: "maskinporten",
                "OpenAPI tokenUrl: {endpoint}, Maskinporten's documented token endpoint for \
                 {:?} (no metadata to read; `token_endpoint` names another)",
                issuer.unwrap_or_default());
            Resolved::Documented(endpoint.to_owned())
        }
        None => Resolved::Unknown(TokenUrlError::new(TokenUrlErrorKind::NoSource {
            issuer: issuer.map(str::to_owned),
        })),
    }
}

/// The token endpoint of the metadata the key store loaded at start.
fn discovered_endpoint(validator: &Validator) -> Result<String, MetadataProblem> {
    if !validator.is_ready() {
        // The key store has logged why, and retries; the endpoint is
        // taken from it once it loads.
        return Err(MetadataProblem::NotLoaded);
    }
    usable(validator.token_endpoint())
}

/// A metadata `token_endpoint` clients may be sent to: https, or plain
/// http only to a loopback host, as the configuration's URLs.
fn usable(endpoint: Option<String>) -> Result<String, MetadataProblem> {
    let endpoint = endpoint.ok_or(MetadataProblem::NoTokenEndpoint)?;
    match Url::parse(&endpoint) {
        Ok(url) if is_https_or_loopback(&url) => Ok(endpoint),
        _ => Err(MetadataProblem::Insecure(
            endpoint.chars().take(256).collect(),
        )),
    }
}

/// Why the metadata gave no token endpoint.
#[derive(Debug)]
enum MetadataProblem {
    /// Not fetched, or not used (RFC 8414 §3.3).
    Unreadable(RefreshError),
    /// The HTTP client cannot be built.
    Client(reqwest::Error),
    /// The key store has not loaded it yet.
    NotLoaded,
    /// It names no `token_endpoint`.
    NoTokenEndpoint,
    /// Its `token_endpoint` is neither https nor http to a loopback host.
    Insecure(String),
}

impl fmt::Display for MetadataProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetadataProblem::Unreadable(error) => write!(f, "{error}"),
            MetadataProblem::Client(error) => write!(f, "the HTTP client cannot be built: {error}"),
            MetadataProblem::NotLoaded => f.write_str("it has not loaded yet"),
            MetadataProblem::NoTokenEndpoint => f.write_str("it names no token_endpoint"),
            // The issuer's string: quoted.
            MetadataProblem::Insecure(endpoint) => write!(
                f,
                "its token_endpoint {endpoint:?} is neither https nor http to a loopback host"
            ),
        }
    }
}

impl StdError for MetadataProblem {}

/// Why an OpenAPI document's `tokenUrl` is not known. Its `Display` names
/// the key to set, `token_endpoint`, with a line to paste; a route that
/// takes [`Security`](crate::openapi::Security) stops ignite of a release
/// build with it.
///
/// ```
/// use maskinporten_rocket::openapi::{Security, TokenUrlErrorKind};
///
/// // Not ignited: no fairing has resolved it.
/// let security = Security::of(&rocket::build());
/// let error = security.token_url().unwrap_err();
/// assert_eq!(error.kind(), &TokenUrlErrorKind::NotResolved);
/// assert_eq!(error.key(), "token_endpoint");
/// ```
#[derive(Debug, Clone)]
pub struct TokenUrlError(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    kind: TokenUrlErrorKind,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// The ways a `tokenUrl` cannot be known.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenUrlErrorKind {
    /// Nothing names it: no `token_endpoint`, no metadata to read it from
    /// (`well_known_url`, `$MASKINPORTEN_WELL_KNOWN_URL`), and the issuer
    /// is not Maskinporten's, or not known (Texas mode without
    /// `$MASKINPORTEN_ISSUER`).
    NoSource {
        /// The configured issuer, if any.
        issuer: Option<String>,
    },
    /// The metadata could not be read at ignite, or could not be used (its
    /// `issuer` is another than the configured one, say, RFC 8414 §3.3),
    /// and the issuer is not Maskinporten's. Why is the
    /// [`source`](StdError::source).
    MetadataUnusable {
        /// The metadata document's URL.
        url: String,
        /// The issuer, if known.
        issuer: Option<String>,
    },
    /// The key store has not loaded the metadata yet (the issuer was down
    /// at start), and the issuer is not Maskinporten's: it is known once
    /// the metadata loads. A route that takes `Security` answers 503 until
    /// then.
    NotLoaded {
        /// The metadata document's URL.
        url: String,
    },
    /// No fairing resolved it: the Rocket it was asked of has not ignited
    /// with `Maskinporten::fairing()` attached.
    NotResolved,
}

impl TokenUrlError {
    pub(crate) fn new(kind: TokenUrlErrorKind) -> TokenUrlError {
        TokenUrlError(Arc::new(Inner { kind, source: None }))
    }

    fn with_source(self, source: impl StdError + Send + Sync + 'static) -> TokenUrlError {
        let kind = self.0.kind.clone();
        TokenUrlError(Arc::new(Inner {
            kind,
            source: Some(Box::new(source)),
        }))
    }

    /// What is wrong.
    pub fn kind(&self) -> &TokenUrlErrorKind {
        &self.0.kind
    }

    /// The key of the `maskinporten` table that names the token URL:
    /// `"token_endpoint"`.
    pub fn key(&self) -> &'static str {
        "token_endpoint"
    }

    /// Whether it may yet be known without a change to the configuration:
    /// the metadata has not loaded yet.
    pub(crate) fn is_pending(&self) -> bool {
        matches!(self.0.kind, TokenUrlErrorKind::NotLoaded { .. })
    }
}

impl fmt::Display for TokenUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let issuer = |f: &mut fmt::Formatter<'_>, issuer: &Option<String>| match issuer {
            Some(issuer) => write!(
                f,
                "the issuer {issuer:?} is not Maskinporten's, whose token endpoint is documented"
            ),
            None => f.write_str("no issuer is known (MASKINPORTEN_ISSUER or `issuer`)"),
        };
        f.write_str("maskinporten.token_endpoint: the OpenAPI document's tokenUrl is not known: ")?;
        match &self.0.kind {
            TokenUrlErrorKind::NoSource { issuer: known } => {
                f.write_str(
                    "no `token_endpoint` is set, there is no metadata to read it from \
                     (MASKINPORTEN_WELL_KNOWN_URL or `well_known_url`), and ",
                )?;
                issuer(f, known)?;
                write!(f, "; {PASTE}")
            }
            TokenUrlErrorKind::MetadataUnusable { url, issuer: known } => {
                f.write_str("no `token_endpoint` is set, ")?;
                issuer(f, known)?;
                write!(f, ", and the metadata at {url:?} gives none; {PASTE}")
            }
            TokenUrlErrorKind::NotLoaded { url } => write!(
                f,
                "the metadata at {url:?} has not loaded yet (the issuer is not Maskinporten's, \
                 whose token endpoint is documented); it is known once it loads, or {PASTE}"
            ),
            TokenUrlErrorKind::NotResolved => f.write_str(
                "the Maskinporten fairing resolves it at ignite: attach \
                 `Maskinporten::fairing()` and take `Security` as a request guard, or name it \
                 with `Security::with_token_url`",
            ),
        }
    }
}

impl StdError for TokenUrlError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests;
