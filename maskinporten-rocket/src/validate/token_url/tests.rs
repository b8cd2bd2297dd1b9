use super::*;
use crate::chain::Chain;

#[test]
fn maskinporten_issuers_have_their_documented_token_endpoints() {
    assert_eq!(
        documented("https://maskinporten.no/"),
        Some("https://maskinporten.no/token")
    );
    assert_eq!(
        documented("https://test.maskinporten.no/"),
        Some("https://test.maskinporten.no/token")
    );
    // The issuer a well-known URL is formed from has no trailing slash.
    assert_eq!(
        documented("https://test.maskinporten.no"),
        Some("https://test.maskinporten.no/token")
    );
    for other in [
        "http://127.0.0.1:8080/",
        "https://maskinporten.no.evil.example/",
        "https://Maskinporten.no/",
        "https://ver2.maskinporten.no/",
        "",
    ] {
        assert_eq!(documented(other), None, "{other}");
    }
}

#[test]
fn a_metadata_token_endpoint_over_plain_http_to_a_remote_host_is_not_given_to_clients() {
    let given = |endpoint: &str| usable(Some(endpoint.to_owned())).ok();
    assert_eq!(
        given("https://maskinporten.no/token").as_deref(),
        Some("https://maskinporten.no/token")
    );
    assert_eq!(
        given("http://127.0.0.1:9/token").as_deref(),
        Some("http://127.0.0.1:9/token")
    );
    assert_eq!(given("http://maskinporten.no/token"), None);
    assert_eq!(given("/token"), None);
    assert_eq!(given(""), None);
    assert!(matches!(
        usable(None),
        Err(MetadataProblem::NoTokenEndpoint)
    ));
}

#[test]
fn every_refusal_names_the_key_and_a_line_to_paste() {
    let unusable = TokenUrlError::new(TokenUrlErrorKind::MetadataUnusable {
        url: "http://127.0.0.1:9/.well-known/oauth-authorization-server".into(),
        issuer: Some("http://127.0.0.1:9/".into()),
    })
    .with_source(MetadataProblem::NoTokenEndpoint);
    for error in [
        TokenUrlError::new(TokenUrlErrorKind::NoSource { issuer: None }),
        TokenUrlError::new(TokenUrlErrorKind::NoSource {
            issuer: Some("https://issuer.example/".into()),
        }),
        unusable.clone(),
        TokenUrlError::new(TokenUrlErrorKind::NotLoaded {
            url: "http://127.0.0.1:9/.well-known/oauth-authorization-server".into(),
        }),
    ] {
        let line = Chain(&error).to_string();
        assert!(line.starts_with("maskinporten.token_endpoint: "), "{line}");
        assert!(
            line.contains(
                "`token_endpoint = \"https://maskinporten.no/token\"` under [default.maskinporten]"
            ),
            "{line}"
        );
        assert_eq!(error.key(), "token_endpoint");
    }
    // The cause follows the message.
    let line = Chain(&unusable).to_string();
    let end = format!("gives none; {PASTE}: it names no token_endpoint");
    assert!(line.ends_with(&end), "{line}");
    assert!(!TokenUrlError::new(TokenUrlErrorKind::NoSource { issuer: None }).is_pending());
    assert!(TokenUrlError::new(TokenUrlErrorKind::NotLoaded { url: String::new() }).is_pending());
}
