//! The request guards: [`Claims`] for any handler that wants the caller's
//! identity, and [`authorize`], which the guard `#[scopes]` generates for
//! each handler calls to enforce its scopes. Both share one validation per request through Rocket's local cache.

use rocket::http::HeaderMap;
use rocket::request::{FromRequest, Outcome, Request};

use crate::claims::Claims;
use crate::rejection::{Outage, Refusal, Rejection};
use crate::response;
use crate::scope::{Delegation, Requirement};
use crate::token_error::TokenError;
use crate::validate::{MAX_TOKEN_LEN, Validator};
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

/// Whether the request carries a valid token that meets `requirement`:
/// the token's claims, or why not. The guard `#[scopes]` generates for a
/// handler calls this, runs the handler's check (if it names one) on the
/// claims, and hands the result to [`conclude`].
#[doc(hidden)]
pub async fn authorize<'r>(
    request: &'r Request<'_>,
    requirement: Requirement,
) -> Result<&'r Claims, Rejection> {
    let claims = validation(request).await.as_ref().map_err(Clone::clone)?;
    meets(claims, requirement)?;
    Ok(claims)
}

/// The conditions of the attribute, in the order a client fixes them:
/// scopes, consumer, system user, delegation.
fn meets(claims: &Claims, requirement: Requirement) -> Result<(), Rejection> {
    if !requirement.is_met_by(claims.scope()) {
        return Err(Rejection::InsufficientScope(requirement));
    }
    if !requirement.allows_consumer(claims.consumer_orgno()) {
        return Err(Rejection::ConsumerNotAllowed(requirement));
    }
    if requirement.requires_system_user() {
        // A malformed entry matters only here: routes that do not ask for a
        // system user never read it.
        match claims.system_user() {
            Err(error) => {
                return Err(Rejection::InvalidToken(TokenError::MalformedSystemUser(
                    error.clone(),
                )));
            }
            Ok(None) => return Err(Rejection::Forbidden(Refusal::NotSystemUser)),
            Ok(Some(user)) if !requirement.allows_system_user_org(user.orgno()) => {
                return Err(Rejection::Forbidden(Refusal::SystemUserOrgNotAllowed));
            }
            Ok(Some(_)) => {}
        }
    }
    if !requirement.allows_delegation(claims.is_delegated()) {
        return Err(Rejection::Forbidden(match requirement.delegation() {
            Delegation::Require => Refusal::NotDelegated,
            _ => Refusal::Delegated,
        }));
    }
    Ok(())
}

/// The guard's outcome for the verdict `authorize` (and the route's check)
/// came to: `Success(guard)`, or the rejection, recorded for the response
/// fairing and logged.
#[doc(hidden)]
pub fn conclude<T>(
    request: &Request<'_>,
    verdict: Result<(), Rejection>,
    guard: T,
) -> Outcome<T, Rejection> {
    match verdict {
        Ok(()) => {
            verdict::record_allowed(request);
            Outcome::Success(guard)
        }
        Err(rejection) => refuse(request, rejection),
    }
}

#[cfg(test)]
mod tests;
