//! Compile-time behaviour of `#[scopes]`: every error message has a
//! `ui/fail/*.rs` case with its expected `.stderr`, and the `ui/pass/*.rs`
//! cases show the forms that must keep compiling.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
