//! End-to-end load benchmark: `afp-api` under `wrk`, a protected route
//! against the unprotected baseline measured in the same run, local
//! validation against Texas mode.
//!
//! Everything runs on this machine: the stand-in issuer, the stand-in
//! Texas, two `afp-api` instances (local and Texas validation) and a copy of
//! `GET /afp`'s handler without the library share one multi-thread runtime
//! in this process, all bound to 127.0.0.1; `wrk` runs beside them on the
//! same cores. Every `wrk` run must show no non-2xx answer and no socket
//! error, or the benchmark fails: a benchmark of 401s measures nothing.
//!
//! Beside req/s and latency it prints the CPU time per request of the
//! server and of wrk (from `/proc`), and what the goals allow of it: on two
//! shared cores that, not the req/s alone, shows where the time goes.
//!
//! `bash bench/load.sh` builds this in release, runs it and prints the table.
//! `LOAD_SECONDS` sets the length of each scenario (default 5).

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use afp_api::{AfpView, Period};
use maskinporten_testing::{Issuer, Texas, TokenBuilder};
use rocket::figment::Figment;
use rocket::serde::json::Json;
use rocket::{Build, Rocket, Shutdown, State};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// The scope `GET /afp` requires.
const SCOPE: &str = "nav:helse/sykepenger/afp.read";
const CONSUMER: &str = "123456789";
/// Entries in each server's verdict cache (16 FIFO shards of 125).
const VERDICT_CACHE: usize = 2_000;
/// Distinct tokens cycled in order by the fresh-token scenarios: far more
/// than twice the cache, so a token is always evicted (about 312 others
/// land in its shard, which holds 125) before its turn comes again.
const POOL: usize = 5_000;
/// Lifetime of every minted token: longer than any run.
const TOKEN_SECONDS: i64 = 3_600;
const CONNECTIONS: u32 = 32;
const DEFAULT_SECONDS: u64 = 5;
const WARM_UP_SECONDS: u64 = 1;
/// How long a server may take to answer its first `GET /isalive`.
const START_DEADLINE: Duration = Duration::from_secs(30);
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// wrk sends a token per request from a pool, in order, cycling. The
/// requests are formatted once, at start, so that wrk spends no more per
/// request than with a fixed header; with `-t1` there is one Lua state, so
/// the order is the pool's.
const CYCLE_LUA: &str = r#"-- Sends each request with the next token of a pool, in order, cycling.
-- wrk ... -s cycle.lua <url> -- <file of tokens, one a line>
local requests = {}
local next_request = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      requests[#requests + 1] = wrk.format(nil, nil, { Authorization = "Bearer " .. line })
    end
  end
  if #requests == 0 then
    error("no tokens in " .. tostring(args[1]))
  end
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end
"#;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("load: FAILED: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let seconds = seconds()?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    Command::new("wrk")
        .arg("--version")
        .output()
        .map_err(|e| format!("wrk not found ({e}); bash bench/load.sh installs it"))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let issuer = runtime.block_on(Issuer::start());
    let texas = runtime.block_on(Texas::start(&issuer));

    let started = Instant::now();
    let reused = mint(&issuer, 1)?.remove(0);
    let pool = mint(&issuer, POOL)?;
    let minted_in = started.elapsed();

    let local = afp_api::rocket_with(configure(issuer.figment())?);
    let via_texas = afp_api::rocket_with(configure(texas.figment())?);
    let plain = unguarded(configure(issuer.figment())?);
    // `rocket::custom` sets the debug default log level, and Rocket applies
    // `log_level` only after the ignite fairings (which load the keys) ran.
    log::set_max_level(log::LevelFilter::Off);
    // Local validation answers 503 until the issuer's keys are loaded.
    let local = Instance::launch(&runtime, "local", local, &["/isalive", "/isready"])?;
    let via_texas = Instance::launch(&runtime, "texas", via_texas, &["/isalive", "/isready"])?;
    let plain = Instance::launch(&runtime, "unguarded", plain, &["/afp"])?;
    for instance in [&local, &via_texas] {
        instance.expect_status("/afp", None, 401)?;
        instance.expect_status("/afp", Some(&reused), 200)?;
        instance.expect_status("/afp", pool.last().map(String::as_str), 200)?;
    }

    let files = Files::write(&reused, &pool)?;
    let wrk = Wrk {
        seconds,
        files: &files,
    };
    wrk.warm_up(&local)?;
    let a_first = wrk.run(&local, "/isalive", Auth::None)?;
    let a_header = wrk.run(&local, "/isalive", Auth::Header(&reused))?;
    let b0 = wrk.run(&plain, "/afp", Auth::Header(&reused))?;
    let b = wrk.run(&local, "/afp", Auth::Header(&reused))?;
    let b_lua = wrk.run(&local, "/afp", Auth::Pool(&files.one))?;
    let c = wrk.run(&local, "/afp", Auth::Pool(&files.pool))?;
    let before = texas.introspections();
    let tb = wrk.run(&via_texas, "/afp", Auth::Header(&reused))?;
    let tb_introspections = texas.introspections() - before;
    let before = texas.introspections();
    let tc = wrk.run(&via_texas, "/afp", Auth::Pool(&files.pool))?;
    let tc_introspections = texas.introspections() - before;
    let a_again = wrk.run(&local, "/isalive", Auth::None)?;

    let report = Report {
        cores,
        seconds,
        minted_in,
        a: Outcome::mean(&a_first, &a_again),
        a_first,
        a_again,
        a_header,
        b0,
        b,
        b_lua,
        c,
        tb,
        tc,
        tb_introspections,
        tc_introspections,
    };
    print!("{}", report.render());

    local.stop(&runtime);
    via_texas.stop(&runtime);
    plain.stop(&runtime);
    drop((texas, issuer));
    runtime.shutdown_timeout(Duration::from_secs(2));
    let _ = std::fs::remove_dir_all(&files.dir);
    Ok(())
}

