//! The stand-ins' HTTP side, over real connections: keep-alive, the end of
//! a dropped stand-in, and bodies too large to read.

use std::time::{Duration, Instant};

use maskinporten_testing::{Issuer, Texas};

#[tokio::test]
async fn a_dropped_issuer_is_gone_even_for_a_kept_alive_connection() {
    let issuer = Issuer::start().await;
    let jwks = issuer.jwks_uri();
    let http = reqwest::Client::new();
    for _ in 0..2 {
        let response = http.get(&jwks).send().await.expect("JWKS");
        assert_eq!(response.status(), 200);
        let _ = response.bytes().await;
    }
    assert_eq!(issuer.jwks_requests(), 2);
    drop(issuer);
    // The pooled connection is closed with the stand-in, so the next
    // request fails instead of reaching a stand-in that no longer exists.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match http.get(&jwks).send().await {
            Err(_) => break,
            Ok(_) if Instant::now() < deadline => tokio::task::yield_now().await,
            Ok(response) => panic!("a dropped issuer still answers: {}", response.status()),
        }
    }
}

#[tokio::test]
async fn an_oversized_introspection_body_gets_413() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let body = format!(
        r#"{{"identity_provider":"maskinporten","token":"{}"}}"#,
        "a".repeat(300 * 1024)
    );
    let response = reqwest::Client::new()
        .post(texas.endpoint())
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn unknown_paths_and_methods_are_refused() {
    let issuer = Issuer::start().await;
    let http = reqwest::Client::new();
    let base = issuer.issuer().trim_end_matches('/').to_owned();
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(
        status(
            http.get(format!("{base}/nothing"))
                .send()
                .await
                .expect("answer")
        ),
        404
    );
    // The token endpoint takes POST only.
    assert_eq!(
        status(
            http.get(issuer.token_endpoint())
                .send()
                .await
                .expect("answer")
        ),
        405
    );
    assert_eq!(
        status(http.post(issuer.jwks_uri()).send().await.expect("answer")),
        405
    );
    // Query strings do not change the path.
    assert_eq!(
        status(
            http.get(format!("{}?x=1", issuer.jwks_uri()))
                .send()
                .await
                .expect("answer")
        ),
        200
    );
}
