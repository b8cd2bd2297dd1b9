//! The attribute rules: what `#[scopes]` and `#[public]` accept. Every
//! mistake becomes a `syn::Error` on the tokens to change, saying what to
//! write instead, and all of them are reported together.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::{Expr, Ident, LitStr};

use crate::parse::{self, AnyArg, Arg, Args, Handler, Invalid, Item, Route};

const ALL_EXAMPLE: &str = r#"#[scopes("nav:helse/afp.read", "nav:helse/afp.write")]"#;
const ANY_EXAMPLE: &str = r#"#[scopes(any("nav:helse/afp.read", "nav:helse/afp.write"))]"#;
const CONSUMERS_EXAMPLE: &str = r#"#[scopes("nav:helse/afp.read", consumers = ["123456789"])]"#;

/// Which of our attributes is being expanded: the placement checks are the
/// same, the messages name the one the user wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attr {
    Scopes,
    Public,
}

impl Attr {
    fn name(self) -> &'static str {
        match self {
            Attr::Scopes => "scopes",
            Attr::Public => "public",
        }
    }
}

/// A handler with our attribute above its route attribute.
pub(crate) struct Placed {
    pub(crate) handler: Handler,
    /// What the route attribute declares, for the scope map.
    pub(crate) route: Route,
}

/// A handler that passed every check, with the scopes it requires.
pub(crate) struct Protected {
    pub(crate) placed: Placed,
    pub(crate) requirement: Requirement,
}

/// What a token must carry: every scope, or at least one, and, when
/// `consumers` is not empty, a consumer organisation among them.
pub(crate) struct Requirement {
    pub(crate) mode: Mode,
    /// Checked against the grammar, without duplicates, in written order.
    pub(crate) scopes: Vec<LitStr>,
    /// Nine digits each, without duplicates, in written order; empty when
    /// the attribute has no `consumers`.
    pub(crate) consumers: Vec<LitStr>,
}

/// Whether every listed scope is required or any one of them: the runtime's
/// `maskinporten_rocket::scope::Mode`, under the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `#[scopes("a", "b")]`.
    All,
    /// `#[scopes(any("a", "b"))]`.
    Any,
}

/// The rules of `#[scopes]`, for its arguments and item; `Err` holds every
/// error found.
pub(crate) fn scopes(args: syn::Result<Args>, item: syn::Result<Item>) -> syn::Result<Protected> {
    let (requirement, placed) = both(requirement(args), placed(item, Attr::Scopes))?;
    Ok(Protected {
        placed,
        requirement,
    })
}

/// The rules of `#[public]`, for its (absent) arguments and item.
pub(crate) fn public(args: TokenStream, item: syn::Result<Item>) -> syn::Result<Placed> {
    let args = if args.is_empty() {
        Ok(())
    } else {
        Err(syn::Error::new_spanned(
            args,
            "#[public] takes no arguments; write #[public] alone to leave the handler open to \
             every caller, or #[scopes(\"nav:helse/afp.read\")] in its place to require a scope",
        ))
    };
    let ((), placed) = both(args, placed(item, Attr::Public))?;
    Ok(placed)
}

