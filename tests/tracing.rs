//! The `tracing` feature's span per verification, read by a subscriber of
//! the test's own, and what reaches any log at all: across attack-style
//! requests, no token, no part of one (header and payload, signature), no
//! claims JSON appears in a span, an event, a line of Rocket's logger or
//! the metrics.
//!
//! A tracing subscriber and a `log` logger are each set once per process,
//! so each scenario runs in a child process of this test binary
//! (`security_review::isolated`), where nothing else runs.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use ::tracing::field::{Field, Visit};
use ::tracing::span::{Attributes, Id, Record};
use ::tracing::Subscriber;
use maskinporten_rocket::prometheus::{self, Registry};
use maskinporten_testing::{bearer, Issuer, SigningKey, Texas};
use rocket::fairing::AdHoc;
use rocket::http::{Header, Status};
use rocket::{Build, Rocket};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use crate::metrics::{client_counting_into, scrape, READ_ROUTE, RESTRICTED_ROUTE};
use crate::security_review::{block_on, child, isolated, quiet, this_test};
use crate::support::{serve, READ, WRITE};

/// Every line written in the child: tracing's formatted events and span
/// lifecycles, and every record of the `log` crate (Rocket's own lines).
static WRITTEN: Mutex<String> = Mutex::new(String::new());

/// The fields of every closed span named `verification`, in order.
static SPANS: Mutex<Vec<BTreeMap<String, String>>> = Mutex::new(Vec::new());

/// Keeps each span's fields as they are recorded, and the whole span once
/// it closes.
struct SpanRecorder;

#[derive(Default)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for SpanRecorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<Fields>() {
                values.record(fields);
            }
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        if span.name() != "verification" {
            return;
        }
        let fields = span.extensions_mut().remove::<Fields>();
        if let Some(fields) = fields {
            SPANS.lock().unwrap().push(fields.0);
        }
    }
}

/// Keeps `text`, written by tracing or `log`: in [`WRITTEN`], or, in a
/// child watching the attack suite, in the file `written` of [`WATCH`]'s
/// directory, since the parent reads it once the child has exited.
fn keep(text: &str) {
    match watch_file("written") {
        Some(mut file) => file.write_all(text.as_bytes()).expect("the line is kept"),
        None => WRITTEN.lock().unwrap().push_str(text),
    }
}

/// tracing's formatter writes here.
struct Buffer;

impl io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        keep(&String::from_utf8_lossy(bytes));
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The `log` crate's records (Rocket's logger never gets set: this one is
/// first) go here too.
struct LogBuffer;

impl log::Log for LogBuffer {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let message = record.args().to_string();
        // Rocket's own debug line for a request served over HTTP prints all
        // its headers, the bearer token with them: Rocket's doing at
        // `log_level = "debug"` (the README warns of it), not a line of
        // ours, so it is not kept for the checks here.
        if record.target() == "rocket::server" && message.starts_with("received request") {
            return;
        }
        keep(&format!(
            "log {} {}: {message}\n",
            record.level(),
            record.target(),
        ));
    }

    fn flush(&self) {}
}

/// Installs the capture for this process: every span and event at every
/// level, formatted with their fields, and every `log` record.
pub(crate) fn capture() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        log::set_logger(&LogBuffer).expect("the first logger");
        log::set_max_level(log::LevelFilter::Trace);
        let formatted = tracing_subscriber::fmt::layer()
            .with_writer(|| Buffer)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL);
        let subscriber = tracing_subscriber::registry()
            .with(SpanRecorder)
            .with(formatted);
        ::tracing::subscriber::set_global_default(subscriber).expect("the first subscriber");
    });
}

/// Everything written so far in this child, by tracing and by `log`.
pub(crate) fn written() -> String {
    WRITTEN.lock().unwrap().clone()
}

fn spans() -> Vec<BTreeMap<String, String>> {
    SPANS.lock().unwrap().clone()
}

