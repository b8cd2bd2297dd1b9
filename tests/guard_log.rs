//! What Rocket logs when a guard of ours refuses a request: one short line
//! that names the guard and why, with no path of ours, no internal name and
//! no line break. Rocket writes ``Request guard `<type>` failed: <error:?>.``
//! with the parameter's type as written in the handler's signature, so this
//! pins both the name of the guard `#[scopes]` inserts and the `Debug` of
//! our `Rejection`.
//!
//! A binary of its own: the test installs the process's logger, which must
//! happen before any Rocket installs its own.

use std::sync::Mutex;

use maskinporten_rocket::{scopes, Claims, Maskinporten};
use maskinporten_testing::{bearer, Issuer};
use rocket::get;
use rocket::http::Status;
use rocket::local::asynchronous::Client;

/// Every record logged, as its message.
static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = record.args().to_string();
        LINES.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }

    fn flush(&self) {}
}

#[scopes("nav:helse/sykepenger/afp.read")]
#[get("/afp")]
fn read_afp() -> &'static str {
    "afp"
}

#[scopes(
    any("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write"),
    consumers = ["123456789"]
)]
#[get("/afp/partner")]
fn partner() -> &'static str {
    "partner"
}

#[get("/whoami")]
fn whoami(claims: Claims) -> String {
    claims.client_id().unwrap_or("?").to_owned()
}

/// The `Request guard ...` lines logged since the last call.
fn guard_lines() -> Vec<String> {
    let mut lines = LINES.lock().unwrap_or_else(|e| e.into_inner());
    let guard = lines
        .iter()
        .filter(|line| line.starts_with("Request guard"))
        .cloned()
        .collect();
    lines.clear();
    guard
}

#[rocket::async_test]
async fn a_refused_guard_is_logged_as_one_short_line_naming_it() {
    log::set_logger(&Capture).expect("this binary's one test installs the logger first");
    log::set_max_level(log::LevelFilter::Warn);

    let issuer = Issuer::start().await;
    // `whoami` takes `Claims` and no scope: unmarked.
    let figment = issuer
        .figment()
        .merge(("maskinporten.deny_unmarked_routes", false));
    let rocket = rocket::custom(figment)
        .attach(Maskinporten::fairing())
        .mount("/", maskinporten_rocket::routes![read_afp, partner, whoami]);
    let client = Client::tracked(rocket).await.expect("ignite");
    guard_lines();

    let write = issuer
        .token()
        .scope("nav:helse/sykepenger/afp.write")
        .consumer("987654321")
        .sign();
    let response = client.get("/afp").header(bearer(&write)).dispatch().await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(
        guard_lines(),
        [
            r#"Request guard `Scopes_read_afp` failed: InsufficientScope(scopes("nav:helse/sykepenger/afp.read"))."#
        ]
    );

    let response = client.get("/afp").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(
        guard_lines(),
        ["Request guard `Scopes_read_afp` failed: MissingCredentials."]
    );

    let response = client
        .get("/afp/partner")
        .header(bearer(&write))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(
        guard_lines(),
        [
            r#"Request guard `Scopes_partner` failed: ConsumerNotAllowed(scopes(any("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write"), consumers = ["123456789"]))."#
        ]
    );

    let response = client
        .get("/whoami")
        .header(rocket::http::Header::new(
            "Authorization",
            "Bearer not.a.token",
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
    let lines = guard_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("Request guard `Claims` failed: InvalidToken("),
        "{lines:?}"
    );
    for line in &lines {
        assert!(
            !line.contains('\n') && !line.contains("maskinporten_rocket"),
            "{line}"
        );
    }
}
