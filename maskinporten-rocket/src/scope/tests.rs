use super::*;

const READ: &str = "nav:helse/sykepenger/afp.read";
const WRITE: &str = "nav:helse/sykepenger/afp.write";

#[test]
fn a_scope_among_several_is_found() {
    assert!(Requirement::all(&[READ]).is_met_by(&format!("{WRITE} {READ}")));
    assert!(Requirement::all(&[READ, WRITE]).is_met_by(&format!("{WRITE} {READ}")));
}

#[test]
fn near_misses_are_not_the_scope() {
    let read = Requirement::all(&[READ]);
    for granted in [
        "nav:helse/sykepenger/afp.rea",
        "nav:helse/sykepenger/afp.reader",
        "xnav:helse/sykepenger/afp.read",
        "NAV:helse/sykepenger/afp.read",
        "nav:helse/sykepenger/afp.read\tnav:x/yy",
        "",
    ] {
        assert!(!read.is_met_by(granted), "{granted:?}");
    }
}

#[test]
fn any_needs_one_and_all_needs_every_one() {
    assert!(Requirement::any(&[READ, WRITE]).is_met_by(WRITE));
    assert!(!Requirement::all(&[READ, WRITE]).is_met_by(WRITE));
}

#[test]
fn debug_is_the_attribute_on_one_line() {
    assert_eq!(
        format!("{:?}", Requirement::all(&[READ])),
        r#"scopes("nav:helse/sykepenger/afp.read")"#
    );
    let everything = Requirement::any(&[READ, WRITE])
        .with_consumers(&["123456789"])
        .with_system_user_orgs(&["987654321"])
        .with_delegation(Delegation::Deny)
        .with_check("pdp::may_act");
    assert_eq!(
        format!("{everything:?}"),
        r#"scopes(any("nav:helse/sykepenger/afp.read", "nav:helse/sykepenger/afp.write"), consumers = ["123456789"], system_user_orgs = ["987654321"], delegation = deny, check = pdp::may_act)"#
    );
    assert_eq!(
        format!("{:?}", Requirement::all(&[READ]).with_system_user()),
        r#"scopes("nav:helse/sykepenger/afp.read", system_user)"#
    );
}
