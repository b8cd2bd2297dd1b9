use maskinporten_rocket::scopes;

#[scopes("nav:helse/afp.read")]
struct Afp;

fn main() {}
