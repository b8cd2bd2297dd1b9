use super::*;

#[test]
fn display_gives_back_the_parsed_string() {
    for s in [
        "nav:helse/sykepenger/afp.read",
        "nav:arbeid:aap:vedtak.les",
        "org1:p1.ab",
    ] {
        assert_eq!(Scope::parse(s).unwrap().to_string(), s);
    }
}

#[test]
fn from_parts_refuses_fields_that_would_split_differently() {
    assert!(Scope::from_parts("nav", "hel/se", '/', "ab").is_err());
    assert!(Scope::from_parts("na:v", "helse", '/', "ab").is_err());
    assert!(Scope::from_parts("nav", "helse", '-', "ab").is_err());
    assert!(Scope::from_parts("nav", "helse", '/', "sykepenger/afp.read").is_ok());
}
