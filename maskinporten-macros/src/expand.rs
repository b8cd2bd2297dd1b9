//! Code generation: from a handler that passed the rules to the tokens the
//! compiler sees.
//!
//! `#[scopes]`: a hidden guard type carrying the requirement (its
//! `FromRequest` asks the runtime's `authorize`; it is a Rocket `Sentinel`,
//! so launch fails when the fairing is missing), the handler with that guard
//! inserted as its first parameter, and the handler's mark in the scope map.
//! `#[public]`: the mark alone, and the handler as written.
//!
//! The mark is one constant, reached two ways: through the registry, by the
//! scope map and the manifest generator, and through `Marked`, implemented
//! for the unit struct Rocket's route attribute generates beside the
//! handler, by the runtime's `routes!`, which names the route after the
//! mark's identity (module path and function name).
//!
//! The guard is named `Scopes_<fn>` (`Scopes_read_afp`): Rocket's log line
//! for a failed guard names the parameter's type as written in the
//! signature (``Request guard `Scopes_read_afp` failed: ...``), so the type
//! is one identifier that says what refused and for which handler, with no
//! path and no internal name. No other item is likely to have that name: a
//! handler's (Rocket's struct beside it) or a type's would break the naming
//! conventions both follow.
//!
//! The guard is a type of the user's crate with a `FromRequest` impl, not an
//! implementation of a runtime trait: the runtime exports no trait that a
//! user could implement by hand, so nothing but `#[scopes]` makes a guard.
//!
//! Nothing else of the handler changes: its other attributes (the route
//! attribute among them), its signature, its return type and its body are
//! emitted as written, so other attribute macros and Rocket's own code
//! generation see what the user wrote.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Ident, LitStr};

use crate::exports;
use crate::parse::{Handler, Route};
use crate::rules::{Placed, Protected};

/// The protected handler, its guard type and its mark in the scope map.
pub(crate) fn protected(protected: Protected) -> TokenStream {
    let Protected {
        placed: Placed { handler, route },
        requirement,
    } = protected;
    let Handler {
        attrs,
        vis,
        sig,
        body,
    } = handler;

    // `format_ident!` drops the `r#` of a raw identifier. The name is what
    // Rocket's log prints for a failed guard (see the module docs).
    let marker = format_ident!("Scopes_{}", sig.ident);
    let constructor = exports::requirement(requirement.mode);
    let scopes = requirement.scopes.iter().map(plain);
    let consumers = (!requirement.consumers.is_empty()).then(|| {
        let consumers = requirement.consumers.iter().map(plain);
        quote!(.with_consumers(&[#(#consumers),*]))
    });
    let runtime = exports::runtime();
    let system_user = if !requirement.system_user_orgs.is_empty() {
        let orgs = requirement.system_user_orgs.iter().map(plain);
        Some(quote!(.with_system_user_orgs(&[#(#orgs),*])))
    } else {
        requirement.system_user.then(|| quote!(.with_system_user()))
    };
    let delegation = requirement.delegation.map(|delegation| {
        let delegation = exports::delegation(delegation);
        quote!(.with_delegation(#delegation))
    });
    let check_name = requirement.check.as_ref().map(|check| {
        let name = path_text(check);
        quote!(.with_check(#name))
    });
    let verdict = match &requirement.check {
        None => quote! {
            #runtime::authorize(request, #marker::REQUIREMENT).await.map(|_| ())
        },
        Some(check) => {
            // Spanned on the user's path: a path that is not such a fn is
            // reported there.
            let call = quote_spanned! {check.span()=>
                let decided: ::core::result::Result<(), #runtime::CheckError> =
                    #check(claims, request).await;
            };
            // An async block, so the call itself runs inside `run_check`,
            // which bounds it in time and catches its panics.
            quote! {
                match #runtime::authorize(request, #marker::REQUIREMENT).await {
                    ::core::result::Result::Ok(claims) => {
                        #runtime::run_check(request, async move {
                            #call
                            decided
                        }).await
                    }
                    ::core::result::Result::Err(rejection) => ::core::result::Result::Err(rejection),
                }
            }
        }
    };

    let syn::Signature {
        constness,
        asyncness,
        unsafety,
        abi,
        fn_token,
        ident,
        generics,
        inputs,
        variadic,
        output,
        ..
    } = sig;
    let where_clause = &generics.where_clause;
    let comma_before_variadic =
        (variadic.is_some() && !inputs.empty_or_trailing()).then(|| quote!(,));
    let option = exports::option();
    let mark = route_mark(&ident, &route, quote!(#option::Some(#marker::REQUIREMENT)));
    let identity = identity(&ident);
    let concat = exports::concat();
    let okapi = okapi_input(&marker);

    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #marker;

        impl #marker {
            const REQUIREMENT: #runtime::Requirement =
                #constructor(&[#(#scopes),*])#consumers #system_user #delegation #check_name;
        }

        #[#runtime::async_trait]
        impl<'r> #runtime::FromRequest<'r> for #marker {
            type Error = #runtime::Rejection;

            async fn from_request(
                request: &'r #runtime::Request<'_>,
            ) -> #runtime::Outcome<Self, Self::Error> {
                let verdict = #verdict;
                #runtime::conclude(request, verdict, #marker)
            }
        }

        // Rocket asks every type in a mounted route's signature: without
        // the fairing, every request to this handler would get a 503.
        impl #runtime::Sentinel for #marker {
            fn abort(rocket: &#runtime::Rocket<#runtime::Ignite>) -> bool {
                #runtime::abort_without_fairing(
                    rocket,
                    #concat("the #[scopes] handler `", #identity, "`"),
                )
            }
        }

        #okapi

        #mark

        #(#attrs)*
        #vis #constness #asyncness #unsafety #abi #fn_token #ident #generics(
            __maskinporten_authorized: #marker,
            #inputs #comma_before_variadic #variadic
        ) #output #where_clause #body
    }
}

/// rocket_okapi's `OpenApiFromRequest` for the guard, so `#[openapi]`
/// compiles on the handler: with the `okapi` feature, which
/// maskinporten-rocket's `okapi` feature turns on together with the
/// runtime's `__private::okapi`.
#[cfg(feature = "okapi")]
fn okapi_input(marker: &Ident) -> TokenStream {
    let okapi = exports::okapi();
    let string = exports::string();
    quote! {
        impl<'r> #okapi::OpenApiFromRequest<'r> for #marker {
            fn from_request_input(
                _: &mut #okapi::OpenApiGenerator,
                _: #string,
                _: bool,
            ) -> #okapi::Result<#okapi::RequestHeaderInput> {
                #okapi::scopes_input()
            }

            fn get_responses(
                _: &mut #okapi::OpenApiGenerator,
            ) -> #okapi::Result<#okapi::Responses> {
                #okapi::scopes_responses()
            }
        }
    }
}

