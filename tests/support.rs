//! Shared by the end-to-end suites: a small protected API and helpers that
//! start it against the stand-in issuer of `maskinporten_rocket::testing`.

use maskinporten_rocket::testing::Issuer;
use maskinporten_rocket::{public, scopes, Claims, Maskinporten};
use rocket::figment::Figment;
use rocket::http::Status;
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{catch, catchers, get, routes, Build, Rocket};

pub const READ: &str = "nav:helse/sykepenger/afp.read";
pub const WRITE: &str = "nav:helse/sykepenger/afp.write";

#[scopes("nav:helse/sykepenger/afp.read")]
#[get("/read")]
fn read(claims: Claims) -> String {
    claims.consumer_orgno().unwrap_or("none").to_owned()
}

#[scopes("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write")]
#[get("/both")]
fn both() -> &'static str {
    "both"
}

#[scopes(any("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write"))]
#[get("/either")]
fn either() -> &'static str {
    "either"
}

#[scopes("nav:helse/sykepenger/afp.read", consumers = ["111111111", "222222222"])]
#[get("/restricted")]
fn restricted(claims: Claims) -> String {
    claims.consumer_orgno().unwrap_or("none").to_owned()
}

/// Needs a valid token but no scope: neither `#[scopes]` nor `#[public]`.
#[get("/whoami")]
fn whoami(claims: Claims) -> String {
    claims.client_id().unwrap_or("none").to_owned()
}

#[public]
#[get("/public")]
fn open() -> &'static str {
    "public"
}

/// The routes every end-to-end test mounts at `/`.
pub fn app(figment: Figment) -> Rocket<Build> {
    rocket::custom(figment)
        .attach(Maskinporten::fairing())
        .mount("/", routes![read, both, either, restricted, whoami, open])
}

#[catch(401)]
fn own_401() -> &'static str {
    "the app's own 401"
}

#[catch(403)]
fn own_403() -> &'static str {
    "the app's own 403"
}

/// [`app`] with the application's own 401 and 403 catchers registered.
pub fn app_with_own_catchers(figment: Figment) -> Rocket<Build> {
    app(figment).register("/", catchers![own_401, own_403])
}

/// A client for [`app`] configured for `issuer`, plus any extra keys.
pub async fn client(issuer: &Issuer) -> Client {
    client_with(issuer.figment()).await
}

pub async fn client_with(figment: Figment) -> Client {
    Client::tracked(app(figment))
        .await
        .expect("the app ignites")
}

/// Asserts the status and the exact `WWW-Authenticate` of a refusal, and
/// that the body does not echo the token.
pub async fn assert_refused(
    response: LocalResponse<'_>,
    status: Status,
    challenge: Option<&str>,
    token: &str,
) {
    let actual = (
        response.status(),
        response.headers().get_one("WWW-Authenticate"),
    );
    assert_eq!(actual, (status, challenge), "for token {token:?}");
    let body = response.into_string().await.unwrap_or_default();
    if !token.is_empty() {
        assert!(!body.contains(token), "the body echoes the token");
    }
}

/// The challenge for an invalid token with this description.
pub fn invalid_token(description: &str) -> String {
    format!("Bearer error=\"invalid_token\", error_description=\"{description}\"")
}
