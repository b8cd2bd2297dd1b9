use super::*;
use crate::chain::Chain;
use std::error::Error as _;

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

/// The settings' error for `figment` with no environment.
fn refused(figment: Figment) -> ConfigError {
    let config = Config::from_sources(&figment, |_| None).unwrap();
    config.settings().unwrap_err()
}

#[test]
fn no_issuer_source_names_the_key_and_the_variable() {
    let err = refused(Figment::new());
    assert_eq!(err.kind(), &ConfigErrorKind::NoIssuer);
    assert_eq!(err.key(), Some("issuer"));
    assert_eq!(err.variable(), Some("MASKINPORTEN_ISSUER"));
    // What ignite logs names both.
    let line = Chain(&err).to_string();
    assert!(line.starts_with("maskinporten.issuer: "), "{line}");
    assert!(line.contains("MASKINPORTEN_ISSUER"), "{line}");
    // And where they come from, each as a line to paste.
    for fix in [
        "spec.maskinporten.enabled: true",
        "maskinporten-stand-in",
        "MASKINPORTEN_WELL_KNOWN_URL=https://test.maskinporten.no/.well-known/oauth-authorization-server",
    ] {
        assert!(line.contains(fix), "{fix} not in: {line}");
    }
}

#[test]
fn an_issuer_without_a_key_source_is_refused() {
    let err = refused(Figment::new().merge(("maskinporten.issuer", "https://issuer/")));
    assert_eq!(err.kind(), &ConfigErrorKind::NoKeySource);
    assert_eq!(err.key(), Some("jwks_uri"));
}

/// A metadata URL of neither well-known form stops ignite: its issuer
/// cannot be told, so no document fetched from it could be checked, and
/// every request would be a 503.
#[test]
fn a_metadata_url_that_is_not_well_known_is_refused() {
    for url in [
        "https://issuer/metadata.json",
        "https://issuer/.well-known/oauth-authorization-serverx",
        "https://issuer/.well-known/openid-configuration/extra",
    ] {
        let err = refused(Figment::new().merge(("maskinporten.well_known_url", url)));
        assert_eq!(
            err.kind(),
            &ConfigErrorKind::NotWellKnownUrl { value: url.into() },
            "{url}"
        );
        assert_eq!(err.key(), Some("well_known_url"));
        assert_eq!(err.variable(), Some("MASKINPORTEN_WELL_KNOWN_URL"));
    }
    for url in [
        "https://issuer/.well-known/oauth-authorization-server",
        "https://issuer/.well-known/oauth-authorization-server/tenant",
        "https://issuer/tenant/.well-known/openid-configuration",
    ] {
        let figment = Figment::new().merge(("maskinporten.well_known_url", url));
        let config = Config::from_figment(&figment).unwrap();
        assert!(config.settings().is_ok(), "{url}");
    }
}

#[test]
fn relative_audience_is_refused() {
    let figment = Figment::new()
        .merge((
            "maskinporten.well_known_url",
            "https://issuer/.well-known/oauth-authorization-server",
        ))
        .merge(("maskinporten.audience", "afp-api"));
    let err = refused(figment);
    assert_eq!(
        err.kind(),
        &ConfigErrorKind::RelativeAudience {
            value: "afp-api".into()
        }
    );
    assert_eq!(err.key(), Some("audience"));
}

#[test]
fn zero_cooldown_zero_check_timeout_and_huge_leeway_are_refused() {
    let base = Figment::new()
        .merge(("maskinporten.issuer", "https://issuer/"))
        .merge(("maskinporten.jwks_uri", "https://issuer/jwks"));
    for (key, value, kind) in [
        ("refresh_cooldown", 0u64, ConfigErrorKind::ZeroSeconds),
        ("check_timeout", 0u64, ConfigErrorKind::ZeroSeconds),
        (
            "leeway",
            301,
            ConfigErrorKind::LeewayTooLarge {
                leeway: 301,
                max: 300,
            },
        ),
    ] {
        let err = refused(base.clone().merge((format!("maskinporten.{key}"), value)));
        assert_eq!((err.kind(), err.key()), (&kind, Some(key)));
    }
}

