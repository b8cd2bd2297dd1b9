#![deny(warnings)]
//! What the attributes register is what the runtime's scope map finds:
//! method and path from every kind of route attribute, consumers, and
//! handlers in nested modules.

use maskinporten_rocket::routes::{scope_map, Protection};
use maskinporten_rocket::scope::Mode;
use maskinporten_rocket::{public, scopes};

#[scopes("nav:helse/sykepenger/afp.read", consumers = ["123456789"])]
#[rocket::get("/afp/<id>")]
fn afp(id: u32) -> String {
    id.to_string()
}

#[scopes(any("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write"))]
#[rocket::route(POST, uri = "/afp", data = "<body>")]
async fn create(body: String) -> String {
    body
}

#[public]
#[rocket::get("/isalive")]
fn isalive() -> &'static str {
    "alive"
}

mod nested {
    pub mod deeper {
        #[maskinporten_rocket::scopes("nav:helse/sykepenger/afp.write")]
        #[rocket::delete("/afp/<id>")]
        pub fn afp(id: u32) -> String {
            id.to_string()
        }
    }
}

#[rocket::get("/open")]
fn unmarked() -> &'static str {
    "open"
}

fn main() {
    let rocket = rocket::build().mount(
        "/",
        maskinporten_rocket::routes![afp, create, isalive, nested::deeper::afp, unmarked],
    );
    let map = scope_map(&rocket);
    let protection = |method: &str, uri: &str| {
        map.iter()
            .find(|route| route.method == method && route.uri == uri)
            .unwrap_or_else(|| panic!("{method} {uri} is mounted: {map:?}"))
            .protection
    };

    let Protection::Scopes(read) = protection("GET", "/afp/<id>") else {
        panic!("GET /afp/<id> is protected: {map:?}");
    };
    assert_eq!(read.mode(), Mode::All);
    assert_eq!(read.scopes(), ["nav:helse/sykepenger/afp.read"]);
    assert_eq!(read.consumers(), ["123456789"]);

    let Protection::Scopes(create) = protection("POST", "/afp") else {
        panic!("POST /afp is protected: {map:?}");
    };
    assert_eq!(create.mode(), Mode::Any);
    assert!(create.consumers().is_empty());

    let Protection::Scopes(delete) = protection("DELETE", "/afp/<id>") else {
        panic!("DELETE /afp/<id> is protected: {map:?}");
    };
    assert_eq!(delete.scopes(), ["nav:helse/sykepenger/afp.write"]);

    assert_eq!(protection("GET", "/isalive"), Protection::Public);
    assert_eq!(protection("GET", "/open"), Protection::Unmarked);
}

#[test]
fn compiles_and_runs() {
    main();
}
