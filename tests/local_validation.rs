//! Local validation end to end: a stand-in issuer on 127.0.0.1 serving real
//! metadata and JWKS, real RS256 tokens, real responses; refusals as RFC 6750
//! §3 has them, with the descriptions of `support::description`.
//!
//! What a valid token, the configuration and the guards do lives here;
//! forged and hostile tokens (alg, kid, header keys, signatures, issuer
//! look-alikes, duplicate members) live in `attacks.rs`.

use crate::support::description::{
    EXPIRED, MALFORMED, NOT_YET_VALID, OTHER_AUDIENCE, OTHER_ISSUER, UNKNOWN_KEY,
};
use crate::support::{
    app, app_with_own_catchers, assert_ignite_fails, assert_refused, client_with, expect_invalid,
    expect_ok, get, get_with_authorization, insufficient_scope, invalid_token, start,
    BARE_CHALLENGE, INVALID_REQUEST, READ, WRITE,
};
use maskinporten_testing::Issuer;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::json;

#[rocket::async_test]
async fn valid_token_with_the_scope_gets_through() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).consumer("987654321").sign();
    let response = get(&client, "/read", &token).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.headers().get_one("WWW-Authenticate"), None);
    assert_eq!(response.into_string().await.as_deref(), Some("987654321"));
}

#[rocket::async_test]
async fn token_carrying_several_scopes_meets_each() {
    let (issuer, client) = start().await;
    let token = issuer
        .token()
        .scope("nav:other/thing.read")
        .scope(WRITE)
        .scope(READ)
        .sign();
    expect_ok(&client, [&token]).await;
    assert_eq!(get(&client, "/both", &token).await.status(), Status::Ok);
    assert_eq!(get(&client, "/either", &token).await.status(), Status::Ok);
}

#[rocket::async_test]
async fn all_scopes_are_required_unless_any() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(WRITE).sign();
    let response = get(&client, "/both", &token).await;
    let challenge = insufficient_scope(&format!("{READ} {WRITE}"));
    assert_refused(response, Status::Forbidden, Some(&challenge), &token).await;
    assert_eq!(get(&client, "/either", &token).await.status(), Status::Ok);
}

#[rocket::async_test]
async fn missing_scope_gets_insufficient_scope() {
    let (issuer, client) = start().await;
    let challenge = insufficient_scope(READ);
    for granted in [
        None,
        Some(WRITE.to_owned()),
        Some(format!("x{READ}")),                // prefixed
        Some(format!("{READ}x")),                // suffixed
        Some(READ.to_uppercase()),               // different case
        Some("nav:helse/sykepenger".to_owned()), // a prefix of it
    ] {
        let mut token = issuer.token();
        if let Some(scope) = &granted {
            token = token.scope(scope);
        }
        let token = token.sign();
        let response = get(&client, "/read", &token).await;
        assert_refused(response, Status::Forbidden, Some(&challenge), &token).await;
    }
}

#[rocket::async_test]
async fn expired_token_gets_invalid_token() {
    let (issuer, client) = start().await;
    let token = issuer
        .token()
        .scope(READ)
        .issued_in(-600)
        .expires_in(-60)
        .sign();
    expect_invalid(&client, EXPIRED, [&token]).await;
}

#[rocket::async_test]
async fn token_expired_within_the_leeway_is_accepted() {
    let issuer = Issuer::start().await;
    let client = client_with(issuer.figment().merge(("maskinporten.leeway", 30))).await;
    let token = issuer.token().scope(READ).expires_in(-10).sign();
    expect_ok(&client, [&token]).await;
}

#[rocket::async_test]
async fn token_without_exp_is_malformed() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).without_claim("exp").sign();
    expect_invalid(&client, MALFORMED, [&token]).await;
}

#[rocket::async_test]
async fn not_yet_valid_token_gets_invalid_token() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).not_before_in(600).sign();
    expect_invalid(&client, NOT_YET_VALID, [&token]).await;
}

#[rocket::async_test]
async fn token_issued_in_the_future_gets_invalid_token() {
    let (issuer, client) = start().await;
    let token = issuer
        .token()
        .scope(READ)
        .issued_in(600)
        .expires_in(900)
        .sign();
    expect_invalid(&client, NOT_YET_VALID, [&token]).await;
}

