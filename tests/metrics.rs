//! The `metrics` feature, read from the scrape as Prometheus reads it: every
//! kind of answer counted exactly once under its route, outcome and reason,
//! with real RS256 tokens against the stand-in issuer and Texas; and a
//! flood of what an attacker controls (kids, paths, tokens) that adds no
//! series.

use std::collections::BTreeMap;

use maskinporten_rocket::prometheus::{Encoder, Registry, TextEncoder};
use maskinporten_rocket::Maskinporten;
use maskinporten_testing::{bearer, Issuer, Texas};
use rocket::figment::Figment;
use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;

use crate::support::{app, now, READ, WRITE};

/// The route names `maskinporten_rocket::routes!` gives the support app's
/// handlers: their module path and function name.
pub const READ_ROUTE: &str = "e2e::support::read";
pub const RESTRICTED_ROUTE: &str = "e2e::support::restricted";

/// The support app, counting into `registry`. The fairing is a singleton:
/// this one replaces the one `app` attached.
pub async fn client_counting_into(registry: &Registry, figment: Figment) -> Client {
    let rocket = app(figment).attach(Maskinporten::fairing().with_registry(registry.clone()));
    Client::tracked(rocket).await.expect("the app ignites")
}

/// The registry in Prometheus's text format, as `/metrics` serves it.
pub fn scrape(registry: &Registry) -> String {
    let mut text = Vec::new();
    TextEncoder::new()
        .encode(&registry.gather(), &mut text)
        .expect("the text format");
    String::from_utf8(text).expect("UTF-8")
}

/// One sample: the metric's name and its labels, in order of label name.
type Series = (String, BTreeMap<String, String>);

/// Every sample of the scrape, by series.
pub fn samples(scrape: &str) -> BTreeMap<Series, f64> {
    let mut samples = BTreeMap::new();
    for line in scrape
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (series, value) = line.rsplit_once(' ').expect("a value");
        let (name, labels) = match series.split_once('{') {
            Some((name, labels)) => (name, labels.trim_end_matches('}')),
            None => (series, ""),
        };
        let labels = labels
            .split(',')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (label, value) = pair.split_once('=').expect("label=\"value\"");
                (label.to_owned(), value.trim_matches('"').to_owned())
            })
            .collect();
        samples.insert((name.to_owned(), labels), value.parse().expect("a number"));
    }
    samples
}

/// The value of the sample `name{labels}`; 0 when there is none.
fn value(samples: &BTreeMap<Series, f64>, name: &str, labels: &[(&str, &str)]) -> f64 {
    let labels = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    samples
        .get(&(name.to_owned(), labels))
        .copied()
        .unwrap_or(0.0)
}

/// Every `maskinporten_verdicts_total` series, as `(route, outcome, reason)`.
fn verdicts(samples: &BTreeMap<Series, f64>) -> BTreeMap<(String, String, String), f64> {
    samples
        .iter()
        .filter(|((name, _), _)| name == "maskinporten_verdicts_total")
        .map(|((_, labels), value)| {
            let label = |name: &str| labels.get(name).cloned().unwrap_or_default();
            ((label("route"), label("outcome"), label("reason")), *value)
        })
        .collect()
}

fn expected(rows: &[(&str, &str, &str, f64)]) -> BTreeMap<(String, String, String), f64> {
    rows.iter()
        .map(|(route, outcome, reason, n)| {
            (((*route).into(), (*outcome).into(), (*reason).into()), *n)
        })
        .collect()
}

/// A token whose signature is the good one's with its last characters
/// changed: a bad signature under a known kid.
fn tampered(token: &str) -> String {
    format!("{}AAAA", &token[..token.len() - 4])
}

