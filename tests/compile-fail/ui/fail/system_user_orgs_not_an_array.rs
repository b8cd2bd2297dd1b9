use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp.read", system_user_orgs = "123456789")]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
