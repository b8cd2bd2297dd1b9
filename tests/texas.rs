//! Texas mode end to end: the same guards and responses, with the verdict
//! from a stand-in Texas (the NAIS sidecar that introspects tokens,
//! <https://doc.nais.io/auth/explanations/#texas>) on 127.0.0.1.

use std::time::{Duration, Instant};

use crate::security_review::{assert_failed_fairing, block_on, isolated, quiet, this_test};
use crate::support::description::{BAD_HEADER, MALFORMED, NOT_ACTIVE, OTHER_AUDIENCE};
use crate::support::{
    app, assert_unavailable, client_with, expect_insufficient_scope, expect_invalid, expect_ok,
    get, invalid_token, READ, WRITE,
};
use maskinporten_testing::{Issuer, Texas};
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::json;

#[rocket::async_test]
async fn active_token_with_the_scope_gets_through() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    let token = issuer.token().scope(READ).consumer("123123123").sign();
    let response = get(&client, "/read", &token).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.into_string().await.as_deref(), Some("123123123"));
    assert_eq!(texas.json_introspections(), 1);
}

#[rocket::async_test]
async fn active_token_without_the_scope_is_forbidden() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    let token = issuer.token().scope(WRITE).sign();
    expect_insufficient_scope(&client, [&token]).await;
}

#[rocket::async_test]
async fn inactive_token_gets_invalid_token_without_texas_words() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    texas.answer_inactive("token is expired (secret detail)");
    let token = issuer.token().scope(READ).sign();
    let response = get(&client, "/read", &token).await;
    let challenge = invalid_token(NOT_ACTIVE);
    assert_eq!(
        (
            response.status(),
            response.headers().get_one("WWW-Authenticate")
        ),
        (Status::Unauthorized, Some(challenge.as_str()))
    );
    let body = response.into_string().await.unwrap_or_default();
    assert!(!body.contains("secret detail"));
}

#[rocket::async_test]
async fn texas_really_checks_the_token() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    let expired = issuer
        .token()
        .scope(READ)
        .issued_in(-900)
        .expires_in(-600)
        .sign();
    let forged = issuer
        .token()
        .scope(READ)
        .issuer("https://elsewhere.example/")
        .sign();
    expect_invalid(&client, NOT_ACTIVE, [expired, forged]).await;
}

#[rocket::async_test]
async fn form_bodies_are_sent_when_configured() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(
        texas
            .figment()
            .merge(("maskinporten.introspection_body", "form")),
    )
    .await;
    let token = issuer.token().scope(READ).sign();
    expect_ok(&client, [&token]).await;
    assert_eq!(
        (texas.form_introspections(), texas.json_introspections()),
        (1, 0)
    );
}

#[rocket::async_test]
async fn texas_answering_500_is_503_not_401() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    texas.fail_with(500);
    assert_unavailable(&get(&client, "/read", &issuer.token().scope(READ).sign()).await);
}

#[rocket::async_test]
async fn texas_answering_garbage_is_503() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    texas.answer_garbage();
    assert_unavailable(&get(&client, "/read", &issuer.token().scope(READ).sign()).await);
}

#[rocket::async_test]
async fn hung_texas_answers_503_within_the_timeout() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment().merge(("maskinporten.http_timeout", 1))).await;
    texas.stall(Duration::from_secs(30));
    let started = Instant::now();
    assert_unavailable(&get(&client, "/read", &issuer.token().scope(READ).sign()).await);
    let waited = started.elapsed();
    assert!(waited < Duration::from_millis(2500), "waited {waited:?}");
}

#[rocket::async_test]
async fn unreachable_texas_is_503() {
    let issuer = Issuer::start().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!(
        "http://{}/api/v1/introspect",
        closed.local_addr().expect("addr")
    );
    drop(closed);
    let figment = issuer
        .figment()
        .merge(("maskinporten.validation", "texas"))
        .merge(("maskinporten.introspection_endpoint", endpoint));
    let client = client_with(figment).await;
    assert_unavailable(&get(&client, "/read", &issuer.token().scope(READ).sign()).await);
}

