use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/")]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
