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

/// Whether a route accepts tokens for delegated access: a consumer that
/// delegated the scope in Altinn to a supplier, whose client asked
/// (the token's `supplier` differs from its `consumer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delegation {
    /// Delegated and direct tokens alike; the default.
    Allow,
    /// Only tokens the consumer asked for itself
    /// (`#[scopes("…", delegation = deny)]`).
    Deny,
    /// Only delegated tokens (`#[scopes("…", delegation = require)]`).
    Require,
}

impl Delegation {
    /// `allow`, `deny` or `require`, as the attribute writes it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Delegation::Allow => "allow",
            Delegation::Deny => "deny",
            Delegation::Require => "require",
        }
    }
}

/// The scopes a handler requires, as `#[scopes]` writes them, and what else
/// its attribute asks of a token: the consumer organisations it allows
/// (empty: any consumer), whether it must come from an Altinn system user
/// and from which organisations, and whether delegated access is accepted.
/// Its strings were checked when the handler compiled: scopes against the
/// grammar, organisation numbers for nine digits.
///
/// Its `Debug` is the attribute's arguments on one line
/// (`scopes("nav:helse/sykepenger/afp.read", consumers = ["123456789"])`),
/// so that Rocket's log line for a failed guard, which prints the guard's
/// error with `{:?}`, stays short.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    mode: Mode,
    scopes: &'static [&'static str],
    consumers: &'static [&'static str],
    system_user: bool,
    system_user_orgs: &'static [&'static str],
    /// `None` when the attribute does not say: allowed, and the manifest
    /// check does not hold the route to a `delegationSource`.
    delegation: Option<Delegation>,
    /// The path of the route's check as written, for the liftoff table.
    check: Option<&'static str>,
}

impl Requirement {
    /// Every one of `scopes` is required.
    pub const fn all(scopes: &'static [&'static str]) -> Requirement {
        Requirement {
            mode: Mode::All,
            scopes,
            consumers: &[],
            system_user: false,
            system_user_orgs: &[],
            delegation: None,
            check: None,
        }
    }

    /// At least one of `scopes` is required.
    pub const fn any(scopes: &'static [&'static str]) -> Requirement {
        Requirement {
            mode: Mode::Any,
            scopes,
            consumers: &[],
            system_user: false,
            system_user_orgs: &[],
            delegation: None,
            check: None,
        }
    }

    /// Additionally allows only these consumer organisation numbers
    /// (`#[scopes("…", consumers = ["123456789"])]`).
    pub const fn with_consumers(self, consumers: &'static [&'static str]) -> Requirement {
        Requirement { consumers, ..self }
    }

    /// Additionally requires a token from an Altinn system user
    /// (`#[scopes("…", system_user)]`).
    pub const fn with_system_user(self) -> Requirement {
        Requirement {
            system_user: true,
            ..self
        }
    }

    /// Additionally requires a system user of one of these organisations
    /// (`#[scopes("…", system_user_orgs = ["123456789"])]`); implies
    /// [`with_system_user`](Self::with_system_user).
    pub const fn with_system_user_orgs(self, orgs: &'static [&'static str]) -> Requirement {
        Requirement {
            system_user: true,
            system_user_orgs: orgs,
            ..self
        }
    }

    /// Accepts delegated tokens as `delegation` says
    /// (`#[scopes("…", delegation = deny)]`).
    pub const fn with_delegation(self, delegation: Delegation) -> Requirement {
        Requirement {
            delegation: Some(delegation),
            ..self
        }
    }

    /// Records that the route runs a check (`check = path::to::f`), by the
    /// path as written: the check itself runs in the guard `#[scopes]`
    /// generates.
    #[doc(hidden)]
    pub const fn with_check(self, path: &'static str) -> Requirement {
        Requirement {
            check: Some(path),
            ..self
        }
    }

    /// The path of the route's check, as the attribute writes it
    /// (`pdp::may_act`), when it has one.
    pub fn check(&self) -> Option<&'static str> {
        self.check
    }

    /// Whether only a token from an Altinn system user passes.
    ///
    /// ```
    /// use maskinporten_rocket::scope::Requirement;
    ///
    /// let read = Requirement::all(&["nav:helse/sykepenger/afp.read"]);
    /// assert!(!read.requires_system_user());
    /// assert!(read.with_system_user_orgs(&["123456789"]).requires_system_user());
    /// ```
    pub fn requires_system_user(&self) -> bool {
        self.system_user
    }

    /// The organisations whose system users may pass; empty when any may
    /// (or when no system user is required).
    pub fn system_user_orgs(&self) -> &'static [&'static str] {
        self.system_user_orgs
    }

    /// Whether a system user of organisation `orgno` may use the handler.
    pub fn allows_system_user_org(&self, orgno: &str) -> bool {
        self.system_user_orgs.is_empty() || self.system_user_orgs.contains(&orgno)
    }

    /// Whether delegated tokens pass; [`Delegation::Allow`] unless the
    /// attribute says otherwise.
    pub fn delegation(&self) -> Delegation {
        self.delegation.unwrap_or(Delegation::Allow)
    }

    /// The delegation rule as the attribute wrote it, `None` when it says
    /// nothing: the manifest check holds only a written rule to the
    /// manifest's `delegationSource`.
    pub(crate) fn written_delegation(&self) -> Option<Delegation> {
        self.delegation
    }

    /// Whether a token for delegated access (`delegated`) passes this
    /// requirement's delegation rule.
    ///
    /// ```
    /// use maskinporten_rocket::scope::{Delegation, Requirement};
    ///
    /// let direct_only = Requirement::all(&["nav:helse/sykepenger/afp.read"])
    ///     .with_delegation(Delegation::Deny);
    /// assert!(direct_only.allows_delegation(false));
    /// assert!(!direct_only.allows_delegation(true));
    /// ```
    pub fn allows_delegation(&self, delegated: bool) -> bool {
        match self.delegation() {
            Delegation::Allow => true,
            Delegation::Deny => !delegated,
            Delegation::Require => delegated,
        }
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

/// The attribute as written, on one line:
/// `scopes(any("a", "b"), consumers = ["123456789"], delegation = deny)`.
impl fmt::Debug for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, items: &[&str]) -> fmt::Result {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{item:?}")?;
            }
            Ok(())
        }
        f.write_str("scopes(")?;
        match self.mode {
            Mode::All => list(f, self.scopes)?,
            Mode::Any => {
                f.write_str("any(")?;
                list(f, self.scopes)?;
                f.write_str(")")?;
            }
        }
        if !self.consumers.is_empty() {
            f.write_str(", consumers = [")?;
            list(f, self.consumers)?;
            f.write_str("]")?;
        }
        if !self.system_user_orgs.is_empty() {
            f.write_str(", system_user_orgs = [")?;
            list(f, self.system_user_orgs)?;
            f.write_str("]")?;
        } else if self.system_user {
            f.write_str(", system_user")?;
        }
        if let Some(delegation) = self.delegation {
            write!(f, ", delegation = {}", delegation.as_str())?;
        }
        if let Some(check) = self.check {
            write!(f, ", check = {check}")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests;
