//! Reaches pki::pem (PEM blocks, base64, certificates, PKCS#8 Ed25519
//! keys), TrustAnchors::from_pem and StoredTicket::from_pem.
//!
//! The body is `shared::pem` (fuzz/shared/), which `cargo test` also
//! replays over fuzz/seeds/pem/ (tests/fuzz_corpora.rs).
#![no_main]

#[path = "../shared/mod.rs"]
mod shared;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    shared::pem(data);
});
