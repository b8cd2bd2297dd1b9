use maskinporten_rocket::public;

#[public]
fn isalive() -> &'static str {
    "alive"
}

fn main() {}
