//! Exercise 14: the Finished MAC (book chapter "Finished"; RFC 8446
//! §4.4.4, §4.4.1 and §7.1).
//!
//! Each side ends its flight with a MAC over the whole handshake so far:
//!
//! ```text
//! finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)
//! verify_data  = HMAC(finished_key, Transcript-Hash(Handshake Context,
//!                     Certificate*, CertificateVerify*))
//! ```
//!
//! BaseKey is the sender's handshake traffic secret; with SHA-256,
//! Hash.length is 32. The transcript hash is SHA-256 over the handshake
//! messages so far (each with its 4-byte header), concatenated.
//!
//! Write [`transcript_hash`], [`finished_key`] and [`verify_data`]. Use
//! `minitls::crypto::{sha256, hmac_sha256}` and
//! `minitls::key_schedule::hkdf_expand_label` (exercise 09 built it).
//!
//! The check compares your values with RFC 8448 §3's server and client
//! Finished, computed from the trace's own messages and secrets, and with
//! the Finished a real minitls client sends.
//!
//! Check it: `cargo run -p labs -- check 14`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// SHA-256 over the concatenated handshake messages (headers included).
pub fn transcript_hash(messages: &[&[u8]]) -> [u8; 32] {
    todo!("hash the messages in order, as one byte string (RFC 8446 §4.4.1)")
}

/// The key of the Finished MAC, from the sender's handshake traffic secret.
pub fn finished_key(base_key: &[u8; 32]) -> [u8; 32] {
    todo!("HKDF-Expand-Label with the label \"finished\" (RFC 8446 §4.4.4)")
}

/// The Finished message's `verify_data`.
pub fn verify_data(base_key: &[u8; 32], transcript_hash: &[u8; 32]) -> [u8; 32] {
    todo!("HMAC over the transcript hash, keyed with finished_key")
}
