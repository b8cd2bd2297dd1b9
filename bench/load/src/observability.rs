//! What the `metrics` and `tracing` features cost on a verdict-cache hit:
//! the same server (`bench/hit-server`) built with both and without either,
//! each run as a child process of this one and measured by its own CPU
//! clock, under the same wrk traffic (the one reused token), in one run.
//!
//! The build with them counts every verdict into a registry of its own and
//! opens a span per verification with no subscriber listening, as an app
//! that never installs one would. `bash bench/load.sh` builds both
//! binaries next to this one.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::instance::status;
use crate::scenario::VERDICT_CACHE;
use crate::stand_ins::StandIns;
use crate::wrk::{Outcome, Wrk};

/// The binaries `bench/load.sh` builds beside `load`.
pub const WITH: &str = "hit-server-with-observability";
pub const WITHOUT: &str = "hit-server-without-observability";

/// What the features may cost a hit, in server CPU per request.
pub const GOAL_US: f64 = 0.3;

/// Rounds of the two builds under load at the same time; the first wrk
/// started alternates between them.
const ROUNDS: usize = 4;

const START_DEADLINE: Duration = Duration::from_secs(30);

pub struct Comparison {
    /// Each round: the build with the features, the build without.
    pub rounds: Vec<[Outcome; 2]>,
    /// Each local round: ns of CPU per request with, without.
    pub local: Vec<[f64; 2]>,
    /// Instructions per hit with, without; or why they were not counted.
    pub instructions: Result<[f64; 2], String>,
}

/// Requests each build sends itself through Rocket's local client, per
/// round (after as many unmeasured).
const LOCAL_REQUESTS: u64 = 50_000;
/// Local rounds; the build run first alternates.
const LOCAL_ROUNDS: usize = 8;

/// `binary --local <requests>`, configured for the stand-ins and the
/// reused token, as `command` (the binary itself, or valgrind running it).
fn local_command(
    mut command: Command,
    stand_ins: &StandIns,
    token: &str,
    requests: u64,
) -> Command {
    command
        .arg("--local")
        .arg(requests.to_string())
        .env("ROCKET_LOG_LEVEL", "off")
        .env("ROCKET_CLI_COLORS", "false")
        .env("HIT_TOKEN", token)
        .env(
            "ROCKET_MASKINPORTEN",
            format!("{{verdict_cache={VERDICT_CACHE}}}"),
        );
    for (name, value) in stand_ins.nais_variables() {
        command.env(name, value);
    }
    command
}

/// One process of `binary` sending [`LOCAL_REQUESTS`] cache hits through
/// Rocket's local client: its thread's CPU ns per request.
fn local_round(binary: &PathBuf, stand_ins: &StandIns, token: &str) -> Result<f64, String> {
    let output = local_command(Command::new(binary), stand_ins, token, LOCAL_REQUESTS)
        .output()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|line| line.strip_prefix("ns_per_request "))
        .and_then(|ns| ns.trim().parse().ok())
        .ok_or_else(|| {
            format!(
                "{}: no ns_per_request in:\n{text}{}",
                binary.display(),
                String::from_utf8_lossy(&output.stderr)
            )
        })
}

/// Hits in the two counted runs of each build. A run sends its count
/// twice (unmeasured, then measured), so the difference of the two runs'
/// instructions is that of `2 * (LONG - SHORT)` hits, free of start-up,
/// ignite and the first key fetch, which both runs share.
const COUNTED_SHORT: u64 = 500;
const COUNTED_LONG: u64 = 2_500;

/// Whether valgrind can be run.
pub fn valgrind() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

