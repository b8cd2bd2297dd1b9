use maskinporten_rocket::scopes;
use rocket::get;

#[scopes(consumers = ["123456789"])]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
