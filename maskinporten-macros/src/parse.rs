//! The attribute's arguments and the item it sits on, as typed values.
//!
//! Parsing accepts every argument shape a user might plausibly write (a
//! string, `any(...)`, `key = value`, a constant, a number) so that
//! `rules` can explain each mistake with its own message instead of
//! stopping at the first unexpected token. Nothing here decides what is
//! allowed.
//!
//! It also finds the route attribute below ours and reads its method and
//! path, leniently: Rocket reports a malformed route attribute itself.

use proc_macro2::{TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprCall, Ident, Lit, LitStr, Signature, Token, Visibility};

/// Everything between the parentheses of `#[scopes(...)]`.
pub(crate) struct Args {
    pub(crate) args: Vec<Arg>,
}

/// One comma-separated argument of `#[scopes(...)]` or of `any(...)`.
pub(crate) enum Arg {
    /// `"nav:helse/sykepenger/afp.read"`: a scope.
    Scope(LitStr),
    /// `any("a", "b")`: alternatives, one of which suffices.
    Any(AnyArg),
    /// `key = value`, such as `consumers = ["123456789"]`; `rules`
    /// decides which keys exist and what their values may be.
    KeyValue { key: Ident, value: Expr },
    /// A lone identifier other than `any`, such as `system_user`; `rules`
    /// decides which flags exist (a constant's name lands here too).
    Flag(Ident),
    /// Something that can never be an argument.
    Invalid(Invalid),
}

/// The argument shapes that are always a mistake, told apart so that each
/// gets the message that fixes it.
pub(crate) enum Invalid {
    /// `any` without its parentheses.
    BareAny(Ident),
    /// `name(...)` for a name other than `any`.
    UnknownCall(Ident),
    /// Anything else: a constant, a number, an expression.
    NotAScope(Expr),
}

/// `any(...)` with its arguments, which `rules` requires to be scopes.
pub(crate) struct AnyArg {
    /// The whole `any(...)`, for spans.
    pub(crate) call: ExprCall,
    pub(crate) args: Vec<Arg>,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let exprs = Punctuated::<Expr, Token![,]>::parse_terminated(input)?;
        Ok(Args {
            args: exprs.into_iter().map(Arg::from_expr).collect(),
        })
    }
}

impl Arg {
    fn from_expr(expr: Expr) -> Arg {
        if let Some(lit) = string_literal(&expr) {
            return Arg::Scope(lit);
        }
        match expr {
            Expr::Group(group) if group.attrs.is_empty() => Arg::from_expr(*group.expr),
            Expr::Call(call) => match single_ident(&call.func) {
                Some(name) if name == "any" => Arg::Any(AnyArg {
                    args: call.args.iter().cloned().map(Arg::from_expr).collect(),
                    call,
                }),
                Some(name) => Arg::Invalid(Invalid::UnknownCall(name)),
                None => Arg::Invalid(Invalid::NotAScope(Expr::Call(call))),
            },
            Expr::Assign(assign) => match single_ident(&assign.left) {
                Some(key) => Arg::KeyValue {
                    key,
                    value: *assign.right,
                },
                None => Arg::Invalid(Invalid::NotAScope(Expr::Assign(assign))),
            },
            Expr::Path(_) => match single_ident(&expr) {
                Some(name) if name == "any" => Arg::Invalid(Invalid::BareAny(name)),
                Some(name) => Arg::Flag(name),
                None => Arg::Invalid(Invalid::NotAScope(expr)),
            },
            other => Arg::Invalid(Invalid::NotAScope(other)),
        }
    }
}

/// `expr` without the invisible groups a `$value:expr` passed through a
/// `macro_rules!` arrives wrapped in.
pub(crate) fn ungroup(mut expr: &Expr) -> &Expr {
    while let Expr::Group(group) = expr {
        if !group.attrs.is_empty() {
            break;
        }
        expr = &group.expr;
    }
    expr
}

/// The string literal `expr` is, if it is one.
pub(crate) fn string_literal(expr: &Expr) -> Option<LitStr> {
    match ungroup(expr) {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(lit),
            attrs,
        }) if attrs.is_empty() => Some(lit.clone()),
        _ => None,
    }
}

