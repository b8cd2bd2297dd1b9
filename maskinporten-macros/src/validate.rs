//! The checks: every mistake becomes a `syn::Error` on the tokens to change,
//! saying what to write instead, and all of them are reported together.

use std::collections::HashSet;

use proc_macro2::Span;
use quote::ToTokens;
use syn::{Attribute, Ident, LitStr};

use crate::parse::{AnyArg, Arg, Args, Handler, Invalid, Item};

/// The route attributes of Rocket 0.5, by the last segment of their path.
const ROUTE_ATTRIBUTES: [&str; 8] = [
    "get", "put", "post", "delete", "head", "patch", "options", "route",
];

const ALL_EXAMPLE: &str = r#"#[scopes("nav:helse/afp.read", "nav:helse/afp.write")]"#;
const ANY_EXAMPLE: &str = r#"#[scopes(any("nav:helse/afp.read", "nav:helse/afp.write"))]"#;

/// A handler that passed every check, with the scopes it requires.
pub(crate) struct Protected {
    pub(crate) handler: Handler,
    pub(crate) requirement: Requirement,
}

/// What a token must carry: every scope, or at least one.
pub(crate) struct Requirement {
    pub(crate) kind: Kind,
    /// Checked against the grammar, without duplicates, in written order.
    pub(crate) scopes: Vec<LitStr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    All,
    Any,
}

/// Checks the arguments and the item; `Err` holds every error found.
pub(crate) fn check(args: syn::Result<Args>, item: syn::Result<Item>) -> syn::Result<Protected> {
    match (requirement(args), handler(item)) {
        (Ok(requirement), Ok(handler)) => Ok(Protected {
            handler,
            requirement,
        }),
        (Err(error), Ok(_)) | (Ok(_), Err(error)) => Err(error),
        (Err(mut errors), Err(more)) => {
            errors.combine(more);
            Err(errors)
        }
    }
}

/// Collects errors so that one compile shows every mistake.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn spanned(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(errors) => Err(errors),
            None => Ok(value),
        }
    }
}

/// The two ways to list scopes, which cannot be mixed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Plain,
    Any,
}

/// Remembers the first form used and reports the first argument that breaks
/// it (once: one such mistake is enough to explain the rule).
#[derive(Default)]
struct Forms {
    first: Option<Form>,
    reported: bool,
}

impl Forms {
    fn see(&mut self, form: Form, tokens: &dyn ToTokens, errors: &mut Errors) {
        match self.first {
            None => self.first = Some(form),
            Some(first) if !self.reported && (first != form || form == Form::Any) => {
                self.reported = true;
                errors.spanned(tokens, form_error(first, form));
            }
            Some(_) => {}
        }
    }
}

fn requirement(args: syn::Result<Args>) -> syn::Result<Requirement> {
    let args = args?;
    let mut errors = Errors::default();
    if args.args.is_empty() {
        errors.push(syn::Error::new(
            Span::call_site(),
            "#[scopes] needs at least one scope; write for example \
             #[scopes(\"nav:helse/sykepenger/afp.read\")]",
        ));
    }

    let mut forms = Forms::default();
    let mut literals = Vec::new();
    for arg in args.args {
        match arg {
            Arg::Scope(lit) => {
                forms.see(Form::Plain, &lit, &mut errors);
                literals.push(lit);
            }
            Arg::Any(any) => {
                forms.see(Form::Any, &any.call, &mut errors);
                literals.extend(any_scopes(any, &mut errors));
            }
            // No key is defined yet; `consumers = [...]` will be matched here.
            Arg::KeyValue { key, .. } => errors.push(unknown_argument(&key)),
            Arg::Invalid(invalid) => errors.push(invalid_argument(invalid)),
        }
    }

    let mut seen = HashSet::new();
    let mut scopes = Vec::new();
    for lit in literals {
        let value = lit.value();
        if let Err(error) = maskinporten_scope::check(&value) {
            errors.spanned(&lit, error);
        } else if !seen.insert(value) {
            errors.spanned(
                &lit,
                format!(
                    "the scope \"{}\" is listed twice; list each scope once and remove this one",
                    lit.value()
                ),
            );
        } else {
            scopes.push(lit);
        }
    }

    let kind = match forms.first {
        Some(Form::Any) => Kind::Any,
        _ => Kind::All,
    };
    errors.finish(Requirement { kind, scopes })
}

/// The scope literals inside `any(...)`, reporting everything else.
fn any_scopes(any: AnyArg, errors: &mut Errors) -> Vec<LitStr> {
    if any.args.is_empty() {
        errors.spanned(
            &any.call,
            format!("any(...) needs at least one scope; write for example {ANY_EXAMPLE}"),
        );
    }
    let mut scopes = Vec::new();
    for arg in any.args {
        match arg {
            Arg::Scope(lit) => scopes.push(lit),
            Arg::Any(nested) => errors.spanned(
                &nested.call,
                "any(...) cannot be nested; list every alternative as a string in one any(...), \
                 for example any(\"nav:helse/afp.read\", \"nav:helse/afp.write\")",
            ),
            Arg::KeyValue { key, .. } => errors.push(unknown_argument(&key)),
            Arg::Invalid(invalid) => errors.push(invalid_argument(invalid)),
        }
    }
    scopes
}

