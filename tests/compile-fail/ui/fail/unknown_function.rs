use maskinporten_rocket::scopes;
use rocket::get;

#[scopes(all("nav:helse/afp.read"))]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
