//! The scope map: which mounted route requires which scopes, from what
//! `#[scopes]` and `#[public]` registered at compile time.
//!
//! Each attribute records a `RouteMark` for its handler, under the
//! handler's identity: its module path and name (`afp_api::v1::afp`).
//! Rocket's routes carry only a bare name (`afp`), which two handlers in
//! two modules or two crates can share, so [`routes!`](crate::routes!)
//! names each marked handler's route after its identity, and a mounted
//! route finds its mark by that name, method and path or counts as
//! unmarked. This is what lets the fairing log every route's protection,
//! refuse unmarked routes, and compare the code with the NAIS manifest.

use std::fmt;

use rocket::{Phase, Rocket};

use crate::scope::Requirement;

pub(crate) mod mark;
pub(crate) mod public;

use mark::RouteMark;
use public::PublicRoute;

/// How a mounted route is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Protection {
    /// `#[scopes(...)]`.
    Scopes(Requirement),
    /// `#[public]`: deliberately open.
    Public,
    /// No attribute (another crate mounted it), and an entry of the
    /// configuration's `public_routes` declares it open.
    PublicByConfiguration,
    /// Neither attribute.
    Unmarked,
}

/// One mounted route and its protection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MountedRoute {
    /// `GET`, `POST`, …
    pub method: String,
    /// The full path, mount point included.
    pub uri: String,
    /// The handler's name, when Rocket knows it.
    pub handler: Option<String>,
    /// What protects it.
    pub protection: Protection,
    /// Unmarked, yet a mark fits its bare name, method and path: most
    /// likely a marked handler mounted with `rocket::routes!`.
    pub(crate) bare_name_fits_a_mark: bool,
}

/// Every route mounted on one Rocket, with its protection, in mount order:
/// what [`scope_map`] returns. Its `Display` is the table the fairing logs
/// at liftoff.
///
/// A route counts as marked only when it was mounted with
/// [`routes!`](crate::routes!), which names it after its handler's module
/// path and name, and the mark registered under that name has the route's
/// method and path. A marked handler mounted with `rocket::routes!` is
/// listed as unmarked: its bare name could belong to a handler of another
/// module.
///
/// ```
/// use maskinporten_rocket::routes::{scope_map, Protection};
/// use maskinporten_rocket::{public, scopes};
/// use rocket::get;
///
/// #[scopes("nav:helse/sykepenger/afp.read")]
/// #[get("/afp")]
/// fn afp() -> &'static str { "afp" }
///
/// #[public]
/// #[get("/isalive")]
/// fn isalive() -> &'static str { "alive" }
///
/// let rocket = rocket::build().mount("/", maskinporten_rocket::routes![afp, isalive]);
/// let map = scope_map(&rocket);
/// let afp = map.get("GET", "/afp").map(|route| route.protection);
/// assert!(matches!(afp, Some(Protection::Scopes(r)) if r.scopes() == ["nav:helse/sykepenger/afp.read"]));
/// assert_eq!(map.get("GET", "/isalive").map(|route| route.protection), Some(Protection::Public));
/// assert_eq!(map.unmarked().count(), 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeMap {
    routes: Vec<MountedRoute>,
}

impl ScopeMap {
    /// The routes, in mount order.
    pub fn iter(&self) -> std::slice::Iter<'_, MountedRoute> {
        self.routes.iter()
    }

    /// The route mounted for `method` (any case) at `uri`, the full path as
    /// Rocket shows it (`/api/afp/<id>`).
    pub fn get(&self, method: &str, uri: &str) -> Option<&MountedRoute> {
        self.routes
            .iter()
            .find(|route| route.method.eq_ignore_ascii_case(method) && route.uri == uri)
    }

    /// The routes with neither `#[scopes]` nor `#[public]`.
    pub fn unmarked(&self) -> impl Iterator<Item = &MountedRoute> {
        self.routes
            .iter()
            .filter(|route| route.protection == Protection::Unmarked)
    }

    /// How many routes are mounted.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether no route is mounted.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }
}

impl<'a> IntoIterator for &'a ScopeMap {
    type Item = &'a MountedRoute;
    type IntoIter = std::slice::Iter<'a, MountedRoute>;

    fn into_iter(self) -> Self::IntoIter {
        self.routes.iter()
    }
}

/// Every route mounted on `rocket`, with its protection, in mount order.
/// See [`ScopeMap`]. A route without an attribute that an entry of the
/// configuration's `maskinporten.public_routes` names is
/// [`Protection::PublicByConfiguration`] (entries that are not route
/// patterns are skipped here; the fairing refuses them at ignite).
pub fn scope_map<P: Phase>(rocket: &Rocket<P>) -> ScopeMap {
    let entries: Vec<String> = rocket
        .figment()
        .focus("maskinporten")
        .extract_inner("public_routes")
        .unwrap_or_default();
    let public: Vec<PublicRoute> = entries
        .iter()
        .filter_map(|entry| PublicRoute::parse(entry).ok())
        .collect();
    scope_map_with(rocket, &public)
}

/// The scope map with `public` declaring routes open.
pub(crate) fn scope_map_with<P: Phase>(rocket: &Rocket<P>, public: &[PublicRoute]) -> ScopeMap {
    let routes = rocket
        .routes()
        .map(|route| {
            let protection = match mark::of(route) {
                Some(RouteMark {
                    requirement: Some(requirement),
                    ..
                }) => Protection::Scopes(*requirement),
                Some(_) => Protection::Public,
                None => Protection::Unmarked,
            };
            let (method, uri) = (route.method.as_str(), route.uri.to_string());
            let protection = match protection {
                Protection::Unmarked if public.iter().any(|p| p.matches(method, &uri)) => {
                    Protection::PublicByConfiguration
                }
                other => other,
            };
            MountedRoute {
                method: method.to_owned(),
                uri,
                handler: route.name.as_deref().map(str::to_owned),
                protection,
                bare_name_fits_a_mark: protection == Protection::Unmarked
                    && mark::fits_bare_name(route),
            }
        })
        .collect();
    ScopeMap { routes }
}

