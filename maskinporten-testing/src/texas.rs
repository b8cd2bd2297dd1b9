use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use figment::Figment;
use figment::providers::Serialized;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value, json};

use crate::issuer::{Issuer, State as IssuerState};
use crate::server::{Answer, Fault, Faults, Handler, Request, Server};

/// The path NAIS's Texas serves introspection on.
const PATH: &str = "/api/v1/introspect";

struct State {
    issuer: Arc<IssuerState>,
    faults: Faults,
    inactive: Mutex<Option<String>>,
    json_requests: AtomicUsize,
    form_requests: AtomicUsize,
}

/// A stand-in Texas, the token sidecar NAIS runs beside an app
/// (<https://github.com/nais/texas>), for an [`Issuer`]:
/// `POST /api/v1/introspect` with
/// `{"identity_provider":"maskinporten","token":…}` as JSON or form,
/// answering `{"active": true, <claims>}` or `{"active": false, "error": …}`
/// with HTTP 200, as Texas does.
///
/// It checks tokens as Texas does, with `jsonwebtoken` directly (signature
/// under the issuer's published keys, `iss`, `exp`, `nbf`, 60 s leeway; not
/// `scope`, not `aud`), so that it shares no code with the validator under
/// test. It counts introspections and can answer inactive, fail, answer
/// garbage or stall on command.
///
/// ```
/// # fn main() -> Result<(), rocket::Error> { rocket::execute(async {
/// use maskinporten_testing::{bearer, Issuer, Texas};
/// use maskinporten_rocket::{scopes, Maskinporten};
/// use rocket::http::Status;
/// use rocket::get;
///
/// #[scopes("nav:helse/sykepenger/afp.read")]
/// #[get("/afp")]
/// fn afp() -> &'static str { "ok" }
///
/// let issuer = Issuer::start().await;
/// let texas = Texas::start(&issuer).await;
/// let rocket = rocket::custom(texas.figment())
///     .attach(Maskinporten::fairing())
///     .mount("/", maskinporten_rocket::routes![afp]);
/// let client = rocket::local::asynchronous::Client::tracked(rocket).await?;
/// let token = issuer.token().scope("nav:helse/sykepenger/afp.read").sign();
/// let response = client.get("/afp").header(bearer(&token)).dispatch().await;
/// assert_eq!(response.status(), Status::Ok);
/// assert_eq!(texas.introspections(), 1);
/// # Ok(()) }) }
/// ```
pub struct Texas {
    state: Arc<State>,
    server: Server,
}

impl Texas {
    /// Starts a stand-in Texas that trusts `issuer`.
    ///
    /// # Panics
    /// If no port on 127.0.0.1 can be bound.
    pub async fn start(issuer: &Issuer) -> Texas {
        let state = Arc::new(State {
            issuer: issuer.state.clone(),
            faults: Faults::new(),
            inactive: Mutex::new(None),
            json_requests: AtomicUsize::new(0),
            form_requests: AtomicUsize::new(0),
        });
        let shared = state.clone();
        let handler: Handler = Arc::new(move |request: Request| {
            let state = shared.clone();
            Box::pin(async move { answer(&state, request).await })
        });
        // Test kit only, no network input: fails only if no loopback port is free.
        let server = Server::start(0, handler).await.expect("bind 127.0.0.1:0");
        Texas { state, server }
    }

