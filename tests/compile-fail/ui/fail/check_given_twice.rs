use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp.read", check = a, check = b)]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
