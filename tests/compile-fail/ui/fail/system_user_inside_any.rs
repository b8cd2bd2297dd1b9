use maskinporten_rocket::scopes;
use rocket::get;

#[scopes(any("nav:helse/afp.read", system_user))]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
