//! What `#[scopes]` and `#[public]` register for each handler, and how a
//! mounted route finds its mark. Reached by the generated code through
//! `__private` only: not a public API.

use rocket::Route;

use crate::scope::Requirement;

/// What `#[scopes]` or `#[public]` registers for one handler. Built by the
/// macros; not meant to be written by hand.
#[derive(Debug)]
pub struct RouteMark {
    /// The handler function's name, which Rocket also gives the route.
    pub handler: &'static str,
    /// `module_path!()` of the handler, for messages.
    pub module: &'static str,
    /// The route attribute's method in upper case (`GET`), or empty when the
    /// macro could not read it.
    pub method: &'static str,
    /// The route attribute's path as written (`/afp/<id>`), or empty.
    pub path: &'static str,
    /// The requirement, or `None` for `#[public]`.
    pub requirement: Option<Requirement>,
}

inventory::collect!(RouteMark);

/// The mark of `route`: the one registered with the same handler name,
/// method and path as written. The name alone is not enough: an unmarked
/// handler may share it with a protected one in another module. When no
/// mark, or more than one, fits, the route counts as unmarked, so that
/// deny-by-default fails closed rather than trust the wrong mark.
pub(super) fn of(route: &Route) -> Option<&'static RouteMark> {
    // Rocket names the route `stringify!(fn)`, which keeps a raw `r#`.
    let name = route.name.as_deref()?;
    let name = name.strip_prefix("r#").unwrap_or(name);
    let method = route.method.as_str();
    let path = route.uri.unmounted_origin.to_string();
    // An empty method or path: the macro could not read the route
    // attribute, so that part cannot be compared.
    let mut fitting = inventory::iter::<RouteMark>.into_iter().filter(|mark| {
        mark.handler == name
            && (mark.method.is_empty() || mark.method.eq_ignore_ascii_case(method))
            && (mark.path.is_empty() || mark.path == path)
    });
    let mark = fitting.next()?;
    match fitting.next() {
        None => Some(mark),
        Some(_) => None,
    }
}
