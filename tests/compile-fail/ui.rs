//! Compile-time errors of `#[scopes]` and `#[public]`: every error message
//! has a `ui/fail/*.rs` case with its expected `.stderr`.
//!
//! Only compile-fail cases, so that trybuild checks them all in one
//! `cargo check`: with a pass case in the run it builds every case on its
//! own, with a full `cargo build` each (minutes). The forms that must keep
//! compiling are modules of the end-to-end binary (`compile_pass.rs`).

use std::env;

/// The rustflags trybuild 1 gives its two `cargo check` runs (its
/// `rustflags::toml`): the dependencies' check without the last one, the
/// cases' check with it. One per line in `trybuild-rustflags`, which
/// `.ci/run` reads too.
///
/// A flag that differs changes cargo's fingerprint, so trybuild's project
/// checked every dependency (Rocket, the library, aws-lc's build script
/// run...) twice, into two copies in `target/tests/trybuild`: on a clean
/// target, with aws-lc's C already in ccache, the suite took 79 s, and
/// takes 54 s with these flags set. Cargo takes `CARGO_ENCODED_RUSTFLAGS`
/// before any rustflags in its configuration, where trybuild puts its
/// own, so with these in it both runs check with the cases' flags and the
/// second one reuses the first's dependencies: each case is still checked
/// with exactly trybuild's flags.
fn trybuild_rustflags() -> impl Iterator<Item = &'static str> {
    include_str!("trybuild-rustflags")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

#[test]
fn ui() {
    // Flags set by whoever runs the tests take precedence, as they would
    // without this.
    if env::var_os("CARGO_ENCODED_RUSTFLAGS").is_none() {
        let mut flags: Vec<&str> = trybuild_rustflags().collect();
        // trybuild passes coverage instrumentation on (cargo-llvm-cov).
        if env::var("RUSTFLAGS").is_ok_and(|given| given.contains("-C instrument-coverage")) {
            flags.extend(["-C", "instrument-coverage"]);
        }
        // SAFETY: this binary has this one test and no other thread reads
        // or writes the environment while it runs; trybuild reads the
        // variable in the cargo processes it starts afterwards.
        unsafe { env::set_var("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f")) };
    }
    trybuild::TestCases::new().compile_fail("ui/fail/*.rs");
}
