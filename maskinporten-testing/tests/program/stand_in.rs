//! The `maskinporten-stand-in` program, run as a user runs it: its printed
//! exports and tokens, checked against the keys it serves over HTTP, and
//! every flag and bad flag.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

const PROGRAM: &str = env!("CARGO_BIN_EXE_maskinporten-stand-in");
const READ: &str = "nav:helse/sykepenger/afp.read";
const WRITE: &str = "nav:helse/sykepenger/afp.write";

/// Stops the program when the test ends, pass or fail.
pub(crate) struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What the program printed before serving: the exported variables and the
/// token lines, in order.
pub(crate) struct Printed {
    pub(crate) exports: HashMap<String, String>,
    pub(crate) tokens: Vec<String>,
}

/// Starts the program and reads its exports and `tokens` token lines,
/// within a deadline; the program keeps serving.
fn start(args: &[&str], tokens: usize) -> (Running, Printed) {
    start_in(&std::env::temp_dir(), args, tokens)
}

/// [`start`], in `dir`: where relative paths on the command line land.
pub(crate) fn start_in(dir: &std::path::Path, args: &[&str], tokens: usize) -> (Running, Printed) {
    let child = Command::new(PROGRAM)
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start maskinporten-stand-in");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    // The program never closes stdout while it serves: read on a thread,
    // to the end even after the test stopped listening, since the program
    // stops when nobody reads what it prints.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut printed = Printed {
        exports: HashMap::new(),
        tokens: Vec::new(),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while printed.exports.len() < 3 || printed.tokens.len() < tokens {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).unwrap_or_else(|_| {
            panic!(
                "within 30 s the program printed {} exports and {} tokens",
                printed.exports.len(),
                printed.tokens.len()
            )
        });
        if let Some(export) = line.strip_prefix("export ") {
            let (name, value) = export.split_once('=').expect("NAME=value");
            printed.exports.insert(name.to_owned(), value.to_owned());
        } else if !line.starts_with('#') && !line.trim().is_empty() {
            printed.tokens.push(line);
        }
    }
    (running, printed)
}

/// Runs the program to its end (it ends only on a bad command line or an
/// unusable port), within a deadline.
pub(crate) fn run_to_end(args: &[&str]) -> Output {
    let mut child = Command::new(PROGRAM)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start maskinporten-stand-in");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut stdout = Vec::new();
            let mut stderr = Vec::new();
            let _ = child.stdout.take().map(|mut s| s.read_to_end(&mut stdout));
            let _ = child.stderr.take().map(|mut s| s.read_to_end(&mut stderr));
            return Output {
                status,
                stdout,
                stderr,
            };
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?}: the program was still running after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(crate) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// The token's claims, after checking its RS256 signature under the JWKS
/// the program serves at `MASKINPORTEN_JWKS_URI`, and its `iss`.
async fn verified_claims(printed: &Printed, token: &str) -> serde_json::Map<String, Value> {
    let jwks: Value = reqwest::get(&printed.exports["MASKINPORTEN_JWKS_URI"])
        .await
        .expect("JWKS served")
        .json()
        .await
        .expect("JWKS is JSON");
    let kid = jsonwebtoken::decode_header(token)
        .expect("header")
        .kid
        .expect("kid");
    let jwk = jwks["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["kid"] == kid.as_str()))
        .expect("the token's key is published");
    let key = DecodingKey::from_rsa_components(
        jwk["n"].as_str().expect("n"),
        jwk["e"].as_str().expect("e"),
    )
    .expect("RSA key");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&printed.exports["MASKINPORTEN_ISSUER"]]);
    validation.validate_aud = false;
    jsonwebtoken::decode::<serde_json::Map<String, Value>>(token, &key, &validation)
        .expect("a valid token")
        .claims
}

fn lifetime(claims: &serde_json::Map<String, Value>) -> i64 {
    claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat")
}

