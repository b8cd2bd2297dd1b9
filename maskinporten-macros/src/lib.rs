//! The `#[scopes]` attribute of `maskinporten-rocket`.
//!
//! Use it through `maskinporten_rocket::scopes`, which re-exports it: the code
//! it generates names items of `maskinporten_rocket` by absolute path, so it
//! only compiles in a crate that depends on `maskinporten-rocket`.
//!
//! ```ignore
//! use maskinporten_rocket::{scopes, Claims};
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
//! ```
//!
//! Each scope is checked at compile time against the grammar NAIS enforces
//! (`maskinporten_scope::check`, the same code the runtime uses); a scope NAIS
//! could not expose is a compile error on its string literal that says what
//! to write instead.
//!
//! The code is split by phase: `parse` turns tokens into typed arguments and
//! the item, `validate` turns every mistake into a spanned `syn::Error`, and
//! `expand` generates the code.

#![forbid(unsafe_code)]

mod expand;
mod parse;
mod validate;

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
/// written.
///
/// Every scope must be a string literal that NAIS can expose
/// (`<prefix>:<product><separator><name>`, for example
/// `"nav:helse/sykepenger/afp.read"`); anything else is a compile error on
/// the offending tokens.
#[proc_macro_attribute]
pub fn scopes(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let args = syn::parse::<parse::Args>(args);
    let parsed = syn::parse2::<parse::Item>(item.clone());
    match validate::check(args, parsed) {
        Ok(protected) => expand::protected(protected),
        Err(errors) => expand::errors(errors, item),
    }
    .into()
}
