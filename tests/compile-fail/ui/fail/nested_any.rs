use maskinporten_rocket::scopes;
use rocket::get;

#[scopes(any(any("nav:helse/afp.read")))]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
