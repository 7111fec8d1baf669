//! Reaches the record layer: record::Deframer over any chunking, and
//! RecordProtection::decrypt (as is, and of fuzzer-chosen inner plaintexts
//! sealed under a fixed key: padding, inner content type, record_overflow),
//! and RecordLayer::seal's fragmentation.
//!
//! The body is `shared::record` (fuzz/shared/), which `cargo test` also
//! replays over fuzz/seeds/record/ (tests/fuzz_corpora.rs).
#![no_main]

#[path = "../shared/mod.rs"]
mod shared;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    shared::record(data);
});