#[test]
fn unknown_keys_are_an_error_not_ignored() {
    let figment = Figment::new().merge(("maskinporten.issuers", "https://typo/"));
    let err = Config::from_sources(&figment, |_| None).unwrap_err();
    assert_eq!(err.kind(), &ConfigErrorKind::Unreadable);
    // figment's error, naming the key, is the source.
    assert!(err.source().is_some_and(|e| e.is::<figment::Error>()));
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
        let config = Config::from_figment(&rocket::Config::figment())
            .map_err(|e| figment::Error::from(e.to_string()))?;
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
    let err = refused(Figment::new().merge(("maskinporten.validation", "texas")));
    assert_eq!(err.kind(), &ConfigErrorKind::NoIntrospectionEndpoint);
    assert_eq!(err.variable(), Some("NAIS_TOKEN_INTROSPECTION_ENDPOINT"));
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
    let err = refused(figment);
    assert_eq!(
        err.kind(),
        &ConfigErrorKind::NotHttpUrl {
            value: "/jwks".into()
        }
    );
    assert_eq!(err.key(), Some("jwks_uri"));
    assert_eq!(err.variable(), Some("MASKINPORTEN_JWKS_URI"));
    assert!(
        err.to_string()
            .starts_with("maskinporten.jwks_uri (or MASKINPORTEN_JWKS_URI): "),
        "{err}"
    );
}

/// A plain-http key source on a remote host: anyone on the path could
/// swap the keys.
#[test]
fn plain_http_key_sources_on_remote_hosts_are_refused() {
    for (key, var, value) in [
        (
            "jwks_uri",
            "MASKINPORTEN_JWKS_URI",
            "http://maskinporten.no/jwk",
        ),
        (
            "well_known_url",
            "MASKINPORTEN_WELL_KNOWN_URL",
            "http://maskinporten.no/.well-known/oauth-authorization-server",
        ),
        // Not loopback, though it may reach this host.
        (
            "jwks_uri",
            "MASKINPORTEN_JWKS_URI",
            "http://0.0.0.0:8080/jwk",
        ),
        (
            "jwks_uri",
            "MASKINPORTEN_JWKS_URI",
            "http://localhost.evil.example/jwk",
        ),
    ] {
        let figment = Figment::new()
            .merge(("maskinporten.issuer", "https://maskinporten.no/"))
            .merge((format!("maskinporten.{key}"), value));
        let err = refused(figment);
        let kind = ConfigErrorKind::PlainHttp {
            value: value.into(),
        };
        assert_eq!((err.kind(), err.key()), (&kind, Some(key)), "{value}");
        assert_eq!(err.variable(), Some(var));
    }
}

#[test]
fn plain_http_key_sources_on_loopback_and_https_anywhere_are_accepted() {
    for value in [
        "http://127.0.0.1:8080/jwks",
        "http://127.1.2.3/jwks",
        "http://[::1]:8080/jwks",
        "http://localhost:8080/jwks",
        "http://LOCALHOST./jwks",
        "https://maskinporten.no/jwk",
    ] {
        let figment = Figment::new()
            .merge(("maskinporten.issuer", "https://maskinporten.no/"))
            .merge(("maskinporten.jwks_uri", value));
        let config = Config::from_sources(&figment, |_| None).unwrap();
        assert!(config.settings().is_ok(), "{value}");
    }
}

/// `ROCKET_MASKINPORTEN_AUDIENCE` becomes the top-level key
/// `maskinporten_audience`, which nothing reads: the audience would
/// silently not be enforced.
#[test]
#[allow(clippy::result_large_err)] // Jail's closure returns figment::Error
fn a_top_level_audience_from_the_environment_is_refused() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("ROCKET_MASKINPORTEN_AUDIENCE", "https://afp.nav.no/api");
        let err = Config::from_figment(&rocket::Config::figment()).unwrap_err();
        let kind = ConfigErrorKind::TopLevelKey {
            found: "maskinporten_audience".into(),
            key: "audience".into(),
        };
        assert_eq!(err.kind(), &kind);
        Ok(())
    });
}

