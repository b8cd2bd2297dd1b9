//! The cache of verified tokens: a token already verified is not
//! verified again until it expires, which takes an RSA verification (or a
//! Texas round trip) off every request but the first with each token.
//!
//! Keyed by the SHA-256 of the whole token, so the cache holds no token and a
//! token that differs in any byte is a miss. Only successes are cached, and
//! the caller re-checks `exp`/`nbf` on every hit. Bounded: each shard evicts
//! its oldest entry when full. Sharded so that concurrent requests rarely
//! meet on one lock. `docs/design.md` says why it is keyed this way, with
//! the measurements.

use std::collections::{HashMap, VecDeque};
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
    entries: HashMap<Digest, Claims>,
    /// Insertion order, oldest first, for eviction.
    order: VecDeque<Digest>,
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
        let shard = self.shard(key).lock().ok()?;
        shard.entries.get(key).cloned()
    }

    pub(crate) fn insert(&self, key: Digest, claims: Claims) {
        let Ok(mut shard) = self.shard(&key).lock() else {
            return;
        };
        if shard.entries.insert(key, claims).is_some() {
            return; // two requests verified the same token at once
        }
        shard.order.push_back(key);
        while shard.order.len() > self.per_shard {
            if let Some(oldest) = shard.order.pop_front() {
                shard.entries.remove(&oldest);
            }
        }
    }

    pub(crate) fn remove(&self, key: &Digest) {
        if let Ok(mut shard) = self.shard(key).lock() {
            if shard.entries.remove(key).is_some() {
                shard.order.retain(|k| k != key);
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map_or(0, |s| s.entries.len()))
            .sum()
    }
}

#[cfg(test)]
mod tests;
