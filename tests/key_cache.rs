//! The key cache under rotation, storms, stalls and outages: a stand-in
//! issuer on 127.0.0.1 that counts its requests and misbehaves on command.

use std::time::{Duration, Instant};

use crate::support::{
    app, assert_ignite_fails, assert_unavailable, client, client_with, expect_ok, get, start, READ,
};
use futures::future::join_all;
use maskinporten_rocket::Validator;
use maskinporten_testing::Issuer;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::json;

/// Waits until the validator reports keys loaded, polling; fails after `limit`.
pub(crate) async fn wait_until_ready(client: &Client, limit: Duration) {
    let validator = client
        .rocket()
        .state::<Validator>()
        .expect("fairing attached");
    let started = Instant::now();
    while !validator.is_ready() {
        assert!(
            started.elapsed() < limit,
            "keys not loaded within {limit:?}"
        );
        rocket::tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[rocket::async_test]
async fn concurrent_requests_under_a_rotated_key_share_one_fetch() {
    let (issuer, client) = start().await;
    let before = issuer.jwks_requests();
    issuer.rotate("key-2");
    let tokens: Vec<String> = (0..32).map(|_| issuer.token().scope(READ).sign()).collect();
    let statuses: Vec<Status> = join_all(tokens.iter().map(|t| get(&client, "/read", t)))
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    assert!(statuses.iter().all(|s| *s == Status::Ok), "{statuses:?}");
    let fetches = issuer.jwks_requests() - before;
    assert!(fetches <= 2, "{fetches} JWKS fetches for one rotation");
}

#[rocket::async_test]
async fn known_kid_does_not_wait_for_a_stalled_refresh() {
    let (issuer, client) = start().await;
    let known = issuer.token().scope(READ).sign();
    let unknown = issuer.token().scope(READ).kid("rotated-elsewhere").sign();
    issuer.stall(Duration::from_secs(3));
    let started = Instant::now();
    let stalled = async {
        let s = get(&client, "/read", &unknown).await.status();
        (s, started.elapsed())
    };
    let quick = async {
        // Let the unknown-kid request take the fetch first.
        rocket::tokio::task::yield_now().await;
        let s = get(&client, "/read", &known).await.status();
        (s, started.elapsed())
    };
    let ((slow_status, slow_time), (quick_status, quick_time)) = futures::join!(stalled, quick);
    assert_eq!(quick_status, Status::Ok);
    assert!(
        quick_time < Duration::from_millis(500),
        "known kid took {quick_time:?}"
    );
    assert_eq!(slow_status, Status::Unauthorized);
    assert!(
        slow_time >= Duration::from_secs(3),
        "the refresh did not stall: {slow_time:?}"
    );
}

#[rocket::async_test]
async fn failing_jwks_keeps_the_cached_keys() {
    let failures = [
        |i: &Issuer| i.fail_with(500),
        |i: &Issuer| i.answer_garbage(),
        |i: &Issuer| i.answer_json(&json!({"keys": []})),
        |i: &Issuer| {
            i.answer_json(&json!({"keys": [{"kty": "oct", "kid": "key-1", "k": "c2VjcmV0"}]}))
        },
    ];
    for fail in failures {
        let issuer = Issuer::start().await;
        let client = client(&issuer).await;
        fail(&issuer);
        let before = issuer.jwks_requests() + issuer.metadata_requests();
        // An unknown kid forces a refresh, which fails: we cannot tell a
        // rotated key from a forged one, so 503, not 401.
        let unknown = issuer.token().scope(READ).kid("unknown").sign();
        assert_unavailable(&get(&client, "/read", &unknown).await);
        assert_eq!(
            issuer.jwks_requests() + issuer.metadata_requests(),
            before + 1,
            "no refresh was tried"
        );
        // A fresh token under the cached key still verifies.
        let known = issuer.token().scope(READ).sign();
        expect_ok(&client, [&known]).await;
    }
}

#[rocket::async_test]
async fn rotated_key_during_an_issuer_outage_is_503_not_401() {
    let (issuer, client) = start().await;
    issuer.rotate("key-2");
    issuer.fail_with(500);
    let token = issuer.token().scope(READ).sign();
    // First the refresh fails, then the cooldown holds: 503 both times, and
    // only one fetch.
    let before = issuer.jwks_requests() + issuer.metadata_requests();
    for _ in 0..2 {
        assert_eq!(
            get(&client, "/read", &token).await.status(),
            Status::ServiceUnavailable
        );
    }
    assert_eq!(
        issuer.jwks_requests() + issuer.metadata_requests(),
        before + 1
    );
}

#[rocket::async_test]
async fn issuer_down_at_start_gives_503_then_200_without_restart() {
    let issuer = Issuer::start().await;
    issuer.fail_with(500);
    let client = client(&issuer).await;
    let token = issuer.token().scope(READ).sign();
    assert_unavailable(&get(&client, "/read", &token).await);

    issuer.recover();
    wait_until_ready(&client, Duration::from_secs(10)).await;
    expect_ok(&client, [&token]).await;
}

#[rocket::async_test]
async fn issuer_down_at_start_fails_ignite_when_required() {
    let issuer = Issuer::start().await;
    issuer.fail_with(500);
    let figment = issuer
        .figment()
        .merge(("maskinporten.require_keys_at_start", true));
    assert_ignite_fails(app(figment), "without keys").await;
}

#[rocket::async_test]
async fn keys_are_refreshed_in_the_background() {
    let issuer = Issuer::start().await;
    let client = client_with(issuer.figment().merge(("maskinporten.refresh_interval", 1))).await;
    issuer.rotate("key-2");
    // Requests are counted when they arrive. The background task fetches one
    // at a time, so once two fetches have arrived after the rotation, the
    // first of them has been answered with key-2 and installed.
    let before = issuer.jwks_requests();
    let started = Instant::now();
    while issuer.jwks_requests() < before + 2 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no background refresh"
        );
        rocket::tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // From now on every fetch fails: a token under key-2 passes only if the
    // background refresh already brought the key (an on-demand fetch would
    // end in 503).
    issuer.fail_with(500);
    let token = issuer.token().scope(READ).sign();
    expect_ok(&client, [&token]).await;
}

#[rocket::async_test]
async fn a_retired_key_stops_working_after_the_next_refresh() {
    let (issuer, client) = start().await;
    let old = issuer.token().scope(READ).sign();
    expect_ok(&client, [&old]).await;
    issuer.rotate("key-2");
    issuer.retire_old_keys();
    // The rotated key's first token refreshes the set, dropping key-1.
    let new = issuer.token().scope(READ).sign();
    expect_ok(&client, [&new]).await;
    let old_again = issuer
        .token()
        .scope(READ)
        .signing_key(issuer.current_key())
        .kid("key-1")
        .sign();
    assert_eq!(
        get(&client, "/read", &old_again).await.status(),
        Status::Unauthorized
    );
    // A token verified before the rotation is still in the verdict cache.
    expect_ok(&client, [&old]).await;
}
