use super::*;
use proc_macro2::TokenStream;
use quote::quote;

const HANDLER: &str = r#"#[get("/afp")] fn afp() -> &'static str { "ok" }"#;

fn rules_of(args: TokenStream, item: &str) -> syn::Result<Protected> {
    let item: TokenStream = item.parse().expect("the item tokenizes");
    scopes(syn::parse2(args), syn::parse2(item))
}

fn messages(args: TokenStream, item: &str) -> Vec<String> {
    match rules_of(args, item) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn plain_scopes_are_all_required_in_written_order() {
    let protected = rules_of(quote!("nav:a/bc", "nav:a/de"), HANDLER).expect("valid");
    assert_eq!(protected.requirement.mode, Mode::All);
    let scopes: Vec<_> = protected
        .requirement
        .scopes
        .iter()
        .map(LitStr::value)
        .collect();
    assert_eq!(scopes, ["nav:a/bc", "nav:a/de"]);
}

#[test]
fn any_makes_one_scope_enough() {
    let protected = rules_of(quote!(any("nav:a/bc", "nav:a/de")), HANDLER).expect("valid");
    assert_eq!(protected.requirement.mode, Mode::Any);
    assert_eq!(protected.requirement.scopes.len(), 2);
}

#[test]
fn every_broken_literal_is_reported_in_one_compile() {
    let errors = messages(quote!("nav:helse", "", "nav:helse/Afp"), HANDLER);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].contains("must be followed by a separator"));
    assert!(errors[1].contains("cannot be empty"));
    assert!(errors[2].contains("found `A`"));
}

#[test]
fn the_second_of_two_equal_scopes_is_an_error() {
    let errors = messages(quote!("nav:a/bc", "nav:a/bc"), HANDLER);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].contains("listed twice"));
}

#[test]
fn no_scopes_is_an_error_in_both_forms() {
    assert!(messages(quote!(), HANDLER)[0].contains("needs at least one scope"));
    assert!(messages(quote!(any()), HANDLER)[0].contains("any(...) needs at least one scope"));
}

#[test]
fn mixing_forms_and_two_anys_are_errors() {
    let mixed = messages(quote!("nav:a/bc", any("nav:a/de")), HANDLER);
    assert!(mixed[0].contains("cannot be mixed"), "{mixed:?}");
    let two = messages(quote!(any("nav:a/bc"), any("nav:a/de")), HANDLER);
    assert!(two[0].contains("takes one any(...)"), "{two:?}");
}

#[test]
fn keys_and_unknown_names_are_unknown_arguments() {
    for args in [
        quote!("nav:a/bc", consumer = ["123456789"]),
        quote!(all("nav:a/bc")),
        quote!(any("nav:a/bc", audience = "x")),
    ] {
        let errors = messages(args, HANDLER);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("unknown argument"), "{errors:?}");
        assert!(errors[0].contains("consumers = [...]"), "{errors:?}");
    }
}

#[test]
fn constants_and_numbers_are_not_scopes() {
    let errors = messages(quote!(AFP_READ, 42), HANDLER);
    assert_eq!(errors.len(), 2);
    assert!(errors.iter().all(|e| e.contains("string literal")));
}

#[test]
fn a_fn_without_route_attribute_below_is_refused() {
    let errors = messages(quote!("nav:a/bc"), "fn afp() {}");
    assert!(errors[0].contains("must be placed above the route attribute"));
}

#[test]
fn route_attributes_count_by_their_last_path_segment() {
    for attr in ["#[rocket::post(\"/x\")]", "#[route(GET, uri = \"/x\")]"] {
        let item = format!("{attr} fn afp() {{}}");
        assert!(rules_of(quote!("nav:a/bc"), &item).is_ok(), "{attr}");
    }
}

#[test]
fn a_second_scopes_attribute_is_refused() {
    let item = format!("#[scopes(\"nav:a/de\")] {HANDLER}");
    let errors = messages(quote!("nav:a/bc"), &item);
    assert!(errors[0].contains("given twice"), "{errors:?}");
}

