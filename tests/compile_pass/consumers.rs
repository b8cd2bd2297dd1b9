#![deny(warnings)]

use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/sykepenger/afp.read", consumers = ["123456789", "987654321"])]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

#[scopes(
    any("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write"),
    consumers = ["123456789"],
)]
#[get("/afp/any")]
async fn afp_any() -> &'static str {
    "ok"
}

fn main() {
    let _ = rocket::build().mount("/", maskinporten_rocket::routes![afp, afp_any]);
}

#[test]
fn compiles_and_runs() {
    main();
}
