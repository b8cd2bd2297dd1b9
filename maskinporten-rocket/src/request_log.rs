//! Whether Rocket's own line for each request, which holds every header and
//! so the bearer token, is written to a log: asked by the fairing at
//! ignite. Teams ship logs to shared stores, and a token there is a
//! credential anyone who can read them can replay.
//!
//! Rocket 0.5 logs `received request: {:#?}` of hyper's request, headers
//! and all, at DEBUG under the target `rocket::server` (`hyper_service_fn`
//! in `core/lib/src/server.rs`; its `debug!` takes the module path as the
//! target, `core/lib/src/log.rs`), for every request served over HTTP. Who
//! writes it is the process's `log` logger:
//!
//! - Rocket's own, which `rocket::custom` installs when the process has no
//!   logger yet, writes what `log::max_level()` admits; Rocket sets that
//!   from its `log_level` only after the ignite fairings ran, so ignite
//!   reads `log_level` from the configuration.
//! - Any other (a `tracing` subscriber through `tracing-log`, env_logger)
//!   never hears of `log_level`: it writes what its own filter and
//!   `log::max_level()` admit, which [`Logger::installed`] asks.
//!
//! A release build refuses to start when the line would be written, unless
//! `accept_tokens_in_logs` says that is accepted; a debug build, and a
//! release build that accepts it, log a warning with the fix.

use std::error::Error as StdError;
use std::fmt;

use figment::Figment;
use rocket::config::LogLevel;

use crate::config::BuildKind;

/// The target of Rocket's request line.
pub(crate) const REQUEST_TARGET: &str = "rocket::server";

/// What the process's `log` logger does with a DEBUG record of
/// [`REQUEST_TARGET`], as ignite finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Logger {
    /// `log::max_level()` admits DEBUG and the logger is enabled for the
    /// record: it is written.
    Writes,
    /// `log::max_level()` admits DEBUG and the logger is not enabled for
    /// Rocket's target. Rocket's own logger is enabled for whatever the max
    /// level admits, so this one has a filter of its own, and Rocket's
    /// `log_level` never reaches it.
    Filters,
    /// `log::max_level()` is below DEBUG. Rocket's own logger gets
    /// `log_level` as the max level when ignite ends; any other stays below.
    BelowDebug,
}

impl Logger {
    /// The process's logger, now.
    pub(crate) fn installed() -> Logger {
        if log::max_level() < log::LevelFilter::Debug {
            return Logger::BelowDebug;
        }
        // A logger decides in `log` itself; `enabled` is what Rocket's,
        // tracing-log's `LogTracer` and env_logger decide with there.
        let request = log::Metadata::builder()
            .level(log::Level::Debug)
            .target(REQUEST_TARGET)
            .build();
        if log::logger().enabled(&request) {
            Logger::Writes
        } else {
            Logger::Filters
        }
    }
}

/// Whether Rocket's `log_level` in `figment` is `debug`, read as Rocket
/// reads it when ignite ends.
pub(crate) fn log_level_is_debug(figment: &Figment) -> bool {
    // A value Rocket cannot read stops ignite right after the fairings, with
    // Rocket's own error: no request is ever logged then.
    figment
        .extract_inner::<LogLevel>(rocket::Config::LOG_LEVEL)
        .is_ok_and(|level| level == LogLevel::Debug)
}

/// Which way Rocket's request lines would be written, if they would.
pub(crate) fn exposure(log_level_debug: bool, logger: Logger) -> Option<RequestLogErrorKind> {
    match logger {
        Logger::Writes => Some(RequestLogErrorKind::LoggerWritesDebug),
        Logger::Filters => None,
        Logger::BelowDebug => log_level_debug.then_some(RequestLogErrorKind::DebugLogLevel),
    }
}

/// What ignite does about `exposure`: nothing when there is none; a
/// warning in a debug build or when `accepted` (`accept_tokens_in_logs`);
/// otherwise the release build's refusal.
pub(crate) fn judge(
    exposure: Option<RequestLogErrorKind>,
    accepted: bool,
    build: BuildKind,
) -> Result<Option<Warning>, RequestLogError> {
    match (exposure, accepted, build) {
        (None, _, _) => Ok(None),
        (Some(kind), true, _) | (Some(kind), false, BuildKind::Debug) => {
            Ok(Some(Warning { kind, accepted }))
        }
        (Some(kind), false, BuildKind::Release) => Err(RequestLogError { kind }),
    }
}

/// The fairing's check: Rocket's `log_level` in `figment`, the process's
/// logger and this build, with `accepted` from the configuration.
pub(crate) fn check(figment: &Figment, accepted: bool) -> Result<Option<Warning>, RequestLogError> {
    let exposure = exposure(log_level_is_debug(figment), Logger::installed());
    judge(exposure, accepted, BuildKind::current())
}

/// Why a release build refuses to start: Rocket's request lines, bearer
/// tokens in them, would be written to the log, and
/// `accept_tokens_in_logs` is not set. Its message says how to keep them
/// out, in a line to paste.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestLogError {
    kind: RequestLogErrorKind,
}

/// The ways Rocket's request lines reach a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestLogErrorKind {
    /// Rocket's `log_level` is `debug`, and the process's logger is Rocket's
    /// own, or may be.
    DebugLogLevel,
    /// The process's logger, whichever it is, lets Rocket's DEBUG records
    /// through now.
    LoggerWritesDebug,
}

impl RequestLogErrorKind {
    /// What happens, and why it matters.
    fn what(self) -> &'static str {
        match self {
            RequestLogErrorKind::DebugLogLevel => {
                "Rocket's log_level is \"debug\", at which Rocket logs every request it \
                 receives with all its headers, bearer tokens included, and anyone who can \
                 read the log can replay them"
            }
            RequestLogErrorKind::LoggerWritesDebug => {
                "the process's logger lets Rocket's DEBUG records (target rocket::server) \
                 through, and at DEBUG Rocket logs every request it receives with all its \
                 headers, bearer tokens included, and anyone who can read the log can replay \
                 them"
            }
        }
    }

    /// The setting that keeps the lines out, as a line to paste.
    fn fix(self) -> &'static str {
        match self {
            RequestLogErrorKind::DebugLogLevel => {
                "set ROCKET_LOG_LEVEL=normal (or log_level = \"normal\" in Rocket.toml)"
            }
            RequestLogErrorKind::LoggerWritesDebug => {
                "turn Rocket's targets to info in the logger's filter, with the directive \
                 `rocket=info` (tracing-subscriber's EnvFilter or env_logger: \
                 RUST_LOG=debug,rocket=info)"
            }
        }
    }
}

impl fmt::Display for RequestLogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}; {}, or, if tokens in this log are acceptable, set \
             ROCKET_MASKINPORTEN='{{accept_tokens_in_logs=true}}' \
             (or accept_tokens_in_logs = true under [default.maskinporten] in Rocket.toml)",
            self.kind.what(),
            self.kind.fix()
        )
    }
}

impl StdError for RequestLogError {}

/// Rocket's request lines will be written, and the app starts anyway: in
/// a debug build, or because `accept_tokens_in_logs` says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Warning {
    kind: RequestLogErrorKind,
    accepted: bool,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, fix) = (self.kind.what(), self.kind.fix());
        if self.accepted {
            write!(
                f,
                "{what}; maskinporten.accept_tokens_in_logs = true accepts that (to keep \
                 tokens out, {fix})"
            )
        } else {
            write!(
                f,
                "{what}; {fix} (a release build refuses to start like this unless \
                 maskinporten.accept_tokens_in_logs = true)"
            )
        }
    }
}

#[cfg(test)]
mod tests;
