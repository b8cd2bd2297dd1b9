//! An AFP (early retirement pension) API that consumers reach with
//! Maskinporten tokens: reading needs `nav:helse/sykepenger/afp.read`,
//! registering needs `nav:helse/sykepenger/afp.write`, and
//! `GET /afp/system-user` needs the read scope from an Altinn system user.
//!
//! Everything comes from configuration: `Rocket.toml` / `ROCKET_*`, and the
//! NAIS variables `MASKINPORTEN_ISSUER`, `MASKINPORTEN_JWKS_URI` and
//! `MASKINPORTEN_WELL_KNOWN_URL` (or `NAIS_TOKEN_INTROSPECTION_ENDPOINT` with
//! `ROCKET_MASKINPORTEN={validation="texas"}`). With none of it, a debug
//! build runs against an embedded development issuer (see `dev`).
//!
//! `GET /openapi.json` is the API's OpenAPI document, written by utoipa from
//! the handlers and given its security by the library from the same
//! `#[scopes]` the routes enforce; `GET /swagger-ui/` shows it, from
//! utoipa-swagger-ui's own routes, declared public in the configuration.

#[cfg(all(feature = "dev-issuer", debug_assertions))]
pub mod dev;

use std::sync::Mutex;

use maskinporten_rocket::openapi::Security;
use maskinporten_rocket::prometheus::{Encoder, Registry, TextEncoder};
use maskinporten_rocket::{public, routes, scopes, Claims, Maskinporten, Validator};
use rocket::figment::Figment;
use rocket::http::{ContentType, Status};
use rocket::serde::json::Json;
use rocket::serde::{Deserialize, Serialize};
use rocket::{get, post, Build, Rocket, State};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

/// One registered AFP period.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
#[serde(crate = "rocket::serde")]
pub struct Period {
    /// The person, as an opaque identifier.
    pub person: String,
    /// First month, `YYYY-MM`.
    pub from: String,
}

/// What `GET /afp` answers.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(crate = "rocket::serde")]
pub struct AfpView {
    /// The calling organisation's number, from the token.
    pub consumer: Option<String>,
    /// The periods this organisation registered.
    pub periods: Vec<Period>,
}

/// Periods per consumer organisation, in memory: an example, not a database.
/// Public so that the load benchmark can serve `GET /afp`'s work without the
/// library, as the control it measures the library against.
#[derive(Default)]
pub struct Register(Mutex<Vec<(String, Period)>>);

impl Register {
    /// What `GET /afp` answers `consumer`: the periods it registered.
    ///
    /// ```
    /// let view = afp_api::Register::default().view(Some("123456789".to_owned()));
    /// assert!(view.periods.is_empty());
    /// ```
    pub fn view(&self, consumer: Option<String>) -> AfpView {
        let periods = self
            .0
            .lock()
            .map(|all| {
                all.iter()
                    .filter(|(owner, _)| Some(owner) == consumer.as_ref())
                    .map(|(_, period)| period.clone())
                    .collect()
            })
            .unwrap_or_default();
        AfpView { consumer, periods }
    }
}

/// The calling organisation's registered periods.
#[scopes("nav:helse/sykepenger/afp.read")]
#[utoipa::path(responses(
    (status = 200, description = "The caller's registered periods", body = AfpView)
))]
#[get("/afp")]
fn read_afp(claims: Claims, register: &State<Register>) -> Json<AfpView> {
    Json(register.view(claims.consumer_orgno().map(str::to_owned)))
}

/// What `GET /afp/system-user` answers: the Altinn system user the token
/// acts as.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
#[serde(crate = "rocket::serde")]
pub struct SystemUserView {
    /// The organisation number the system user belongs to.
    pub systemuser_org: String,
    /// The system user's ids.
    pub systemuser_id: Vec<String>,
    /// The system it was created for: `<vendor orgno>_<name>`.
    pub system_id: String,
}

/// The Altinn system user the token acts as.
#[scopes("nav:helse/sykepenger/afp.read", system_user)]
#[utoipa::path(responses(
    (status = 200, description = "The system user the token acts as", body = SystemUserView)
))]
#[get("/afp/system-user")]
fn read_system_user(claims: Claims) -> Result<Json<SystemUserView>, Status> {
    // `system_user` in the attribute let only tokens with a well-formed
    // system user through; the match is for the compiler.
    let Ok(Some(user)) = claims.system_user() else {
        return Err(Status::Forbidden);
    };
    Ok(Json(SystemUserView {
        systemuser_org: user.orgno().to_owned(),
        systemuser_id: user.ids().to_vec(),
        system_id: user.system_id().to_owned(),
    }))
}

/// Registers a period for the calling organisation.
#[scopes("nav:helse/sykepenger/afp.write")]
#[utoipa::path(request_body = Period, responses((status = 201, description = "Registered")))]
#[post("/afp", data = "<period>")]
fn write_afp(claims: Claims, period: Json<Period>, register: &State<Register>) -> Status {
    let Some(consumer) = claims.consumer_orgno() else {
        return Status::Forbidden;
    };
    match register.0.lock() {
        Ok(mut all) => {
            all.push((consumer.to_owned(), period.into_inner()));
            Status::Created
        }
        Err(_) => Status::InternalServerError,
    }
}

