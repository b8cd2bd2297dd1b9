//! What `#[scopes]` asks of a token beyond its scopes: a system user
//! (`system_user`, `system_user_orgs`), a delegation rule
//! (`delegation = deny | require`) and a per-route check (`check = f`),
//! here one that asks a stand-in authorization PDP over real HTTP, as the
//! README's "System users and delegation" section does. Every case runs in
//! both validation modes, with real tokens.
//!
//! A check that panics or never answers is the app's bug, and still gets
//! the 503 any undecided check gets, counted and logged under its own
//! reason, with no text of the panic in the response.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use maskinporten_rocket::prometheus::Registry;
use maskinporten_rocket::{scopes, CheckError, Claims, Maskinporten};
use maskinporten_testing::{bearer, Issuer, Texas};
use rocket::figment::Figment;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, Request, State};

use crate::metrics::{samples, scrape};
use crate::security_review::{block_on, isolated, quiet, this_test};
use crate::support::{assert_unavailable, insufficient_scope, invalid_token, READ, WRITE};

const SYSTEM_USER_ID: &str = "a9f05ba1-3ec7-4b7a-a3b2-6b1c5d0c7e11";
const SYSTEM_ID: &str = "987654321_afp-system";
/// The organisation whose system user the PDP lets act for [`PARTY`].
const OWNER: &str = "123456789";
const PARTY: &str = "310000001";

const NOT_SYSTEM_USER: &str = "The access token is not from a system user";
const MALFORMED_SYSTEM_USER: &str = "The access token's system user is malformed";
const ORG_NOT_ALLOWED: &str = "The system user's organisation is not allowed";
const DELEGATED: &str = "Delegated access is not allowed";
const NOT_DELEGATED: &str = "Only delegated access is allowed";
const PDP_REFUSED: &str = "The system user may not act for this party";

/// The check, as the README writes it: asks the PDP whether the token's
/// system user may act for the party in the path.
mod pdp {
    use maskinporten_rocket::{CheckError, Claims};
    use rocket::serde::json::{json, Value};
    use rocket::Request;

    /// Where the PDP is, managed as Rocket state.
    pub struct Pdp {
        pub client: reqwest::Client,
        pub url: String,
    }

    pub async fn may_act(claims: &Claims, request: &Request<'_>) -> Result<(), CheckError> {
        let Some(pdp) = request.rocket().state::<Pdp>() else {
            return Err(CheckError::unavailable("no PDP configured"));
        };
        let Ok(Some(user)) = claims.system_user() else {
            return Err(CheckError::refused("A system user is required"));
        };
        // `/party/<orgno>`: the segment after `party`.
        let Some(party) = request.routed_segment(1) else {
            return Err(CheckError::refused("The party is missing"));
        };
        let ask = json!({
            "subject": { "systemuser_id": user.ids(), "systemuser_org": user.orgno() },
            "action": "read",
            "resource": { "party": party },
        });
        let answer = pdp
            .client
            .post(&pdp.url)
            .json(&ask)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| CheckError::unavailable(format!("PDP: {e}")))?;
        let decision: Value = answer
            .json()
            .await
            .map_err(|e| CheckError::unavailable(format!("PDP answer: {e}")))?;
        match decision["decision"].as_str() {
            Some("Permit") => Ok(()),
            Some(_) => Err(CheckError::refused(
                "The system user may not act for this party",
            )),
            None => Err(CheckError::unavailable("PDP answer without a decision")),
        }
    }
}

#[scopes("nav:helse/sykepenger/afp.read", system_user)]
#[get("/system-user")]
fn system_user() -> &'static str {
    "system user"
}

#[scopes("nav:helse/sykepenger/afp.read", system_user_orgs = ["123456789"])]
#[get("/system-user/owner")]
fn owner() -> &'static str {
    "owner's system user"
}

#[scopes("nav:helse/sykepenger/afp.read", delegation = deny)]
#[get("/direct")]
fn direct() -> &'static str {
    "direct"
}

#[scopes("nav:helse/sykepenger/afp.read", delegation = require)]
#[get("/delegated")]
fn delegated(claims: Claims) -> String {
    claims.supplier_orgno().unwrap_or_default().to_owned()
}

