use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse", "nav:helse/Afp.read")]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