/// The instructions one cache hit executes in `binary`, all threads,
/// counted by valgrind's cachegrind without its cache simulation. A count
/// of instructions does not depend on what else runs on the cores, which
/// the CPU clocks above do: the settled figure on a shared machine.
fn instructions_per_hit(
    binary: &PathBuf,
    stand_ins: &StandIns,
    token: &str,
) -> Result<f64, String> {
    let count = |requests: u64| -> Result<u64, String> {
        let mut valgrind = Command::new("valgrind");
        valgrind
            .args([
                "--tool=cachegrind",
                "--cache-sim=no",
                "--cachegrind-out-file=/dev/null",
            ])
            .arg(binary);
        let output = local_command(valgrind, stand_ins, token, requests)
            .output()
            .map_err(|e| format!("valgrind {}: {e}", binary.display()))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        // `==<pid>== I   refs:      1,234,567`
        stderr
            .lines()
            .find_map(|line| line.split_once(" I ")?.1.trim().strip_prefix("refs:"))
            .map(|count| count.trim().replace(',', ""))
            .and_then(|count| count.parse().ok())
            .filter(|_| output.status.success())
            .ok_or_else(|| {
                format!(
                    "valgrind {}: no instruction count in:\n{stderr}",
                    binary.display()
                )
            })
    };
    let (short, long) = (count(COUNTED_SHORT)?, count(COUNTED_LONG)?);
    Ok((long as f64 - short as f64) / (2 * (COUNTED_LONG - COUNTED_SHORT)) as f64)
}

