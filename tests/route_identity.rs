//! A route carries the mark of the handler it was built from, and no
//! other: handlers that share a name, method and path in two modules or two
//! crates are told apart, and a route whose mark cannot be checked counts as
//! unmarked.
//!
//! Each scenario has a name and path of its own, so that no other mark in
//! this binary shares them.

use crate::support::{assert_ignite_fails, get, READ, WRITE};
use maskinporten_rocket::routes::{scope_map, Protection};
use maskinporten_rocket::Maskinporten;
use maskinporten_testing::Issuer;
use rocket::figment::Figment;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use rocket::{Build, Rocket};

/// `GET /afp` twice: protected here, open in `v2`.
mod v1 {
    use maskinporten_rocket::scopes;

    #[scopes("nav:helse/sykepenger/afp.read")]
    #[rocket::get("/afp")]
    pub fn afp() -> &'static str {
        "v1"
    }

    #[scopes("nav:helse/sykepenger/afp.read")]
    #[rocket::get("/periods")]
    pub fn periods() -> &'static str {
        "v1 periods"
    }
}

mod v2 {
    use maskinporten_rocket::scopes;

    #[rocket::get("/afp")]
    pub fn afp() -> &'static str {
        "v2, open"
    }

    #[scopes("nav:helse/sykepenger/afp.write")]
    #[rocket::get("/periods")]
    pub fn periods() -> &'static str {
        "v2 periods"
    }
}

/// Shares name, method and path with the other crate's protected `pension`.
#[rocket::get("/pension")]
fn pension() -> &'static str {
    "ours, open"
}

/// Marked, and mounted the way that cannot check its mark.
#[maskinporten_rocket::scopes("nav:helse/sykepenger/afp.read")]
#[rocket::get("/bare")]
fn bare() -> &'static str {
    "bare"
}

fn deny_unmarked(issuer: &Issuer) -> Figment {
    issuer
        .figment()
        .merge(("maskinporten.deny_unmarked_routes", true))
}

/// `v1::afp` at `/v1`, `v2::afp` at `/v2`.
fn two_modules(figment: Figment) -> Rocket<Build> {
    rocket::custom(figment)
        .attach(Maskinporten::fairing())
        .mount("/v1", maskinporten_rocket::routes![v1::afp])
        .mount("/v2", maskinporten_rocket::routes![v2::afp])
}

#[rocket::async_test]
async fn an_open_handler_named_like_a_protected_one_in_another_module_is_denied() {
    let issuer = Issuer::start().await;
    let rocket = two_modules(deny_unmarked(&issuer));
    let map = scope_map(&rocket);
    let open = map.get("GET", "/v2/afp").expect("mounted");
    assert_eq!(open.protection, Protection::Unmarked, "{map}");
    assert_eq!(map.unmarked().count(), 1, "{map}");
    assert!(matches!(
        map.get("GET", "/v1/afp").expect("mounted").protection,
        Protection::Scopes(r) if r.scopes() == [READ]
    ));
    assert_ignite_fails(rocket, "with GET /v2/afp open under deny-by-default").await;
}

#[rocket::async_test]
async fn the_scope_map_lists_the_open_one_as_unmarked_as_it_answers() {
    let issuer = Issuer::start().await;
    let figment = issuer
        .figment()
        .merge(("maskinporten.deny_unmarked_routes", false));
    let client = Client::tracked(two_modules(figment))
        .await
        .expect("the app ignites without deny-by-default");
    let map = scope_map(client.rocket());
    assert_eq!(
        map.get("GET", "/v2/afp").map(|r| r.protection),
        Some(Protection::Unmarked),
        "{map}"
    );
    let table = map.to_string();
    assert!(!table.contains("/v2/afp  requires"), "{table}");
    // What the map says is what the app does.
    let open = client.get("/v2/afp").dispatch().await;
    assert_eq!(open.status(), Status::Ok);
    let protected = client.get("/v1/afp").dispatch().await;
    assert_eq!(protected.status(), Status::Unauthorized);
}

