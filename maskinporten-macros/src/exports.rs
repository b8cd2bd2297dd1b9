//! Every path the generated code names, in one table, as Rocket's codegen
//! keeps its own in `exports.rs`.
//!
//! The generated code reaches the runtime only through
//! `::maskinporten_rocket::__private`, and the standard library only through
//! `::core` (and `::std` for `String`): absolute paths, so no item of the
//! user's crate can shadow them.

use proc_macro2::TokenStream;
use quote::quote;

use crate::rules::{Delegation, Mode};

/// The runtime's hidden module: everything the expansion uses of
/// `maskinporten-rocket`, re-exported in one place.
pub(crate) fn runtime() -> TokenStream {
    quote!(::maskinporten_rocket::__private)
}

/// `Requirement::all` or `Requirement::any`: the runtime's constructor for
/// `mode`.
pub(crate) fn requirement(mode: Mode) -> TokenStream {
    let runtime = runtime();
    match mode {
        Mode::All => quote!(#runtime::Requirement::all),
        Mode::Any => quote!(#runtime::Requirement::any),
    }
}

/// The runtime's rocket_okapi items (its `okapi` feature).
#[cfg(feature = "okapi")]
pub(crate) fn okapi() -> TokenStream {
    let runtime = runtime();
    quote!(#runtime::okapi)
}

/// `::std::string::String`.
#[cfg(feature = "okapi")]
pub(crate) fn string() -> TokenStream {
    quote!(::std::string::String)
}

/// `::core::option::Option`.
pub(crate) fn option() -> TokenStream {
    quote!(::core::option::Option)
}

/// `::core::module_path!()`.
pub(crate) fn module_path() -> TokenStream {
    quote!(::core::module_path!())
}

/// `::core::concat!`, without its arguments.
pub(crate) fn concat() -> TokenStream {
    quote!(::core::concat!)
}

/// The runtime's `Delegation` variant for `delegation`.
pub(crate) fn delegation(delegation: Delegation) -> TokenStream {
    let runtime = runtime();
    match delegation {
        Delegation::Allow => quote!(#runtime::Delegation::Allow),
        Delegation::Deny => quote!(#runtime::Delegation::Deny),
        Delegation::Require => quote!(#runtime::Delegation::Require),
    }
}
