//! The OpenAPI documents of both generators, filled from the scope map by
//! `openapi::Security`: one fixture app with a route of each kind (all-of,
//! any, consumers, public, `Claims` only), each handler documented by
//! utoipa and by rocket_okapi, checked field by field, and two internal
//! routes mounted but in neither document, which the documents must not
//! betray. The app runs against the stand-in issuer, whose metadata names
//! the token endpoint.

use maskinporten_rocket::openapi::{Security, CONSUMERS_EXTENSION, SCHEME};
use maskinporten_rocket::{public, routes, scopes, Claims, Maskinporten};
use maskinporten_testing::Issuer;
use rocket::local::asynchronous::Client;
use rocket::{get, Build, Rocket};
use rocket_okapi::{openapi, openapi_get_spec};
use serde_json::{json, Value};
use utoipa::{Modify, OpenApi};

const READ: &str = "nav:helse/sykepenger/afp.read";
const WRITE: &str = "nav:helse/sykepenger/afp.write";
const INTERNAL: &str = "nav:helse/sykepenger/afp.internal";

#[scopes("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write")]
#[utoipa::path(responses((status = 200, body = String)))]
#[openapi]
#[get("/afp/<id>")]
fn all_of(id: u32, claims: Claims) -> String {
    format!("{id} {}", claims.consumer_orgno().unwrap_or("?"))
}

#[scopes(any("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write"))]
#[utoipa::path(responses((status = 200, body = String)))]
#[openapi]
#[get("/afp")]
fn any_of() -> &'static str {
    "[]"
}

#[scopes("nav:helse/sykepenger/afp.read", consumers = ["123456789", "987654321"])]
#[utoipa::path(responses((status = 200, body = String)))]
#[openapi]
#[get("/afp/partner")]
fn partner() -> &'static str {
    "partner"
}

#[public]
#[utoipa::path(responses((status = 200, body = String)))]
#[openapi]
#[get("/isalive")]
fn isalive() -> &'static str {
    "alive"
}

// No attribute of ours: utoipa cannot see the `Claims` guard, so its path
// names the scheme, with no scope; rocket_okapi learns it from the guard.
#[utoipa::path(
    responses((status = 200, body = String)),
    security(("maskinporten" = []))
)]
#[openapi]
#[get("/whoami")]
fn whoami(claims: Claims) -> String {
    claims.client_id().unwrap_or("?").to_owned()
}

// Neither attribute either, and declared public in the configuration
// (`public_routes`), as a route another crate mounts would be.
#[utoipa::path(responses((status = 200, body = String)))]
#[openapi]
#[get("/status")]
fn status() -> &'static str {
    "up"
}

// The same method and path as `all_of`, ranked after it and public: the
// document's `/afp/{id}` must still say what `all_of` requires.
#[public]
#[get("/afp/<id>", rank = 2)]
fn all_of_fallback(id: &str) -> String {
    id.to_owned()
}

// Mounted, and in neither document: an internal route, whose scope the
// document's readers are not meant to learn.
#[scopes("nav:helse/sykepenger/afp.internal")]
#[get("/internal/reindex")]
fn internal() -> &'static str {
    "reindexed"
}

// Mounted, in neither document, under a scope documented routes require
// too: the scope's description must not name it.
#[scopes("nav:helse/sykepenger/afp.read")]
#[get("/internal/audit")]
fn internal_read() -> &'static str {
    "audit"
}

#[derive(OpenApi)]
#[openapi(paths(all_of, any_of, partner, isalive, whoami, status))]
struct ApiDoc;

fn app(issuer: &Issuer) -> Rocket<Build> {
    rocket::custom(
        issuer
            .figment()
            .merge(("maskinporten.public_routes", ["GET /status"]))
            // `whoami` takes `Claims` and no scope: unmarked.
            .merge(("maskinporten.deny_unmarked_routes", false)),
    )
    .attach(Maskinporten::fairing())
    .mount(
        "/",
        routes![
            all_of_fallback,
            all_of,
            any_of,
            partner,
            isalive,
            whoami,
            status,
            internal,
            internal_read
        ],
    )
}

/// Both documents, filled by `Security` of the ignited app, as JSON.
async fn documents() -> (Value, Value, Issuer) {
    let issuer = Issuer::start().await;
    let client = Client::tracked(app(&issuer)).await.expect("ignite");
    let security = Security::of(client.rocket());

    let mut utoipa = ApiDoc::openapi();
    security.modify(&mut utoipa);
    let mut okapi = openapi_get_spec![all_of, any_of, partner, isalive, whoami, status];
    security.modify_okapi(&mut okapi);
    (
        serde_json::to_value(&utoipa).expect("utoipa's document is JSON"),
        serde_json::to_value(&okapi).expect("okapi's document is JSON"),
        issuer,
    )
}

