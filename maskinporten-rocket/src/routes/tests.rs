use super::*;

fn route(method: &str, uri: &str, protection: Protection) -> MountedRoute {
    MountedRoute {
        method: method.into(),
        uri: uri.into(),
        handler: Some(uri.trim_start_matches('/').into()),
        protection,
        bare_name_fits_a_mark: false,
    }
}

#[test]
fn the_liftoff_table_names_every_route_under_its_protection() {
    let read = Requirement::all(&["nav:helse/sykepenger/afp.read"]).with_consumers(&["123456789"]);
    let map = ScopeMap {
        routes: vec![
            route("GET", "/afp", Protection::Scopes(read)),
            route("GET", "/isalive", Protection::Public),
            route("GET", "/whoami", Protection::Unmarked),
        ],
    };
    let table = map.to_string();
    assert_eq!(
        table,
        "protected routes:\n  GET     /afp (afp)  requires all of: nav:helse/sykepenger/afp.read; \
         consumers: 123456789\npublic routes:\n  GET     /isalive (isalive)\n\
         routes with no #[scopes] or #[public]:\n  GET     /whoami (whoami)"
    );
}

#[test]
fn the_liftoff_table_names_every_condition_of_a_route() {
    let party = Requirement::all(&["nav:helse/sykepenger/afp.read"])
        .with_system_user_orgs(&["123456789"])
        .with_delegation(crate::scope::Delegation::Deny)
        .with_check("pdp::may_act");
    let map = ScopeMap {
        routes: vec![route("GET", "/party", Protection::Scopes(party))],
    };
    assert_eq!(
        map.to_string(),
        "protected routes:\n  GET     /party (party)  requires all of: \
         nav:helse/sykepenger/afp.read; system user of 123456789; delegation: deny; \
         check: pdp::may_act"
    );
}

#[test]
fn an_unmarked_route_whose_bare_name_fits_a_mark_says_how_to_mount_it() {
    let mut bare = route("GET", "/afp", Protection::Unmarked);
    bare.bare_name_fits_a_mark = true;
    let map = ScopeMap {
        routes: vec![bare, route("GET", "/open", Protection::Unmarked)],
    };
    assert_eq!(
        map.to_string(),
        "protected routes: none\nroutes with no #[scopes] or #[public]:\n  GET     /afp (afp): \
         a handler of this name, method and path is marked; mounted with rocket::routes!? \
         mount marked handlers with maskinporten_rocket::routes! so their mark can be \
         checked\n  GET     /open (open)"
    );
}
