//! Exercise 14, reference solution: the Finished MAC (RFC 8446 §4.4.4).
//! minitls's own is `key_schedule::finished_verify_data`, with
//! `TrafficSecret::finished_key` and `transcript::Transcript`.

use minitls::crypto::{hmac_sha256, sha256};
use minitls::key_schedule::hkdf_expand_label;

/// SHA-256 over the concatenated handshake messages (headers included).
pub fn transcript_hash(messages: &[&[u8]]) -> [u8; 32] {
    sha256(&messages.concat())
}

/// The key of the Finished MAC, from the sender's handshake traffic secret.
pub fn finished_key(base_key: &[u8; 32]) -> [u8; 32] {
    let mut key = [0u8; 32];
    hkdf_expand_label(base_key, "finished", b"", &mut key);
    key
}

/// The Finished message's `verify_data`.
pub fn verify_data(base_key: &[u8; 32], transcript_hash: &[u8; 32]) -> [u8; 32] {
    hmac_sha256(&finished_key(base_key), transcript_hash)
}
