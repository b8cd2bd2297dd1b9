use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp.read", any("nav:helse/afp.write"))]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
