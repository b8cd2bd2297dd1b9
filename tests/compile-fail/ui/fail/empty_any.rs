use maskinporten_rocket::scopes;
use rocket::get;

#[scopes(any())]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
