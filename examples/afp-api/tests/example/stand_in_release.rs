//! Local development with no development code in the API: the
//! `maskinporten-stand-in` program's printed exports are all the example's
//! release binary needs to trust it, and its printed token gets through.
//! And what the release binary writes to stdout and stderr, which NAIS ships
//! to shared log stores, holds no part of that token: at Rocket's
//! `log_level = "debug"`, whose request lines hold every header, it refuses
//! to start.
//!
//! The tests build both programs in release themselves (`cargo build
//! --release`, once per run), so `cargo test --workspace` needs no step
//! before it; the first run pays for a release build of the dependencies.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

const READ: &str = "nav:helse/sykepenger/afp.read";

/// Kills a program when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The release executables of `afp-api` and `maskinporten-stand-in`, built
/// once for all the tests here.
fn release_binaries() -> &'static (PathBuf, PathBuf) {
    static BUILT: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    BUILT.get_or_init(build_release_binaries)
}

/// The release executables of `afp-api` and `maskinporten-stand-in`, as
/// cargo reports them.
fn build_release_binaries() -> (PathBuf, PathBuf) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let output = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "--message-format=json-render-diagnostics",
            "-p",
            "afp-api",
            "-p",
            "maskinporten-testing",
            "--bins",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo build --release");
    assert!(output.status.success(), "cargo build --release failed");
    let mut executables = HashMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if let (Some(name), Some(path)) = (
            message["target"]["name"].as_str(),
            message["executable"].as_str(),
        ) {
            executables.insert(name.to_owned(), PathBuf::from(path));
        }
    }
    let mut take = |name: &str| {
        executables
            .remove(name)
            .unwrap_or_else(|| panic!("cargo built no `{name}` executable"))
    };
    (take("afp-api"), take("maskinporten-stand-in"))
}

/// Starts the stand-in and reads its `export` lines and its one token.
fn start_stand_in(program: &Path) -> (Running, Vec<(String, String)>, String) {
    let child = Command::new(program)
        .args(["--scope", READ, "--consumer", "123456789"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start maskinporten-stand-in");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut exports = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx
            .recv_timeout(left)
            .expect("the stand-in printed its exports and a token within 30 s");
        if let Some((name, value)) = line
            .strip_prefix("export ")
            .and_then(|export| export.split_once('='))
        {
            exports.push((name.to_owned(), value.to_owned()));
        } else if !line.starts_with('#') && !line.trim().is_empty() {
            return (running, exports, line);
        }
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// The API with exactly these variables and nothing else from our
/// environment, in an empty directory (no Rocket.toml).
fn api(program: &Path, variables: &[(String, String)]) -> Command {
    let mut command = Command::new(program);
    command
        .env_clear()
        .envs(variables.iter().map(|(k, v)| (k, v)))
        .current_dir(std::env::temp_dir());
    command
}

/// A program started with its stdout and stderr read as it writes them,
/// into one text: everything a log collector would ship.
struct Logged {
    running: Running,
    output: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

impl Logged {
    fn start(mut command: Command) -> Logged {
        let child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the program");
        let mut running = Running(child);
        let output = Arc::new(Mutex::new(String::new()));
        let stdout = running
            .0
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        let stderr = running
            .0
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        let readers = [stdout, stderr]
            .into_iter()
            .flatten()
            .map(|pipe| {
                let output = output.clone();
                std::thread::spawn(move || {
                    for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                        let mut output = output.lock().unwrap_or_else(|e| e.into_inner());
                        output.push_str(&line);
                        output.push('\n');
                    }
                })
            })
            .collect();
        Logged {
            running,
            output,
            readers,
        }
    }

    /// How the program exited, if it did so within 30 s.
    fn exit_within_30_s(&mut self) -> Option<ExitStatus> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.running.0.try_wait().expect("wait") {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Ends the program, if it still runs, and returns all it wrote.
    fn finish(self) -> String {
        let Logged {
            running,
            output,
            readers,
        } = self;
        drop(running);
        for reader in readers {
            let _ = reader.join();
        }
        let output = output.lock().unwrap_or_else(|e| e.into_inner());
        output.clone()
    }
}

/// Waits until the API at `base` listens and has the stand-in's keys.
async fn wait_ready(http: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match http.get(format!("{base}/isready")).send().await {
            Ok(response) if response.status() == 200 => return,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(50)).await,
            outcome => panic!("afp-api was not ready within 30 s: {outcome:?}"),
        }
    }
}

/// Sends `GET /afp` with `token` and expects the stand-in's consumer back.
async fn read_afp(http: &reqwest::Client, base: &str, token: &str) {
    let with_token = http
        .get(format!("{base}/afp"))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET /afp");
    assert_eq!(with_token.status(), 200);
    let body: Value = with_token.json().await.expect("JSON body");
    assert_eq!(body["consumer"], "123456789");
}

/// The parts of `token` a log line must never hold: the whole token, its
/// payload (the claims) and its signature, each of which the stand-in's
/// token has long enough not to turn up by chance.
fn parts_of(token: &str) -> Vec<&str> {
    let segments: Vec<&str> = token.split('.').collect();
    assert_eq!(segments.len(), 3, "a compact JWS: {token}");
    vec![token, segments[1], segments[2]]
}

/// Fails, naming the line, if `output` holds any part of `token`.
fn assert_no_part_of(token: &str, output: &str) {
    for part in parts_of(token) {
        if let Some(line) = output.lines().find(|line| line.contains(part)) {
            panic!("a part of the token was written:\n{line}");
        }
    }
}

/// The stand-in's exports, a free port and `extra` variables: the API's
/// whole environment; and the port.
fn variables_with(
    exports: &[(String, String)],
    extra: &[(&str, &str)],
) -> (Vec<(String, String)>, u16) {
    let port = free_port();
    let mut variables = exports.to_vec();
    // The port is the one variable beyond the exports and `extra`: the test
    // needs a free one, where a user would take Rocket's default 8000.
    variables.push(("ROCKET_PORT".into(), port.to_string()));
    variables.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    (variables, port)
}

/// Starts the release API against a fresh stand-in with `extra` variables,
/// sends the stand-in's token once the API is ready, and returns
/// everything the API wrote, and the token.
async fn serve_token_with(extra: &[(&str, &str)]) -> (String, String) {
    let (afp_api, stand_in) = release_binaries();
    let (_stand_in, exports, token) = start_stand_in(stand_in);
    let (variables, port) = variables_with(&exports, extra);
    let api = Logged::start(api(afp_api, &variables));
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&http, &base).await;
    read_afp(&http, &base, &token).await;
    (api.finish(), token)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_release_binary_trusts_the_stand_in_from_its_printed_exports_alone() {
    let (afp_api, stand_in) = release_binaries();

    // A release build has no development issuer: with nothing configured,
    // ignite fails.
    let mut unconfigured = Logged::start(api(afp_api, &[]));
    let status = unconfigured.exit_within_30_s();
    let output = unconfigured.finish();
    let status = status.unwrap_or_else(|| panic!("still running after 30 s:\n{output}"));
    assert_eq!(status.code(), Some(1), "{output}");
    assert!(!output.contains("DEVELOPMENT ISSUER"), "{output}");

    let (_stand_in, exports, token) = start_stand_in(stand_in);
    let names: Vec<&str> = exports.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "MASKINPORTEN_ISSUER",
            "MASKINPORTEN_JWKS_URI",
            "MASKINPORTEN_WELL_KNOWN_URL"
        ]
    );
    let (variables, port) = variables_with(&exports, &[]);
    let api = Logged::start(api(afp_api, &variables));

    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&http, &base).await;
    read_afp(&http, &base, &token).await;

    let without = http
        .get(format!("{base}/afp"))
        .send()
        .await
        .expect("GET /afp");
    assert_eq!(without.status(), 401);
    assert_eq!(
        without
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    // Rocket's default `log_level` in a release build is `critical`.
    assert_no_part_of(&token, &api.finish());
}

