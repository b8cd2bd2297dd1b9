use super::*;
use serde_json::json;

// A 2048-bit modulus is 342 base64url characters, the first of which
// ('w' = 0b110000) has the top bit set; its value does not otherwise matter
// to the parser.
fn modulus() -> String {
    "w".repeat(342)
}

#[test]
fn keys_that_cannot_verify_rs256_tokens_are_skipped() {
    let n = modulus();
    let jwks = json!({"keys": [
        {"kty": "RSA", "kid": "good", "n": n, "e": "AQAB"},
        {"kty": "RSA", "kid": "enc", "use": "enc", "n": n, "e": "AQAB"},
        {"kty": "RSA", "kid": "hmac", "alg": "HS256", "n": n, "e": "AQAB"},
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "x", "y": "y"},
        {"kty": "RSA", "kid": "short", "n": "w".repeat(100), "e": "AQAB"},
        {"kty": "RSA", "n": n, "e": "AQAB"},
        {"kty": "RSA", "kid": "sign-only", "key_ops": ["sign"], "n": n, "e": "AQAB"},
        {"kty": "RSA", "kid": "ops-not-list", "key_ops": "verify", "n": n, "e": "AQAB"},
        {"kty": "RSA", "kid": "use-number", "use": 1, "n": n, "e": "AQAB"},
        {"kty": "RSA", "kid": "e-one", "n": n, "e": "AQ"},
        {"kty": "RSA", "kid": "e-even", "n": n, "e": "AQAA"},
        {"kty": "RSA", "kid": "e-zero", "n": n, "e": "AA"},
    ]});
    let keys = parse_jwks(&jwks).unwrap();
    assert_eq!(keys.keys().collect::<Vec<_>>(), vec!["good"]);
    let skipped: Vec<JwkError> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|jwk| parse_jwk(jwk).err())
        .collect();
    assert_eq!(
        skipped,
        [
            JwkError::NotForSigning,
            JwkError::NotRsaAlgorithm {
                alg: "HS256".into()
            },
            JwkError::NotRsa,
            JwkError::ShortModulus { bits: 600 },
            JwkError::NoKid,
            JwkError::NotForVerifying,
            JwkError::NotForVerifying,
            JwkError::NotForSigning,
            JwkError::BadExponent,
            JwkError::BadExponent,
            JwkError::BadExponent,
        ]
    );
    assert_eq!(keys["good"].algorithm, Algorithm::RS256);
}

#[test]
fn the_modulus_is_counted_in_bits_not_bytes() {
    assert_eq!(significant_bits(&[]), 0);
    assert_eq!(significant_bits(&[0, 0]), 0);
    assert_eq!(significant_bits(&[1]), 1);
    assert_eq!(significant_bits(&[0, 0x80, 0]), 16);
    let mut n = vec![0xff_u8; 256];
    assert_eq!(significant_bits(&n), 2048);
    n[0] = 0x7f;
    assert_eq!(significant_bits(&n), 2047);
    n.insert(0, 0);
    assert_eq!(significant_bits(&n), 2047);
    let jwk = json!({"kty": "RSA", "kid": "k", "n": URL_SAFE_NO_PAD.encode(&n), "e": "AQAB"});
    assert_eq!(
        parse_jwk(&jwk).err(),
        Some(JwkError::ShortModulus { bits: 2047 })
    );
}

#[test]
fn use_and_key_ops_together_must_both_allow_verifying() {
    let n = modulus();
    let jwk = |extra: Value| {
        let mut jwk = json!({"kty": "RSA", "kid": "k", "n": n, "e": "AQAB"});
        for (name, value) in extra.as_object().unwrap() {
            jwk[name] = value.clone();
        }
        parse_jwk(&jwk).err()
    };
    assert_eq!(jwk(json!({"use": "sig", "key_ops": ["verify"]})), None);
    assert_eq!(
        jwk(json!({"use": "sig", "key_ops": ["encrypt"]})),
        Some(JwkError::NotForVerifying)
    );
    assert_eq!(
        jwk(json!({"use": "enc", "key_ops": ["verify"]})),
        Some(JwkError::NotForSigning)
    );
}

#[test]
fn a_kid_listed_twice_is_used_for_neither() {
    let n = modulus();
    let jwks = json!({"keys": [
        {"kty": "RSA", "kid": "good", "n": n, "e": "AQAB"},
        {"kty": "RSA", "kid": "twice", "n": n, "e": "AQAB"},
        {"kty": "RSA", "kid": "twice", "n": n, "e": "AQAB"},
    ]});
    let keys = parse_jwks(&jwks).unwrap();
    assert_eq!(keys.keys().collect::<Vec<_>>(), vec!["good"]);
}

#[test]
fn a_set_without_usable_keys_is_refused() {
    let refused = |jwks| parse_jwks(&jwks).err();
    assert_eq!(refused(json!({"keys": []})), Some(KeySetError::NoUsableKey));
    assert_eq!(refused(json!({"kids": []})), Some(KeySetError::NoKeysArray));
    assert_eq!(
        refused(json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})),
        Some(KeySetError::NoUsableKey)
    );
}

#[test]
fn the_issuer_is_read_back_from_its_well_known_url() {
    let formed = |url: &str| issuer_of_well_known_url(&reqwest::Url::parse(url).unwrap());
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        formed("https://maskinporten.no/.well-known/oauth-authorization-server"),
        some("https://maskinporten.no")
    );
    assert_eq!(
        formed("https://as.example:8443/.well-known/oauth-authorization-server/tenant/1"),
        some("https://as.example:8443/tenant/1")
    );
    assert_eq!(
        formed("https://as.example/tenant/.well-known/openid-configuration"),
        some("https://as.example/tenant")
    );
    assert_eq!(
        formed("https://as.example/.well-known/oauth-authorization-serverx"),
        None
    );
    assert_eq!(formed("https://as.example/metadata.json"), None);
}

#[test]
fn issuers_are_the_same_up_to_one_trailing_slash() {
    assert!(same_issuer(
        "https://maskinporten.no/",
        "https://maskinporten.no"
    ));
    assert!(same_issuer(
        "https://maskinporten.no",
        "https://maskinporten.no/"
    ));
    assert!(same_issuer(
        "https://maskinporten.no/",
        "https://maskinporten.no/"
    ));
    assert!(!same_issuer(
        "https://maskinporten.no//",
        "https://maskinporten.no"
    ));
    assert!(!same_issuer(
        "https://Maskinporten.no/",
        "https://maskinporten.no/"
    ));
    assert!(!same_issuer(
        "https://maskinporten.no:443/",
        "https://maskinporten.no/"
    ));
    assert!(!same_issuer(
        "https://test.maskinporten.no/",
        "https://maskinporten.no/"
    ));
}
