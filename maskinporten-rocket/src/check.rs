//! Per-route checks: what an attribute cannot say, decided by a function of
//! the application's own, such as asking Altinn's authorization PDP whether
//! a system user may act for a party.
//!
//! `#[scopes("…", check = path::to::f)]` names an async fn
//!
//! ```text
//! async fn f(claims: &Claims, request: &Request<'_>) -> Result<(), CheckError>
//! ```
//!
//! that runs once per request, after the token is valid and meets every
//! other condition of the attribute. `Ok(())` runs the handler;
//! [`CheckError::refused`] answers 403 `insufficient_scope` with the check's
//! fixed `error_description`; [`CheckError::unavailable`] answers 503 with
//! `Retry-After`, and its cause goes to the log only.
//!
//! A check that panics, or that has not answered within `check_timeout`
//! seconds (configuration, default 5), answers 503 with `Retry-After` too,
//! counted and logged under its own [`Reason`](crate::verdict::Reason)
//! (`check_panicked`, `check_timeout`); the panic's message goes to the log,
//! never to the client. The bound cuts short a check that awaits (a PDP
//! that never answers), not one that blocks its thread without awaiting.
//!
//! ```
//! use maskinporten_rocket::{scopes, CheckError, Claims};
//! use rocket::{get, Request};
//!
//! /// Only the consumer's own system users.
//! async fn own_system_user(claims: &Claims, _request: &Request<'_>) -> Result<(), CheckError> {
//!     match claims.system_user() {
//!         Ok(Some(user)) if Some(user.orgno()) == claims.consumer_orgno() => Ok(()),
//!         _ => Err(CheckError::refused("The system user does not belong to the consumer")),
//!     }
//! }
//!
//! #[scopes("nav:helse/sykepenger/afp.read", system_user, check = own_system_user)]
//! #[get("/afp/own")]
//! fn own() -> &'static str {
//!     "yours"
//! }
//! # let _ = rocket::build().mount("/", maskinporten_rocket::routes![own]);
//! ```

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use rocket::Request;
use rocket::futures::FutureExt;

use crate::config::DEFAULT_CHECK_TIMEOUT;
use crate::rejection::{Outage, Refusal, Rejection};
use crate::validate::Validator;

/// The `error_description` sent instead of a check's own when that one
/// holds a character RFC 6750 §3 does not allow there.
const FALLBACK_DESCRIPTION: &str = "The request is not allowed for this token";

/// The most of a panic's message the log gets: enough to find the panic,
/// and no page of the app's text on one line.
const MAX_PANIC_MESSAGE: usize = 200;

/// Why a route's check did not let a request through: refused (403) or
/// unable to decide (503).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    kind: CheckErrorKind,
    /// For `Refused`, the client's `error_description`; for
    /// `Unavailable`, the cause, for the log only.
    text: String,
}

/// What a [`CheckError`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckErrorKind {
    /// 403 `insufficient_scope`, with the check's `error_description`.
    Refused,
    /// 503 with `Retry-After`: the check could not decide (the PDP it asks
    /// is down, say).
    Unavailable,
}

impl CheckError {
    /// A refusal: 403 `insufficient_scope` with `description` as the
    /// `error_description`. A fixed text, since it goes to the client:
    /// never a detail of the token or of the decision. RFC 6750 §3 allows
    /// printable ASCII there except `"` and `\`; a description with other
    /// characters is sent as a generic one, and the log says so.
    ///
    /// ```
    /// use maskinporten_rocket::{CheckError, CheckErrorKind};
    ///
    /// let refused = CheckError::refused("The system user may not act for this party");
    /// assert_eq!(refused.kind(), CheckErrorKind::Refused);
    /// ```
    pub fn refused(description: &'static str) -> CheckError {
        CheckError {
            kind: CheckErrorKind::Refused,
            text: description.to_owned(),
        }
    }

    /// The check could not decide: 503 with `Retry-After`. `cause` is
    /// logged (quoted, so it cannot forge log lines) and never sent.
    ///
    /// ```
    /// use maskinporten_rocket::{CheckError, CheckErrorKind};
    ///
    /// let down = CheckError::unavailable("the PDP answered 502");
    /// assert_eq!(down.kind(), CheckErrorKind::Unavailable);
    /// ```
    pub fn unavailable(cause: impl fmt::Display) -> CheckError {
        CheckError {
            kind: CheckErrorKind::Unavailable,
            text: cause.to_string(),
        }
    }

    /// Refused or unavailable.
    pub fn kind(&self) -> CheckErrorKind {
        self.kind
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            CheckErrorKind::Refused => write!(f, "the route's check refused: {:?}", self.text),
            CheckErrorKind::Unavailable => {
                write!(f, "the route's check could not decide: {:?}", self.text)
            }
        }
    }
}

