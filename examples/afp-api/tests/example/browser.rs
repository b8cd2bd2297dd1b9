//! The whole flow as a person does it, in a real browser: `cargo run -p
//! afp-api` with nothing configured, Swagger UI at `/swagger-ui/`,
//! Authorize with a token from the development issuer's token endpoint,
//! then "Try it out" on `GET /afp`, which must answer 200.
//!
//! It drives Debian's `chromium` headless through `chromedriver`
//! (WebDriver), both found on `PATH` or named by `MASKINPORTEN_CHROMIUM`
//! and `MASKINPORTEN_CHROMEDRIVER`; nothing here downloads a browser.
//! Without them the test fails and says what to install, unless
//! `MASKINPORTEN_SKIP_BROWSER_TEST=1` asks for it to be skipped.

#![cfg(debug_assertions)]

use std::future::Future;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

const READ: &str = "nav:helse/sykepenger/afp.read";
const SKIP: &str = "MASKINPORTEN_SKIP_BROWSER_TEST";
const CHROMIUM: &str = "MASKINPORTEN_CHROMIUM";
const CHROMEDRIVER: &str = "MASKINPORTEN_CHROMEDRIVER";
/// How long any one step may take: a page, a dialog, a token, a response.
const STEP: Duration = Duration::from_secs(30);

/// Kills a program when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fresh, empty browser profile, removed when the test ends.
struct Profile(PathBuf);

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Written straight to the process's stderr: the test harness captures
/// `eprintln!` of a passing test, and a skip must be seen.
fn say(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// The program the variable names, or the first of `names` on `PATH`.
fn program(variable: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(named) = std::env::var_os(variable).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(named));
    }
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Chromium and chromedriver, or `None` when the user asked to skip.
fn browser() -> Option<(PathBuf, PathBuf)> {
    if std::env::var(SKIP).is_ok_and(|v| v == "1") {
        say(&format!(
            "SKIPPED the browser test (Swagger UI's Authorize and Try it out in Chromium): {SKIP}=1"
        ));
        return None;
    }
    let chromium = program(
        CHROMIUM,
        &[
            "chromium",
            "chromium-browser",
            "google-chrome-stable",
            "google-chrome",
        ],
    );
    let chromedriver = program(CHROMEDRIVER, &["chromedriver"]);
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => Some((chromium, chromedriver)),
        (chromium, chromedriver) => panic!(
            "the browser test needs Chromium and chromedriver, and found {}: on Debian, \
             `apt-get install chromium chromium-driver`; or name them with {CHROMIUM}=/path/to/chromium \
             and {CHROMEDRIVER}=/path/to/chromedriver; or set {SKIP}=1 to skip this test",
            match (chromium, chromedriver) {
                (None, None) => "neither",
                (None, Some(_)) => "no Chromium",
                _ => "no chromedriver",
            }
        ),
    }
}

/// The debug binary with nothing configured: it starts its development
/// issuer, as `cargo run -p afp-api` does on a laptop.
fn start_api(port: u16) -> Running {
    let mut command = Command::new(env!("CARGO_BIN_EXE_afp-api"));
    for var in afp_api::dev::NAIS_VARIABLES
        .into_iter()
        .chain(afp_api::dev::DEPLOYED_VARIABLES)
        .chain(["ROCKET_MASKINPORTEN", "ROCKET_CONFIG"])
    {
        command.env_remove(var);
    }
    let child = command
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start afp-api");
    Running(child)
}

