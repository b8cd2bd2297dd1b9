use maskinporten_rocket::scopes;
use rocket::get;

#[scopes(42)]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
