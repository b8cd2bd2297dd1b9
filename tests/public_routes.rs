//! `public_routes`: routes other crates mount (here Rocket's own
//! `FileServer`, and a metrics handler without our attributes, as
//! rocket_prometheus mounts one) declared open by configuration, under
//! deny-by-default; and every wrong entry stops ignite, naming it.

use maskinporten_rocket::audit::{audit, AuditErrorKind};
use maskinporten_rocket::routes::{scope_map, Protection};
use maskinporten_rocket::{scopes, Maskinporten};
use maskinporten_testing::Issuer;
use rocket::figment::providers::{Format, Toml};
use rocket::figment::Figment;
use rocket::fs::FileServer;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use rocket::{get, Build, Rocket};

use crate::security_review::{block_on, isolated, this_test};
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
            FileServer::from(concat!(env!("CARGO_MANIFEST_DIR"), "/compile-fail/ui")),
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
        "/metrix/<path..>",
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

// Deny-by-default with nothing configured: most NAIS images carry the
// binary and no Rocket.toml.

/// A handler someone forgot to mark.
#[get("/forgotten")]
fn forgotten() -> &'static str {
    "open to anyone"
}

#[rocket::async_test]
async fn a_forgotten_handler_stops_ignite_with_nothing_configured() {
    let issuer = Issuer::start().await;
    // The issuer's keys and nothing else: no deny_unmarked_routes anywhere.
    let rocket = rocket::custom(issuer.figment())
        .attach(Maskinporten::fairing())
        .mount("/", maskinporten_rocket::routes![afp, forgotten]);
    let error = audit(&rocket).unwrap_err();
    let AuditErrorKind::UnmarkedRoutes(routes) = error.kind() else {
        panic!("{error}");
    };
    assert_eq!(routes.len(), 1, "{error}");
    assert_eq!(
        (routes[0].method.as_str(), routes[0].uri.as_str()),
        ("GET", "/forgotten")
    );
    assert_eq!(error.key(), Some("deny_unmarked_routes"));

    // The message names the route and its handler, and says how to fix it
    // with lines to paste.
    let message = error.to_string();
    for needle in [
        "GET     /forgotten (forgotten)",
        "#[public]",
        "#[scopes(",
        "[default.maskinporten]\n  public_routes = [\"GET /forgotten\"]",
        "ROCKET_MASKINPORTEN='{public_routes=[\"GET /forgotten\"]}'",
        "deny_unmarked_routes = false",
    ] {
        assert!(message.contains(needle), "{needle:?} in:\n{message}");
    }
    assert_ignite_fails(rocket, "with a forgotten handler and nothing configured").await;
}

#[test]
fn the_pasted_environment_line_of_the_refusal_makes_the_app_ignite() {
    let test = this_test!("the_pasted_environment_line_of_the_refusal_makes_the_app_ignite");
    // What the refusal above says to set, as the shell passes it on.
    let env = [(
        "ROCKET_MASKINPORTEN",
        r#"{public_routes=["GET /forgotten"]}"#,
    )];
    isolated(&test, &env, || {
        block_on(async {
            let issuer = Issuer::start().await;
            let rocket = rocket::custom(issuer.figment())
                .attach(Maskinporten::fairing())
                .mount("/", maskinporten_rocket::routes![afp, forgotten]);
            let client = Client::tracked(rocket).await.expect("the app ignites");
            let response = client.get("/forgotten").dispatch().await;
            assert_eq!(response.status(), Status::Ok);
        });
    });
}

#[rocket::async_test]
async fn the_pasted_rocket_toml_lines_of_the_refusal_make_the_app_ignite() {
    let issuer = Issuer::start().await;
    // What the refusal above says to put in Rocket.toml, as figment reads it.
    let figment = issuer.figment().merge(
        Toml::string("[default.maskinporten]\npublic_routes = [\"GET /forgotten\"]").nested(),
    );
    let rocket = rocket::custom(figment)
        .attach(Maskinporten::fairing())
        .mount("/", maskinporten_rocket::routes![afp, forgotten]);
    let client = Client::tracked(rocket).await.expect("the app ignites");
    let response = client.get("/forgotten").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
}

/// rocket_okapi's Swagger UI: nine routes under one path, none of ours.
fn okapi_swagger_ui() -> Vec<rocket::Route> {
    let config = rocket_okapi::swagger_ui::SwaggerUIConfig {
        url: "../openapi.json".to_owned(),
        ..Default::default()
    };
    rocket_okapi::swagger_ui::make_swagger_ui(&config).into()
}

#[rocket::async_test]
async fn one_entry_covers_every_route_rocket_okapi_mounts_under_swagger_ui() {
    let issuer = Issuer::start().await;
    let figment = issuer
        .figment()
        .merge(("maskinporten.public_routes", ["/swagger-ui/<_..>"]));
    let rocket = rocket::custom(figment)
        .attach(Maskinporten::fairing())
        .mount("/", maskinporten_rocket::routes![afp])
        .mount("/swagger-ui/", okapi_swagger_ui());
    let map = audit(&rocket).expect("one entry covers them all");
    let swagger: Vec<_> = map
        .iter()
        .filter(|route| route.uri.starts_with("/swagger-ui"))
        .collect();
    assert!(swagger.len() >= 9, "{map}");
    assert!(
        swagger
            .iter()
            .all(|route| route.protection == Protection::PublicByConfiguration),
        "{map}"
    );
    let client = Client::tracked(rocket).await.expect("the app ignites");
    let response = client.get("/swagger-ui/index.html").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let response = client.get("/afp").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
}

#[rocket::async_test]
async fn an_entry_whose_prefix_covers_a_scopes_route_fails_ignite() {
    let issuer = Issuer::start().await;
    for entry in ["/<_..>", "GET /<path..>"] {
        let figment = issuer
            .figment()
            .merge(("maskinporten.public_routes", [entry]));
        let rocket = rocket::custom(figment)
            .attach(Maskinporten::fairing())
            .mount("/", maskinporten_rocket::routes![afp])
            .mount("/swagger-ui/", okapi_swagger_ui());
        let error = audit(&rocket).unwrap_err();
        assert!(
            matches!(error.kind(), AuditErrorKind::PublicRouteProtected { entry: e, route } if e == entry && route.uri == "/afp"),
            "{error}"
        );
        assert_ignite_fails(rocket, entry).await;
    }
}

#[test]
fn turned_off_each_open_unmarked_route_is_named_once_at_liftoff() {
    let test = this_test!("turned_off_each_open_unmarked_route_is_named_once_at_liftoff");
    isolated(&test, &[], || {
        crate::tracing::capture();
        block_on(async {
            let issuer = Issuer::start().await;
            let figment = issuer
                .figment()
                .merge(("maskinporten.deny_unmarked_routes", false));
            let rocket = rocket::custom(figment)
                .attach(Maskinporten::fairing())
                .mount("/", maskinporten_rocket::routes![afp, forgotten])
                .mount("/", rocket::routes![metrics]);
            let client = Client::tracked(rocket).await.expect("the app ignites");
            let written = crate::tracing::written();
            let warnings: Vec<&str> = written
                .lines()
                .filter(|line| line.contains("answers anyone without a token"))
                .collect();
            assert_eq!(warnings.len(), 2, "{written}");
            for route in ["GET     /forgotten", "GET     /metrics"] {
                let line = warnings.iter().find(|line| line.contains(route));
                assert!(
                    line.is_some_and(|line| line.contains("WARN")),
                    "{route}: {warnings:?}"
                );
            }
            assert!(!written.contains("/afp answers anyone"), "{written}");
            drop(client);
        });
    });
}
