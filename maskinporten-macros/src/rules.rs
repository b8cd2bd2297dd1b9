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
const SYSTEM_USER_EXAMPLE: &str = r#"#[scopes("nav:helse/afp.read", system_user)]"#;
const SYSTEM_USER_ORGS_EXAMPLE: &str =
    r#"#[scopes("nav:helse/afp.read", system_user_orgs = ["123456789"])]"#;
const DELEGATION_EXAMPLE: &str = r#"#[scopes("nav:helse/afp.read", delegation = deny)]"#;
const CHECK_EXAMPLE: &str = r#"#[scopes("nav:helse/afp.read", check = pdp::may_act)]"#;

/// The options `#[scopes]` takes beside its scopes, and an example of each.
const OPTIONS: [(&str, &str); 5] = [
    ("consumers", CONSUMERS_EXAMPLE),
    ("system_user", SYSTEM_USER_EXAMPLE),
    ("system_user_orgs", SYSTEM_USER_ORGS_EXAMPLE),
    ("delegation", DELEGATION_EXAMPLE),
    ("check", CHECK_EXAMPLE),
];

/// The example of option `name`, if it is one.
fn option_example(name: &Ident) -> Option<&'static str> {
    OPTIONS
        .iter()
        .find(|(option, _)| name == option)
        .map(|(_, example)| *example)
}

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
/// `consumers` is not empty, a consumer organisation among them; what else
/// the attribute asks of it; and the check it names.
pub(crate) struct Requirement {
    pub(crate) mode: Mode,
    /// Checked against the grammar, without duplicates, in written order.
    pub(crate) scopes: Vec<LitStr>,
    /// Nine digits each, without duplicates, in written order; empty when
    /// the attribute has no `consumers`.
    pub(crate) consumers: Vec<LitStr>,
    /// `system_user`, or implied by `system_user_orgs`.
    pub(crate) system_user: bool,
    /// As `consumers`, for the system user's organisation.
    pub(crate) system_user_orgs: Vec<LitStr>,
    /// `delegation = …`, when written.
    pub(crate) delegation: Option<Delegation>,
    /// `check = path`, as written (its span is the user's).
    pub(crate) check: Option<syn::Path>,
}

/// `delegation = allow | deny | require`: the runtime's
/// `maskinporten_rocket::scope::Delegation`, under the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delegation {
    Allow,
    Deny,
    Require,
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
    // Options and no scope: said once, on the first option, below.
    let only_options = args.args.iter().all(|arg| match arg {
        Arg::KeyValue { .. } => true,
        Arg::Flag(name) => name == "system_user",
        _ => false,
    });
    let mut options_without_scope_reported = !only_options;

    let mut forms = Forms::default();
    let mut literals = Vec::new();
    let mut consumers = None;
    let mut system_user = None;
    let mut system_user_orgs = None;
    let mut delegation = None;
    let mut check = None;
    for arg in args.args {
        if let Arg::KeyValue { key, .. } | Arg::Flag(key) = &arg {
            if option_example(key).is_some() && !options_without_scope_reported {
                options_without_scope_reported = true;
                errors.spanned(key, option_without_scope(key));
            }
        }
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
                let list = organisation_list(&value, OrgList::Consumers, &mut errors);
                once(&mut consumers, list, &key, &mut errors);
            }
            Arg::KeyValue { key, value } if key == "system_user_orgs" => {
                let list = organisation_list(&value, OrgList::SystemUserOrgs, &mut errors);
                once(&mut system_user_orgs, list, &key, &mut errors);
            }
            Arg::KeyValue { key, value } if key == "delegation" => {
                let rule = delegation_rule(&value, &mut errors);
                once(&mut delegation, rule, &key, &mut errors);
            }
            Arg::KeyValue { key, value } if key == "check" => {
                let path = check_path(&value, &mut errors);
                once(&mut check, path, &key, &mut errors);
            }
            Arg::KeyValue { key, value } if key == "system_user" => errors.spanned(
                quote!(#key = #value),
                format!(
                    "system_user takes no value: written, it requires a token from an Altinn \
                     system user; write it alone, for example {SYSTEM_USER_EXAMPLE}"
                ),
            ),
            Arg::KeyValue { key, .. } => errors.push(unknown_argument(&key)),
            Arg::Flag(name) if name == "system_user" => {
                once(&mut system_user, (), &name, &mut errors)
            }
            Arg::Flag(name) => match option_example(&name) {
                Some(example) => errors.spanned(
                    &name,
                    format!("`{name}` needs a value; write for example {example}"),
                ),
                None => errors.push(not_a_scope(&name)),
            },
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
    let system_user_orgs = system_user_orgs.unwrap_or_default();
    errors.finish(Requirement {
        mode,
        scopes,
        consumers: consumers.unwrap_or_default(),
        system_user: system_user.is_some() || !system_user_orgs.is_empty(),
        system_user_orgs,
        delegation: delegation.flatten(),
        check: check.flatten(),
    })
}

