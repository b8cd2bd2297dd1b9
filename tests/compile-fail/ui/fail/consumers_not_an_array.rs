use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp.read", consumers = "123456789")]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

const PARTNER: &str = "987654321";

#[scopes("nav:helse/afp.read", consumers = [123456789, PARTNER])]
#[get("/afp/partner")]
fn partner() -> &'static str {
    "ok"
}

fn main() {}