/// The fields a test compares, as `Debug` writes them (strings quoted).
fn span_of(fields: &[(&str, &str)]) -> BTreeMap<String, String> {
    fields
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// A query string's value, which only Rocket's own request line may show.
const QUERY_MARKER: &str = "QUERY-MARKER-7f3a";

/// Everything about `token` that must never be written: the whole token,
/// its signing input, its payload and signature segments, its claims as
/// JSON, and the claims' distinctive text.
fn secrets_of(token: &str) -> Vec<String> {
    let mut secrets = vec![token.to_owned()];
    let parts: Vec<&str> = token.split('.').collect();
    if let [header, payload, signature] = parts[..] {
        secrets.push(format!("{header}.{payload}"));
        secrets.push(payload.to_owned());
        secrets.push(signature.to_owned());
        if let Ok(claims) =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
        {
            secrets.push(String::from_utf8_lossy(&claims).into_owned());
        }
    }
    // Only what is long enough that it cannot turn up by chance (an attack
    // may send `Bearer .` or a one-letter payload).
    secrets.retain(|secret| secret.len() >= 16);
    secrets
}

/// Fails if anything written holds a secret of any token sent, or claims
/// JSON of any shape.
fn assert_nothing_leaked(written: &str, tokens: &[String]) {
    // Searched in the whole text (a secret may span lines); only the
    // message shows where, rather than everything written.
    let around = |text: &str| {
        let at = written.find(text).unwrap_or(0);
        let start = written[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = written[at..].find('\n').map_or(written.len(), |i| at + i);
        written[start..end].chars().take(2_000).collect::<String>()
    };
    for token in tokens {
        for secret in secrets_of(token) {
            if written.contains(&secret) {
                panic!("written: {secret:?}\nin the line:\n{}", around(&secret));
            }
        }
    }
    for claims_json in [r#""scope":"#, r#""exp":"#, r#""consumer":"#, r#""iss":"#] {
        if written.contains(claims_json) {
            panic!(
                "claims JSON written: {claims_json}\nin the line:\n{}",
                around(claims_json)
            );
        }
    }
}

#[test]
fn each_verification_is_one_span_with_its_fields() {
    let test = this_test!("each_verification_is_one_span_with_its_fields");
    let printed = isolated(&test, &[], || {
        capture();
        block_on(async {
            let issuer = Issuer::start().await;
            let registry = Registry::new();
            let figment = quiet(issuer.figment()).merge(("log_level", "debug"));
            let client = client_counting_into(&registry, figment).await;
            let good = issuer.token().scope(READ).consumer("111111111").sign();
            let expired = issuer.token().scope(READ).expires_in(-600).sign();
            let write_only = issuer.token().scope(WRITE).consumer("111111111").sign();
            let stranger = issuer.token().scope(READ).consumer("999999999").sign();
            for (path, token, status) in [
                ("/read", &good, Status::Ok),
                ("/read", &good, Status::Ok),
                ("/read", &expired, Status::Unauthorized),
                ("/read", &write_only, Status::Forbidden),
                ("/restricted", &stranger, Status::Forbidden),
            ] {
                let response = client.get(path).header(bearer(token)).dispatch().await;
                assert_eq!(response.status(), status, "{path}");
            }
            // Every request above is over, and so is its span.
            let fields = |route: &str, outcome, reason, consumer: Option<&str>, hit| {
                let mut fields = span_of(&[
                    ("route", route),
                    ("backend", "jwks"),
                    ("kid", "\"key-1\""),
                    ("outcome", outcome),
                    ("reason", reason),
                    ("cache_hit", hit),
                ]);
                if let Some(consumer) = consumer {
                    fields.insert("consumer".into(), consumer.into());
                }
                fields
            };
            let spans = spans();
            let (read, restricted) = (READ_ROUTE, RESTRICTED_ROUTE);
            // Strings recorded as `str` stand as they are; the kid and the
            // consumer, recorded with `Debug`, are quoted.
            assert_eq!(
                spans,
                vec![
                    fields(read, "allowed", "none", Some("\"111111111\""), "false"),
                    fields(read, "allowed", "none", Some("\"111111111\""), "true"),
                    fields(read, "invalid_token", "expired", None, "false"),
                    fields(
                        read,
                        "insufficient_scope",
                        "scope",
                        Some("\"111111111\""),
                        "false"
                    ),
                    fields(
                        restricted,
                        "consumer_not_allowed",
                        "consumer",
                        Some("\"999999999\""),
                        "false"
                    ),
                ]
            );
            let written = WRITTEN.lock().unwrap().clone();
            // The key load at start is an event with its trigger and result.
            assert!(
                written.contains("trigger=\"start\" result=\"success\" keys=1"),
                "{written}"
            );
            let mut tokens = vec![good, expired, write_only, stranger];
            tokens.dedup();
            assert_nothing_leaked(&(written + &scrape(&registry)), &tokens);
        })
    });
    // The parent sees the child's stdout: nothing there either, but the
    // test harness's own lines.
    if let Some(printed) = printed {
        assert!(!printed.contains(r#""scope":"#), "{printed}");
    }
}

/// Attack-style requests (forgeries, a stranger's key, header key
/// material, garbage, an issuer and a Texas that fail), each seen by the
/// subscriber and the logger at their most verbose: no token, no part of
/// one and no claims JSON is written anywhere, nor in the metrics.
#[test]
fn no_token_part_or_claims_reach_a_log_line_or_a_metric() {
    let test = this_test!("no_token_part_or_claims_reach_a_log_line_or_a_metric");
    let printed = isolated(&test, &[], || {
        capture();
        block_on(async {
            let issuer = Issuer::start().await;
            let registry = Registry::new();
            let figment = quiet(issuer.figment()).merge(("log_level", "debug"));
            let client = client_counting_into(&registry, figment).await;
            let good = issuer.token().scope(READ).consumer("111111111").sign();
            let mut tampered = good.clone();
            tampered.truncate(good.len() - 4);
            tampered.push_str("AAAA");
            let stranger = SigningKey::generate("key-1");
            let mut tokens = vec![
                good.clone(),
                tampered,
                issuer.token().scope(READ).unsigned_with_alg("none"),
                issuer.token().scope(READ).sign_hs256_with_public_key(),
                issuer.token().scope(READ).signing_key(stranger).sign(),
                issuer.token().scope(READ).kid("nobody").sign(),
                issuer
                    .token()
                    .scope(READ)
                    .header("jku", "http://127.0.0.1:9/keys".into())
                    .sign(),
                issuer
                    .token()
                    .scope(READ)
                    .header("crit", serde_json::json!(["exp"]))
                    .sign(),
                issuer.token().scope(READ).expires_in(-600).sign(),
                issuer.token().scope(READ).not_before_in(600).sign(),
                issuer
                    .token()
                    .scope(READ)
                    .issuer("https://evil.example/")
                    .sign(),
                issuer.token().scope(WRITE).sign(),
                format!("{}.", &good[..good.rfind('.').unwrap()]),
            ];
            for token in &tokens {
                client.get("/read").header(bearer(token)).dispatch().await;
                // With a query string, which the library never logs
                // (Rocket's own request line does).
                client
                    .get(format!("/read?access_token={QUERY_MARKER}"))
                    .header(bearer(token))
                    .dispatch()
                    .await;
            }
            client
                .get("/read")
                .header(Header::new(
                    "Authorization",
                    format!("Bearer {good} {good}"),
                ))
                .dispatch()
                .await;
            // An issuer down from the start: a 503, and failed refreshes.
            let down = Issuer::start().await;
            down.fail_with(500);
            let down_registry = Registry::new();
            let figment = quiet(down.figment()).merge(("log_level", "debug"));
            let down_client = client_counting_into(&down_registry, figment).await;
            let token = down.token().scope(READ).sign();
            let response = down_client
                .get("/read")
                .header(bearer(&token))
                .dispatch()
                .await;
            assert_eq!(response.status(), Status::ServiceUnavailable);
            tokens.push(token);

            // Texas down, then saying no.
            let texas_issuer = Issuer::start().await;
            let texas = Texas::start(&texas_issuer).await;
            let texas_registry = Registry::new();
            let figment = quiet(texas.figment()).merge(("log_level", "debug"));
            let texas_client = client_counting_into(&texas_registry, figment).await;
            texas.fail_with(500);
            let token = texas_issuer.token().scope(READ).sign();
            let response = texas_client
                .get("/read")
                .header(bearer(&token))
                .dispatch()
                .await;
            assert_eq!(response.status(), Status::ServiceUnavailable);
            texas.recover();
            texas.answer_inactive("token revoked");
            let response = texas_client
                .get("/read")
                .header(bearer(&token))
                .dispatch()
                .await;
            assert_eq!(response.status(), Status::Unauthorized);
            tokens.push(token);

            let written = WRITTEN.lock().unwrap().clone();
            // The capture saw the refusals and the failures, so the check
            // below is not vacuous.
            for seen in [
                "invalid token: signature does not verify",
                "kind=\"status\"",
                "refreshing issuer keys failed",
                "verification",
            ] {
                assert!(written.contains(seen), "{seen:?} not in:\n{written}");
            }
            let ours: String = written
                .lines()
                .filter(|line| !line.starts_with("log "))
                .collect();
            assert!(
                !ours.contains(QUERY_MARKER),
                "a query string logged:\n{ours}"
            );
            let everything =
                written + &scrape(&registry) + &scrape(&down_registry) + &scrape(&texas_registry);
            assert_nothing_leaked(&everything, &tokens);
        })
    });
    if let Some(printed) = printed {
        assert!(!printed.contains(r#""scope":"#), "{printed}");
    }
}

// ------------------------------------------------ Rocket's request lines

/// The README's filter: the library's lines at DEBUG, Rocket's and
/// everything else's at INFO.
const OURS_AT_DEBUG: &str = "info,maskinporten=debug";

/// The directive the ignite warning and refusal name, as `RUST_LOG`:
/// everything at DEBUG but Rocket's targets.
const ALL_BUT_ROCKET_AT_DEBUG: &str = "debug,rocket=info";

/// In a child: tracing-subscriber's formatter under `filter`, installed as
/// an app installs it (`init`, which makes tracing-log's bridge the `log`
/// logger, so Rocket's records are events under the same filter); the
/// support app at `log_level = "debug"` over real HTTP; one request with a
/// good token. Returns everything written, and the token.
fn serve_a_token_under(filter: &str) -> (String, String) {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        // The `verification` span (DEBUG, target `maskinporten`) as a line.
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(|| Buffer)
        .init();
    block_on(async {
        let issuer = Issuer::start().await;
        // This logger never hears of `log_level`: its filter alone decides.
        let figment = quiet(issuer.figment()).merge(("log_level", "debug"));
        let (port, shutdown) = serve(figment).await;
        let token = issuer.token().scope(READ).consumer("111111111").sign();
        let response = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("a client")
            .get(format!("http://127.0.0.1:{port}/read"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("GET /read");
        assert_eq!(response.status(), Status::Ok.code);
        shutdown.notify();
        (written(), token)
    })
}

/// Whether the ignite warning about tokens in the log was written.
fn warned_of_tokens_in_the_log(written: &str) -> bool {
    written
        .lines()
        .any(|line| line.contains("WARN") && line.contains("bearer tokens included"))
}

/// Under `filter`, the library's DEBUG lines are written, and neither
/// Rocket's line with the request's headers nor any part of the token, nor
/// a warning at ignite.
fn assert_keeps_rockets_header_lines_out(filter: &str) {
    let (written, token) = serve_a_token_under(filter);
    assert!(
        written
            .lines()
            .any(|line| line.contains("DEBUG verification{") && line.contains("maskinporten")),
        "no DEBUG line of ours under {filter:?}:\n{written}"
    );
    assert!(!written.contains("received request"), "{written}");
    assert!(!warned_of_tokens_in_the_log(&written), "{written}");
    assert_nothing_leaked(&written, &[token]);
}

/// The README's filter keeps Rocket's header lines out and the library's
/// DEBUG lines in; the fairing sees that the logger filters Rocket's
/// target, and starts without a word though `log_level` is `debug`.
#[test]
fn the_readme_filter_keeps_rockets_header_lines_out_and_ours_in() {
    let test = this_test!("the_readme_filter_keeps_rockets_header_lines_out_and_ours_in");
    isolated(&test, &[], || {
        assert_keeps_rockets_header_lines_out(OURS_AT_DEBUG)
    });
}

/// So does the directive the ignite message names.
#[test]
fn the_directive_the_warning_names_keeps_rockets_header_lines_out() {
    let test = this_test!("the_directive_the_warning_names_keeps_rockets_header_lines_out");
    isolated(&test, &[], || {
        assert_keeps_rockets_header_lines_out(ALL_BUT_ROCKET_AT_DEBUG)
    });
}

/// A filter that lets Rocket's DEBUG records through writes the token
/// (what the two tests above keep out), and the fairing warns at ignite
/// (a debug build; a release build refuses to start).
#[test]
fn a_filter_that_lets_rockets_debug_through_writes_the_token_and_is_warned_of() {
    let test =
        this_test!("a_filter_that_lets_rockets_debug_through_writes_the_token_and_is_warned_of");
    isolated(&test, &[], || {
        let (written, token) = serve_a_token_under("debug");
        assert!(warned_of_tokens_in_the_log(&written), "{written}");
        let warning = written
            .lines()
            .find(|line| line.contains("bearer tokens included"))
            .unwrap_or_default();
        assert!(warning.contains("RUST_LOG=debug,rocket=info"), "{warning}");
        // Rocket's line spreads the request over many (`{:#?}`).
        let signature = token.rsplit('.').next().unwrap_or_default();
        assert!(written.contains("received request"), "{written}");
        assert!(written.contains(signature), "{written}");
    });
}

// ------------------------------------------------------ the attack suite

/// Set in a child that runs the attack suite under watch: the directory
/// where it writes everything logged (`written`), every `Authorization`
/// header the apps received (`sent`) and the default registry's scrape
/// (`metrics`).
const WATCH: &str = "MASKINPORTEN_TEST_LEAK_WATCH";

/// The file `name` in [`WATCH`]'s directory, opened to append, in a child
/// under watch; `None` anywhere else. Each write to it is one whole line,
/// so that the test threads' lines never interleave.
fn watch_file(name: &str) -> Option<File> {
    let dir = PathBuf::from(std::env::var_os(WATCH)?);
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(name));
    // Under watch, a line that cannot be kept would make the check vacuous.
    Some(file.expect("the watch directory's files open"))
}

/// The app `build` returns, as it is, except in a child under watch: there
/// the capture is installed first (before `rocket::custom`, which sets
/// Rocket's logger), and the app records every `Authorization` header it
/// receives and, after each response, the metrics of the default registry
/// (where the fairing counts when the app hands it none).
pub(crate) fn watched(build: impl FnOnce() -> Rocket<Build>) -> Rocket<Build> {
    if std::env::var_os(WATCH).is_none() {
        return build();
    }
    capture();
    build()
        .attach(AdHoc::on_request("leak watch: tokens", |request, _| {
            Box::pin(async move {
                if let Some(mut sent) = watch_file("sent") {
                    for value in request.headers().get("Authorization") {
                        sent.write_all(format!("{value}\n").as_bytes())
                            .expect("the header is kept");
                    }
                }
            })
        }))
        .attach(AdHoc::on_response("leak watch: metrics", |_, _| {
            Box::pin(async move {
                static SCRAPE: Mutex<()> = Mutex::new(());
                let _one_at_a_time = SCRAPE.lock().unwrap();
                let text = scrape(prometheus::default_registry());
                if let Some(dir) = std::env::var_os(WATCH) {
                    let _ = std::fs::write(PathBuf::from(dir).join("metrics"), text);
                }
            })
        }))
}

/// The whole attack suite (`attacks.rs`, every test in it) run in a child
/// under watch, with the subscriber and the logger at their most verbose:
/// no token any of its apps received, no part of one and no claims JSON is
/// written in a log line, a span, an event or the metrics.
#[test]
fn no_token_of_the_attack_suite_reaches_a_log_line_or_a_metric() {
    let dir = std::env::temp_dir().join(format!("maskinporten-leak-watch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    // With `--nocapture`, whatever a test prints reaches `printed`, which
    // is checked too.
    let printed = child(
        &["attacks::", "--test-threads=2", "--nocapture"],
        &[(WATCH, &dir.to_string_lossy())],
    );
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let (sent, written, metrics) = (read("sent"), read("written"), read("metrics"));
    let _ = std::fs::remove_dir_all(&dir);

    let passed: usize = printed
        .split("test result: ok. ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let listed = child(&["attacks::", "--list"], &[])
        .lines()
        .filter(|line| line.starts_with("attacks::") && line.ends_with(": test"))
        .count();
    assert!(
        listed >= 50 && passed == listed,
        "{passed} of {listed} attacks ran:\n{printed}"
    );
    // Every word of every `Authorization` header long enough to be a
    // token: the bearer tokens, and whatever else an attack sent there. A
    // token with a space inside (an attack sends some) is checked as its
    // pieces, which a leak of the whole would hold too.
    let mut tokens: Vec<String> = sent
        .lines()
        .flat_map(str::split_whitespace)
        .filter(|word| word.len() >= 16)
        .map(str::to_owned)
        .collect();
    tokens.sort();
    tokens.dedup();
    assert!(tokens.len() >= 100, "{} tokens seen", tokens.len());
    // The capture saw the refusals, and the metrics counted them, so the
    // check below is not vacuous.
    for seen in ["invalid token", "verification", "Request guard"] {
        assert!(written.contains(seen), "{seen:?} not written");
    }
    assert!(metrics.contains("maskinporten_verdicts_total"), "{metrics}");
    assert_nothing_leaked(&(written + &metrics + &printed), &tokens);
}
