//! One Rocket serving on the benchmark's runtime: launched, probed over a
//! plain TCP connection, and stopped.

use std::io::{BufRead, BufReader, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use rocket::{Build, Rocket, Shutdown};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// How long a server may take to answer 200 on its readiness paths.
const START_DEADLINE: Duration = Duration::from_secs(30);
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Instance {
    name: &'static str,
    addr: SocketAddr,
    shutdown: Shutdown,
    task: JoinHandle<Result<(), String>>,
}

impl Instance {
    /// Launches `rocket` on 127.0.0.1 at its configured port and waits until
    /// every path of `ready` answers 200.
    pub fn launch(
        runtime: &Runtime,
        name: &'static str,
        rocket: Rocket<Build>,
        ready: &[&str],
    ) -> Result<Instance, String> {
        let port = rocket
            .figment()
            .extract_inner::<u16>("port")
            .map_err(|e| e.to_string())?;
        let rocket = runtime
            .block_on(rocket.ignite())
            .map_err(|e| format!("{name}: ignite: {e}"))?;
        let shutdown = rocket.shutdown();
        let task = runtime
            .spawn(async move { rocket.launch().await.map(drop).map_err(|e| e.to_string()) });
        let instance = Instance {
            name,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            shutdown,
            task,
        };
        for path in ready {
            instance.wait_for(path)?;
        }
        Ok(instance)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Polls `path` until it answers 200, within [`START_DEADLINE`].
    fn wait_for(&self, path: &str) -> Result<(), String> {
        let deadline = Instant::now() + START_DEADLINE;
        let mut last = String::from("no attempt");
        for _ in 0..1_000 {
            match status(self.addr, path, None) {
                Ok(200) => return Ok(()),
                Ok(other) => last = format!("status {other}"),
                Err(e) => last = e.to_string(),
            }
            if Instant::now() >= deadline || self.task.is_finished() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "{}: GET {path} did not answer 200 within {START_DEADLINE:?} ({last})",
            self.name
        ))
    }

    /// Fails unless `GET path`, with `token` if any, answers `want`.
    pub fn expect_status(&self, path: &str, token: Option<&str>, want: u16) -> Result<(), String> {
        let got = status(self.addr, path, token).map_err(|e| format!("{}: {e}", self.name))?;
        if got == want {
            Ok(())
        } else {
            let with = if token.is_some() {
                "a token"
            } else {
                "no token"
            };
            Err(format!(
                "{}: GET {path} with {with} answered {got}, expected {want}",
                self.name
            ))
        }
    }

    pub fn stop(self, runtime: &Runtime) {
        self.shutdown.notify();
        let stopped = runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(10), self.task).await });
        if !matches!(stopped, Ok(Ok(Ok(())))) {
            eprintln!("load: {} did not shut down cleanly", self.name);
        }
    }
}

/// The status of one `GET path` on a fresh connection.
pub fn status(addr: SocketAddr, path: &str, token: Option<&str>) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, PROBE_TIMEOUT)?;
    stream.set_read_timeout(Some(PROBE_TIMEOUT))?;
    stream.set_write_timeout(Some(PROBE_TIMEOUT))?;
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}\r\n"
    )?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line)?;
    line.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP status line: {line:?}")))
}
