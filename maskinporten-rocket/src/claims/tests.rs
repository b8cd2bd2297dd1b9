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

fn with_details(details: Value) -> Claims {
    claims(json!({"iss": "i", "exp": 1, "authorization_details": details})).unwrap()
}

fn system_user_entry(org: Value) -> Value {
    json!({
        "type": "urn:altinn:systemuser",
        "systemuser_org": org,
        "systemuser_id": ["a9f05ba1-3ec7-4b7a-a3b2-6b1c5d0c7e11"],
        "system_id": "987654321_afp-system",
    })
}

#[test]
fn a_system_user_reads_with_either_spelling_of_the_organisation_key() {
    for key in ["ID", "id"] {
        let org = json!({"authority": "iso6523-actorid-upis", key: "0192:123456789"});
        let c = with_details(json!([{"type": "other"}, system_user_entry(org)]));
        let user = c.system_user().unwrap().expect("a system user");
        assert_eq!(user.orgno(), "123456789", "{key}");
        assert_eq!(user.ids(), ["a9f05ba1-3ec7-4b7a-a3b2-6b1c5d0c7e11"]);
        assert_eq!(user.system_id(), "987654321_afp-system");
    }
}

#[test]
fn no_system_user_entry_is_none_not_an_error() {
    let plain = claims(json!({"iss": "i", "exp": 1})).unwrap();
    assert_eq!(plain.system_user(), Ok(None));
    let other = with_details(json!([{"type": "urn:other", "x": 1}]));
    assert_eq!(other.system_user(), Ok(None));
}

/// A malformed entry does not make the token invalid: the claims read, and
/// the error waits for a route that asks for a system user.
#[test]
fn a_malformed_system_user_is_an_error_of_its_own_kind() {
    use SystemUserErrorKind::*;
    let org = |value: Value| system_user_entry(value);
    let good_org = json!({"authority": "iso6523-actorid-upis", "ID": "0192:123456789"});
    let mut no_ids = system_user_entry(good_org.clone());
    no_ids["systemuser_id"] = json!("a9f05ba1");
    let mut numeric_ids = system_user_entry(good_org.clone());
    numeric_ids["systemuser_id"] = json!([1, 2]);
    let mut no_system = system_user_entry(good_org.clone());
    no_system["system_id"] = json!(7);
    for (details, kind) in [
        (json!({"type": "urn:altinn:systemuser"}), DetailsNotArray),
        (
            json!([org(good_org.clone()), org(good_org.clone())]),
            MoreThanOne,
        ),
        (json!([org(json!("0192:123456789"))]), NoOrganisation),
        (
            json!([org(json!({"authority": "other", "ID": "0192:123456789"}))]),
            NotIso6523,
        ),
        (
            json!([org(
                json!({"authority": "iso6523-actorid-upis", "ID": "0192:123456789", "id": "0192:123456789"})
            )]),
            AmbiguousOrganisation,
        ),
        (
            json!([org(
                json!({"authority": "iso6523-actorid-upis", "ID": "123456789"})
            )]),
            NotAnOrganisationNumber,
        ),
        (
            json!([org(
                json!({"authority": "iso6523-actorid-upis", "ID": "0192:12345678"})
            )]),
            NotAnOrganisationNumber,
        ),
        (
            json!([org(
                json!({"authority": "iso6523-actorid-upis", "ID": "0192:12345678x"})
            )]),
            NotAnOrganisationNumber,
        ),
        (
            json!([org(json!({"authority": "iso6523-actorid-upis"}))]),
            NotAnOrganisationNumber,
        ),
        (json!([no_ids]), IdsNotStrings),
        (json!([numeric_ids]), IdsNotStrings),
        (json!([no_system]), NoSystemId),
    ] {
        let c = with_details(details.clone());
        assert_eq!(
            c.system_user().map_err(|e| e.kind()),
            Err(kind),
            "{details}"
        );
    }
}

#[test]
fn delegation_is_a_supplier_other_than_the_consumer() {
    let org =
        |orgno: &str| json!({"authority": "iso6523-actorid-upis", "ID": format!("0192:{orgno}")});
    let token = |extra: Value| {
        let mut claims_json = json!({"iss": "i", "exp": 1});
        claims_json
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        claims(claims_json).unwrap()
    };
    assert!(!token(json!({"consumer": org("111111111")})).is_delegated());
    assert!(
        token(json!({"consumer": org("111111111"), "supplier": org("222222222")})).is_delegated()
    );
    assert!(
        !token(json!({"consumer": org("111111111"), "supplier": org("111111111")})).is_delegated()
    );
    let delegated = token(json!({"consumer": org("111111111"), "supplier": org("222222222")}));
    assert_eq!(delegated.supplier_orgno(), Some("222222222"));
}
