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
