#![deny(warnings)]
//! `maskinporten_rocket::routes!` takes what `rocket::routes!` takes, next
//! to Rocket's macros in scope: raw and deprecated handler names, paths,
//! unmarked handlers, a trailing comma, nothing at all.

#[macro_use]
extern crate rocket;

use maskinporten_rocket::routes;
use maskinporten_rocket::routes::{scope_map, Protection};
use maskinporten_rocket::{public, scopes};

#[scopes("nav:helse/sykepenger/afp.read")]
#[get("/type")]
fn r#type() -> &'static str {
    "type"
}

#[public]
#[deprecated = "a deprecated handler still mounts"]
#[get("/old")]
fn old() -> &'static str {
    "old"
}

#[get("/open")]
fn open() -> &'static str {
    "open"
}

mod api {
    #[maskinporten_rocket::scopes("nav:helse/sykepenger/afp.write")]
    #[rocket::post("/afp")]
    pub fn afp() -> &'static str {
        "afp"
    }
}

#[allow(deprecated)]
fn main() {
    let none: Vec<rocket::Route> = routes![];
    assert!(none.is_empty());
    let rocket = rocket::build().mount("/", routes![r#type, old, open, api::afp,]);
    let map = scope_map(&rocket);
    let protection = |method: &str, uri: &str| map.get(method, uri).expect(uri).protection;
    assert!(matches!(protection("GET", "/type"), Protection::Scopes(_)));
    assert_eq!(protection("GET", "/old"), Protection::Public);
    assert_eq!(protection("GET", "/open"), Protection::Unmarked);
    assert!(matches!(protection("POST", "/afp"), Protection::Scopes(_)));
    let name = |uri: &str| map.get("GET", uri).and_then(|r| r.handler.clone());
    assert!(name("/type").is_some_and(|name| name.ends_with("::type")));
    assert_eq!(name("/open").as_deref(), Some("open"));
}