#[test]
fn bare_and_nested_any_are_explained() {
    let errors = messages(quote!(any), HANDLER);
    assert!(errors[0].contains("in parentheses"), "{errors:?}");
    let errors = messages(quote!(any(any("nav:a/bc"))), HANDLER);
    assert!(errors[0].contains("cannot be nested"), "{errors:?}");
}

#[test]
fn a_struct_is_refused_and_named() {
    let errors = messages(quote!("nav:a/bc"), "struct Afp;");
    assert!(errors[0].contains("cannot be used on a struct"));
}

#[test]
fn argument_and_item_errors_are_reported_together() {
    let errors = messages(quote!(""), "fn afp() {}");
    assert_eq!(errors.len(), 2, "{errors:?}");
}

fn consumers(protected: &Protected) -> Vec<String> {
    protected
        .requirement
        .consumers
        .iter()
        .map(LitStr::value)
        .collect()
}

#[test]
fn consumers_are_kept_in_written_order_with_either_form() {
    let all = rules_of(
        quote!("nav:a/bc", consumers = ["123456789", "987654321"]),
        HANDLER,
    )
    .expect("valid");
    assert_eq!(all.requirement.mode, Mode::All);
    assert_eq!(consumers(&all), ["123456789", "987654321"]);

    let any = rules_of(
        quote!(consumers = ["123456789"], any("nav:a/bc", "nav:a/de")),
        HANDLER,
    )
    .expect("valid");
    assert_eq!(any.requirement.mode, Mode::Any);
    assert_eq!(consumers(&any), ["123456789"]);
}

#[test]
fn without_consumers_every_organisation_is_allowed() {
    let protected = rules_of(quote!("nav:a/bc"), HANDLER).expect("valid");
    assert!(protected.requirement.consumers.is_empty());
}

#[test]
fn consumers_must_be_an_array_of_string_literals() {
    for args in [
        quote!("nav:a/bc", consumers = "123456789"),
        quote!("nav:a/bc", consumers = ALLOWED),
        quote!("nav:a/bc", consumers = [123456789]),
        quote!("nav:a/bc", consumers = [ORGNO]),
    ] {
        let errors = messages(args.clone(), HANDLER);
        assert_eq!(errors.len(), 1, "{args}: {errors:?}");
        assert!(errors[0].contains("array of string literals"), "{errors:?}");
    }
}

#[test]
fn an_organisation_number_must_be_exactly_nine_ascii_digits() {
    for orgno in [
        "12345678",
        "1234567890",
        "12345678a",
        " 12345678",
        "",
        "１２３４５６７８９",
    ] {
        let errors = messages(quote!("nav:a/bc", consumers = [#orgno]), HANDLER);
        assert_eq!(errors.len(), 1, "{orgno:?}: {errors:?}");
        assert!(
            errors[0].starts_with("an organisation number is nine digits (NAIS: ^\\d{9}$)"),
            "{errors:?}"
        );
        assert!(errors[0].contains(&format!("found `{}`", orgno.escape_debug())));
    }
}

#[test]
fn a_consumer_id_with_its_0192_prefix_is_explained() {
    let errors = messages(quote!("nav:a/bc", consumers = ["0192:123456789"]), HANDLER);
    assert!(errors[0].contains("without the 0192:"), "{errors:?}");
    let errors = messages(quote!("nav:a/bc", consumers = ["0192:1234"]), HANDLER);
    assert!(!errors[0].contains("without the 0192:"), "{errors:?}");
}

#[test]
fn every_bad_organisation_number_is_reported_in_one_compile() {
    let errors = messages(
        quote!("nav:a/bc", consumers = ["1", "123456789", "2", "123456789"]),
        HANDLER,
    );
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[2].contains("listed twice in consumers"),
        "{errors:?}"
    );
}

#[test]
fn an_empty_consumer_list_is_refused() {
    let errors = messages(quote!("nav:a/bc", consumers = []), HANDLER);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("consumers = [] allows no organisation"));
}

#[test]
fn consumers_given_twice_is_refused_once() {
    let errors = messages(
        quote!(
            "nav:a/bc",
            consumers = ["123456789"],
            consumers = ["987654321"]
        ),
        HANDLER,
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("consumers is given twice"));
}

#[test]
fn consumers_inside_any_is_refused_and_still_checked() {
    let errors = messages(quote!(any("nav:a/bc", consumers = ["1"])), HANDLER);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("consumers cannot go inside any(...)"));
    assert!(errors[1].contains("nine digits"));
}

