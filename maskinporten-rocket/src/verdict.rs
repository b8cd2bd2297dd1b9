//! What the guards decided about a request, for the application to read:
//! its own fairing, catcher or metrics can tell an expired token from a
//! bad signature, and an issuer outage from a Texas outage, without parsing
//! `WWW-Authenticate`.
//!
//! ```
//! use maskinporten_rocket::verdict::{Outcome, Verdict};
//! use rocket::fairing::AdHoc;
//!
//! // Counts refusals by reason, from a response fairing of the app's own.
//! let fairing = AdHoc::on_response("refusals", |request, _response| {
//!     Box::pin(async move {
//!         if let Some(verdict) = Verdict::of(request) {
//!             if verdict.outcome() != Outcome::Allowed {
//!                 println!("{} refused: {}", request.uri(), verdict.reason().as_str());
//!             }
//!         }
//!     })
//! });
//! # let _ = rocket::build().attach(fairing);
//! ```
//!
//! Every value is one of a fixed set, and none comes from the request, so
//! they are safe as metric labels.

use std::sync::Mutex;

use rocket::Request;

use crate::rejection::{Outage, Refusal, Rejection};
use crate::token_error::TokenError;

/// What came of a request's token, as the guards decided: allowed, or
/// refused with an [`Outcome`] and a [`Reason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    outcome: Outcome,
    reason: Reason,
}

/// The kind of answer, one per RFC 6750 error and status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// The token is valid and meets the route's requirement.
    Allowed,
    /// No bearer credentials: 401 with a bare challenge.
    MissingToken,
    /// A malformed `Authorization` header: 400 `invalid_request`.
    InvalidRequest,
    /// The token is not valid: 401 `invalid_token`.
    InvalidToken,
    /// The token lacks a required scope: 403 `insufficient_scope`.
    InsufficientScope,
    /// The consumer is not on the route's allow-list: 403.
    ConsumerNotAllowed,
    /// The token could not be judged: 503.
    Unavailable,
}

/// Why, in more detail than the [`Outcome`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// Allowed: no reason.
    None,
    /// No `Authorization: Bearer` header (or another scheme).
    NoBearerCredentials,
    /// `Authorization: Bearer` with no token, several headers, a token too
    /// long or with characters outside `b64token`.
    MalformedAuthorization,
    /// Not a compact JWS, or a claim of the wrong type.
    MalformedToken,
    /// A header we never accept (`crit`, key material, a nested token).
    ForbiddenHeader,
    /// An `alg` other than the key's.
    Algorithm,
    /// A `kid` the issuer's keys do not have.
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// `exp` has passed.
    Expired,
    /// `nbf` or `iat` lies in the future.
    NotYetValid,
    /// Another issuer.
    WrongIssuer,
    /// Another audience.
    WrongAudience,
    /// Texas says the token is not active.
    Inactive,
    /// A required scope is missing.
    Scope,
    /// The consumer is not on the allow-list.
    Consumer,
    /// The issuer's keys cannot be had.
    IssuerKeys,
    /// Texas cannot be reached or answers wrongly.
    Texas,
    /// The fairing is not attached.
    FairingMissing,
    /// The route requires an Altinn system user's `authorization_details`
    /// entry, and the token's cannot be read.
    MalformedSystemUser,
    /// The route requires a system user and the token has none.
    NotSystemUser,
    /// The system user's organisation is not on the route's allow-list.
    SystemUserOrg,
    /// A delegated token on a route that denies delegation.
    Delegated,
    /// A direct token on a route that requires delegation.
    NotDelegated,
    /// The route's check refused.
    Check,
    /// The route's check could not decide.
    CheckUnavailable,
    /// The route's check panicked.
    CheckPanicked,
    /// The route's check took longer than `check_timeout`.
    CheckTimeout,
}

impl Verdict {
    /// The verdict on `request`, once a guard of ours has run for it;
    /// `None` before that, and on routes without one.
    pub fn of(request: &Request<'_>) -> Option<Verdict> {
        let slot = request.local_cache(Slot::default);
        let recorded = slot.0.lock().ok()?;
        recorded.as_ref().map(|recorded| recorded.verdict)
    }

    /// Allowed, or the kind of refusal.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// Why; [`Reason::None`] when allowed.
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// Whether the request got through.
    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allowed
    }

    pub(crate) const ALLOWED: Verdict = Verdict {
        outcome: Outcome::Allowed,
        reason: Reason::None,
    };
}

impl From<&Rejection> for Verdict {
    fn from(rejection: &Rejection) -> Verdict {
        let (outcome, reason) = match rejection {
            Rejection::MissingCredentials => (Outcome::MissingToken, Reason::NoBearerCredentials),
            Rejection::MalformedRequest(_) => {
                (Outcome::InvalidRequest, Reason::MalformedAuthorization)
            }
            Rejection::InvalidToken(e) => (
                Outcome::InvalidToken,
                match e {
                    TokenError::Malformed(_) => Reason::MalformedToken,
                    TokenError::ForbiddenHeader(_) => Reason::ForbiddenHeader,
                    TokenError::Algorithm(_) => Reason::Algorithm,
                    TokenError::UnknownKey => Reason::UnknownKey,
                    TokenError::BadSignature => Reason::BadSignature,
                    TokenError::Expired => Reason::Expired,
                    TokenError::NotYetValid => Reason::NotYetValid,
                    TokenError::WrongIssuer => Reason::WrongIssuer,
                    TokenError::WrongAudience => Reason::WrongAudience,
                    TokenError::Inactive(_) => Reason::Inactive,
                    TokenError::MalformedSystemUser(_) => Reason::MalformedSystemUser,
                },
            ),
            Rejection::InsufficientScope(_) => (Outcome::InsufficientScope, Reason::Scope),
            Rejection::ConsumerNotAllowed(_) => (Outcome::ConsumerNotAllowed, Reason::Consumer),
            Rejection::Forbidden(refusal) => match refusal {
                Refusal::NotSystemUser => (Outcome::InsufficientScope, Reason::NotSystemUser),
                // An organisation allow-list, like `consumers`.
                Refusal::SystemUserOrgNotAllowed => {
                    (Outcome::ConsumerNotAllowed, Reason::SystemUserOrg)
                }
                Refusal::Delegated => (Outcome::InsufficientScope, Reason::Delegated),
                Refusal::NotDelegated => (Outcome::InsufficientScope, Reason::NotDelegated),
                Refusal::Check(_) => (Outcome::InsufficientScope, Reason::Check),
            },
            Rejection::Unavailable(outage) => (
                Outcome::Unavailable,
                match outage {
                    Outage::IssuerKeys => Reason::IssuerKeys,
                    Outage::Texas(_) => Reason::Texas,
                    Outage::FairingMissing => Reason::FairingMissing,
                    Outage::Check(_) => Reason::CheckUnavailable,
                    Outage::CheckPanicked(_) => Reason::CheckPanicked,
                    Outage::CheckTimeout(_) => Reason::CheckTimeout,
                },
            ),
        };
        Verdict { outcome, reason }
    }
}