/// Polls `check` until it gives a value, failing with `what` and the last
/// thing it saw after [`STEP`].
async fn poll<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + STEP;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(seen) if Instant::now() > deadline => {
                panic!("{what}: not within {} s; last seen: {seen}", STEP.as_secs())
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Waits until the API answers `/isready` with 200: its development issuer
/// is up and its keys are loaded.
async fn wait_ready(base: &str) {
    let http = reqwest::Client::new();
    poll("afp-api ready", || async {
        match http.get(format!("{base}/isready")).send().await {
            Ok(response) if response.status() == 200 => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await
}

/// A WebDriver session on headless Chromium with the flags this machine's
/// closed network needs, in a fresh profile.
async fn session(chromium: &Path, driver_port: u16, profile: &Path) -> Client {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect::<Vec<_>>();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "binary": chromium, "args": args }),
    );
    let mut builder = ClientBuilder::new(HttpConnector::new());
    builder.capabilities(capabilities);
    let url = format!("http://127.0.0.1:{driver_port}");
    // chromedriver may still be binding its port.
    poll("a WebDriver session", || async {
        builder.connect(&url).await.map_err(|e| e.to_string())
    })
    .await
}

async fn find(client: &Client, css: &str) -> Element {
    client
        .wait()
        .at_most(STEP)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no `{css}` on the page within {} s: {e}", STEP.as_secs()))
}

/// The text of the first element matching `css`, or `None`.
async fn text_of(client: &Client, css: &str) -> Option<String> {
    match client.find(Locator::Css(css)).await {
        Ok(element) => element.text().await.ok(),
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn swagger_ui_authorizes_at_the_stand_in_and_get_afp_answers_200() {
    let Some((chromium, chromedriver)) = browser() else {
        return;
    };
    let port = free_port();
    let _api = start_api(port);
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&base).await;

    let driver_port = free_port();
    let _driver = Running(
        Command::new(&chromedriver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", chromedriver.display())),
    );
    let profile = Profile(std::env::temp_dir().join(format!("afp-api-browser-{driver_port}")));
    std::fs::create_dir_all(&profile.0).expect("create the browser profile");
    let client = session(&chromium, driver_port, &profile.0).await;

    client
        .goto(&format!("{base}/swagger-ui/"))
        .await
        .expect("open Swagger UI");
    // The Authorize button above the operations.
    find(&client, ".auth-wrapper button.authorize")
        .await
        .click()
        .await
        .expect("click Authorize");

    let client_id = find(&client, "#client_id_clientCredentials").await;
    assert_eq!(
        client_id.prop("value").await.expect("client_id's value"),
        Some(afp_api::SWAGGER_UI_CLIENT_ID.to_owned()),
        "the dialog starts with the example's client id"
    );
    find(&client, "#client_secret_clientCredentials")
        .await
        .send_keys("any secret")
        .await
        .expect("type a client secret");
    // The checkbox itself is hidden behind its label, as for a person.
    let checkbox = format!("{READ}-clientCredentials-checkbox-maskinporten");
    find(&client, &format!(r#"label[for="{checkbox}"]"#))
        .await
        .click()
        .await
        .expect("tick the read scope");
    let ticked = find(&client, &format!(r#"input[data-value="{READ}"]"#))
        .await
        .is_selected()
        .await
        .expect("the checkbox's state");
    assert!(ticked, "{READ} is ticked");
    find(
        &client,
        r#"button[aria-label="Apply given OAuth2 credentials"]"#,
    )
    .await
    .click()
    .await
    .expect("click the dialog's Authorize");
    // Swagger UI shows "Authorized" once the token endpoint answered, or
    // the error (a refusal, or a fetch that CORS stopped).
    poll("the dialog says Authorized", || async {
        if let Some(errors) = text_of(&client, ".modal-ux .errors").await {
            if !errors.trim().is_empty() {
                panic!("the token request failed: {errors}");
            }
        }
        match text_of(&client, ".modal-ux .auth-container h6").await {
            Some(text) if text.contains("Authorized") => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    find(&client, ".modal-ux button.btn-done")
        .await
        .click()
        .await
        .expect("close the dialog");

    let operation = "#operations-default-read_afp";
    find(&client, &format!("{operation} .opblock-summary-control"))
        .await
        .click()
        .await
        .expect("expand GET /afp");
    find(&client, &format!("{operation} button.try-out__btn"))
        .await
        .click()
        .await
        .expect("click Try it out");
    find(&client, &format!("{operation} button.execute"))
        .await
        .click()
        .await
        .expect("click Execute");
    let live = format!("{operation} .live-responses-table .response");
    let status = poll("a response to GET /afp", || async {
        match text_of(&client, &format!("{live} .response-col_status")).await {
            Some(status) if !status.trim().is_empty() => Ok(status),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    let body = text_of(&client, &format!("{live} .response-col_description pre"))
        .await
        .unwrap_or_default();
    assert_eq!(status.trim(), "200", "GET /afp from Swagger UI: {body}");
    // The consumer the development issuer gives its tokens, read by the
    // handler from the token's claims.
    let view: serde_json::Value = serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("the body Swagger UI shows is not JSON ({e}): {body}"));
    assert_eq!(view["consumer"], "123456789", "{body}");
    let curl = text_of(&client, &format!("{operation} .curl-command"))
        .await
        .unwrap_or_default();
    assert!(
        curl.contains("Authorization: Bearer ey"),
        "the request carried no bearer token: {curl}"
    );
    let _ = client.close().await;

    // The API, not only the page, saw a valid token with the read scope.
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("metrics text");
    let allowed = r#"maskinporten_verdicts_total{outcome="allowed",reason="none",route="afp_api::read_afp"} 1"#;
    assert!(
        metrics.lines().any(|line| line == allowed),
        "{allowed} not in:\n{metrics}"
    );
}
