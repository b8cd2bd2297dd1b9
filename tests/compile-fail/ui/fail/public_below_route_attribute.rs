use maskinporten_rocket::public;
use rocket::get;

#[get("/isalive")]
#[public]
fn isalive() -> &'static str {
    "alive"
}

fn main() {}
