//! Code generation: a hidden marker type carrying the requirement, and the
//! handler with one request guard inserted as its first parameter.
//!
//! Nothing else of the handler changes: its other attributes (the route
//! attribute among them), its signature, its return type and its body are
//! emitted as written, so other attribute macros and Rocket's own code
//! generation see what the user wrote.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::LitStr;

use crate::parse::Handler;
use crate::validate::{Kind, Protected};

/// The protected handler and its marker type.
pub(crate) fn protected(protected: Protected) -> TokenStream {
    let Protected {
        handler,
        requirement,
    } = protected;
    let Handler {
        attrs,
        vis,
        sig,
        body,
    } = handler;

    // `format_ident!` drops the `r#` of a raw identifier.
    let marker = format_ident!("__maskinporten_scopes_{}", sig.ident);
    let constructor = match requirement.kind {
        Kind::All => quote!(all),
        Kind::Any => quote!(any),
    };
    let scopes = requirement
        .scopes
        .iter()
        .map(|lit| LitStr::new(&lit.value(), lit.span()));

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
    let private = quote!(::maskinporten_rocket::__private);

    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #marker;

        impl #private::ScopeSet for #marker {
            const REQUIREMENT: #private::Requirement =
                #private::Requirement::#constructor(&[#(#scopes),*]);
        }

        #(#attrs)*
        #vis #constness #asyncness #unsafety #abi #fn_token #ident #generics(
            __maskinporten_authorized: #private::Authorized<#marker>,
            #inputs #comma_before_variadic #variadic
        ) #output #where_clause #body
    }
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
mod tests {
    use super::*;
    use crate::parse::{Args, Item};
    use crate::validate;

    /// Tokens as `TokenStream::to_string` spaces them, to compare expansions.
    fn text(tokens: TokenStream) -> String {
        tokens.to_string()
    }

    fn expand(args: TokenStream, item: TokenStream) -> String {
        let valid = validate::check(syn::parse2::<Args>(args), syn::parse2::<Item>(item))
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
                __maskinporten_authorized:
                    ::maskinporten_rocket::__private::Authorized<__maskinporten_scopes_afp>,
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
            pub(crate) struct __maskinporten_scopes_afp;
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
        assert!(out.contains("__maskinporten_scopes_type"), "{out}");
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
}
