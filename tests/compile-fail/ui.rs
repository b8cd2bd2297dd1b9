//! Compile-time errors of `#[scopes]` and `#[public]`: every error message
//! has a `ui/fail/*.rs` case with its expected `.stderr`.
//!
//! Only compile-fail cases, so that trybuild checks them all in one
//! `cargo check`: with a pass case in the run it builds every case on its
//! own, with a full `cargo build` each (minutes). The forms that must keep
//! compiling are modules of the end-to-end binary (`compile_pass.rs`).

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("ui/fail/*.rs");
}
