use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp-read")]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
