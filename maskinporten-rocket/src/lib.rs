//! Protect Rocket handlers with Maskinporten tokens: one attribute per
//! handler, one fairing per app.
//!
//! ```
//! use maskinporten_rocket::{scopes, Claims, Maskinporten};
//! use rocket::get;
//!
//! #[scopes("nav:helse/sykepenger/afp.read")]
//! #[get("/afp")]
//! fn afp(claims: Claims) -> String {
//!     format!("AFP for {}", claims.consumer_orgno().unwrap_or("?"))
//! }
//!
//! # fn main() -> Result<(), rocket::Error> { rocket::execute(async {
//! use maskinporten_testing::{bearer, Issuer};
//! use rocket::http::Status;
//!
//! // A stand-in Maskinporten on 127.0.0.1, serving metadata and JWKS.
//! let issuer = Issuer::start().await;
//! let rocket = rocket::custom(issuer.figment())
//!     .attach(Maskinporten::fairing())
//!     .mount("/", maskinporten_rocket::routes![afp]);
//! let client = rocket::local::asynchronous::Client::tracked(rocket).await?;
//!
//! let token = issuer.token().scope("nav:helse/sykepenger/afp.read").consumer("123456789").sign();
//! let response = client.get("/afp").header(bearer(&token)).dispatch().await;
//! assert_eq!(response.status(), Status::Ok);
//! assert_eq!(response.into_string().await.as_deref(), Some("AFP for 123456789"));
//!
//! let response = client.get("/afp").dispatch().await;
//! assert_eq!(response.status(), Status::Unauthorized);
//! assert_eq!(response.headers().get_one("WWW-Authenticate"), Some("Bearer"));
//! # Ok(()) }) }
//! ```
//!
//! - [`scopes`] on a handler (above the route attribute) requires the listed
//!   scopes; `#[scopes(any("a", "b"))]` requires one of them. Scope strings
//!   are checked against NAIS's grammar at compile time.
//! - [`Claims`] is a request guard with the verified token's claims.
//! - [`Maskinporten::fairing`] reads the `maskinporten` table of Rocket's
//!   configuration ([`Config`]), with the NAIS variables
//!   (`MASKINPORTEN_ISSUER`, `MASKINPORTEN_JWKS_URI`,
//!   `MASKINPORTEN_WELL_KNOWN_URL`) as defaults, so on NAIS it needs none.
//! - Refusals follow RFC 6750: 401 with `WWW-Authenticate: Bearer` when no
//!   token is sent, 401 `invalid_token` for a bad token, 403
//!   `insufficient_scope` for a missing scope, 503 with `Retry-After` when the
//!   issuer cannot be reached. See [`Rejection`].
//! - [`routes!`] mounts marked handlers (Rocket's syntax), naming each
//!   route after its handler's module path and name so that the fairing
//!   finds the handler's own mark; a marked handler mounted with
//!   `rocket::routes!` counts as unmarked.
//! - A configuration that cannot work stops ignite with a [`ConfigError`]
//!   naming the key to change; [`manifest`] compares the NAIS manifest with
//!   the handlers' scopes, and [`routes::scope_map`] lists what protects
//!   each mounted route.
//! - The library logs through `tracing` (target `maskinporten`), which
//!   reaches the `log` crate, and so Rocket's logger, when no tracing
//!   subscriber is installed. Feature `metrics`: Prometheus counters and
//!   histograms of every verdict, the keys, the verdict cache and Texas
//!   (`Maskinporten::with_registry`, the `prometheus` re-export). Feature
//!   `tracing`: a span `verification` per validated token. Neither holds
//!   the token, its claims or its signature. Rocket's own line for each
//!   request does (it holds every header, at DEBUG): when it would be
//!   written, a release build refuses to start, naming the setting that
//!   keeps it out, unless `accept_tokens_in_logs` accepts tokens in the log.
//! - With the feature `utoipa` or `okapi`, `openapi::Security` writes the
//!   scope map into the OpenAPI document utoipa or rocket_okapi generates:
//!   the `maskinporten` scheme, each operation's `security`, and its 400,
//!   401, 403 and 503 responses. With `okapi`, `Claims` and the guard
//!   `#[scopes]` generates implement rocket_okapi's `OpenApiFromRequest`,
//!   so `#[openapi]` compiles on their handlers.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod audit;
mod chain;
mod check;
mod claims;
mod config;
mod fairing;
mod guard;
mod http;
mod json;
pub mod manifest;
mod metrics;
#[cfg(any(feature = "utoipa", feature = "okapi"))]
pub mod openapi;
mod rejection;
mod request_log;
mod response;
pub mod routes;
pub mod scope;
mod sentinel;
mod token_error;
mod validate;
pub mod verdict;
mod well_known;

