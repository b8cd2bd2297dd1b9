use super::*;

#[test]
fn an_outage_logs_one_line_per_interval_counting_the_rest() {
    let throttle = Throttle::new(Duration::from_secs(10));
    let start = Instant::now();
    let at = |ms| start + Duration::from_millis(ms);
    assert_eq!(throttle.admit(at(0)), Some(0));
    for ms in 1..=500 {
        assert_eq!(throttle.admit(at(ms)), None);
    }
    assert_eq!(throttle.admit(at(9_999)), None);
    assert_eq!(throttle.admit(at(10_000)), Some(501));
    assert_eq!(throttle.admit(at(10_001)), None);
    // After a quiet spell the next one is logged at once, with its count.
    assert_eq!(throttle.admit(at(60_000)), Some(1));
    assert_eq!(throttle.admit(at(70_000)), Some(0));
}
