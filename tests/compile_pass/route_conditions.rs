#![deny(warnings)]

use maskinporten_rocket::{scopes, CheckError, Claims};
use rocket::{get, Request};

mod pdp {
    use maskinporten_rocket::{CheckError, Claims};
    use rocket::Request;

    pub async fn may_act(claims: &Claims, _request: &Request<'_>) -> Result<(), CheckError> {
        match claims.system_user() {
            Ok(Some(_)) => Ok(()),
            _ => Err(CheckError::refused("A system user is required")),
        }
    }
}

async fn never(_: &Claims, _: &Request<'_>) -> Result<(), CheckError> {
    Err(CheckError::unavailable("not today"))
}

#[scopes("nav:helse/sykepenger/afp.read", system_user)]
#[get("/system-user")]
fn system_user(claims: Claims) -> String {
    claims
        .system_user()
        .ok()
        .flatten()
        .map(|u| u.orgno().to_owned())
        .unwrap_or_default()
}

#[scopes("nav:helse/sykepenger/afp.read", system_user_orgs = ["123456789", "987654321"])]
#[get("/owners")]
fn owners() {}

#[scopes(
    any("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write"),
    consumers = ["111111111"],
    system_user,
    delegation = deny,
    check = pdp::may_act,
)]
#[get("/party/<orgno>")]
async fn party(orgno: &str) -> String {
    orgno.to_owned()
}

#[scopes("nav:helse/sykepenger/afp.read", delegation = require, check = never)]
#[get("/delegated")]
fn delegated() {}

#[scopes("nav:helse/sykepenger/afp.read", delegation = allow, check = self::never)]
#[get("/either")]
fn either() {}

fn main() {
    let _ = rocket::build().mount(
        "/",
        maskinporten_rocket::routes![system_user, owners, party, delegated, either],
    );
}

#[test]
fn compiles_and_runs() {
    main();
}
