use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp.read", check = pdp::may_act)]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
