//! The cache of verified tokens: a token already verified is not
//! verified again until it expires, which takes an RSA verification (or a
//! Texas round trip) off every request but the first with each token.
//!
//! Keyed by the SHA-256 of the whole token, so the cache holds no token and a
//! token that differs in any byte is a miss. Only successes are cached, and
//! the caller re-checks `exp`/`nbf` on every hit. Sharded so that concurrent
//! requests rarely meet on one lock.
//!
//! Bounded, with second-chance ("clock") eviction: a hit marks its entry,
//! and a full shard evicts the first unmarked entry its hand reaches,
//! unmarking the ones it passes. Any Maskinporten token for any API is a
//! valid token here until the scope check, so whoever holds a few can fill
//! the cache with entries no route will ever accept; under first-in,
//! first-out eviction they would push out the entries of the API's real
//! consumers. Under the clock, an entry in use survives a sweep, and the
//! churn evicts its own entries. `docs/design.md` says why the cache is
//! keyed this way, with the measurements.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;

use aws_lc_rs::digest::{digest, SHA256};

use crate::claims::Claims;

const SHARDS: usize = 16;

type Digest = [u8; 32];

pub(crate) struct VerdictCache {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
}

#[derive(Default)]
struct Shard {
    /// Where each key's entry is in `ring`.
    index: HashMap<Digest, usize, BuildHasherDefault<DigestHasher>>,
    ring: Vec<Entry>,
    /// The next entry the clock looks at when the shard is full.
    hand: usize,
}

struct Entry {
    key: Digest,
    claims: Claims,
    /// Set by a hit, cleared when the hand passes: an entry is evicted only
    /// when the hand finds it unused since its last pass.
    used: bool,
}

impl VerdictCache {
    /// A cache of about `capacity` entries; `None` when `capacity` is 0.
    pub(crate) fn new(capacity: usize) -> Option<VerdictCache> {
        if capacity == 0 {
            return None;
        }
        let per_shard = capacity.div_ceil(SHARDS);
        Some(VerdictCache {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            per_shard,
        })
    }

    /// The key for `token`.
    pub(crate) fn key(token: &str) -> Digest {
        let mut key = [0u8; 32];
        key.copy_from_slice(digest(&SHA256, token.as_bytes()).as_ref());
        key
    }

    fn shard(&self, key: &Digest) -> &Mutex<Shard> {
        &self.shards[usize::from(key[0]) % SHARDS]
    }

    pub(crate) fn get(&self, key: &Digest) -> Option<Claims> {
        let mut shard = self.shard(key).lock().ok()?;
        let at = *shard.index.get(key)?;
        let entry = &mut shard.ring[at];
        entry.used = true;
        Some(entry.claims.clone())
    }

    pub(crate) fn insert(&self, key: Digest, claims: Claims) {
        let evicted = {
            let Ok(mut shard) = self.shard(&key).lock() else {
                return;
            };
            shard.insert(key, claims, self.per_shard)
        };
        // Dropped here, after the lock: freeing the evicted claims is the
        // costliest part of an insert, and no other request need wait for it.
        drop(evicted);
    }

    pub(crate) fn remove(&self, key: &Digest) {
        let removed = match self.shard(key).lock() {
            Ok(mut shard) => shard.remove(key),
            Err(_) => return,
        };
        drop(removed);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map_or(0, |s| s.index.len()))
            .sum()
    }
}

impl Shard {
    /// Adds an entry; returns the claims it displaced, for the caller to
    /// drop outside the lock.
    fn insert(&mut self, key: Digest, claims: Claims, capacity: usize) -> Option<Claims> {
        if self.index.contains_key(&key) {
            // Two requests verified the same token at once: keep the first.
            return Some(claims);
        }
        let entry = Entry {
            key,
            claims,
            used: false,
        };
        if self.ring.len() < capacity {
            self.index.insert(key, self.ring.len());
            self.ring.push(entry);
            return None;
        }
        // Full: at most one lap unmarks every entry, so the second finds one.
        loop {
            let at = self.hand;
            self.hand = (self.hand + 1) % self.ring.len();
            let candidate = &mut self.ring[at];
            if candidate.used {
                candidate.used = false;
                continue;
            }
            let old = std::mem::replace(candidate, entry);
            self.index.remove(&old.key);
            self.index.insert(key, at);
            return Some(old.claims);
        }
    }

    fn remove(&mut self, key: &Digest) -> Option<Claims> {
        let at = self.index.remove(key)?;
        let removed = self.ring.swap_remove(at);
        if let Some(moved) = self.ring.get(at) {
            self.index.insert(moved.key, at);
        }
        if self.hand >= self.ring.len() {
            self.hand = 0;
        }
        Some(removed.claims)
    }
}

/// The hasher of the shard maps: a SHA-256 digest is already uniform, so
/// eight of its bytes are the hash. SipHash over it would only cost time.
/// The first byte picks the shard, so bytes 8 to 15 are taken.
#[derive(Default)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // `[u8; 32]` hashes as its 32 bytes in one call; anything else
        // (never used here) still hashes deterministically.
        match bytes.get(8..16) {
            Some(eight) if bytes.len() == 32 => {
                let mut word = [0; 8];
                word.copy_from_slice(eight);
                self.0 = u64::from_le_bytes(word);
            }
            _ => {
                for &b in bytes {
                    self.0 = self.0.rotate_left(8) ^ u64::from(b);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
