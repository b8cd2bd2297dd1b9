use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp.read", delegation = never)]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