#[rocket::async_test]
async fn every_answer_is_counted_once_by_route_outcome_and_reason() {
    let issuer = Issuer::start().await;
    let registry = Registry::new();
    let client = client_counting_into(&registry, issuer.figment()).await;
    let good = issuer.token().scope(READ).consumer("111111111").sign();

    let send = |path: &'static str, authorization: Option<String>| {
        let mut request = client.get(path);
        if let Some(value) = authorization {
            request.add_header(Header::new("Authorization", value));
        }
        request.dispatch()
    };
    let bearer_of = |token: &str| Some(format!("Bearer {token}"));
    let script = [
        // 200, then 200 again from the verdict cache.
        ("/read", bearer_of(&good), Status::Ok),
        ("/read", bearer_of(&good), Status::Ok),
        // 401: expired, bad signature, unknown kid; and no token at all.
        (
            "/read",
            bearer_of(&issuer.token().scope(READ).expires_in(-600).sign()),
            Status::Unauthorized,
        ),
        ("/read", bearer_of(&tampered(&good)), Status::Unauthorized),
        (
            "/read",
            bearer_of(&issuer.token().scope(READ).kid("nobody").sign()),
            Status::Unauthorized,
        ),
        ("/read", None, Status::Unauthorized),
        // 400: not one b64token.
        ("/read", Some("Bearer a b".to_owned()), Status::BadRequest),
        // 403: the scope, then the consumer.
        (
            "/read",
            bearer_of(&issuer.token().scope(WRITE).sign()),
            Status::Forbidden,
        ),
        (
            "/restricted",
            bearer_of(&issuer.token().scope(READ).consumer("999999999").sign()),
            Status::Forbidden,
        ),
        // No guard of ours: not counted.
        ("/public", bearer_of(&good), Status::Ok),
    ];
    for (path, authorization, status) in script {
        let response = send(path, authorization.clone()).await;
        assert_eq!(response.status(), status, "{path} {authorization:?}");
    }

    let samples = samples(&scrape(&registry));
    assert_eq!(
        verdicts(&samples),
        expected(&[
            (READ_ROUTE, "allowed", "none", 2.0),
            (READ_ROUTE, "invalid_token", "expired", 1.0),
            (READ_ROUTE, "invalid_token", "bad_signature", 1.0),
            (READ_ROUTE, "invalid_token", "unknown_key", 1.0),
            (READ_ROUTE, "missing_token", "no_bearer_credentials", 1.0),
            (
                READ_ROUTE,
                "invalid_request",
                "malformed_authorization",
                1.0
            ),
            (READ_ROUTE, "insufficient_scope", "scope", 1.0),
            (RESTRICTED_ROUTE, "consumer_not_allowed", "consumer", 1.0),
        ])
    );
    let v = |name: &str, labels: &[(&str, &str)]| value(&samples, name, labels);
    // Every request with a token but one was a miss: seven full
    // verifications, three of them good enough to cache.
    assert_eq!(v("maskinporten_verdict_cache_hits_total", &[]), 1.0);
    assert_eq!(v("maskinporten_verdict_cache_misses_total", &[]), 7.0);
    assert_eq!(v("maskinporten_verdict_cache_entries", &[]), 3.0);
    assert_eq!(
        v(
            "maskinporten_verification_seconds_count",
            &[("backend", "jwks")]
        ),
        7.0
    );
    // The keys: loaded at start, and once more for the unknown kid.
    let refreshes = |trigger, result| {
        v(
            "maskinporten_key_refreshes_total",
            &[("result", result), ("trigger", trigger)],
        )
    };
    assert_eq!(refreshes("start", "success"), 1.0);
    assert_eq!(refreshes("unknown_kid", "success"), 1.0);
    assert_eq!(refreshes("interval", "success"), 0.0);
    assert_eq!(refreshes("start", "failure"), 0.0);
    assert_eq!(v("maskinporten_keys_loaded", &[]), 1.0);
    let age = v("maskinporten_keys_age_seconds", &[]);
    assert!((0.0..60.0).contains(&age), "keys loaded {age} s ago");
    assert_eq!(issuer.jwks_requests(), 2);
}

#[rocket::async_test]
async fn an_issuer_outage_is_counted_as_such() {
    // Down from the start: no keys ever load.
    let issuer = Issuer::start().await;
    issuer.fail_with(500);
    let registry = Registry::new();
    let client = client_counting_into(&registry, issuer.figment()).await;
    let token = issuer.token().scope(READ).sign();
    let response = client.get("/read").header(bearer(&token)).dispatch().await;
    assert_eq!(response.status(), Status::ServiceUnavailable);

    let samples = samples(&scrape(&registry));
    assert_eq!(
        verdicts(&samples),
        expected(&[(READ_ROUTE, "unavailable", "issuer_keys", 1.0)])
    );
    let v = |name: &str, labels: &[(&str, &str)]| value(&samples, name, labels);
    assert_eq!(
        v(
            "maskinporten_key_refreshes_total",
            &[("result", "failure"), ("trigger", "start")]
        ),
        1.0
    );
    assert_eq!(v("maskinporten_keys_loaded", &[]), 0.0);
    assert_eq!(v("maskinporten_verdict_cache_entries", &[]), 0.0);
}

