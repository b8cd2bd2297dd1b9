//! Discovery (RFC 8414 §3.3): a metadata document whose `issuer` is not the
//! issuer its well-known URL was formed from, or not the configured issuer,
//! is not used. Protected routes answer 503 with `Retry-After` until the
//! document is fixed, the log says why, and once it is fixed the keys load
//! without a restart.

use std::time::Duration;

use crate::key_cache::wait_until_ready;
use crate::security_review::{block_on, isolated, quiet, this_test};
use crate::support::{assert_unavailable, client_with, expect_ok, get, READ};
use maskinporten_testing::Issuer;
use serde_json::json;

/// The stand-in's metadata document with its `issuer` replaced.
fn metadata_naming(issuer: &Issuer, named: &str) -> serde_json::Value {
    json!({
        "issuer": named,
        "jwks_uri": issuer.jwks_uri(),
    })
}

#[rocket::async_test]
async fn metadata_naming_another_issuer_is_not_used_until_fixed() {
    let issuer = Issuer::start().await;
    issuer.answer_json(&metadata_naming(&issuer, "https://maskinporten.no/"));
    let client = client_with(issuer.figment()).await;
    let token = issuer.token().scope(READ).sign();
    assert_unavailable(&get(&client, "/read", &token).await);
    assert_eq!(
        issuer.jwks_requests(),
        0,
        "keys fetched through bad metadata"
    );

    issuer.recover();
    wait_until_ready(&client, Duration::from_secs(10)).await;
    expect_ok(&client, [&token]).await;
}

/// Only one trailing slash may differ: the stand-in's well-known URL is
/// formed from `http://127.0.0.1:<port>/`, and its issuer with a second
/// slash, or with another port, is another issuer.
#[rocket::async_test]
async fn metadata_naming_a_near_miss_of_its_issuer_is_not_used() {
    for named in [
        |i: &Issuer| format!("{}/", i.issuer()),
        |i: &Issuer| i.issuer().replace("127.0.0.1", "localhost"),
    ] {
        let issuer = Issuer::start().await;
        issuer.answer_json(&metadata_naming(&issuer, &named(&issuer)));
        let client = client_with(issuer.figment()).await;
        let token = issuer.token().issuer(&named(&issuer)).scope(READ).sign();
        assert_unavailable(&get(&client, "/read", &token).await);
    }
}

/// Maskinporten's issuer ends in `/`; the issuer the well-known URL is
/// formed from may be written with or without it. (`answer_json` answers
/// every path of a stand-in, so the keys come from a second one.)
#[rocket::async_test]
async fn metadata_naming_its_issuer_without_the_trailing_slash_is_used() {
    let keys = Issuer::start().await;
    let metadata = Issuer::start().await;
    let bare = metadata.issuer().trim_end_matches('/').to_owned();
    metadata.answer_json(&json!({"issuer": bare, "jwks_uri": keys.jwks_uri()}));
    let client = client_with(metadata.figment()).await;
    let token = keys.token().issuer(&bare).scope(READ).sign();
    expect_ok(&client, [&token]).await;
}

#[rocket::async_test]
async fn metadata_naming_another_issuer_than_the_configured_one_is_not_used() {
    let issuer = Issuer::start().await;
    let figment = issuer
        .figment()
        .merge(("maskinporten.issuer", "https://maskinporten.no/"));
    let client = client_with(figment).await;
    let token = issuer.token().scope(READ).sign();
    assert_unavailable(&get(&client, "/read", &token).await);
    let other = issuer
        .token()
        .issuer("https://maskinporten.no/")
        .scope(READ)
        .sign();
    assert_unavailable(&get(&client, "/read", &other).await);
    assert_eq!(
        issuer.jwks_requests(),
        0,
        "keys fetched through bad metadata"
    );
}

/// The configured issuer may differ from the metadata's by its trailing
/// slash; tokens carry the metadata's spelling, which is the one checked.
#[rocket::async_test]
async fn a_configured_issuer_without_the_trailing_slash_matches_the_metadata() {
    let issuer = Issuer::start().await;
    let bare = issuer.issuer().trim_end_matches('/').to_owned();
    let client = client_with(issuer.figment().merge(("maskinporten.issuer", bare))).await;
    expect_ok(&client, [issuer.token().scope(READ).sign()]).await;
}

/// The log says why the metadata is not used, naming both issuers.
#[test]
fn metadata_naming_another_issuer_is_logged_with_both_issuers() {
    let test = this_test!("metadata_naming_another_issuer_is_logged_with_both_issuers");
    let printed = isolated(&test, &[], || {
        block_on(async {
            let issuer = Issuer::start().await;
            issuer.answer_json(&metadata_naming(&issuer, "https://maskinporten.no/"));
            let client = client_with(quiet(issuer.figment()).merge(("log_level", "normal"))).await;
            let token = issuer.token().scope(READ).sign();
            assert_unavailable(&get(&client, "/read", &token).await);

            let configured = Issuer::start().await;
            let figment = quiet(configured.figment())
                .merge(("log_level", "normal"))
                .merge(("maskinporten.issuer", "https://maskinporten.no/"));
            let client = client_with(figment).await;
            let token = configured.token().scope(READ).sign();
            assert_unavailable(&get(&client, "/read", &token).await);
        })
    });
    let Some(printed) = printed else { return };
    assert!(
        printed.contains(r#"names issuer "https://maskinporten.no/", not the issuer its URL was formed from, "http://127.0.0.1:"#),
        "{printed}"
    );
    assert!(
        printed.contains(
            r#"not the configured issuer, "https://maskinporten.no/" (RFC 8414 §3.3); not using it"#
        ),
        "{printed}"
    );
}
