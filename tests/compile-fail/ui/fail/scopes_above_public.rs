use maskinporten_rocket::{public, scopes};
use rocket::get;

#[scopes("nav:helse/afp.read")]
#[public]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
