//! The report: every scenario against the `unprotected` baseline measured in
//! the same run, the ratios between scenarios, and where the CPU goes
//! against what the goals allow.

use std::time::Duration;

use crate::bare_verify::BareVerify;
use crate::scenario::{
    Role, Scenario, Server, FRESH_POOL, FRESH_TOKEN, HANDLER_WITHOUT_LIBRARY, REUSED_TOKEN,
    REUSED_TOKEN_VIA_LUA, TEXAS_FRESH_TOKEN, TEXAS_REUSED_TOKEN, UNPROTECTED,
    UNPROTECTED_CARRYING_TOKEN, VERDICT_CACHE,
};
use crate::wrk::{Outcome, CONNECTIONS, WARM_UP_SECONDS};

/// The ratios printed under the table: the first scenario's req/s over the
/// second's, and what that compares.
const RATIOS: [(&Scenario, &Scenario, &str); 3] = [
    (
        &TEXAS_FRESH_TOKEN,
        &FRESH_TOKEN,
        "Texas vs local, fresh tokens",
    ),
    (
        &TEXAS_REUSED_TOKEN,
        &REUSED_TOKEN,
        "Texas vs local, one reused token",
    ),
    (
        &FRESH_TOKEN,
        &REUSED_TOKEN_VIA_LUA,
        "fresh vs reused, same client work",
    ),
];

/// Which CPU clock a line of the breakdown reads.
#[derive(Clone, Copy)]
enum Clock {
    Server,
    Wrk,
}

/// The CPU breakdown: per request, the first scenario's clock minus the
/// second's, and the cost that difference isolates.
const BREAKDOWN: [(Clock, &Scenario, &Scenario, &str); 4] = [
    (
        Clock::Server,
        &REUSED_TOKEN,
        &HANDLER_WITHOUT_LIBRARY,
        "the library (guard + fairing) on a cache hit",
    ),
    (
        Clock::Server,
        &HANDLER_WITHOUT_LIBRARY,
        &UNPROTECTED_CARRYING_TOKEN,
        "/afp's handler over /isalive's, less the fairing",
    ),
    (
        Clock::Server,
        &FRESH_TOKEN,
        &REUSED_TOKEN_VIA_LUA,
        "a verification on a miss",
    ),
    (
        Clock::Wrk,
        &FRESH_TOKEN,
        &REUSED_TOKEN_VIA_LUA,
        "fewer answers per wakeup at the lower rate",
    ),
];

/// The miss may cost at most this many bare verifications more than the
/// request baseline: the library's own work on a miss (parsing, claims, the
/// cache) within 30% of the signature check it cannot avoid.
const MISS_OVER_BARE_VERIFY: f64 = 1.3;
/// What a request costs the server without validation, for the miss's goal.
/// `handler_without_library` rather than `reused_token`: it is the same
/// request and handler with no library at all, so everything the library
/// does on a miss is counted, the work it also does on a hit (the guard,
/// hashing the token, the cache lookup, the fairing) included. Against
/// `reused_token` that work would hide in the baseline.
const REQUEST_BASELINE: &Scenario = &HANDLER_WITHOUT_LIBRARY;

/// One scenario's run.
pub struct Run {
    pub scenario: &'static Scenario,
    pub outcome: Outcome,
    /// Introspection requests Texas answered during the run.
    pub introspections: usize,
}

/// Everything one benchmark run measured.
pub struct Report {
    pub cores: usize,
    pub seconds: u64,
    pub minted_in: Duration,
    pub unprotected_first: Outcome,
    pub unprotected_last: Outcome,
    /// The scenarios run between the two baseline runs.
    pub runs: Vec<Run>,
    /// One bare RSA verification, timed in this process in the same run.
    pub bare_verify: BareVerify,
}