impl Outcome {
    /// The outcome in snake case, for a metric label or a log field:
    /// `allowed`, `missing_token`, `invalid_request`, `invalid_token`,
    /// `insufficient_scope`, `consumer_not_allowed`, `unavailable`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::MissingToken => "missing_token",
            Outcome::InvalidRequest => "invalid_request",
            Outcome::InvalidToken => "invalid_token",
            Outcome::InsufficientScope => "insufficient_scope",
            Outcome::ConsumerNotAllowed => "consumer_not_allowed",
            Outcome::Unavailable => "unavailable",
        }
    }
}

impl Reason {
    /// The reason in snake case (`none`, `expired`, `bad_signature`,
    /// `issuer_keys`, …), for a metric label or a log field.
    pub fn as_str(&self) -> &'static str {
        match self {
            Reason::None => "none",
            Reason::NoBearerCredentials => "no_bearer_credentials",
            Reason::MalformedAuthorization => "malformed_authorization",
            Reason::MalformedToken => "malformed_token",
            Reason::ForbiddenHeader => "forbidden_header",
            Reason::Algorithm => "algorithm",
            Reason::UnknownKey => "unknown_key",
            Reason::BadSignature => "bad_signature",
            Reason::Expired => "expired",
            Reason::NotYetValid => "not_yet_valid",
            Reason::WrongIssuer => "wrong_issuer",
            Reason::WrongAudience => "wrong_audience",
            Reason::Inactive => "inactive",
            Reason::Scope => "scope",
            Reason::Consumer => "consumer",
            Reason::IssuerKeys => "issuer_keys",
            Reason::Texas => "texas",
            Reason::FairingMissing => "fairing_missing",
            Reason::MalformedSystemUser => "malformed_system_user",
            Reason::NotSystemUser => "not_system_user",
            Reason::SystemUserOrg => "system_user_org",
            Reason::Delegated => "delegated",
            Reason::NotDelegated => "not_delegated",
            Reason::Check => "check",
            Reason::CheckUnavailable => "check_unavailable",
            Reason::CheckPanicked => "check_panicked",
            Reason::CheckTimeout => "check_timeout",
        }
    }
}

/// The request's verdict and, for a refusal, the rejection the response
/// fairing turns into headers. The last one recorded wins: it belongs to
/// the guard whose outcome produced the response.
#[derive(Default)]
struct Slot(
    Mutex<Option<Recorded>>,
    /// The `tracing` feature's span of the request's verification, which
    /// each verdict is recorded in.
    #[cfg(feature = "tracing")]
    Mutex<Option<tracing::Span>>,
);

struct Recorded {
    verdict: Verdict,
    rejection: Option<Rejection>,
}

/// Records that `request` got through a guard of ours.
pub(crate) fn record_allowed(request: &Request<'_>) {
    store(request, Verdict::ALLOWED, None);
}

/// Records the rejection that refused `request`.
pub(crate) fn record_rejection(request: &Request<'_>, rejection: &Rejection) {
    store(request, Verdict::from(rejection), Some(rejection.clone()));
}

fn store(request: &Request<'_>, verdict: Verdict, rejection: Option<Rejection>) {
    let slot = request.local_cache(Slot::default);
    let Ok(mut recorded) = slot.0.lock() else {
        return;
    };
    // Two guards on one route record the same verdict: once is enough.
    #[cfg(feature = "tracing")]
    if recorded.as_ref().map(|r| r.verdict) != Some(verdict)
        && let Some(span) = slot.1.lock().ok().as_deref().and_then(Option::as_ref)
    {
        span.record("outcome", verdict.outcome.as_str());
        span.record("reason", verdict.reason.as_str());
    }
    *recorded = Some(Recorded { verdict, rejection });
}

/// Keeps `span` with the request, so that the verdicts the guards record
/// land in it; it closes when the request is dropped.
#[cfg(feature = "tracing")]
pub(crate) fn attach_span(request: &Request<'_>, span: tracing::Span) {
    let slot = request.local_cache(Slot::default);
    if let Ok(mut attached) = slot.1.lock() {
        *attached = Some(span);
    }
}

/// The rejection recorded for `request`, if it was refused.
pub(crate) fn rejection(request: &Request<'_>) -> Option<Rejection> {
    let slot = request.local_cache(Slot::default);
    let recorded = slot.0.lock().ok()?;
    recorded.as_ref().and_then(|r| r.rejection.clone())
}

#[cfg(test)]
mod tests;
