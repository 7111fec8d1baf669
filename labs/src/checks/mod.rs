//! The checks, one module per exercise (`cNN_name` checks `eNN_name`).
//!
//! A check calls the exercise's public items and compares what they do
//! with an independent authority: RFC 8448's trace, minitls's own code, or
//! a real peer. It returns `Err` with a message a student can act on, and
//! may panic (a `todo!()` in a starter does): the runner turns a panic into
//! a failure too.

use minitls::testing::Pair;
use minitls::trace::{NoObserver, RecordedEvent, Recorder};

// Exercises 01-09.
pub mod c01_handshake_messages;
pub mod c02_forward_secrecy;
pub mod c03_which_keys;
pub mod c04_client_transitions;
pub mod c05_vectors;
pub mod c06_records;
pub mod c07_client_extensions;
pub mod c08_hello_retry_request;
pub mod c09_hkdf_label;

// Exercises 10-17.
pub mod c10_encrypted_extensions;
pub mod c11_der_walk;
pub mod c12_name_matching;
pub mod c13_certificate_verify;
pub mod c14_finished;
pub mod c15_inner_plaintext;
pub mod c16_alerts;
pub mod c17_downgrade;
pub mod flight;

// Exercises 18-25.
pub mod c18_key_log;
pub mod c19_offers_resumption;
pub mod c20_ticket_psk;
pub mod c21_psk_binder;
pub mod c22_single_use_store;
pub mod c23_ticket_age_window;
pub mod c24_ticket_key_ring;
pub mod c25_ticket_outcomes;
/// The world the resumption checks share (exercises 19-25).
pub mod world;

// Exercises 26-27.
pub mod c26_client_certificate_verify;
pub mod c27_traffic_update;
pub mod c28_exporter;
// Exercise 29 (issue 10).
pub mod c29_early_data;

/// `Ok` when `ours` equals `expected`; otherwise both, in hex, under
/// `what`. The common comparison of byte-level checks.
pub fn same(what: &str, ours: &[u8], expected: &[u8]) -> Result<(), String> {
    if ours == expected {
        Ok(())
    } else {
        Err(format!(
            "{what}:\n        yours     {}\n        expected  {}",
            hex::encode(ours),
            hex::encode(expected)
        ))
    }
}

/// The client's first ClientHello of the deterministic handshake, header
/// included.
pub fn real_client_hello() -> Result<Vec<u8>, String> {
    let recorder = Recorder::default();
    let mut pair = Pair::deterministic(Box::new(recorder.clone()), Box::new(NoObserver));
    pair.drive()
        .map_err(|e| format!("the handshake failed: {e}"))?;
    recorder
        .events()
        .into_iter()
        .find_map(|event| match event {
            RecordedEvent::MessageSent("ClientHello", bytes) => Some(bytes),
            _ => None,
        })
        .ok_or_else(|| "no ClientHello recorded (a bug in the check)".to_string())
}
