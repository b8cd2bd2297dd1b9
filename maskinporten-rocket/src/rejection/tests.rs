use super::*;

#[test]
fn challenges_follow_rfc_6750() {
    assert_eq!(
        Rejection::MissingCredentials.challenge(None).as_deref(),
        Some("Bearer")
    );
    assert_eq!(
        Rejection::MissingCredentials
            .challenge(Some("afp"))
            .as_deref(),
        Some("Bearer realm=\"afp\"")
    );
    assert_eq!(
        Rejection::MalformedRequest("x").challenge(None).as_deref(),
        Some("Bearer error=\"invalid_request\"")
    );
    assert_eq!(
        Rejection::InvalidToken(TokenError::Expired)
            .challenge(None)
            .as_deref(),
        Some("Bearer error=\"invalid_token\", error_description=\"The access token expired\"")
    );
    assert_eq!(
        Rejection::InsufficientScope(Requirement::all(&["nav:a/bc", "nav:a/de"]))
            .challenge(None)
            .as_deref(),
        Some("Bearer error=\"insufficient_scope\", scope=\"nav:a/bc nav:a/de\"")
    );
    assert_eq!(
        Rejection::Forbidden(Refusal::Delegated)
            .challenge(Some("afp"))
            .as_deref(),
        Some(
            "Bearer realm=\"afp\", error=\"insufficient_scope\", \
             error_description=\"Delegated access is not allowed\""
        )
    );
    assert_eq!(
        Rejection::Unavailable(Outage::IssuerKeys).challenge(None),
        None
    );
    assert_eq!(
        Rejection::Unavailable(Outage::Check("PDP down".into())).challenge(None),
        None
    );
}

#[test]
fn descriptions_never_carry_the_detail() {
    let e = TokenError::Inactive("token is expired, secret=abc".into());
    assert!(!e.description().contains("secret"));
    let e = TokenError::Algorithm("HS256-with-key".into());
    assert!(!e.description().contains("HS256"));
}