#[scopes("nav:helse/sykepenger/afp.read", system_user, check = pdp::may_act)]
#[get("/party/<orgno>")]
fn party(orgno: &str) -> String {
    format!("acting for {orgno}")
}

/// A check whose description RFC 6750 does not allow in a header.
async fn refuses_with_a_quote(_: &Claims, _: &Request<'_>) -> Result<(), CheckError> {
    Err(CheckError::refused("say \"no\""))
}

#[scopes("nav:helse/sykepenger/afp.read", check = refuses_with_a_quote)]
#[get("/quote")]
fn quote() {}

/// The stand-in PDP: permits the system user of [`OWNER`] for [`PARTY`],
/// denies everything else, and counts the questions; while `down`, it
/// answers 502, as a PDP behind a failing gateway does.
struct Decisions {
    asked: AtomicUsize,
    down: AtomicBool,
}

#[post("/decide", data = "<ask>")]
fn decide(ask: Json<Value>, decisions: &State<Arc<Decisions>>) -> Result<Json<Value>, Status> {
    decisions.asked.fetch_add(1, Ordering::SeqCst);
    if decisions.down.load(Ordering::SeqCst) {
        return Err(Status::BadGateway);
    }
    let permit = ask["subject"]["systemuser_org"] == OWNER
        && ask["subject"]["systemuser_id"] == json!([SYSTEM_USER_ID])
        && ask["resource"]["party"] == PARTY;
    Ok(Json(
        json!({ "decision": if permit { "Permit" } else { "Deny" } }),
    ))
}

/// A PDP on 127.0.0.1, on a port the system picks.
async fn start_pdp() -> (String, Arc<Decisions>, rocket::Shutdown) {
    let decisions = Arc::new(Decisions {
        asked: AtomicUsize::new(0),
        down: AtomicBool::new(false),
    });
    let (port_tx, port_rx) = tokio::sync::oneshot::channel();
    let figment = rocket::Config::figment()
        .merge(("address", "127.0.0.1"))
        .merge(("port", 0))
        .merge(("log_level", "off"));
    let rocket = rocket::custom(figment)
        .manage(decisions.clone())
        .mount("/", rocket::routes![decide])
        .attach(rocket::fairing::AdHoc::on_liftoff("port", |rocket| {
            Box::pin(async move {
                let _ = port_tx.send((rocket.config().port, rocket.shutdown()));
            })
        }));
    tokio::spawn(rocket.launch());
    let (port, shutdown) = port_rx.await.expect("the PDP lifts off");
    (
        format!("http://127.0.0.1:{port}/decide"),
        decisions,
        shutdown,
    )
}

async fn client(figment: Figment, pdp_url: String) -> Client {
    let rocket = rocket::custom(figment)
        .attach(Maskinporten::fairing())
        .manage(pdp::Pdp {
            client: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("a client"),
            url: pdp_url,
        })
        .mount(
            "/",
            maskinporten_rocket::routes![system_user, owner, direct, delegated, party, quote],
        );
    Client::tracked(rocket).await.expect("the app ignites")
}

/// Asserts the status and the exact challenge of `GET path` with `token`.
async fn expect(client: &Client, path: &str, token: &str, status: Status, challenge: Option<&str>) {
    let response = client.get(path).header(bearer(token)).dispatch().await;
    assert_eq!(
        (
            response.status(),
            response.headers().get_one("WWW-Authenticate")
        ),
        (status, challenge),
        "GET {path}"
    );
}

async fn ok(client: &Client, path: &str, token: &str) {
    expect(client, path, token, Status::Ok, None).await;
}

/// Asserts a 403 `insufficient_scope` with `description` and no `scope`.
async fn refused(client: &Client, path: &str, token: &str, description: &str) {
    let challenge =
        format!("Bearer error=\"insufficient_scope\", error_description=\"{description}\"");
    expect(client, path, token, Status::Forbidden, Some(&challenge)).await;
}

