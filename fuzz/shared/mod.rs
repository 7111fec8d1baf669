//! The bodies of the fuzz targets, as plain functions over minitls's public API.
//!
//! Each fuzz target in `fuzz/fuzz_targets/` is one line that calls a
//! function here, and `tests/fuzz_corpora.rs` in the main crate calls the
//! same functions over every committed seed, on stable, under `cargo test`.
//! Both include this directory with `#[path]`, so there is one copy of each
//! target's logic and it cannot drift.
//!
//! A function panics only when minitls breaks a promise: a panic inside the
//! library, an error that carries no alert, a value that does not survive
//! encode → decode, a failed connection that stays silent. Everything else
//! (almost every input) is a proper error and returns quietly.
//!
//! No `unsafe`, no `src/` hooks: only what a user of the crate can call.

// Each fuzz target uses one function; the replay test uses them all.
#![allow(dead_code, unused_imports)]

pub mod connections;
pub mod parsers;

pub use connections::{client, server};
pub use parsers::{handshake_message, pem, record, ticket, x509};
