//! wrk: the files it reads, one run of it per scenario, and reading its
//! report into an [`Outcome`].
//!
//! Every run must show no non-2xx answer and no socket error, or the
//! benchmark fails: a benchmark of 401s measures nothing.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::cpu::{CpuPerRequest, CpuTime};
use crate::scenario::{Auth, Scenario};

/// wrk's connections, all on one thread (`-t1`), so that the Lua script has
/// one state and sends the pool in order.
pub const CONNECTIONS: u32 = 32;
pub const WARM_UP_SECONDS: u64 = 1;

const CYCLE_LUA: &str = include_str!("cycle.lua");

/// Fails early, before any token is minted, where wrk is missing.
pub fn check_installed() -> Result<(), String> {
    Command::new("wrk")
        .arg("--version")
        .output()
        .map(drop)
        .map_err(|e| format!("wrk not found ({e}); bash bench/load.sh installs it"))
}

/// What one wrk run measured.
pub struct Outcome {
    pub requests: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// `None` without `/proc`.
    pub cpu: Option<CpuPerRequest>,
}

impl Outcome {
    /// The mean of two runs of one scenario.
    pub fn mean(x: &Outcome, y: &Outcome) -> Outcome {
        let mid = |p: f64, q: f64| (p + q) / 2.0;
        Outcome {
            requests: x.requests + y.requests,
            rps: mid(x.rps, y.rps),
            p50_ms: mid(x.p50_ms, y.p50_ms),
            p99_ms: mid(x.p99_ms, y.p99_ms),
            cpu: x.cpu.zip(y.cpu).map(|(x, y)| x.mean(y)),
        }
    }
}

/// Runs wrk for the scenarios, `seconds` each, with the tokens written
/// where wrk reads them. The files go when it does.
pub struct Wrk {
    seconds: u64,
    reused_token: String,
    dir: PathBuf,
    script: PathBuf,
    /// The fresh pool, one token a line.
    fresh_pool: PathBuf,
    /// A pool of the one reused token, for the Lua script's control.
    reused_pool: PathBuf,
}

impl Wrk {
    pub fn new(seconds: u64, reused_token: &str, fresh_pool: &[String]) -> Result<Wrk, String> {
        let dir = std::env::temp_dir().join(format!("maskinporten-load-{}", std::process::id()));
        let write = |name: &str, text: &str| -> Result<PathBuf, String> {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(path)
        };
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Wrk {
            seconds,
            reused_token: reused_token.to_owned(),
            script: write("cycle.lua", CYCLE_LUA)?,
            fresh_pool: write("fresh.txt", &(fresh_pool.join("\n") + "\n"))?,
            reused_pool: write("reused.txt", &format!("{reused_token}\n"))?,
            dir,
        })
    }

    /// Unmeasured traffic to `url`, authenticated as `auth` says (a
    /// protected path answers 401 without, and any non-2xx fails the run),
    /// so that the first run does not pay for a cold server.
    pub fn warm_up(&self, url: &str, auth: Auth) -> Result<(), String> {
        self.wrk(url, auth, WARM_UP_SECONDS).map(drop)
    }

    /// Runs `scenario` against `url` (the scenario's server and path).
    pub fn run(&self, scenario: &Scenario, url: &str) -> Result<Outcome, String> {
        self.wrk(url, scenario.auth, self.seconds)
            .map_err(|e| format!("{}: {e}", scenario.name))
    }

    fn wrk(&self, url: &str, auth: Auth, seconds: u64) -> Result<Outcome, String> {
        let mut command = self.command(url, auth, seconds);
        let before = CpuTime::now();
        let output = command.output().map_err(|e| format!("wrk: {e}"))?;
        let after = CpuTime::now();
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!("wrk exited with {}:\n{text}", output.status));
        }
        let mut outcome = parse(&text).map_err(|e| format!("GET {url}: {e}\n{text}"))?;
        if let (Some(before), Some(after)) = (before, after) {
            outcome.cpu = Some(after.per_request_since(before, outcome.requests));
        }
        Ok(outcome)
    }
}

