//! Exercise 29, reference solution: client_early_traffic_secret (RFC 8446
//! §7.1). minitls's own version is `handshake::keys::derive_early_traffic_secret`,
//! written with the key schedule's typed secrets.

use minitls::crypto::{hkdf_extract, sha256};
use minitls::key_schedule::hkdf_expand_label;

/// client_early_traffic_secret for a resumption with `psk` whose
/// ClientHello (header included) is `client_hello`.
pub fn client_early_traffic_secret(psk: &[u8; 32], client_hello: &[u8]) -> [u8; 32] {
    // Early Secret = HKDF-Extract(0, PSK): the salt is Hash.length zeros.
    let early_secret = hkdf_extract(&[0; 32], psk);
    // Transcript-Hash(ClientHello): the hash of the message, header included.
    let transcript_hash = sha256(client_hello);
    let mut secret = [0u8; 32];
    hkdf_expand_label(&early_secret, "c e traffic", &transcript_hash, &mut secret);
    secret
}
