//! The example API against the stand-in issuer.

use afp_api::{AfpView, Period};
use maskinporten_rocket::audit::{audit, AuditErrorKind};
use maskinporten_rocket::routes::{scope_map, Protection};
use maskinporten_testing::{bearer, Issuer};
use rocket::error::ErrorKind;
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

/// `GET /afp/system-user` in both validation modes: the system user's
/// organisation, ids and system for a system-user token; 403 for a plain
/// one; 403 without the read scope.
#[rocket::async_test]
async fn a_system_user_reads_who_it_is_in_both_modes() {
    let issuer = Issuer::start().await;
    let texas = maskinporten_testing::Texas::start(&issuer).await;
    for figment in [issuer.figment(), texas.figment()] {
        let client = Client::tracked(afp_api::rocket_with(figment))
            .await
            .expect("ignite");
        let id = "a9f05ba1-3ec7-4b7a-a3b2-6b1c5d0c7e11";
        let system_user = issuer
            .token()
            .scope(READ)
            .system_user("123456789", &[id], "987654321_afp-system")
            .sign();
        let response = client
            .get("/afp/system-user")
            .header(bearer(&system_user))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Ok);
        let view: afp_api::SystemUserView = response.into_json().await.expect("JSON body");
        assert_eq!(
            view,
            afp_api::SystemUserView {
                systemuser_org: "123456789".into(),
                systemuser_id: vec![id.into()],
                system_id: "987654321_afp-system".into(),
            }
        );

        let plain = issuer.token().scope(READ).sign();
        let response = client
            .get("/afp/system-user")
            .header(bearer(&plain))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Forbidden);
        assert_eq!(
            response.headers().get_one("WWW-Authenticate"),
            Some(
                "Bearer error=\"insufficient_scope\", \
                 error_description=\"The access token is not from a system user\""
            )
        );

        let write_only = issuer
            .token()
            .scope(WRITE)
            .system_user("123456789", &[id], "987654321_afp-system")
            .sign();
        let response = client
            .get("/afp/system-user")
            .header(bearer(&write_only))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Forbidden);
    }
    assert!(texas.introspections() >= 3);
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

#[rocket::async_test]
async fn the_openapi_document_is_public_and_has_the_scopes_of_the_handlers() {
    let issuer = Issuer::start().await;
    let client = client(&issuer).await;
    let response = client.get("/openapi.json").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let document: serde_json::Value = response.into_json().await.expect("JSON");

    let scheme = &document["components"]["securitySchemes"]["maskinporten"];
    let flow = &scheme["flows"]["clientCredentials"];
    let token_url = format!("{}/token", issuer.issuer().trim_end_matches('/'));
    assert_eq!(flow["tokenUrl"], token_url.as_str());
    let scopes: Vec<&str> = flow["scopes"]
        .as_object()
        .map(|scopes| scopes.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(scopes, [READ, WRITE]);

    let paths = &document["paths"];
    assert_eq!(
        paths["/afp"]["get"]["security"],
        serde_json::json!([{ "maskinporten": [READ] }])
    );
    assert_eq!(
        paths["/afp"]["post"]["security"],
        serde_json::json!([{ "maskinporten": [WRITE] }])
    );
    assert_eq!(
        paths["/afp/system-user"]["get"]["security"],
        serde_json::json!([{ "maskinporten": [READ] }])
    );
    // OpenAPI requires a description on every response.
    for (path, item) in paths.as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status}: {response}"
                );
            }
        }
    }
    for status in ["400", "401", "403", "503"] {
        assert!(
            paths["/afp"]["get"]["responses"][status].is_object(),
            "{status}: {}",
            paths["/afp"]["get"]
        );
    }
    assert_eq!(paths["/isalive"]["get"]["security"], serde_json::json!([]));
    assert_eq!(paths["/isready"]["get"]["security"], serde_json::json!([]));
}

#[rocket::async_test]
async fn swagger_ui_is_served_over_the_document() {
    let issuer = Issuer::start().await;
    let client = client(&issuer).await;
    let response = client.get("/swagger-ui/").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert!(
        response.content_type().is_some_and(|ct| ct.is_html()),
        "{:?}",
        response.content_type()
    );
    let page = response.into_string().await.unwrap_or_default();
    assert!(page.contains("swagger-ui"), "{page}");

    let response = client
        .get("/swagger-ui/swagger-initializer.js")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let script = response.into_string().await.unwrap_or_default();
    assert!(script.contains("/openapi.json"), "{script}");

    let response = client.get("/swagger-ui/no-such-file.js").dispatch().await;
    assert_eq!(response.status(), Status::NotFound);
}

/// Swagger UI's route is utoipa-swagger-ui's, declared public by the
/// example's `public_routes`; the liftoff table says so.
#[rocket::async_test]
async fn swagger_ui_is_public_by_configuration() {
    let issuer = Issuer::start().await;
    let rocket = afp_api::rocket_with(issuer.figment());
    let map = scope_map(&rocket);
    let swagger: Vec<_> = map
        .iter()
        .filter(|route| route.uri.starts_with("/swagger-ui/"))
        .collect();
    assert_eq!(swagger.len(), 1, "{map:?}");
    assert_eq!(swagger[0].protection, Protection::PublicByConfiguration);
    assert!(audit(&rocket).is_ok());
}

/// Entries the configuration lists come first; the example appends its
/// own (`adjoin`), so Swagger UI stays public beside them.
#[rocket::async_test]
async fn configured_public_routes_keep_the_examples_own() {
    let issuer = Issuer::start().await;
    let rocket = afp_api::rocket_with(
        issuer
            .figment()
            .merge(("maskinporten.public_routes", ["GET /isalive"])),
    );
    assert!(audit(&rocket).is_ok());
    let map = scope_map(&rocket);
    let swagger = map
        .iter()
        .find(|route| route.uri.starts_with("/swagger-ui/"));
    assert_eq!(
        swagger.map(|route| route.protection),
        Some(Protection::PublicByConfiguration),
        "{map:?}"
    );
}

/// A typo in the example's `public_routes` stops ignite and names the
/// entry, rather than leave Swagger UI refused or open something else.
#[rocket::async_test]
async fn a_wrong_public_route_entry_fails_ignite_naming_it() {
    let issuer = Issuer::start().await;
    let typo = "GET /swager-ui/<_..>";
    // The example appends its own entries to the configuration's.
    let rocket = afp_api::rocket_with(
        issuer
            .figment()
            .merge(("maskinporten.public_routes", [typo])),
    );
    let error = audit(&rocket).unwrap_err();
    assert!(
        matches!(error.kind(), AuditErrorKind::PublicRouteUnmatched { entry } if entry == typo),
        "{error}"
    );
    assert!(error.to_string().contains(typo), "{error}");
    match Client::tracked(rocket).await {
        Ok(_) => panic!("ignite succeeded with {typo:?}"),
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::FailedFairings(f) if f[0].name == "Maskinporten"),
            "{e}"
        ),
    }
}
