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

use std::fmt;

use crate::rejection::{Outage, Refusal, Rejection};

/// The `error_description` sent instead of a check's own when that one
/// holds a character RFC 6750 §3 does not allow there.
const FALLBACK_DESCRIPTION: &str = "The request is not allowed for this token";

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

/// What the guard makes of a check's answer. Called by the code
/// `#[scopes(…, check = f)]` generates.
#[doc(hidden)]
pub fn checked(result: Result<(), CheckError>) -> Result<(), Rejection> {
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
}
