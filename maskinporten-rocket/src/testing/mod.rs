//! Test your protected API without a real Maskinporten (feature `testing`).
//!
//! [`Issuer`] is a stand-in issuer on 127.0.0.1 that serves real metadata
//! and a real JWKS; [`TokenBuilder`] mints RS256 tokens shaped like
//! Maskinporten's, and forgeries for negative tests; [`Texas`] is a stand-in
//! for the NAIS introspection sidecar.
//!
//! The kit panics (`expect`) only where a test cannot go on: no RSA key can
//! be generated, no port on 127.0.0.1 can be bound. None of it runs in a
//! production build or on input from the network. Never enable this
//! feature outside `[dev-dependencies]`.
//!
//! ```
//! # fn main() -> Result<(), rocket::Error> { rocket::execute(async {
//! use maskinporten_rocket::testing::{bearer, Issuer};
//! use maskinporten_rocket::{scopes, Maskinporten};
//! use rocket::http::Status;
//! use rocket::local::asynchronous::Client;
//!
//! #[scopes("nav:helse/sykepenger/afp.read")]
//! #[rocket::get("/afp")]
//! fn afp() -> &'static str { "ok" }
//!
//! let issuer = Issuer::start().await;
//! let rocket = rocket::custom(issuer.figment())
//!     .attach(Maskinporten::fairing())
//!     .mount("/", rocket::routes![afp]);
//! let client = Client::tracked(rocket).await?;
//!
//! let token = issuer.token().scope("nav:helse/sykepenger/afp.write").sign();
//! let response = client.get("/afp").header(bearer(&token)).dispatch().await;
//! assert_eq!(response.status(), Status::Forbidden);
//! # Ok(()) }) }
//! ```

mod issuer;
mod server;
mod texas;
mod token;

pub use issuer::{Issuer, SigningKey};
pub use texas::Texas;
pub use token::TokenBuilder;

use rocket::http::Header;

/// The `Authorization: Bearer <token>` header.
pub fn bearer(token: &str) -> Header<'static> {
    Header::new("Authorization", format!("Bearer {token}"))
}
