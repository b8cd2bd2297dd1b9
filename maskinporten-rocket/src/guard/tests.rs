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
fn b64token_accepts_exactly_its_alphabet() {
    for b in 0u8..=255 {
        let expected = b.is_ascii_alphanumeric() || b"-._~+/".contains(&b);
        let token = [b'a', b];
        let token = String::from_utf8_lossy(&token);
        if token.len() == 2 {
            assert_eq!(is_b64token(&token), expected || b == b'=', "byte {b:#04x}");
        }
    }
    assert!(is_b64token("abc=="));
    assert!(!is_b64token("=="));
    assert!(!is_b64token("a=b"));
}

#[test]
fn malformed_bearer_credentials_are_invalid_requests() {
    for v in [
        "Bearer",
        "Bearer ",
        "Bearer a b",
        "Bearer a\"b",
        "Bearer ==",
        "Bearer æøå",
    ] {
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