/// What both documents must say, checked on one of them.
fn check(document: &Value, issuer: &Issuer, generator: &str) {
    let scheme = &document["components"]["securitySchemes"][SCHEME];
    assert_eq!(scheme["type"], "oauth2", "{generator}: {scheme}");
    let flow = &scheme["flows"]["clientCredentials"];
    let token_url = format!("{}/token", issuer.issuer().trim_end_matches('/'));
    assert_eq!(
        flow["tokenUrl"],
        token_url.as_str(),
        "{generator}: {scheme}"
    );
    assert_eq!(
        flow["scopes"],
        json!({
            READ: "GET /afp, GET /afp/partner, GET /afp/{id}",
            WRITE: "GET /afp, GET /afp/{id}",
        }),
        "{generator}"
    );

    let op = |path: &str| document["paths"][path]["get"].clone();

    let all_of = op("/afp/{id}");
    assert_eq!(
        all_of["security"],
        json!([{ SCHEME: [READ, WRITE] }]),
        "{generator}: all-of is one requirement object"
    );
    let any_of = op("/afp");
    assert_eq!(
        any_of["security"],
        json!([{ SCHEME: [READ] }, { SCHEME: [WRITE] }]),
        "{generator}: any is one requirement object per scope"
    );
    let partner = op("/afp/partner");
    assert_eq!(
        partner["security"],
        json!([{ SCHEME: [READ] }]),
        "{generator}"
    );
    assert_eq!(
        partner[CONSUMERS_EXTENSION],
        json!(["123456789", "987654321"]),
        "{generator}"
    );
    assert_eq!(all_of.get(CONSUMERS_EXTENSION), None, "{generator}");

    for path in ["/isalive", "/status"] {
        let open = op(path);
        assert_eq!(open["security"], json!([]), "{generator} {path}: public");
        for status in ["400", "401", "403", "503"] {
            assert_eq!(open["responses"].get(status), None, "{generator} {path}");
        }
    }

    let whoami = op("/whoami");
    assert_eq!(
        whoami["security"],
        json!([{ SCHEME: [] }]),
        "{generator}: Claims only is the scheme with no scope"
    );
    assert_eq!(whoami["responses"].get("403"), None, "{generator}");

    for (path, operation) in [
        ("/afp/{id}", &all_of),
        ("/afp", &any_of),
        ("/afp/partner", &partner),
        ("/whoami", &whoami),
    ] {
        let responses = &operation["responses"];
        // The generator's own response stays.
        assert!(responses["200"].is_object(), "{generator} {path}");
        let challenge = &responses["401"]["headers"]["WWW-Authenticate"];
        assert_eq!(challenge["schema"]["type"], "string", "{generator} {path}");
        assert!(
            challenge["description"]
                .as_str()
                .unwrap_or("")
                .contains("invalid_token"),
            "{generator} {path}: {challenge}"
        );
        assert!(
            responses["401"]["description"]
                .as_str()
                .unwrap_or("")
                .contains("token"),
            "{generator} {path}"
        );
        let malformed = &responses["400"]["headers"]["WWW-Authenticate"];
        assert!(
            malformed["description"]
                .as_str()
                .unwrap_or("")
                .contains("invalid_request"),
            "{generator} {path}: {malformed}"
        );
        let retry = &responses["503"]["headers"]["Retry-After"];
        assert_eq!(retry["schema"]["type"], "integer", "{generator} {path}");
        if path != "/whoami" {
            let challenge = &responses["403"]["headers"]["WWW-Authenticate"];
            assert!(
                challenge["description"]
                    .as_str()
                    .unwrap_or("")
                    .contains("insufficient_scope"),
                "{generator} {path}: {challenge}"
            );
        }
    }
}

#[rocket::async_test]
async fn utoipa_document_has_the_scope_map() {
    let (utoipa, _, issuer) = documents().await;
    check(&utoipa, &issuer, "utoipa");
}

#[rocket::async_test]
async fn okapi_document_has_the_scope_map() {
    let (_, okapi, issuer) = documents().await;
    check(&okapi, &issuer, "okapi");
}

#[rocket::async_test]
async fn both_generators_write_the_same_security() {
    let (utoipa, okapi, _) = documents().await;
    for path in [
        "/afp/{id}",
        "/afp",
        "/afp/partner",
        "/isalive",
        "/whoami",
        "/status",
    ] {
        let security = |document: &Value| document["paths"][path]["get"]["security"].clone();
        assert_eq!(security(&utoipa), security(&okapi), "{path}");
    }
    let scheme = |document: &Value| document["components"]["securitySchemes"][SCHEME].clone();
    assert_eq!(scheme(&utoipa), scheme(&okapi));
}

#[rocket::async_test]
async fn a_route_the_document_leaves_out_adds_no_scope_and_no_path_to_the_scheme() {
    let (utoipa, okapi, _) = documents().await;
    for (generator, document) in [("utoipa", &utoipa), ("okapi", &okapi)] {
        let scopes = &document["components"]["securitySchemes"][SCHEME]["flows"]
            ["clientCredentials"]["scopes"];
        let listed: Vec<&String> = scopes
            .as_object()
            .map(|s| s.keys().collect())
            .unwrap_or_default();
        assert_eq!(listed, [READ, WRITE], "{generator}: {scopes}");
        assert_eq!(scopes.get(INTERNAL), None, "{generator}: {scopes}");
        assert!(
            !scopes.to_string().contains("/internal"),
            "{generator}: a description names an undocumented route: {scopes}"
        );
        assert!(
            !document.to_string().contains(INTERNAL),
            "{generator}: the document names the internal scope"
        );
    }
    // Still in the scope map, which `Security::scopes` reads whole.
    let issuer = Issuer::start().await;
    let client = Client::tracked(app(&issuer)).await.expect("ignite");
    let all = Security::of(client.rocket()).scopes();
    assert_eq!(all[INTERNAL], "GET /internal/reindex");
    assert!(all[READ].contains("GET /internal/audit"), "{all:?}");
}
