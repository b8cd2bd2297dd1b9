//! The grants already used, by `iss` and `jti`, so none is used twice
//! (Digdir: a grant cannot be reused). Bounded: an entry lives until its
//! grant expires, and a grant lives at most two minutes.

use std::collections::HashMap;
use std::sync::Mutex;

/// More unexpired grants than this at once and new ones are refused: a
/// bound on memory that a laptop's clients never reach (it is over 800
/// grants a second for two minutes).
pub(crate) const MAX_GRANTS: usize = 100_000;

/// Used `(iss, jti)` pairs with the grant's `exp`.
#[derive(Default)]
pub(crate) struct Replays(Mutex<HashMap<(String, String), i64>>);

/// Why a grant cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Replay {
    Seen,
    Full,
}

impl Replays {
    /// Records the grant, unless it was seen before (or too many are held).
    pub(crate) fn record(&self, iss: &str, jti: &str, exp: i64, now: i64) -> Result<(), Replay> {
        // A panic while holding the lock leaves a valid map behind.
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let key = (iss.to_owned(), jti.to_owned());
        if seen.get(&key).is_some_and(|&until| until >= now) {
            return Err(Replay::Seen);
        }
        if seen.len() >= MAX_GRANTS {
            seen.retain(|_, until| *until >= now);
            if seen.len() >= MAX_GRANTS {
                return Err(Replay::Full);
            }
        }
        seen.insert(key, exp);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_is_used_once_and_forgotten_after_it_expires() {
        let replays = Replays::default();
        assert_eq!(replays.record("c", "j", 100, 50), Ok(()));
        assert_eq!(replays.record("c", "j", 100, 60), Err(Replay::Seen));
        // Another client may use the same jti.
        assert_eq!(replays.record("d", "j", 100, 60), Ok(()));
        // Expired grants are refused on `exp` before they get here.
        assert_eq!(replays.record("c", "j", 200, 101), Ok(()));
    }

    #[test]
    fn a_full_cache_drops_expired_grants_before_refusing() {
        let replays = Replays::default();
        for i in 0..MAX_GRANTS {
            assert_eq!(replays.record("c", &i.to_string(), 10, 0), Ok(()));
        }
        assert_eq!(replays.record("c", "new", 10, 0), Err(Replay::Full));
        assert_eq!(replays.record("c", "new", 30, 11), Ok(()));
    }
}
