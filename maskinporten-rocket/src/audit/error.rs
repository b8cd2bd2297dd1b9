//! Why the route audit refused the app: a rule of the configuration that
//! the mounted routes, or the NAIS manifest, break.

use std::error::Error as StdError;
use std::fmt;

use crate::config::ConfigError;
use crate::manifest::Report;
use crate::routes::MountedRoute;

/// Why the mounted routes fail what the configuration asks of them. Each
/// names the `maskinporten` key to change ([`AuditError::key`]); a test or
/// a caller matches [`AuditError::kind`].
///
/// ```
/// use maskinporten_rocket::audit::{audit, AuditErrorKind};
///
/// let figment = rocket::Config::figment().merge(("maskinporten.public_routes", ["GET"]));
/// let error = audit(&rocket::custom(figment)).unwrap_err();
/// assert!(matches!(error.kind(), AuditErrorKind::PublicRouteUnparsable { .. }));
/// assert_eq!(error.key(), Some("public_routes"));
/// ```
#[derive(Debug)]
pub struct AuditError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: AuditErrorKind,
    key: Option<&'static str>,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// The ways the mounted routes, or the manifest, break the configuration's
/// rules.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuditErrorKind {
    /// The configuration the rules come from cannot work; the
    /// [`ConfigError`] is the [`source`](StdError::source), with the key to
    /// change.
    Config,
    /// `check_manifest` is set, `manifest` is not, and neither `nais.yaml`
    /// nor `.nais/*.yaml` exists.
    NoManifest,
    /// `check_manifest` is set and the manifest cannot be read; the
    /// [`ManifestError`](crate::manifest::ManifestError) is the source.
    ManifestUnreadable,
    /// `check_manifest` is set and the NAIS manifest and the handlers'
    /// scopes disagree in a way that breaks requests.
    ManifestMismatch(Report),
    /// `deny_unmarked_routes` is set and these mounted routes have neither
    /// `#[scopes]` nor `#[public]`.
    UnmarkedRoutes(Vec<MountedRoute>),
    /// An entry of `public_routes` is not `"METHOD /path"` or `"/path"`.
    PublicRouteUnparsable {
        /// The entry as written.
        entry: String,
        /// What is wrong with it.
        why: String,
    },
    /// An entry of `public_routes` names no mounted route: a typo must not
    /// go unnoticed while the route it meant stays unmarked (or opens
    /// later, when a route of that name is mounted).
    PublicRouteUnmatched {
        /// The entry as written.
        entry: String,
    },
    /// An entry of `public_routes` names a route `#[scopes]` protects.
    PublicRouteProtected {
        /// The entry as written.
        entry: String,
        /// The protected route it names.
        route: MountedRoute,
    },
}

impl AuditError {
    pub(crate) fn new(kind: AuditErrorKind, key: &'static str) -> AuditError {
        AuditError(Box::new(Inner {
            kind,
            key: Some(key),
            source: None,
        }))
    }

    pub(crate) fn with_source(
        mut self,
        source: impl StdError + Send + Sync + 'static,
    ) -> AuditError {
        self.0.source = Some(Box::new(source));
        self
    }

    /// What is wrong.
    pub fn kind(&self) -> &AuditErrorKind {
        &self.0.kind
    }

    /// The key of the `maskinporten` table to change, when one key is the
    /// cause.
    pub fn key(&self) -> Option<&'static str> {
        self.0.key
    }
}

impl From<ConfigError> for AuditError {
    fn from(error: ConfigError) -> AuditError {
        AuditError(Box::new(Inner {
            kind: AuditErrorKind::Config,
            key: error.key(),
            source: Some(Box::new(error)),
        }))
    }
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use AuditErrorKind::*;
        if let (Some(key), false) = (self.0.key, self.0.kind == Config) {
            write!(f, "maskinporten.{key}: ")?;
        }
        match &self.0.kind {
            // The source says which key, and why.
            Config => f.write_str("the configuration cannot work"),
            NoManifest => f.write_str(
                "check_manifest is set but no manifest was found (nais.yaml or \
                 .nais/*.yaml); set `manifest` to its path",
            ),
            ManifestUnreadable => f.write_str("the NAIS manifest cannot be read"),
            ManifestMismatch(report) => {
                write!(f, "the NAIS manifest and the code disagree:\n{report}")
            }
            UnmarkedRoutes(routes) => write_unmarked(f, routes),
            PublicRouteUnparsable { entry, why } => {
                write!(f, "the entry {entry:?} is not a route: {why}")
            }
            PublicRouteUnmatched { entry } => write!(
                f,
                "the entry {entry:?} names no mounted route; write the method and path Rocket \
                 shows for the route (\"GET /metrics\"), or remove the entry"
            ),
            PublicRouteProtected { entry, route } => write!(
                f,
                "the entry {entry:?} names {route}, which #[scopes] protects; a route is \
                 either protected or public, so remove the entry or the attribute"
            ),
        }
    }
}

/// The refusal of unmarked routes: each route, then how to fix each, with
/// lines to paste.
fn write_unmarked(f: &mut fmt::Formatter<'_>, routes: &[MountedRoute]) -> fmt::Result {
    f.write_str(
        "these routes have neither #[scopes] nor #[public], so they would answer \
         without a token:",
    )?;
    for route in routes {
        write!(f, "\n  {route}")?;
    }
    let entries = routes
        .iter()
        .map(|route| {
            let path = route
                .uri
                .split_once('?')
                .map_or(&*route.uri, |(path, _)| path);
            format!("\"{} {path}\"", route.method)
        })
        .collect::<Vec<_>>()
        .join(", ");
    write!(
        f,
        "\nFor a handler of your own, put #[scopes(\"...\")] (the scopes it requires) or \
         #[public] (open on purpose) above its route attribute, and mount it with \
         maskinporten_rocket::routes!. For a route another crate mounts that is meant to be \
         open, declare it in public_routes (an entry ending in <_..> covers every route under \
         its path), in Rocket.toml:\
         \n  [default.maskinporten]\
         \n  public_routes = [{entries}]\
         \nor in the environment:\
         \n  ROCKET_MASKINPORTEN='{{public_routes=[{entries}]}}'\
         \n(deny_unmarked_routes = false would serve unmarked routes to anyone.)"
    )
}

impl StdError for AuditError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}