fn system_user_entry(org: Value) -> Value {
    json!([{
        "type": "urn:altinn:systemuser",
        "systemuser_org": org,
        "systemuser_id": [SYSTEM_USER_ID],
        "system_id": SYSTEM_ID,
    }])
}

async fn every_case(
    issuer: &Issuer,
    client: &Client,
    decisions: &Decisions,
    pdp: rocket::Shutdown,
) {
    // system_user: both spellings of the organisation key pass.
    for key in ["ID", "id"] {
        let token = issuer
            .token()
            .scope(READ)
            .authorization_details(system_user_entry(
                json!({"authority": "iso6523-actorid-upis", key: format!("0192:{OWNER}")}),
            ))
            .sign();
        ok(client, "/system-user", &token).await;
        ok(client, "/system-user/owner", &token).await;
    }
    let plain = issuer.token().scope(READ).sign();
    refused(client, "/system-user", &plain, NOT_SYSTEM_USER).await;
    refused(client, "/system-user/owner", &plain, NOT_SYSTEM_USER).await;

    // A malformed system user is refused where one is asked for, and
    // ignored elsewhere.
    let malformed_details = [
        json!({"type": "urn:altinn:systemuser"}),
        system_user_entry(json!({"authority": "iso6523-actorid-upis", "ID": "0192:1234"})),
        system_user_entry(json!({"authority": "iso6523-actorid-upis", "ID": "123456789"})),
        system_user_entry(json!({"authority": "urn:altinn:org", "ID": "0192:123456789"})),
        json!([{
            "type": "urn:altinn:systemuser",
            "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": "0192:123456789"},
            "systemuser_id": [42],
            "system_id": SYSTEM_ID,
        }]),
    ];
    let malformed = invalid_token(MALFORMED_SYSTEM_USER);
    for details in malformed_details {
        let token = issuer
            .token()
            .scope(READ)
            .authorization_details(details.clone())
            .sign();
        for path in ["/system-user", "/system-user/owner"] {
            expect(client, path, &token, Status::Unauthorized, Some(&malformed)).await;
        }
        ok(client, "/direct", &token).await;
    }

    // system_user_orgs: another organisation's system user.
    let other = issuer
        .token()
        .scope(READ)
        .system_user("987654321", &[SYSTEM_USER_ID], SYSTEM_ID)
        .sign();
    ok(client, "/system-user", &other).await;
    refused(client, "/system-user/owner", &other, ORG_NOT_ALLOWED).await;

    // Delegation: the supplier's client asked for the consumer.
    let via_supplier = issuer
        .token()
        .scope(READ)
        .consumer("111111111")
        .supplier("222222222")
        .sign();
    let own = issuer.token().scope(READ).consumer("111111111").sign();
    refused(client, "/direct", &via_supplier, DELEGATED).await;
    ok(client, "/direct", &own).await;
    refused(client, "/delegated", &own, NOT_DELEGATED).await;
    let response = client
        .get("/delegated")
        .header(bearer(&via_supplier))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.into_string().await.as_deref(), Some("222222222"));

    // The scopes come first: a token without them never reaches the other
    // conditions, nor the PDP.
    let write_only = issuer
        .token()
        .scope(WRITE)
        .system_user(OWNER, &[SYSTEM_USER_ID], SYSTEM_ID)
        .consumer("111111111")
        .supplier("222222222")
        .sign();
    let scope = insufficient_scope(READ);
    for path in ["/system-user", "/direct", "/delegated", "/party/310000001"] {
        expect(client, path, &write_only, Status::Forbidden, Some(&scope)).await;
    }
    assert_eq!(decisions.asked.load(Ordering::SeqCst), 0);

    // The check: one question per request, after the scopes pass.
    let owners = issuer
        .token()
        .scope(READ)
        .system_user(OWNER, &[SYSTEM_USER_ID], SYSTEM_ID)
        .sign();
    let response = client
        .get(format!("/party/{PARTY}"))
        .header(bearer(&owners))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("acting for 310000001")
    );
    assert_eq!(decisions.asked.load(Ordering::SeqCst), 1);
    refused(client, "/party/310000002", &owners, PDP_REFUSED).await;
    refused(client, &format!("/party/{PARTY}"), &other, PDP_REFUSED).await;
    assert_eq!(decisions.asked.load(Ordering::SeqCst), 3);
    // Without a system user the attribute refuses before the check runs.
    refused(client, &format!("/party/{PARTY}"), &plain, NOT_SYSTEM_USER).await;
    assert_eq!(decisions.asked.load(Ordering::SeqCst), 3);

    // A description RFC 6750 does not allow is replaced, not sent.
    refused(
        client,
        "/quote",
        &plain,
        "The request is not allowed for this token",
    )
    .await;

    // The PDP failing: 503 with Retry-After, never a pass; and back.
    decisions.down.store(true, Ordering::SeqCst);
    let response = client
        .get(format!("/party/{PARTY}"))
        .header(bearer(&owners))
        .dispatch()
        .await;
    assert_unavailable(&response);
    decisions.down.store(false, Ordering::SeqCst);
    ok(client, &format!("/party/{PARTY}"), &owners).await;

    pdp.notify();
}

