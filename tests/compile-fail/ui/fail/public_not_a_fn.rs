use maskinporten_rocket::public;

#[public]
struct IsAlive;

fn main() {}
