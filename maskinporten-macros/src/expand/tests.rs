use super::*;
use crate::parse::{Args, Item};
use crate::rules;
use proc_macro2::Span;

/// Tokens as `TokenStream::to_string` spaces them, to compare expansions.
fn text(tokens: TokenStream) -> String {
    tokens.to_string()
}

fn expand(args: TokenStream, item: TokenStream) -> String {
    let valid = rules::scopes(syn::parse2::<Args>(args), syn::parse2::<Item>(item))
        .expect("the input is valid");
    protected(valid).to_string()
}

#[test]
fn the_guard_is_inserted_as_the_first_parameter() {
    let out = expand(
        quote!("nav:a/bc"),
        quote! {
            #[get("/afp/<id>")]
            fn afp(id: u32, claims: Claims) -> String { id.to_string() }
        },
    );
    let expected = text(quote! {
        fn afp(
            __maskinporten_authorized: Scopes_afp,
            id: u32, claims: Claims
        ) -> String { id.to_string() }
    });
    assert!(out.contains(&expected), "{out}");
}

#[test]
fn attributes_asyncness_return_type_and_body_are_kept() {
    let out = expand(
        quote!("nav:a/bc"),
        quote! {
            /// Docs.
            #[rocket::get("/afp")]
            #[allow(unused)]
            pub async fn afp() -> Result<&'static str, ()> { Ok("ok") }
        },
    );
    let attrs = text(quote! {
        #[doc = r" Docs."]
        #[rocket::get("/afp")]
        #[allow(unused)]
        pub async fn afp
    });
    assert!(out.contains(&attrs), "{out}");
    assert!(
        out.contains(&text(quote!(-> Result<&'static str, ()> { Ok("ok") }))),
        "{out}"
    );
}

#[test]
fn the_marker_has_the_handlers_visibility_and_requirement() {
    let out = expand(
        quote!("nav:a/bc", "nav:a/de"),
        quote!(
            #[get("/")]
            pub(crate) fn afp() {}
        ),
    );
    assert!(out.contains(&text(quote!(
        pub(crate) struct Scopes_afp;
    ))));
    assert!(out.contains(&text(quote! {
        ::maskinporten_rocket::__private::Requirement::all(&["nav:a/bc", "nav:a/de"])
    })));
}

#[test]
fn any_expands_to_an_any_requirement() {
    let out = expand(
        quote!(any("nav:a/bc", "nav:a/de")),
        quote!(
            #[get("/")]
            fn afp() {}
        ),
    );
    assert!(out.contains(&text(quote! {
        ::maskinporten_rocket::__private::Requirement::any(&["nav:a/bc", "nav:a/de"])
    })));
}

#[test]
fn a_raw_fn_name_gives_a_plain_marker_name() {
    let out = expand(
        quote!("nav:a/bc"),
        quote!(
            #[get("/")]
            fn r#type() {}
        ),
    );
    assert!(out.contains("Scopes_type"), "{out}");
}

#[test]
fn errors_come_with_the_item_unchanged() {
    let item = quote!(
        fn afp() {}
    );
    let out = errors(
        syn::Error::new(proc_macro2::Span::call_site(), "no"),
        item.clone(),
    );
    let out = out.to_string();
    assert!(out.contains("compile_error"));
    assert!(out.ends_with(&item.to_string()));
}

#[test]
fn consumers_are_added_to_the_requirement() {
    let out = expand(
        quote!(
            any("nav:a/bc", "nav:a/de"),
            consumers = ["123456789", "987654321"]
        ),
        quote!(
            #[get("/")]
            fn afp() {}
        ),
    );
    assert!(
        out.contains(&text(quote! {
            ::maskinporten_rocket::__private::Requirement::any(&["nav:a/bc", "nav:a/de"])
                .with_consumers(&["123456789", "987654321"]);
        })),
        "{out}"
    );
}

#[test]
fn without_consumers_the_requirement_has_no_consumer_list() {
    let out = expand(
        quote!("nav:a/bc"),
        quote!(
            #[get("/")]
            fn afp() {}
        ),
    );
    assert!(!out.contains("with_consumers"), "{out}");
}

#[test]
fn a_protected_handler_is_marked_with_its_route_and_requirement() {
    let out = expand(
        quote!("nav:a/bc"),
        quote! {
            #[rocket::get("/afp/<id>")]
            fn afp(id: u32) -> String { id.to_string() }
        },
    );
    let mark = text(mark(
        quote!(afp),
        quote!("afp"),
        quote!("GET"),
        quote!("/afp/<id>"),
        quote!(::core::option::Option::Some(Scopes_afp::REQUIREMENT)),
    ));
    assert!(out.contains(&mark), "{out}");
}

/// The `Marked` impl for Rocket's struct `ident` and its registration, as
/// `route_mark` writes them.
fn mark(
    ident: TokenStream,
    handler: TokenStream,
    method: TokenStream,
    path: TokenStream,
    requirement: TokenStream,
) -> TokenStream {
    quote! {
        #[allow(deprecated)]
        impl ::maskinporten_rocket::__private::Marked for #ident {
            const MARK: &'static ::maskinporten_rocket::__private::RouteMark =
                &::maskinporten_rocket::__private::RouteMark {
                    identity: ::core::concat!(::core::module_path!(), "::", #handler),
                    handler: #handler,
                    module: ::core::module_path!(),
                    method: #method,
                    path: #path,
                    requirement: #requirement,
                };
        }

        #[allow(deprecated)]
        const _: () = {
            ::maskinporten_rocket::__private::inventory::submit! {
                *<#ident as ::maskinporten_rocket::__private::Marked>::MARK
            }
        };
    }
}

#[test]
fn the_guard_aborts_launch_without_the_fairing_naming_the_handler() {
    let out = expand(
        quote!("nav:a/bc"),
        quote! {
            #[get("/afp")]
            fn afp() {}
        },
    );
    let sentinel = text(quote! {
        impl ::maskinporten_rocket::__private::Sentinel for Scopes_afp {
            fn abort(
                rocket: &::maskinporten_rocket::__private::Rocket<::maskinporten_rocket::__private::Ignite>
            ) -> bool {
                ::maskinporten_rocket::__private::abort_without_fairing(
                    rocket,
                    ::core::concat!(
                        "the #[scopes] handler `",
                        ::core::concat!(::core::module_path!(), "::", "afp"),
                        "`"
                    ),
                )
            }
        }
    });
    assert!(out.contains(&sentinel), "{out}");
}

#[test]
fn an_unreadable_route_attribute_gives_an_empty_method_and_path() {
    let out = expand(
        quote!("nav:a/bc"),
        quote!(
            #[get(PATH)]
            fn afp() {}
        ),
    );
    assert!(
        out.contains(
            r#"handler : "afp" , module : :: core :: module_path ! () , method : "" , path : """#
        ),
        "{out}"
    );
}

#[test]
fn a_raw_fn_name_is_marked_without_r_hash() {
    let out = expand(
        quote!("nav:a/bc"),
        quote!(
            #[get("/")]
            fn r#type() {}
        ),
    );
    assert!(out.contains(r#"handler : "type""#), "{out}");
    // Rocket's struct keeps the `r#`; the identity does not.
    assert!(
        out.contains("impl :: maskinporten_rocket :: __private :: Marked for r#type"),
        "{out}"
    );
    assert!(
        out.contains(r#"module_path ! () , "::" , "type")"#),
        "{out}"
    );
}

fn expand_public(item: TokenStream) -> String {
    let placed = rules::public(TokenStream::new(), syn::parse2::<Item>(item.clone()))
        .expect("the input is valid");
    public(placed, item).to_string()
}

#[test]
fn a_public_handler_is_marked_without_requirement_and_left_unchanged() {
    let item = quote! {
        #[route(POST, uri = "/events", data = "<body>")]
        async fn events(body: String) -> String { body }
    };
    let out = expand_public(item.clone());
    let mark = text(mark(
        quote!(events),
        quote!("events"),
        quote!("POST"),
        quote!("/events"),
        quote!(::core::option::Option::None),
    ));
    assert_eq!(out, format!("{mark} {item}"));
}

#[test]
fn errors_keep_their_spans() {
    let out = errors(syn::Error::new(Span::call_site(), "no"), TokenStream::new());
    assert_eq!(
        out.to_string(),
        text(quote!(::core::compile_error! { "no" }))
    );
}

#[cfg(feature = "okapi")]
#[test]
fn with_okapi_the_guard_is_documented_through_the_runtime() {
    let out = expand(
        quote!("nav:a/bc"),
        quote! {
            #[openapi]
            #[get("/afp")]
            fn afp() {}
        },
    );
    let okapi = text(quote! {
        impl<'r> ::maskinporten_rocket::__private::okapi::OpenApiFromRequest<'r> for Scopes_afp {
            fn from_request_input(
                _: &mut ::maskinporten_rocket::__private::okapi::OpenApiGenerator,
                _: ::std::string::String,
                _: bool,
            ) -> ::maskinporten_rocket::__private::okapi::Result<::maskinporten_rocket::__private::okapi::RequestHeaderInput> {
                ::maskinporten_rocket::__private::okapi::scopes_input()
            }

            fn get_responses(
                _: &mut ::maskinporten_rocket::__private::okapi::OpenApiGenerator,
            ) -> ::maskinporten_rocket::__private::okapi::Result<::maskinporten_rocket::__private::okapi::Responses> {
                ::maskinporten_rocket::__private::okapi::scopes_responses()
            }
        }
    });
    assert!(out.contains(&okapi), "{out}");
    // The other attributes stay, in order, for `#[openapi]` and `#[get]`.
    assert!(
        out.contains(&text(quote!(#[openapi] #[get("/afp")] fn afp))),
        "{out}"
    );
}
