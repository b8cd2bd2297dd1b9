use super::*;
use serde_json::json;

fn claims() -> Claims {
    let serde_json::Value::Object(map) = json!({"iss": "i", "exp": 1}) else {
        unreachable!()
    };
    Claims::from_object(map).unwrap()
}

#[test]
fn capacity_bounds_the_entries() {
    let cache = VerdictCache::new(32).unwrap();
    for i in 0..1000 {
        cache.insert(VerdictCache::key(&format!("token-{i}")), claims());
    }
    assert!(cache.len() <= 32, "{} entries", cache.len());
    assert!(cache.get(&VerdictCache::key("token-999")).is_some());
    assert!(cache.get(&VerdictCache::key("token-0")).is_none());
}

#[test]
fn a_token_differing_in_one_byte_misses() {
    let cache = VerdictCache::new(10).unwrap();
    cache.insert(VerdictCache::key("abc.def.ghi"), claims());
    assert!(cache.get(&VerdictCache::key("abc.def.ghj")).is_none());
}

#[test]
fn zero_capacity_turns_the_cache_off() {
    assert!(VerdictCache::new(0).is_none());
}

/// Tokens that all land in one shard, so that a test controls eviction.
fn same_shard_keys(count: usize) -> Vec<Digest> {
    let first = VerdictCache::key("token-0")[0];
    (0..)
        .map(|i| VerdictCache::key(&format!("token-{i}")))
        .filter(|key| usize::from(key[0]) % SHARDS == usize::from(first) % SHARDS)
        .take(count)
        .collect()
}

/// A holder of many valid tokens (for any API: no scope is checked before
/// the cache) cannot push out an entry that is in use: each one churned in
/// evicts another churned entry, never the one hit in between.
#[test]
fn an_entry_in_use_survives_churn_by_many_new_tokens() {
    let cache = VerdictCache::new(4 * SHARDS).unwrap();
    let keys = same_shard_keys(1001);
    let (hot, churn) = keys.split_first().unwrap();
    cache.insert(*hot, claims());
    for key in churn {
        cache.insert(*key, claims());
        assert!(cache.get(hot).is_some(), "the entry in use was evicted");
    }
    // Under first-in, first-out the hot entry would have gone after four.
    assert_eq!(cache.len(), 4);
}

/// With no hits at all, the clock evicts in insertion order: the oldest
/// unused entry goes first.
#[test]
fn unused_entries_leave_oldest_first() {
    let cache = VerdictCache::new(2 * SHARDS).unwrap();
    let keys = same_shard_keys(3);
    for key in &keys {
        cache.insert(*key, claims());
    }
    assert!(cache.get(&keys[0]).is_none());
    assert!(cache.get(&keys[1]).is_some());
    assert!(cache.get(&keys[2]).is_some());
}

#[test]
fn a_removed_entry_is_gone_and_the_rest_stay_found() {
    let cache = VerdictCache::new(4 * SHARDS).unwrap();
    let keys = same_shard_keys(4);
    for key in &keys {
        cache.insert(*key, claims());
    }
    cache.remove(&keys[1]);
    assert!(cache.get(&keys[1]).is_none());
    for key in [keys[0], keys[2], keys[3]] {
        assert!(cache.get(&key).is_some());
    }
    // The freed slot is used before anything is evicted.
    let extra = same_shard_keys(5)[4];
    cache.insert(extra, claims());
    for key in [keys[0], keys[2], keys[3], extra] {
        assert!(cache.get(&key).is_some());
    }
}
