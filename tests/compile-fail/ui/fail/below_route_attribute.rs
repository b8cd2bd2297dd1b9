use maskinporten_rocket::scopes;
use rocket::get;

#[get("/afp")]
#[scopes("nav:helse/afp.read")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
