use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp.read", system_user = true)]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
