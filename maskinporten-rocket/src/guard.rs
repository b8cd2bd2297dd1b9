//! The request guards: [`Claims`] for any handler that wants the caller's
//! identity, and [`authorize`], which the guard `#[scopes]` generates for
//! each handler calls to enforce its scopes. Both share one validation per request through Rocket's local cache.

use rocket::http::HeaderMap;
use rocket::request::{FromRequest, Outcome, Request};

use crate::claims::Claims;
use crate::rejection::{Outage, Rejection};
use crate::response;
use crate::scope::Requirement;
use crate::validate::{Validator, MAX_TOKEN_LEN};
use crate::verdict;

/// The outcome of validating this request's token, computed at most once per
/// request however many guards ask. A private type, so no other local-cache
/// user can collide with it. (The scope check comes after; the public
/// [`verdict::Verdict`] records what the guards made of both.)
struct Validation(Result<Claims, Rejection>);

/// Validates the request's bearer token once and remembers the outcome.
async fn validation<'r>(request: &'r Request<'_>) -> &'r Result<Claims, Rejection> {
    let cached = request
        .local_cache_async(async {
            let Some(validator) = request.rocket().state::<Validator>() else {
                tracing::error!(target: "maskinporten",
                    "a protected route ran without the Maskinporten fairing: attach `Maskinporten::fairing()`");
                return Validation(Err(Rejection::Unavailable(Outage::FairingMissing)));
            };
            let token = match bearer_token(request.headers()) {
                Ok(token) => token,
                Err(rejection) => return Validation(Err(rejection)),
            };
            Validation(validator.validate_for(request, token).await)
        })
        .await;
    &cached.0
}

/// Finds the bearer token in the `Authorization` header (RFC 6750 §2.1). The
/// query string and the body are never looked at (§2.2, §2.3).
pub(crate) fn bearer_token<'h>(headers: &'h HeaderMap<'_>) -> Result<&'h str, Rejection> {
    let mut values = headers.get("Authorization");
    let Some(value) = values.next() else {
        return Err(Rejection::MissingCredentials);
    };
    if values.next().is_some() {
        return Err(Rejection::MalformedRequest(
            "more than one Authorization header",
        ));
    }
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        // Another scheme (Basic, say) carries no bearer credentials: RFC 6750
        // §3.1 answers that with a bare challenge.
        return Err(Rejection::MissingCredentials);
    }
    let token = rest.trim_start_matches(' ').trim_end();
    if token.is_empty() {
        return Err(Rejection::MalformedRequest("Bearer without a token"));
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(Rejection::MalformedRequest("token too large"));
    }
    // The characters are checked against RFC 6750's `b64token` by the
    // validator, on a verdict-cache miss only: a hit is a token that
    // passed that check before, byte for byte.
    Ok(token)
}

/// Turns a rejection into the guard's error, recording it for the response
/// fairing (which writes `WWW-Authenticate`) and logging why.
fn refuse<T>(request: &Request<'_>, rejection: Rejection) -> Outcome<T, Rejection> {
    response::record(request, &rejection);
    Outcome::Error((rejection.status(), rejection))
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Claims {
    type Error = Rejection;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match validation(request).await {
            Ok(claims) => {
                verdict::record_allowed(request);
                Outcome::Success(claims.clone())
            }
            Err(rejection) => refuse(request, rejection.clone()),
        }
    }
}

/// The request guard of a `#[scopes]` handler: `Success(guard)` when the
/// request carries a valid token that meets `requirement`. The macro
/// generates one guard type per handler, whose `FromRequest` calls this;
/// handlers read the claims through the `Claims` guard, which shares the
/// same verdict.
#[doc(hidden)]
pub async fn authorize<T: Send>(
    request: &Request<'_>,
    requirement: Requirement,
    guard: T,
) -> Outcome<T, Rejection> {
    let claims = match validation(request).await {
        Ok(claims) => claims,
        Err(rejection) => return refuse(request, rejection.clone()),
    };
    if !requirement.is_met_by(claims.scope()) {
        return refuse(request, Rejection::InsufficientScope(requirement));
    }
    if !requirement.allows_consumer(claims.consumer_orgno()) {
        return refuse(request, Rejection::ConsumerNotAllowed(requirement));
    }
    verdict::record_allowed(request);
    Outcome::Success(guard)
}

#[cfg(test)]
mod tests;
