//! Where the `WWW-Authenticate` challenge (and `Retry-After`) is written.
//!
//! A failing request guard cannot set headers on the response the catcher
//! builds (Rocket 0.5 hands the catcher only the guard's status), so the
//! guard records its rejection in the request's
//! local cache and the fairing's response hook writes the headers. This works
//! whatever catcher answers, the application's own included.

use std::sync::Mutex;

use rocket::http::Header;
use rocket::{Request, Response};

use crate::rejection::Rejection;

/// Seconds a client should wait before retrying after a 503: long enough for
/// one refresh attempt of the issuer's keys or for Texas to come back.
pub(crate) const RETRY_AFTER_SECS: u32 = 5;

/// The rejection that ended this request, if any. The last one recorded
/// wins: it belongs to the guard whose failure produced the response.
#[derive(Default)]
struct Recorded(Mutex<Option<Rejection>>);

/// Remembers `rejection` for the response hook and logs why the request was
/// refused, never the token: only the path is logged, since a client may
/// have put a token in the query string.
pub(crate) fn record(request: &Request<'_>, rejection: &Rejection) {
    let (method, uri) = (request.method(), request.uri().path());
    match rejection {
        Rejection::Unavailable(_) => {
            log::error!(target: "maskinporten", "{method} {uri}: 503, {rejection}")
        }
        _ => {
            log::info!(target: "maskinporten", "{method} {uri}: {}, {rejection}", rejection.status().code)
        }
    }
    let slot = request.local_cache(Recorded::default);
    if let Ok(mut slot) = slot.0.lock() {
        *slot = Some(rejection.clone());
    }
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
    let recorded = request.local_cache(Recorded::default);
    let Some(rejection) = recorded.0.lock().ok().and_then(|slot| slot.clone()) else {
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