/// Everything one run measured, and how to print it.
struct Report {
    cores: usize,
    seconds: u64,
    minted_in: Duration,
    /// The baseline: the mean of (a) run first and (a) run last, so that a
    /// machine that slows down or speeds up during the run biases no ratio.
    a: Outcome,
    a_first: Outcome,
    a_again: Outcome,
    a_header: Outcome,
    b0: Outcome,
    b: Outcome,
    b_lua: Outcome,
    c: Outcome,
    tb: Outcome,
    tc: Outcome,
    tb_introspections: usize,
    tc_introspections: usize,
}

impl Report {
    fn render(&self) -> String {
        let Report {
            cores,
            seconds,
            a,
            b,
            c,
            ..
        } = self;
        let mut out = String::new();
        let mut line = |text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        line(String::new());
        line("maskinporten-load: afp-api under wrk, everything on 127.0.0.1 in one process".into());
        line(format!(
            "machine   nproc = {cores}; wrk (-t1 -c{CONNECTIONS}) and the server (one tokio \
             runtime of {cores} workers, which also runs the stand-in issuer and Texas) share \
             these cores"
        ));
        line(format!(
            "tokens    verdict_cache = {VERDICT_CACHE} (16 FIFO shards); fresh pool = {POOL} \
             distinct tokens cycled in order, so every request misses; minted in {:.1} s",
            self.minted_in.as_secs_f64()
        ));
        line(format!(
            "runs      {seconds} s each after a {WARM_UP_SECONDS} s warm-up; every run had 0 \
             non-2xx and 0 socket errors"
        ));
        line(String::new());
        line(format!(
            "{:<46} {:>8} {:>10} {:>10} {:>7}  {:>13}  goal",
            "scenario", "req/s", "p50", "p99", "vs (a)", "CPU µs/req"
        ));
        line(format!("{:<87}{:>13}", "", "server    wrk"));
        let goal = |r: &Outcome, goal: f64| {
            let ratio = r.rps / a.rps;
            let met = if ratio >= goal { "met" } else { "MISSED" };
            format!(">= {goal:.2}x {met}")
        };
        let rows = [
            (
                "(a)  unprotected GET /isalive, first",
                &self.a_first,
                String::new(),
            ),
            (
                "(a)  unprotected GET /isalive, last",
                &self.a_again,
                String::new(),
            ),
            (
                "(a)  unprotected GET /isalive, mean",
                a,
                "baseline".to_owned(),
            ),
            (
                "(a') GET /isalive, carrying the token header",
                &self.a_header,
                "control: bytes on the wire".to_owned(),
            ),
            (
                "(b0) GET /afp's work without the library",
                &self.b0,
                "control: the handler".to_owned(),
            ),
            ("(b)  GET /afp, one reused token", b, goal(b, 0.90)),
            (
                "(b') GET /afp, one reused token via the Lua",
                &self.b_lua,
                "control: the Lua script".to_owned(),
            ),
            ("(c)  GET /afp, fresh token per request", c, goal(c, 0.50)),
            (
                "(d-b) Texas mode, one reused token",
                &self.tb,
                String::new(),
            ),
            (
                "(d-c) Texas mode, fresh token per request",
                &self.tc,
                String::new(),
            ),
        ];
        for (name, r, goal) in rows {
            let cpu = r.cpu_us.map_or("-".to_owned(), |(server, wrk)| {
                format!("{server:>6.1} {wrk:>6.1}")
            });
            line(format!(
                "{name:<46} {:>8.0} {:>7.3} ms {:>7.3} ms {:>6.3}x  {cpu:>13}  {goal}",
                r.rps,
                r.p50_ms,
                r.p99_ms,
                r.rps / a.rps
            ));
        }
        line(String::new());
        line(format!(
            "(d-c)/(c)  Texas fresh vs local fresh          {:.3}x",
            self.tc.rps / c.rps
        ));
        line(format!(
            "(d-b)/(b)  Texas reused vs local reused        {:.3}x",
            self.tb.rps / b.rps
        ));
        line(format!(
            "(c)/(b')   fresh vs reused, same client work   {:.3}x",
            c.rps / self.b_lua.rps
        ));
        line(format!(
            "Texas introspections: (d-b) {} for {} requests; (d-c) {} for {} requests",
            self.tb_introspections, self.tb.requests, self.tc_introspections, self.tc.requests
        ));
        if let Some(lines) = self.cpu_budget() {
            line(String::new());
            lines.into_iter().for_each(&mut line);
        }
        out
    }

