//! The Maskinporten scope grammar as NAIS enforces it, in one place: the
//! patterns of the type `ExposedScope` in nais/liberator
//! (`pkg/apis/nais.io/v1/digdirator_types.go`), which the NAIS operator
//! checks every manifest's `spec.maskinporten.scopes.exposes[]` against.
//!
//! Both the `#[scopes]` attribute (at compile time) and the runtime of
//! `maskinporten-rocket` (for scopes read from configuration or a manifest)
//! check scopes with [`Scope::parse`], so the two can never disagree. Users
//! normally reach this crate through `maskinporten_rocket::Scope`.
//!
//! ```
//! use maskinporten_scope::Scope;
//!
//! let scope = Scope::parse("nav:helse/sykepenger/afp.read")?;
//! assert_eq!(scope.prefix(), "nav");
//! assert_eq!(scope.product(), "helse");
//! assert_eq!(scope.separator(), '/');
//! assert_eq!(scope.name(), "sykepenger/afp.read");
//! # Ok::<(), maskinporten_scope::ScopeError>(())
//! ```
//!
//! [`Parts::parse`] is the borrowing form, for callers that only check.
//!
//! A token's `scope` claim is not parsed with this grammar: it is matched
//! byte for byte against the required scopes, whatever it contains.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod grammar;

use std::fmt;
use std::str::FromStr;

pub use error::{ScopeError, ScopeErrorKind};
pub use grammar::Parts;

/// A scope that NAIS can expose: `<prefix>:<product><separator><name>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope {
    full: Box<str>,
    /// Byte offset of the separator that ends the product.
    separator_at: usize,
    /// Byte offset of the `:` that ends the prefix.
    prefix_end: usize,
}

impl Scope {
    /// Parses and checks a scope string.
    ///
    /// ```
    /// use maskinporten_scope::Scope;
    /// assert!(Scope::parse("nav:helse/sykepenger/afp.read").is_ok());
    /// assert!(Scope::parse("nav:helse").is_err());
    /// ```
    pub fn parse(scope: &str) -> Result<Scope, ScopeError> {
        let parts = Parts::parse(scope)?;
        let prefix_end = parts.prefix.len();
        Ok(Scope {
            full: scope.into(),
            prefix_end,
            separator_at: prefix_end + 1 + parts.product.len(),
        })
    }

    /// Builds a scope from the fields of a NAIS manifest's
    /// `spec.maskinporten.scopes.exposes[]` entry, checking the result.
    ///
    /// ```
    /// use maskinporten_scope::Scope;
    /// let scope = Scope::from_parts("nav", "helse", '/', "sykepenger/afp.read")?;
    /// assert_eq!(scope.as_str(), "nav:helse/sykepenger/afp.read");
    /// # Ok::<(), maskinporten_scope::ScopeError>(())
    /// ```
    pub fn from_parts(
        prefix: &str,
        product: &str,
        separator: char,
        name: &str,
    ) -> Result<Scope, ScopeError> {
        grammar::check_fields(prefix, product, separator, name).map_err(ScopeError::new)?;
        Ok(Scope {
            full: format!("{prefix}:{product}{separator}{name}").into(),
            prefix_end: prefix.len(),
            separator_at: prefix.len() + 1 + product.len(),
        })
    }

    /// The whole scope, as it appears in a token's `scope` claim.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// The organisation prefix (`nav`).
    pub fn prefix(&self) -> &str {
        &self.full[..self.prefix_end]
    }

    /// The manifest's `product` (`helse`).
    pub fn product(&self) -> &str {
        &self.full[self.prefix_end + 1..self.separator_at]
    }

    /// The manifest's `separator`.
    pub fn separator(&self) -> char {
        // The grammar only accepts the ASCII separators `/`, `:` and `.` here.
        char::from(self.full.as_bytes()[self.separator_at])
    }

    /// The manifest's `name` (`sykepenger/afp.read`).
    pub fn name(&self) -> &str {
        &self.full[self.separator_at + 1..]
    }
}

impl FromStr for Scope {
    type Err = ScopeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::parse(s)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

impl AsRef<str> for Scope {
    fn as_ref(&self) -> &str {
        &self.full
    }
}

#[cfg(test)]
mod tests;
