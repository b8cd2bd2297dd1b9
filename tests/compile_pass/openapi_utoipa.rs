#![deny(warnings)]

// utoipa's `#[utoipa::path]` in the order the README gives: our attribute
// first, then `#[utoipa::path]`, then a bare route attribute (utoipa reads
// the method and path from it).

use maskinporten_rocket::openapi::Security;
use maskinporten_rocket::{public, routes, scopes, Claims};
use rocket::get;
use utoipa::{Modify, OpenApi};

#[scopes("nav:helse/sykepenger/afp.read")]
#[utoipa::path(responses((status = 200, body = String)))]
#[get("/afp/<id>")]
fn afp(id: u32, claims: Claims) -> String {
    format!("{id} {}", claims.consumer_orgno().unwrap_or("?"))
}

#[public]
#[utoipa::path(responses((status = 200, body = String)))]
#[get("/isalive")]
fn isalive() -> &'static str {
    "alive"
}

#[utoipa::path(responses((status = 200, body = String)), security(("maskinporten" = [])))]
#[get("/whoami")]
fn whoami(claims: Claims) -> String {
    claims.client_id().unwrap_or("?").to_owned()
}

#[derive(OpenApi)]
#[openapi(paths(afp, isalive, whoami))]
struct ApiDoc;

fn main() {
    let rocket = rocket::build().mount("/", routes![afp, isalive, whoami]);
    let mut document = ApiDoc::openapi();
    Security::of(&rocket).modify(&mut document);
    let json = serde_json::to_value(&document).unwrap();
    assert_eq!(
        json["paths"]["/afp/{id}"]["get"]["security"],
        serde_json::json!([{ "maskinporten": ["nav:helse/sykepenger/afp.read"] }])
    );
    assert_eq!(
        json["paths"]["/isalive"]["get"]["security"],
        serde_json::json!([])
    );
}

#[test]
fn compiles_and_runs() {
    main();
}
