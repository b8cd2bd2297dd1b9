use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp.read", system_user_orgs = ["0192:123456789", "12345"])]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