#[tokio::test]
async fn every_flag_shapes_the_exports_and_the_tokens() {
    let port = free_port();
    let port_arg = port.to_string();
    let (_running, printed) = start(
        &[
            "--port",
            &port_arg,
            "--scope",
            READ,
            "--scope",
            WRITE,
            "--consumer",
            "987654321",
            "--supplier",
            "111222333",
            "--lifetime",
            "2h",
        ],
        2,
    );
    let base = format!("http://127.0.0.1:{port}");
    assert_eq!(printed.exports["MASKINPORTEN_ISSUER"], format!("{base}/"));
    assert_eq!(
        printed.exports["MASKINPORTEN_JWKS_URI"],
        format!("{base}/jwks")
    );
    assert_eq!(
        printed.exports["MASKINPORTEN_WELL_KNOWN_URL"],
        format!("{base}/.well-known/oauth-authorization-server")
    );
    let metadata: Value = reqwest::get(&printed.exports["MASKINPORTEN_WELL_KNOWN_URL"])
        .await
        .expect("metadata served")
        .json()
        .await
        .expect("metadata is JSON");
    assert_eq!(metadata["issuer"], printed.exports["MASKINPORTEN_ISSUER"]);
    assert_eq!(
        metadata["jwks_uri"],
        printed.exports["MASKINPORTEN_JWKS_URI"]
    );

    for (token, scope) in printed.tokens.iter().zip([READ, WRITE]) {
        let claims = verified_claims(&printed, token).await;
        assert_eq!(claims["scope"], scope);
        assert_eq!(claims["consumer"]["ID"], "0192:987654321");
        assert_eq!(claims["supplier"]["ID"], "0192:111222333");
        assert_eq!(lifetime(&claims), 2 * 3600);
    }
}

#[tokio::test]
async fn without_flags_it_takes_a_free_port_and_mints_for_the_default_consumer() {
    let (_running, printed) = start(&["--scope", READ], 1);
    let issuer = &printed.exports["MASKINPORTEN_ISSUER"];
    assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer}");
    assert_eq!(printed.tokens.len(), 1);
    let claims = verified_claims(&printed, &printed.tokens[0]).await;
    assert_eq!(claims["consumer"]["ID"], "0192:123456789");
    assert!(!claims.contains_key("supplier"));
    assert_eq!(lifetime(&claims), 8 * 3600);
}

#[tokio::test]
async fn flags_also_take_their_value_after_an_equals_sign() {
    let (_running, printed) = start(&["--scope=nav:arbeid:aap.les", "--lifetime=15m"], 1);
    let claims = verified_claims(&printed, &printed.tokens[0]).await;
    assert_eq!(claims["scope"], "nav:arbeid:aap.les");
    assert_eq!(lifetime(&claims), 15 * 60);
}

#[tokio::test]
async fn lifetime_in_plain_seconds_and_with_s() {
    for lifetime_arg in ["90", "90s"] {
        let (_running, printed) = start(&["--scope", READ, "--lifetime", lifetime_arg], 1);
        let claims = verified_claims(&printed, &printed.tokens[0]).await;
        assert_eq!(lifetime(&claims), 90, "--lifetime {lifetime_arg}");
    }
}

#[test]
fn without_scopes_it_prints_only_the_exports() {
    let (_running, printed) = start(&[], 0);
    assert_eq!(printed.exports.len(), 3);
    assert!(printed.tokens.is_empty());
}

#[test]
fn every_bad_flag_prints_usage_and_exits_2() {
    let bad: &[&[&str]] = &[
        &["--bogus"],
        &["serve"],
        &["-p", "8081"],
        &["--port"],
        &["--port", "70000"],
        &["--port", "http"],
        &["--scope"],
        &["--scope", "nav:helse/afp-read"],
        &["--scope", "afp.read"],
        &["--consumer", "12345"],
        &["--consumer", "12345678a"],
        &["--supplier", "1234567890"],
        &["--lifetime", "0"],
        &["--lifetime", "-60"],
        &["--lifetime", "5d"],
        &["--lifetime", "h"],
        &["--scope", READ, "--lifetime"],
    ];
    for args in bad {
        let output = run_to_end(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("usage: maskinporten-stand-in"),
            "{args:?}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{args:?} printed to stdout");
    }
}