#[rocket::async_test]
async fn handlers_named_alike_in_two_modules_each_require_their_own_scopes() {
    let issuer = Issuer::start().await;
    let rocket = rocket::custom(deny_unmarked(&issuer))
        .attach(Maskinporten::fairing())
        .mount("/v1", maskinporten_rocket::routes![v1::periods])
        .mount("/v2", maskinporten_rocket::routes![v2::periods]);
    let map = scope_map(&rocket);
    let requirement = |uri| match map.get("GET", uri).map(|r| r.protection) {
        Some(Protection::Scopes(r)) => r.scopes().to_vec(),
        other => panic!("{uri}: {other:?}\n{map}"),
    };
    assert_eq!(requirement("/v1/periods"), [READ]);
    assert_eq!(requirement("/v2/periods"), [WRITE]);
    let table = map.to_string();
    assert!(
        table.contains("/v1/periods (e2e::route_identity::v1::periods)  requires all of: nav:helse/sykepenger/afp.read"),
        "{table}"
    );
    assert!(
        table.contains("/v2/periods (e2e::route_identity::v2::periods)  requires all of: nav:helse/sykepenger/afp.write"),
        "{table}"
    );

    let client = Client::tracked(rocket)
        .await
        .expect("every route is marked");
    let read = issuer.token().scope(READ).sign();
    assert_eq!(
        get(&client, "/v1/periods", &read).await.status(),
        Status::Ok
    );
    assert_eq!(
        get(&client, "/v2/periods", &read).await.status(),
        Status::Forbidden
    );
}

#[rocket::async_test]
async fn an_open_handler_named_like_another_crates_protected_one_is_denied() {
    let issuer = Issuer::start().await;
    let rocket = rocket::custom(deny_unmarked(&issuer))
        .attach(Maskinporten::fairing())
        .mount("/", maskinporten_rocket::routes![pension])
        .mount(
            "/other",
            maskinporten_rocket::routes![maskinporten_fixture_other_api::pension],
        );
    let map = scope_map(&rocket);
    assert_eq!(
        map.get("GET", "/pension").map(|r| r.protection),
        Some(Protection::Unmarked),
        "{map}"
    );
    assert!(
        matches!(
            map.get("GET", "/other/pension").map(|r| r.protection),
            Some(Protection::Scopes(r)) if r.scopes() == [READ]
        ),
        "{map}"
    );
    assert_ignite_fails(rocket, "with our GET /pension open under deny-by-default").await;
}

#[rocket::async_test]
async fn another_crates_handler_mounted_with_our_routes_is_protected() {
    let issuer = Issuer::start().await;
    let rocket = rocket::custom(deny_unmarked(&issuer))
        .attach(Maskinporten::fairing())
        .mount(
            "/",
            maskinporten_rocket::routes![maskinporten_fixture_other_api::pension],
        );
    let client = Client::tracked(rocket)
        .await
        .expect("every route is marked");
    assert_eq!(
        client.get("/pension").dispatch().await.status(),
        Status::Unauthorized
    );
    let read = issuer.token().scope(READ).sign();
    assert_eq!(get(&client, "/pension", &read).await.status(), Status::Ok);
}

#[rocket::async_test]
async fn a_marked_handler_mounted_with_rockets_routes_is_unmarked_with_a_hint() {
    let issuer = Issuer::start().await;
    let rocket = rocket::custom(deny_unmarked(&issuer))
        .attach(Maskinporten::fairing())
        .mount("/", rocket::routes![bare]);
    let map = scope_map(&rocket);
    let route = map.get("GET", "/bare").expect("mounted");
    assert_eq!(route.protection, Protection::Unmarked, "{map}");
    assert!(
        route
            .to_string()
            .ends_with("mounted with rocket::routes!? mount marked handlers with maskinporten_rocket::routes! so their mark can be checked"),
        "{route}"
    );
    assert_ignite_fails(rocket, "with a mark that cannot be checked").await;
}

#[test]
fn an_open_handler_mounted_with_our_routes_keeps_rockets_name() {
    let rocket = rocket::build().mount("/", maskinporten_rocket::routes![pension]);
    let map = scope_map(&rocket);
    let route = map.get("GET", "/pension").expect("mounted");
    assert_eq!(route.handler.as_deref(), Some("pension"));
}
