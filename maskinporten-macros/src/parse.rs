//! The attribute's arguments and the item it sits on, as typed values.
//!
//! Parsing accepts every argument shape a user might plausibly write (a
//! string, `any(...)`, `key = value`, a constant, a number) so that
//! `validate` can explain each mistake with its own message instead of
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
    /// `key = value`, such as `consumers = ["123456789"]`; `validate`
    /// decides which keys exist and what their values may be.
    KeyValue { key: Ident, value: Expr },
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

/// `any(...)` with its arguments, which `validate` requires to be scopes.
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
                _ => Arg::Invalid(Invalid::NotAScope(expr)),
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
mod tests {
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
        assert!(matches!(&parsed[0], Arg::Invalid(Invalid::NotAScope(_))));
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
}
