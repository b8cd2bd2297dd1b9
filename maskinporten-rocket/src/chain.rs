//! An error with its sources on one line, for the log: below every part
//! that fails, so each can log its own error whole.

use std::error::Error as StdError;
use std::fmt;

/// An error followed by its sources, `: `-separated: the one line a log or
/// a panic shows for it.
pub(crate) struct Chain<'e>(pub(crate) &'e (dyn StdError + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}