/// Keeps the first value of an option and reports every later one.
fn once<T>(slot: &mut Option<T>, value: T, key: &Ident, errors: &mut Errors) {
    if slot.is_none() {
        *slot = Some(value);
        return;
    }
    let message = match key.to_string().as_str() {
        "consumers" | "system_user_orgs" => format!(
            "{key} is given twice; write every allowed organisation number in one \
             {key} = [...], for example {key} = [\"123456789\", \"987654321\"]"
        ),
        _ => format!(
            "{key} is given twice; write it once, for example {}",
            option_example(key).unwrap_or_default()
        ),
    };
    errors.spanned(key, message);
}

/// The message for an option written without any scope beside it.
fn option_without_scope(key: &Ident) -> String {
    if key == "consumers" {
        return format!(
            "consumers = [...] limits which organisations may use the scopes, so #[scopes] \
             needs at least one scope beside it; write for example {CONSUMERS_EXAMPLE}"
        );
    }
    format!(
        "`{key}` adds a condition to the scopes, so #[scopes] needs at least one scope beside \
         it; write for example {}",
        option_example(key).unwrap_or_default()
    )
}

/// The rule of `delegation = …`.
fn delegation_rule(value: &Expr, errors: &mut Errors) -> Option<Delegation> {
    const VALUES: &str = "delegation takes allow (delegated and direct tokens, the default), \
        deny (direct tokens only) or require (delegated tokens only)";
    let rule = match parse::ungroup(value) {
        Expr::Path(path) if path.qself.is_none() => {
            path.path
                .get_ident()
                .and_then(|ident| match ident.to_string().as_str() {
                    "allow" => Some(Delegation::Allow),
                    "deny" => Some(Delegation::Deny),
                    "require" => Some(Delegation::Require),
                    _ => None,
                })
        }
        _ => None,
    };
    if rule.is_none() {
        let hint = match parse::string_literal(value) {
            Some(lit) => format!("; write it without quotes: delegation = {}", lit.value()),
            None => format!("; write for example {DELEGATION_EXAMPLE}"),
        };
        errors.spanned(value, format!("{VALUES}{hint}"));
    }
    rule
}

/// The path of `check = …`.
fn check_path(value: &Expr, errors: &mut Errors) -> Option<syn::Path> {
    match parse::ungroup(value) {
        Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => {
            Some(path.path.clone())
        }
        _ => {
            errors.spanned(
                value,
                format!(
                    "check takes the path of an async fn that decides after the scopes pass, \
                     `async fn f(claims: &Claims, request: &Request<'_>) -> Result<(), \
                     CheckError>`; write its path, for example {CHECK_EXAMPLE}"
                ),
            );
            None
        }
    }
}

/// Which organisation list an array is, for the messages.
#[derive(Clone, Copy)]
enum OrgList {
    Consumers,
    SystemUserOrgs,
}

