use maskinporten_rocket::public;
use rocket::get;

#[public("nav:helse/afp.read")]
#[get("/isalive")]
fn isalive() -> &'static str {
    "alive"
}

fn main() {}
