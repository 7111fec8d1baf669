//! Exercise 02: from a leaked ephemeral key to the handshake traffic
//! secret (book chapter "The secret is never sent: key exchange, not key
//! transport"; RFC 8446 §4.2.8, §7.1, §7.4.2).
//!
//! An eavesdropper recorded a handshake: the ClientHello and the
//! ServerHello, each with an X25519 public key in its key_share. Later,
//! one side's *ephemeral* private key leaks. Show what that costs:
//!
//! 1. [`shared_secret`]: X25519 of our private key and the peer's public
//!    key (RFC 7748 §5). `x25519_dalek::StaticSecret::from(bytes)` and its
//!    `diffie_hellman` do the curve arithmetic.
//! 2. [`server_handshake_traffic_secret`]: the key schedule of RFC 8446
//!    §7.1 from that shared secret, without a PSK:
//!
//! ```text
//! Early Secret     = HKDF-Extract(salt = 32 zero bytes, IKM = 32 zero bytes)
//! salt             = Derive-Secret(Early Secret, "derived", "")
//! Handshake Secret = HKDF-Extract(salt, IKM = shared secret)
//! server_handshake_traffic_secret =
//!     Derive-Secret(Handshake Secret, "s hs traffic", ClientHello...ServerHello)
//! ```
//!
//! Derive-Secret(S, L, M) is HKDF-Expand-Label(S, L, SHA-256(M), 32), and
//! `Derive-Secret(., "derived", "")` hashes the empty string. Use
//! `minitls::crypto::{hkdf_extract, sha256}` and
//! `minitls::key_schedule::hkdf_expand_label`.
//!
//! Nothing here needs the server's certificate key: that is the lesson.
//!
//! The check feeds you RFC 8448 §3's shared secret and hellos and compares
//! with the RFC's secret; then it records a real minitls handshake, "leaks"
//! the client's ephemeral key (its seeded RNG is predictable), and compares
//! your secret with the one minitls derived.
//!
//! Check it: `cargo run -p labs -- check 02`

// The starter's parameters are unused until you write the bodies.
#![allow(unused_variables)]

/// The X25519 shared secret of `our_private` and `peer_public`.
pub fn shared_secret(our_private: [u8; 32], peer_public: [u8; 32]) -> [u8; 32] {
    todo!("X25519(our_private, peer_public) (RFC 7748 §5)")
}

/// server_handshake_traffic_secret of a handshake without a PSK, from its
/// X25519 shared secret and its two hellos (each a whole handshake
/// message, 4-byte header included).
pub fn server_handshake_traffic_secret(
    shared: &[u8; 32],
    client_hello: &[u8],
    server_hello: &[u8],
) -> [u8; 32] {
    todo!("Early Secret, derived, Handshake Secret, then \"s hs traffic\" (RFC 8446 §7.1)")
}
