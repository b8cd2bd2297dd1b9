use maskinporten_rocket::{public, scopes};
use rocket::get;

#[public]
#[scopes("nav:helse/afp.read")]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