impl Report {
    pub fn render(&self) -> String {
        // The mean of the baseline run first and run last, so that a machine
        // that slows down or speeds up during the run biases no ratio.
        let baseline = Outcome::mean(&self.unprotected_first, &self.unprotected_last);
        let mut out = String::new();
        let mut line = |text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        self.header().into_iter().for_each(&mut line);
        line(String::new());
        line(format!(
            "{:<28} {:>8} {:>10} {:>10}  {:>14}  {:>13}  role",
            "scenario", "req/s", "p50", "p99", "vs unprotected", "CPU µs/req"
        ));
        line(format!("{:<77}{:>13}", "", "server    wrk"));
        let rows = [
            ("unprotected, first", &self.unprotected_first, String::new()),
            ("unprotected, last", &self.unprotected_last, String::new()),
            ("unprotected, mean", &baseline, role(Role::Baseline, 1.0)),
        ];
        let runs = self.runs.iter().map(|run| {
            let ratio = run.outcome.rps / baseline.rps;
            (
                run.scenario.name,
                &run.outcome,
                role(run.scenario.role, ratio),
            )
        });
        for (name, r, role) in rows.into_iter().chain(runs) {
            let cpu = r.cpu.map_or("-".to_owned(), |cpu| {
                format!("{:>6.1} {:>6.1}", cpu.server, cpu.wrk)
            });
            line(format!(
                "{name:<28} {:>8.0} {:>7.3} ms {:>7.3} ms  {:>13.3}x  {cpu:>13}  {role}",
                r.rps,
                r.p50_ms,
                r.p99_ms,
                r.rps / baseline.rps
            ));
            if name == FRESH_TOKEN.name {
                line(self.bare_verify_row());
            }
        }
        line(String::new());
        self.legend().into_iter().for_each(&mut line);
        line(String::new());
        for (over, under, what) in RATIOS {
            if let (Some(x), Some(y)) = (self.outcome(over), self.outcome(under)) {
                let formula = format!("{} / {}", over.name, under.name);
                line(format!("{formula:<40} {what:<34} {:.3}x", x.rps / y.rps));
            }
        }
        let texas = self
            .runs
            .iter()
            .filter(|run| run.scenario.server == Server::Texas);
        let counts: Vec<String> = texas
            .map(|run| {
                format!(
                    "{} {} for {} requests",
                    run.scenario.name, run.introspections, run.outcome.requests
                )
            })
            .collect();
        line(format!("Texas introspections: {}", counts.join("; ")));
        if let Some(lines) = self.cpu_budget(&baseline) {
            line(String::new());
            lines.into_iter().for_each(&mut line);
        }
        if let Some(lines) = self.miss_goal() {
            line(String::new());
            lines.into_iter().for_each(&mut line);
        }
        out
    }

    /// The bare verification, under the miss, its CPU in the server column.
    fn bare_verify_row(&self) -> String {
        let BareVerify {
            iterations,
            cpu_us,
            wall_us,
        } = self.bare_verify;
        format!(
            "{:<77}{cpu_us:>6.1} {:>6}  one thread, {iterations} verifications, wall {wall_us:.1} µs",
            "  bare_rsa2048_verify", "-"
        )
    }

    /// The miss's goal: its server CPU against the bare verification plus
    /// the request baseline. `None` without the runs or `/proc`.
    fn miss_goal(&self) -> Option<Vec<String>> {
        let miss = self.outcome(&FRESH_TOKEN)?.cpu?.server;
        let request = self.outcome(REQUEST_BASELINE)?.cpu?.server;
        let hit = self.outcome(&REUSED_TOKEN)?.cpu?.server;
        let bare = self.bare_verify.cpu_us;
        let allowed = MISS_OVER_BARE_VERIFY * bare + request;
        let met = if miss <= allowed { "met" } else { "MISSED" };
        let library = miss - request;
        Some(vec![
            format!(
                "miss goal: {} server {miss:.1} µs <= {MISS_OVER_BARE_VERIFY} x bare_rsa2048_verify \
                 {bare:.1} + request baseline {request:.1} = {allowed:.1} µs: {met}",
                FRESH_TOKEN.name
            ),
            format!(
                "  the library on a miss: {} - {} = {library:.1} µs = {:.2}x bare verify; \
                 over {} (server {hit:.1}) it adds {:.1} µs = {:.2}x bare verify",
                FRESH_TOKEN.name,
                REQUEST_BASELINE.name,
                library / bare,
                REUSED_TOKEN.name,
                miss - hit,
                (miss - hit) / bare
            ),
            format!(
                "  request baseline = {}'s server CPU: the same request and handler without the \
                 library, so the miss's goal counts the hit's work too",
                REQUEST_BASELINE.name
            ),
        ])
    }