impl fmt::Display for MountedRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<7} {}", self.method, self.uri)?;
        if let Some(handler) = &self.handler {
            write!(f, " ({handler})")?;
        }
        if self.bare_name_fits_a_mark {
            f.write_str(
                ": a handler of this name, method and path is marked; mounted with \
                 rocket::routes!? mount marked handlers with maskinporten_rocket::routes! so \
                 their mark can be checked",
            )?;
        }
        Ok(())
    }
}

/// The table the fairing logs at liftoff: every route under its protection.
impl fmt::Display for ScopeMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.table())
    }
}

impl ScopeMap {
    fn table(&self) -> String {
        let mut text = String::from("protected routes:");
        let mut any = false;
        for route in &self.routes {
            if let Protection::Scopes(requirement) = route.protection {
                any = true;
                let mode = match requirement.mode() {
                    crate::scope::Mode::All => "all of",
                    crate::scope::Mode::Any => "any of",
                };
                text.push_str(&format!("\n  {route}  requires {mode}: {requirement}"));
                if !requirement.consumers().is_empty() {
                    text.push_str(&format!(
                        "; consumers: {}",
                        requirement.consumers().join(", ")
                    ));
                }
                if requirement.requires_system_user() {
                    text.push_str("; system user");
                    if !requirement.system_user_orgs().is_empty() {
                        text.push_str(&format!(
                            " of {}",
                            requirement.system_user_orgs().join(", ")
                        ));
                    }
                }
                if let Some(delegation) = requirement.written_delegation() {
                    text.push_str(&format!("; delegation: {}", delegation.as_str()));
                }
                if let Some(check) = requirement.check() {
                    text.push_str(&format!("; check: {check}"));
                }
            }
        }
        if !any {
            text.push_str(" none");
        }
        for (title, wanted) in [
            ("public routes", Protection::Public),
            (
                "public routes by configuration (public_routes)",
                Protection::PublicByConfiguration,
            ),
            (
                "routes with no #[scopes] or #[public]",
                Protection::Unmarked,
            ),
        ] {
            let routes: Vec<String> = self
                .routes
                .iter()
                .filter(|r| r.protection == wanted)
                .map(|r| format!("\n  {r}"))
                .collect();
            if !routes.is_empty() {
                text.push_str(&format!("\n{title}:{}", routes.concat()));
            }
        }
        text
    }
}

/// Rocket's `routes!`, naming each route of a `#[scopes]` or `#[public]`
/// handler after the handler's module path and name, so that the scope map,
/// `deny_unmarked_routes` and the manifest check find the mark of exactly
/// the handler mounted.
///
/// Mount marked handlers with this, not `rocket::routes!`: a route Rocket's
/// macro builds carries only the bare function name, which a handler of
/// another module or crate may share, so the fairing counts such a route as
/// unmarked rather than trust a mark that may not be its own. The syntax is
/// Rocket's: paths to handlers, comma-separated. Handlers with neither
/// attribute are mounted as `rocket::routes!` would.
///
/// ```
/// use maskinporten_rocket::routes::{scope_map, Protection};
///
/// mod v1 {
///     use maskinporten_rocket::scopes;
///     use rocket::get;
///
///     #[scopes("nav:helse/sykepenger/afp.read")]
///     #[get("/afp")]
///     pub fn afp() -> &'static str { "v1" }
/// }
///
/// mod v2 {
///     use rocket::get;
///
///     #[get("/afp")]
///     pub fn afp() -> &'static str { "v2, unmarked" }
/// }
///
/// let rocket = rocket::build()
///     .mount("/v1", maskinporten_rocket::routes![v1::afp])
///     .mount("/v2", maskinporten_rocket::routes![v2::afp]);
/// let map = scope_map(&rocket);
/// let v1 = map.get("GET", "/v1/afp");
/// assert!(matches!(v1.map(|r| r.protection), Some(Protection::Scopes(_))));
/// let v2 = map.get("GET", "/v2/afp");
/// assert_eq!(v2.map(|r| r.protection), Some(Protection::Unmarked));
/// // Named `<module path>::afp`.
/// let name = v1.and_then(|r| r.handler.as_deref());
/// assert!(name.is_some_and(|name| name.ends_with("::v1::afp")));
/// ```
///
/// With `use rocket::routes` or `#[macro_use] extern crate rocket` in
/// scope, write it `maskinporten_rocket::routes![...]`, or import it in
/// Rocket's stead with `use maskinporten_rocket::routes;`.
#[macro_export]
macro_rules! routes {
    () => {
        ::std::vec::Vec::<$crate::__private::Route>::new()
    };
    ($($handler:path),+ $(,)?) => {{
        #[allow(unused_imports)]
        use $crate::__private::{ViaMarked as _, ViaUnmarked as _};
        let mut routes = ::std::vec::Vec::<$crate::__private::Route>::new();
        $(
            routes.extend($crate::__private::named(
                ::rocket::routes![$handler],
                (&&$crate::__private::Probe::<$handler>::new()).mark(),
            ));
        )+
        routes
    }};
}

#[cfg(test)]
mod tests;