/// With `issuer` and `jwks_uri` both set no metadata is fetched, and the
/// configured issuer is the one tokens are held to. (With metadata, an
/// issuer that differs from the metadata's is refused: see `discovery`.)
/// No `well_known_url` either: with the OpenAPI features, which this test
/// binary has, the fairing would read it once for the document's token
/// URL (see `openapi_token_url`).
#[rocket::async_test]
async fn explicit_issuer_and_jwks_uri_need_no_metadata() {
    let issuer = Issuer::start().await;
    let figment = issuer
        .figment()
        .merge(("maskinporten.well_known_url", ""))
        .merge(("maskinporten.issuer", "https://explicit.example/"))
        .merge(("maskinporten.jwks_uri", issuer.jwks_uri()));
    let client = client_with(figment).await;
    let theirs = issuer.token().scope(READ).sign();
    let response = get(&client, "/read", &theirs).await;
    let challenge = invalid_token(OTHER_ISSUER);
    assert_refused(response, Status::Unauthorized, Some(&challenge), &theirs).await;
    let ours = issuer
        .token()
        .scope(READ)
        .issuer("https://explicit.example/")
        .sign();
    expect_ok(&client, [&ours]).await;
    assert_eq!(issuer.metadata_requests(), 0);
}

#[rocket::async_test]
async fn token_without_kid_gets_invalid_token() {
    let (issuer, client) = start().await;
    let builder = issuer.token().scope(READ);
    let token = builder.sign_raw(r#"{"alg":"RS256"}"#, r#"{"iss":"x","exp":9999999999}"#);
    expect_invalid(&client, UNKNOWN_KEY, [&token]).await;
}

#[rocket::async_test]
async fn garbage_tokens_are_malformed() {
    let (_issuer, client) = start().await;
    let tokens = ["garbage", "a.b", "a.b.c.d", "e30.e30.e30", "abc.def.ghi"];
    expect_invalid(&client, MALFORMED, tokens).await;
}

#[rocket::async_test]
async fn no_authorization_header_gets_a_bare_challenge() {
    let (_issuer, client) = start().await;
    let response = client.get("/read").dispatch().await;
    assert_refused(response, Status::Unauthorized, Some(BARE_CHALLENGE), "").await;
}

#[rocket::async_test]
async fn basic_scheme_gets_a_bare_challenge() {
    let (_issuer, client) = start().await;
    let response = get_with_authorization(&client, "Basic dXNlcjpwYXNz").await;
    assert_refused(response, Status::Unauthorized, Some(BARE_CHALLENGE), "").await;
}

#[rocket::async_test]
async fn lowercase_bearer_scheme_is_accepted() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    let response = get_with_authorization(&client, format!("bearer {token}")).await;
    assert_eq!(response.status(), Status::Ok);
}

#[rocket::async_test]
async fn malformed_authorization_header_gets_invalid_request() {
    let (_issuer, client) = start().await;
    for value in ["Bearer", "Bearer a b c", "Bearer \"quoted\""] {
        let response = get_with_authorization(&client, value).await;
        assert_refused(response, Status::BadRequest, Some(INVALID_REQUEST), "").await;
    }
}

#[rocket::async_test]
async fn token_in_the_query_string_is_not_taken() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    let response = client
        .get(format!("/read?access_token={token}"))
        .dispatch()
        .await;
    assert_refused(response, Status::Unauthorized, Some(BARE_CHALLENGE), &token).await;
}

#[rocket::async_test]
async fn token_in_a_form_body_is_not_taken() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    let response = client
        .get("/read")
        .header(rocket::http::ContentType::Form)
        .body(format!("access_token={token}"))
        .dispatch()
        .await;
    assert_refused(response, Status::Unauthorized, Some(BARE_CHALLENGE), &token).await;
}

#[rocket::async_test]
async fn required_audience_must_be_present() {
    let issuer = Issuer::start().await;
    let figment = issuer
        .figment()
        .merge(("maskinporten.audience", "https://afp.nav.no/api"));
    let client = client_with(figment).await;
    let challenge = invalid_token(OTHER_AUDIENCE);
    for token in [
        issuer.token().scope(READ).sign(),
        issuer
            .token()
            .scope(READ)
            .audience("https://other.example/")
            .sign(),
        issuer
            .token()
            .scope(READ)
            .audience("https://afp.nav.no/api/")
            .sign(),
    ] {
        let response = get(&client, "/read", &token).await;
        assert_refused(response, Status::Unauthorized, Some(&challenge), &token).await;
    }
    let ok = issuer
        .token()
        .scope(READ)
        .audience("https://afp.nav.no/api")
        .sign();
    expect_ok(&client, [&ok]).await;
    let in_array = issuer
        .token()
        .scope(READ)
        .claim(
            "aud",
            json!(["https://x.example/", "https://afp.nav.no/api"]),
        )
        .sign();
    expect_ok(&client, [&in_array]).await;
}