pub use audit::{AuditError, AuditErrorKind};
pub use check::{CheckError, CheckErrorKind};
pub use claims::{Claims, Organisation, SystemUser, SystemUserError, SystemUserErrorKind};
pub use config::{Config, ConfigError, ConfigErrorKind, IntrospectionBody, ValidationMode};
pub use fairing::Maskinporten;
/// Requires Maskinporten scopes on a Rocket handler; place it above the
/// route attribute.
///
/// ```
/// use maskinporten_rocket::{scopes, Claims};
/// use rocket::{get, post};
///
/// // Every listed scope is required.
/// #[scopes("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write")]
/// #[post("/afp", data = "<body>")]
/// fn register(body: String, claims: Claims) -> String {
///     format!("{} registered {body}", claims.consumer_orgno().unwrap_or("?"))
/// }
///
/// // One is enough; and only these consumer organisations.
/// #[scopes(any("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write"), consumers = ["123456789"])]
/// #[get("/afp/<id>")]
/// async fn one(id: u32) -> String {
///     id.to_string()
/// }
///
/// let _ = rocket::build().mount("/", maskinporten_rocket::routes![register, one]);
/// ```
///
/// Beyond the scopes: a token from an Altinn system user (of some
/// organisations only), a rule for delegated access, and a check of the
/// app's own that runs after everything else passed (see [`CheckError`]):
///
/// ```
/// use maskinporten_rocket::{scopes, CheckError, Claims};
/// use rocket::{get, Request};
///
/// #[scopes("nav:helse/sykepenger/afp.read", system_user_orgs = ["123456789"], delegation = deny)]
/// #[get("/afp/system-user")]
/// fn system_user(claims: Claims) -> String {
///     claims.system_user().ok().flatten().map(|u| u.system_id().to_owned()).unwrap_or_default()
/// }
///
/// async fn weekdays_only(_: &Claims, _: &Request<'_>) -> Result<(), CheckError> {
///     Err(CheckError::refused("Not on weekends"))
/// }
///
/// #[scopes("nav:helse/sykepenger/afp.write", check = weekdays_only)]
/// #[get("/afp/batch")]
/// fn batch() {}
///
/// let _ = rocket::build().mount("/", maskinporten_rocket::routes![system_user, batch]);
/// ```
///
/// A scope NAIS could not expose is a compile error on its string:
///
/// ```compile_fail
/// use maskinporten_rocket::scopes;
/// use rocket::get;
///
/// #[scopes("nav:helse/afp-read")] // `-` is not allowed in a NAIS name
/// #[get("/afp")]
/// fn afp() {}
/// ```
pub use maskinporten_macros::scopes;

/// Marks a Rocket handler as deliberately open to every caller, for the
/// scope map and `deny_unmarked_routes`; place it above the route attribute.
///
/// ```
/// use maskinporten_rocket::public;
/// use rocket::get;
///
/// #[public]
/// #[get("/isalive")]
/// fn isalive() -> &'static str {
///     "alive"
/// }
///
/// let _ = rocket::build().mount("/", maskinporten_rocket::routes![isalive]);
/// ```
pub use maskinporten_macros::public;
pub use rejection::{Outage, Refusal, Rejection};
pub use scope::{Scope, ScopeError};
pub use token_error::TokenError;
pub use validate::Validator;

/// The `prometheus` crate this library registers its metrics with (the
/// `metrics` feature): the same version `rocket_prometheus` 0.11 uses, so
/// one [`Registry`](prometheus::Registry) serves both.
#[cfg(feature = "metrics")]
pub use prometheus;

/// What `#[scopes]`, `#[public]` and [`routes!`] expand to refers to these,
/// and to nothing else of this crate (the macro crate's `exports.rs` lists
/// the paths). Not a public API: any of it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::check::{CheckError, run as run_check};
    pub use crate::guard::{authorize, conclude};
    pub use crate::rejection::Rejection;
    pub use crate::routes::mark::{Marked, Probe, RouteMark, ViaMarked, ViaUnmarked, named};
    pub use crate::scope::{Delegation, Requirement};
    pub use crate::sentinel::abort_without_fairing;
    pub use inventory;
    pub use rocket::request::{FromRequest, Outcome, Request};
    pub use rocket::{Ignite, Rocket, Route, Sentinel, async_trait};

    /// What the guard `#[scopes]` generates needs for rocket_okapi's
    /// `OpenApiFromRequest` (the macro's `okapi` feature).
    #[cfg(feature = "okapi")]
    pub mod okapi {
        pub use crate::openapi::okapi::{scopes_input, scopes_responses};
        pub use rocket_okapi::Result;
        pub use rocket_okapi::r#gen::OpenApiGenerator;
        pub use rocket_okapi::okapi::openapi3::Responses;
        pub use rocket_okapi::request::{OpenApiFromRequest, RequestHeaderInput};
    }
}
