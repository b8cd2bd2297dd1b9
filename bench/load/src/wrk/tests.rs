//! Reading wrk's report: the figures, and the runs that must fail.

use super::{millis, parse};

/// What `wrk -t1 -c32 -d2s --latency` prints, trimmed to one line per kind.
const REPORT: &str = "\
Running 2s test @ http://127.0.0.1:8000/afp
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   410.00us  100.00us   2.00ms   90.00%
    Req/Sec    70.00k     2.00k   75.00k    80.00%
  Latency Distribution
     50%  400.00us
     75%  450.00us
     90%  500.00us
     99%    1.23ms
  140000 requests in 2.00s, 20.00MB read
Requests/sec:  70000.00
Transfer/sec:     10.00MB
";

fn with_line_before_rate(line: &str) -> String {
    REPORT.replace("Requests/sec:", &format!("  {line}\nRequests/sec:"))
}

#[test]
fn a_clean_report_gives_requests_rate_and_percentiles() {
    let outcome = parse(REPORT).expect("a clean report");
    assert_eq!(outcome.requests, 140_000);
    assert_eq!(outcome.rps, 70_000.0);
    assert!((outcome.p50_ms - 0.4).abs() < 1e-9);
    assert!((outcome.p99_ms - 1.23).abs() < 1e-9);
    assert!(outcome.cpu.is_none());
}

#[test]
fn non_2xx_answers_fail_the_run() {
    let error = parse(&with_line_before_rate("Non-2xx or 3xx responses: 17"))
        .err()
        .expect("401s measure nothing");
    assert_eq!(error, "17 non-2xx answers");
}

#[test]
fn socket_errors_fail_the_run() {
    let line = "Socket errors: connect 0, read 3, write 0, timeout 0";
    assert_eq!(
        parse(&with_line_before_rate(line)).err().as_deref(),
        Some(line)
    );
}

#[test]
fn a_run_without_requests_fails() {
    let idle = REPORT.replace("140000 requests", "0 requests");
    assert!(parse(&idle).is_err());
    assert!(parse("wrk: connection refused").is_err());
}

#[test]
fn latencies_in_every_unit_become_milliseconds() {
    assert_eq!(millis("250.00us"), Some(0.25));
    assert_eq!(millis("1.50ms"), Some(1.5));
    assert_eq!(millis("2.00s"), Some(2_000.0));
    assert_eq!(millis("1.00m"), Some(60_000.0));
    assert_eq!(millis("12"), None);
}