#[rocket::async_test]
async fn audience_is_ignored_unless_configured() {
    let (issuer, client) = start().await;
    let token = issuer
        .token()
        .scope(READ)
        .audience("https://anything.example/")
        .sign();
    expect_ok(&client, [&token]).await;
}

#[rocket::async_test]
async fn claims_guard_works_without_scopes() {
    let (issuer, client) = start().await;
    let token = issuer.token().client_id("consumer-client").sign();
    let response = get(&client, "/whoami", &token).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("consumer-client")
    );
    let response = client.get("/whoami").dispatch().await;
    assert_refused(response, Status::Unauthorized, Some(BARE_CHALLENGE), "").await;
}

#[rocket::async_test]
async fn public_routes_need_no_token_and_get_no_challenge() {
    let (_issuer, client) = start().await;
    let response = client.get("/public").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.headers().get_one("WWW-Authenticate"), None);
}

#[rocket::async_test]
async fn challenge_is_written_under_the_apps_own_catchers() {
    let issuer = Issuer::start().await;
    let client = Client::tracked(app_with_own_catchers(issuer.figment()))
        .await
        .unwrap();
    let response = client.get("/read").dispatch().await;
    assert_eq!(
        response.headers().get_one("WWW-Authenticate"),
        Some(BARE_CHALLENGE)
    );
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("the app's own 401")
    );

    let token = issuer.token().scope(WRITE).sign();
    let response = get(&client, "/read", &token).await;
    assert_eq!(response.status(), Status::Forbidden);
    let challenge = insufficient_scope(READ);
    assert_eq!(
        response.headers().get_one("WWW-Authenticate"),
        Some(challenge.as_str())
    );
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("the app's own 403")
    );
}

#[rocket::async_test]
async fn realm_is_added_when_configured() {
    let issuer = Issuer::start().await;
    let client = client_with(issuer.figment().merge(("maskinporten.realm", "afp"))).await;
    let response = client.get("/read").dispatch().await;
    assert_eq!(
        response.headers().get_one("WWW-Authenticate"),
        Some("Bearer realm=\"afp\"")
    );
}

#[rocket::async_test]
async fn keys_can_come_from_explicit_issuer_and_jwks_uri_without_metadata() {
    let issuer = Issuer::start().await;
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "critical"))
        .merge(("maskinporten.issuer", issuer.issuer()))
        .merge(("maskinporten.jwks_uri", issuer.jwks_uri()));
    let client = client_with(figment).await;
    let token = issuer.token().scope(READ).sign();
    expect_ok(&client, [&token]).await;
    assert_eq!(issuer.metadata_requests(), 0);
}

#[rocket::async_test]
async fn impossible_configuration_stops_ignite() {
    let issuer = Issuer::start().await;
    let relative_audience = issuer.figment().merge(("maskinporten.audience", "afp-api"));
    let no_issuer =
        rocket::figment::Figment::from(rocket::Config::debug_default()).merge(("log_level", "off"));
    assert_ignite_fails(app(relative_audience), "with a relative audience").await;
    assert_ignite_fails(app(no_issuer), "with no issuer").await;
}

#[rocket::async_test]
async fn a_token_signed_under_a_new_kid_is_fetched_once_and_accepted() {
    let (issuer, client) = start().await;
    let before = issuer.jwks_requests();
    issuer.rotate("key-2");
    let token = issuer.token().scope(READ).sign();
    expect_ok(&client, [&token]).await;
    assert_eq!(issuer.jwks_requests(), before + 1);
}

#[rocket::async_test]
async fn fairing_attached_twice_ignites_and_protects() {
    let issuer = Issuer::start().await;
    let rocket = app(issuer.figment()).attach(maskinporten_rocket::Maskinporten::fairing());
    let client = Client::tracked(rocket).await.expect("ignite");
    assert_eq!(
        client.get("/read").dispatch().await.status(),
        Status::Unauthorized
    );
    let token = issuer.token().scope(READ).sign();
    expect_ok(&client, [&token]).await;
}
