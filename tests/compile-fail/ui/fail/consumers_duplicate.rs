use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp.read", consumers = ["123456789", "987654321", "123456789"])]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
