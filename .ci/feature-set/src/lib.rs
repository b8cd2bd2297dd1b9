//! Nothing to use: this crate exists for its dependency features. See its
//! Cargo.toml and `.ci/run`.