#[rocket::async_test]
async fn a_texas_outage_is_counted_by_kind_and_its_latency_measured() {
    let issuer = Issuer::start().await;
    let texas = Texas::start(&issuer).await;
    let registry = Registry::new();
    let client = client_counting_into(&registry, texas.figment()).await;

    texas.fail_with(500);
    let token = issuer.token().scope(READ).sign();
    let response = client.get("/read").header(bearer(&token)).dispatch().await;
    assert_eq!(response.status(), Status::ServiceUnavailable);
    texas.recover();
    let response = client.get("/read").header(bearer(&token)).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    texas.answer_inactive("revoked");
    let other = issuer.token().scope(READ).claim("jti", "t2".into()).sign();
    let response = client.get("/read").header(bearer(&other)).dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);

    let samples = samples(&scrape(&registry));
    assert_eq!(
        verdicts(&samples),
        expected(&[
            (READ_ROUTE, "unavailable", "texas", 1.0),
            (READ_ROUTE, "allowed", "none", 1.0),
            (READ_ROUTE, "invalid_token", "inactive", 1.0),
        ])
    );
    let v = |name: &str, labels: &[(&str, &str)]| value(&samples, name, labels);
    assert_eq!(
        v("maskinporten_texas_failures_total", &[("kind", "status")]),
        1.0
    );
    assert_eq!(
        v("maskinporten_texas_failures_total", &[("kind", "timeout")]),
        0.0
    );
    assert_eq!(
        v("maskinporten_texas_introspection_seconds_count", &[]),
        3.0
    );
    assert_eq!(
        v(
            "maskinporten_verification_seconds_count",
            &[("backend", "texas")]
        ),
        3.0
    );
    assert_eq!(texas.introspections(), 3);
    // Texas mode has no keys of its own.
    assert!(v("maskinporten_keys_age_seconds", &[]).is_nan());
}

/// A small generator of attacker input: no crate needed, and a fixed seed
/// per run is as good as any.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// `len` characters of `alphabet`.
    fn text(&mut self, alphabet: &str, len: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..len)
            .map(|_| chars[(self.next() % chars.len() as u64) as usize])
            .collect()
    }
}

#[rocket::async_test]
async fn a_flood_of_kids_paths_and_garbage_adds_no_series() {
    let issuer = Issuer::start().await;
    let registry = Registry::new();
    let client = client_counting_into(&registry, issuer.figment()).await;
    // Every kind of answer once, so that each series a refusal can have on
    // these routes exists before the flood.
    let good = issuer.token().scope(READ).consumer("111111111").sign();
    for (path, token) in [
        ("/read", good.clone()),
        ("/read", issuer.token().scope(READ).kid("k0").sign()),
        ("/read", "x.y.z".to_owned()),
        ("/read", "a b".to_owned()),
        ("/read", tampered(&good)),
        ("/restricted", good.clone()),
    ] {
        client.get(path).header(bearer(&token)).dispatch().await;
    }
    client.get("/read").dispatch().await;
    let before = samples(&scrape(&registry));
    let counted_before: f64 = verdicts(&before).values().sum();

    let mut noise = Noise(now() as u64 | 1);
    const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const ANY: &str = "ABCxyz019-_.~+/=%&?# \"'{}\\<>;:,é";
    let rounds = 50;
    for _ in 0..rounds {
        // A real signature under a kid no one has.
        let kid = noise.text(ANY, 12);
        let forged = issuer.token().scope(READ).kid(&kid).sign();
        let response = client.get("/read").header(bearer(&forged)).dispatch().await;
        assert_eq!(response.status(), Status::Unauthorized);
        // Paths no route has, and a query on one that exists.
        let path = format!("/{}", noise.text(B64, 16));
        let response = client.get(path).header(bearer(&good)).dispatch().await;
        assert_eq!(response.status(), Status::NotFound);
        let query = format!("/read?{}={}", noise.text(B64, 8), noise.text(B64, 8));
        client.get(query).header(bearer(&good)).dispatch().await;
        // Garbage in the shape of a token, and garbage of any shape.
        let shaped = format!(
            "{}.{}.{}",
            noise.text(B64, 30),
            noise.text(B64, 60),
            noise.text(B64, 40)
        );
        client.get("/read").header(bearer(&shaped)).dispatch().await;
        let garbage = noise.text(ANY, 40);
        client
            .get("/read")
            .header(Header::new("Authorization", format!("Bearer {garbage}")))
            .dispatch()
            .await;
    }

    let after = samples(&scrape(&registry));
    let series = |samples: &BTreeMap<Series, f64>| samples.keys().cloned().collect::<Vec<_>>();
    assert_eq!(series(&after), series(&before), "the flood added series");
    // And the flood was counted: 4 guarded requests a round.
    let counted_after: f64 = verdicts(&after).values().sum();
    assert_eq!(counted_after - counted_before, f64::from(4 * rounds));
}
