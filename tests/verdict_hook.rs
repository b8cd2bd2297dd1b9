//! The request's verdict, read by the application's own response fairing:
//! every outcome and the reasons that tell look-alike refusals apart
//! (an expired token from a bad signature, an issuer outage from a Texas
//! outage), with real tokens against the stand-ins.

use maskinporten_rocket::verdict::Verdict;
use maskinporten_testing::{bearer, Issuer, Texas};
use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::http::Header;
use rocket::local::asynchronous::Client;

use crate::support::{app, READ, WRITE};

/// The test app, with a fairing of the app's own that writes the verdict
/// into a response header, as a metrics or audit fairing would read it.
async fn client(figment: Figment) -> Client {
    let rocket = app(figment).attach(AdHoc::on_response("verdict", |request, response| {
        Box::pin(async move {
            let seen = match Verdict::of(request) {
                Some(v) => format!("{} {}", v.outcome().as_str(), v.reason().as_str()),
                None => "none".to_owned(),
            };
            response.set_header(Header::new("X-Verdict", seen));
        })
    }));
    Client::tracked(rocket).await.expect("the app ignites")
}

async fn verdict_of(client: &Client, path: &str, authorization: Option<&str>) -> String {
    let mut request = client.get(path.to_owned());
    if let Some(value) = authorization {
        request.add_header(Header::new("Authorization", value.to_owned()));
    }
    let response = request.dispatch().await;
    response
        .headers()
        .get_one("X-Verdict")
        .unwrap_or("missing")
        .to_owned()
}

#[rocket::async_test]
async fn the_app_reads_every_outcome_and_reason_with_local_validation() {
    let issuer = Issuer::start().await;
    let client = client(issuer.figment()).await;
    let bearer_of = |token: String| format!("Bearer {token}");
    let good = issuer.token().scope(READ).consumer("111111111").sign();
    let cases = [
        ("/read", Some(bearer_of(good.clone())), "allowed none"),
        ("/whoami", Some(bearer_of(good.clone())), "allowed none"),
        ("/read", None, "missing_token no_bearer_credentials"),
        (
            "/read",
            Some("Bearer a b".into()),
            "invalid_request malformed_authorization",
        ),
        (
            "/read",
            Some(bearer_of(
                issuer.token().scope(READ).expires_in(-600).sign(),
            )),
            "invalid_token expired",
        ),
        (
            "/read",
            Some(bearer_of(format!("{}AAAA", &good[..good.len() - 4]))),
            "invalid_token bad_signature",
        ),
        (
            "/read",
            Some(bearer_of(issuer.token().scope(READ).kid("nobody").sign())),
            "invalid_token unknown_key",
        ),
        (
            "/read",
            Some(bearer_of(issuer.token().scope(WRITE).sign())),
            "insufficient_scope scope",
        ),
        (
            "/restricted",
            Some(bearer_of(
                issuer.token().scope(READ).consumer("999999999").sign(),
            )),
            "consumer_not_allowed consumer",
        ),
        // No guard of ours ran: no verdict.
        ("/public", Some(bearer_of(good.clone())), "none"),
    ];
    for (path, authorization, expected) in cases {
        assert_eq!(
            verdict_of(&client, path, authorization.as_deref()).await,
            expected,
            "{path} {authorization:?}"
        );
    }
}

#[rocket::async_test]
async fn an_issuer_outage_and_a_texas_outage_have_their_own_reasons() {
    // The issuer answers 500 from the start: no keys are ever loaded.
    let issuer = Issuer::start().await;
    issuer.fail_with(500);
    let client_without_keys = client(issuer.figment()).await;
    let token = issuer.token().scope(READ).sign();
    let authorization = format!("Bearer {token}");
    assert_eq!(
        verdict_of(&client_without_keys, "/read", Some(&authorization)).await,
        "unavailable issuer_keys"
    );

    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let client = client(texas.figment()).await;
    texas.fail_with(500);
    let token = issuer.token().scope(READ).sign();
    let response = client.get("/read").header(bearer(&token)).dispatch().await;
    assert_eq!(
        response.headers().get_one("X-Verdict"),
        Some("unavailable texas")
    );
    texas.recover();
    texas.answer_inactive("token revoked");
    let token = issuer.token().scope(READ).sign();
    let response = client.get("/read").header(bearer(&token)).dispatch().await;
    assert_eq!(
        response.headers().get_one("X-Verdict"),
        Some("invalid_token inactive")
    );
}
