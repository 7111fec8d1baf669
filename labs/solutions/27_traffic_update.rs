//! Exercise 27, reference solution: the next generation of a traffic
//! secret (RFC 8446 §7.2). minitls's own is in the handshake layer's
//! `update_sending_keys`.

use minitls::key_schedule::hkdf_expand_label;

/// application_traffic_secret_N+1 from application_traffic_secret_N
/// (RFC 8446 §7.2).
pub fn next_traffic_secret(current: &[u8; 32]) -> [u8; 32] {
    let mut next = [0u8; 32];
    hkdf_expand_label(current, "traffic upd", b"", &mut next);
    next
}