impl std::error::Error for CheckError {}

/// Runs a route's check for `request`: what the guard `#[scopes(…, check =
/// f)]` generates awaits, with `check` the future of `f`'s call (an
/// `async` block, so that even a check that panics before its first
/// `await` panics in here). A panic and a check that outlasts
/// `check_timeout` are outages of their own, never a pass.
#[doc(hidden)]
pub async fn run(
    request: &Request<'_>,
    check: impl Future<Output = Result<(), CheckError>>,
) -> Result<(), Rejection> {
    // The guard reaches the check only after `authorize` found the
    // validator, so the default is never used in a running app.
    let bound = request
        .rocket()
        .state::<Validator>()
        .map_or(Duration::from_secs(DEFAULT_CHECK_TIMEOUT), |v| {
            v.check_timeout
        });
    // Unwind-safe to assert: the check sees the request and the claims
    // only by shared reference, and after a panic nothing of it is used
    // again but to answer 503 and drop the request; Rocket asserts the
    // same of a whole handler. Caught here rather than by Rocket, so the
    // answer is our 503, counted and logged, and not a bare 500.
    let caught = AssertUnwindSafe(check).catch_unwind();
    match tokio::time::timeout(bound, caught).await {
        Ok(Ok(decided)) => checked(decided),
        Ok(Err(payload)) => Err(Rejection::Unavailable(Outage::CheckPanicked(
            panic_message(payload.as_ref()),
        ))),
        // Dropping the check's future here cancels what it awaited.
        Err(_elapsed) => Err(Rejection::Unavailable(Outage::CheckTimeout(bound))),
    }
}

/// The message of a panic's payload (`panic!` with a literal gives a
/// `&str`, with arguments a `String`), cut to [`MAX_PANIC_MESSAGE`]
/// characters.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message");
    message.chars().take(MAX_PANIC_MESSAGE).collect()
}

/// What the guard makes of a check's answer.
fn checked(result: Result<(), CheckError>) -> Result<(), Rejection> {
    let Err(error) = result else {
        return Ok(());
    };
    Err(match error.kind {
        CheckErrorKind::Refused => {
            let description = if is_description(&error.text) {
                error.text
            } else {
                tracing::warn!(target: "maskinporten",
                    "a route's check refused with an error_description RFC 6750 does not allow \
                     ({:?}); sent {FALLBACK_DESCRIPTION:?} instead", error.text);
                FALLBACK_DESCRIPTION.to_owned()
            };
            Rejection::Forbidden(Refusal::Check(description))
        }
        CheckErrorKind::Unavailable => Rejection::Unavailable(Outage::Check(error.text)),
    })
}

/// RFC 6750 §3: `error_description` is `1*( %x20-21 / %x23-5B / %x5D-7E )`.
fn is_description(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_an_allowed_description() {
        let rejection = checked(Err(CheckError::refused("Not for this party"))).unwrap_err();
        assert_eq!(
            rejection,
            Rejection::Forbidden(Refusal::Check("Not for this party".into()))
        );
    }

    #[test]
    fn a_description_outside_rfc_6750s_characters_is_replaced() {
        for bad in ["say \"no\"", "back\\slash", "line\nbreak", "æøå", ""] {
            let rejection = checked(Err(CheckError::refused(bad))).unwrap_err();
            assert_eq!(
                rejection,
                Rejection::Forbidden(Refusal::Check(FALLBACK_DESCRIPTION.into())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn an_undecided_check_is_an_outage() {
        let rejection = checked(Err(CheckError::unavailable("PDP down"))).unwrap_err();
        assert_eq!(rejection.status().code, 503);
        assert_eq!(
            rejection,
            Rejection::Unavailable(Outage::Check("PDP down".into()))
        );
    }

    #[test]
    fn ok_passes() {
        assert_eq!(checked(Ok(())), Ok(()));
    }

    #[test]
    fn a_panics_message_is_read_whatever_its_type_and_cut_short() {
        let literal: Box<dyn Any + Send> = Box::new("boom");
        assert_eq!(panic_message(literal.as_ref()), "boom");
        let formatted: Box<dyn Any + Send> = Box::new(format!("boom {}", 42));
        assert_eq!(panic_message(formatted.as_ref()), "boom 42");
        let other: Box<dyn Any + Send> = Box::new(42_u32);
        assert_eq!(panic_message(other.as_ref()), "a panic without a message");
        let long: Box<dyn Any + Send> = Box::new("x".repeat(1_000));
        assert_eq!(panic_message(long.as_ref()).len(), MAX_PANIC_MESSAGE);
    }
}
