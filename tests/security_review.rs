//! What a white-box security review found in the network and configuration
//! edges (a token or a loopback issuer's keys sent through a proxy,
//! plain-http keys, issuer strings in the log, configuration that passed in
//! silence), each pinned by the attack or mistake it stops.
//!
//! Proxy variables and `ROCKET_*`/`MASKINPORTEN_*` variables are global to a
//! process, and every HTTP client or figment built while one is set sees it.
//! So each test that needs one runs its scenario in a child process of this
//! same test binary (see [`isolated`]), with the variables set for the child
//! alone: no other test, in this binary ever
//! sees them. The parent checks what the child printed and what reached the
//! listeners it started.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{app, READ};
use maskinporten_testing::{bearer, Issuer, Texas};
use rocket::figment::Figment;
use rocket::http::Status;
use rocket::local::asynchronous::Client;

/// Set in a child process to the name of the test whose scenario it runs.
const CHILD: &str = "MASKINPORTEN_SECURITY_REVIEW_CHILD";

/// Every variable that could steer the child: the proxy variables reqwest
/// reads, and the NAIS and Rocket variables the configuration reads.
const CLEARED: [&str; 14] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "MASKINPORTEN_ISSUER",
    "MASKINPORTEN_JWKS_URI",
    "MASKINPORTEN_WELL_KNOWN_URL",
    "NAIS_TOKEN_INTROSPECTION_ENDPOINT",
    "ROCKET_CONFIG",
    "ROCKET_PROFILE",
];

/// The libtest name of the test function `name` in this module: the module
/// path without the crate, so that it still holds when this file becomes a
/// module of a larger test binary.
macro_rules! this_test {
    ($name:literal) => {
        match module_path!().split_once("::") {
            Some((_, module)) => format!("{module}::{}", $name),
            None => $name.to_owned(),
        }
    };
}
pub(crate) use this_test;

/// In the child started for `test`, runs `scenario` and returns `None`.
/// Anywhere else, runs this binary again with only `test` selected and
/// `env` set, waits for it, asserts that it passed and returns what it
/// printed (stdout and stderr together; Rocket logs to stdout).
pub(crate) fn isolated(
    test: &str,
    env: &[(&str, &str)],
    scenario: impl FnOnce(),
) -> Option<String> {
    if std::env::var(CHILD).as_deref() == Ok(test) {
        scenario();
        return None;
    }
    let mut env = env.to_vec();
    env.push((CHILD, test));
    let printed = child(&["--exact", test, "--nocapture", "--test-threads=1"], &env);
    assert!(
        printed.contains("1 passed"),
        "the child ran no test:\n{printed}"
    );
    Some(printed)
}

