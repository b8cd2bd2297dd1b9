//! Where the `WWW-Authenticate` challenge (and `Retry-After`) is written.
//!
//! A failing request guard cannot set headers on the response the catcher
//! builds (Rocket 0.5 hands the catcher only the guard's status), so the
//! guard records its rejection with the request's verdict (`verdict.rs`)
//! and the fairing's response hook writes the headers. This works whatever
//! catcher answers, the application's own included.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rocket::http::Header;
use rocket::{Request, Response};

use crate::rejection::Rejection;
use crate::verdict::{self, Verdict};

/// Seconds a client should wait before retrying after a 503: long enough for
/// one refresh attempt of the issuer's keys or for Texas to come back.
pub(crate) const RETRY_AFTER_SECS: u32 = 5;

/// How often an outage may write an error line: during one, every request
/// to a protected route is a 503, and a line per request would bury the
/// log (and the one line that says why) under copies.
const OUTAGE_LOG_INTERVAL: Duration = Duration::from_secs(10);

static OUTAGE_LOG: Throttle = Throttle::new(OUTAGE_LOG_INTERVAL);

/// Remembers `rejection` for the response hook and logs why the request was
/// refused, never the token: only the path is logged, since a client may
/// have put a token in the query string. A 503 is an error line at most
/// once per [`OUTAGE_LOG_INTERVAL`], saying how many it stands for; the
/// others are debug lines.
pub(crate) fn record(request: &Request<'_>, rejection: &Rejection) {
    let (method, uri) = (request.method(), request.uri().path());
    let verdict = Verdict::from(rejection);
    let (outcome, reason) = (verdict.outcome().as_str(), verdict.reason().as_str());
    match rejection {
        Rejection::Unavailable(_) => match OUTAGE_LOG.admit(Instant::now()) {
            Some(0) => tracing::error!(target: "maskinporten", status = 503, outcome, reason,
                "{method} {uri}: 503, {rejection}"),
            Some(more) => tracing::error!(target: "maskinporten", status = 503, outcome, reason,
                held_back = more,
                "{method} {uri}: 503, {rejection} ({more} more 503s since the last such line)"),
            None => tracing::debug!(target: "maskinporten", status = 503, outcome, reason,
                "{method} {uri}: 503, {rejection}"),
        },
        _ => {
            let status = rejection.status().code;
            tracing::info!(target: "maskinporten", status, outcome, reason,
                "{method} {uri}: {status}, {rejection}")
        }
    }
    verdict::record_rejection(request, rejection);
}

/// Adds the challenge headers to a response that a recorded rejection
/// produced. A response with another status (a catcher or a later route
/// answered differently) is left alone.
pub(crate) fn write_challenge<'a>(
    request: &'a Request<'_>,
    response: &mut Response<'_>,
    realm: impl FnOnce() -> Option<&'a str>,
) {
    // Most responses are not refusals: skip the local-cache lookup for them.
    if !matches!(response.status().code, 400 | 401 | 403 | 503) {
        return;
    }
    let Some(rejection) = verdict::rejection(request) else {
        return;
    };
    if response.status() != rejection.status() {
        return;
    }
    match rejection.challenge(realm()) {
        Some(challenge) => response.set_header(Header::new("WWW-Authenticate", challenge)),
        None => response.set_header(Header::new("Retry-After", RETRY_AFTER_SECS.to_string())),
    };
}

/// Lets one event through per interval and counts the ones it holds back.
struct Throttle {
    interval: Duration,
    state: Mutex<ThrottleState>,
}

struct ThrottleState {
    last: Option<Instant>,
    held_back: u64,
}

impl Throttle {
    const fn new(interval: Duration) -> Throttle {
        Throttle {
            interval,
            state: Mutex::new(ThrottleState {
                last: None,
                held_back: 0,
            }),
        }
    }

    /// `Some(n)` when an event at `now` may be logged, `n` being how many
    /// were held back since the last one; `None` when it is held back.
    fn admit(&self, now: Instant) -> Option<u64> {
        let Ok(mut state) = self.state.lock() else {
            return Some(0);
        };
        match state.last {
            Some(last) if now.saturating_duration_since(last) < self.interval => {
                state.held_back += 1;
                None
            }
            _ => {
                state.last = Some(now);
                Some(std::mem::take(&mut state.held_back))
            }
        }
    }
}

#[cfg(test)]
mod tests;
