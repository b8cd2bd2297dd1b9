//! Shared by the end-to-end suites: a small protected API and helpers that
//! start it against the stand-in issuer of `maskinporten_testing`.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use maskinporten_rocket::{public, routes, scopes, Claims, Maskinporten};
use maskinporten_testing::{bearer, Issuer};
use rocket::error::ErrorKind;
use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::http::{Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{catch, catchers, get, Build, Rocket, Shutdown};

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

/// The routes every end-to-end test mounts at `/`. `/whoami` takes a valid
/// token and no scope, which no mark says, so this app turns deny-by-default
/// off (unless the test's figment sets it), as an app with such a handler
/// must.
pub fn app(figment: Figment) -> Rocket<Build> {
    let figment = figment.join(("maskinporten.deny_unmarked_routes", false));
    // Unchanged, but when the attack suite runs under watch for leaks.
    crate::tracing::watched(|| {
        rocket::custom(figment)
            .attach(Maskinporten::fairing())
            .mount("/", routes![read, both, either, restricted, whoami, open])
    })
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

/// Launches [`app`] under `figment` on a port of 127.0.0.1 the system
/// picks, for requests over real HTTP; returns the port and the handle
/// that stops it.
pub async fn serve(figment: Figment) -> (u16, Shutdown) {
    let figment = figment
        .merge(("address", "127.0.0.1"))
        .merge(("port", 0))
        .merge(("shutdown.ctrlc", false));
    let (tx, rx) = tokio::sync::oneshot::channel();
    let rocket = app(figment)
        .attach(AdHoc::on_liftoff("port", move |rocket| {
            Box::pin(async move {
                let _ = tx.send(rocket.config().port);
            })
        }))
        .ignite()
        .await
        .expect("the app ignites");
    let shutdown = rocket.shutdown();
    tokio::spawn(rocket.launch());
    (rx.await.expect("the app lifts off"), shutdown)
}

/// A stand-in issuer and a client for [`app`] that trusts it.
pub async fn start() -> (Issuer, Client) {
    let issuer = Issuer::start().await;
    let client = client(&issuer).await;
    (issuer, client)
}

/// A client for [`app`] configured for `issuer`.
pub async fn client(issuer: &Issuer) -> Client {
    client_with(issuer.figment()).await
}

/// A client for [`app`] under this configuration.
pub async fn client_with(figment: Figment) -> Client {
    Client::tracked(app(figment))
        .await
        .expect("the app ignites")
}

/// Asserts that `rocket` does not ignite because the Maskinporten fairing
/// refused it; `why` says what should have stopped it.
pub async fn assert_ignite_fails(rocket: Rocket<Build>, why: &str) {
    match Client::tracked(rocket).await {
        Ok(_) => panic!("ignite succeeded {why}"),
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::FailedFairings(f) if f[0].name == "Maskinporten"),
            "{why}: {e}"
        ),
    }
}

/// `GET path` with `Authorization: Bearer <token>`.
pub async fn get<'c>(client: &'c Client, path: &str, token: &str) -> LocalResponse<'c> {
    client
        .get(path.to_owned())
        .header(bearer(token))
        .dispatch()
        .await
}

/// `GET /read` with this `Authorization` header, written as it stands.
pub async fn get_with_authorization<'c>(
    client: &'c Client,
    value: impl Into<Cow<'static, str>>,
) -> LocalResponse<'c> {
    client
        .get("/read")
        .header(Header::new("Authorization", value))
        .dispatch()
        .await
}

// ------------------------------------------------------------- refusals

/// The `error_description` of each refusal, as it must read on the wire
/// (RFC 6750 §3: a human-readable sentence in the `WWW-Authenticate`
/// challenge). Written out here, not imported from the library, so that
/// the tests pin the wire format independently of the code that sends it.
pub mod description {
    pub const MALFORMED: &str = "The access token is malformed";
    pub const BAD_HEADER: &str = "The access token header is not accepted";
    pub const BAD_SIGNATURE: &str = "The access token signature is invalid";
    pub const UNKNOWN_KEY: &str = "The access token is signed with an unknown key";
    pub const EXPIRED: &str = "The access token expired";
    pub const NOT_YET_VALID: &str = "The access token is not valid yet";
    pub const OTHER_ISSUER: &str = "The access token is from another issuer";
    pub const OTHER_AUDIENCE: &str = "The access token is for another audience";
    /// Texas mode: the introspection said `active: false`, whatever its reason.
    pub const NOT_ACTIVE: &str = "The access token is not active";

    /// Every description of a 401 `invalid_token`.
    pub const INVALID_TOKEN: [&str; 9] = [
        MALFORMED,
        BAD_HEADER,
        BAD_SIGNATURE,
        UNKNOWN_KEY,
        EXPIRED,
        NOT_YET_VALID,
        OTHER_ISSUER,
        OTHER_AUDIENCE,
        NOT_ACTIVE,
    ];

