//! The `tokenUrl` of both OpenAPI documents, in every way an app can be
//! configured: never empty, and from the right source. Each app serves
//! utoipa's and rocket_okapi's documents from handlers that take
//! `Security`, as the README shows, and each test reads them over a local
//! client. Scenarios that need NAIS's environment variables, or read the
//! log, run in a child process of this test binary
//! (`security_review::isolated`), so no other test sees the variables.

use maskinporten_rocket::openapi::{Security, TokenUrlErrorKind, SCHEME};
use maskinporten_rocket::{public, routes, scopes, Maskinporten};
use maskinporten_testing::{bearer, Issuer, Texas};
use rocket::error::ErrorKind;
use rocket::figment::Figment;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use rocket::{get, Build, Rocket, State};
use rocket_okapi::okapi::openapi3::OpenApi as OkapiDocument;
use rocket_okapi::{openapi, openapi_get_spec};
use serde_json::{json, Value};
use utoipa::{Modify, OpenApi};

use crate::security_review::{block_on, isolated, quiet, this_test};
use crate::support::READ;

const TEST_TOKEN_ENDPOINT: &str = "https://test.maskinporten.no/token";
const PRODUCTION_TOKEN_ENDPOINT: &str = "https://maskinporten.no/token";

#[scopes("nav:helse/sykepenger/afp.read")]
#[utoipa::path(responses((status = 200, body = String)))]
#[openapi]
#[get("/afp")]
fn afp() -> &'static str {
    "afp"
}

#[derive(OpenApi)]
#[openapi(paths(afp))]
struct ApiDoc;

#[public]
#[get("/utoipa.json")]
fn utoipa_document(security: Security) -> String {
    let mut document = ApiDoc::openapi();
    security.modify(&mut document);
    serde_json::to_string(&document).unwrap_or_default()
}

#[public]
#[get("/okapi.json")]
fn okapi_document(spec: &State<OkapiDocument>, security: Security) -> String {
    let mut document = spec.inner().clone();
    security.modify_okapi(&mut document);
    serde_json::to_string(&document).unwrap_or_default()
}

/// An API that serves both documents, under `figment`.
fn app(figment: Figment) -> Rocket<Build> {
    rocket::custom(quiet(figment))
        .attach(Maskinporten::fairing())
        .manage(openapi_get_spec![afp])
        .mount("/", routes![afp, utoipa_document, okapi_document])
}

/// The same API serving no document: nothing takes `Security`.
fn app_without_documents(figment: Figment) -> Rocket<Build> {
    rocket::custom(quiet(figment))
        .attach(Maskinporten::fairing())
        .mount("/", routes![afp])
}

/// The `tokenUrl` of the scheme in the document served at `path`.
async fn served_token_url(client: &Client, path: &str) -> Value {
    let response = client.get(path).dispatch().await;
    assert_eq!(response.status(), Status::Ok, "{path}");
    let body = response.into_string().await.unwrap_or_default();
    let document: Value = serde_json::from_str(&body).expect("the document is JSON");
    let scheme = &document["components"]["securitySchemes"][SCHEME];
    assert_eq!(scheme["type"], "oauth2", "{path}: {scheme}");
    let flow = &scheme["flows"]["clientCredentials"];
    assert_eq!(flow["scopes"], json!({ READ: "GET /afp" }), "{path}");
    flow["tokenUrl"].clone()
}

/// Ignites the API under `figment`, and returns the `tokenUrl` both
/// documents give, asserting that they agree and that `Security::of` the
/// running Rocket gives it too.
async fn token_url(figment: Figment) -> String {
    let client = Client::tracked(app(figment)).await.expect("ignite");
    token_url_of(&client).await
}

async fn token_url_of(client: &Client) -> String {
    let utoipa = served_token_url(client, "/utoipa.json").await;
    let okapi = served_token_url(client, "/okapi.json").await;
    assert_eq!(utoipa, okapi, "both documents give one token URL");
    let url = utoipa.as_str().expect("a string tokenUrl").to_owned();
    assert!(!url.is_empty());
    let security = Security::of(client.rocket());
    assert_eq!(security.token_url().ok(), Some(url.as_str()));
    url
}

/// The stand-in's `token_endpoint`, as its metadata names it.
fn stand_in_token_endpoint(issuer: &Issuer) -> String {
    format!("{}token", issuer.issuer())
}

