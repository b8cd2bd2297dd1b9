//! Launch refuses a protected route that nothing could protect: without the
//! fairing there is no validator, so every request to the route would get a
//! 503. Rocket asks each type in a mounted route's signature that is a
//! [`Sentinel`] whether to abort, right after ignite; the guard `#[scopes]`
//! generates asks [`abort_without_fairing`], and so does [`Claims`].

use rocket::{Ignite, Rocket, Sentinel};

use crate::claims::Claims;
use crate::validate::Validator;

/// Whether `rocket` lacks the fairing that a route with `what` needs;
/// logs why when it does.
pub fn abort_without_fairing(rocket: &Rocket<Ignite>, what: &str) -> bool {
    let missing = rocket.state::<Validator>().is_none();
    if missing {
        tracing::error!(target: "maskinporten",
            "{what} is mounted, but the Maskinporten fairing is not attached, so no token \
             could be checked: attach `Maskinporten::fairing()`");
    }
    missing
}

/// Aborts launch when a route with a [`Claims`] guard is mounted and the
/// fairing is not attached.
///
/// ```
/// use maskinporten_rocket::Claims;
/// use rocket::get;
///
/// #[get("/whoami")]
/// fn whoami(claims: Claims) -> String {
///     claims.client_id().unwrap_or("?").to_owned()
/// }
///
/// # rocket::execute(async {
/// let ignited = rocket::build().mount("/", rocket::routes![whoami]).ignite().await;
/// assert!(matches!(
///     ignited.unwrap_err().kind(),
///     rocket::error::ErrorKind::SentinelAborts(_)
/// ));
/// # });
/// ```
impl Sentinel for Claims {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        abort_without_fairing(rocket, "a route with a `Claims` guard")
    }
}
