//! What the configuration asks of the mounted routes, checked by the
//! fairing at ignite, after the other ignite fairings and at liftoff:
//! every route marked (`deny_unmarked_routes`) or declared public
//! (`public_routes`), each `public_routes` entry naming a mounted route
//! that no `#[scopes]` protects, and the handlers agreeing with the NAIS
//! manifest (`check_manifest`).

use std::path::PathBuf;

use rocket::{Phase, Rocket};

use super::public::PublicRoute;
use super::{Protection, ScopeMap};
use crate::config::{Config, ConfigError, ConfigErrorKind};
use crate::manifest::{self, Manifest};

/// The route rules of a checked configuration.
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    pub(crate) deny_unmarked_routes: bool,
    pub(crate) public_routes: Vec<PublicRoute>,
    pub(crate) check_manifest: bool,
    /// The manifest to check; `None`: look for one.
    pub(crate) manifest: Option<PathBuf>,
    pub(crate) scope_prefix: String,
}

/// Holds `rocket`'s mounted routes to its configuration's route rules, as
/// the fairing does at ignite: for a test that wants the typed error (a
/// [`ConfigErrorKind::UnmarkedRoutes`], say) rather than a failed ignite.
/// Returns the scope map the rules were checked on.
///
/// ```
/// use maskinporten_rocket::routes::audit;
/// use maskinporten_rocket::ConfigErrorKind;
/// use rocket::get;
///
/// #[get("/metrics")] // as another crate would mount it
/// fn metrics() -> &'static str { "" }
///
/// let figment = rocket::Config::figment()
///     .merge(("maskinporten.deny_unmarked_routes", true))
///     .merge(("maskinporten.public_routes", ["GET /metrix"]));
/// let rocket = rocket::custom(figment).mount("/", rocket::routes![metrics]);
/// let error = audit(&rocket).unwrap_err();
/// assert!(matches!(error.kind(), ConfigErrorKind::PublicRouteUnmatched { entry } if entry == "GET /metrix"));
/// ```
pub fn audit<P: Phase>(rocket: &Rocket<P>) -> Result<ScopeMap, ConfigError> {
    let rules = Config::from_figment(rocket.figment())?.route_rules()?;
    let map = super::scope_map_with(rocket, &rules.public_routes);
    check(&map, &rules)?;
    Ok(map)
}

/// Checks `map` (built with `rules.public_routes`) against `rules`.
pub(crate) fn check(map: &ScopeMap, rules: &Rules) -> Result<(), ConfigError> {
    for public in &rules.public_routes {
        let mut matched = map
            .iter()
            .filter(|route| public.matches(&route.method, &route.uri))
            .peekable();
        if matched.peek().is_none() {
            let kind = ConfigErrorKind::PublicRouteUnmatched {
                entry: public.entry().to_owned(),
            };
            return Err(ConfigError::new(kind, "public_routes"));
        }
        if let Some(protected) = matched.find(|r| matches!(r.protection, Protection::Scopes(_))) {
            let kind = ConfigErrorKind::PublicRouteProtected {
                entry: public.entry().to_owned(),
                route: protected.clone(),
            };
            return Err(ConfigError::new(kind, "public_routes"));
        }
    }
    if rules.deny_unmarked_routes {
        let unmarked: Vec<_> = map.unmarked().cloned().collect();
        if !unmarked.is_empty() {
            let kind = ConfigErrorKind::UnmarkedRoutes(unmarked);
            return Err(ConfigError::new(kind, "deny_unmarked_routes"));
        }
    }
    if rules.check_manifest {
        let paths = match &rules.manifest {
            Some(path) => vec![path.clone()],
            None => manifest::discover(),
        };
        if paths.is_empty() {
            return Err(ConfigError::new(ConfigErrorKind::NoManifest, "manifest"));
        }
        let manifest = Manifest::from_paths(&paths, &rules.scope_prefix).map_err(|e| {
            ConfigError::new(ConfigErrorKind::ManifestUnreadable, "check_manifest").with_source(e)
        })?;
        let report = manifest::compare(&manifest, map);
        for warning in &report.warnings {
            tracing::warn!(target: "maskinporten", "manifest check: {warning}");
        }
        if !report.errors.is_empty() {
            let kind = ConfigErrorKind::ManifestMismatch(report);
            return Err(ConfigError::new(kind, "check_manifest"));
        }
    }
    Ok(())
}
