//! Reaches a whole minitls client: a deterministic client (seeded RNG,
//! fixed clock) receives the genuine ServerHello, then fuzzer-chosen
//! records that the harness encrypts under the keys the client's own trace
//! reveals, so EncryptedExtensions, Certificate, CertificateVerify,
//! Finished, NewSessionTicket, KeyUpdate, alerts and data reach their
//! decoders and transitions; optionally a second connection offers the
//! ticket the fuzzer delivered to a real server. Input format and modes:
//! fuzz/shared/connections.rs. `cargo test` replays fuzz/seeds/client/.
#![no_main]

#[path = "../shared/mod.rs"]
mod shared;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    shared::client(data);
});