#[test]
fn help_prints_usage_and_exits_0() {
    for flag in ["--help", "-h"] {
        let output = run_to_end(&[flag]);
        assert_eq!(output.status.code(), Some(0));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.starts_with("usage: maskinporten-stand-in"),
            "{stdout}"
        );
        for documented in [
            "--port",
            "--scope",
            "--consumer",
            "--supplier",
            "--lifetime",
            "--key-file",
            "--clients",
            "/token",
            "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer",
            "grant_type=client_credentials",
            "[[client]]",
        ] {
            assert!(
                stdout.contains(documented),
                "{documented} is not in the help"
            );
        }
    }
}

#[test]
fn a_port_in_use_is_an_error_not_a_hang() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let output = run_to_end(&["--port", &port, "--scope", READ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot listen on 127.0.0.1"), "{stderr}");
    assert!(
        output.stdout.is_empty(),
        "tokens for a stand-in that never ran"
    );
}

/// A fresh directory for one test's files, removed when the test ends,
/// whether it passed or panicked, so runs leave nothing in the temp folder.
pub(crate) struct Scratch(std::path::PathBuf);

impl std::ops::Deref for Scratch {
    type Target = std::path::Path;

    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("stand-in-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    Scratch(dir)
}

#[tokio::test]
async fn a_key_file_keeps_tokens_valid_across_a_restart() {
    let dir = scratch("key-file");
    let file = dir.join("key.pem");
    let path = file.to_str().expect("utf-8 path");
    let jwk = |printed: &Printed| {
        let url = printed.exports["MASKINPORTEN_JWKS_URI"].clone();
        async move {
            let jwks: Value = reqwest::get(url)
                .await
                .expect("JWKS served")
                .json()
                .await
                .expect("JWKS is JSON");
            jwks["keys"][0].clone()
        }
    };
    let (first, printed) = start(&["--key-file", path, "--scope", READ], 1);
    let token = printed.tokens[0].clone();
    let first_key = jwk(&printed).await;
    assert!(
        std::fs::read_to_string(&file)
            .expect("the key file is made")
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the key file is the owner's only");
    }
    drop(first);
    // Any free port: the key, not the address, is what must survive.
    let (_second, printed) = start(&["--key-file", path], 0);
    let second_key = jwk(&printed).await;
    assert_eq!(first_key, second_key);
    // The token printed by the first run holds under the second run's key.
    let key = DecodingKey::from_rsa_components(
        second_key["n"].as_str().expect("n"),
        second_key["e"].as_str().expect("e"),
    )
    .expect("RSA key");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<Value>(&token, &key, &validation)
        .expect("the first run's token holds")
        .claims;
    assert_eq!(claims["scope"], READ);
}

#[test]
fn a_key_file_that_is_not_a_key_is_a_clear_error() {
    let dir = scratch("bad-key");
    let file = dir.join("key.pem");
    std::fs::write(&file, "not a key\n").expect("write");
    let output = run_to_end(&["--key-file", file.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--key-file") && stderr.contains("no usable RSA private key"),
        "{stderr}"
    );
    // A directory cannot be read as a key.
    let output = run_to_end(&["--key-file", dir.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1));
    // Nowhere to write a new one.
    let output = run_to_end(&[
        "--key-file",
        dir.join("no/such/dir/key.pem").to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot write"));
}

#[tokio::test]
async fn a_registry_file_makes_the_program_strict() {
    let dir = scratch("clients");
    let file = dir.join("clients.toml");
    std::fs::write(
        &file,
        format!("[[client]]\nclient_id = \"swagger\"\norgno = \"987654321\"\nscopes = [\"{READ}\"]\nsecret = \"s\"\n"),
    )
    .expect("write");
    let (_running, printed) = start(&["--clients", file.to_str().expect("utf-8")], 0);
    let endpoint = printed.exports["MASKINPORTEN_ISSUER"].clone() + "token";
    let ask = |id: &'static str, secret: &'static str| {
        reqwest::Client::new()
            .post(&endpoint)
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials"), ("scope", READ)])
            .send()
    };
    let answer: Value = ask("swagger", "s")
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    let claims = verified_claims(&printed, answer["access_token"].as_str().expect("token")).await;
    assert_eq!(claims["consumer"]["ID"], "0192:987654321");
    assert_eq!(ask("other", "s").await.expect("answer").status(), 401);

    std::fs::write(&file, "[[client]]\nclient_id = 1\n").expect("write");
    let output = run_to_end(&["--clients", file.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--clients"));
}
