//! Compile-time behaviour of `#[scopes]` and `#[public]`: every error
//! message has a `ui/fail/*.rs` case with its expected `.stderr`, and the
//! `ui/pass/*.rs` cases show the forms that must keep compiling (and run:
//! `scope_map_marks.rs` checks what the runtime's scope map finds).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
