#![deny(warnings)]

// rocket_okapi's `#[openapi]` in the order the README gives: our attribute
// first, then `#[openapi]`, then a bare route attribute. `#[openapi]` asks
// every request guard for `OpenApiFromRequest`: `Claims` and the guard
// `#[scopes]` inserts have it with the `okapi` feature.

use maskinporten_rocket::openapi::Security;
use maskinporten_rocket::{public, routes, scopes, Claims};
use rocket::get;
use rocket_okapi::{openapi, openapi_get_routes_spec};

#[scopes("nav:helse/sykepenger/afp.read")]
#[openapi]
#[get("/afp")]
fn afp(claims: Claims) -> String {
    claims.consumer_orgno().unwrap_or("?").to_owned()
}

#[scopes(
    any("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write"),
    consumers = ["123456789"]
)]
#[openapi]
#[get("/afp/<id>")]
async fn one(id: u32) -> String {
    id.to_string()
}

#[public]
#[openapi]
#[get("/isalive")]
fn isalive() -> &'static str {
    "alive"
}

#[openapi]
#[get("/whoami")]
fn whoami(claims: Claims) -> String {
    claims.client_id().unwrap_or("?").to_owned()
}

fn main() {
    let (_, mut spec) = openapi_get_routes_spec![afp, one, isalive, whoami];
    let rocket = rocket::build().mount("/", routes![afp, one, isalive, whoami]);
    Security::of(&rocket).modify_okapi(&mut spec);
    let security = |path: &str| {
        spec.paths[path]
            .get
            .as_ref()
            .and_then(|op| op.security.clone())
    };
    assert_eq!(security("/afp").map(|s| s.len()), Some(1));
    assert_eq!(security("/afp/{id}").map(|s| s.len()), Some(2));
    assert_eq!(security("/isalive"), Some(Vec::new()));
    assert_eq!(security("/whoami").map(|s| s.len()), Some(1));
}

#[test]
fn compiles_and_runs() {
    main();
}
