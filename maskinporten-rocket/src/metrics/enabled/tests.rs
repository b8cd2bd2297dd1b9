use super::*;
use crate::rejection::Rejection;

fn count(metrics: &Metrics, route: &str, verdict: Verdict) -> u64 {
    metrics.verdict_counter(route, verdict).get()
}

/// A counter in use stays at hand however many others come and go;
/// the one used longest ago leaves.
#[test]
fn the_counter_used_longest_ago_leaves_first() {
    let metrics = Metrics::new().expect("the collectors build and register");
    let mut recent = RecentCounters::default();
    let routes: Vec<String> = (0..=RECENT_COUNTERS)
        .map(|i| format!("app::r{i}"))
        .collect();
    let keep = |recent: &mut RecentCounters, route: &str| {
        recent.keep(Recent {
            metrics: Arc::downgrade(&metrics.0),
            route: route.into(),
            verdict: Verdict::ALLOWED,
            counter: metrics.verdict_counter(route, Verdict::ALLOWED),
        })
    };
    for route in &routes[..RECENT_COUNTERS] {
        keep(&mut recent, route);
    }
    // The first one kept is used again, then one more arrives.
    assert!(
        recent
            .find(&metrics.0, &routes[0], Verdict::ALLOWED)
            .is_some()
    );
    keep(&mut recent, &routes[RECENT_COUNTERS]);
    assert_eq!(recent.0.len(), RECENT_COUNTERS);
    let mut here = |route: &str| recent.find(&metrics.0, route, Verdict::ALLOWED).is_some();
    assert!(here(&routes[0]), "the one in use stays");
    assert!(!here(&routes[1]), "the one used longest ago left");
    assert!(here(&routes[RECENT_COUNTERS]));
}

/// A thread's recent counters do not keep a dropped Rocket's
/// collectors alive.
#[test]
fn recent_counters_let_dropped_metrics_go() {
    let registry = Registry::new();
    let metrics = Metrics::registered(&registry).expect("the collectors build and register");
    let weak = Arc::downgrade(&metrics.0);
    metrics.verdict("app::r", Verdict::ALLOWED);
    drop((metrics, registry));
    assert!(weak.upgrade().is_none());
}

/// More routes and verdicts than a thread keeps at hand, two
/// registries, and a second thread: every count lands on its own
/// labels, whether the thread had the counter or not.
#[test]
fn each_verdict_counts_on_its_labels_whatever_the_thread_keeps() {
    let (first, second) = (Registry::new(), Registry::new());
    let a = Metrics::registered(&first).expect("the collectors build and register");
    let b = Metrics::registered(&second).expect("the collectors build and register");
    let refused = Verdict::from(&Rejection::MissingCredentials);
    let routes: Vec<String> = (0..2 * RECENT_COUNTERS)
        .map(|i| format!("app::r{i}"))
        .collect();
    let send = |rounds: u64| {
        for _ in 0..rounds {
            for (i, route) in routes.iter().enumerate() {
                for _ in 0..=i {
                    a.verdict(route, Verdict::ALLOWED);
                }
                a.verdict(route, refused);
                b.verdict(route, Verdict::ALLOWED);
            }
        }
    };
    send(3);
    std::thread::scope(|scope| {
        scope.spawn(|| send(2));
    });
    for (i, route) in routes.iter().enumerate() {
        assert_eq!(
            count(&a, route, Verdict::ALLOWED),
            5 * (i as u64 + 1),
            "{route}"
        );
        assert_eq!(count(&a, route, refused), 5, "{route}");
        assert_eq!(count(&b, route, Verdict::ALLOWED), 5, "{route}");
        assert_eq!(count(&b, route, refused), 0, "{route}");
    }
}
