use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("")]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
