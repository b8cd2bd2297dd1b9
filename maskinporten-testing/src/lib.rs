//! Test and run a Rocket API protected by `maskinporten-rocket` without a
//! real Maskinporten.
//!
//! ```
//! use maskinporten_rocket::{public, scopes, Maskinporten};
//! use maskinporten_testing::{bearer, Issuer};
//! use rocket::http::Status;
//! use rocket::local::asynchronous::Client;
//! use rocket::get;
//!
//! #[scopes("nav:helse/sykepenger/afp.read")]
//! #[get("/afp")]
//! fn afp() -> &'static str { "ok" }
//!
//! #[public]
//! #[get("/isalive")]
//! fn isalive() {}
//!
//! /// The app, on whatever configuration it is given (in the app's lib.rs).
//! fn rocket_with(figment: rocket::figment::Figment) -> rocket::Rocket<rocket::Build> {
//!     rocket::custom(figment)
//!         .attach(Maskinporten::fairing())
//!         .mount("/", maskinporten_rocket::routes![afp, isalive])
//! }
//!
//! # fn main() -> Result<(), rocket::Error> { rocket::execute(async {
//! // A stand-in Maskinporten on 127.0.0.1, serving metadata and a JWKS.
//! let issuer = Issuer::start().await;
//! // The app's own Rocket.toml and ROCKET_* settings, pointed at it.
//! let client = Client::tracked(rocket_with(issuer.figment())).await?;
//!
//! let token = issuer.token().scope("nav:helse/sykepenger/afp.read").sign();
//! let response = client.get("/afp").header(bearer(&token)).dispatch().await;
//! assert_eq!(response.status(), Status::Ok);
//!
//! let token = issuer.token().scope("nav:helse/sykepenger/afp.write").sign();
//! let response = client.get("/afp").header(bearer(&token)).dispatch().await;
//! assert_eq!(response.status(), Status::Forbidden);
//! # Ok(()) }) }
//! ```
//!
//! - [`Issuer`] is a stand-in Maskinporten on `127.0.0.1` serving RFC 8414
//!   metadata, a real JWKS and a token endpoint that answers Maskinporten's
//!   JWT grant (and Swagger UI's `client_credentials`), strict about the
//!   clients of a [`Clients`] registry; it rotates keys, counts requests
//!   and fails on command. [`Issuer::configure`] points an app's own configuration
//!   at it and changes nothing else.
//! - [`TokenBuilder`] mints RS256 tokens shaped like Maskinporten's, and
//!   the forgeries a negative test needs.
//! - [`Texas`] is a stand-in for the NAIS introspection sidecar.
//! - [`StandIn`] is what the `maskinporten-stand-in` program runs: an
//!   issuer on a known port, the NAIS variables as `export` lines and
//!   long-lived tokens, for running an API on a laptop.
//!
//! The kit panics (`expect`) only where a test cannot go on: no RSA key can
//! be generated, no port on 127.0.0.1 can be bound ([`Issuer::start_on`]
//! and [`StandIn`] return that error instead). It trusts tokens it mints
//! itself, so it belongs in `[dev-dependencies]` and in development tools,
//! never in an app's production build.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod clients;
mod issuer;
mod server;
mod signing_key;
mod stand_in;
mod texas;
mod token;
mod token_endpoint;

pub use clients::{Client, Clients, ClientsError, ClientsErrorKind};
pub use issuer::Issuer;
pub use signing_key::{KeyFileError, KeyFileErrorKind, SigningKey};
pub use stand_in::{DEFAULT_CONSUMER, DEFAULT_LIFETIME, StandIn, StandInBuilder};
pub use texas::Texas;
pub use token::TokenBuilder;

use rocket::http::Header;

/// The `Authorization: Bearer <token>` header, for Rocket's local client.
///
/// ```
/// let header = maskinporten_testing::bearer("abc");
/// assert_eq!(header.value(), "Bearer abc");
/// ```
pub fn bearer(token: &str) -> Header<'static> {
    Header::new("Authorization", format!("Bearer {token}"))
}