    /// The introspection endpoint, as in `NAIS_TOKEN_INTROSPECTION_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}{PATH}", self.server.addr())
    }

    /// `figment` with the fairing pointed at this stand-in and nothing
    /// else changed: it sets `maskinporten.validation = "texas"` and
    /// `maskinporten.introspection_endpoint` (over
    /// `NAIS_TOKEN_INTROSPECTION_ENDPOINT`), in Figment's global profile,
    /// over every profile the app has. It also sets `override_nais`, since
    /// winning over that variable is the point here. See
    /// [`Issuer::configure`].
    pub fn configure(&self, figment: Figment) -> Figment {
        figment
            .merge(Serialized::global("maskinporten.validation", "texas"))
            .merge(Serialized::global(
                "maskinporten.introspection_endpoint",
                self.endpoint(),
            ))
            .merge(Serialized::global("maskinporten.override_nais", true))
    }

    /// Rocket's own configuration, as the app reads it (`Rocket.toml`,
    /// `ROCKET_*`), in Texas mode against this stand-in: `configure`
    /// applied to `rocket::Config::figment()`.
    pub fn figment(&self) -> Figment {
        self.configure(rocket::Config::figment())
    }

    /// How many introspection requests arrived (JSON and form).
    pub fn introspections(&self) -> usize {
        self.json_introspections() + self.form_introspections()
    }

    /// How many arrived as `application/json`.
    pub fn json_introspections(&self) -> usize {
        self.state.json_requests.load(Ordering::SeqCst)
    }

    /// How many arrived as `application/x-www-form-urlencoded`.
    pub fn form_introspections(&self) -> usize {
        self.state.form_requests.load(Ordering::SeqCst)
    }

    /// From now on, answer every token `{"active": false, "error": reason}`.
    pub fn answer_inactive(&self, reason: &str) {
        *self
            .state
            .inactive
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(reason.to_owned());
    }

    /// From now on, answer with this HTTP status and no JSON.
    pub fn fail_with(&self, status: u16) {
        self.state.faults.set(Fault::Status(status));
    }

    /// From now on, answer 200 with a body that is not JSON.
    pub fn answer_garbage(&self) {
        self.state.faults.set(Fault::Garbage);
    }

    /// From now on, answer 200 with this JSON, whatever the token.
    pub fn answer_json(&self, body: &Value) {
        self.state.faults.set(Fault::Json(body.to_string()));
    }

    /// From now on, wait this long before answering (then answer as
    /// before). The same as [`Issuer::stall`].
    pub fn stall(&self, delay: Duration) {
        self.state.faults.set(Fault::Stall(delay));
    }

    /// Answer as Texas does again.
    pub fn recover(&self) {
        self.state.faults.set(Fault::None);
        *self
            .state
            .inactive
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = None;
    }
}

async fn answer(state: &State, request: Request) -> Answer {
    if request.method != "POST" || request.path != PATH {
        return Answer::status(404, "not found");
    }
    let content_type = request.content_type.as_deref().unwrap_or("");
    let fields: HashMap<String, String> = if content_type.starts_with("application/json") {
        state.json_requests.fetch_add(1, Ordering::SeqCst);
        serde_json::from_slice(&request.body).unwrap_or_default()
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        state.form_requests.fetch_add(1, Ordering::SeqCst);
        form_urlencoded::parse(&request.body).into_owned().collect()
    } else {
        return Answer::status(415, "json or form");
    };
    if let Some(fault) = state.faults.apply().await {
        return fault;
    }
    if fields.get("identity_provider").map(String::as_str) != Some("maskinporten") {
        return Answer::json(&json!({"active": false, "error": "unsupported identity provider"}));
    }
    let inactive = state
        .inactive
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let verdict = match inactive {
        Some(reason) => Err(reason),
        None => introspect(
            &state.issuer,
            fields.get("token").map_or("", String::as_str),
        ),
    };
    match verdict {
        Ok(mut claims) => {
            claims.insert("active".into(), json!(true));
            Answer::json(&Value::Object(claims))
        }
        Err(error) => Answer::json(&json!({"active": false, "error": error})),
    }
}

/// Texas's checks: signature under a published key, `iss`, `exp`, `nbf`,
/// with 60 s leeway.
fn introspect(issuer: &IssuerState, token: &str) -> Result<Map<String, Value>, String> {
    let header =
        jsonwebtoken::decode_header(token).map_err(|e| format!("invalid token header: {e}"))?;
    let kid = header.kid.ok_or("missing kid")?;
    let jwk = issuer
        .keys()
        .iter()
        .find(|key| key.kid() == kid)
        .map(|key| key.jwk())
        .ok_or("no matching key")?;
    let component = |name: &str| {
        jwk.get(name)
            .and_then(Value::as_str)
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
            .unwrap_or_default()
    };
    let key = DecodingKey::from_rsa_raw_components(&component("n"), &component("e"));
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = 60;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.validate_aud = false;
    validation.set_issuer(&[issuer.issuer()]);
    validation.set_required_spec_claims(&["exp", "iss"]);
    jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| e.to_string())
}