/// The same mistake in `Rocket.toml`: `maskinporten_audience` under
/// `[default]` instead of `audience` under `[default.maskinporten]`.
#[test]
#[allow(clippy::result_large_err)] // Jail's closure returns figment::Error
fn a_top_level_audience_in_rocket_toml_is_refused() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "Rocket.toml",
            "[default]\nmaskinporten_audience = \"https://afp.nav.no/api\"\n",
        )?;
        let err = Config::from_figment(&rocket::Config::figment()).unwrap_err();
        let kind = ConfigErrorKind::TopLevelKey {
            found: "maskinporten_audience".into(),
            key: "audience".into(),
        };
        assert_eq!(err.kind(), &kind);
        Ok(())
    });
}

const NAIS_PRODUCTION: &[(&str, &str)] = &[
    ("MASKINPORTEN_ISSUER", "https://maskinporten.no/"),
    ("MASKINPORTEN_JWKS_URI", "https://maskinporten.no/jwk"),
    (
        "MASKINPORTEN_WELL_KNOWN_URL",
        "https://maskinporten.no/.well-known/oauth-authorization-server",
    ),
];

/// A test issuer baked into the image's configuration, on a pod where NAIS
/// names production.
fn test_issuer_over_production() -> Vec<Override> {
    let figment = Figment::new().merge((
        "maskinporten.well_known_url",
        "https://test.maskinporten.no/.well-known/oauth-authorization-server",
    ));
    nais_overrides(&figment, env_of(NAIS_PRODUCTION))
}

#[test]
fn an_explicit_issuer_source_that_differs_from_nais_is_found() {
    assert_eq!(
        test_issuer_over_production(),
        vec![Override {
            key: "well_known_url",
            variable: "MASKINPORTEN_WELL_KNOWN_URL",
            explicit: "https://test.maskinporten.no/.well-known/oauth-authorization-server".into(),
            environment: "https://maskinporten.no/.well-known/oauth-authorization-server".into(),
        }]
    );
    // The same values as NAIS, or no NAIS variables at all: nothing to say.
    let same = Figment::new().merge(("maskinporten.issuer", "https://maskinporten.no/"));
    assert_eq!(nais_overrides(&same, env_of(NAIS_PRODUCTION)), vec![]);
    let overrides = nais_overrides(&Figment::new().merge(("maskinporten.issuer", "x")), |_| {
        None
    });
    assert_eq!(overrides, vec![]);
    // An empty value is unset: it overrides nothing (the test kit empties
    // `issuer` and `jwks_uri` to discover both from its stand-in).
    let emptied = Figment::new().merge(("maskinporten.issuer", ""));
    assert_eq!(nais_overrides(&emptied, env_of(NAIS_PRODUCTION)), vec![]);
}

#[test]
fn overriding_nais_is_an_error_in_a_release_build() {
    let err =
        judge_overrides(&test_issuer_over_production(), false, BuildKind::Release).unwrap_err();
    assert_eq!(
        err.kind(),
        &ConfigErrorKind::OverridesNais {
            explicit: "https://test.maskinporten.no/.well-known/oauth-authorization-server".into(),
            environment: "https://maskinporten.no/.well-known/oauth-authorization-server".into(),
        }
    );
    assert_eq!(err.key(), Some("well_known_url"));
    assert_eq!(err.variable(), Some("MASKINPORTEN_WELL_KNOWN_URL"));
}

#[test]
fn overriding_nais_is_a_warning_in_a_debug_build() {
    let overrides = test_issuer_over_production();
    let warnings = judge_overrides(&overrides, false, BuildKind::Debug).unwrap();
    assert_eq!(warnings, overrides);
}

#[test]
fn override_nais_says_the_override_is_meant() {
    let overrides = test_issuer_over_production();
    for build in [BuildKind::Debug, BuildKind::Release] {
        assert_eq!(judge_overrides(&overrides, true, build).unwrap(), vec![]);
    }
}

#[test]
fn unmarked_routes_are_denied_unless_the_configuration_says_otherwise() {
    let config = Config::from_sources(&Figment::new(), env_of(&[])).unwrap();
    assert!(config.deny_unmarked_routes);
    let figment = Figment::new().merge(("maskinporten.deny_unmarked_routes", false));
    let config = Config::from_sources(&figment, env_of(&[])).unwrap();
    assert!(!config.deny_unmarked_routes);
}