    /// Where the CPU goes, against what the goals allow. With both cores
    /// busy, req/s is about cores / (server + wrk CPU per request), so a
    /// ratio `r` against (a) allows `T (1/r - 1)` µs more per request, `T`
    /// being (a)'s server + wrk CPU per request.
    fn cpu_budget(&self) -> Option<Vec<String>> {
        let total = |r: &Outcome| r.cpu_us.map(|(server, wrk)| server + wrk);
        let server = |r: &Outcome| r.cpu_us.map(|(server, _)| server);
        let client = |r: &Outcome| r.cpu_us.map(|(_, wrk)| wrk);
        let t = total(&self.a)?;
        let budget = |ratio: f64| t * (1.0 / ratio - 1.0);
        let part = |label: &str, us: f64| format!("  {label:<70} {us:+6.1} µs");
        Some(vec![
            format!(
                "CPU per request, server + wrk: (a) {t:.1} µs; 0.90x allows +{:.1} µs, (b) \
                 spends +{:.1}; 0.50x allows +{:.1} µs, (c) spends +{:.1}",
                budget(0.90),
                total(&self.b)? - t,
                budget(0.50),
                total(&self.c)? - t
            ),
            part(
                "server  (b) - (b0)   the library (guard + fairing) on a cache hit",
                server(&self.b)? - server(&self.b0)?,
            ),
            part(
                "server  (b0) - (a')  /afp's handler over /isalive's, less the fairing",
                server(&self.b0)? - server(&self.a_header)?,
            ),
            part(
                "server  (c) - (b')   a verification on a miss",
                server(&self.c)? - server(&self.b_lua)?,
            ),
            part(
                "wrk     (c) - (b')   fewer answers per wakeup at (c)'s rate",
                client(&self.c)? - client(&self.b_lua)?,
            ),
        ])
    }
}

fn seconds() -> Result<u64, String> {
    match std::env::var("LOAD_SECONDS") {
        Err(_) => Ok(DEFAULT_SECONDS),
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(n @ 1..=600) => Ok(n),
            _ => Err(format!(
                "LOAD_SECONDS must be 1..=600 seconds, not {text:?}"
            )),
        },
    }
}

