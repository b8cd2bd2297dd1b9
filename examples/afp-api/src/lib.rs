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

#[cfg(all(feature = "dev-issuer", debug_assertions))]
pub mod dev;

use std::sync::Mutex;

use maskinporten_rocket::prometheus::{Encoder, Registry, TextEncoder};
use maskinporten_rocket::{public, routes, scopes, Claims, Maskinporten, Validator};
use rocket::figment::Figment;
use rocket::http::{ContentType, Status};
use rocket::serde::json::Json;
use rocket::serde::{Deserialize, Serialize};
use rocket::{get, post, Build, Rocket, State};

/// One registered AFP period.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(crate = "rocket::serde")]
pub struct Period {
    /// The person, as an opaque identifier.
    pub person: String,
    /// First month, `YYYY-MM`.
    pub from: String,
}

/// What `GET /afp` answers.
#[derive(Debug, Serialize, Deserialize)]
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

#[scopes("nav:helse/sykepenger/afp.read")]
#[get("/afp")]
fn read_afp(claims: Claims, register: &State<Register>) -> Json<AfpView> {
    Json(register.view(claims.consumer_orgno().map(str::to_owned)))
}

/// What `GET /afp/system-user` answers: the Altinn system user the token
/// acts as.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(crate = "rocket::serde")]
pub struct SystemUserView {
    /// The organisation number the system user belongs to.
    pub systemuser_org: String,
    /// The system user's ids.
    pub systemuser_id: Vec<String>,
    /// The system it was created for: `<vendor orgno>_<name>`.
    pub system_id: String,
}

#[scopes("nav:helse/sykepenger/afp.read", system_user)]
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

#[scopes("nav:helse/sykepenger/afp.write")]
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

#[public]
#[get("/isalive")]
fn isalive() -> &'static str {
    "alive"
}

/// Ready once the issuer's keys are loaded, so NAIS sends no traffic to a
/// replica that would answer 503.
#[public]
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

/// The API on the given configuration. Every route must carry `#[scopes]`
/// or `#[public]` (deny-by-default), unless the configuration says otherwise.
pub fn rocket_with(figment: Figment) -> Rocket<Build> {
    let figment = figment.join(("maskinporten.deny_unmarked_routes", true));
    // The app's own registry, which `/metrics` serves; the app's own
    // metrics (or rocket_prometheus's) can be registered beside ours.
    let registry = Registry::new();
    rocket::custom(figment)
        .attach(Maskinporten::fairing().with_registry(registry.clone()))
        .manage(registry)
        .manage(Register::default())
        .mount(
            "/",
            routes![read_afp, read_system_user, write_afp, isalive, isready],
        )
        .mount("/", routes![metrics])
}

/// The API on Rocket's own configuration (`Rocket.toml`, `ROCKET_*`) and the
/// NAIS variables.
pub fn rocket() -> Rocket<Build> {
    rocket_with(rocket::Config::figment())
}