#[rocket::async_test]
async fn route_conditions_with_local_validation() {
    let issuer = Issuer::start().await;
    let (url, decisions, shutdown) = start_pdp().await;
    let client = client(issuer.figment(), url).await;
    every_case(&issuer, &client, &decisions, shutdown).await;
}

#[rocket::async_test]
async fn route_conditions_through_texas() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let (url, decisions, shutdown) = start_pdp().await;
    let client = client(texas.figment(), url).await;
    every_case(&issuer, &client, &decisions, shutdown).await;
    assert!(texas.introspections() > 0);
}

// ------------------------------------------------- checks that fail badly

/// The text of the panic below: it may reach the log, never a response.
const PANIC_MARKER: &str = "check-panic-marker-7d41";

async fn panics(_: &Claims, _: &Request<'_>) -> Result<(), CheckError> {
    panic!("{PANIC_MARKER}: the app's own bug");
}

/// A PDP call that never returns, as one without a timeout of its own
/// against a PDP that accepts the connection and never answers.
async fn never_answers(_: &Claims, _: &Request<'_>) -> Result<(), CheckError> {
    std::future::pending().await
}

/// The 503 every failing check should look like.
async fn undecided(_: &Claims, _: &Request<'_>) -> Result<(), CheckError> {
    Err(CheckError::unavailable("the PDP answered 502"))
}

#[scopes("nav:helse/sykepenger/afp.read", check = panics)]
#[get("/check/panics")]
fn check_panics() -> &'static str {
    "the handler ran"
}

#[scopes("nav:helse/sykepenger/afp.read", check = never_answers)]
#[get("/check/hangs")]
fn check_hangs() -> &'static str {
    "the handler ran"
}

#[scopes("nav:helse/sykepenger/afp.read", check = undecided)]
#[get("/check/undecided")]
fn check_undecided() -> &'static str {
    "the handler ran"
}

/// The three routes above, with `check_timeout = 1`, counting into
/// `registry`.
async fn failing_checks(figment: Figment, registry: &Registry) -> Client {
    let rocket = rocket::custom(figment.merge(("maskinporten.check_timeout", 1)))
        .attach(Maskinporten::fairing().with_registry(registry.clone()))
        .mount(
            "/",
            maskinporten_rocket::routes![check_panics, check_hangs, check_undecided],
        );
    Client::tracked(rocket).await.expect("the app ignites")
}

/// `request`, failing the test after 10 seconds rather than hanging it
/// (as a check without a bound would).
async fn within_ten_seconds<T>(request: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), request)
        .await
        .expect("answered within 10 s")
}

/// The body and content type of the 503 of a check that could not decide:
/// the answer a panicking or hung check must give too.
async fn usual_503(client: &Client, token: &str) -> (Option<String>, Option<String>) {
    let response = client
        .get("/check/undecided")
        .header(bearer(token))
        .dispatch()
        .await;
    assert_unavailable(&response);
    let content_type = response.content_type().map(|t| t.to_string());
    (response.into_string().await, content_type)
}