/// Asserts that `rocket` does not ignite because a route takes `Security`
/// and nothing gives the document a token URL: in a release build. A debug
/// build ignites, and both documents answer 500, never an empty URL.
async fn assert_refused_in_a_release_build(rocket: Rocket<Build>) {
    let ignited = Client::tracked(rocket).await;
    if cfg!(debug_assertions) {
        let client = ignited.expect("a debug build ignites, with a warning");
        for path in ["/utoipa.json", "/okapi.json"] {
            let response = client.get(path).dispatch().await;
            assert_eq!(response.status(), Status::InternalServerError, "{path}");
        }
    } else {
        assert_sentinel_abort(ignited);
    }
}

fn assert_sentinel_abort(ignited: Result<Client, rocket::Error>) {
    match ignited {
        Ok(_) => panic!("ignited without a token URL"),
        Err(error) => assert!(
            matches!(error.kind(), ErrorKind::SentinelAborts(_)),
            "{error}"
        ),
    }
}

/// The level of the line that says a document has no token URL.
fn refusal_level() -> &'static str {
    if cfg!(debug_assertions) {
        "Warning: "
    } else {
        "Error: "
    }
}

// Where the metadata is read.

#[rocket::async_test]
async fn discovered_keys_give_the_metadata_token_endpoint() {
    let issuer = Issuer::start().await;
    let url = token_url(issuer.figment()).await;
    assert_eq!(url, stand_in_token_endpoint(&issuer));
}

/// With `issuer` and `jwks_uri` both given no discovery runs, and the
/// document used to get `tokenUrl: ""`: the metadata at `well_known_url`
/// is read for it.
#[rocket::async_test]
async fn with_issuer_and_jwks_uri_the_metadata_at_the_well_known_url_is_read_for_it() {
    let issuer = Issuer::start().await;
    let figment = rocket::Config::figment()
        .merge(("maskinporten.issuer", issuer.issuer()))
        .merge(("maskinporten.jwks_uri", issuer.jwks_uri()))
        .merge(("maskinporten.well_known_url", issuer.well_known_url()));
    let url = token_url(figment).await;
    assert_eq!(url, stand_in_token_endpoint(&issuer));
    assert_eq!(issuer.metadata_requests(), 1, "read once, at ignite");
}

#[rocket::async_test]
async fn in_texas_mode_the_metadata_at_the_well_known_url_is_read_for_it() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    // The issuer is the one the well-known URL was formed from.
    let url = token_url(texas.configure(issuer.figment())).await;
    assert_eq!(url, stand_in_token_endpoint(&issuer));
    // With the issuer configured as well.
    let figment = texas.configure(
        rocket::Config::figment()
            .merge(("maskinporten.issuer", issuer.issuer()))
            .merge(("maskinporten.well_known_url", issuer.well_known_url())),
    );
    assert_eq!(token_url(figment).await, stand_in_token_endpoint(&issuer));
}

/// The variables NAIS sets (`MASKINPORTEN_ISSUER`, `MASKINPORTEN_JWKS_URI`,
/// `MASKINPORTEN_WELL_KNOWN_URL`), and no configuration at all: issuer and
/// keys are explicit, and the metadata still names the token endpoint.
#[test]
fn nais_variables_alone_give_the_metadata_token_endpoint() {
    let test = this_test!("nais_variables_alone_give_the_metadata_token_endpoint");
    let printed = isolated(&test, &[], || {
        block_on(async {
            let issuer = Issuer::start().await;
            for (name, value) in issuer.nais_variables() {
                // Only this test runs in this child process.
                std::env::set_var(name, value);
            }
            let url = token_url(rocket::Config::figment()).await;
            assert_eq!(url, stand_in_token_endpoint(&issuer));
            // And a token still passes: the explicit issuer and keys work.
            let client = Client::tracked(app(rocket::Config::figment()))
                .await
                .expect("ignite");
            let token = issuer.token().scope(READ).sign();
            let response = client.get("/afp").header(bearer(&token)).dispatch().await;
            assert_eq!(response.status(), Status::Ok);
        })
    });
    let Some(printed) = printed else { return };
    assert!(
        printed.contains("OpenAPI tokenUrl: \"http://127.0.0.1:"),
        "{printed}"
    );
}

