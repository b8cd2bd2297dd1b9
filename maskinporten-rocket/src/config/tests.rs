use super::*;

fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

#[test]
fn nais_variables_are_the_defaults() {
    let env = env_of(&[
        ("MASKINPORTEN_ISSUER", "https://test.maskinporten.no/"),
        ("MASKINPORTEN_JWKS_URI", "https://test.maskinporten.no/jwk"),
    ]);
    let config = Config::from_sources(&Figment::new(), env).unwrap();
    assert_eq!(
        config.issuer.as_deref(),
        Some("https://test.maskinporten.no/")
    );
    assert_eq!(
        config.jwks_uri.as_deref(),
        Some("https://test.maskinporten.no/jwk")
    );
    assert!(config.settings().is_ok());
}

#[test]
fn explicit_keys_win_over_the_environment() {
    let env = env_of(&[("MASKINPORTEN_ISSUER", "https://from-env/")]);
    let figment = Figment::new().merge(("maskinporten.issuer", "https://explicit/"));
    let config = Config::from_sources(&figment, env).unwrap();
    assert_eq!(config.issuer.as_deref(), Some("https://explicit/"));
}

#[test]
fn an_explicit_issuer_source_replaces_all_three_nais_variables() {
    let env = env_of(&[
        ("MASKINPORTEN_ISSUER", "https://test.maskinporten.no/"),
        ("MASKINPORTEN_JWKS_URI", "https://test.maskinporten.no/jwk"),
        (
            "MASKINPORTEN_WELL_KNOWN_URL",
            "https://test.maskinporten.no/.well-known/oauth-authorization-server",
        ),
        (
            "NAIS_TOKEN_INTROSPECTION_ENDPOINT",
            "http://127.0.0.1:7164/api/v1/introspect",
        ),
    ]);
    let figment = Figment::new().merge((
        "maskinporten.well_known_url",
        "http://127.0.0.1:1/.well-known/oauth-authorization-server",
    ));
    let config = Config::from_sources(&figment, env).unwrap();
    assert_eq!(config.issuer, None);
    assert_eq!(config.jwks_uri, None);
    assert_eq!(
        config.well_known_url.as_deref(),
        Some("http://127.0.0.1:1/.well-known/oauth-authorization-server")
    );
    // Texas's endpoint is another matter and still comes from NAIS.
    assert!(config.introspection_endpoint.is_some());
}

#[test]
fn no_issuer_source_names_the_key_and_the_variable() {
    let config = Config::from_sources(&Figment::new(), |_| None).unwrap();
    let err = config.settings().unwrap_err().to_string();
    assert!(err.contains("maskinporten.issuer"), "{err}");
    assert!(err.contains("MASKINPORTEN_ISSUER"), "{err}");
}

#[test]
fn relative_audience_is_refused() {
    let figment = Figment::new()
        .merge((
            "maskinporten.well_known_url",
            "https://issuer/.well-known/oauth-authorization-server",
        ))
        .merge(("maskinporten.audience", "afp-api"));
    let config = Config::from_sources(&figment, |_| None).unwrap();
    let err = config.settings().unwrap_err().to_string();
    assert!(err.contains("maskinporten.audience"), "{err}");
}

#[test]
fn zero_cooldown_and_huge_leeway_are_refused() {
    let base = Figment::new()
        .merge(("maskinporten.issuer", "https://issuer/"))
        .merge(("maskinporten.jwks_uri", "https://issuer/jwks"));
    for (key, value, named) in [
        ("refresh_cooldown", 0u64, "refresh_cooldown"),
        ("leeway", 301, "leeway"),
    ] {
        let figment = base.clone().merge((format!("maskinporten.{key}"), value));
        let config = Config::from_sources(&figment, |_| None).unwrap();
        let err = config.settings().unwrap_err().to_string();
        assert!(err.contains(named), "{err}");
    }
}

#[test]
fn unknown_keys_are_an_error_not_ignored() {
    let figment = Figment::new().merge(("maskinporten.issuers", "https://typo/"));
    assert!(Config::from_sources(&figment, |_| None).is_err());
}

/// What the README promises: Rocket's own sources, by Rocket's rules.
#[test]
#[allow(clippy::result_large_err)] // Jail's closure returns figment::Error
fn rocket_toml_and_rocket_env_reach_the_table() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "Rocket.toml",
            "[default.maskinporten]\nleeway = 7\n[debug.maskinporten]\nrealm = \"afp\"\n",
        )?;
        jail.set_env(
            "ROCKET_MASKINPORTEN",
            r#"{validation="texas",introspection_endpoint="http://127.0.0.1:7164/api/v1/introspect"}"#,
        );
        let config = Config::from_figment(&rocket::Config::figment())?;
        assert_eq!(config.validation, ValidationMode::Texas);
        assert_eq!(config.leeway, 7);
        assert_eq!(
            config.realm.as_deref(),
            Some("afp"),
            "the debug profile applies"
        );
        Ok(())
    });
}

#[test]
fn texas_without_an_endpoint_names_the_variable() {
    let figment = Figment::new().merge(("maskinporten.validation", "texas"));
    let config = Config::from_sources(&figment, |_| None).unwrap();
    let err = config.settings().unwrap_err().to_string();
    assert!(err.contains("NAIS_TOKEN_INTROSPECTION_ENDPOINT"), "{err}");
}

#[test]
fn texas_needs_no_issuer() {
    let env = env_of(&[(
        "NAIS_TOKEN_INTROSPECTION_ENDPOINT",
        "http://127.0.0.1:7164/api/v1/introspect",
    )]);
    let figment = Figment::new().merge(("maskinporten.validation", "texas"));
    let config = Config::from_sources(&figment, env).unwrap();
    assert!(matches!(
        config.settings().unwrap().backend,
        BackendSettings::Texas { .. }
    ));
}

#[test]
fn a_non_url_jwks_uri_names_its_variable() {
    let figment = Figment::new()
        .merge(("maskinporten.issuer", "https://issuer/"))
        .merge(("maskinporten.jwks_uri", "/jwks"));
    let config = Config::from_sources(&figment, |_| None).unwrap();
    let err = config.settings().unwrap_err().to_string();
    assert!(err.contains("MASKINPORTEN_JWKS_URI"), "{err}");
}
