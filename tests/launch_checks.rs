//! The checks that must see the app as it launches: routes mounted after
//! the fairing's ignite are audited, and a protected route without the
//! fairing stops launch instead of answering 503 to its first request.

use std::time::Duration;

use crate::support::app;
use maskinporten_rocket::{scopes, Claims, Maskinporten};
use maskinporten_testing::Issuer;
use rocket::error::ErrorKind;
use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::local::asynchronous::Client;
use rocket::{Build, Rocket};

#[scopes("nav:helse/sykepenger/afp.read")]
#[rocket::get("/guarded")]
fn guarded() -> &'static str {
    "guarded"
}

/// Neither `#[scopes]` nor `#[public]`.
#[rocket::get("/late")]
fn late() -> &'static str {
    "mounted late, open"
}

/// Needs a token, and has no mark.
#[rocket::get("/whoami")]
fn whoami(claims: Claims) -> String {
    claims.client_id().unwrap_or("none").to_owned()
}

/// An app whose one route is marked, under deny-by-default.
fn marked_app(figment: Figment) -> Rocket<Build> {
    rocket::custom(figment.merge(("maskinporten.deny_unmarked_routes", true)))
        .attach(Maskinporten::fairing())
        .mount("/", maskinporten_rocket::routes![guarded])
}

/// An ignite fairing that mounts the unmarked `/late`.
fn late_mount() -> AdHoc {
    AdHoc::on_ignite("late mount", |rocket| async {
        rocket.mount("/", rocket::routes![late])
    })
}

#[rocket::async_test]
async fn a_route_mounted_by_an_ignite_fairing_attached_later_fails_ignite() {
    let issuer = Issuer::start().await;
    let rocket = marked_app(issuer.figment()).attach(late_mount());
    match Client::tracked(rocket).await {
        Ok(_) => panic!("ignite passed a route mounted by a later fairing"),
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::FailedFairings(f) if f[0].name == "Maskinporten route audit"),
            "{e}"
        ),
    }
}

#[rocket::async_test]
async fn a_route_mounted_after_every_ignite_audit_shuts_the_launched_app_down() {
    let issuer = Issuer::start().await;
    let figment = issuer
        .figment()
        .merge(("port", 0))
        .merge(("shutdown.ctrlc", false))
        .merge(("shutdown.grace", 1))
        .merge(("shutdown.mercy", 1));
    // Attached during ignite by a fairing that runs after ours, so it runs
    // after the audit ours attached: only liftoff sees `/late`.
    let rocket = marked_app(figment).attach(AdHoc::on_ignite("attaches late", |rocket| async {
        rocket.attach(late_mount())
    }));
    let rocket = rocket.ignite().await.expect("every ignite audit passes");
    assert!(rocket.routes().any(|r| r.uri.path() == "/late"));
    // Launched for real, the app would serve until stopped; the timeout
    // only keeps a failure from hanging the suite.
    let launched = tokio::time::timeout(Duration::from_secs(60), rocket.launch()).await;
    assert!(
        launched.is_ok(),
        "the app kept serving an unmarked route under deny-by-default"
    );
}

#[rocket::async_test]
async fn a_protected_route_without_the_fairing_fails_to_launch() {
    let issuer = Issuer::start().await;
    let figment = issuer.figment();
    // The test app's routes, mounted without attaching Maskinporten::fairing().
    let routes: Vec<rocket::Route> = app(figment.clone()).routes().cloned().collect();
    let rocket = rocket::custom(figment).mount("/", routes);
    match rocket.ignite().await {
        Ok(_) => panic!("ignite passed protected routes without the fairing"),
        Err(e) => match e.kind() {
            ErrorKind::SentinelAborts(sentries) => {
                let names: Vec<_> = sentries.iter().map(|s| s.type_name).collect();
                assert!(
                    names.iter().any(|n| n.ends_with("Scopes_read")),
                    "{names:?}"
                );
            }
            other => panic!("not a sentinel abort: {other:?}"),
        },
    }
}

#[rocket::async_test]
async fn a_claims_route_without_the_fairing_fails_to_launch() {
    let rocket = rocket::build().mount("/", rocket::routes![whoami]);
    match rocket.ignite().await {
        Ok(_) => panic!("ignite passed a Claims route without the fairing"),
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::SentinelAborts(s) if s[0].type_name.ends_with("Claims")),
            "{e}"
        ),
    }
}

#[rocket::async_test]
async fn with_the_fairing_the_sentinels_let_launch_pass() {
    let issuer = Issuer::start().await;
    // `whoami` takes `Claims` and no scope: unmarked.
    let figment = issuer
        .figment()
        .merge(("maskinporten.deny_unmarked_routes", false));
    let rocket = rocket::custom(figment)
        .attach(Maskinporten::fairing())
        .mount("/", maskinporten_rocket::routes![guarded, whoami]);
    Client::tracked(rocket).await.expect("the app ignites");
}