/// `name` when `expr` is a path of one plain identifier.
fn single_ident(expr: &Expr) -> Option<Ident> {
    match ungroup(expr) {
        Expr::Path(path) if path.qself.is_none() => path.path.get_ident().cloned(),
        _ => None,
    }
}

/// The route attributes of Rocket 0.5, by the last segment of their path.
const ROUTE_ATTRIBUTES: [&str; 8] = [
    "get", "put", "post", "delete", "head", "patch", "options", "route",
];

/// Whether the last segment of the attribute's path is one of `names`, so
/// that `#[get]` and `#[rocket::get]` both count.
pub(crate) fn is_named(attr: &Attribute, names: &[&str]) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| names.iter().any(|name| segment.ident == name))
}

/// The first of `attrs` that is a Rocket route attribute.
pub(crate) fn route_attribute(attrs: &[Attribute]) -> Option<&Attribute> {
    attrs.iter().find(|attr| is_named(attr, &ROUTE_ATTRIBUTES))
}

/// The method and path a route attribute declares, for the scope map.
///
/// Both are empty when either cannot be read; the runtime then finds the
/// route by handler name and method alone.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    /// In upper case: `GET`.
    pub(crate) method: String,
    /// As written in the attribute: `/afp/<id>`.
    pub(crate) path: String,
}

impl Route {
    /// Reads `#[get("/p", ...)]` (method from the attribute's name, path from
    /// its first string literal argument) and `#[route(GET, uri = "/p")]`
    /// (method from the first identifier argument, path from `uri`).
    pub(crate) fn read(attr: &Attribute) -> Route {
        Route::try_read(attr).unwrap_or_default()
    }

    fn try_read(attr: &Attribute) -> Option<Route> {
        let name = attr.path().segments.last()?.ident.to_string();
        let args = attr
            .parse_args_with(Punctuated::<Expr, Token![,]>::parse_terminated)
            .ok()?;
        let mut positional = args
            .iter()
            .map(ungroup)
            .filter(|arg| !matches!(arg, Expr::Assign(_)));
        let method = if name == "route" {
            match positional.next()? {
                Expr::Path(path) if path.qself.is_none() => {
                    path.path.segments.last()?.ident.to_string()
                }
                _ => return None,
            }
        } else {
            name
        };
        let uri = args.iter().find_map(|arg| match ungroup(arg) {
            Expr::Assign(assign) if single_ident(&assign.left).is_some_and(|key| key == "uri") => {
                string_literal(&assign.right)
            }
            _ => None,
        });
        let path = uri.or_else(|| positional.find_map(string_literal))?;
        Some(Route {
            method: method.to_ascii_uppercase(),
            path: path.value(),
        })
    }
}

/// The item `#[scopes]` is placed on.
pub(crate) enum Item {
    /// A function: the only thing `#[scopes]` can protect.
    Fn(Box<Handler>),
    /// Anything else, described for the error message ("a struct").
    Other { kind: &'static str },
}

/// A function, split so that its body passes through untouched.
pub(crate) struct Handler {
    /// The attributes below `#[scopes]`, the route attribute among them.
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    /// The block, never parsed: what the user wrote is what the compiler sees.
    pub(crate) body: TokenStream,
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        if input.fork().parse::<Signature>().is_ok() {
            let sig = input.parse()?;
            let body = input.parse()?;
            return Ok(Item::Fn(Box::new(Handler {
                attrs,
                vis,
                sig,
                body,
            })));
        }
        let rest: TokenStream = input.parse()?;
        Ok(Item::Other {
            kind: describe(rest),
        })
    }
}

/// Names the kind of a non-function item from its leading keywords.
fn describe(item: TokenStream) -> &'static str {
    for token in item {
        let TokenTree::Ident(ident) = token else {
            break;
        };
        let kind = match ident.to_string().as_str() {
            "struct" => "a struct",
            "enum" => "an enum",
            "union" => "a union",
            "impl" => "an impl block",
            "mod" => "a module",
            "trait" => "a trait",
            "const" => "a constant",
            "static" => "a static",
            "type" => "a type alias",
            "use" => "a use declaration",
            "extern" => "an extern item",
            "macro_rules" => "a macro",
            _ => continue,
        };
        return kind;
    }
    "this item"
}

#[cfg(test)]
mod tests;
