//! Texas mode end to end (SPEC §4): the same guards and responses, with the
//! verdict from a stand-in Texas on 127.0.0.1.

use std::time::{Duration, Instant};

use crate::support::{assert_refused, client_with, invalid_token, READ, WRITE};
use maskinporten_rocket::testing::{bearer, Issuer, Texas};
use rocket::http::Status;
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::json;

async fn get<'c>(client: &'c Client, token: &str) -> LocalResponse<'c> {
    client.get("/read").header(bearer(token)).dispatch().await
}

async fn assert_unavailable(response: LocalResponse<'_>) {
    assert_eq!(response.status(), Status::ServiceUnavailable);
    assert_eq!(response.headers().get_one("WWW-Authenticate"), None);
    assert_eq!(response.headers().get_one("Retry-After"), Some("5"));
}

#[rocket::async_test]
async fn active_token_with_the_scope_gets_through() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    let token = issuer.token().scope(READ).consumer("123123123").sign();
    let response = get(&client, &token).await;
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
    let challenge = format!("Bearer error=\"insufficient_scope\", scope=\"{READ}\"");
    assert_refused(
        get(&client, &token).await,
        Status::Forbidden,
        Some(&challenge),
        &token,
    )
    .await;
}

#[rocket::async_test]
async fn inactive_token_gets_invalid_token_without_texas_words() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    texas.answer_inactive("token is expired (secret detail)");
    let token = issuer.token().scope(READ).sign();
    let response = get(&client, &token).await;
    let challenge = invalid_token("The access token is not active");
    assert_eq!(
        response.headers().get_one("WWW-Authenticate"),
        Some(challenge.as_str())
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
    let challenge = invalid_token("The access token is not active");
    assert_refused(
        get(&client, &expired).await,
        Status::Unauthorized,
        Some(&challenge),
        &expired,
    )
    .await;
    let forged = issuer
        .token()
        .scope(READ)
        .issuer("https://elsewhere.example/")
        .sign();
    assert_refused(
        get(&client, &forged).await,
        Status::Unauthorized,
        Some(&challenge),
        &forged,
    )
    .await;
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
    assert_eq!(get(&client, &token).await.status(), Status::Ok);
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
    assert_unavailable(get(&client, &issuer.token().scope(READ).sign()).await).await;
}

#[rocket::async_test]
async fn texas_answering_garbage_is_503() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    texas.answer_garbage();
    assert_unavailable(get(&client, &issuer.token().scope(READ).sign()).await).await;
}

#[rocket::async_test]
async fn hung_texas_answers_503_within_the_timeout() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment().merge(("maskinporten.http_timeout", 1))).await;
    texas.hang(Duration::from_secs(30));
    let started = Instant::now();
    assert_unavailable(get(&client, &issuer.token().scope(READ).sign()).await).await;
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
    assert_unavailable(get(&client, &issuer.token().scope(READ).sign()).await).await;
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
        assert_unavailable(get(&client, &token).await).await;
    }
}

#[rocket::async_test]
async fn one_token_costs_one_texas_call_however_often_it_is_used() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client_with(texas.figment()).await;
    let token = issuer.token().scope(READ).sign();
    for _ in 0..100 {
        assert_eq!(get(&client, &token).await.status(), Status::Ok);
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
        assert_eq!(get(&client, &token).await.status(), Status::Ok);
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
        get(&client, &token).await.status(),
        Status::ServiceUnavailable
    );
    texas.recover();
    assert_eq!(get(&client, &token).await.status(), Status::Ok);
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
    let challenge = invalid_token("The access token is for another audience");
    assert_refused(
        get(&client, &wrong).await,
        Status::Unauthorized,
        Some(&challenge),
        &wrong,
    )
    .await;
    let right = issuer
        .token()
        .scope(READ)
        .audience("https://afp.nav.no/api")
        .sign();
    assert_eq!(get(&client, &right).await.status(), Status::Ok);
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
    let challenge = invalid_token("The access token header is not accepted");
    assert_refused(
        get(&client, &crit).await,
        Status::Unauthorized,
        Some(&challenge),
        &crit,
    )
    .await;
    let challenge = invalid_token("The access token is malformed");
    assert_refused(
        get(&client, "not.a.jwt").await,
        Status::Unauthorized,
        Some(&challenge),
        "",
    )
    .await;
    assert_eq!(texas.introspections(), 0);
}
