//! Local development with no development code in the API: the
//! `maskinporten-stand-in` program's printed exports are all the example's
//! release binary needs to trust it, and its printed token gets through.
//!
//! The test builds both programs in release itself (`cargo build --release`),
//! so `cargo test --workspace` needs no step before it; the first run pays
//! for a release build of the dependencies.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
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

/// The release executables of `afp-api` and `maskinporten-stand-in`, as
/// cargo reports them.
fn release_binaries() -> (PathBuf, PathBuf) {
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
fn start_stand_in(program: &PathBuf) -> (Running, Vec<(String, String)>, String) {
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
fn api(program: &PathBuf, variables: &[(String, String)]) -> Command {
    let mut command = Command::new(program);
    command
        .env_clear()
        .envs(variables.iter().map(|(k, v)| (k, v)))
        .current_dir(std::env::temp_dir());
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn the_release_binary_trusts_the_stand_in_from_its_printed_exports_alone() {
    let (afp_api, stand_in) = release_binaries();

    // A release build has no development issuer: with nothing configured,
    // ignite fails.
    let mut unconfigured = api(&afp_api, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start afp-api");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = unconfigured.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = unconfigured.kill();
            let _ = unconfigured.wait();
            panic!("the unconfigured release build still ran after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut output = String::new();
    if let Some(mut stdout) = unconfigured.stdout.take() {
        let _ = stdout.read_to_string(&mut output);
    }
    assert_eq!(status.code(), Some(1), "{output}");
    assert!(!output.contains("DEVELOPMENT ISSUER"), "{output}");

    let (_stand_in, exports, token) = start_stand_in(&stand_in);
    let names: Vec<&str> = exports.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "MASKINPORTEN_ISSUER",
            "MASKINPORTEN_JWKS_URI",
            "MASKINPORTEN_WELL_KNOWN_URL"
        ]
    );
    let port = free_port();
    // The port is the one variable beyond the exports: the test needs a
    // free one, where a user would take Rocket's default 8000.
    let mut variables = exports.clone();
    variables.push(("ROCKET_PORT".into(), port.to_string()));
    let _api = Running(
        api(&afp_api, &variables)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start afp-api"),
    );

    // Ready once it listens and has the stand-in's keys.
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match http.get(format!("{base}/isready")).send().await {
            Ok(response) if response.status() == 200 => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(50)).await,
            outcome => panic!("afp-api was not ready within 30 s: {outcome:?}"),
        }
    }

    let with_token = http
        .get(format!("{base}/afp"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET /afp");
    assert_eq!(with_token.status(), 200);
    let body: Value = with_token.json().await.expect("JSON body");
    assert_eq!(body["consumer"], "123456789");

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
}
