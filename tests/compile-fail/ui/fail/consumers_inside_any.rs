use maskinporten_rocket::scopes;
use rocket::get;

#[scopes(any("nav:helse/afp.read", "nav:helse/afp.write", consumers = ["123456789"]))]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
