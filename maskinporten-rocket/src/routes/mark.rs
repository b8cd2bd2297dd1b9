//! What `#[scopes]` and `#[public]` record for each handler, how
//! [`routes!`](crate::routes!) names a marked handler's route after it, and
//! how a mounted route finds its mark again. Reached by the generated code
//! through `__private` only: not a public API.

use std::borrow::Cow;
use std::marker::PhantomData;

use rocket::Route;

use crate::scope::Requirement;

/// What `#[scopes]` or `#[public]` records for one handler. Built by the
/// macros; not meant to be written by hand.
#[derive(Debug, Clone, Copy)]
pub struct RouteMark {
    /// `<module_path>::<fn>`, the handler's name as no other handler in the
    /// binary can have it: what [`routes!`](crate::routes!) names the route.
    pub identity: &'static str,
    /// The handler function's name, without a raw identifier's `r#`.
    pub handler: &'static str,
    /// `module_path!()` of the handler.
    pub module: &'static str,
    /// The route attribute's method in upper case (`GET`), or empty when the
    /// macro could not read it.
    pub method: &'static str,
    /// The route attribute's path as written (`/afp/<id>`), or empty.
    pub path: &'static str,
    /// The requirement, or `None` for `#[public]`.
    pub requirement: Option<Requirement>,
}

// The scope map and the manifest generator go through every mark, mounted
// or not; `Marked` reaches one handler's. Both hold the same constant.
inventory::collect!(RouteMark);

/// Implemented by `#[scopes]` and `#[public]` for the unit struct Rocket's
/// route attribute generates beside the handler (the one
/// `rocket::routes![afp]` builds the route from), so that
/// [`routes!`](crate::routes!) finds the mark of exactly the handler it
/// mounts.
pub trait Marked {
    /// The handler's mark.
    const MARK: &'static RouteMark;
}

/// Asks, at compile time, whether `T` is [`Marked`] without requiring it:
/// `(&&Probe::<T>::new()).mark()` picks [`ViaMarked`] when `T: Marked` and
/// falls back to [`ViaUnmarked`] otherwise (autoref specialization), so
/// [`routes!`](crate::routes!) mounts unmarked handlers too.
pub struct Probe<T>(PhantomData<T>);

impl<T> Probe<T> {
    /// A probe for `T`.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Probe<T> {
        Probe(PhantomData)
    }
}

/// The mark of a [`Marked`] handler.
pub trait ViaMarked {
    /// `Some(mark)`.
    fn mark(&self) -> Option<&'static RouteMark>;
}

impl<T: Marked> ViaMarked for &Probe<T> {
    fn mark(&self) -> Option<&'static RouteMark> {
        Some(T::MARK)
    }
}

/// The fallback for a handler with neither attribute.
pub trait ViaUnmarked {
    /// `None`.
    fn mark(&self) -> Option<&'static RouteMark>;
}

impl<T> ViaUnmarked for Probe<T> {
    fn mark(&self) -> Option<&'static RouteMark> {
        None
    }
}

/// The one route of `routes` (what `rocket::routes![handler]` built), named
/// after `mark`'s identity when the handler is marked.
pub fn named(routes: Vec<Route>, mark: Option<&'static RouteMark>) -> Vec<Route> {
    routes
        .into_iter()
        .map(|mut route| {
            if let Some(mark) = mark {
                route.name = Some(Cow::Borrowed(mark.identity));
            }
            route
        })
        .collect()
}

/// The mark of `route`: the one registered under the identity the route is
/// named after, if its method and path agree with the route's. A bare name
/// (`rocket::routes!`), an identity no mark or more than one mark has, or a
/// disagreement: unmarked, so that deny-by-default fails closed rather than
/// trust a mark that may belong to another handler.
pub(super) fn of(route: &Route) -> Option<&'static RouteMark> {
    let identity = route.name.as_deref()?;
    let mut fitting = inventory::iter::<RouteMark>
        .into_iter()
        .filter(|mark| mark.identity == identity && agrees(mark, route));
    let mark = fitting.next()?;
    match fitting.next() {
        None => Some(mark),
        Some(_) => None,
    }
}

/// Whether a mark fits `route`'s bare name, method and path, though the
/// route does not carry its identity: what mounting a marked handler with
/// `rocket::routes!` looks like.
pub(super) fn fits_bare_name(route: &Route) -> bool {
    // Rocket names the route `stringify!(fn)`, which keeps a raw `r#`.
    let Some(name) = route.name.as_deref() else {
        return false;
    };
    let name = name.strip_prefix("r#").unwrap_or(name);
    inventory::iter::<RouteMark>
        .into_iter()
        .any(|mark| mark.handler == name && agrees(mark, route))
}

/// Whether the mark's method and path are the route's. An empty one: the
/// macro could not read the route attribute, so that part cannot be
/// compared.
fn agrees(mark: &RouteMark, route: &Route) -> bool {
    // As written in the attribute, which is how Rocket prints it.
    let path = route.uri.unmounted_origin.to_string();
    (mark.method.is_empty() || mark.method.eq_ignore_ascii_case(route.method.as_str()))
        && (mark.path.is_empty() || mark.path == path)
}
