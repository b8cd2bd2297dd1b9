use maskinporten_rocket::scopes;
use rocket::get;

/// Not a check: it takes the wrong arguments and returns a bool.
async fn may_act(orgno: &str) -> bool {
    orgno == "123456789"
}

#[scopes("nav:helse/afp.read", check = may_act)]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
