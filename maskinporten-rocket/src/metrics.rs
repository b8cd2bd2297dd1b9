//! What the library counts, for Prometheus: verdicts by route, outcome and
//! reason; verification time on verdict-cache misses; key refreshes, loaded
//! keys and their age; the verdict cache; Texas's latency and failures.
//!
//! With the `metrics` feature, [`Metrics`] holds the collectors, registered
//! in the registry the app hands [`Maskinporten::with_registry`](crate::Maskinporten::with_registry)
//! or in Prometheus's default registry. Without it, [`Metrics`] is a unit
//! struct whose methods do nothing and compile away: no `prometheus` in the
//! build and no cost per request.
//!
//! Every label value comes from a fixed set written here or in `verdict.rs`,
//! or is the name of a mounted route; none comes from a request, so no
//! traffic adds a series.

// Without the feature, the labels' fixed sets are written but not read.
#![cfg_attr(not(feature = "metrics"), allow(dead_code))]

use std::time::Duration;

use crate::verdict::Verdict;

/// Where a verification's verdict came from: the `backend` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Jwks,
    Texas,
}

impl Backend {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Backend::Jwks => "jwks",
            Backend::Texas => "texas",
        }
    }
}

/// What set off a refresh of the issuer's keys: the `trigger` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// The fairing's load at ignite.
    Start,
    /// The background task, every `refresh_interval` (sooner after failures).
    Interval,
    /// A token under a `kid` we did not have.
    UnknownKid,
}

impl Trigger {
    pub(crate) const ALL: [Trigger; 3] = [Trigger::Start, Trigger::Interval, Trigger::UnknownKid];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Trigger::Start => "start",
            Trigger::Interval => "interval",
            Trigger::UnknownKid => "unknown_kid",
        }
    }
}

/// Why Texas gave no verdict: the `kind` label of its failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TexasFailure {
    /// No answer within `http_timeout`.
    Timeout,
    /// No connection, or the connection broke.
    Transport,
    /// An HTTP status other than 200.
    Status,
    /// An answer over the size limit.
    TooLarge,
    /// An answer that is not JSON.
    NotJson,
    /// JSON without a boolean `active`, or not an object.
    NotIntrospection,
}

impl TexasFailure {
    pub(crate) const ALL: [TexasFailure; 6] = [
        TexasFailure::Timeout,
        TexasFailure::Transport,
        TexasFailure::Status,
        TexasFailure::TooLarge,
        TexasFailure::NotJson,
        TexasFailure::NotIntrospection,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TexasFailure::Timeout => "timeout",
            TexasFailure::Transport => "transport",
            TexasFailure::Status => "status",
            TexasFailure::TooLarge => "too_large",
            TexasFailure::NotJson => "not_json",
            TexasFailure::NotIntrospection => "not_introspection",
        }
    }
}

#[cfg(feature = "metrics")]
pub(crate) use enabled::Metrics;

#[cfg(not(feature = "metrics"))]
pub(crate) use disabled::Metrics;

#[cfg(not(feature = "metrics"))]
mod disabled {
    use super::{Backend, Duration, TexasFailure, Trigger, Verdict};

    /// Without the `metrics` feature: nothing is counted, at no cost.
    #[derive(Clone)]
    pub(crate) struct Metrics;

    impl Metrics {
        pub(crate) fn in_default_registry() -> Metrics {
            Metrics
        }

        #[inline(always)]
        pub(crate) fn verdict(&self, _route: &str, _verdict: Verdict) {}
        #[inline(always)]
        pub(crate) fn verification(&self, _backend: Backend, _took: Duration) {}
        #[inline(always)]
        pub(crate) fn cache_hit(&self) {}
        #[inline(always)]
        pub(crate) fn cache_miss(&self) {}
        #[inline(always)]
        pub(crate) fn cache_entries(&self, _delta: i64) {}
        #[inline(always)]
        pub(crate) fn key_store_started(&self) {}
        #[inline(always)]
        pub(crate) fn key_refresh(&self, _trigger: Trigger, _loaded: Option<usize>) {}
        #[inline(always)]
        pub(crate) fn texas_introspection(&self, _took: Duration) {}
        #[inline(always)]
        pub(crate) fn texas_failure(&self, _kind: TexasFailure) {}
    }
}