/// Every introspection request carries a bearer token: over plain http to
/// a host that is not loopback, anyone on the path could read the tokens,
/// or answer `active: true` for any token of their own.
#[test]
fn plain_http_to_a_remote_texas_is_refused() {
    const REMOTE: &str = "http://texas.example:3000/api/v1/introspect";
    let explicit = Figment::new()
        .merge(("maskinporten.validation", "texas"))
        .merge(("maskinporten.introspection_endpoint", REMOTE));
    let from_nais = Config::from_sources(
        &Figment::new().merge(("maskinporten.validation", "texas")),
        env_of(&[("NAIS_TOKEN_INTROSPECTION_ENDPOINT", REMOTE)]),
    )
    .unwrap();
    for err in [refused(explicit), from_nais.settings().unwrap_err()] {
        let kind = ConfigErrorKind::PlainHttp {
            value: REMOTE.into(),
        };
        assert_eq!(
            (err.kind(), err.key()),
            (&kind, Some("introspection_endpoint"))
        );
        assert_eq!(err.variable(), Some("NAIS_TOKEN_INTROSPECTION_ENDPOINT"));
        // The refusal says what is at stake, and gives a line to paste.
        let line = err.to_string();
        assert!(line.contains("read the tokens or forge verdicts"), "{line}");
        assert!(
            line.contains(
                r#"`introspection_endpoint = "https://texas.example:3000/api/v1/introspect"`"#
            ),
            "{line}"
        );
    }
}

#[test]
fn texas_over_https_or_on_loopback_is_accepted() {
    for endpoint in [
        "http://127.0.0.1:7164/api/v1/introspect",
        "http://[::1]:7164/api/v1/introspect",
        "http://localhost:7164/api/v1/introspect",
        "https://texas.example/api/v1/introspect",
    ] {
        let figment = Figment::new()
            .merge(("maskinporten.validation", "texas"))
            .merge(("maskinporten.introspection_endpoint", endpoint));
        let config = Config::from_sources(&figment, |_| None).unwrap();
        assert!(config.settings().is_ok(), "{endpoint}");
    }
}

