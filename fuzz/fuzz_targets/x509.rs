//! Reaches pki::der (the TLV reader and every typed read), pki::x509
//! Certificate::from_der, and verify::verify_server_chain with the input as
//! the leaf under the demo CA.
//!
//! The body is `shared::x509` (fuzz/shared/), which `cargo test` also
//! replays over fuzz/seeds/x509/ (tests/fuzz_corpora.rs).
#![no_main]

#[path = "../shared/mod.rs"]
mod shared;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    shared::x509(data);
});