/// Texas mode on NAIS: `NAIS_TOKEN_INTROSPECTION_ENDPOINT` beside the
/// Maskinporten variables.
#[test]
fn in_texas_mode_the_nais_variables_give_the_metadata_token_endpoint() {
    let test = this_test!("in_texas_mode_the_nais_variables_give_the_metadata_token_endpoint");
    isolated(&test, &[], || {
        block_on(async {
            let issuer = Issuer::start().await;
            let texas = Texas::start(&issuer).await;
            for (name, value) in issuer.nais_variables() {
                // Only this test runs in this child process.
                std::env::set_var(name, value);
            }
            std::env::set_var("NAIS_TOKEN_INTROSPECTION_ENDPOINT", texas.endpoint());
            let figment = rocket::Config::figment().merge(("maskinporten.validation", "texas"));
            assert_eq!(token_url(figment).await, stand_in_token_endpoint(&issuer));
        })
    });
}

// The configuration's `token_endpoint`.

#[rocket::async_test]
async fn the_configured_token_endpoint_wins_over_the_metadata() {
    let issuer = Issuer::start().await;
    let figment = issuer
        .figment()
        .merge(("maskinporten.token_endpoint", TEST_TOKEN_ENDPOINT));
    assert_eq!(token_url(figment).await, TEST_TOKEN_ENDPOINT);
}

/// With `token_endpoint` set, the metadata is not fetched for it.
#[rocket::async_test]
async fn in_texas_mode_the_configured_token_endpoint_is_used_without_a_fetch() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let figment = texas.configure(
        issuer
            .figment()
            .merge(("maskinporten.token_endpoint", PRODUCTION_TOKEN_ENDPOINT)),
    );
    assert_eq!(token_url(figment).await, PRODUCTION_TOKEN_ENDPOINT);
    assert_eq!(issuer.metadata_requests(), 0);
}

#[rocket::async_test]
async fn a_plain_http_token_endpoint_on_a_remote_host_stops_ignite() {
    let issuer = Issuer::start().await;
    let figment = issuer.figment().merge((
        "maskinporten.token_endpoint",
        "http://maskinporten.no/token",
    ));
    match Client::tracked(app_without_documents(figment)).await {
        Ok(_) => panic!("ignited"),
        Err(error) => assert!(
            matches!(error.kind(), ErrorKind::FailedFairings(f) if f[0].name == "Maskinporten"),
            "{error}"
        ),
    }
}

// Maskinporten's documented endpoint.

/// Issuer and keys given, no metadata to read: for Maskinporten's issuers,
/// their documented token endpoint.
#[rocket::async_test]
async fn without_metadata_a_maskinporten_issuer_gives_its_documented_token_endpoint() {
    let issuer = Issuer::start().await;
    for (maskinporten, endpoint) in [
        ("https://test.maskinporten.no/", TEST_TOKEN_ENDPOINT),
        ("https://maskinporten.no/", PRODUCTION_TOKEN_ENDPOINT),
    ] {
        let figment = rocket::Config::figment()
            .merge(("maskinporten.issuer", maskinporten))
            .merge(("maskinporten.jwks_uri", issuer.jwks_uri()));
        assert_eq!(token_url(figment).await, endpoint, "{maskinporten}");
    }
}

/// The metadata cannot be read at start: Maskinporten's documented
/// endpoint, and a warning that says why.
#[test]
fn metadata_that_cannot_be_read_falls_back_to_the_documented_endpoint_with_a_warning() {
    let test = this_test!(
        "metadata_that_cannot_be_read_falls_back_to_the_documented_endpoint_with_a_warning"
    );
    let printed = isolated(&test, &[], || {
        block_on(async {
            let issuer = Issuer::start().await;
            let texas = Texas::start(&issuer).await;
            issuer.fail_with(503);
            let figment = texas.configure(
                rocket::Config::figment()
                    .merge(("maskinporten.issuer", "https://test.maskinporten.no/"))
                    .merge(("maskinporten.well_known_url", issuer.well_known_url())),
            );
            assert_eq!(token_url(figment).await, TEST_TOKEN_ENDPOINT);
            assert_eq!(issuer.metadata_requests(), 1);
        })
    });
    let Some(printed) = printed else { return };
    let line = printed
        .lines()
        .find(|line| line.contains("the OpenAPI tokenUrl cannot come from the metadata"))
        .unwrap_or_else(|| panic!("no warning:\n{printed}"));
    assert!(line.contains("answered HTTP 503"), "{line}");
    assert!(
        line.contains("using https://test.maskinporten.no/token, Maskinporten's documented"),
        "{line}"
    );
}