    /// The description of the 403 for a consumer outside a route's allow-list.
    pub const CONSUMER_NOT_ALLOWED: &str = "The consumer organisation is not allowed";
}

/// The challenge without an error: no credentials, or not the Bearer scheme
/// (RFC 6750 §3.1: no error code when the request lacks authentication).
pub const BARE_CHALLENGE: &str = "Bearer";

/// The challenge of a 400: the `Authorization` header is not one Bearer
/// credential of the b64token syntax (RFC 6750 §2.1, §3.1).
pub const INVALID_REQUEST: &str = "Bearer error=\"invalid_request\"";

/// The challenge of a 401 for a token refused with this description.
pub fn invalid_token(description: &str) -> String {
    format!("Bearer error=\"invalid_token\", error_description=\"{description}\"")
}

/// The challenge of a 403 naming the scopes the route requires, separated
/// by spaces (RFC 6750 §3: `scope`).
pub fn insufficient_scope(scopes: &str) -> String {
    format!("Bearer error=\"insufficient_scope\", scope=\"{scopes}\"")
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

/// Asserts a 503 for a validation that could not be done (the issuer or
/// Texas is down): no challenge, since the token was not judged, and a
/// `Retry-After` (RFC 9110 §10.2.3).
pub fn assert_unavailable(response: &LocalResponse<'_>) {
    assert_eq!(response.status(), Status::ServiceUnavailable);
    assert_eq!(response.headers().get_one("WWW-Authenticate"), None);
    assert_eq!(response.headers().get_one("Retry-After"), Some("5"));
}

/// Each token gets `status` with exactly `challenge` on `GET /read`, and no
/// echo of itself.
pub async fn expect_refused(
    client: &Client,
    status: Status,
    challenge: &str,
    tokens: impl IntoIterator<Item = impl AsRef<str>>,
) {
    for token in tokens {
        let token = token.as_ref();
        let response = get(client, "/read", token).await;
        assert_refused(response, status, Some(challenge), token).await;
    }
}

/// Each token gets 401 `invalid_token` with this description.
pub async fn expect_invalid(
    client: &Client,
    description: &str,
    tokens: impl IntoIterator<Item = impl AsRef<str>>,
) {
    let challenge = invalid_token(description);
    expect_refused(client, Status::Unauthorized, &challenge, tokens).await;
}

/// Each token gets 400 `invalid_request`: refused before it is parsed.
pub async fn expect_invalid_request(
    client: &Client,
    tokens: impl IntoIterator<Item = impl AsRef<str>>,
) {
    expect_refused(client, Status::BadRequest, INVALID_REQUEST, tokens).await;
}

/// Each token is valid but does not carry [`READ`]: 403 on `/read`.
pub async fn expect_insufficient_scope(
    client: &Client,
    tokens: impl IntoIterator<Item = impl AsRef<str>>,
) {
    let challenge = insufficient_scope(READ);
    expect_refused(client, Status::Forbidden, &challenge, tokens).await;
}

/// Each token gets through to `/read`, with no challenge.
pub async fn expect_ok(client: &Client, tokens: impl IntoIterator<Item = impl AsRef<str>>) {
    for token in tokens {
        let token = token.as_ref();
        let response = get(client, "/read", token).await;
        assert_eq!(response.status(), Status::Ok, "for token {token}");
        assert_eq!(response.headers().get_one("WWW-Authenticate"), None);
    }
}

// ------------------------------------------------------------ tokens

/// Seconds since the Unix epoch, for claims written as raw JSON.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The base64url alphabet of a JWS segment (RFC 7515 §2, RFC 4648 §5).
pub const BASE64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding, as a JWS segment is written.
pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A segment of one of the tests' own tokens, decoded to text.
pub fn decoded(segment: &str) -> String {
    let bytes = URL_SAFE_NO_PAD.decode(segment).expect("base64url");
    String::from_utf8(bytes).expect("UTF-8")
}

/// The three parts of a compact JWS.
pub fn parts(token: &str) -> [&str; 3] {
    let mut it = token.split('.');
    let parts = [(); 3].map(|()| it.next().expect("three parts"));
    assert!(it.next().is_none(), "three parts");
    parts
}

/// The base64url character whose 6-bit value differs from `c`'s in the
/// lowest bit only: the smallest change a segment's text can take. `None`
/// for a character outside the alphabet (the dots).
pub fn base64url_neighbour(c: char) -> Option<char> {
    let value = BASE64URL.find(c)?;
    Some(char::from(BASE64URL.as_bytes()[value ^ 1]))
}
