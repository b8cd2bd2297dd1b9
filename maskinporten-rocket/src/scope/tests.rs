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
