//! Every reason a request is refused, with the status and RFC 6750 error it
//! maps to (RFC 6750 §3, §3.1). The detail is for the log; clients only ever see the
//! fixed `error_description` of each kind.

use std::fmt;
use std::time::Duration;

use rocket::http::Status;

use crate::scope::Requirement;
use crate::token_error::TokenError;

/// The `error_description` of a 403 for a consumer outside the allow-list.
const CONSUMER_NOT_ALLOWED: &str = "The consumer organisation is not allowed";

/// Why a request did not get through. A guard's error type, so a handler or
/// catcher can tell the cases apart.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// No `Authorization: Bearer` credentials: 401 with a bare challenge.
    MissingCredentials,
    /// The `Authorization` header is malformed: 400 `invalid_request`.
    MalformedRequest(&'static str),
    /// The token is not valid: 401 `invalid_token`.
    InvalidToken(TokenError),
    /// The token is valid but lacks a required scope: 403 `insufficient_scope`.
    InsufficientScope(Requirement),
    /// The token is valid and has the scopes, but its consumer organisation
    /// is not on the handler's allow-list: 403 `insufficient_scope` with its
    /// own `error_description`.
    ConsumerNotAllowed(Requirement),
    /// The token has the scopes, but another condition of the route refuses
    /// it: 403 `insufficient_scope` with the condition's fixed
    /// `error_description`.
    Forbidden(Refusal),
    /// The validator could not decide (issuer or Texas unreachable): 503.
    Unavailable(Outage),
}

/// Why a token could not be judged: the request gets 503 with
/// `Retry-After`, never 401, and never passes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outage {
    /// The issuer's keys are not loaded, or the issuer's latest answer
    /// failed while the token names a `kid` we do not know.
    IssuerKeys,
    /// Texas did not answer in time, answered another status, or answered
    /// something that is not an introspection response; the text says
    /// which, for the log.
    Texas(String),
    /// A protected route ran on a Rocket without the fairing.
    FairingMissing,
    /// The route's check could not decide (`CheckError::unavailable`); the
    /// text is its cause, for the log.
    Check(String),
    /// The route's check panicked; the text is the panic's message, for the
    /// log.
    CheckPanicked(String),
    /// The route's check did not answer within `check_timeout`, this long.
    CheckTimeout(Duration),
}

/// A condition of the route beyond its scopes that the token does not meet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The route requires an Altinn system user (`system_user`) and the
    /// token has none.
    NotSystemUser,
    /// The system user's organisation is not on the route's
    /// `system_user_orgs`.
    SystemUserOrgNotAllowed,
    /// The token is for delegated access and the route says
    /// `delegation = deny`.
    Delegated,
    /// The token is not for delegated access and the route says
    /// `delegation = require`.
    NotDelegated,
    /// The route's check refused, with this `error_description`.
    Check(String),
}

impl Refusal {
    /// The fixed text sent as `error_description`.
    pub fn description(&self) -> &str {
        match self {
            Refusal::NotSystemUser => "The access token is not from a system user",
            Refusal::SystemUserOrgNotAllowed => "The system user's organisation is not allowed",
            Refusal::Delegated => "Delegated access is not allowed",
            Refusal::NotDelegated => "Only delegated access is allowed",
            Refusal::Check(description) => description,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotSystemUser => f.write_str("the route requires a system user"),
            Refusal::SystemUserOrgNotAllowed => {
                f.write_str("the system user's organisation is not in system_user_orgs")
            }
            Refusal::Delegated => f.write_str("delegated token on a delegation = deny route"),
            Refusal::NotDelegated => f.write_str("direct token on a delegation = require route"),
            Refusal::Check(description) => write!(f, "the route's check refused: {description:?}"),
        }
    }
}

impl fmt::Display for Outage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outage::IssuerKeys => f.write_str("the issuer's keys cannot be fetched"),
            Outage::Texas(why) => write!(f, "Texas {why}"),
            Outage::FairingMissing => f.write_str("fairing not attached"),
            Outage::Check(why) => write!(f, "the route's check could not decide: {why:?}"),
            // Debug-quoted: the app's text must not forge log lines.
            Outage::CheckPanicked(message) => write!(f, "the route's check panicked: {message:?}"),
            Outage::CheckTimeout(bound) => write!(
                f,
                "the route's check did not answer within check_timeout ({} s)",
                bound.as_secs()
            ),
        }
    }
}

impl Rejection {
    /// The status the response carries.
    pub fn status(&self) -> Status {
        match self {
            Rejection::MissingCredentials | Rejection::InvalidToken(_) => Status::Unauthorized,
            Rejection::MalformedRequest(_) => Status::BadRequest,
            Rejection::InsufficientScope(_)
            | Rejection::ConsumerNotAllowed(_)
            | Rejection::Forbidden(_) => Status::Forbidden,
            Rejection::Unavailable(_) => Status::ServiceUnavailable,
        }
    }

    /// The `WWW-Authenticate` value, or `None` for 503.
    pub(crate) fn challenge(&self, realm: Option<&str>) -> Option<String> {
        let mut value = String::from("Bearer");
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(realm) = realm {
            params.push(("realm", realm.to_owned()));
        }
        match self {
            Rejection::MissingCredentials => {}
            Rejection::MalformedRequest(_) => params.push(("error", "invalid_request".into())),
            Rejection::InvalidToken(e) => {
                params.push(("error", "invalid_token".into()));
                params.push(("error_description", e.description().into()));
            }
            Rejection::InsufficientScope(required) => {
                params.push(("error", "insufficient_scope".into()));
                params.push(("scope", required.to_string()));
            }
            Rejection::ConsumerNotAllowed(required) => {
                params.push(("error", "insufficient_scope".into()));
                params.push(("error_description", CONSUMER_NOT_ALLOWED.into()));
                params.push(("scope", required.to_string()));
            }
            Rejection::Forbidden(refusal) => {
                params.push(("error", "insufficient_scope".into()));
                params.push(("error_description", refusal.description().into()));
            }
            Rejection::Unavailable(_) => return None,
        }
        for (i, (name, v)) in params.iter().enumerate() {
            value.push_str(if i == 0 { " " } else { ", " });
            value.push_str(name);
            value.push_str("=\"");
            // Values are our own vocabulary, checked scopes or the configured
            // realm; escaping keeps even a strange realm a valid quoted-string.
            for c in v.chars() {
                if c == '"' || c == '\\' {
                    value.push('\\');
                }
                value.push(c);
            }
            value.push('"');
        }
        Some(value)
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::MissingCredentials => f.write_str("no bearer credentials"),
            Rejection::MalformedRequest(why) => write!(f, "malformed Authorization header: {why}"),
            Rejection::InvalidToken(e) => write!(f, "invalid token: {e}"),
            Rejection::InsufficientScope(required) => {
                write!(f, "token lacks the required scopes ({required})")
            }
            Rejection::ConsumerNotAllowed(required) => write!(
                f,
                "consumer not in the allow-list ({})",
                required.consumers().join(", ")
            ),
            Rejection::Forbidden(refusal) => write!(f, "{refusal}"),
            Rejection::Unavailable(why) => write!(f, "cannot decide: {why}"),
        }
    }
}

impl From<TokenError> for Rejection {
    fn from(e: TokenError) -> Self {
        Rejection::InvalidToken(e)
    }
}

#[cfg(test)]
mod tests;