/// Both values, or every error of either.
fn both<A, B>(a: syn::Result<A>, b: syn::Result<B>) -> syn::Result<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
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
    // Only keys: `consumers` alone gets its own message below.
    let only_keys = args
        .args
        .iter()
        .all(|arg| matches!(arg, Arg::KeyValue { .. }));

    let mut forms = Forms::default();
    let mut literals = Vec::new();
    let mut consumers = None;
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
            Arg::KeyValue { key, value } if key == "consumers" => {
                let list = consumer_list(&value, &mut errors);
                if consumers.is_some() {
                    errors.spanned(
                        &key,
                        "consumers is given twice; write every allowed organisation number in \
                         one consumers = [...], for example \
                         consumers = [\"123456789\", \"987654321\"]",
                    );
                } else {
                    if only_keys {
                        errors.spanned(
                            &key,
                            format!(
                                "consumers = [...] limits which organisations may use the \
                                 scopes, so #[scopes] needs at least one scope beside it; \
                                 write for example {CONSUMERS_EXAMPLE}"
                            ),
                        );
                    }
                    consumers = Some(list);
                }
            }
            Arg::KeyValue { key, .. } => errors.push(unknown_argument(&key)),
            Arg::Invalid(invalid) => errors.push(invalid_argument(invalid)),
        }
    }

    let mut seen = HashSet::new();
    let mut scopes = Vec::new();
    for lit in literals {
        let value = lit.value();
        if let Err(error) = maskinporten_scope::Parts::parse(&value) {
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

    let mode = match forms.first {
        Some(Form::Any) => Mode::Any,
        _ => Mode::All,
    };
    errors.finish(Requirement {
        mode,
        scopes,
        consumers: consumers.unwrap_or_default(),
    })
}

/// The organisation numbers of `consumers = [...]`, reporting every one that
/// is not nine digits or is listed twice.
fn consumer_list(value: &Expr, errors: &mut Errors) -> Vec<LitStr> {
    const NOT_AN_ARRAY: &str = "consumers takes the allowed organisation numbers as an array \
        of string literals; write for example consumers = [\"123456789\", \"987654321\"]";
    let Expr::Array(array) = parse::ungroup(value) else {
        errors.spanned(value, NOT_AN_ARRAY);
        return Vec::new();
    };
    if array.elems.is_empty() {
        errors.spanned(
            array,
            "consumers = [] allows no organisation at all; list the organisation numbers \
             allowed, for example consumers = [\"123456789\"], or remove consumers to allow \
             every organisation whose token has the scopes",
        );
    }
    let mut seen = HashSet::new();
    let mut consumers = Vec::new();
    for element in &array.elems {
        let Some(lit) = parse::string_literal(element) else {
            errors.spanned(element, NOT_AN_ARRAY);
            continue;
        };
        let orgno = lit.value();
        if !is_orgno(&orgno) {
            errors.spanned(&lit, orgno_error(&orgno));
        } else if !seen.insert(orgno) {
            errors.spanned(
                &lit,
                format!(
                    "the organisation number \"{}\" is listed twice in consumers; list each \
                     organisation once and remove this one",
                    lit.value()
                ),
            );
        } else {
            consumers.push(lit);
        }
    }
    consumers
}

/// NAIS's `consumers[].orgno` pattern, `^\d{9}$`.
fn is_orgno(value: &str) -> bool {
    value.len() == 9 && value.bytes().all(|b| b.is_ascii_digit())
}

fn orgno_error(value: &str) -> String {
    // The token's `consumer.ID` is `0192:<orgno>`; the manifest has the
    // number alone.
    let hint = match value.strip_prefix("0192:") {
        Some(orgno) if is_orgno(orgno) => " without the 0192: of the token's consumer.ID,",
        _ => "",
    };
    format!(
        "an organisation number is nine digits (NAIS: ^\\d{{9}}$), found `{}`; write it as in \
         the manifest's consumers[].orgno,{hint} for example \"123456789\"",
        value.escape_debug()
    )
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
            Arg::KeyValue { key, value } if key == "consumers" => {
                errors.spanned(
                    quote!(#key = #value),
                    "consumers cannot go inside any(...): it applies whichever scope the token \
                     has; write it after any(...), for example \
                     #[scopes(any(\"nav:helse/afp.read\", \"nav:helse/afp.write\"), \
                     consumers = [\"123456789\"])]",
                );
                consumer_list(&value, errors);
            }
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
             {ALL_EXAMPLE}, or one any(...), of which one is enough: {ANY_EXAMPLE}, and \
             optionally consumers = [...], the organisation numbers allowed: {CONSUMERS_EXAMPLE}"
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

/// Checks that `item` is a fn with a route attribute below `attr` and no
/// attribute that contradicts it, and reads the route attribute.
fn placed(item: syn::Result<Item>, attr: Attr) -> syn::Result<Placed> {
    let name = attr.name();
    let handler = match item? {
        Item::Fn(handler) => *handler,
        Item::Other { kind } => {
            let (what, example) = match attr {
                Attr::Scopes => (
                    "protects a Rocket handler function",
                    r#"#[scopes("nav:helse/afp.read")] #[get("/afp")] fn afp() -> &'static str"#,
                ),
                Attr::Public => (
                    "marks a Rocket handler function as open to every caller",
                    r#"#[public] #[get("/isalive")] fn isalive() -> &'static str"#,
                ),
            };
            return Err(syn::Error::new(
                Span::call_site(),
                format!(
                    "#[{name}] {what} and cannot be used on {kind}; place it on a fn, above its \
                     route attribute, for example {example}"
                ),
            ));
        }
    };
    let fn_name = &handler.sig.ident;

    let mut errors = Errors::default();
    if let Some(scopes) = handler
        .attrs
        .iter()
        .find(|attr| parse::is_named(attr, &["scopes"]))
    {
        let message = match attr {
            Attr::Scopes => format!(
                "#[scopes] is given twice on `fn {fn_name}`; write every required scope in one \
                 #[scopes(...)]"
            ),
            Attr::Public => both_public_and_scopes(fn_name),
        };
        errors.spanned(scopes, message);
    }
    if attr == Attr::Scopes {
        if let Some(public) = handler
            .attrs
            .iter()
            .find(|attr| parse::is_named(attr, &["public"]))
        {
            errors.spanned(public, both_public_and_scopes(fn_name));
        }
    }

    let route = match parse::route_attribute(&handler.attrs) {
        Some(route) => Route::read(route),
        None => {
            let example = match attr {
                Attr::Scopes => "/afp",
                Attr::Public => "/isalive",
            };
            errors.push(syn::Error::new(
                Span::call_site(),
                format!(
                    "#[{name}] must be placed above the route attribute, such as \
                     #[get(\"{example}\")], but found none below it on `fn {fn_name}`; if the \
                     route attribute is above #[{name}], move #[{name}] up, otherwise add the \
                     route attribute below it"
                ),
            ));
            Route::default()
        }
    };
    errors.finish(Placed { handler, route })
}

fn both_public_and_scopes(fn_name: &Ident) -> String {
    format!(
        "#[public] and #[scopes] cannot both be on `fn {fn_name}`: #[public] leaves the handler \
         open to every caller, #[scopes] requires a token; remove #[public] to require the \
         scopes, or remove #[scopes(...)] to leave the handler open"
    )
}

#[cfg(test)]
mod tests;
