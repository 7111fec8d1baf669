//! Exercise 02, reference solution: from a leaked ephemeral key to the
//! handshake traffic secret (RFC 8446 §7.1, §7.4.2). minitls's own chain
//! is `minitls::key_schedule::EarlySecret`; this one spells out each step.

use minitls::crypto::{HASH_LEN, hkdf_extract, sha256};
use minitls::key_schedule::hkdf_expand_label;

/// The X25519 shared secret of `our_private` and `peer_public`.
pub fn shared_secret(our_private: [u8; 32], peer_public: [u8; 32]) -> [u8; 32] {
    // Either side gets the same value: X25519(a, X25519(b, 9)) equals
    // X25519(b, X25519(a, 9)). That is why one leaked key is enough.
    let ours = x25519_dalek::StaticSecret::from(our_private);
    ours.diffie_hellman(&x25519_dalek::PublicKey::from(peer_public))
        .to_bytes()
}

/// server_handshake_traffic_secret of a handshake without a PSK, from its
/// X25519 shared secret and its two hellos (each a whole handshake
/// message, 4-byte header included).
pub fn server_handshake_traffic_secret(
    shared: &[u8; 32],
    client_hello: &[u8],
    server_hello: &[u8],
) -> [u8; 32] {
    // RFC 8446 §7.1: with no PSK, the Early Secret's IKM is a string of
    // Hash.length zero bytes, and so is its salt.
    let zeros = [0u8; HASH_LEN];
    let early_secret = hkdf_extract(&zeros, &zeros);

    let mut salt = [0u8; HASH_LEN];
    hkdf_expand_label(&early_secret, "derived", &sha256(b""), &mut salt);
    let handshake_secret = hkdf_extract(&salt, shared);

    // The transcript hash covers the two hellos, headers included.
    let transcript = sha256(&[client_hello, server_hello].concat());
    let mut secret = [0u8; HASH_LEN];
    hkdf_expand_label(&handshake_secret, "s hs traffic", &transcript, &mut secret);
    secret
}
