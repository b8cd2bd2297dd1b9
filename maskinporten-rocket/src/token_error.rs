//! Why a token is refused as invalid, and why its system user cannot be
//! read: below both the claims, which find these faults while reading a
//! token, and the rejection, which answers them.

use std::fmt;

/// Why a token is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a compact JWS, bad base64url, bad JSON, a claim of the wrong type.
    Malformed(&'static str),
    /// A header the resource server does not accept (`crit`, key material,
    /// nested token).
    ForbiddenHeader(&'static str),
    /// The `alg` is not the one the key allows.
    Algorithm(String),
    /// No key in the JWKS has the token's `kid`.
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// `exp` has passed.
    Expired,
    /// `nbf` or `iat` lies in the future.
    NotYetValid,
    /// `iss` is not the configured issuer.
    WrongIssuer,
    /// `aud` does not hold the configured audience.
    WrongAudience,
    /// The introspection endpoint said the token is not active.
    Inactive(String),
    /// The token's Altinn system user cannot be read, on a route that
    /// requires one (other routes ignore it).
    MalformedSystemUser(SystemUserError),
}

impl TokenError {
    /// The fixed text sent as `error_description`: it never carries detail
    /// from the token, the key or the validator.
    pub fn description(&self) -> &'static str {
        match self {
            TokenError::Malformed(_) => "The access token is malformed",
            TokenError::ForbiddenHeader(_) | TokenError::Algorithm(_) => {
                "The access token header is not accepted"
            }
            TokenError::UnknownKey => "The access token is signed with an unknown key",
            TokenError::BadSignature => "The access token signature is invalid",
            TokenError::Expired => "The access token expired",
            TokenError::NotYetValid => "The access token is not valid yet",
            TokenError::WrongIssuer => "The access token is from another issuer",
            TokenError::WrongAudience => "The access token is for another audience",
            TokenError::Inactive(_) => "The access token is not active",
            TokenError::MalformedSystemUser(_) => "The access token's system user is malformed",
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Malformed(why) => write!(f, "malformed token: {why}"),
            TokenError::ForbiddenHeader(what) => write!(f, "refused header: {what}"),
            TokenError::Algorithm(alg) => write!(f, "algorithm {alg:?} not allowed for this key"),
            TokenError::UnknownKey => f.write_str("no key with the token's kid"),
            TokenError::BadSignature => f.write_str("signature does not verify"),
            TokenError::Expired => f.write_str("token expired"),
            TokenError::NotYetValid => f.write_str("nbf or iat is in the future"),
            TokenError::WrongIssuer => f.write_str("iss is not the configured issuer"),
            TokenError::WrongAudience => f.write_str("aud does not hold the configured audience"),
            // Debug-quoted: the text comes from the network and must not
            // forge log lines.
            TokenError::Inactive(why) => write!(f, "introspection says inactive: {why:?}"),
            TokenError::MalformedSystemUser(error) => write!(f, "malformed system user: {error}"),
        }
    }
}

/// Why a token's system user cannot be read. The token is still valid: only
/// routes that ask for a system user refuse it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemUserError {
    kind: SystemUserErrorKind,
}

/// What is wrong with a token's `authorization_details`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SystemUserErrorKind {
    /// `authorization_details` is not an array (RFC 9396 §2).
    DetailsNotArray,
    /// More than one entry of type `urn:altinn:systemuser`.
    MoreThanOne,
    /// `systemuser_org` is missing or not an object.
    NoOrganisation,
    /// `systemuser_org.authority` is not `iso6523-actorid-upis`.
    NotIso6523,
    /// `systemuser_org` has both `ID` and `id`.
    AmbiguousOrganisation,
    /// The organisation is not `0192:` and nine digits.
    NotAnOrganisationNumber,
    /// `systemuser_id` is missing, or not a list of strings.
    IdsNotStrings,
    /// `system_id` is missing or not a string.
    NoSystemId,
}

impl SystemUserError {
    pub(crate) fn of_kind(kind: SystemUserErrorKind) -> SystemUserError {
        SystemUserError { kind }
    }

    /// What is wrong.
    pub fn kind(&self) -> SystemUserErrorKind {
        self.kind
    }
}

impl fmt::Display for SystemUserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SystemUserErrorKind::*;
        f.write_str(match self.kind {
            DetailsNotArray => "authorization_details is not an array",
            MoreThanOne => "more than one urn:altinn:systemuser entry",
            NoOrganisation => "the system user has no systemuser_org object",
            NotIso6523 => "systemuser_org.authority is not iso6523-actorid-upis",
            AmbiguousOrganisation => "systemuser_org has both ID and id",
            NotAnOrganisationNumber => "systemuser_org is not 0192: and nine digits",
            IdsNotStrings => "systemuser_id is not a list of strings",
            NoSystemId => "system_id is missing or not a string",
        })
    }
}

impl std::error::Error for SystemUserError {}
