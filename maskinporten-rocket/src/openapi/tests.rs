use super::*;

#[test]
fn rocket_paths_become_openapi_paths() {
    assert_eq!(openapi_path("/afp"), "/afp");
    assert_eq!(openapi_path("/afp/<id>"), "/afp/{id}");
    assert_eq!(openapi_path("/files/<path..>"), "/files/{path}");
    assert_eq!(openapi_path("/afp/<id>?<year>&<month>"), "/afp/{id}");
}

#[test]
fn all_of_is_one_requirement_object_and_any_one_per_scope() {
    let all = Plan::Scopes(Requirement::all(&["nav:a/b", "nav:a/c"]));
    assert_eq!(all.requirements(), [vec!["nav:a/b", "nav:a/c"]]);
    let any = Plan::Scopes(Requirement::any(&["nav:a/b", "nav:a/c"]));
    assert_eq!(any.requirements(), [vec!["nav:a/b"], vec!["nav:a/c"]]);
    assert_eq!(Plan::Token.requirements(), [Vec::<&str>::new()]);
    assert!(Plan::Public.requirements().is_empty());
}

#[test]
fn protected_operations_answer_400_401_403_and_503_and_token_only_ones_no_403() {
    let statuses = |plan: Plan| plan.answers().iter().map(|a| a.status).collect::<Vec<_>>();
    assert_eq!(
        statuses(Plan::Scopes(Requirement::all(&["nav:a/b"]))),
        ["400", "401", "403", "503"]
    );
    assert_eq!(statuses(Plan::Token), ["400", "401", "503"]);
    assert!(statuses(Plan::Public).is_empty());
}

#[test]
fn the_scheme_lists_the_noted_operations_scopes_each_described_by_them() {
    let mut documented = Documented::default();
    let read = Requirement::all(&["nav:a/read"]);
    documented.note(
        "post",
        "/afp",
        Plan::Scopes(Requirement::any(&["nav:a/read", "nav:a/write"])),
    );
    documented.note("get", "/afp/{id}", Plan::Scopes(read));
    documented.note("get", "/afp", Plan::Scopes(read));
    // Several routes behind one operation are one operation.
    documented.note("get", "/afp", Plan::Scopes(read));
    documented.note("get", "/whoami", Plan::Token);
    documented.note("get", "/isalive", Plan::Public);
    let scopes: Vec<(String, String)> = documented.scopes().collect();
    assert_eq!(
        scopes,
        [
            (
                "nav:a/read".into(),
                "GET /afp, GET /afp/{id}, POST /afp".into()
            ),
            ("nav:a/write".into(), "POST /afp".into()),
        ]
    );
    assert_eq!(Documented::default().scopes().count(), 0);
}

#[test]
fn a_document_without_a_token_url_stops_a_release_build_and_a_debug_build_warns() {
    let error = TokenUrlError::new(TokenUrlErrorKind::NoSource { issuer: None });
    assert!(refuses(&error, BuildKind::Release));
    assert!(!refuses(&error, BuildKind::Debug));
}
