//! The scope map: which mounted route requires which scopes, from what
//! `#[scopes]` and `#[public]` registered at compile time.
//!
//! Each attribute submits a `RouteMark` (see `routes/mark.rs`) to a link-time registry
//! (`inventory`). Rocket's routes carry the handler's name, method and
//! path, so a mounted route finds its mark by those; this is what lets the
//! fairing log every route's protection, refuse unmarked routes, and compare
//! the code with the NAIS manifest.

use std::fmt;

use rocket::{Phase, Rocket};

use crate::scope::Requirement;

pub(crate) mod mark;

use mark::RouteMark;

/// How a mounted route is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Protection {
    /// `#[scopes(...)]`.
    Scopes(Requirement),
    /// `#[public]`: deliberately open.
    Public,
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
}

/// Every route mounted on one Rocket, with its protection, in mount order:
/// what [`scope_map`] returns. Its `Display` is the table the fairing logs
/// at liftoff.
///
/// ```
/// use maskinporten_rocket::routes::{scope_map, Protection};
/// use maskinporten_rocket::{public, scopes};
///
/// #[scopes("nav:helse/sykepenger/afp.read")]
/// #[rocket::get("/afp")]
/// fn afp() -> &'static str { "afp" }
///
/// #[public]
/// #[rocket::get("/isalive")]
/// fn isalive() -> &'static str { "alive" }
///
/// let rocket = rocket::build().mount("/", rocket::routes![afp, isalive]);
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
/// See [`ScopeMap`].
pub fn scope_map<P: Phase>(rocket: &Rocket<P>) -> ScopeMap {
    let routes = rocket
        .routes()
        .map(|route| MountedRoute {
            method: route.method.as_str().to_owned(),
            uri: route.uri.to_string(),
            handler: route.name.as_deref().map(str::to_owned),
            protection: match mark::of(route) {
                Some(RouteMark {
                    requirement: Some(requirement),
                    ..
                }) => Protection::Scopes(*requirement),
                Some(_) => Protection::Public,
                None => Protection::Unmarked,
            },
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
            }
        }
        if !any {
            text.push_str(" none");
        }
        for (title, wanted) in [
            ("public routes", Protection::Public),
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

#[cfg(test)]
mod tests;
