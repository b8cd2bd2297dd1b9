//! End-to-end load benchmark: `afp-api` under `wrk`, protected routes
//! against the `unprotected` baseline measured in the same run, local
//! validation against Texas mode.
//!
//! Everything runs on this machine: the stand-in issuer, the stand-in Texas
//! and the servers under test share one multi-thread runtime in this
//! process, all bound to 127.0.0.1; `wrk` runs beside them on the same
//! cores. Beside req/s and latency the report gives the CPU time per request
//! of the server and of wrk, and what the goals allow of it: on two shared
//! cores that, not the req/s alone, shows where the time goes.
//!
//! Beside the miss (`fresh_token`) the report prints one bare RSA-2048
//! verification with a pre-parsed key, timed in this process in the same
//! run, and checks the miss's server CPU against it (see `bare_verify`).
//!
//! `bash bench/load.sh` builds this in release, runs it and prints the
//! report. `LOAD_SECONDS` sets the length of each scenario (default 5).
//! `LOAD_ONLY=<scenario>` runs that one scenario alone, with no baseline and
//! no report but its own line: for a profiler attached to this process
//! (docs/performance.md).
//!
//! Last, the report compares a cache hit on `bench/hit-server` built with the
//! library's `metrics` and `tracing` features against the same server built
//! without them, both as child processes (see `observability`);
//! `LOAD_ONLY=observability` runs that comparison alone.

mod bare_verify;
mod cpu;
mod instance;
mod observability;
mod report;
mod scenario;
mod servers;
mod stand_ins;
mod wrk;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use report::{Report, Run};
use scenario::{Auth, Scenario, BETWEEN_BASELINES, FRESH_POOL, UNPROTECTED};
use servers::Servers;
use stand_ins::StandIns;
use wrk::Wrk;

const DEFAULT_SECONDS: u64 = 5;

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
    let observability_only = std::env::var("LOAD_ONLY").is_ok_and(|v| v.trim() == "observability");
    let only = if observability_only { None } else { only()? };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    wrk::check_installed()?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let stand_ins = StandIns::start(&runtime);
    let started = Instant::now();
    let reused = stand_ins.mint(1)?.remove(0);
    // Alone, a scenario that sends no fresh token needs no pool: minting
    // 5 000 RSA signatures would only crowd a profile.
    let pool = match only {
        Some(scenario) if !matches!(scenario.auth, Auth::FreshPool) => 1,
        None if observability_only => 1,
        _ => FRESH_POOL,
    };
    let fresh = stand_ins.mint(pool)?;
    let minted_in = started.elapsed();

    if observability_only {
        let wrk = Wrk::new(seconds, &reused, &fresh)?;
        print_observability(&stand_ins, &wrk, &reused)?;
        drop((wrk, stand_ins));
        runtime.shutdown_timeout(Duration::from_secs(2));
        return Ok(());
    }

    let servers = Servers::launch(&runtime, &stand_ins)?;
    servers.check_answers(&reused, fresh.last().map_or("", String::as_str))?;

    let wrk = Wrk::new(seconds, &reused, &fresh)?;
    if let Some(scenario) = only {
        let url = servers.url(scenario);
        wrk.warm_up(&url, scenario.auth)?;
        let outcome = wrk.run(scenario, &url)?;
        print!("{}", report::alone(scenario, &outcome));
        servers.stop(&runtime);
        drop((wrk, stand_ins));
        runtime.shutdown_timeout(Duration::from_secs(2));
        return Ok(());
    }
    let baseline = servers.url(&UNPROTECTED);
    wrk.warm_up(&baseline, UNPROTECTED.auth)?;
    let unprotected_first = wrk.run(&UNPROTECTED, &baseline)?;
    let mut runs = Vec::with_capacity(BETWEEN_BASELINES.len());
    for scenario in BETWEEN_BASELINES {
        let before = stand_ins.introspections();
        let outcome = wrk.run(scenario, &servers.url(scenario))?;
        runs.push(Run {
            scenario,
            outcome,
            introspections: stand_ins.introspections() - before,
        });
    }
    // On the main thread while the servers idle, before the last baseline
    // run, so that the machine is as busy with others as during the miss.
    let (n, e) = stand_ins.public_key()?;
    let bare_verify = bare_verify::measure(&n, &e, &fresh)?;
    let unprotected_last = wrk.run(&UNPROTECTED, &baseline)?;

    let report = Report {
        cores,
        seconds,
        minted_in,
        unprotected_first,
        unprotected_last,
        runs,
        bare_verify,
    };
    print!("{}", report.render());
    // The in-process servers idle from here on.
    print_observability(&stand_ins, &wrk, &reused)?;

    servers.stop(&runtime);
    drop((wrk, stand_ins));
    runtime.shutdown_timeout(Duration::from_secs(2));
    Ok(())
}

/// The observability comparison, or why it did not run.
fn print_observability(stand_ins: &StandIns, wrk: &Wrk, reused: &str) -> Result<(), String> {
    println!();
    match observability::binaries() {
        Some(binaries) => {
            let comparison = observability::measure(stand_ins, wrk, reused, &binaries)?;
            comparison
                .render()
                .iter()
                .for_each(|line| println!("{line}"));
        }
        None => println!(
            "observability on a cache hit: not measured; bash bench/load.sh builds {} and {} \
             beside this binary",
            observability::WITH,
            observability::WITHOUT
        ),
    }
    Ok(())
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

/// The scenario `LOAD_ONLY` names, if set.
fn only() -> Result<Option<&'static Scenario>, String> {
    let Ok(name) = std::env::var("LOAD_ONLY") else {
        return Ok(None);
    };
    let all = || std::iter::once(&UNPROTECTED).chain(BETWEEN_BASELINES);
    all()
        .find(|scenario| scenario.name == name.trim())
        .map(Some)
        .ok_or_else(|| {
            let names: Vec<&str> = all().map(|scenario| scenario.name).collect();
            format!("LOAD_ONLY={name:?} is none of {}", names.join(", "))
        })
}
