use super::*;
use quote::quote;

fn args(tokens: TokenStream) -> Vec<Arg> {
    syn::parse2::<Args>(tokens)
        .expect("the arguments parse")
        .args
}

#[test]
fn strings_are_scopes_and_any_holds_its_own_arguments() {
    let parsed = args(quote!("nav:a/bc", any("nav:a/de", "nav:a/fg")));
    assert!(matches!(&parsed[0], Arg::Scope(lit) if lit.value() == "nav:a/bc"));
    let Arg::Any(any) = &parsed[1] else {
        panic!("any(...) is parsed as Any");
    };
    assert_eq!(any.args.len(), 2);
    assert!(any.args.iter().all(|arg| matches!(arg, Arg::Scope(_))));
}

#[test]
fn key_value_keeps_its_key_and_value() {
    let parsed = args(quote!(consumers = ["123456789"]));
    let Arg::KeyValue { key, value } = &parsed[0] else {
        panic!("key = value is parsed as KeyValue");
    };
    assert_eq!(key, "consumers");
    assert!(matches!(value, Expr::Array(array) if array.elems.len() == 1));
}

#[test]
fn constants_numbers_and_unknown_calls_are_told_apart() {
    let parsed = args(quote!(AFP_READ, 42, all("nav:a/bc"), any));
    assert!(matches!(&parsed[0], Arg::Flag(name) if name == "AFP_READ"));
    assert!(matches!(&parsed[1], Arg::Invalid(Invalid::NotAScope(_))));
    assert!(matches!(&parsed[2], Arg::Invalid(Invalid::UnknownCall(name)) if name == "all"));
    assert!(matches!(&parsed[3], Arg::Invalid(Invalid::BareAny(_))));
}

#[test]
fn a_scope_passed_through_macro_rules_is_still_a_scope() {
    let grouped = Expr::Group(syn::ExprGroup {
        attrs: Vec::new(),
        group_token: Default::default(),
        expr: Box::new(syn::parse_quote!("nav:a/bc")),
    });
    assert!(matches!(Arg::from_expr(grouped), Arg::Scope(lit) if lit.value() == "nav:a/bc"));
}

#[test]
fn a_trailing_comma_is_allowed() {
    assert_eq!(args(quote!("nav:a/bc", "nav:a/de",)).len(), 2);
}

#[test]
fn empty_arguments_parse_to_nothing() {
    assert!(args(quote!()).is_empty());
}

#[test]
fn a_fn_keeps_its_body_tokens_unparsed() {
    let item = syn::parse2::<Item>(quote! {
        #[get("/afp")]
        pub async fn afp() -> &'static str { "ok" }
    })
    .expect("a fn parses");
    let Item::Fn(handler) = item else {
        panic!("a fn is parsed as Fn");
    };
    assert_eq!(handler.attrs.len(), 1);
    assert_eq!(handler.body.to_string(), quote!({ "ok" }).to_string());
}

#[test]
fn other_items_are_described_by_their_keyword() {
    for (tokens, kind) in [
        (
            quote!(
                struct Afp;
            ),
            "a struct",
        ),
        (
            quote!(
                pub unsafe impl Send for Afp {}
            ),
            "an impl block",
        ),
        (
            quote!(
                mod afp {}
            ),
            "a module",
        ),
        (
            quote!(
                const AFP: &str = "x";
            ),
            "a constant",
        ),
    ] {
        let item = syn::parse2::<Item>(tokens).expect("the item parses");
        assert!(
            matches!(item, Item::Other { kind: k } if k == kind),
            "{kind}"
        );
    }
}

fn route(attr: TokenStream) -> Route {
    let attr: Attribute = syn::parse_quote!(#attr);
    Route::read(&attr)
}

fn read(method: &str, path: &str) -> Route {
    Route {
        method: method.to_owned(),
        path: path.to_owned(),
    }
}

#[test]
fn method_attributes_give_their_name_and_first_string() {
    assert_eq!(route(quote!(#[get("/afp/<id>")])), read("GET", "/afp/<id>"));
    assert_eq!(
        route(quote!(#[rocket::post("/afp", data = "<body>", format = "json")])),
        read("POST", "/afp")
    );
    assert_eq!(
        route(quote!(#[delete("/afp/<id>?<force>", rank = 2)])),
        read("DELETE", "/afp/<id>?<force>")
    );
}

#[test]
fn the_route_attribute_gives_its_method_argument_and_uri() {
    assert_eq!(route(quote!(#[route(GET, uri = "/x")])), read("GET", "/x"));
    assert_eq!(
        route(quote!(#[rocket::route(DELETE, uri = "/afp/<id>", rank = 1)])),
        read("DELETE", "/afp/<id>")
    );
    assert_eq!(
        route(quote!(#[route(rocket::http::Method::Patch, uri = "/x")])),
        read("PATCH", "/x")
    );
}

#[test]
fn an_unreadable_route_attribute_gives_empty_method_and_path() {
    for attr in [
        quote!(#[get]),
        quote!(#[get = "/afp"]),
        quote!(#[get(PATH)]),
        quote!(#[get(data = "<d>")]),
        quote!(#[get("/afp" "/more")]),
        quote!(#[route(uri = "/x")]),
        quote!(#[route("/x", GET)]),
        quote!(#[route(GET)]),
    ] {
        assert_eq!(route(attr.clone()), Route::default(), "{attr}");
    }
}

#[test]
fn the_first_route_attribute_is_found_by_its_last_segment() {
    let handler: syn::ItemFn = syn::parse_quote! {
        #[doc = "x"]
        #[rocket::put("/a")]
        #[get("/b")]
        fn afp() {}
    };
    let attr = route_attribute(&handler.attrs).expect("a route attribute");
    assert_eq!(Route::read(attr), read("PUT", "/a"));
    let plain: syn::ItemFn = syn::parse_quote!(
        #[allow(unused)]
        fn afp() {}
    );
    assert!(route_attribute(&plain.attrs).is_none());
}
