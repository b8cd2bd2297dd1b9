//! The cache of verified tokens: a token already verified is not
//! verified again until it expires, which takes an RSA verification (or a
//! Texas round trip) off every request but the first with each token.
//!
//! Found by the SHA-256 of the token's signature, and confirmed by its
//! signing input (`header.payload`), kept in the entry and compared byte for
//! byte: a hit is the very token verified before, and a token that differs
//! in any byte is a miss. The cache holds no credential, since no signature
//! (a token without its signature is worth nothing), and a hit hashes a
//! third of the token instead of all of it. Only successes are cached, and
//! the caller re-checks `exp`/`nbf` on every hit. Sharded so that
//! concurrent requests rarely meet on one lock.
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

use aws_lc_rs::digest::{SHA256, digest};

use crate::claims::Claims;

const SHARDS: usize = 16;

type Digest = [u8; 32];

/// What finds a token in the cache: the SHA-256 of its signature, and its
/// signing input, compared on a hit.
pub(crate) struct Key<'t> {
    digest: Digest,
    signing_input: &'t str,
}

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
    signing_input: Box<str>,
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

    /// The key for `token`; `None` when it has no `.`, so no signature.
    pub(crate) fn key(token: &str) -> Option<Key<'_>> {
        let (signing_input, signature) = token.rsplit_once('.')?;
        let mut digest_of_signature = [0u8; 32];
        digest_of_signature.copy_from_slice(digest(&SHA256, signature.as_bytes()).as_ref());
        Some(Key {
            digest: digest_of_signature,
            signing_input,
        })
    }

    fn shard(&self, digest: &Digest) -> &Mutex<Shard> {
        &self.shards[usize::from(digest[0]) % SHARDS]
    }

    pub(crate) fn get(&self, key: &Key<'_>) -> Option<Claims> {
        let mut shard = self.shard(&key.digest).lock().ok()?;
        let at = *shard.index.get(&key.digest)?;
        let entry = &mut shard.ring[at];
        // Same signature, other header or payload: not the token verified.
        if *entry.signing_input != *key.signing_input {
            return None;
        }
        entry.used = true;
        Some(entry.claims.clone())
    }

    /// Remembers `claims` under `key`; returns whether the cache holds one
    /// entry more than before (not when it evicted one, nor when the key
    /// was there already).
    pub(crate) fn insert(&self, key: &Key<'_>, claims: Claims) -> bool {
        // Copied before the lock, so the lock is held for the map alone.
        let entry = Entry {
            key: key.digest,
            signing_input: key.signing_input.into(),
            claims,
            used: false,
        };
        let evicted = {
            let Ok(mut shard) = self.shard(&key.digest).lock() else {
                return false;
            };
            shard.insert(entry, self.per_shard)
        };
        let grew = evicted.is_none();
        // Dropped here, after the lock: freeing the evicted entry is the
        // costliest part of an insert, and no other request need wait for it.
        drop(evicted);
        grew
    }

    /// Forgets `key`; returns whether it was there.
    pub(crate) fn remove(&self, key: &Key<'_>) -> bool {
        let removed = match self.shard(&key.digest).lock() {
            Ok(mut shard) => shard.remove(&key.digest),
            Err(_) => return false,
        };
        let was_there = removed.is_some();
        drop(removed);
        was_there
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
    /// Adds an entry; returns the entry it displaced, for the caller to
    /// drop outside the lock.
    fn insert(&mut self, entry: Entry, capacity: usize) -> Option<Entry> {
        let key = entry.key;
        if self.index.contains_key(&key) {
            // Two requests verified the same token at once (or, under one
            // signature, two signing inputs, of which at most one verified
            // against a given key): keep the first.
            return Some(entry);
        }
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
            return Some(old);
        }
    }

    fn remove(&mut self, key: &Digest) -> Option<Entry> {
        let at = self.index.remove(key)?;
        let removed = self.ring.swap_remove(at);
        if let Some(moved) = self.ring.get(at) {
            self.index.insert(moved.key, at);
        }
        if self.hand >= self.ring.len() {
            self.hand = 0;
        }
        Some(removed)
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
