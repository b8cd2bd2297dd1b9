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

/// Every route mounted on `rocket`, with its protection, in mount order.
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
/// assert!(matches!(map[0].protection, Protection::Scopes(r) if r.scopes() == ["nav:helse/sykepenger/afp.read"]));
/// assert_eq!(map[1].protection, Protection::Public);
/// ```
pub fn scope_map<P: Phase>(rocket: &Rocket<P>) -> Vec<MountedRoute> {
    rocket
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
        .collect()
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

/// The table the fairing logs at liftoff.
pub(crate) fn describe(map: &[MountedRoute]) -> String {
    let mut text = String::from("protected routes:");
    let mut any = false;
    for route in map {
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
        let routes: Vec<String> = map
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

#[cfg(test)]
mod tests;
