use maskinporten_rocket::scopes;
use rocket::get;

const AFP_READ: &str = "nav:helse/afp.read";

#[scopes(AFP_READ)]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