#[test]
fn consumers_without_a_scope_is_refused() {
    let errors = messages(quote!(consumers = ["123456789"]), HANDLER);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("needs at least one scope beside it"));
    // A broken scope already says what is missing.
    let errors = messages(quote!(AFP_READ, consumers = ["123456789"]), HANDLER);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("string literal"));
}

#[test]
fn the_route_attribute_below_is_read() {
    let protected = rules_of(
        quote!("nav:a/bc"),
        r#"#[doc = "x"] #[rocket::post("/afp/<id>", data = "<d>")] fn afp() {}"#,
    )
    .expect("valid");
    assert_eq!(protected.placed.route.method, "POST");
    assert_eq!(protected.placed.route.path, "/afp/<id>");
}

fn public_messages(args: TokenStream, item: &str) -> Vec<String> {
    let item: TokenStream = item.parse().expect("the item tokenizes");
    match public(args, syn::parse2(item)) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn public_accepts_a_handler_and_reads_its_route() {
    let item: TokenStream = r#"#[route(GET, uri = "/isalive")] async fn isalive() {}"#
        .parse()
        .expect("the item tokenizes");
    let placed = public(TokenStream::new(), syn::parse2(item)).expect("valid");
    assert_eq!(placed.route.method, "GET");
    assert_eq!(placed.route.path, "/isalive");
}

#[test]
fn public_takes_no_arguments() {
    let errors = public_messages(quote!("nav:a/bc"), HANDLER);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("#[public] takes no arguments"));
}

#[test]
fn public_is_placed_like_scopes() {
    let errors = public_messages(TokenStream::new(), "fn isalive() {}");
    assert!(errors[0].starts_with("#[public] must be placed above the route attribute"));
    let errors = public_messages(TokenStream::new(), "struct Afp;");
    assert!(errors[0].starts_with("#[public] marks a Rocket handler function"));
    assert!(errors[0].contains("cannot be used on a struct"));
}

#[test]
fn public_and_scopes_on_one_fn_are_refused_in_either_order() {
    let below_public = format!("#[maskinporten_rocket::scopes(\"nav:a/bc\")] {HANDLER}");
    let errors = public_messages(TokenStream::new(), &below_public);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("#[public] and #[scopes] cannot both be on `fn afp`"));

    let below_scopes = format!("#[public] {HANDLER}");
    let errors = messages(quote!("nav:a/bc"), &below_scopes);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("#[public] and #[scopes] cannot both be on `fn afp`"));
}

#[test]
fn public_argument_and_item_errors_are_reported_together() {
    let errors = public_messages(quote!(open), "fn isalive() {}");
    assert_eq!(errors.len(), 2, "{errors:?}");
}

#[test]
fn system_user_is_a_flag_and_system_user_orgs_implies_it() {
    let flag = rules_of(quote!("nav:a/bc", system_user), HANDLER).expect("valid");
    assert!(flag.requirement.system_user);
    assert!(flag.requirement.system_user_orgs.is_empty());

    let orgs = rules_of(
        quote!("nav:a/bc", system_user_orgs = ["123456789", "987654321"]),
        HANDLER,
    )
    .expect("valid");
    assert!(orgs.requirement.system_user);
    let orgs: Vec<_> = orgs
        .requirement
        .system_user_orgs
        .iter()
        .map(LitStr::value)
        .collect();
    assert_eq!(orgs, ["123456789", "987654321"]);

    let neither = rules_of(quote!("nav:a/bc"), HANDLER).expect("valid");
    assert!(!neither.requirement.system_user);
}

