#![deny(warnings, missing_docs)]
//! A public handler in a public module: the hidden marker type is as public
//! as the handler and needs no docs.

use maskinporten_rocket::scopes;

/// The API.
pub mod api {
    use super::scopes;
    use rocket::get;

    /// Lists AFP cases.
    #[scopes("nav:helse/sykepenger/afp.read")]
    #[get("/afp")]
    pub fn afp() -> &'static str {
        "ok"
    }

    /// Lists AFP cases for the crate.
    #[scopes("nav:helse/sykepenger/afp.read")]
    #[get("/afp/crate")]
    pub(crate) async fn afp_crate() -> &'static str {
        "ok"
    }
}

fn main() {
    let _ = rocket::build().mount("/", maskinporten_rocket::routes![api::afp, api::afp_crate]);
}
