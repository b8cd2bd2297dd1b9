//! The end-to-end suites, linked into one test binary: each suite file is a
//! module here, so Rocket, aws-lc and the test kit are linked once, and all
//! suites share one test harness that runs their tests in parallel.
//!
//! `guard_log.rs` is a binary of its own too: it installs the process's
//! logger.
//!
//! The compile-fail cases are the package `tests/compile-fail`: trybuild
//! checks them with its own `cargo` run, which takes minutes and competes
//! for the CPU with the timing-sensitive tests here (a stalled refresh, a
//! hung Texas), and builds every dev-dependency of its package, which there
//! is only the library and Rocket.

mod support;

mod attacks;
mod compile_pass;
mod discovery;
mod key_admission;
mod key_cache;
mod launch_checks;
mod local_validation;
mod manifest;
mod metrics;
mod openapi;
mod openapi_token_url;
mod properties;
mod public_routes;
mod route_conditions;
mod route_identity;
mod security_review;
mod system_users;
mod texas;
mod tracing;
mod verdict_hook;
