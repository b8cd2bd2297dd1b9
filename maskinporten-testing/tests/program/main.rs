//! The stand-ins' HTTP side and the `maskinporten-stand-in` program, as one
//! test binary. `app_config.rs` stays a binary of its own: it sets
//! `ROCKET_*` and `MASKINPORTEN_*` variables (under figment's `Jail`), which
//! would reach every test running beside it in the same process.

mod install_docs;
mod servers;
mod stand_in;