/// A server binary running as a child, on its own port.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(binary: &PathBuf, stand_ins: &StandIns) -> Result<Server, String> {
        let port = crate::servers::free_port()?;
        let mut command = Command::new(binary);
        command
            .env("ROCKET_ADDRESS", Ipv4Addr::LOCALHOST.to_string())
            .env("ROCKET_PORT", port.to_string())
            .env("ROCKET_LOG_LEVEL", "off")
            .env("ROCKET_CLI_COLORS", "false")
            .env(
                "ROCKET_MASKINPORTEN",
                format!("{{verdict_cache={VERDICT_CACHE}}}"),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (name, value) in stand_ins.nais_variables() {
            command.env(name, value);
        }
        let child = command
            .spawn()
            .map_err(|e| format!("{}: {e}", binary.display()))?;
        let server = Server {
            child,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        };
        let deadline = Instant::now() + START_DEADLINE;
        while status(server.addr, "/isready", None).ok() != Some(200) {
            if Instant::now() >= deadline {
                return Err(format!(
                    "{}: /isready did not answer 200 within {START_DEADLINE:?}",
                    binary.display()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    fn url(&self) -> String {
        format!("http://{}/afp", self.addr)
    }
}

/// The two binaries, if `bench/load.sh` built them beside this one.
pub fn binaries() -> Option<(PathBuf, PathBuf)> {
    let dir = std::env::current_exe().ok()?.parent()?.to_owned();
    let (with, without) = (dir.join(WITH), dir.join(WITHOUT));
    (with.is_file() && without.is_file()).then_some((with, without))
}

/// Both builds under the reused token, alternating, each run's server CPU
/// from the child's own clock.
pub fn measure(
    stand_ins: &StandIns,
    wrk: &Wrk,
    reused: &str,
    (with, without): &(PathBuf, PathBuf),
) -> Result<Comparison, String> {
    let servers = [
        Server::start(with, stand_ins)?,
        Server::start(without, stand_ins)?,
    ];
    for server in &servers {
        let got = status(server.addr, "/afp", Some(reused)).map_err(|e| e.to_string())?;
        if got != 200 {
            return Err(format!(
                "{}: GET /afp with the token answered {got}",
                server.url()
            ));
        }
        wrk.warm_up(&server.url(), crate::scenario::Auth::ReusedHeader)?;
    }
    let mut rounds = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let [a, b] = if round.is_multiple_of(2) {
            [0, 1]
        } else {
            [1, 0]
        };
        let urls = [servers[a].url(), servers[b].url()];
        let pids = [servers[a].child.id(), servers[b].child.id()];
        let [first, second] = wrk.run_pair([&urls[0], &urls[1]], pids)?;
        rounds.push(if a == 0 {
            [first, second]
        } else {
            [second, first]
        });
    }
    drop(servers);
    let mut local = Vec::with_capacity(LOCAL_ROUNDS);
    for round in 0..LOCAL_ROUNDS {
        let (first, second) = if round.is_multiple_of(2) {
            (with, without)
        } else {
            (without, with)
        };
        let a = local_round(first, stand_ins, reused)?;
        let b = local_round(second, stand_ins, reused)?;
        local.push(if round.is_multiple_of(2) {
            [a, b]
        } else {
            [b, a]
        });
    }
    // Without valgrind, or if it fails, the other figures still stand.
    let instructions = if valgrind() {
        instructions_per_hit(with, stand_ins, reused).and_then(|with_count| {
            Ok([
                with_count,
                instructions_per_hit(without, stand_ins, reused)?,
            ])
        })
    } else {
        Err("install valgrind (apt-get install valgrind)".to_owned())
    };
    Ok(Comparison {
        rounds,
        local,
        instructions,
    })
}

impl Comparison {
    pub fn render(&self) -> Vec<String> {
        let server = |r: &Outcome| r.cpu.map_or(f64::NAN, |cpu| cpu.server);
        let mut lines = vec![
            "observability on a cache hit: bench/hit-server built with the metrics and tracing \
             features (counting into a registry, a span per verification, no subscriber) and \
             without, each a child process measured by its own CPU clock; in each round both \
             serve the reused token at once, under one wrk each, so that both meet the same \
             load from the rest of the machine"
                .to_owned(),
        ];
        let mut differences = Vec::with_capacity(self.rounds.len());
        for (i, [with, without]) in self.rounds.iter().enumerate() {
            let difference = server(with) - server(without);
            differences.push(difference);
            lines.push(format!(
                "  round {}: with {:>7.0} req/s {:>6.2} µs, without {:>7.0} req/s {:>6.2} µs, \
                 difference {difference:+.2} µs",
                i + 1,
                with.rps,
                server(with),
                without.rps,
                server(without)
            ));
        }
        let n = differences.len() as f64;
        let mean = differences.iter().sum::<f64>() / n;
        let (low, high) = differences
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), d| {
                (lo.min(*d), hi.max(*d))
            });
        let with_mean = self.rounds.iter().map(|[w, _]| server(w)).sum::<f64>() / n;
        let without_mean = self.rounds.iter().map(|[_, w]| server(w)).sum::<f64>() / n;
        let met = if mean <= GOAL_US { "met" } else { "MISSED" };
        lines.push(format!(
            "  server CPU per request, mean of {} rounds: with {with_mean:.2} µs, without \
             {without_mean:.2} µs; difference {mean:+.2} µs (rounds {low:+.2} to {high:+.2}); \
             goal <= +{GOAL_US} µs: {met}",
            self.rounds.len()
        ));
        lines.push(format!(
            "  without the network (each build sends {LOCAL_REQUESTS} hits through Rocket's local \
             client on one thread, CPU of that thread), round by round, with / without, ns:"
        ));
        let rounds: Vec<String> = self
            .local
            .iter()
            .map(|[with, without]| format!("{with:.0} / {without:.0}"))
            .collect();
        lines.push(format!("    {}", rounds.join(", ")));
        let median = |mut values: Vec<f64>| {
            values.sort_by(f64::total_cmp);
            let mid = values.len() / 2;
            if values.len().is_multiple_of(2) {
                (values[mid - 1] + values[mid]) / 2.0
            } else {
                values[mid]
            }
        };
        let with = median(self.local.iter().map(|[w, _]| *w).collect());
        let without = median(self.local.iter().map(|[_, w]| *w).collect());
        let paired = median(self.local.iter().map(|[w, wo]| w - wo).collect());
        let met = if paired / 1000.0 <= GOAL_US {
            "met"
        } else {
            "MISSED"
        };
        lines.push(format!(
            "  local, medians: with {:.2} µs, without {:.2} µs; median of the rounds' \
             differences {:+.2} µs; goal <= +{GOAL_US} µs: {met}",
            with / 1000.0,
            without / 1000.0,
            paired / 1000.0
        ));
        match &self.instructions {
            Ok([with_instructions, without_instructions]) => {
                let added = with_instructions - without_instructions;
                // The build without the features: its local median CPU
                // time over its instructions per hit.
                let ns_per_instruction = without / without_instructions;
                let cost = added * ns_per_instruction / 1000.0;
                let met = if cost <= GOAL_US { "met" } else { "MISSED" };
                lines.push(format!(
                    "  instructions per hit (valgrind's cachegrind, all threads; not moved by the \
                     machine's load): with {with_instructions:.0}, without \
                     {without_instructions:.0}, difference {added:+.0} ({:+.1}%); at the build \
                     without's {ns_per_instruction:.3} ns per instruction (its local median), \
                     {cost:+.2} µs; goal <= +{GOAL_US} µs: {met}",
                    100.0 * added / without_instructions
                ));
            }
            Err(why) => lines.push(format!("  instructions per hit: not counted; {why}")),
        }
        lines
    }
}
