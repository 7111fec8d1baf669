//! Exercise 20, reference solution: a ticket's PSK (RFC 8446 §4.6.1).
//! minitls's own version is `minitls::key_schedule::resumption_psk`; the
//! client calls it in `handle_new_session_ticket`.

use minitls::key_schedule::hkdf_expand_label;

/// Where `ticket_nonce`'s length byte is: after the handshake header (4),
/// `ticket_lifetime` (4) and `ticket_age_add` (4).
const NONCE_LENGTH_AT: usize = 4 + 4 + 4;

/// The PSK of the ticket in `new_session_ticket` (handshake header
/// included), from the connection's resumption secret.
///
/// # Panics
///
/// If the message ends before its nonce does.
pub fn ticket_psk(resumption_secret: &[u8; 32], new_session_ticket: &[u8]) -> [u8; 32] {
    let nonce_len = usize::from(new_session_ticket[NONCE_LENGTH_AT]);
    let nonce = &new_session_ticket[NONCE_LENGTH_AT + 1..NONCE_LENGTH_AT + 1 + nonce_len];
    // A different nonce per ticket gives each ticket its own PSK, though
    // all come from the one resumption secret of the connection.
    let mut psk = [0u8; 32];
    hkdf_expand_label(resumption_secret, "resumption", nonce, &mut psk);
    psk
}
