#![deny(warnings)]

use maskinporten_rocket::scopes;
use rocket::get;

#[scopes(
    "nav:helse/sykepenger/afp.read",
    "nav:helse/sykepenger/afp.write",
    "nav:arbeid:aap:vedtak.les"
)]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {
    let _ = rocket::build().mount("/", maskinporten_rocket::routes![afp]);
}

#[test]
fn compiles_and_runs() {
    main();
}