/// Liveness, for NAIS.
#[public]
#[utoipa::path(responses((status = 200, description = "Alive", body = String)))]
#[get("/isalive")]
fn isalive() -> &'static str {
    "alive"
}

/// Ready once the issuer's keys are loaded, so NAIS sends no traffic to a
/// replica that would answer 503.
#[public]
#[utoipa::path(responses(
    (status = 200, description = "The issuer's keys are loaded"),
    (status = 503, description = "Not yet")
))]
#[get("/isready")]
fn isready(validator: &State<Validator>) -> Status {
    if validator.is_ready() {
        Status::Ok
    } else {
        Status::ServiceUnavailable
    }
}

/// The library's metrics (verdicts by route and reason, keys, the verdict
/// cache, Texas) in Prometheus's text format. `#[public]`: Prometheus sends
/// no token, and NAIS scrapes it inside the cluster.
#[public]
#[get("/metrics")]
fn metrics(registry: &State<Registry>) -> (ContentType, Vec<u8>) {
    let encoder = TextEncoder::new();
    let mut text = Vec::new();
    // Encoding our own metrics into a Vec fails only on a broken metric.
    let _ = encoder.encode(&registry.gather(), &mut text);
    let content_type = ContentType::parse_flexible(encoder.format_type());
    (content_type.unwrap_or(ContentType::Plain), text)
}

/// The API's OpenAPI document as utoipa writes it from the handlers, before
/// the library adds its security (`GET /openapi.json`).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "afp-api",
        description = "AFP periods, for consumers with Maskinporten tokens."
    ),
    paths(read_afp, read_system_user, write_afp, isalive, isready)
)]
pub struct ApiDoc;

/// The OpenAPI document, with the `maskinporten` scheme (its token URL
/// from the issuer's metadata) and each operation's scopes from the
/// `#[scopes]` above: built per request, since the issuer's metadata loads
/// at ignite and may change.
#[public]
#[get("/openapi.json")]
fn openapi(security: Security) -> Json<utoipa::openapi::OpenApi> {
    let mut document = ApiDoc::openapi();
    security.modify(&mut document);
    Json(document)
}

/// Where Swagger UI is mounted, as a Rocket path pattern: one literal for
/// the mount and for the entry in [`PUBLIC_ROUTES`], so the two cannot
/// drift apart.
macro_rules! swagger_ui_path {
    () => {
        "/swagger-ui/<_..>"
    };
}

/// The routes of this API that other crates mount, declared public in the
/// configuration (`public_routes`): they cannot carry `#[public]`, and
/// deny-by-default would otherwise stop ignite on them. Here, the one route
/// utoipa-swagger-ui mounts for Swagger UI's files.
pub const PUBLIC_ROUTES: &[&str] = &[concat!("GET ", swagger_ui_path!())];

/// The client id Swagger UI's Authorize dialog starts with. The stand-in
/// Maskinporten's `client_credentials` flow, the one that dialog sends,
/// takes any client id and secret when no client registry is configured;
/// the real Maskinporten has no such flow, so this is for local use.
pub const SWAGGER_UI_CLIENT_ID: &str = "afp-api-swagger-ui";

/// Swagger UI over `/openapi.json`, from utoipa-swagger-ui's own routes. It
/// is given the URL of our `/openapi.json` rather than a document, so it
/// mounts no route that would serve the document without its security.
/// The Authorize dialog starts with [`SWAGGER_UI_CLIENT_ID`] filled in;
/// the validator badge is off, since it would send the document's URL to
/// validator.swagger.io, which cannot reach a local or in-cluster API.
fn swagger_ui() -> Vec<rocket::Route> {
    let oauth = utoipa_swagger_ui::oauth::Config::new()
        .client_id(SWAGGER_UI_CLIENT_ID)
        .app_name("afp-api");
    SwaggerUi::new(swagger_ui_path!())
        .config(
            utoipa_swagger_ui::Config::with_oauth_config(["/openapi.json"], oauth)
                .validator_url("none"),
        )
        .into()
}

/// The API on the given configuration. Every route must carry `#[scopes]`
/// or `#[public]` (deny-by-default, the library's default), or be one of
/// [`PUBLIC_ROUTES`] or of the configuration's `public_routes`, unless the
/// configuration turns deny-by-default off.
pub fn rocket_with(figment: Figment) -> Rocket<Build> {
    // Appended to the configuration's own entries, if any.
    let figment = figment.adjoin(("maskinporten.public_routes", PUBLIC_ROUTES));
    // The app's own registry, which `/metrics` serves; the app's own
    // metrics (or rocket_prometheus's) can be registered beside ours.
    let registry = Registry::new();
    rocket::custom(figment)
        .attach(Maskinporten::fairing().with_registry(registry.clone()))
        .manage(registry)
        .manage(Register::default())
        .mount(
            "/",
            routes![
                read_afp,
                read_system_user,
                write_afp,
                isalive,
                isready,
                openapi,
                metrics
            ],
        )
        .mount("/", swagger_ui())
}

/// The API on Rocket's own configuration (`Rocket.toml`, `ROCKET_*`) and the
/// NAIS variables.
pub fn rocket() -> Rocket<Build> {
    rocket_with(rocket::Config::figment())
}