/// `count` distinct tokens with the read scope, valid for an hour, signed
/// on every core.
fn mint(issuer: &Issuer, count: usize) -> Result<Vec<String>, String> {
    // Each builder gets its own `jti`, so no two tokens are alike (RS256
    // signatures are deterministic: equal claims would give equal tokens).
    let builders: Vec<TokenBuilder> = (0..count)
        .map(|_| {
            issuer
                .token()
                .scope(SCOPE)
                .consumer(CONSUMER)
                .expires_in(TOKEN_SECONDS)
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = count.div_ceil(threads).max(1);
    let tokens: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = builders
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().map(TokenBuilder::sign).collect::<Vec<_>>())
            })
            .collect();
        let mut tokens = Vec::with_capacity(count);
        for handle in handles {
            tokens.extend(handle.join().map_err(|_| "a minting thread panicked")?);
        }
        Ok::<_, String>(tokens)
    })?;
    let distinct: HashSet<&String> = tokens.iter().collect();
    if distinct.len() != count {
        return Err(format!(
            "minted {} distinct tokens of {count}",
            distinct.len()
        ));
    }
    Ok(tokens)
}

/// One `afp-api` running on the shared runtime.
struct Instance {
    name: &'static str,
    addr: SocketAddr,
    shutdown: Shutdown,
    task: JoinHandle<Result<(), String>>,
}

impl Instance {
    fn launch(
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

    fn url(&self, path: &str) -> String {
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

    fn expect_status(&self, path: &str, token: Option<&str>, want: u16) -> Result<(), String> {
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

    fn stop(self, runtime: &Runtime) {
        self.shutdown.notify();
        let stopped = runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(10), self.task).await });
        if !matches!(stopped, Ok(Ok(Ok(())))) {
            eprintln!("load: {} did not shut down cleanly", self.name);
        }
    }
}

/// What the handler of `GET /afp` does, on a server without the library (no
/// guard, no fairing): the same view from the same kind of register, with
/// the token's consumer written in. With (b) it shows what protection costs
/// on a cache hit.
fn unguarded(figment: Figment) -> Rocket<Build> {
    type Register = Mutex<Vec<(String, Period)>>;

    #[rocket::get("/afp")]
    fn afp(register: &State<Register>) -> Json<AfpView> {
        let consumer = Some(CONSUMER.to_owned());
        let periods = register
            .lock()
            .map(|all| {
                all.iter()
                    .filter(|(owner, _)| Some(owner) == consumer.as_ref())
                    .map(|(_, period)| period.clone())
                    .collect()
            })
            .unwrap_or_default();
        Json(AfpView { consumer, periods })
    }

    rocket::custom(figment)
        .manage(Register::default())
        .mount("/", rocket::routes![afp])
}

/// The server's configuration: `base` on a free port of 127.0.0.1, quiet,
/// with the benchmark's verdict cache. `workers` is left alone: it sizes only
/// a runtime Rocket makes itself, and this one runs on ours.
fn configure(base: Figment) -> Result<Figment, String> {
    Ok(base
        .merge(("address", Ipv4Addr::LOCALHOST.to_string()))
        .merge(("port", free_port()?))
        .merge(("log_level", "off"))
        .merge(("maskinporten.verdict_cache", VERDICT_CACHE)))
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("no free port on 127.0.0.1: {e}"))
}

/// The status of one `GET path` on a fresh connection.
fn status(addr: SocketAddr, path: &str, token: Option<&str>) -> std::io::Result<u16> {
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

/// The temporary files wrk reads: the Lua script and the token pools.
struct Files {
    dir: PathBuf,
    script: PathBuf,
    /// The fresh pool, one token a line.
    pool: PathBuf,
    /// A pool of the one reused token, for the Lua-cost control.
    one: PathBuf,
}

impl Files {
    fn write(reused: &str, pool: &[String]) -> Result<Files, String> {
        let dir = std::env::temp_dir().join(format!("maskinporten-load-{}", std::process::id()));
        let write = |name: &str, text: &str| -> Result<PathBuf, String> {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(path)
        };
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Files {
            script: write("cycle.lua", CYCLE_LUA)?,
            pool: write("pool.txt", &(pool.join("\n") + "\n"))?,
            one: write("one.txt", &format!("{reused}\n"))?,
            dir,
        })
    }
}

