//! The example API against the stand-in issuer.

use afp_api::{AfpView, Period};
use maskinporten_testing::{bearer, Issuer};
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::Client;

const READ: &str = "nav:helse/sykepenger/afp.read";
const WRITE: &str = "nav:helse/sykepenger/afp.write";

async fn client(issuer: &Issuer) -> Client {
    Client::tracked(afp_api::rocket_with(issuer.figment()))
        .await
        .expect("ignite")
}

#[rocket::async_test]
async fn a_consumer_registers_and_reads_its_own_periods() {
    let issuer = Issuer::start().await;
    let client = client(&issuer).await;
    let writer = issuer.token().scope(WRITE).consumer("111111111").sign();
    let response = client
        .post("/afp")
        .header(bearer(&writer))
        .header(ContentType::JSON)
        .body(r#"{"person":"p-1","from":"2026-01"}"#)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);

    let reader = issuer.token().scope(READ).consumer("111111111").sign();
    let response = client.get("/afp").header(bearer(&reader)).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let view: AfpView = response.into_json().await.expect("JSON body");
    assert_eq!(view.consumer.as_deref(), Some("111111111"));
    assert_eq!(
        view.periods,
        vec![Period {
            person: "p-1".into(),
            from: "2026-01".into()
        }]
    );

    let other = issuer.token().scope(READ).consumer("222222222").sign();
    let view: AfpView = client
        .get("/afp")
        .header(bearer(&other))
        .dispatch()
        .await
        .into_json()
        .await
        .unwrap();
    assert!(view.periods.is_empty());
}

#[rocket::async_test]
async fn write_scope_alone_cannot_read() {
    let issuer = Issuer::start().await;
    let client = client(&issuer).await;
    let writer = issuer.token().scope(WRITE).sign();
    let response = client.get("/afp").header(bearer(&writer)).dispatch().await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(
        response.headers().get_one("WWW-Authenticate"),
        Some("Bearer error=\"insufficient_scope\", scope=\"nav:helse/sykepenger/afp.read\"")
    );
}

#[rocket::async_test]
async fn health_endpoints_are_public() {
    let issuer = Issuer::start().await;
    let client = client(&issuer).await;
    assert_eq!(client.get("/isalive").dispatch().await.status(), Status::Ok);
    assert_eq!(client.get("/isready").dispatch().await.status(), Status::Ok);
    assert_eq!(
        client.get("/afp").dispatch().await.status(),
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn texas_mode_by_configuration_alone() {
    let issuer = Issuer::start().await;
    let texas = maskinporten_testing::Texas::start(&issuer).await;
    let client = Client::tracked(afp_api::rocket_with(texas.figment()))
        .await
        .expect("ignite");
    let reader = issuer.token().scope(READ).consumer("333333333").sign();
    let response = client.get("/afp").header(bearer(&reader)).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(texas.introspections(), 1);
    assert_eq!(client.get("/isready").dispatch().await.status(), Status::Ok);
}

/// `GET /metrics` is public and shows the library's counts: one read
/// allowed, one refused for its scope, under the handler's route name.
#[rocket::async_test]
async fn metrics_show_each_verdict_by_route_and_reason() {
    let issuer = Issuer::start().await;
    let client = client(&issuer).await;
    let reader = issuer.token().scope(READ).consumer("111111111").sign();
    let writer = issuer.token().scope(WRITE).sign();
    for token in [&reader, &writer] {
        client.get("/afp").header(bearer(token)).dispatch().await;
    }
    let response = client.get("/metrics").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let text = response.into_string().await.expect("a body");
    for line in [
        r#"maskinporten_verdicts_total{outcome="allowed",reason="none",route="afp_api::read_afp"} 1"#,
        r#"maskinporten_verdicts_total{outcome="insufficient_scope",reason="scope",route="afp_api::read_afp"} 1"#,
        r#"maskinporten_key_refreshes_total{result="success",trigger="start"} 1"#,
        "maskinporten_keys_loaded 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} not in:\n{text}");
    }
}
