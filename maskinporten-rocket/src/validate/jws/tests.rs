use super::*;

fn b64(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s)
}

fn token(header: &str, payload: &str) -> String {
    format!("{}.{}.c2ln", b64(header), b64(payload))
}

#[test]
fn duplicate_claims_are_refused() {
    let t = token(
        r#"{"alg":"RS256","kid":"k"}"#,
        r#"{"iss":"i","exp":1,"scope":"a","scope":"b"}"#,
    );
    let payload = Jws::parse(&t).unwrap().payload().unwrap();
    assert_eq!(
        crate::claims::Claims::from_payload(payload).unwrap_err(),
        TokenError::Malformed("payload")
    );
}

#[test]
fn a_signature_longer_than_rsa_8192_is_refused_before_verifying() {
    let mut buffer = [0; SIGNATURE_BUFFER];
    for (octets, fits) in [(256, true), (1024, true), (1025, false), (4096, false)] {
        let t = format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS256","kid":"k"}"#),
            b64("{}"),
            URL_SAFE_NO_PAD.encode(vec![7u8; octets])
        );
        let jws = Jws::parse(&t).unwrap();
        match jws.signature(&mut buffer) {
            Ok(signature) => assert!(fits && signature.len() == octets, "{octets}"),
            Err(e) => assert!(!fits && e == TokenError::BadSignature, "{octets}"),
        }
    }
}

#[test]
fn duplicate_header_parameters_are_refused() {
    let t = token(r#"{"alg":"none","alg":"RS256","kid":"k"}"#, "{}");
    assert_eq!(Jws::parse(&t).err(), Some(TokenError::Malformed("header")));
}

#[test]
fn key_material_in_the_header_is_refused() {
    for name in KEY_MATERIAL_HEADERS {
        let t = token(
            &format!(r#"{{"alg":"RS256","kid":"k","{name}":"x"}}"#),
            "{}",
        );
        assert_eq!(
            Jws::parse(&t).err(),
            Some(TokenError::ForbiddenHeader(name))
        );
    }
}

#[test]
fn padding_and_foreign_characters_are_malformed() {
    let good = token(r#"{"alg":"RS256","kid":"k"}"#, "{}");
    for bad in [
        format!("{good}="),
        good.replace('.', ".+"),
        format!("{good}.x"),
    ] {
        assert!(
            matches!(Jws::parse(&bad), Err(TokenError::Malformed(_))),
            "{bad}"
        );
    }
}

#[test]
fn the_signing_input_is_header_dot_payload() {
    let t = token(r#"{"alg":"RS256","kid":"k"}"#, "{}");
    let jws = Jws::parse(&t).unwrap();
    assert_eq!(format!("{}.{}", jws.signing_input, jws.signature_b64), t);
}

#[test]
fn base64url_accepts_exactly_its_alphabet() {
    for b in 0u8..=255 {
        let expected = b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        // At every position of a long run, where the vectorised scan works
        // in blocks, and alone.
        for len in [1, 33, 100] {
            for at in [0, len / 2, len - 1] {
                let mut part = vec![b'A'; len];
                part[at] = b;
                assert_eq!(
                    is_base64url(&part),
                    expected,
                    "byte {b:#04x} at {at} of {len}"
                );
            }
        }
    }
    assert!(is_base64url(b""));
}
