use super::*;
use crate::scope::Requirement;

const REQUIREMENT: Requirement = Requirement::all(&["nav:helse/sykepenger/afp.read"]);

#[test]
fn every_rejection_has_its_outcome_and_reason() {
    let cases = [
        (
            Rejection::MissingCredentials,
            "missing_token",
            "no_bearer_credentials",
        ),
        (
            Rejection::MalformedRequest("x"),
            "invalid_request",
            "malformed_authorization",
        ),
        (
            TokenError::Malformed("x").into(),
            "invalid_token",
            "malformed_token",
        ),
        (
            TokenError::ForbiddenHeader("crit").into(),
            "invalid_token",
            "forbidden_header",
        ),
        (
            TokenError::Algorithm("none".into()).into(),
            "invalid_token",
            "algorithm",
        ),
        (
            TokenError::UnknownKey.into(),
            "invalid_token",
            "unknown_key",
        ),
        (
            TokenError::BadSignature.into(),
            "invalid_token",
            "bad_signature",
        ),
        (TokenError::Expired.into(), "invalid_token", "expired"),
        (
            TokenError::NotYetValid.into(),
            "invalid_token",
            "not_yet_valid",
        ),
        (
            TokenError::WrongIssuer.into(),
            "invalid_token",
            "wrong_issuer",
        ),
        (
            TokenError::WrongAudience.into(),
            "invalid_token",
            "wrong_audience",
        ),
        (
            TokenError::Inactive("x".into()).into(),
            "invalid_token",
            "inactive",
        ),
        (
            Rejection::InsufficientScope(REQUIREMENT),
            "insufficient_scope",
            "scope",
        ),
        (
            Rejection::ConsumerNotAllowed(REQUIREMENT),
            "consumer_not_allowed",
            "consumer",
        ),
        (
            Rejection::Unavailable(Outage::IssuerKeys),
            "unavailable",
            "issuer_keys",
        ),
        (
            Rejection::Unavailable(Outage::Texas("x".into())),
            "unavailable",
            "texas",
        ),
        (
            Rejection::Unavailable(Outage::FairingMissing),
            "unavailable",
            "fairing_missing",
        ),
        (
            TokenError::MalformedSystemUser(crate::claims::SystemUserError::of_kind(
                crate::claims::SystemUserErrorKind::NotIso6523,
            ))
            .into(),
            "invalid_token",
            "malformed_system_user",
        ),
        (
            Rejection::Forbidden(Refusal::NotSystemUser),
            "insufficient_scope",
            "not_system_user",
        ),
        (
            Rejection::Forbidden(Refusal::SystemUserOrgNotAllowed),
            "consumer_not_allowed",
            "system_user_org",
        ),
        (
            Rejection::Forbidden(Refusal::Delegated),
            "insufficient_scope",
            "delegated",
        ),
        (
            Rejection::Forbidden(Refusal::NotDelegated),
            "insufficient_scope",
            "not_delegated",
        ),
        (
            Rejection::Forbidden(Refusal::Check("No".into())),
            "insufficient_scope",
            "check",
        ),
        (
            Rejection::Unavailable(Outage::Check("PDP down".into())),
            "unavailable",
            "check_unavailable",
        ),
        (
            Rejection::Unavailable(Outage::CheckPanicked("boom".into())),
            "unavailable",
            "check_panicked",
        ),
        (
            Rejection::Unavailable(Outage::CheckTimeout(std::time::Duration::from_secs(5))),
            "unavailable",
            "check_timeout",
        ),
    ];
    let mut reasons = std::collections::HashSet::new();
    for (rejection, outcome, reason) in cases {
        let verdict = Verdict::from(&rejection);
        assert_eq!(verdict.outcome().as_str(), outcome, "{rejection}");
        assert_eq!(verdict.reason().as_str(), reason, "{rejection}");
        assert!(!verdict.is_allowed());
        // One reason per case: the label tells them apart.
        assert!(reasons.insert(reason), "{reason} twice");
    }
    assert_eq!(Verdict::ALLOWED.outcome().as_str(), "allowed");
    assert_eq!(Verdict::ALLOWED.reason().as_str(), "none");
}