/// `ROCKET_LOG_LEVEL=debug`: Rocket would log each request with its
/// headers, so the release binary refuses to start, saying how to keep the
/// tokens out; no server ever took the token.
#[tokio::test(flavor = "multi_thread")]
async fn at_debug_log_level_the_release_binary_refuses_to_start_and_names_the_fix() {
    let (afp_api, stand_in) = release_binaries();
    let (_stand_in, exports, token) = start_stand_in(stand_in);
    let (variables, port) = variables_with(&exports, &[("ROCKET_LOG_LEVEL", "debug")]);
    let mut api = Logged::start(api(afp_api, &variables));
    let status = api.exit_within_30_s();
    let sent = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/afp"))
        .bearer_auth(&token)
        .send()
        .await;
    let output = api.finish();
    let status = status.unwrap_or_else(|| panic!("still running after 30 s:\n{output}"));
    assert_eq!(status.code(), Some(1), "{output}");
    assert!(sent.is_err(), "something took the token: {sent:?}");
    let refusal = output
        .lines()
        .find(|line| line.contains("bearer tokens"))
        .unwrap_or_else(|| panic!("no line about tokens in the log:\n{output}"));
    for fix in [
        "ROCKET_LOG_LEVEL=normal",
        "ROCKET_MASKINPORTEN='{accept_tokens_in_logs=true}'",
    ] {
        assert!(refusal.contains(fix), "{fix} not in: {refusal}");
    }
    assert_no_part_of(&token, &output);
}

/// `ROCKET_LOG_LEVEL=normal`, the fix the refusal names: Rocket logs each
/// request's line, and no part of the token.
#[tokio::test(flavor = "multi_thread")]
async fn at_normal_log_level_the_release_binary_logs_requests_but_no_token() {
    let (output, token) = serve_token_with(&[("ROCKET_LOG_LEVEL", "normal")]).await;
    // Rocket's own line for the request: the log is on, and checked.
    assert!(output.contains("GET /afp"), "{output}");
    assert_no_part_of(&token, &output);
}

/// `accept_tokens_in_logs = true` starts it at `debug` all the same, with a
/// warning that names the fix. The token is then in the log, which is what
/// the key accepts: checked here, so that the two tests above do not pass
/// only because Rocket stopped writing headers.
#[tokio::test(flavor = "multi_thread")]
async fn accepting_tokens_in_logs_starts_at_debug_log_level_with_a_warning() {
    let (output, token) = serve_token_with(&[
        ("ROCKET_LOG_LEVEL", "debug"),
        ("ROCKET_MASKINPORTEN", "{accept_tokens_in_logs=true}"),
    ])
    .await;
    let warning = output
        .lines()
        .find(|line| line.contains("accept_tokens_in_logs = true accepts"))
        .unwrap_or_else(|| panic!("no warning:\n{output}"));
    assert!(warning.contains("ROCKET_LOG_LEVEL=normal"), "{warning}");
    let signature = parts_of(&token)[2];
    assert!(
        output.contains(signature),
        "Rocket's request line no longer holds the headers:\n{output}"
    );
}