    fn header(&self) -> Vec<String> {
        let Report { cores, seconds, .. } = self;
        vec![
            String::new(),
            "maskinporten-load: afp-api under wrk, everything on 127.0.0.1 in one process"
                .to_owned(),
            format!(
                "machine   nproc = {cores}; wrk (-t1 -c{CONNECTIONS}) and the server (one tokio \
                 runtime of {cores} workers, which also runs the stand-in issuer and Texas) \
                 share these cores"
            ),
            format!(
                "tokens    verdict_cache = {VERDICT_CACHE} (16 shards, clock eviction); fresh pool = \
                 {FRESH_POOL} distinct tokens cycled in order, so every request misses; minted \
                 in {:.1} s",
                self.minted_in.as_secs_f64()
            ),
            format!(
                "runs      {seconds} s each after a {WARM_UP_SECONDS} s warm-up; every run had 0 \
                 non-2xx and 0 socket errors"
            ),
        ]
    }

    /// What each scenario sends, one line each.
    fn legend(&self) -> Vec<String> {
        let first_and_last = format!("{}; run first and last", UNPROTECTED.sends);
        let baseline = (UNPROTECTED.name, first_and_last.as_str());
        let runs = self
            .runs
            .iter()
            .map(|run| (run.scenario.name, run.scenario.sends));
        std::iter::once(baseline)
            .chain(runs)
            .map(|(name, sends)| format!("{name:<28} {sends}"))
            .collect()
    }

    /// What `scenario` measured, if it ran between the baseline's runs.
    fn outcome(&self, scenario: &Scenario) -> Option<&Outcome> {
        self.runs
            .iter()
            .find(|run| run.scenario.name == scenario.name)
            .map(|run| &run.outcome)
    }

    /// Where the CPU goes, against what the goals allow. With both cores
    /// busy, req/s is about cores / (server + wrk CPU per request), so a
    /// ratio `r` against the baseline allows `T (1/r - 1)` µs more per
    /// request, `T` being the baseline's server + wrk CPU per request.
    /// `None` without `/proc`.
    fn cpu_budget(&self, baseline: &Outcome) -> Option<Vec<String>> {
        let t = baseline.cpu?.total();
        let mut goals = Vec::new();
        for run in &self.runs {
            if let Role::Goal(goal) = run.scenario.role {
                goals.push(format!(
                    "{goal:.2}x allows +{:.1} µs, {} spends {:+.1}",
                    t * (1.0 / goal - 1.0),
                    run.scenario.name,
                    run.outcome.cpu?.total() - t
                ));
            }
        }
        let mut lines = vec![format!(
            "CPU per request, server + wrk: {} {t:.1} µs; {}",
            UNPROTECTED.name,
            goals.join("; ")
        )];
        for (clock, over, under, what) in BREAKDOWN {
            let read = |scenario: &Scenario| {
                let cpu = self.outcome(scenario)?.cpu?;
                Some(match clock {
                    Clock::Server => cpu.server,
                    Clock::Wrk => cpu.wrk,
                })
            };
            let who = match clock {
                Clock::Server => "server",
                Clock::Wrk => "wrk",
            };
            let formula = format!("{} - {}", over.name, under.name);
            let us = read(over)? - read(under)?;
            lines.push(format!("  {who:<7} {formula:<52} {what:<48} {us:+6.1} µs"));
        }
        Some(lines)
    }
}

/// The one line of a scenario run alone (`LOAD_ONLY`): no baseline, so no
/// ratio, only what it measured.
pub fn alone(scenario: &Scenario, r: &Outcome) -> String {
    let cpu = r.cpu.map_or("-".to_owned(), |cpu| {
        format!("server {:.1} µs, wrk {:.1} µs", cpu.server, cpu.wrk)
    });
    format!(
        "{} alone: {} requests, {:.0} req/s, p50 {:.3} ms, p99 {:.3} ms, CPU per request {cpu}\n",
        scenario.name, r.requests, r.rps, r.p50_ms, r.p99_ms
    )
}

/// What the role column says of a scenario at `ratio` against the baseline.
fn role(role: Role, ratio: f64) -> String {
    match role {
        Role::Baseline => "baseline".to_owned(),
        Role::Goal(goal) => {
            let met = if ratio >= goal { "met" } else { "MISSED" };
            format!("goal >= {goal:.2}x {met}")
        }
        Role::Control(what) => what.to_owned(),
        Role::Measured => String::new(),
    }
}
