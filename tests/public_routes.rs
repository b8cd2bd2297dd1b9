//! `public_routes`: routes other crates mount (here Rocket's own
//! `FileServer`, and a metrics handler without our attributes, as
//! rocket_prometheus mounts one) declared open by configuration, under
//! deny-by-default; and every wrong entry stops ignite, naming it.

use maskinporten_rocket::audit::{audit, AuditErrorKind};
use maskinporten_rocket::routes::{scope_map, Protection};
use maskinporten_rocket::{scopes, Maskinporten};
use maskinporten_testing::Issuer;
use rocket::figment::Figment;
use rocket::fs::FileServer;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use rocket::{get, Build, Rocket};

use crate::support::assert_ignite_fails;

/// As another crate mounts it: no attribute of ours.
#[get("/metrics")]
fn metrics() -> &'static str {
    "# metrics\n"
}

#[scopes("nav:helse/sykepenger/afp.read")]
#[get("/afp")]
fn afp() -> &'static str {
    "afp"
}

fn app(figment: Figment, public_routes: &[&str]) -> Rocket<Build> {
    let figment = figment
        .merge(("maskinporten.deny_unmarked_routes", true))
        .merge(("maskinporten.public_routes", public_routes));
    rocket::custom(figment)
        .attach(Maskinporten::fairing())
        .mount("/", maskinporten_rocket::routes![afp])
        .mount("/", rocket::routes![metrics])
        .mount(
            "/static",
            FileServer::from(concat!(env!("CARGO_MANIFEST_DIR"), "/ui")),
        )
}

#[rocket::async_test]
async fn routes_other_crates_mount_open_by_configuration_under_deny_by_default() {
    let issuer = Issuer::start().await;
    let rocket = app(issuer.figment(), &["GET /metrics", "/static/<path..>"]);
    let map = scope_map(&rocket);
    assert_eq!(
        map.get("GET", "/metrics").map(|r| r.protection),
        Some(Protection::PublicByConfiguration)
    );
    assert_eq!(map.unmarked().count(), 0);
    assert!(
        map.to_string()
            .contains("public routes by configuration (public_routes):\n  GET     /metrics"),
        "{map}"
    );

    let client = Client::tracked(rocket).await.expect("the app ignites");
    let response = client.get("/metrics").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let response = client.get("/static/fail/bad_name_char.rs").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    // The declared routes open nothing else.
    assert_eq!(
        client.get("/afp").dispatch().await.status(),
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn without_the_entries_deny_by_default_still_refuses_them() {
    let issuer = Issuer::start().await;
    let rocket = app(issuer.figment(), &["GET /metrics"]);
    let error = audit(&rocket).unwrap_err();
    let AuditErrorKind::UnmarkedRoutes(routes) = error.kind() else {
        panic!("{error}");
    };
    assert!(
        routes.iter().all(|r| r.uri.starts_with("/static/")),
        "{error}"
    );
    assert_ignite_fails(rocket, "the FileServer is neither marked nor declared").await;
}

#[rocket::async_test]
async fn an_entry_that_names_no_mounted_route_fails_ignite_naming_it() {
    let issuer = Issuer::start().await;
    for typo in [
        "GET /metrcs",
        "POST /metrics",
        "/static/<file>",
        "/metrics/<path..>",
    ] {
        let rocket = app(
            issuer.figment(),
            &[typo, "GET /metrics", "/static/<path..>"],
        );
        let error = audit(&rocket).unwrap_err();
        assert!(
            matches!(error.kind(), AuditErrorKind::PublicRouteUnmatched { entry } if entry == typo),
            "{error}"
        );
        assert_eq!(error.key(), Some("public_routes"));
        assert!(error.to_string().contains(&format!("{typo:?}")), "{error}");
        assert_ignite_fails(rocket, typo).await;
    }
}

#[rocket::async_test]
async fn an_entry_that_names_a_protected_route_fails_ignite() {
    let issuer = Issuer::start().await;
    for entry in ["GET /afp", "/afp"] {
        let rocket = app(
            issuer.figment(),
            &["GET /metrics", "/static/<path..>", entry],
        );
        let error = audit(&rocket).unwrap_err();
        let AuditErrorKind::PublicRouteProtected {
            entry: named,
            route,
        } = error.kind()
        else {
            panic!("{error}");
        };
        assert_eq!((named.as_str(), route.uri.as_str()), (entry, "/afp"));
        assert_ignite_fails(rocket, entry).await;
    }
}

#[rocket::async_test]
async fn an_entry_that_is_not_a_route_pattern_fails_ignite() {
    let issuer = Issuer::start().await;
    for entry in ["metrics", "FETCH /metrics", "/search?<q>", "/<rest..>/x"] {
        let rocket = app(issuer.figment(), &[entry]);
        let error = audit(&rocket).unwrap_err();
        assert!(
            matches!(error.kind(), AuditErrorKind::PublicRouteUnparsable { entry: e, .. } if e == entry),
            "{error}"
        );
        assert_ignite_fails(rocket, entry).await;
    }
}
