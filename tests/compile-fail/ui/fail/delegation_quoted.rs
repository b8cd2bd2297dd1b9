use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp.read", delegation = "deny")]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
