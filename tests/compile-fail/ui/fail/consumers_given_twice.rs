use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp.read", consumers = ["123456789"], consumers = ["987654321"])]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
