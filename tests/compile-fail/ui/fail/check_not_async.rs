use maskinporten_rocket::{scopes, CheckError, Claims};
use rocket::{get, Request};

/// A check must be async: the guard awaits it.
fn may_act(_: &Claims, _: &Request<'_>) -> Result<(), CheckError> {
    Ok(())
}

#[scopes("nav:helse/afp.read", check = may_act)]
#[get("/afp")]
fn afp() -> &'static str {
    "ok"
}

fn main() {}