/// Runs this test binary again with `args` (libtest's: a filter and its
/// options) and `env`, and no variable of [`CLEARED`]; asserts that every
/// test it ran passed and returns what it printed.
pub(crate) fn child(args: &[&str], env: &[(&str, &str)]) -> String {
    // The test binary itself, about to be run again: no network input.
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut command = Command::new(exe);
    command.args(args);
    for name in CLEARED {
        command.env_remove(name);
    }
    command.env("ROCKET_CLI_COLORS", "false");
    for (name, value) in env {
        command.env(name, value);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("the test binary runs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    assert!(status.success(), "the child failed:\n{printed}");
    printed
}

/// Runs `future` to completion on a fresh runtime (in the child).
pub(crate) fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// A listener on 127.0.0.1 that records the first line of every request it
/// receives and answers each with 502, as a proxy that cannot reach the
/// target would. Standing in for an HTTP proxy, it sees exactly what a real
/// one would see: for plain http, the absolute URL and every header.
struct Recorder {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn start() -> Recorder {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("a bound port").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => break,
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                seen.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(head.lines().next().unwrap_or_default().to_owned());
                let _ = stream.write_all(
                    b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            }
        });
        Recorder { port, requests }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Every proxy variable reqwest reads, upper and lower case, pointing here.
    fn as_every_proxy_variable(&self) -> Vec<(&'static str, String)> {
        [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
        ]
        .into_iter()
        .map(|name| (name, self.url()))
        .collect()
    }
}

fn pairs<'a>(owned: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    owned.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

pub(crate) fn quiet(figment: Figment) -> Figment {
    figment.merge(("cli_colors", false))
}

// Texas is a sidecar; a token never goes through a proxy.

/// With every proxy variable pointing at a recorder, Texas mode still asks
/// Texas directly: the request succeeds and the recorder sees nothing, so
/// no bearer token left the pod in cleartext.
#[test]
fn texas_tokens_never_go_through_a_proxy_from_the_environment() {
    let test = this_test!("texas_tokens_never_go_through_a_proxy_from_the_environment");
    unseen_by_every_proxy_variable(&test, "the proxy saw a token", || async {
        let issuer = Issuer::start().await;
        let texas = Texas::start(&issuer).await;
        let client = Client::tracked(app(quiet(texas.figment())))
            .await
            .expect("the app ignites");
        let token = issuer.token().scope(READ).sign();
        let response = client.get("/read").header(bearer(&token)).dispatch().await;
        assert_eq!(response.status(), Status::Ok);
        assert_eq!(texas.introspections(), 1);
    });
}

/// Runs `scenario` in a child whose every proxy variable names a recorder,
/// and asserts that the recorder saw no request (`why` says what one would
/// mean).
fn unseen_by_every_proxy_variable<F: std::future::Future<Output = ()>>(
    test: &str,
    why: &str,
    scenario: impl FnOnce() -> F,
) {
    let proxy = Recorder::start();
    let env = proxy.as_every_proxy_variable();
    let parent = isolated(test, &pairs(&env), || block_on(scenario()));
    if parent.is_some() {
        assert_eq!(proxy.requests(), Vec::<String>::new(), "{why}");
    }
}

/// A stand-in issuer on 127.0.0.1 serves its keys over plain http, as in a
/// test or a local run. With every proxy variable pointing at a recorder,
/// the keys are still fetched directly: a proxy between the app and a
/// plain-http issuer could answer with its own keys, so that its own
/// tokens pass. The stand-in's token gets through (200), the stand-in saw
/// both fetches, and the recorder saw nothing.
#[test]
fn loopback_issuer_keys_never_go_through_a_proxy_from_the_environment() {
    let test = this_test!("loopback_issuer_keys_never_go_through_a_proxy_from_the_environment");
    let why = "the proxy saw a loopback issuer's fetch";
    unseen_by_every_proxy_variable(&test, why, || async {
        let issuer = Issuer::start().await;
        let client = Client::tracked(app(quiet(issuer.figment())))
            .await
            .expect("the app ignites");
        let token = issuer.token().scope(READ).sign();
        let response = client.get("/read").header(bearer(&token)).dispatch().await;
        assert_eq!(response.status(), Status::Ok);
        assert_eq!(issuer.metadata_requests(), 1);
        assert_eq!(issuer.jwks_requests(), 1);
    });
}

/// The issuer is on the internet, which on-premises NAIS reaches through a
/// proxy: an issuer on a host that is not loopback is still fetched
/// through the environment's proxy. `issuer.example` resolves nowhere, so
/// only the proxy could reach it; the recorder answers the tunnel request
/// with 502, as a proxy that cannot reach the issuer would, so protected
/// routes answer 503 until the keys load.
#[test]
fn issuer_fetches_still_go_through_the_proxy_from_the_environment() {
    let proxy = Recorder::start();
    let env = proxy.as_every_proxy_variable();
    let test = this_test!("issuer_fetches_still_go_through_the_proxy_from_the_environment");
    let parent = isolated(&test, &pairs(&env), || {
        block_on(async {
            let issuer = Issuer::start().await;
            let figment = quiet(rocket::Config::figment()).merge((
                "maskinporten.well_known_url",
                "https://issuer.example/.well-known/oauth-authorization-server",
            ));
            let client = Client::tracked(app(figment))
                .await
                .expect("the app ignites without keys");
            let token = issuer.token().scope(READ).sign();
            let response = client.get("/read").header(bearer(&token)).dispatch().await;
            assert_eq!(response.status(), Status::ServiceUnavailable);
        })
    });
    if parent.is_none() {
        return;
    }
    let requests = proxy.requests();
    assert!(
        requests
            .iter()
            .any(|line| line.starts_with("CONNECT issuer.example:443 ")),
        "the metadata fetch did not reach the proxy: {requests:?}"
    );
}

// No plain-http keys from afar, and the issuer's strings quoted.

/// Issuer metadata naming `jwks_uri` at `host` instead of at `keys`'s
/// loopback address, served by a second stand-in.
async fn metadata_naming_keys_at(keys: &Issuer, host: &str) -> Issuer {
    let metadata = Issuer::start().await;
    // The metadata's issuer is its own (RFC 8414 §3.3); tokens must carry
    // it, whichever host holds the keys.
    metadata.answer_json(&serde_json::json!({
        "issuer": metadata.issuer(),
        "jwks_uri": keys.jwks_uri().replacen("127.0.0.1", host, 1),
    }));
    metadata
}

/// A metadata document that names plain-http keys on a host that is not
/// loopback is a downgrade anyone on the path could use to swap the keys:
/// the refresh fails, so protected routes answer 503 with `Retry-After`
/// until it is fixed, and the keys are never fetched. (0.0.0.0 is not a
/// loopback address, yet on Linux it reaches the stand-in's listener: the
/// same keys that load fine from 127.0.0.1.)
#[tokio::test]
async fn plain_http_keys_named_by_the_metadata_are_refused() {
    let keys = Issuer::start().await;
    let metadata = metadata_naming_keys_at(&keys, "0.0.0.0").await;
    let client = Client::tracked(app(metadata.figment()))
        .await
        .expect("the app ignites without keys");
    let token = keys.token().scope(READ).sign();
    let response = client.get("/read").header(bearer(&token)).dispatch().await;
    assert_eq!(response.status(), Status::ServiceUnavailable);
    assert_eq!(response.headers().get_one("Retry-After"), Some("5"));
    assert_eq!(keys.jwks_requests(), 0, "the plain-http keys were fetched");
}

/// The same metadata naming the keys on 127.0.0.1 is fine: plain http is
/// allowed to a loopback host, where no one sits on the path.
#[tokio::test]
async fn plain_http_keys_on_loopback_are_used() {
    let keys = Issuer::start().await;
    let metadata = metadata_naming_keys_at(&keys, "127.0.0.1").await;
    let client = Client::tracked(app(metadata.figment()))
        .await
        .expect("the app ignites");
    let token = keys.token().issuer(metadata.issuer()).scope(READ).sign();
    let response = client.get("/read").header(bearer(&token)).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(keys.jwks_requests(), 1);
}

/// A kid or a jwks_uri with a line break in it cannot write a log line of
/// its own: what the issuer supplies reaches the log quoted.
#[test]
fn issuer_supplied_strings_cannot_forge_log_lines() {
    let test = this_test!("issuer_supplied_strings_cannot_forge_log_lines");
    let printed = isolated(&test, &[], || {
        block_on(async {
            let normal = |figment: Figment| quiet(figment).merge(("log_level", "normal"));
            // A kid with a line break, loaded and logged at ignite.
            let issuer = Issuer::start().await;
            issuer.rotate("key-2\nforged: kid");
            Client::tracked(app(normal(issuer.figment())))
                .await
                .expect("the app ignites");
            // A jwks_uri with a line break, refused and logged at ignite.
            let metadata = Issuer::start().await;
            metadata.answer_json(&serde_json::json!({
                "issuer": metadata.issuer(),
                "jwks_uri": "http://0.0.0.0:9/jwks\nforged: jwks_uri",
            }));
            Client::tracked(app(normal(metadata.figment())))
                .await
                .expect("the app ignites without keys");
        })
    });
    let Some(printed) = printed else { return };
    assert!(
        !printed.lines().any(|line| line.starts_with("forged")),
        "a forged log line:\n{printed}"
    );
    assert!(printed.contains(r#""key-2\nforged: kid""#), "{printed}");
    assert!(
        printed.contains(r#"names jwks_uri "http://0.0.0.0:9/jwks\nforged: jwks_uri""#),
        "{printed}"
    );
}

// Configuration that would otherwise pass in silence.

/// Rocket's own configuration sources (`Rocket.toml`, `ROCKET_*`) under the
/// stand-in issuer's settings, as an app that calls `rocket::build()` reads.
fn rocket_sources(issuer: &Issuer) -> Figment {
    quiet(rocket::Config::figment())
        .merge(("log_level", "critical"))
        .merge(("maskinporten.well_known_url", issuer.well_known_url()))
}

/// Asserts that ignite failed in a fairing (Rocket's error must be looked
/// at, or it panics when dropped).
pub(crate) fn assert_failed_fairing(ignited: Result<Client, rocket::Error>) {
    match ignited {
        Ok(_) => panic!("the app ignited"),
        Err(error) => assert!(
            matches!(error.kind(), rocket::error::ErrorKind::FailedFairings(_)),
            "{error}"
        ),
    }
}

/// In the child: the app does not ignite.
fn ignite_fails() {
    block_on(async {
        let issuer = Issuer::start().await;
        let ignited = Client::tracked(app(rocket_sources(&issuer))).await;
        assert_failed_fairing(ignited);
    })
}

/// `ROCKET_MASKINPORTEN_AUDIENCE` is a top-level key nothing reads: the
/// audience would silently not be enforced. Ignite stops and says how to
/// spell it.
#[test]
fn a_top_level_audience_from_the_environment_stops_ignite() {
    let test = this_test!("a_top_level_audience_from_the_environment_stops_ignite");
    let env = [("ROCKET_MASKINPORTEN_AUDIENCE", "https://afp.nav.no/api")];
    let Some(printed) = isolated(&test, &env, ignite_fails) else {
        return;
    };
    assert!(printed.contains("`maskinporten_audience` is a top-level key"));
    assert!(printed.contains(r#"ROCKET_MASKINPORTEN={audience="..."}"#));
}

/// The same mistake in `Rocket.toml`: `maskinporten_audience` under
/// `[default]` instead of `audience` under `[default.maskinporten]`.
#[test]
fn a_top_level_audience_in_rocket_toml_stops_ignite() {
    let test = this_test!("a_top_level_audience_in_rocket_toml_stops_ignite");
    let dir = std::env::temp_dir().join(format!("maskinporten-security-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let file = dir.join("Rocket.toml");
    std::fs::write(
        &file,
        "[default]\nmaskinporten_audience = \"https://afp.nav.no/api\"\n",
    )
    .expect("Rocket.toml written");
    let path = file.to_string_lossy().into_owned();
    let printed = isolated(&test, &[("ROCKET_CONFIG", &path)], ignite_fails);
    let _ = std::fs::remove_dir_all(&dir);
    let Some(printed) = printed else { return };
    assert!(printed.contains("`maskinporten_audience` is a top-level key"));
    assert!(printed.contains("under `[default.maskinporten]`"));
}

/// NAIS names production on this pod.
const NAIS_PRODUCTION: [(&str, &str); 3] = [
    ("MASKINPORTEN_ISSUER", "https://maskinporten.no/"),
    ("MASKINPORTEN_JWKS_URI", "https://maskinporten.no/jwk"),
    (
        "MASKINPORTEN_WELL_KNOWN_URL",
        "https://maskinporten.no/.well-known/oauth-authorization-server",
    ),
];

/// In the child: an app whose explicit `well_known_url` names the stand-in
/// (a test issuer) while NAIS names production, with `extra` keys merged.
/// In a debug build it ignites and the explicit issuer wins; in a release
/// build it does not ignite unless `override_nais` is set.
fn test_issuer_over_production(extra: Figment) {
    block_on(async {
        let issuer = Issuer::start().await;
        // The shape of a baked-in `Rocket.toml` that names a test issuer (not
        // the kit's `figment()`, which means to win and says so).
        let figment = quiet(rocket::Config::figment())
            .merge(("maskinporten.well_known_url", issuer.well_known_url()))
            .merge(extra);
        let meant = figment
            .extract_inner::<bool>("maskinporten.override_nais")
            .unwrap_or(false);
        let ignited = Client::tracked(app(figment)).await;
        if cfg!(debug_assertions) || meant {
            let client = ignited.expect("the app ignites");
            let token = issuer.token().scope(READ).sign();
            let response = client.get("/read").header(bearer(&token)).dispatch().await;
            assert_eq!(response.status(), Status::Ok, "the explicit issuer wins");
        } else {
            assert_failed_fairing(ignited);
        }
    })
}

/// A `Rocket.toml` baked into an image, naming a test issuer, silently won
/// over the NAIS variables naming production. Now ignite says so: a warning
/// in a debug build (tests build in debug), an error in a release build.
#[test]
fn an_explicit_issuer_that_differs_from_nais_is_reported_at_ignite() {
    let test = this_test!("an_explicit_issuer_that_differs_from_nais_is_reported_at_ignite");
    let scenario = || test_issuer_over_production(Figment::new());
    let Some(printed) = isolated(&test, &NAIS_PRODUCTION, scenario) else {
        return;
    };
    let line = printed
        .lines()
        .find(|line| line.contains("MASKINPORTEN_WELL_KNOWN_URL = "))
        .unwrap_or_else(|| panic!("no line about the override:\n{printed}"));
    assert!(line.contains("override_nais = true"), "{line}");
    let level = if cfg!(debug_assertions) {
        "Warning: maskinporten.well_known_url = "
    } else {
        "Error: maskinporten.well_known_url: "
    };
    assert!(line.contains(level), "{line}");
}

/// `override_nais = true` says the override is meant: it starts, silently.
#[test]
fn override_nais_lets_an_explicit_issuer_win_without_a_word() {
    let test = this_test!("override_nais_lets_an_explicit_issuer_win_without_a_word");
    let scenario =
        || test_issuer_over_production(Figment::new().merge(("maskinporten.override_nais", true)));
    let Some(printed) = isolated(&test, &NAIS_PRODUCTION, scenario) else {
        return;
    };
    assert!(
        !printed.contains("MASKINPORTEN_WELL_KNOWN_URL"),
        "{printed}"
    );
}

// Verification that no other crate can break, and an outage that does not
// flood the log.

/// Another crate in the app may install `jsonwebtoken`'s process-wide
/// crypto provider, or enable its `rust_crypto` feature beside our
/// `aws_lc_rs` (then none is chosen and every use panics). Our
/// verification does not go through that provider: with one installed
/// whose verifier panics, tokens still verify (and a bad signature is
/// still refused).
#[test]
fn verification_does_not_depend_on_jsonwebtokens_crypto_provider() {
    use jsonwebtoken::crypto::{aws_lc, CryptoProvider};

    let test = this_test!("verification_does_not_depend_on_jsonwebtokens_crypto_provider");
    let printed = isolated(&test, &[], || {
        let panicking_verifier = Box::leak(Box::new(CryptoProvider {
            // The kit signs through jsonwebtoken: signing stays as it was.
            signer_factory: aws_lc::DEFAULT_PROVIDER.signer_factory,
            verifier_factory: |_, _| panic!("jsonwebtoken's provider was asked to verify"),
            key_utils: aws_lc::DEFAULT_PROVIDER.key_utils.clone(),
        }));
        panicking_verifier
            .install_default()
            .expect("the first provider of this process");
        block_on(async {
            let issuer = Issuer::start().await;
            let client = Client::tracked(app(quiet(issuer.figment())))
                .await
                .expect("the app ignites");
            let token = issuer.token().scope(READ).sign();
            let response = client.get("/read").header(bearer(&token)).dispatch().await;
            assert_eq!(response.status(), Status::Ok);
            let mut forged = token.clone();
            forged.truncate(token.len() - 4);
            forged.push_str("AAAA");
            let response = client.get("/read").header(bearer(&forged)).dispatch().await;
            assert_eq!(response.status(), Status::Unauthorized);
        })
    });
    if let Some(printed) = printed {
        assert!(!printed.contains("was asked to verify"), "{printed}");
    }
}

/// While Texas is down every request to a protected route is a 503. The
/// log gets one error line for the burst, not one per request; the next
/// line, after the interval, says how many it stands for.
#[test]
fn an_outage_writes_one_error_line_not_one_per_request() {
    let test = this_test!("an_outage_writes_one_error_line_not_one_per_request");
    let printed = isolated(&test, &[], || {
        block_on(async {
            let issuer = Issuer::start().await;
            let texas = Texas::start(&issuer).await;
            let figment = quiet(texas.figment()).merge(("log_level", "normal"));
            let client = Client::tracked(app(figment))
                .await
                .expect("the app ignites");
            texas.fail_with(500);
            for i in 0..40 {
                // A new token each time, so that no verdict is cached.
                let token = issuer
                    .token()
                    .scope(READ)
                    .claim("jti", format!("t{i}").into())
                    .sign();
                let response = client.get("/read").header(bearer(&token)).dispatch().await;
                assert_eq!(response.status(), Status::ServiceUnavailable);
            }
        })
    });
    let Some(printed) = printed else { return };
    let outage_lines = printed
        .lines()
        .filter(|line| line.contains(": 503, "))
        .count();
    assert_eq!(outage_lines, 1, "{printed}");
}
