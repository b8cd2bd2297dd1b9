use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp.read", system_user, system_user)]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