/// RFC 8414 §3.3: metadata whose `issuer` is not the configured one is not
/// used, its `token_endpoint` included; the warning says so, and the
/// document names Maskinporten's documented endpoint instead.
#[test]
fn metadata_of_another_issuer_is_not_used_for_the_token_url() {
    let test = this_test!("metadata_of_another_issuer_is_not_used_for_the_token_url");
    let printed = isolated(&test, &[], || {
        block_on(async {
            let issuer = Issuer::start().await;
            let texas = Texas::start(&issuer).await;
            // The stand-in's metadata names itself, not test.maskinporten.no.
            let figment = texas.configure(
                rocket::Config::figment()
                    .merge(("maskinporten.issuer", "https://test.maskinporten.no/"))
                    .merge(("maskinporten.well_known_url", issuer.well_known_url())),
            );
            let url = token_url(figment).await;
            assert_ne!(url, stand_in_token_endpoint(&issuer));
            assert_eq!(url, TEST_TOKEN_ENDPOINT);
        })
    });
    let Some(printed) = printed else { return };
    let line = printed
        .lines()
        .find(|line| line.contains("the OpenAPI tokenUrl cannot come from the metadata"))
        .unwrap_or_else(|| panic!("no warning:\n{printed}"));
    assert!(line.contains("not the configured issuer"), "{line}");
    assert!(line.contains("RFC 8414 §3.3"), "{line}");
}

/// Metadata whose `issuer` is not the one its URL was formed from, for an
/// issuer with no documented endpoint: its `token_endpoint` is not given
/// to clients, and a release build does not start, saying why and what
/// to set.
#[test]
fn metadata_of_another_issuer_with_no_documented_endpoint_stops_a_release_build() {
    let test =
        this_test!("metadata_of_another_issuer_with_no_documented_endpoint_stops_a_release_build");
    let printed = isolated(&test, &[], || {
        block_on(async {
            let issuer = Issuer::start().await;
            let texas = Texas::start(&issuer).await;
            issuer.answer_json(&json!({
                "issuer": "https://maskinporten.no/",
                "token_endpoint": "https://attacker.example/token",
            }));
            assert_refused_in_a_release_build(app(texas.configure(issuer.figment()))).await;
        })
    });
    let Some(printed) = printed else { return };
    let line = printed
        .lines()
        .find(|line| line.contains("a route with a `Security` guard serves an OpenAPI document"))
        .unwrap_or_else(|| panic!("no error:\n{printed}"));
    assert!(line.contains(refusal_level()), "{line}");
    assert!(line.contains("maskinporten.token_endpoint:"), "{line}");
    assert!(
        line.contains("add `token_endpoint = \"https://maskinporten.no/token\"`"),
        "{line}"
    );
    assert!(
        line.contains("not the issuer its URL was formed from"),
        "{line}"
    );
    assert!(
        !printed.contains("OpenAPI tokenUrl: \"https://attacker"),
        "{printed}"
    );
}

// No source at all.

/// Texas mode with no issuer and no metadata: nothing can name the token
/// endpoint. An app that serves a document does not start in a release
/// build (a debug build warns), and says which key to set; an app that
/// serves none is not affected.
#[test]
fn with_no_source_an_app_serving_a_document_stops_a_release_build_and_others_start() {
    let test = this_test!(
        "with_no_source_an_app_serving_a_document_stops_a_release_build_and_others_start"
    );
    let printed = isolated(&test, &[], || {
        block_on(async {
            let issuer = Issuer::start().await;
            let texas = Texas::start(&issuer).await;
            assert_refused_in_a_release_build(app(texas.figment())).await;
            Client::tracked(app_without_documents(texas.figment()))
                .await
                .expect("an app with no document ignites");
        })
    });
    let Some(printed) = printed else { return };
    let line = printed
        .lines()
        .find(|line| line.contains("a route with a `Security` guard serves an OpenAPI document"))
        .unwrap_or_else(|| panic!("no error:\n{printed}"));
    assert!(line.contains(refusal_level()), "{line}");
    assert!(line.contains("no issuer is known"), "{line}");
    assert!(
        line.contains(
            "add `token_endpoint = \"https://maskinporten.no/token\"` under \
             [default.maskinporten] in Rocket.toml"
        ),
        "{line}"
    );
}

