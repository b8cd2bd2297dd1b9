use super::*;
use rocket::http::Header;

fn headers(values: &[&'static str]) -> HeaderMap<'static> {
    let mut map = HeaderMap::new();
    for v in values {
        map.add(Header::new("Authorization", *v));
    }
    map
}

#[test]
fn scheme_is_case_insensitive() {
    for v in [
        "Bearer abc.def.ghi",
        "bearer abc.def.ghi",
        "BEARER  abc.def.ghi",
    ] {
        assert_eq!(bearer_token(&headers(&[v])), Ok("abc.def.ghi"), "{v}");
    }
}

#[test]
fn other_schemes_are_missing_credentials() {
    for v in ["Basic dXNlcjpwYXNz", "Bearerabc", "Token abc"] {
        assert_eq!(
            bearer_token(&headers(&[v])),
            Err(Rejection::MissingCredentials),
            "{v}"
        );
    }
    assert_eq!(
        bearer_token(&headers(&[])),
        Err(Rejection::MissingCredentials)
    );
}

#[test]
fn malformed_bearer_credentials_are_invalid_requests() {
    // Characters outside `b64token` ("Bearer a b", "Bearer æøå") are the
    // validator's check, on a cache miss: see `validate::tests` and the
    // end-to-end attack suite.
    for v in ["Bearer", "Bearer "] {
        assert!(
            matches!(
                bearer_token(&headers(&[v])),
                Err(Rejection::MalformedRequest(_))
            ),
            "{v}"
        );
    }
    assert!(matches!(
        bearer_token(&headers(&["Bearer a", "Bearer b"])),
        Err(Rejection::MalformedRequest(_))
    ));
}
