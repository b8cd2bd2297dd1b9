use maskinporten_rocket::scopes;

#[scopes("nav:helse/afp.read")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