impl Wrk {
    /// The wrk command for `seconds` of traffic to `url`, authenticated as
    /// `auth` says.
    fn command(&self, url: &str, auth: Auth, seconds: u64) -> Command {
        let mut command = Command::new("wrk");
        command
            .arg("-t1")
            .arg(format!("-c{CONNECTIONS}"))
            .arg(format!("-d{seconds}s"))
            .arg("--latency");
        let pool = match auth {
            Auth::None => None,
            Auth::ReusedHeader => {
                command
                    .arg("-H")
                    .arg(format!("Authorization: Bearer {}", self.reused_token));
                None
            }
            Auth::ReusedViaLua => Some(&self.reused_pool),
            Auth::FreshPool => Some(&self.fresh_pool),
        };
        if pool.is_some() {
            command.arg("-s").arg(&self.script);
        }
        command.arg(url);
        // The script's arguments follow the URL, after `--`.
        if let Some(pool) = pool {
            command.arg("--").arg(pool);
        }
        command
    }

    /// Two wrk runs at once, the reused token against each of `urls`,
    /// each served by the child process of the same index in `servers`,
    /// whose own CPU time is that run's server column. Run together, both
    /// servers meet the same load from the rest of the machine.
    pub fn run_pair(&self, urls: [&str; 2], servers: [u32; 2]) -> Result<[Outcome; 2], String> {
        let before = servers.map(CpuTime::with_server);
        let mut children = Vec::with_capacity(2);
        for url in urls {
            let child = self
                .command(url, Auth::ReusedHeader, self.seconds)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| format!("wrk: {e}"))?;
            children.push(child);
        }
        let mut outputs = Vec::with_capacity(2);
        for child in children {
            outputs.push(child.wait_with_output().map_err(|e| format!("wrk: {e}"))?);
        }
        let after = servers.map(CpuTime::with_server);
        let mut outcomes = Vec::with_capacity(2);
        for (i, output) in outputs.into_iter().enumerate() {
            let text = String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr);
            if !output.status.success() {
                return Err(format!("wrk exited with {}:\n{text}", output.status));
            }
            let mut outcome = parse(&text).map_err(|e| format!("GET {}: {e}\n{text}", urls[i]))?;
            if let (Some(before), Some(after)) = (before[i], after[i]) {
                let cpu = after.per_request_since(before, outcome.requests);
                // The wrk clock counts both runs together: not this one's.
                outcome.cpu = Some(CpuPerRequest {
                    server: cpu.server,
                    wrk: f64::NAN,
                });
            }
            outcomes.push(outcome);
        }
        let [first, second]: [Outcome; 2] =
            outcomes.try_into().map_err(|_| "two wrk runs".to_owned())?;
        Ok([first, second])
    }
}

impl Drop for Wrk {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Reads wrk's report; an error for any non-2xx answer or socket error.
fn parse(text: &str) -> Result<Outcome, String> {
    let (mut requests, mut rps, mut p50, mut p99) = (None, None, None, None);
    for line in text.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        if let Some(count) = line.strip_prefix("Non-2xx or 3xx responses:") {
            return Err(format!("{} non-2xx answers", count.trim()));
        } else if line.starts_with("Socket errors:") {
            return Err(line.to_owned());
        } else if let Some(value) = line.strip_prefix("Requests/sec:") {
            rps = value.trim().parse::<f64>().ok();
        } else if line.contains(" requests in ") {
            requests = words.next().and_then(|n| n.parse::<u64>().ok());
        } else if line.starts_with("50%") {
            p50 = words.nth(1).and_then(millis);
        } else if line.starts_with("99%") {
            p99 = words.nth(1).and_then(millis);
        }
    }
    match (requests, rps, p50, p99) {
        (Some(requests @ 1..), Some(rps), Some(p50_ms), Some(p99_ms)) => Ok(Outcome {
            requests,
            rps,
            p50_ms,
            p99_ms,
            cpu: None,
        }),
        _ => Err("no requests, or a report wrk does not usually print".to_owned()),
    }
}

/// wrk's latency (`410.00us`, `1.23ms`, `1.01s`, `1.50m`) in milliseconds.
fn millis(text: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1_000.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

#[cfg(test)]
mod tests;
