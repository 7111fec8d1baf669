//! Reaches every handshake message decoder through
//! messages::HandshakeMessage::decode (and the span-recording decoder),
//! extensions::read_block in each extension context, and Alert::read.
//!
//! The body is `shared::handshake_message` (fuzz/shared/), which `cargo test` also
//! replays over fuzz/seeds/handshake_message/ (tests/fuzz_corpora.rs).
#![no_main]

#[path = "../shared/mod.rs"]
mod shared;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    shared::handshake_message(data);
});
