use maskinporten_rocket::scopes;
use rocket::get;

#[scopes]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

#[scopes()]
#[get("/afp/2")]
fn afp2() -> &'static str {
    "ok"
}

fn main() {}
