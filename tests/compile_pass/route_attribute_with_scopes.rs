#![deny(warnings)]

use maskinporten_rocket::scopes;
use rocket::route;

#[scopes("nav:helse/sykepenger/afp.read")]
#[route(GET, uri = "/x")]
fn x() -> &'static str {
    "ok"
}

fn main() {
    let _ = rocket::build().mount("/", maskinporten_rocket::routes![x]);
}

#[test]
fn compiles_and_runs() {
    main();
}
