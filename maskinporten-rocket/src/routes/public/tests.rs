use super::*;

#[test]
fn an_entry_names_a_route_by_method_and_pattern_whatever_the_parameter_names() {
    let metrics = PublicRoute::parse("GET /metrics").unwrap();
    assert!(metrics.matches("GET", "/metrics"));
    assert!(!metrics.matches("POST", "/metrics"));
    assert!(!metrics.matches("GET", "/metrics/x"));

    let one = PublicRoute::parse("/doc/<name>").unwrap();
    assert!(one.matches("GET", "/doc/<id>"));
    assert!(!one.matches("GET", "/doc/<id>/raw"));
    assert!(!one.matches("GET", "/doc"));

    let one = PublicRoute::parse("get /doc/<name>/raw").unwrap();
    assert!(one.matches("GET", "/doc/<id>/raw?<query>"));
    assert!(!one.matches("GET", "/doc/fixed/raw"));
    assert_eq!(one.entry(), "get /doc/<name>/raw");
}

#[test]
fn an_entry_ending_in_a_trailing_segment_covers_every_route_under_its_prefix() {
    let swagger = PublicRoute::parse("/swagger-ui/<_..>").unwrap();
    // utoipa-swagger-ui's one route, and rocket_okapi's nine static ones.
    for uri in [
        "/swagger-ui/<tail..>",
        "/swagger-ui",
        "/swagger-ui/index.html",
        "/swagger-ui/oauth2-redirect.html",
        "/swagger-ui/<file>",
        "/swagger-ui/a/<b>/c",
    ] {
        assert!(swagger.matches("GET", uri), "{uri}");
        assert!(swagger.matches("HEAD", uri), "{uri}");
    }
    for uri in ["/swagger", "/swagger-uix", "/api/swagger-ui", "/"] {
        assert!(!swagger.matches("GET", uri), "{uri}");
    }

    let get_only = PublicRoute::parse("GET /static/<path..>").unwrap();
    assert!(get_only.matches("GET", "/static/css/<file>"));
    assert!(!get_only.matches("POST", "/static/css/<file>"));

    let under_a_dynamic = PublicRoute::parse("/doc/<id>/<rest..>").unwrap();
    assert!(under_a_dynamic.matches("GET", "/doc/<name>/raw"));
    assert!(!under_a_dynamic.matches("GET", "/doc/fixed/raw"));
}

#[test]
fn an_entry_that_is_not_a_route_pattern_is_refused_with_why() {
    for (entry, why) in [
        ("metrics", Unparsable::NoPath),
        ("GET metrics", Unparsable::NoPath),
        ("", Unparsable::NoPath),
        ("GET /a b", Unparsable::NoPath),
        ("FETCH /metrics", Unparsable::UnknownMethod),
        ("/search?<q>", Unparsable::Query),
        ("/<rest..>/tail", Unparsable::TrailingNotLast),
        ("/a<b>", Unparsable::BadSegment),
        ("/<>", Unparsable::BadSegment),
        ("/<a", Unparsable::BadSegment),
    ] {
        assert_eq!(PublicRoute::parse(entry), Err(why), "{entry:?}");
    }
}
