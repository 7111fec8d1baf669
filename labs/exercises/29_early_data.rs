//! Exercise 29: client_early_traffic_secret (book chapter "0-RTT and
//! replay"; RFC 8446 §7.1, §2.3).
//!
//! A client with a ticket sends early data under a key it derives before
//! it has heard from the server, from two things only: the ticket's PSK
//! and its own ClientHello. RFC 8446 §7.1:
//!
//! ```text
//! Early Secret = HKDF-Extract(salt = 0 (32 zero bytes), IKM = PSK)
//! client_early_traffic_secret =
//!     Derive-Secret(Early Secret, "c e traffic", ClientHello)
//! Derive-Secret(Secret, Label, Messages) =
//!     HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), 32)
//! ```
//!
//! Write [`client_early_traffic_secret`]. You may use
//! `minitls::crypto::hkdf_extract`, `minitls::crypto::sha256` and
//! `minitls::key_schedule::hkdf_expand_label` (exercise 09's structure).
//! `client_hello` is the whole handshake message, its 4-byte header
//! included, exactly as it went into the transcript.
//!
//! The check runs a real 0-RTT resumption between a minitls client and
//! server, compares your secret with the one the client logged as
//! `CLIENT_EARLY_TRAFFIC_SECRET`, then decrypts the client's 0-RTT record
//! with keys from your secret, as the server (or an attacker replaying the
//! flight to the server) does.
//!
//! Check it: `cargo run -p labs -- check 29`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// client_early_traffic_secret for a resumption with `psk` whose
/// ClientHello (header included) is `client_hello`.
pub fn client_early_traffic_secret(psk: &[u8; 32], client_hello: &[u8]) -> [u8; 32] {
    todo!("HKDF-Extract the Early Secret, then Derive-Secret \"c e traffic\" (RFC 8446 §7.1)")
}