/// Nothing without the `okapi` feature.
#[cfg(not(feature = "okapi"))]
fn okapi_input(_: &Ident) -> TokenStream {
    TokenStream::new()
}

/// The public handler's mark in the scope map, followed by the handler
/// exactly as written.
pub(crate) fn public(placed: Placed, item: TokenStream) -> TokenStream {
    let mut tokens = route_mark(&placed.handler.sig.ident, &placed.route, {
        let option = exports::option();
        quote!(#option::None)
    });
    tokens.extend(item);
    tokens
}

/// The handler's `RouteMark`, as the `Marked` constant of the struct
/// Rocket generates under the handler's name, and a copy of it submitted to
/// the runtime's registry: `requirement` is an `Option<Requirement>`
/// expression.
fn route_mark(ident: &Ident, route: &Route, requirement: TokenStream) -> TokenStream {
    // Without the `r#` of a raw identifier. Rocket names the route
    // `stringify!(fn name)`, which keeps the `r#`: the runtime strips it
    // before comparing.
    let handler = ident.unraw().to_string();
    let identity = identity(ident);
    let Route { method, path } = route;
    let runtime = exports::runtime();
    let module = exports::module_path();
    quote! {
        // `deprecated`: Rocket copies the handler's `#[deprecated]` to the
        // struct, and this impl is not a use the user wrote.
        #[allow(deprecated)]
        impl #runtime::Marked for #ident {
            const MARK: &'static #runtime::RouteMark = &#runtime::RouteMark {
                identity: #identity,
                handler: #handler,
                module: #module,
                method: #method,
                path: #path,
                requirement: #requirement,
            };
        }

        #[allow(deprecated)]
        const _: () = {
            #runtime::inventory::submit! {
                *<#ident as #runtime::Marked>::MARK
            }
        };
    }
}

/// `"<module path>::<fn>"`, without a raw identifier's `r#`: the handler's
/// name as no other handler in the binary has it.
fn identity(ident: &Ident) -> TokenStream {
    let handler = ident.unraw().to_string();
    let module = exports::module_path();
    let concat = exports::concat();
    quote!(#concat(#module, "::", #handler))
}

/// `pdp::may_act` for the path as written, without the spaces of its
/// tokens, for the liftoff table.
fn path_text(path: &syn::Path) -> String {
    let segments = path
        .segments
        .iter()
        .map(|segment| segment.ident.unraw().to_string());
    let text = segments.collect::<Vec<_>>().join("::");
    match path.leading_colon {
        Some(_) => format!("::{text}"),
        None => text,
    }
}

/// A plain string literal with the value and span of `lit`, however it was
/// written (a raw string, say).
fn plain(lit: &LitStr) -> LitStr {
    LitStr::new(&lit.value(), lit.span())
}

/// The errors as `compile_error!`s, followed by the item unchanged, so that
/// the rest of the crate (its `routes![...]` for one) still finds it and the
/// user sees only our messages.
pub(crate) fn errors(errors: syn::Error, item: TokenStream) -> TokenStream {
    let mut tokens = errors.to_compile_error();
    tokens.extend(item);
    tokens
}

#[cfg(test)]
mod tests;
