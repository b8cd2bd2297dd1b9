//! The one implementation of the scope grammar: the `ExposedScope` patterns
//! of nais/liberator (`pkg/apis/nais.io/v1/digdirator_types.go`).
//!
//! NAIS builds every exposed scope as `<prefix>:<product><separator><name>` and
//! its operator validates each part with a regular expression. We check the
//! same language by hand, rather than with a regex engine, so that each way a
//! string can break the grammar gets its own error saying what to write
//! instead. The unit tests prove the hand-written check accepts exactly what
//! NAIS's `name` regex accepts.

use crate::error::{ScopeError, ScopeErrorKind};

/// The separators NAIS allows between product and name; `/` and `:` may also
/// appear inside a name, `.` only in its trailing `.`-parts.
const SEPARATORS: [char; 3] = ['/', ':', '.'];

/// A scope split into the parts NAIS builds it from, borrowing the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts<'a> {
    /// The organisation prefix, before the first `:` (`nav`).
    pub prefix: &'a str,
    /// The manifest's `product` (`helse`).
    pub product: &'a str,
    /// The manifest's `separator`: `/`, `:` or `.`.
    pub separator: char,
    /// The manifest's `name` (`sykepenger/afp.read`).
    pub name: &'a str,
}

impl<'a> Parts<'a> {
    /// Checks `scope` against the grammar and splits it into its NAIS parts
    /// without allocating. [`Scope::parse`](crate::Scope::parse) is the
    /// owning form.
    ///
    /// ```
    /// use maskinporten_scope::Parts;
    ///
    /// let parts = Parts::parse("nav:arbeid:aap.les")?;
    /// assert_eq!((parts.product, parts.separator, parts.name), ("arbeid", ':', "aap.les"));
    /// # Ok::<(), maskinporten_scope::ScopeError>(())
    /// ```
    pub fn parse(scope: &'a str) -> Result<Parts<'a>, ScopeError> {
        parse(scope).map_err(ScopeError::new)
    }
}

/// Lowercase ASCII letters and digits: the alphabet of prefix and product.
fn is_plain(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// The alphabet of name segments: `[a-zæøå0-9]`.
fn is_name_char(c: char) -> bool {
    is_plain(c) || matches!(c, 'æ' | 'ø' | 'å')
}

/// Splits and checks `scope`; the first rule it breaks is the error.
pub(crate) fn parse(scope: &str) -> Result<Parts<'_>, ScopeErrorKind> {
    if scope.is_empty() {
        return Err(ScopeErrorKind::Empty);
    }
    if scope.chars().any(char::is_whitespace) {
        return Err(ScopeErrorKind::Whitespace);
    }
    let (prefix, rest) = scope.split_once(':').ok_or(ScopeErrorKind::MissingPrefix)?;
    check_prefix(prefix)?;

    let product_len = rest.find(|c: char| !is_plain(c)).unwrap_or(rest.len());
    let product = &rest[..product_len];
    let mut after = rest[product_len..].chars();
    let separator = match after.next() {
        None if product.is_empty() => return Err(ScopeErrorKind::EmptyProduct),
        None => {
            return Err(ScopeErrorKind::MissingSeparator {
                product: product.to_owned(),
            })
        }
        Some(c) if SEPARATORS.contains(&c) => c,
        Some(c) => return Err(ScopeErrorKind::BadProductChar(c)),
    };
    if product.is_empty() {
        return Err(ScopeErrorKind::EmptyProduct);
    }
    let name = after.as_str();
    check_name(name)?;
    Ok(Parts {
        prefix,
        product,
        separator,
        name,
    })
}

/// Checks the fields of a NAIS manifest's `exposes[]` entry one by one.
pub(crate) fn check_fields(
    prefix: &str,
    product: &str,
    separator: char,
    name: &str,
) -> Result<(), ScopeErrorKind> {
    check_prefix(prefix)?;
    if product.is_empty() {
        return Err(ScopeErrorKind::EmptyProduct);
    }
    if let Some(c) = product.chars().find(|&c| !is_plain(c)) {
        return Err(ScopeErrorKind::BadProductChar(c));
    }
    if !SEPARATORS.contains(&separator) {
        return Err(ScopeErrorKind::BadSeparator(separator));
    }
    check_name(name)
}

fn check_prefix(prefix: &str) -> Result<(), ScopeErrorKind> {
    if prefix.is_empty() {
        return Err(ScopeErrorKind::EmptyPrefix);
    }
    match prefix.chars().find(|&c| !is_plain(c)) {
        Some(c) => Err(ScopeErrorKind::BadPrefixChar(c)),
        None => Ok(()),
    }
}

/// NAIS's `name` pattern is
/// `^([a-zæøå0-9]+\/?)+(\:[a-zæøå0-9]+)*[a-zæøå0-9]+(\.[a-zæøå0-9]+)*$`.
/// Read structurally, a name is a path part followed by optional `.`-parts,
/// where the path part is either
/// - `/`-separated runs that are not one single character, or
/// - `/`-separated runs (a trailing `/` allowed) followed by `:`-runs whose
///   last run has at least two characters.
fn check_name(name: &str) -> Result<(), ScopeErrorKind> {
    let first = name.chars().next().ok_or(ScopeErrorKind::EmptyName)?;
    if let Some(c) = name
        .chars()
        .find(|&c| !is_name_char(c) && !SEPARATORS.contains(&c))
    {
        return Err(ScopeErrorKind::BadNameChar(c));
    }
    if SEPARATORS.contains(&first) {
        return Err(ScopeErrorKind::NameStartsWith(first));
    }
    if let Some(last) = name.chars().next_back().filter(|c| SEPARATORS.contains(c)) {
        return Err(ScopeErrorKind::NameEndsWith(last));
    }
    if let Some(pair) = adjacent_separators(name) {
        return Err(ScopeErrorKind::AdjacentSeparators(pair));
    }

    let (path, dotted) = match name.split_once('.') {
        Some((path, dotted)) => (path, Some(dotted)),
        None => (name, None),
    };
    if let Some(c) = dotted.and_then(|d| d.chars().find(|&c| c == '/' || c == ':')) {
        return Err(ScopeErrorKind::AfterDotPart(c));
    }
    let last_run = match path.split_once(':') {
        Some((_, colon_runs)) => {
            if colon_runs.contains('/') {
                return Err(ScopeErrorKind::SlashAfterColon);
            }
            colon_runs.rsplit(':').next().unwrap_or(colon_runs)
        }
        None if path.contains('/') => return Ok(()),
        None => path,
    };
    if last_run.chars().count() < 2 {
        return Err(ScopeErrorKind::ShortLastRun(last_run.to_owned()));
    }
    Ok(())
}

/// Two separators in a row, except `/:`, which NAIS's pattern allows (a `/`
/// may end the path runs right before the first `:`-run).
fn adjacent_separators(name: &str) -> Option<[char; 2]> {
    let chars: Vec<char> = name.chars().collect();
    chars
        .windows(2)
        .map(|w| [w[0], w[1]])
        .find(|&[a, b]| SEPARATORS.contains(&a) && SEPARATORS.contains(&b) && [a, b] != ['/', ':'])
}

#[cfg(test)]
mod tests;
