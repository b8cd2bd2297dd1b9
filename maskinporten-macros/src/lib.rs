//! The `#[scopes]` and `#[public]` attributes of `maskinporten-rocket`.
//!
//! Use them through `maskinporten_rocket::{scopes, public}`, which re-export
//! them: the code they generate names items of `maskinporten_rocket` by
//! absolute path, so it only compiles in a crate that depends on
//! `maskinporten-rocket`.
//!
//! ```ignore
//! use maskinporten_rocket::{public, scopes, Claims};
//! use rocket::get;
//!
//! // Every listed scope is required.
//! #[scopes("nav:helse/sykepenger/afp.read")]
//! #[get("/afp/<id>")]
//! fn afp(id: u32, claims: Claims) -> String {
//!     // `claims` holds the verified token's claims.
//!     format!("afp {id}")
//! }
//!
//! // One of the listed scopes is enough.
//! #[scopes(any("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write"))]
//! #[get("/afp")]
//! async fn list() -> &'static str {
//!     "[]"
//! }
//!
//! // Only these consumer organisations, with the scope.
//! #[scopes("nav:helse/sykepenger/afp.read", consumers = ["123456789"])]
//! #[get("/afp/partner")]
//! fn partner() -> &'static str {
//!     "[]"
//! }
//!
//! // Deliberately open to every caller.
//! #[public]
//! #[get("/isalive")]
//! fn isalive() -> &'static str {
//!     "alive"
//! }
//! ```
//!
//! Each scope is checked at compile time against the grammar NAIS enforces
//! (`maskinporten_scope::Parts::parse`, the same code the runtime uses); a scope NAIS
//! could not expose is a compile error on its string literal that says what
//! to write instead. Both attributes register the handler, with its method,
//! path and requirement, in the runtime's scope map (`inventory`), under its
//! module path and name, which `maskinporten_rocket::routes!` gives the
//! route so that the runtime finds this handler's mark and no other's.
//!
//! The code is split by phase: `parse` turns tokens into typed arguments and
//! the item, `rules` turns every mistake into a spanned `syn::Error`, and
//! `expand` generates the code, naming the runtime only through the paths
//! in `exports`.

#![forbid(unsafe_code)]

mod expand;
mod exports;
mod parse;
mod rules;

use proc_macro::TokenStream;

/// Requires Maskinporten scopes on a Rocket handler.
///
/// Place it **above** the route attribute. `#[scopes("a", "b")]` requires
/// every listed scope; `#[scopes(any("a", "b"))]` requires at least one.
///
/// ```ignore
/// use maskinporten_rocket::scopes;
/// use rocket::get;
///
/// #[scopes("nav:helse/sykepenger/afp.read")]
/// #[get("/afp")]
/// fn afp() -> &'static str {
///     "ok"
/// }
/// ```
///
/// The attribute adds a request guard as the handler's first parameter, so
/// the token is checked before any other guard runs; a request without a
/// valid token carrying the scopes gets 401 or 403 and the handler is not
/// called. The body, the return type and the other parameters are left as
/// written. The guard's type is named `Scopes_<fn>`, which is what Rocket's
/// log line for a refused request shows:
/// ``Request guard `Scopes_afp` failed: InsufficientScope(scopes("nav:helse/sykepenger/afp.read")).``
///
/// With maskinporten-rocket's `okapi` feature the guard also implements
/// rocket_okapi's `OpenApiFromRequest`, so `#[openapi]` may stand between
/// this attribute and the route attribute.
///
/// Every scope must be a string literal that NAIS can expose
/// (`<prefix>:<product><separator><name>`, for example
/// `"nav:helse/sykepenger/afp.read"`); anything else is a compile error on
/// the offending tokens.
///
/// `consumers = ["123456789", ...]` additionally allows only tokens whose
/// consumer organisation number is listed (nine digits each, as in the NAIS
/// manifest's `consumers[].orgno`), with either form:
///
/// ```ignore
/// #[scopes(any("nav:helse/afp.read", "nav:helse/afp.write"), consumers = ["123456789"])]
/// #[get("/afp")]
/// fn afp() -> &'static str {
///     "ok"
/// }
/// ```
#[proc_macro_attribute]
pub fn scopes(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let args = syn::parse::<parse::Args>(args);
    let parsed = syn::parse2::<parse::Item>(item.clone());
    match rules::scopes(args, parsed) {
        Ok(protected) => expand::protected(protected),
        Err(errors) => expand::errors(errors, item),
    }
    .into()
}

/// Marks a Rocket handler as deliberately open to every caller.
///
/// Place it **above** the route attribute, like `#[scopes]`. It takes no
/// arguments, cannot be combined with `#[scopes]`, and leaves the handler
/// exactly as written: it only records the route as public, so that the
/// check for handlers with neither attribute passes it.
///
/// ```ignore
/// use maskinporten_rocket::public;
/// use rocket::get;
///
/// #[public]
/// #[get("/isalive")]
/// fn isalive() -> &'static str {
///     "alive"
/// }
/// ```
#[proc_macro_attribute]
pub fn public(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let parsed = syn::parse2::<parse::Item>(item.clone());
    match rules::public(args.into(), parsed) {
        Ok(placed) => expand::public(placed, item),
        Err(errors) => expand::errors(errors, item),
    }
    .into()
}
