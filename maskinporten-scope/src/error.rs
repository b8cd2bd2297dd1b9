//! Why a string is not a scope NAIS can expose: [`ScopeError`] and its
//! [`ScopeErrorKind`], one kind per rule of the grammar.

use std::fmt;

/// Why a string is not a scope NAIS can expose.
///
/// Its `Display` says what is wrong and what to write instead; the `#[scopes]`
/// macro shows it as a compile error on the offending literal, and the runtime
/// shows it when a configured scope is rejected.
///
/// ```
/// use maskinporten_scope::Scope;
///
/// let err = Scope::parse("nav:helse/afp-read").unwrap_err();
/// assert!(err.to_string().contains("found `-`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeError {
    kind: ScopeErrorKind,
}

impl ScopeError {
    pub(crate) fn new(kind: ScopeErrorKind) -> Self {
        ScopeError { kind }
    }

    /// Which rule the string broke.
    pub fn kind(&self) -> &ScopeErrorKind {
        &self.kind
    }
}

/// The rules of NAIS's `ExposedScope` patterns (nais/liberator,
/// `pkg/apis/nais.io/v1/digdirator_types.go`), one variant each.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScopeErrorKind {
    /// The string is empty.
    Empty,
    /// The string contains whitespace.
    Whitespace,
    /// There is no `:` after the organisation prefix.
    MissingPrefix,
    /// Nothing stands before the first `:`.
    EmptyPrefix,
    /// The prefix holds a character other than `[a-z0-9]`.
    BadPrefixChar(char),
    /// Nothing stands between the prefix's `:` and the separator.
    EmptyProduct,
    /// The product holds a character other than `[a-z0-9]`.
    BadProductChar(char),
    /// The product is the last thing in the string.
    MissingSeparator {
        /// The product as written.
        product: String,
    },
    /// A manifest's `separator` is not `/`, `:` or `.`.
    BadSeparator(char),
    /// Nothing follows the separator.
    EmptyName,
    /// The name holds a character outside `[a-zæøå0-9/:.]`.
    BadNameChar(char),
    /// The name starts with `/`, `:` or `.`.
    NameStartsWith(char),
    /// The name ends with `/`, `:` or `.`.
    NameEndsWith(char),
    /// Two separators stand side by side.
    AdjacentSeparators([char; 2]),
    /// A `/` or `:` follows a `.`-part.
    AfterDotPart(char),
    /// A `/` follows a `:`-part.
    SlashAfterColon,
    /// NAIS's pattern needs two or more characters in this run.
    ShortLastRun(String),
}

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ScopeErrorKind::*;
        const EXAMPLE: &str = "\"nav:helse/sykepenger/afp.read\"";
        match &self.kind {
            Empty => write!(f, "a scope cannot be empty; write the whole scope, for example {EXAMPLE}"),
            Whitespace => write!(
                f,
                "a scope is one token and cannot contain whitespace; to require several scopes, \
                 write each as its own string: #[scopes(\"nav:helse/afp.read\", \"nav:helse/afp.write\")]"
            ),
            MissingPrefix => write!(
                f,
                "a scope starts with the organisation prefix and `:`; write for example {EXAMPLE}"
            ),
            EmptyPrefix => write!(
                f,
                "the organisation prefix before `:` is empty; write it first, for example {EXAMPLE}"
            ),
            BadPrefixChar(c) => write!(
                f,
                "the organisation prefix may hold only lowercase ASCII letters and digits, found `{c}`; \
                 write it as Maskinporten issues it, for example `nav`"
            ),
            EmptyProduct => write!(
                f,
                "the product after the prefix is empty; write the manifest's `product`, for example {EXAMPLE}"
            ),
            BadProductChar(c) => write!(
                f,
                "the product may hold only lowercase ASCII letters and digits (NAIS: ^[a-z0-9]+$), \
                 found `{c}`; write the manifest's `product`, for example `helse`"
            ),
            MissingSeparator { product } => write!(
                f,
                "the product `{product}` must be followed by a separator (`/`, `:` or `.`) and a name; \
                 write for example \"nav:{product}/sykepenger/afp.read\""
            ),
            BadSeparator(c) => write!(
                f,
                "the separator must be `/`, `:` or `.`, found `{c}`; NAIS uses `:` by default \
                 and `/` when the name contains `/`"
            ),
            EmptyName => write!(
                f,
                "the name after the separator is empty; write the manifest's `name`, for example {EXAMPLE}"
            ),
            BadNameChar(c) => {
                write!(
                    f,
                    "the name may hold only a-z, æ, ø, å, digits and the separators `/`, `:`, `.`, found `{c}`"
                )?;
                if c.is_uppercase() {
                    write!(f, "; write it in lower case")
                } else if c.is_whitespace() {
                    write!(f, "; remove it")
                } else {
                    write!(f, "; NAIS names have no `{c}`, use `/`, `:` or `.` between words")
                }
            }
            NameStartsWith(c) => write!(
                f,
                "the name cannot start with `{c}`; write one separator between product and name, \
                 for example {EXAMPLE}"
            ),
            NameEndsWith(c) => write!(
                f,
                "the name cannot end with `{c}`; end it with a letter or digit, for example {EXAMPLE}"
            ),
            AdjacentSeparators([a, b]) => write!(
                f,
                "the name cannot have `{a}{b}` in a row; put letters or digits between separators"
            ),
            AfterDotPart(c) => write!(
                f,
                "`.`-parts end a name, so `{c}` cannot follow one; write the path first, \
                 for example `sykepenger/afp.read`"
            ),
            SlashAfterColon => write!(
                f,
                "`:`-parts come after every `/`-part of a name, so `/` cannot follow one; \
                 write for example `sykepenger/afp:read`"
            ),
            ShortLastRun(run) => write!(
                f,
                "NAIS's name pattern needs at least two letters or digits in `{run}`, the last part \
                 before the first `.` or the end of the name; write a longer word there"
            ),
        }
    }
}

impl std::error::Error for ScopeError {}