/// The route's `maskinporten_verdicts_total` series that counted anything,
/// as `(outcome, reason, count)`.
fn counted(registry: &Registry, handler: &str) -> Vec<(String, String, f64)> {
    let route = format!("{}::{handler}", module_path!());
    samples(&scrape(registry))
        .into_iter()
        .filter(|((name, labels), count)| {
            name == "maskinporten_verdicts_total"
                && labels.get("route") == Some(&route)
                && *count > 0.0
        })
        .map(|((_, labels), count)| (labels["outcome"].clone(), labels["reason"].clone(), count))
        .collect()
}

#[rocket::async_test]
async fn a_panicking_check_gets_the_usual_503_counted_as_check_panicked() {
    let issuer = Issuer::start().await;
    let registry = Registry::new();
    let client = failing_checks(issuer.figment(), &registry).await;
    let token = issuer.token().scope(READ).sign();
    let usual = usual_503(&client, &token).await;

    // Twice: the first panic leaves nothing behind that breaks the second.
    for _ in 0..2 {
        let response = within_ten_seconds(
            client
                .get("/check/panics")
                .header(bearer(&token))
                .dispatch(),
        )
        .await;
        assert_unavailable(&response);
        let content_type = response.content_type().map(|t| t.to_string());
        let body = response.into_string().await;
        assert_eq!((body.clone(), content_type), usual);
        assert!(
            !body.unwrap_or_default().contains(PANIC_MARKER),
            "the panic's message reached the body"
        );
    }
    assert_eq!(
        counted(&registry, "check_panics"),
        [("unavailable".into(), "check_panicked".into(), 2.0)]
    );
}

#[rocket::async_test]
async fn a_check_that_never_answers_gets_the_usual_503_after_check_timeout() {
    let issuer = Issuer::start().await;
    let registry = Registry::new();
    let client = failing_checks(issuer.figment(), &registry).await;
    let token = issuer.token().scope(READ).sign();
    let usual = usual_503(&client, &token).await;

    let started = Instant::now();
    let response =
        within_ten_seconds(client.get("/check/hangs").header(bearer(&token)).dispatch()).await;
    let took = started.elapsed();
    assert_unavailable(&response);
    // `check_timeout = 1`: not before it, and not much after (a loaded
    // machine may be slow to wake).
    assert!(
        Duration::from_millis(900) <= took && took < Duration::from_secs(8),
        "answered after {took:?}"
    );
    let content_type = response.content_type().map(|t| t.to_string());
    assert_eq!((response.into_string().await, content_type), usual);
    assert_eq!(
        counted(&registry, "check_hangs"),
        [("unavailable".into(), "check_timeout".into(), 1.0)]
    );
}

/// The log says why, with the reason as a field, in a child process where
/// the test's own subscriber is the only one.
#[test]
fn a_panicking_or_hung_check_is_logged_with_its_reason() {
    let test = this_test!("a_panicking_or_hung_check_is_logged_with_its_reason");
    isolated(&test, &[], || {
        crate::tracing::capture();
        block_on(async {
            let issuer = Issuer::start().await;
            let registry = Registry::new();
            let client = failing_checks(quiet(issuer.figment()), &registry).await;
            let token = issuer.token().scope(READ).sign();
            for path in ["/check/panics", "/check/hangs"] {
                let response =
                    within_ten_seconds(client.get(path).header(bearer(&token)).dispatch()).await;
                assert_eq!(response.status(), Status::ServiceUnavailable, "{path}");
            }
            let written = crate::tracing::written();
            let line = |needle: &str| {
                written
                    .lines()
                    .find(|line| line.contains(needle))
                    .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{written}"))
                    .to_owned()
            };
            let panicked = line("reason=\"check_panicked\"");
            assert!(
                panicked.contains("GET /check/panics: 503")
                    && panicked.contains(&format!("the route's check panicked: \"{PANIC_MARKER}")),
                "{panicked}"
            );
            let timed_out = line("reason=\"check_timeout\"");
            assert!(
                timed_out.contains("GET /check/hangs: 503")
                    && timed_out.contains("did not answer within check_timeout (1 s)"),
                "{timed_out}"
            );
        })
    });
}