#[cfg(feature = "metrics")]
mod enabled {
    use std::cell::RefCell;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, OnceLock, Weak};
    use std::time::{SystemTime, UNIX_EPOCH};

    use prometheus::{
        HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, PullingGauge,
        Registry,
    };

    use super::{Backend, Duration, TexasFailure, Trigger, Verdict};

    /// Seconds: from the fastest local verification to Texas's timeout.
    const BUCKETS: [f64; 16] = [
        0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
        0.5, 1.0, 2.5, 5.0,
    ];

    /// `last_refresh_ms` before any key store exists: Texas mode.
    const NO_KEY_STORE: u64 = u64::MAX;

    /// How many verdict counters each thread keeps at hand: a handful of
    /// hot routes and outcomes, looked up by a linear scan.
    const RECENT_COUNTERS: usize = 8;

    thread_local! {
        /// The verdict counters this thread used most recently.
        static RECENT: RefCell<RecentCounters> = RefCell::new(RecentCounters::default());
    }

    /// One verdict counter, and the labels it was found by.
    struct Recent {
        /// Whose counter it is. Weak, so that a Rocket's collectors are
        /// freed when it is dropped; still an allocation, so that the
        /// address compared below cannot be reused by other metrics while
        /// the entry is here.
        metrics: Weak<Inner>,
        route: Box<str>,
        verdict: Verdict,
        counter: IntCounter,
    }

    /// At most [`RECENT_COUNTERS`], the most recently used first: a hit
    /// moves to the front, and a new counter pushes out the one used
    /// longest ago.
    #[derive(Default)]
    struct RecentCounters(Vec<Recent>);

    impl RecentCounters {
        /// The counter for these labels, moved to the front, if here.
        fn find(
            &mut self,
            metrics: &Arc<Inner>,
            route: &str,
            verdict: Verdict,
        ) -> Option<&IntCounter> {
            let index = self.0.iter().position(|recent| {
                recent.verdict == verdict
                    && std::ptr::eq(recent.metrics.as_ptr(), Arc::as_ptr(metrics))
                    && *recent.route == *route
            })?;
            self.0[..=index].rotate_right(1);
            Some(&self.0[0].counter)
        }

        fn keep(&mut self, recent: Recent) {
            self.0.truncate(RECENT_COUNTERS - 1);
            self.0.insert(0, recent);
        }
    }

    /// The collectors, shared by the validator, the key store, Texas's
    /// client and the fairing.
    #[derive(Clone)]
    pub(crate) struct Metrics(Arc<Inner>);

    struct Inner {
        verdicts: IntCounterVec,
        verification: HistogramVec,
        refreshes: IntCounterVec,
        keys_loaded: IntGauge,
        /// Milliseconds since the Unix epoch of the last successful
        /// refresh (or of the key store's start, until one succeeds).
        last_refresh_ms: Arc<AtomicU64>,
        cache_hits: IntCounter,
        cache_misses: IntCounter,
        cache_entries: IntGauge,
        texas_seconds: prometheus::Histogram,
        texas_failures: IntCounterVec,
    }

    impl Metrics {
        /// Registered in Prometheus's default registry, once per process:
        /// every Rocket in the process that was not handed a registry
        /// shares these.
        pub(crate) fn in_default_registry() -> prometheus::Result<Metrics> {
            static DEFAULT: OnceLock<Metrics> = OnceLock::new();
            if let Some(metrics) = DEFAULT.get() {
                return Ok(metrics.clone());
            }
            // Built outside the once-cell, so that an error can be returned;
            // only the one the cell keeps is registered.
            let candidate = Metrics::new()?;
            Ok(DEFAULT
                .get_or_init(|| {
                    let metrics = candidate;
                    if let Err(e) = metrics.register(prometheus::default_registry()) {
                        tracing::error!(target: "maskinporten", error = %e,
                            "registering the Maskinporten metrics in the default registry failed: {e}");
                    }
                    metrics
                })
                .clone())
        }
    }

    impl Metrics {
        /// The collectors, registered in `registry`.
        pub(crate) fn registered(registry: &Registry) -> prometheus::Result<Metrics> {
            let metrics = Metrics::new()?;
            metrics.register(registry)?;
            Ok(metrics)
        }

        /// The collectors. Their names and labels are constants, so an
        /// error here is a bug of ours; it is returned, and ignite says so,
        /// rather than panicking.
        fn new() -> prometheus::Result<Metrics> {
            let counter_vec = |name: &str, help: &str, labels: &[&str]| {
                IntCounterVec::new(Opts::new(name, help), labels)
            };
            let verification = HistogramVec::new(
                HistogramOpts::new(
                    "maskinporten_verification_seconds",
                    "Time to verify a token the verdict cache did not have, by backend",
                )
                .buckets(BUCKETS.to_vec()),
                &["backend"],
            )?;
            let texas_seconds = prometheus::Histogram::with_opts(
                HistogramOpts::new(
                    "maskinporten_texas_introspection_seconds",
                    "Round trip of one introspection request to Texas, answered or not",
                )
                .buckets(BUCKETS.to_vec()),
            )?;
            let refreshes = counter_vec(
                "maskinporten_key_refreshes_total",
                "Fetches of the issuer's metadata and keys, by what set them off and how they ended",
                &["trigger", "result"],
            )?;
            for trigger in Trigger::ALL {
                for result in ["success", "failure"] {
                    refreshes.with_label_values(&[trigger.as_str(), result]);
                }
            }
            let texas_failures = counter_vec(
                "maskinporten_texas_failures_total",
                "Introspections that gave no verdict (the request got 503), by kind",
                &["kind"],
            )?;
            for kind in TexasFailure::ALL {
                texas_failures.with_label_values(&[kind.as_str()]);
            }
            let gauge = IntGauge::new;
            let counter = IntCounter::new;
            Ok(Metrics(Arc::new(Inner {
                verdicts: counter_vec(
                    "maskinporten_verdicts_total",
                    "Requests that reached a #[scopes] or Claims guard, by route and verdict",
                    &["route", "outcome", "reason"],
                )?,
                verification,
                refreshes,
                keys_loaded: gauge(
                    "maskinporten_keys_loaded",
                    "Signing keys loaded from the issuer's JWKS",
                )?,
                last_refresh_ms: Arc::new(AtomicU64::new(NO_KEY_STORE)),
                cache_hits: counter(
                    "maskinporten_verdict_cache_hits_total",
                    "Tokens found in the verdict cache",
                )?,
                cache_misses: counter(
                    "maskinporten_verdict_cache_misses_total",
                    "Tokens not in the verdict cache, verified in full",
                )?,
                cache_entries: gauge(
                    "maskinporten_verdict_cache_entries",
                    "Verified tokens in the verdict cache",
                )?,
                texas_seconds,
                texas_failures,
            })))
        }

        fn register(&self, registry: &Registry) -> prometheus::Result<()> {
            let inner = &self.0;
            let last = Arc::clone(&inner.last_refresh_ms);
            let age = PullingGauge::new(
                "maskinporten_keys_age_seconds",
                "Seconds since the issuer's keys last loaded (since start while they never \
                 have); NaN in Texas mode",
                Box::new(move || match last.load(Ordering::Relaxed) {
                    NO_KEY_STORE => f64::NAN,
                    at => now_ms().saturating_sub(at) as f64 / 1000.0,
                }),
            )?;
            registry.register(Box::new(inner.verdicts.clone()))?;
            registry.register(Box::new(inner.verification.clone()))?;
            registry.register(Box::new(inner.refreshes.clone()))?;
            registry.register(Box::new(inner.keys_loaded.clone()))?;
            registry.register(Box::new(age))?;
            registry.register(Box::new(inner.cache_hits.clone()))?;
            registry.register(Box::new(inner.cache_misses.clone()))?;
            registry.register(Box::new(inner.cache_entries.clone()))?;
            registry.register(Box::new(inner.texas_seconds.clone()))?;
            registry.register(Box::new(inner.texas_failures.clone()))?;
            Ok(())
        }

        /// Counts one request's verdict, under the name of the route that
        /// answered it. The counter comes from this thread's [`RECENT`]
        /// when it is there: `with_label_values` hashes the three label
        /// values and takes the vector's lock, which was 316 of the 1,110
        /// instructions both features added to a cache hit before (the
        /// count `bash bench/load.sh` prints).
        pub(crate) fn verdict(&self, route: &str, verdict: Verdict) {
            let counted = RECENT.try_with(|recent| {
                let mut recent = recent.borrow_mut();
                if let Some(counter) = recent.find(&self.0, route, verdict) {
                    counter.inc();
                    return;
                }
                let counter = self.verdict_counter(route, verdict);
                counter.inc();
                recent.keep(Recent {
                    metrics: Arc::downgrade(&self.0),
                    route: route.into(),
                    verdict,
                    counter,
                });
            });
            // The thread is exiting and its RECENT is gone.
            if counted.is_err() {
                self.verdict_counter(route, verdict).inc();
            }
        }

        fn verdict_counter(&self, route: &str, verdict: Verdict) -> IntCounter {
            self.0.verdicts.with_label_values(&[
                route,
                verdict.outcome().as_str(),
                verdict.reason().as_str(),
            ])
        }

        pub(crate) fn verification(&self, backend: Backend, took: Duration) {
            self.0
                .verification
                .with_label_values(&[backend.as_str()])
                .observe(took.as_secs_f64());
        }

        pub(crate) fn cache_hit(&self) {
            self.0.cache_hits.inc();
        }

        pub(crate) fn cache_miss(&self) {
            self.0.cache_misses.inc();
        }

        pub(crate) fn cache_entries(&self, delta: i64) {
            self.0.cache_entries.add(delta);
        }

        /// A key store exists: the keys' age counts from now until they load.
        pub(crate) fn key_store_started(&self) {
            self.0.last_refresh_ms.store(now_ms(), Ordering::Relaxed);
        }

        /// One fetch of metadata and keys ended; `loaded` is the number of
        /// keys it loaded, `None` when it failed.
        pub(crate) fn key_refresh(&self, trigger: Trigger, loaded: Option<usize>) {
            let result = if loaded.is_some() {
                "success"
            } else {
                "failure"
            };
            self.0
                .refreshes
                .with_label_values(&[trigger.as_str(), result])
                .inc();
            if let Some(keys) = loaded {
                self.0
                    .keys_loaded
                    .set(i64::try_from(keys).unwrap_or(i64::MAX));
                self.0.last_refresh_ms.store(now_ms(), Ordering::Relaxed);
            }
        }

        pub(crate) fn texas_introspection(&self, took: Duration) {
            self.0.texas_seconds.observe(took.as_secs_f64());
        }

        pub(crate) fn texas_failure(&self, kind: TexasFailure) {
            self.0
                .texas_failures
                .with_label_values(&[kind.as_str()])
                .inc();
        }
    }

    fn now_ms() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX - 1))
    }

    #[cfg(test)]
    mod tests;
}
