//! The one implementation of the scope grammar (SPEC §2a).
//!
//! NAIS builds every exposed scope as `<prefix>:<product><separator><name>` and
//! its operator validates each part with a regular expression. We check the
//! same language by hand, rather than with a regex engine, so that each way a
//! string can break the grammar gets its own error saying what to write
//! instead. The unit tests prove the hand-written check accepts exactly what
//! NAIS's `name` regex accepts.

use crate::error::ScopeErrorKind;

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
mod tests {
    use super::*;

    fn nais_name_regex() -> regex::Regex {
        regex::Regex::new(r"^([a-zæøå0-9]+\/?)+(\:[a-zæøå0-9]+)*[a-zæøå0-9]+(\.[a-zæøå0-9]+)*$")
            .expect("the NAIS pattern compiles")
    }

    /// Every string up to seven characters over an alphabet that exercises
    /// each branch of the pattern: the hand-written check and NAIS's regex
    /// must agree on all of them (5^1 + ... + 5^7 = 97,655 strings).
    #[test]
    fn name_check_accepts_exactly_what_the_nais_regex_accepts() {
        let regex = nais_name_regex();
        let alphabet = ['a', 'ø', '/', ':', '.'];
        let mut checked = 0;
        for len in 1..=7u32 {
            for mut n in 0..alphabet.len().pow(len) {
                let mut name = String::new();
                for _ in 0..len {
                    name.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                assert_eq!(
                    check_name(&name).is_ok(),
                    regex.is_match(&name),
                    "disagreement on name {name:?}: {:?}",
                    check_name(&name)
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 97_655);
    }

    #[test]
    fn the_nais_example_splits_into_its_manifest_fields() {
        let parts = parse("nav:helse/sykepenger/afp.read").unwrap();
        assert_eq!(
            parts,
            Parts {
                prefix: "nav",
                product: "helse",
                separator: '/',
                name: "sykepenger/afp.read",
            }
        );
    }

    #[test]
    fn product_ends_at_the_first_separator() {
        let parts = parse("nav:arbeid:aap:vedtak.les").unwrap();
        assert_eq!(parts.product, "arbeid");
        assert_eq!(parts.separator, ':');
        assert_eq!(parts.name, "aap:vedtak.les");
    }

    #[test]
    fn each_broken_rule_has_its_own_error() {
        use ScopeErrorKind::*;
        let cases: &[(&str, ScopeErrorKind)] = &[
            ("", Empty),
            ("nav:helse/a b", Whitespace),
            ("helse", MissingPrefix),
            (":helse/ab", EmptyPrefix),
            ("NAV:helse/ab", BadPrefixChar('N')),
            ("nav:/ab", EmptyProduct),
            ("nav:", EmptyProduct),
            ("nav:Helse/ab", BadProductChar('H')),
            (
                "nav:helse",
                MissingSeparator {
                    product: "helse".into(),
                },
            ),
            ("nav:helse/", EmptyName),
            ("nav:helse/afp-read", BadNameChar('-')),
            ("nav:helse/afp.Read", BadNameChar('R')),
            ("nav:helse/afp.read/", NameEndsWith('/')),
            ("nav:helse/afp.", NameEndsWith('.')),
            ("nav:helse//afp", NameStartsWith('/')),
            ("nav:helse/afp//read", AdjacentSeparators(['/', '/'])),
            ("nav:helse/afp.read/x", AfterDotPart('/')),
            ("nav:helse/ab:cd/ef", SlashAfterColon),
            ("nav:helse/a", ShortLastRun("a".into())),
            ("nav:helse/ab:c", ShortLastRun("c".into())),
        ];
        for (scope, expected) in cases {
            assert_eq!(parse(scope).as_ref(), Err(expected), "for {scope:?}");
        }
    }

    #[test]
    fn norwegian_letters_are_allowed_in_names_only() {
        assert!(parse("nav:helse/sykepengesøknad.les").is_ok());
        assert_eq!(
            parse("nav:pensjonåå/ab").unwrap_err(),
            ScopeErrorKind::BadProductChar('å')
        );
    }
}
