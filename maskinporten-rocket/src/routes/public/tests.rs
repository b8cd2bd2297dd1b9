use super::*;

#[test]
fn an_entry_names_a_route_by_method_and_pattern_whatever_the_parameter_names() {
    let metrics = PublicRoute::parse("GET /metrics").unwrap();
    assert!(metrics.matches("GET", "/metrics"));
    assert!(!metrics.matches("POST", "/metrics"));
    assert!(!metrics.matches("GET", "/metrics/x"));

    let swagger = PublicRoute::parse("/swagger-ui/<path..>").unwrap();
    assert!(swagger.matches("GET", "/swagger-ui/<tail..>"));
    assert!(swagger.matches("HEAD", "/swagger-ui/<tail..>"));
    assert!(!swagger.matches("GET", "/swagger-ui/<file>"));
    assert!(!swagger.matches("GET", "/swagger-ui"));

    let one = PublicRoute::parse("get /doc/<name>/raw").unwrap();
    assert!(one.matches("GET", "/doc/<id>/raw?<query>"));
    assert!(!one.matches("GET", "/doc/fixed/raw"));
    assert_eq!(one.entry(), "get /doc/<name>/raw");
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