enum Auth<'a> {
    None,
    /// The same `Authorization` header on every request.
    Header(&'a str),
    /// A token per request from this file, through the Lua script.
    Pool(&'a Path),
}

/// What one wrk run measured.
struct Outcome {
    requests: u64,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// CPU time per request of this process (the server and the stand-ins)
    /// and of wrk, in µs; `None` without `/proc`.
    cpu_us: Option<(f64, f64)>,
}

impl Outcome {
    /// The mean of two runs of one scenario.
    fn mean(x: &Outcome, y: &Outcome) -> Outcome {
        let mid = |p: f64, q: f64| (p + q) / 2.0;
        Outcome {
            requests: x.requests + y.requests,
            rps: mid(x.rps, y.rps),
            p50_ms: mid(x.p50_ms, y.p50_ms),
            p99_ms: mid(x.p99_ms, y.p99_ms),
            cpu_us: x
                .cpu_us
                .zip(y.cpu_us)
                .map(|((s, w), (t, v))| (mid(s, t), mid(w, v))),
        }
    }
}

/// CPU seconds used so far by this process and by its waited-for children
/// (wrk), from `/proc/self/stat`.
fn cpu_seconds() -> Option<(f64, f64)> {
    // USER_HZ, the unit of these fields, is 100 on every Linux ABI.
    const TICKS_PER_SECOND: f64 = 100.0;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name, from field 3 (`state`).
    let fields: Vec<f64> = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .skip(11)
        .take(4)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    let [utime, stime, cutime, cstime] = fields[..] else {
        return None;
    };
    Some((
        (utime + stime) / TICKS_PER_SECOND,
        (cutime + cstime) / TICKS_PER_SECOND,
    ))
}

struct Wrk<'a> {
    seconds: u64,
    files: &'a Files,
}

impl Wrk<'_> {
    fn warm_up(&self, instance: &Instance) -> Result<(), String> {
        self.wrk(instance, "/isalive", &Auth::None, WARM_UP_SECONDS)
            .map(drop)
    }

    fn run(&self, instance: &Instance, path: &str, auth: Auth) -> Result<Outcome, String> {
        self.wrk(instance, path, &auth, self.seconds)
    }

    fn wrk(
        &self,
        instance: &Instance,
        path: &str,
        auth: &Auth,
        seconds: u64,
    ) -> Result<Outcome, String> {
        let mut command = Command::new("wrk");
        command
            .arg("-t1")
            .arg(format!("-c{CONNECTIONS}"))
            .arg(format!("-d{seconds}s"))
            .arg("--latency");
        match auth {
            Auth::None => {}
            Auth::Header(token) => {
                command
                    .arg("-H")
                    .arg(format!("Authorization: Bearer {token}"));
            }
            Auth::Pool(_) => {
                command.arg("-s").arg(&self.files.script);
            }
        }
        command.arg(instance.url(path));
        if let Auth::Pool(file) = auth {
            command.arg("--").arg(file);
        }
        let before = cpu_seconds();
        let output = command.output().map_err(|e| format!("wrk: {e}"))?;
        let after = cpu_seconds();
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!("wrk exited with {}:\n{text}", output.status));
        }
        let mut outcome =
            parse(&text).map_err(|e| format!("{} GET {path}: {e}\n{text}", instance.name))?;
        if let (Some((server0, wrk0)), Some((server1, wrk1))) = (before, after) {
            let per_request = |seconds: f64| seconds * 1e6 / outcome.requests as f64;
            outcome.cpu_us = Some((per_request(server1 - server0), per_request(wrk1 - wrk0)));
        }
        Ok(outcome)
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
            cpu_us: None,
        }),
        _ => Err("no requests, or a report wrk does not usually print".to_owned()),
    }
}

/// wrk's latency (`410.00us`, `1.23ms`, `1.01s`) in milliseconds.
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