/// The organisation numbers of `consumers = [...]` or
/// `system_user_orgs = [...]`, reporting every one that is not nine digits
/// or is listed twice.
fn organisation_list(value: &Expr, list: OrgList, errors: &mut Errors) -> Vec<LitStr> {
    let name = match list {
        OrgList::Consumers => "consumers",
        OrgList::SystemUserOrgs => "system_user_orgs",
    };
    let not_an_array = format!(
        "{name} takes the allowed organisation numbers as an array of string literals; write \
         for example {name} = [\"123456789\", \"987654321\"]"
    );
    let Expr::Array(array) = parse::ungroup(value) else {
        errors.spanned(value, &not_an_array);
        return Vec::new();
    };
    if array.elems.is_empty() {
        errors.spanned(
            array,
            match list {
                OrgList::Consumers => {
                    "consumers = [] allows no organisation at all; list the organisation \
                     numbers allowed, for example consumers = [\"123456789\"], or remove \
                     consumers to allow every organisation whose token has the scopes"
                }
                OrgList::SystemUserOrgs => {
                    "system_user_orgs = [] allows no organisation at all; list the organisation \
                     numbers whose system users are allowed, for example \
                     system_user_orgs = [\"123456789\"], or write system_user instead to allow \
                     the system users of every organisation"
                }
            },
        );
    }
    let mut seen = HashSet::new();
    let mut orgs = Vec::new();
    for element in &array.elems {
        let Some(lit) = parse::string_literal(element) else {
            errors.spanned(element, &not_an_array);
            continue;
        };
        let orgno = lit.value();
        if !is_orgno(&orgno) {
            errors.spanned(&lit, orgno_error(&orgno, list));
        } else if !seen.insert(orgno) {
            errors.spanned(
                &lit,
                format!(
                    "the organisation number \"{}\" is listed twice in {name}; list each \
                     organisation once and remove this one",
                    lit.value()
                ),
            );
        } else {
            orgs.push(lit);
        }
    }
    orgs
}

/// NAIS's `consumers[].orgno` pattern, `^\d{9}$`.
fn is_orgno(value: &str) -> bool {
    value.len() == 9 && value.bytes().all(|b| b.is_ascii_digit())
}

fn orgno_error(value: &str, list: OrgList) -> String {
    // The token's `consumer.ID` (and a system user's `systemuser_org.ID`)
    // is `0192:<orgno>`; the manifest has the number alone.
    let prefixed = matches!(value.strip_prefix("0192:"), Some(orgno) if is_orgno(orgno));
    let (as_in, prefix) = match list {
        OrgList::Consumers => (
            " as in the manifest's consumers[].orgno,",
            " without the 0192: of the token's consumer.ID,",
        ),
        OrgList::SystemUserOrgs => ("", " without the 0192: of the token's systemuser_org.ID,"),
    };
    let hint = if prefixed { prefix } else { "" };
    format!(
        "an organisation number is nine digits (NAIS: ^\\d{{9}}$), found `{}`; write it\
         {as_in}{hint} for example \"123456789\"",
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
                organisation_list(&value, OrgList::Consumers, errors);
            }
            Arg::KeyValue { key: name, .. } | Arg::Flag(name)
                if option_example(&name).is_some() =>
            {
                errors.spanned(
                    &name,
                    format!(
                        "{name} cannot go inside any(...): it applies whichever scope the \
                         token has; write it after any(...), for example \
                         #[scopes(any(\"nav:helse/afp.read\", \"nav:helse/afp.write\"), ...)]"
                    ),
                );
            }
            Arg::KeyValue { key, .. } => errors.push(unknown_argument(&key)),
            Arg::Flag(name) => errors.push(not_a_scope(&name)),
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
        Invalid::NotAScope(expr) => not_a_scope(&expr),
    }
}

/// The error for a constant or another expression where a scope goes.
fn not_a_scope(tokens: &dyn ToTokens) -> syn::Error {
    syn::Error::new_spanned(
        tokens,
        "expected a scope as a string literal; #[scopes] checks every scope at compile time, \
         so write the scope itself, for example \"nav:helse/sykepenger/afp.read\" \
         (constants and other expressions cannot be checked)",
    )
}

fn unknown_argument(key: &Ident) -> syn::Error {
    syn::Error::new_spanned(
        key,
        format!(
            "unknown argument `{key}`; #[scopes] takes scope strings, all of which are required: \
             {ALL_EXAMPLE}, or one any(...), of which one is enough: {ANY_EXAMPLE}, and \
             optionally consumers = [...], the organisation numbers allowed: \
             {CONSUMERS_EXAMPLE}; system_user, a token from an Altinn system user: \
             {SYSTEM_USER_EXAMPLE}; system_user_orgs = [...], the organisations whose system \
             users are allowed: {SYSTEM_USER_ORGS_EXAMPLE}; delegation = allow, deny or \
             require: {DELEGATION_EXAMPLE}; check = path, an async fn that decides after the \
             scopes pass: {CHECK_EXAMPLE}"
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
