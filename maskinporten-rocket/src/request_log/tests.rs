use super::*;
use crate::chain::Chain;
use BuildKind::{Debug, Release};
use Logger::{BelowDebug, Filters, Writes};

/// What ignite does, in short.
#[derive(Debug, PartialEq, Eq)]
enum Does {
    Nothing,
    Warns,
    Refuses,
}

fn does(log_level_debug: bool, logger: Logger, build: BuildKind, accepted: bool) -> Does {
    match judge(exposure(log_level_debug, logger), accepted, build) {
        Ok(None) => Does::Nothing,
        Ok(Some(_)) => Does::Warns,
        Err(_) => Does::Refuses,
    }
}

#[test]
fn each_log_level_logger_build_and_key_gets_its_verdict() {
    use Does::*;
    // (log_level = "debug", the logger, the build, accept_tokens_in_logs)
    let table = [
        // Rocket's request lines are written: refused in release unless accepted.
        ((true, Writes, Release, false), Refuses),
        ((false, Writes, Release, false), Refuses),
        ((true, BelowDebug, Release, false), Refuses),
        ((true, Writes, Release, true), Warns),
        ((false, Writes, Release, true), Warns),
        ((true, BelowDebug, Release, true), Warns),
        ((true, Writes, Debug, false), Warns),
        ((false, Writes, Debug, false), Warns),
        ((true, BelowDebug, Debug, false), Warns),
        ((true, Writes, Debug, true), Warns),
        ((false, Writes, Debug, true), Warns),
        ((true, BelowDebug, Debug, true), Warns),
        // They are not: nothing to say, whatever the build and the key.
        ((false, BelowDebug, Release, false), Nothing),
        ((false, BelowDebug, Release, true), Nothing),
        ((false, BelowDebug, Debug, false), Nothing),
        ((false, BelowDebug, Debug, true), Nothing),
        // A logger with a filter of its own never hears of `log_level`.
        ((true, Filters, Release, false), Nothing),
        ((false, Filters, Release, false), Nothing),
        ((true, Filters, Release, true), Nothing),
        ((false, Filters, Release, true), Nothing),
        ((true, Filters, Debug, false), Nothing),
        ((false, Filters, Debug, false), Nothing),
        ((true, Filters, Debug, true), Nothing),
        ((false, Filters, Debug, true), Nothing),
    ];
    for ((level, logger, build, accepted), expected) in table {
        assert_eq!(
            does(level, logger, build, accepted),
            expected,
            "log_level debug: {level}, {logger:?}, {build:?}, accepted: {accepted}"
        );
    }
}

#[test]
fn a_release_build_at_debug_log_level_refuses_and_names_the_level_to_set() {
    let error = judge(exposure(true, BelowDebug), false, Release).unwrap_err();
    assert_eq!(error.kind, RequestLogErrorKind::DebugLogLevel);
    let message = Chain(&error).to_string();
    assert!(message.contains("ROCKET_LOG_LEVEL=normal"), "{message}");
    assert!(message.contains("bearer tokens"), "{message}");
    assert!(
        message.contains("ROCKET_MASKINPORTEN='{accept_tokens_in_logs=true}'"),
        "{message}"
    );
}

#[test]
fn a_release_build_whose_logger_writes_rockets_debug_refuses_and_names_the_filter() {
    let error = judge(exposure(false, Writes), false, Release).unwrap_err();
    assert_eq!(error.kind, RequestLogErrorKind::LoggerWritesDebug);
    let message = error.to_string();
    assert!(message.contains("RUST_LOG=debug,rocket=info"), "{message}");
    assert!(message.contains("rocket::server"), "{message}");
    assert!(message.contains("accept_tokens_in_logs"), "{message}");
}

#[test]
fn a_logger_that_writes_rockets_debug_is_named_even_at_debug_log_level() {
    // Its filter decides, whatever `log_level` says, so its fix is the one.
    assert_eq!(
        exposure(true, Writes),
        Some(RequestLogErrorKind::LoggerWritesDebug)
    );
}

#[test]
fn a_debug_build_warns_with_the_same_fix() {
    for kind_of in [exposure(true, BelowDebug), exposure(false, Writes)] {
        let Ok(Some(warning)) = judge(kind_of, false, Debug) else {
            panic!("{kind_of:?}: no warning");
        };
        let refusal = judge(kind_of, false, Release).unwrap_err();
        let fix = refusal.kind.fix();
        let warning = warning.to_string();
        assert!(warning.contains(fix), "{warning}");
        assert!(warning.contains("a release build refuses"), "{warning}");
    }
}

#[test]
fn accepting_tokens_in_logs_still_warns_and_names_the_fix() {
    let Ok(Some(warning)) = judge(exposure(true, BelowDebug), true, Release) else {
        panic!("no warning");
    };
    let warning = warning.to_string();
    assert!(
        warning.contains("accept_tokens_in_logs = true accepts"),
        "{warning}"
    );
    assert!(warning.contains("ROCKET_LOG_LEVEL=normal"), "{warning}");
}

#[test]
fn log_level_is_read_as_rocket_reads_it() {
    let figment = || Figment::from(rocket::Config::debug_default());
    assert!(!log_level_is_debug(&figment()));
    assert!(log_level_is_debug(&figment().merge(("log_level", "debug"))));
    assert!(log_level_is_debug(&figment().merge(("log_level", "Debug"))));
    assert!(!log_level_is_debug(
        &figment().merge(("log_level", "normal"))
    ));
    // Rocket refuses to ignite on it with its own error.
    assert!(!log_level_is_debug(
        &figment().merge(("log_level", "verbose"))
    ));
    // Rocket's defaults: `normal` in the debug profile, `critical` in release.
    let release = Figment::from(rocket::Config::release_default());
    assert!(!log_level_is_debug(&release));
}