/// Issuer and keys given for an issuer that is not Maskinporten's, and no
/// metadata: nothing can name it either.
#[rocket::async_test]
async fn another_issuer_without_metadata_stops_a_release_build_of_an_app_serving_a_document() {
    let issuer = Issuer::start().await;
    let figment = rocket::Config::figment()
        .merge(("maskinporten.issuer", issuer.issuer()))
        .merge(("maskinporten.jwks_uri", issuer.jwks_uri()));
    assert_refused_in_a_release_build(app(figment.clone())).await;
    let client = Client::tracked(app_without_documents(figment))
        .await
        .expect("an app with no document ignites");
    let security = Security::of(client.rocket());
    let error = security.token_url().unwrap_err();
    assert_eq!(
        error.kind(),
        &TokenUrlErrorKind::NoSource {
            issuer: Some(issuer.issuer().to_owned())
        }
    );
}

/// `Security` as a guard needs the fairing, which resolves the token URL.
#[rocket::async_test]
async fn a_document_route_without_the_fairing_stops_ignite() {
    let rocket = rocket::custom(quiet(rocket::Config::figment()))
        .manage(openapi_get_spec![afp])
        .mount("/", routes![utoipa_document, okapi_document]);
    assert_sentinel_abort(Client::tracked(rocket).await);
}

// An issuer that is down at start.

/// Discovery, an issuer that is not Maskinporten's and is down at start:
/// the app starts (as it does without a document), the document answers
/// 503 until the metadata loads, and then names its token endpoint.
#[rocket::async_test]
async fn with_the_issuer_down_at_start_the_document_waits_for_its_metadata() {
    let issuer = Issuer::start().await;
    issuer.fail_with(503);
    let client = Client::tracked(app(issuer.figment()))
        .await
        .expect("ignites with the issuer down");
    for path in ["/utoipa.json", "/okapi.json"] {
        let response = client.get(path).dispatch().await;
        assert_eq!(response.status(), Status::ServiceUnavailable, "{path}");
    }
    let security = Security::of(client.rocket());
    let error = security.token_url().unwrap_err();
    assert!(
        matches!(error.kind(), TokenUrlErrorKind::NotLoaded { .. }),
        "{error}"
    );
    // A token sets off a load of metadata and keys.
    issuer.recover();
    let token = issuer.token().scope(READ).sign();
    let response = client.get("/afp").header(bearer(&token)).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        token_url_of(&client).await,
        stand_in_token_endpoint(&issuer)
    );
}

/// A Maskinporten issuer down at start: its documented endpoint at once.
#[rocket::async_test]
async fn with_a_maskinporten_issuer_down_at_start_the_documented_endpoint_is_used() {
    let issuer = Issuer::start().await;
    issuer.fail_with(503);
    let figment = issuer
        .figment()
        .merge(("maskinporten.issuer", "https://maskinporten.no/"));
    assert_eq!(token_url(figment).await, PRODUCTION_TOKEN_ENDPOINT);
}

// Named in code.

#[rocket::async_test]
async fn with_token_url_names_it_in_code() {
    let issuer = Issuer::start().await;
    let client = Client::tracked(app(issuer.figment()))
        .await
        .expect("ignite");
    let security = Security::of(client.rocket()).with_token_url(TEST_TOKEN_ENDPOINT);
    assert_eq!(security.token_url().ok(), Some(TEST_TOKEN_ENDPOINT));
    let mut document = ApiDoc::openapi();
    security.modify(&mut document);
    let document = serde_json::to_value(&document).expect("JSON");
    let flow = &document["components"]["securitySchemes"][SCHEME]["flows"]["clientCredentials"];
    assert_eq!(flow["tokenUrl"], TEST_TOKEN_ENDPOINT);
}

/// Before ignite nothing has resolved the token URL: a document filled
/// then gets the operations' security and no scheme, never an empty URL.
#[test]
fn before_ignite_a_document_gets_no_scheme_rather_than_an_empty_token_url() {
    let rocket = rocket::build().mount("/", routes![afp]);
    let security = Security::of(&rocket);
    let error = security.token_url().unwrap_err();
    assert_eq!(error.kind(), &TokenUrlErrorKind::NotResolved);

    let mut utoipa = ApiDoc::openapi();
    security.modify(&mut utoipa);
    let mut okapi = openapi_get_spec![afp];
    security.modify_okapi(&mut okapi);
    for document in [
        serde_json::to_value(&utoipa).expect("JSON"),
        serde_json::to_value(&okapi).expect("JSON"),
    ] {
        assert_eq!(
            document["paths"]["/afp"]["get"]["security"],
            json!([{ SCHEME: [READ] }])
        );
        assert_eq!(
            document["components"]["securitySchemes"].get(SCHEME),
            None,
            "{document}"
        );
        assert!(!document.to_string().contains("\"tokenUrl\":\"\""));
    }
}
