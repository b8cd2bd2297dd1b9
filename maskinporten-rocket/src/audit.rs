//! What the configuration asks of the mounted routes, checked by the
//! fairing at ignite, after the other ignite fairings and at liftoff:
//! every route marked (`deny_unmarked_routes`) or declared public
//! (`public_routes`), each `public_routes` entry naming a mounted route
//! that no `#[scopes]` protects, and the handlers agreeing with the NAIS
//! manifest (`check_manifest`).
//!
//! The audit stands above the configuration, the scope map and the
//! manifest, and brings the three together; none of them knows of it.

use std::path::PathBuf;

use rocket::{Phase, Rocket};

use crate::config::Config;
use crate::manifest::{self, Manifest};
use crate::routes::public::PublicRoute;
use crate::routes::{self, Protection, ScopeMap};

mod error;

pub use error::{AuditError, AuditErrorKind};

/// What a configuration asks of the mounted routes, checked.
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    pub(crate) deny_unmarked_routes: bool,
    pub(crate) public_routes: Vec<PublicRoute>,
    pub(crate) check_manifest: bool,
    /// The manifest to check; `None`: look for one.
    pub(crate) manifest: Option<PathBuf>,
    pub(crate) scope_prefix: String,
}

impl Rules {
    /// The route rules of `config`; an entry of `public_routes` that is not
    /// a route pattern is refused here.
    pub(crate) fn of(config: &Config) -> Result<Rules, AuditError> {
        let public_routes = config
            .public_routes
            .iter()
            .map(|entry| {
                PublicRoute::parse(entry).map_err(|why| {
                    let kind = AuditErrorKind::PublicRouteUnparsable {
                        entry: entry.clone(),
                        why: why.to_string(),
                    };
                    AuditError::new(kind, "public_routes")
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Rules {
            deny_unmarked_routes: config.deny_unmarked_routes,
            public_routes,
            check_manifest: config.check_manifest,
            manifest: config.manifest.as_ref().map(PathBuf::from),
            scope_prefix: config.scope_prefix.clone(),
        })
    }
}

/// Holds `rocket`'s mounted routes to its configuration's route rules, as
/// the fairing does at ignite: for a test that wants the typed error (a
/// [`AuditErrorKind::UnmarkedRoutes`], say) rather than a failed ignite.
/// Returns the scope map the rules were checked on.
///
/// ```
/// use maskinporten_rocket::audit::{audit, AuditErrorKind};
/// use rocket::get;
///
/// #[get("/metrics")] // as another crate would mount it
/// fn metrics() -> &'static str { "" }
///
/// let figment = rocket::Config::figment()
///     .merge(("maskinporten.public_routes", ["GET /metrix"]));
/// let rocket = rocket::custom(figment).mount("/", rocket::routes![metrics]);
/// let error = audit(&rocket).unwrap_err();
/// assert!(matches!(error.kind(), AuditErrorKind::PublicRouteUnmatched { entry } if entry == "GET /metrix"));
/// ```
pub fn audit<P: Phase>(rocket: &Rocket<P>) -> Result<ScopeMap, AuditError> {
    let rules = Rules::of(&Config::from_figment(rocket.figment())?)?;
    let map = routes::scope_map_with(rocket, &rules.public_routes);
    check(&map, &rules)?;
    Ok(map)
}

/// Checks `map` (built with `rules.public_routes`) against `rules`.
pub(crate) fn check(map: &ScopeMap, rules: &Rules) -> Result<(), AuditError> {
    for public in &rules.public_routes {
        let mut matched = map
            .iter()
            .filter(|route| public.matches(&route.method, &route.uri))
            .peekable();
        if matched.peek().is_none() {
            let kind = AuditErrorKind::PublicRouteUnmatched {
                entry: public.entry().to_owned(),
            };
            return Err(AuditError::new(kind, "public_routes"));
        }
        if let Some(protected) = matched.find(|r| matches!(r.protection, Protection::Scopes(_))) {
            let kind = AuditErrorKind::PublicRouteProtected {
                entry: public.entry().to_owned(),
                route: protected.clone(),
            };
            return Err(AuditError::new(kind, "public_routes"));
        }
    }
    if rules.deny_unmarked_routes {
        let unmarked: Vec<_> = map.unmarked().cloned().collect();
        if !unmarked.is_empty() {
            let kind = AuditErrorKind::UnmarkedRoutes(unmarked);
            return Err(AuditError::new(kind, "deny_unmarked_routes"));
        }
    }
    if rules.check_manifest {
        let paths = match &rules.manifest {
            Some(path) => vec![path.clone()],
            None => manifest::discover(),
        };
        if paths.is_empty() {
            return Err(AuditError::new(AuditErrorKind::NoManifest, "manifest"));
        }
        let manifest = Manifest::from_paths(&paths, &rules.scope_prefix).map_err(|e| {
            AuditError::new(AuditErrorKind::ManifestUnreadable, "check_manifest").with_source(e)
        })?;
        let report = manifest::compare(&manifest, map);
        for warning in &report.warnings {
            tracing::warn!(target: "maskinporten", "manifest check: {warning}");
        }
        if !report.errors.is_empty() {
            let kind = AuditErrorKind::ManifestMismatch(report);
            return Err(AuditError::new(kind, "check_manifest"));
        }
    }
    Ok(())
}
