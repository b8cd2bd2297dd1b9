use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/afp.read", consumers = ["12345678", "0192:987654321"])]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
