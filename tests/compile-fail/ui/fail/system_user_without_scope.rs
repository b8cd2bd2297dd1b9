use maskinporten_rocket::scopes;
use rocket::get;

#[scopes(system_user)]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
