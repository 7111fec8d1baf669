//! Reaches the stateless ticket opener (Ticketer::redeem on arbitrary
//! bytes, and on sessions the fuzzer chose, sealed by the ticketer),
//! resumption::Session::decode and StoredTicket::decode.
//!
//! The body is `shared::ticket` (fuzz/shared/), which `cargo test` also
//! replays over fuzz/seeds/ticket/ (tests/fuzz_corpora.rs).
#![no_main]

#[path = "../shared/mod.rs"]
mod shared;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    shared::ticket(data);
});
