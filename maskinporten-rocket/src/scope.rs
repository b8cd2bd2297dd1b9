//! Scope requirements and how a token's `scope` claim (RFC 6749 §3.3: scopes
//! separated by spaces) meets them.
//!
//! The grammar of a scope lives in `maskinporten-scope` and is re-exported as
//! [`Scope`]; this module only matches. A token's `scope` claim is one string
//! of scopes separated by single spaces, and a required scope is present only
//! if it equals one of those items byte for byte: never a substring, a prefix
//! or a case-folded form.

use std::fmt;

pub use maskinporten_scope::{Scope, ScopeError, ScopeErrorKind};

/// Whether every listed scope is required, or any one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `#[scopes("a", "b")]`: the token must carry all of them.
    All,
    /// `#[scopes(any("a", "b"))]`: the token must carry at least one.
    Any,
}

/// The scopes a handler requires, as `#[scopes]` writes them, and the
/// consumer organisations it allows (empty: any consumer). Its strings were
/// checked when the handler compiled: scopes against the grammar,
/// organisation numbers for nine digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    mode: Mode,
    scopes: &'static [&'static str],
    consumers: &'static [&'static str],
}

impl Requirement {
    /// Every one of `scopes` is required.
    pub const fn all(scopes: &'static [&'static str]) -> Requirement {
        Requirement {
            mode: Mode::All,
            scopes,
            consumers: &[],
        }
    }

    /// At least one of `scopes` is required.
    pub const fn any(scopes: &'static [&'static str]) -> Requirement {
        Requirement {
            mode: Mode::Any,
            scopes,
            consumers: &[],
        }
    }

    /// Additionally allows only these consumer organisation numbers
    /// (`#[scopes("…", consumers = ["123456789"])]`).
    pub const fn with_consumers(self, consumers: &'static [&'static str]) -> Requirement {
        Requirement { consumers, ..self }
    }

    /// The allowed consumer organisation numbers; empty when any is allowed.
    pub fn consumers(&self) -> &'static [&'static str] {
        self.consumers
    }

    /// Whether a token from consumer `orgno` may use the handler.
    ///
    /// ```
    /// use maskinporten_rocket::scope::Requirement;
    ///
    /// let afp = Requirement::all(&["nav:helse/sykepenger/afp.read"]).with_consumers(&["123456789"]);
    /// assert!(afp.allows_consumer(Some("123456789")));
    /// assert!(!afp.allows_consumer(Some("987654321")));
    /// assert!(!afp.allows_consumer(None));
    /// assert!(Requirement::all(&["nav:helse/sykepenger/afp.read"]).allows_consumer(None));
    /// ```
    pub fn allows_consumer(&self, orgno: Option<&str>) -> bool {
        self.consumers.is_empty() || orgno.is_some_and(|o| self.consumers.contains(&o))
    }

    /// All or any.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The scopes, in the order written.
    pub fn scopes(&self) -> &'static [&'static str] {
        self.scopes
    }

    /// Whether a token whose `scope` claim is `granted` meets this requirement.
    ///
    /// ```
    /// use maskinporten_rocket::scope::Requirement;
    ///
    /// let read = Requirement::all(&["nav:helse/sykepenger/afp.read"]);
    /// assert!(read.is_met_by("nav:helse/sykepenger/afp.write nav:helse/sykepenger/afp.read"));
    /// assert!(!read.is_met_by("nav:helse/sykepenger/afp.readx"));
    /// ```
    pub fn is_met_by(&self, granted: &str) -> bool {
        let mut held = self.scopes.iter().map(|s| contains_scope(granted, s));
        match self.mode {
            Mode::All => held.all(|h| h),
            Mode::Any => held.any(|h| h),
        }
    }
}

/// The space-separated items of a `scope` claim.
pub(crate) fn items(granted: &str) -> impl Iterator<Item = &str> {
    granted.split(' ').filter(|item| !item.is_empty())
}

/// Whether `required` is one of the items of `granted`, byte for byte.
pub(crate) fn contains_scope(granted: &str, required: &str) -> bool {
    items(granted).any(|item| item == required)
}

/// The required scopes separated by spaces, as RFC 6750's `scope` attribute.
impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, scope) in self.scopes.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(scope)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
