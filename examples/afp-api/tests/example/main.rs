//! The example's tests, as one test binary: each suite links Rocket and
//! aws-lc, so one binary links them once. None of them changes the process
//! environment (the binaries they start get theirs through `Command`), so
//! they can share a process.

mod api;
mod browser;
mod manifest;
mod stand_in_release;
mod zero_config;