#[test]
fn a_plain_http_key_source_refusal_gives_the_https_line_to_paste() {
    let figment = Figment::new()
        .merge(("maskinporten.issuer", "https://maskinporten.no/"))
        .merge(("maskinporten.jwks_uri", "HTTP://maskinporten.no/jwk"));
    let line = refused(figment).to_string();
    assert!(line.contains("could swap the keys"), "{line}");
    assert!(
        line.contains(r#"`jwks_uri = "https://maskinporten.no/jwk"`"#),
        "{line}"
    );
}

/// NAIS runs Texas beside the app and names it in
/// `NAIS_TOKEN_INTROSPECTION_ENDPOINT`.
const NAIS_TEXAS: &[(&str, &str)] = &[(
    "NAIS_TOKEN_INTROSPECTION_ENDPOINT",
    "http://127.0.0.1:7164/api/v1/introspect",
)];

/// An introspection endpoint baked into the image's configuration, on a pod
/// where NAIS names its own Texas: every token would go there instead.
fn another_texas_over_nais() -> Vec<Override> {
    let figment = Figment::new()
        .merge(("maskinporten.validation", "texas"))
        .merge((
            "maskinporten.introspection_endpoint",
            "https://texas.example/api/v1/introspect",
        ));
    nais_overrides(&figment, env_of(NAIS_TEXAS))
}

#[test]
fn an_explicit_introspection_endpoint_that_differs_from_nais_is_found() {
    assert_eq!(
        another_texas_over_nais(),
        vec![Override {
            key: "introspection_endpoint",
            variable: "NAIS_TOKEN_INTROSPECTION_ENDPOINT",
            explicit: "https://texas.example/api/v1/introspect".into(),
            environment: "http://127.0.0.1:7164/api/v1/introspect".into(),
        }]
    );
    // The endpoint NAIS set, spelled out: nothing to say.
    let same = Figment::new().merge((
        "maskinporten.introspection_endpoint",
        "http://127.0.0.1:7164/api/v1/introspect",
    ));
    assert_eq!(nais_overrides(&same, env_of(NAIS_TEXAS)), vec![]);
}

#[test]
fn overriding_nais_texas_is_an_error_in_a_release_build_and_a_warning_in_debug() {
    let overrides = another_texas_over_nais();
    let err = judge_overrides(&overrides, false, BuildKind::Release).unwrap_err();
    assert_eq!(
        err.kind(),
        &ConfigErrorKind::OverridesNais {
            explicit: "https://texas.example/api/v1/introspect".into(),
            environment: "http://127.0.0.1:7164/api/v1/introspect".into(),
        }
    );
    assert_eq!(err.key(), Some("introspection_endpoint"));
    assert_eq!(err.variable(), Some("NAIS_TOKEN_INTROSPECTION_ENDPOINT"));
    let line = err.to_string();
    assert!(line.contains("another Texas"), "{line}");
    assert!(line.contains("`override_nais = true`"), "{line}");
    let warnings = judge_overrides(&overrides, false, BuildKind::Debug).unwrap();
    assert_eq!(warnings, overrides);
    assert!(warnings[0].to_string().contains("`override_nais = true`"));
    for build in [BuildKind::Debug, BuildKind::Release] {
        assert_eq!(judge_overrides(&overrides, true, build).unwrap(), vec![]);
    }
}

#[test]
fn tokens_in_logs_are_not_accepted_unless_the_key_says_so() {
    let config = Config::from_sources(&Figment::new(), |_| None).unwrap();
    assert!(!config.accept_tokens_in_logs);
    let figment = Figment::new().merge(("maskinporten.accept_tokens_in_logs", true));
    let config = Config::from_sources(&figment, |_| None).unwrap();
    assert!(config.accept_tokens_in_logs);
}

/// Clients send their grants to the token endpoint a document names: over
/// plain http to a remote host, anyone on the path could take them.
#[test]
fn token_endpoint_is_https_or_loopback_and_has_no_nais_variable() {
    let with = |value: &str| {
        Figment::new()
            .merge(("maskinporten.issuer", "https://maskinporten.no/"))
            .merge(("maskinporten.jwks_uri", "https://maskinporten.no/jwk"))
            .merge(("maskinporten.token_endpoint", value.to_owned()))
    };
    for value in [
        "https://maskinporten.no/token",
        "http://127.0.0.1:8080/token",
    ] {
        let config = Config::from_sources(&with(value), |_| None).unwrap();
        let settings = config.settings().unwrap();
        assert_eq!(
            settings.token_url.configured.as_ref().map(Url::as_str),
            Some(value)
        );
    }
    let err = refused(with("http://maskinporten.no/token"));
    let kind = ConfigErrorKind::PlainHttp {
        value: "http://maskinporten.no/token".into(),
    };
    assert_eq!((err.kind(), err.key()), (&kind, Some("token_endpoint")));
    assert_eq!(err.variable(), None);
    let line = err.to_string();
    assert!(line.starts_with("maskinporten.token_endpoint: "), "{line}");
    assert!(
        line.contains("`token_endpoint = \"https://maskinporten.no/token\"`"),
        "{line}"
    );
    let err = refused(with("/token"));
    assert_eq!(
        err.kind(),
        &ConfigErrorKind::NotHttpUrl {
            value: "/token".into()
        }
    );
}

/// With `issuer` and `jwks_uri` given (as NAIS gives them), and in Texas
/// mode, nothing else reads the metadata: the token URL still may.
#[test]
fn the_token_url_sources_keep_the_well_known_url_and_the_issuer_in_every_mode() {
    let nais = env_of(&[
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
    let expected = TokenUrlSources {
        configured: None,
        well_known_url: Some(
            Url::parse("https://test.maskinporten.no/.well-known/oauth-authorization-server")
                .unwrap(),
        ),
        issuer: Some("https://test.maskinporten.no/".into()),
    };
    for validation in ["jwks", "texas"] {
        let figment = Figment::new().merge(("maskinporten.validation", validation));
        let config = Config::from_sources(&figment, &nais).unwrap();
        assert_eq!(
            config.settings().unwrap().token_url,
            expected,
            "{validation}"
        );
    }
    // Discovered alone: the issuer is the one the URL was formed from.
    let figment = Figment::new().merge((
        "maskinporten.well_known_url",
        "https://test.maskinporten.no/.well-known/oauth-authorization-server",
    ));
    let config = Config::from_sources(&figment, |_| None).unwrap();
    assert_eq!(
        config.settings().unwrap().token_url.issuer.as_deref(),
        Some("https://test.maskinporten.no")
    );
}
