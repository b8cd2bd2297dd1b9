use super::*;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

/// What never goes through a proxy, and what may be plain http: loopback
/// only, however it is spelled, and no look-alike.
#[test]
fn loopback_is_told_from_look_alikes() {
    for loopback in [
        "http://127.0.0.1:8080/jwks",
        "http://127.1.2.3/jwks",
        "http://127.1/jwks",
        "https://[::1]:8443/jwks",
        "http://localhost/jwks",
        "http://LOCALHOST./jwks",
    ] {
        assert!(is_loopback(&url(loopback)), "{loopback}");
    }
    for remote in [
        "http://0.0.0.0:8080/jwks",
        "http://128.0.0.1/jwks",
        "http://[::ffff:7f00:1]/jwks",
        "http://localhost.evil.example/jwks",
        "http://evil-localhost/jwks",
        "https://maskinporten.no/jwk",
    ] {
        assert!(!is_loopback(&url(remote)), "{remote}");
    }
}
