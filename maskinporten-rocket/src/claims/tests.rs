use super::*;
use serde_json::json;

fn claims(value: Value) -> Result<Claims, TokenError> {
    match value {
        Value::Object(map) => Claims::from_object(map),
        _ => unreachable!("tests pass objects"),
    }
}

#[test]
fn maskinporten_example_reads_into_typed_claims() {
    let c = claims(json!({
        "iss": "https://test.maskinporten.no/", "scope": "nav:helse/sykepenger/afp.read",
        "client_id": "c1", "consumer": {"authority": "iso6523-actorid-upis", "ID": "0192:123456789"},
        "supplier": {"authority": "iso6523-actorid-upis", "ID": "0192:987654321"},
        "iat": 1730977293, "exp": 1730977413, "jti": "j1"
    }))
    .unwrap();
    assert_eq!(c.consumer_orgno(), Some("123456789"));
    assert_eq!(c.supplier_orgno(), Some("987654321"));
    assert_eq!(c.expires_at(), 1730977413);
    assert!(c.has_scope("nav:helse/sykepenger/afp.read"));
    assert!(c.audience().is_empty());
}

#[test]
fn string_exp_is_malformed_not_coerced() {
    let err = claims(json!({"iss": "i", "exp": "1730977413"})).unwrap_err();
    assert_eq!(err, TokenError::Malformed("exp"));
}

#[test]
fn time_checks_honour_the_leeway() {
    let c = claims(json!({"iss": "i", "exp": 100, "nbf": 50, "iat": 50})).unwrap();
    assert_eq!(c.check_time(104, 5), Ok(()));
    assert_eq!(c.check_time(105, 5), Err(TokenError::Expired));
    assert_eq!(c.check_time(44, 5), Err(TokenError::NotYetValid));
    assert_eq!(c.check_time(45, 5), Ok(()));
}