#[rocket::async_test]
async fn texas_json_without_a_boolean_active_is_503() {
    // JSON that is not Texas's shape cannot be read as a verdict.
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    let token = issuer.token().scope(READ).sign();
    for body in [
        json!({"scope": READ}),
        json!({"active": "true"}),
        json!([true]),
    ] {
        texas.answer_json(&body);
        assert_unavailable(&get(&client, "/read", &token).await);
    }
}

#[rocket::async_test]
async fn one_token_costs_one_texas_call_however_often_it_is_used() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    let token = issuer.token().scope(READ).sign();
    for _ in 0..100 {
        expect_ok(&client, [&token]).await;
    }
    assert_eq!(texas.introspections(), 1);
}

#[rocket::async_test]
async fn without_the_verdict_cache_every_request_asks_texas() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment().merge(("maskinporten.verdict_cache", 0))).await;
    let token = issuer.token().scope(READ).sign();
    for _ in 0..10 {
        expect_ok(&client, [&token]).await;
    }
    assert_eq!(texas.introspections(), 10);
}

#[rocket::async_test]
async fn failures_are_not_cached() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    let token = issuer.token().scope(READ).sign();
    texas.fail_with(500);
    assert_eq!(
        get(&client, "/read", &token).await.status(),
        Status::ServiceUnavailable
    );
    texas.recover();
    expect_ok(&client, [&token]).await;
}

#[rocket::async_test]
async fn audience_is_checked_locally_in_texas_mode() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let figment = texas
        .figment()
        .merge(("maskinporten.audience", "https://afp.nav.no/api"));
    let client = client_with(figment).await;
    let wrong = issuer
        .token()
        .scope(READ)
        .audience("https://other.example/")
        .sign();
    expect_invalid(&client, OTHER_AUDIENCE, [wrong]).await;
    let right = issuer
        .token()
        .scope(READ)
        .audience("https://afp.nav.no/api")
        .sign();
    expect_ok(&client, [&right]).await;
}

#[rocket::async_test]
async fn malformed_and_crit_tokens_never_reach_texas() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    let crit = issuer
        .token()
        .scope(READ)
        .header("crit", json!(["x"]))
        .header("x", json!(1))
        .sign();
    expect_invalid(&client, BAD_HEADER, [crit]).await;
    expect_invalid(&client, MALFORMED, ["not.a.jwt"]).await;
    assert_eq!(texas.introspections(), 0);
}

/// Every introspection request carries a bearer token, and Texas's answer
/// is the verdict: over plain http to a host that is not loopback, anyone
/// on the path could read the tokens or answer `active: true`. Ignite
/// stops, and the log line names the key and the variable and gives the
/// line to paste. (In a child process: Rocket logs to stdout.)
#[test]
fn plain_http_to_a_remote_texas_stops_ignite() {
    let test = this_test!("plain_http_to_a_remote_texas_stops_ignite");
    let printed = isolated(&test, &[], || {
        block_on(async {
            let figment = quiet(rocket::Config::figment())
                .merge(("log_level", "critical"))
                .merge(("maskinporten.validation", "texas"))
                .merge((
                    "maskinporten.introspection_endpoint",
                    "http://texas.example:3000/api/v1/introspect",
                ));
            assert_failed_fairing(Client::tracked(app(figment)).await);
        })
    });
    let Some(printed) = printed else { return };
    assert!(
        printed.contains(
            "maskinporten.introspection_endpoint (or NAIS_TOKEN_INTROSPECTION_ENDPOINT): \
             `http://texas.example:3000/api/v1/introspect` is plain http"
        ),
        "{printed}"
    );
    assert!(
        printed.contains(
            r#"`introspection_endpoint = "https://texas.example:3000/api/v1/introspect"`"#
        ),
        "{printed}"
    );
}
