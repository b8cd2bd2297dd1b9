use super::*;

#[test]
fn separator_defaults_to_colon_or_slash_as_nais_does() {
    let manifest = Manifest::from_yaml(
        "kind: Application\nspec:\n  maskinporten:\n    scopes:\n      exposes:\n\
         \x20       - { name: \"afp.read\", product: \"helse\", enabled: true }\n\
         \x20       - { name: \"sykepenger/afp.read\", product: \"helse\", enabled: true }\n\
         \x20       - { name: \"afp.write\", product: \"helse\", separator: \".\", enabled: true }\n",
        "nav",
    )
    .unwrap();
    let scopes: Vec<&str> = manifest
        .exposed()
        .iter()
        .map(|e| e.scope.as_str())
        .collect();
    assert_eq!(
        scopes,
        [
            "nav:helse:afp.read",
            "nav:helse/sykepenger/afp.read",
            "nav:helse.afp.write"
        ]
    );
}

#[test]
fn templating_and_other_kinds_are_ignored() {
    let manifest = Manifest::from_yaml(
        "kind: Application\nspec:\n  image: {{ image }}\n  maskinporten:\n    scopes:\n      exposes:\n\
         \x20       - { name: \"afp.read\", product: \"helse\", enabled: false }\n---\nkind: Topic\n",
        "nav",
    )
    .unwrap();
    assert_eq!(manifest.exposed().len(), 1);
    assert!(!manifest.exposed()[0].enabled);
}

#[test]
fn a_scope_nais_would_refuse_is_an_error() {
    let err = Manifest::from_yaml(
        "kind: Application\nspec:\n  maskinporten:\n    scopes:\n      exposes:\n\
         \x20       - { name: \"afp-read\", product: \"helse\", enabled: true }\n",
        "nav",
    )
    .unwrap_err();
    assert_eq!(
        err.kind(),
        &ManifestErrorKind::BadScope {
            name: "afp-read".into(),
            product: "helse".into()
        }
    );
    let cause = err.source().and_then(|e| e.downcast_ref::<ScopeError>());
    assert_eq!(
        cause.map(ScopeError::kind),
        Some(&maskinporten_scope::ScopeErrorKind::BadNameChar('-'))
    );
}

fn exposing(entry: &str) -> Result<Manifest, ManifestError> {
    Manifest::from_yaml(
        &format!(
            "kind: Application\nspec:\n  maskinporten:\n    scopes:\n      exposes:\n        - {entry}\n"
        ),
        "nav",
    )
}

#[test]
fn every_field_of_an_exposed_scope_is_read_with_nais_defaults() {
    let all = exposing(
        r#"{ name: "sykepenger/afp.read", product: "helse", enabled: true, separator: "/",
             consumers: [{ orgno: "123456789", name: "KLP" }], accessibleForAll: true,
             delegationSource: altinn, allowedIntegrations: [maskinporten, krr], atMaxAge: 300,
             visibility: private }"#,
    )
    .unwrap();
    let scope = &all.exposed()[0];
    assert_eq!(scope.scope.as_str(), "nav:helse/sykepenger/afp.read");
    assert_eq!(scope.consumers, ["123456789"]);
    assert!(scope.accessible_for_all);
    assert_eq!(scope.delegation_source, Some(DelegationSource::Altinn));
    assert_eq!(scope.allowed_integrations, ["maskinporten", "krr"]);
    assert_eq!(scope.at_max_age, Some(300));
    assert_eq!(scope.visibility, Visibility::Private);

    let defaults = exposing(r#"{ name: "afp.read", product: "helse" }"#).unwrap();
    let scope = &defaults.exposed()[0];
    assert!(scope.enabled && !scope.accessible_for_all);
    assert_eq!(scope.delegation_source, None);
    assert_eq!(scope.allowed_integrations, ["maskinporten"]);
    assert_eq!(scope.at_max_age, None);
    assert_eq!(scope.visibility, Visibility::Public);

    let templated = exposing(r#"{ name: "afp.read", product: "helse", atMaxAge: {{ age }} }"#);
    assert_eq!(templated.unwrap().exposed()[0].at_max_age, None);
}

#[test]
fn an_unknown_field_is_an_error_naming_the_scope() {
    let err =
        exposing(r#"{ name: "afp.read", product: "helse", acessibleForAll: true }"#).unwrap_err();
    assert_eq!(
        err.kind(),
        &ManifestErrorKind::UnknownField {
            name: "afp.read".into(),
            field: "acessibleForAll".into()
        }
    );
    assert!(err.to_string().contains("`afp.read`"), "{err}");
}

#[test]
fn a_value_nais_does_not_allow_is_an_error_naming_the_scope_and_field() {
    for (fields, field, value) in [
        ("atMaxAge: 29", "atMaxAge", "29"),
        ("atMaxAge: 681", "atMaxAge", "681"),
        ("atMaxAge: -5", "atMaxAge", "-5"),
        ("atMaxAge: soon", "atMaxAge", "\"soon\""),
        ("visibility: hidden", "visibility", "\"hidden\""),
        (
            "delegationSource: idporten",
            "delegationSource",
            "\"idporten\"",
        ),
        ("allowedIntegrations: []", "allowedIntegrations", "[]"),
        (
            r#"separator: ":", delegationSource: altinn"#,
            "separator",
            "\":\"",
        ),
    ] {
        let err = exposing(&format!(
            r#"{{ name: "afp.read", product: "helse", {fields} }}"#
        ))
        .unwrap_err();
        assert_eq!(
            err.kind(),
            &ManifestErrorKind::BadValue {
                name: "afp.read".into(),
                field,
                value: value.into()
            },
            "{fields}"
        );
    }
    for age in [30, 680] {
        let fields = format!(r#"{{ name: "afp.read", product: "helse", atMaxAge: {age} }}"#);
        assert_eq!(
            exposing(&fields).unwrap().exposed()[0].at_max_age,
            Some(age)
        );
    }
}