/// The error for an argument that is never valid.
fn invalid_argument(invalid: Invalid) -> syn::Error {
    match invalid {
        Invalid::BareAny(any) => syn::Error::new_spanned(
            any,
            format!("`any` lists its scopes in parentheses; write for example {ANY_EXAMPLE}"),
        ),
        Invalid::UnknownCall(name) => unknown_argument(&name),
        Invalid::NotAScope(expr) => syn::Error::new_spanned(
            expr,
            "expected a scope as a string literal; #[scopes] checks every scope at compile time, \
             so write the scope itself, for example \"nav:helse/sykepenger/afp.read\" \
             (constants and other expressions cannot be checked)",
        ),
    }
}

fn unknown_argument(key: &Ident) -> syn::Error {
    syn::Error::new_spanned(
        key,
        format!(
            "unknown argument `{key}`; #[scopes] takes scope strings, all of which are required: \
             {ALL_EXAMPLE}, or one any(...), of which one is enough: {ANY_EXAMPLE}"
        ),
    )
}

/// The message for an argument of form `form` after a first one of form
/// `first`: mixed forms, or a second `any(...)`.
fn form_error(first: Form, form: Form) -> String {
    if first == Form::Any && form == Form::Any {
        format!(
            "#[scopes] takes one any(...); put every alternative in it, for example {ANY_EXAMPLE}"
        )
    } else {
        format!(
            "plain scopes and any(...) cannot be mixed; write one form: either strings, all of \
             which are required, {ALL_EXAMPLE}, or one any(...), of which one is enough, \
             {ANY_EXAMPLE}"
        )
    }
}

fn handler(item: syn::Result<Item>) -> syn::Result<Handler> {
    let handler = match item? {
        Item::Fn(handler) => *handler,
        Item::Other { kind } => {
            return Err(syn::Error::new(
                Span::call_site(),
                format!(
                    "#[scopes] protects a Rocket handler function and cannot be used on {kind}; \
                     place it on a fn, above its route attribute, for example \
                     #[scopes(\"nav:helse/afp.read\")] #[get(\"/afp\")] fn afp() -> &'static str"
                ),
            ))
        }
    };

    let mut errors = Errors::default();
    if let Some(second) = handler
        .attrs
        .iter()
        .find(|attr| is_named(attr, &["scopes"]))
    {
        errors.spanned(
            second,
            format!(
                "#[scopes] is given twice on `fn {}`; write every required scope in one \
                 #[scopes(...)]",
                handler.sig.ident
            ),
        );
    }
    if !handler
        .attrs
        .iter()
        .any(|attr| is_named(attr, &ROUTE_ATTRIBUTES))
    {
        errors.push(syn::Error::new(
            Span::call_site(),
            format!(
                "#[scopes] must be placed above the route attribute, such as #[get(\"/afp\")], \
                 but found none below it on `fn {}`; if the route attribute is above #[scopes], \
                 move #[scopes] up, otherwise add the route attribute below it",
                handler.sig.ident
            ),
        ));
    }
    errors.finish(handler)
}

/// Whether the last segment of the attribute's path is one of `names`, so
/// that `#[get]` and `#[rocket::get]` both count.
fn is_named(attr: &Attribute, names: &[&str]) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| names.iter().any(|name| segment.ident == name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::TokenStream;
    use quote::quote;

    const HANDLER: &str = r#"#[get("/afp")] fn afp() -> &'static str { "ok" }"#;

    fn check_tokens(args: TokenStream, item: &str) -> syn::Result<Protected> {
        let item: TokenStream = item.parse().expect("the item tokenizes");
        check(syn::parse2(args), syn::parse2(item))
    }

    fn messages(args: TokenStream, item: &str) -> Vec<String> {
        match check_tokens(args, item) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn plain_scopes_are_all_required_in_written_order() {
        let protected = check_tokens(quote!("nav:a/bc", "nav:a/de"), HANDLER).expect("valid");
        assert_eq!(protected.requirement.kind, Kind::All);
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
        let protected = check_tokens(quote!(any("nav:a/bc", "nav:a/de")), HANDLER).expect("valid");
        assert_eq!(protected.requirement.kind, Kind::Any);
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
        for args in [quote!(consumers = ["123456789"]), quote!(all("nav:a/bc"))] {
            let errors = messages(args, HANDLER);
            assert!(errors[0].starts_with("unknown argument"), "{errors:?}");
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
            assert!(check_tokens(quote!("nav:a/bc"), &item).is_ok(), "{attr}");
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
}
