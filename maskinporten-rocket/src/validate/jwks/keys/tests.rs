use super::*;
use serde_json::json;

// A 2048-bit modulus is 342 base64url characters; its value does not
// matter to the parser.
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
                kid: "hmac".into(),
                alg: "HS256".into()
            },
            JwkError::NotRsa,
            JwkError::ShortModulus {
                kid: "short".into()
            },
            JwkError::NoKid,
        ]
    );
    assert_eq!(keys["good"].algorithm, Algorithm::RS256);
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
