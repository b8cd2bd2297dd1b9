//! `cargo run -p afp-api` with nothing configured: the real binary starts
//! against its development issuer, and the curl commands it prints get the
//! statuses it promises, over real HTTP on 127.0.0.1.

#![cfg(debug_assertions)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use afp_api::dev::{is_configured, looks_deployed, DEPLOYED_VARIABLES};
use rocket::figment::Figment;

/// Kills the API when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A printed command, taken apart: method, URL, bearer token, JSON body.
struct Curl {
    post: bool,
    url: String,
    token: Option<String>,
    body: Option<String>,
}

fn parse_curl(line: &str) -> Curl {
    let quoted = |after: &str| {
        line.split_once(after)
            .and_then(|(_, rest)| rest.split_once('\''))
            .map(|(value, _)| value.to_owned())
    };
    Curl {
        post: line.contains("-X POST"),
        url: line.rsplit(' ').next().unwrap_or_default().to_owned(),
        token: quoted("'Authorization: Bearer "),
        body: quoted("-d '"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn printed_curl_commands_get_the_promised_statuses() {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_afp-api"));
    let nais = afp_api::dev::NAIS_VARIABLES;
    for var in nais
        .into_iter()
        .chain(["ROCKET_MASKINPORTEN", "ROCKET_CONFIG"])
    {
        command.env_remove(var);
    }
    let child = command
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start afp-api");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("piped stdout");

    // Read the banner and commands on a thread; the API keeps running.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut expect = None;
        let mut saw_banner = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            saw_banner |= line.contains("DEVELOPMENT ISSUER");
            if let Some(status) = line.strip_prefix("# expect ") {
                expect = status.trim().parse::<u16>().ok();
            } else if let (Some(status), true) = (expect.take(), line.starts_with("curl ")) {
                if tx.send((saw_banner, line, status)).is_err() {
                    return;
                }
            }
        }
    });
    let mut commands = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while commands.len() < 4 {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(command) => commands.push(command),
            Err(_) => panic!(
                "afp-api printed {} of 4 commands within 60 s",
                commands.len()
            ),
        }
    }
    assert!(
        commands.iter().all(|(banner, _, _)| *banner),
        "no development-issuer banner"
    );

    let http = reqwest::Client::new();
    for (_, line, expected) in &commands {
        let curl = parse_curl(line);
        assert!(
            curl.url.starts_with(&format!("http://127.0.0.1:{port}/")),
            "{}",
            curl.url
        );
        let mut request = if curl.post {
            http.post(&curl.url)
        } else {
            http.get(&curl.url)
        };
        if let Some(token) = &curl.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = &curl.body {
            request = request
                .header("content-type", "application/json")
                .body(body.clone());
        }
        // The API may still be binding its port when the banner prints.
        let started = Instant::now();
        let response = loop {
            match request.try_clone().expect("clonable").send().await {
                Ok(response) => break response,
                Err(e) if started.elapsed() < Duration::from_secs(10) && e.is_connect() => {
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                Err(e) => panic!("{line}: {e}"),
            }
        };
        assert_eq!(response.status().as_u16(), *expected, "{line}");
    }
}

#[test]
fn any_maskinporten_configuration_turns_the_dev_issuer_off() {
    let nothing = |_: &str| None;
    assert!(!is_configured(&Figment::new(), nothing));
    let nais = |var: &str| (var == "MASKINPORTEN_WELL_KNOWN_URL").then(|| "https://x/".to_owned());
    assert!(is_configured(&Figment::new(), nais));
    let texas =
        |var: &str| (var == "NAIS_TOKEN_INTROSPECTION_ENDPOINT").then(|| "http://x/".to_owned());
    assert!(is_configured(&Figment::new(), texas));
    let table = Figment::new().merge(("maskinporten.validation", "texas"));
    assert!(is_configured(&table, nothing));
}

#[test]
fn kubernetes_or_nais_variables_mean_deployed() {
    assert!(!looks_deployed(|_| None));
    for deployed in DEPLOYED_VARIABLES {
        assert!(looks_deployed(
            |var: &str| (var == deployed).then(|| "x".to_owned())
        ));
        assert!(!looks_deployed(
            |var: &str| (var == deployed).then(|| " ".to_owned())
        ));
    }
}

/// A pod that lost its Maskinporten settings must fail ignite,
/// as a release build does, never trust a development issuer.
#[test]
fn a_process_that_looks_deployed_never_starts_the_dev_issuer() {
    for deployed in DEPLOYED_VARIABLES {
        let mut command = Command::new(env!("CARGO_BIN_EXE_afp-api"));
        let nais = afp_api::dev::NAIS_VARIABLES;
        for var in nais
            .into_iter()
            .chain(DEPLOYED_VARIABLES)
            .chain(["ROCKET_MASKINPORTEN", "ROCKET_CONFIG"])
        {
            command.env_remove(var);
        }
        let mut child = command
            .env(deployed, "10.0.0.1")
            .env("ROCKET_PORT", free_port().to_string())
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start afp-api");
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("with {deployed} set, afp-api still ran after 60 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut output = String::new();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read>),
        ]
        .into_iter()
        .flatten()
        {
            let _ = BufReader::new(stream).read_to_string(&mut output);
        }
        assert_eq!(status.code(), Some(1), "with {deployed}: {output}");
        assert!(
            !output.contains("DEVELOPMENT ISSUER"),
            "with {deployed}: {output}"
        );
        assert!(
            output.contains("MASKINPORTEN_ISSUER"),
            "ignite names what is missing, with {deployed}: {output}"
        );
    }
}