#[test]
fn system_user_misuse_is_explained() {
    let value = messages(quote!("nav:a/bc", system_user = true), HANDLER);
    assert_eq!(value.len(), 1, "{value:?}");
    assert!(
        value[0].starts_with("system_user takes no value"),
        "{value:?}"
    );

    let twice = messages(quote!("nav:a/bc", system_user, system_user), HANDLER);
    assert_eq!(twice.len(), 1, "{twice:?}");
    assert!(
        twice[0].starts_with("system_user is given twice"),
        "{twice:?}"
    );

    let alone = messages(quote!(system_user), HANDLER);
    assert_eq!(alone.len(), 1, "{alone:?}");
    assert!(
        alone[0].contains("needs at least one scope beside it"),
        "{alone:?}"
    );

    let inside = messages(quote!(any("nav:a/bc", system_user)), HANDLER);
    assert!(
        inside[0].starts_with("system_user cannot go inside any(...)"),
        "{inside:?}"
    );
}

#[test]
fn system_user_orgs_are_checked_like_consumers() {
    let errors = messages(
        quote!(
            "nav:a/bc",
            system_user_orgs = ["12345678", "0192:123456789", "123456789", "123456789"]
        ),
        HANDLER,
    );
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].contains("found `12345678`"));
    assert!(errors[1].contains("without the 0192: of the token's systemuser_org.ID"));
    assert!(errors[2].contains("listed twice in system_user_orgs"));

    let empty = messages(quote!("nav:a/bc", system_user_orgs = []), HANDLER);
    assert!(empty[0].starts_with("system_user_orgs = [] allows no organisation"));
    let not_array = messages(quote!("nav:a/bc", system_user_orgs = "123456789"), HANDLER);
    assert!(not_array[0].starts_with("system_user_orgs takes the allowed organisation numbers"));
}

#[test]
fn delegation_takes_allow_deny_or_require() {
    for (written, expected) in [
        (quote!("nav:a/bc", delegation = allow), Delegation::Allow),
        (quote!("nav:a/bc", delegation = deny), Delegation::Deny),
        (
            quote!("nav:a/bc", delegation = require),
            Delegation::Require,
        ),
    ] {
        let protected = rules_of(written, HANDLER).expect("valid");
        assert_eq!(protected.requirement.delegation, Some(expected));
    }
    assert_eq!(
        rules_of(quote!("nav:a/bc"), HANDLER)
            .expect("valid")
            .requirement
            .delegation,
        None
    );

    let quoted = messages(quote!("nav:a/bc", delegation = "deny"), HANDLER);
    assert!(
        quoted[0].ends_with("write it without quotes: delegation = deny"),
        "{quoted:?}"
    );
    let other = messages(quote!("nav:a/bc", delegation = never), HANDLER);
    assert!(other[0].starts_with("delegation takes allow"), "{other:?}");
    let bare = messages(quote!("nav:a/bc", delegation), HANDLER);
    assert!(
        bare[0].starts_with("`delegation` needs a value"),
        "{bare:?}"
    );
}

#[test]
fn check_takes_a_path() {
    let protected = rules_of(quote!("nav:a/bc", check = pdp::may_act), HANDLER).expect("valid");
    let check = protected.requirement.check.expect("a check");
    assert_eq!(quote!(#check).to_string(), "pdp :: may_act");

    for written in [
        quote!("nav:a/bc", check = "pdp::may_act"),
        quote!("nav:a/bc", check = |c, r| true),
        quote!("nav:a/bc", check = may_act()),
    ] {
        let errors = messages(written, HANDLER);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("check takes the path of an async fn"),
            "{errors:?}"
        );
    }
    let twice = messages(quote!("nav:a/bc", check = a, check = b), HANDLER);
    assert!(twice[0].starts_with("check is given twice"), "{twice:?}");
}

#[test]
fn constants_are_still_not_scopes_beside_the_flag() {
    let errors = messages(quote!(AFP_READ, system_user), HANDLER);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("expected a scope as a string literal"),
        "{errors:?}"
    );
}
