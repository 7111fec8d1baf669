//! Reaches a whole minitls server (stateless tickets): a deterministic
//! server receives the genuine ClientHello (or the fuzzer's, or a genuine
//! resumption ClientHello with a PSK), then fuzzer-chosen records that the
//! harness encrypts under client_handshake_traffic_secret and the client
//! application secrets, as the server's own trace reveals them: the
//! client's second flight, KeyUpdate, alerts and data. Input format and
//! modes: fuzz/shared/connections.rs. `cargo test` replays
//! fuzz/seeds/server/.
#![no_main]

#[path = "../shared/mod.rs"]
mod shared;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    shared::server(data);
});
