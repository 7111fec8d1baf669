//! Exercise 20: the PSK a NewSessionTicket stands for (book chapter
//! "NewSessionTicket"; RFC 8446 §4.6.1).
//!
//! A ticket does not carry its PSK to the client. Both sides derive it
//! from a secret they already share and the ticket's nonce:
//!
//! ```text
//! PSK = HKDF-Expand-Label(resumption_secret, "resumption",
//!                         ticket_nonce, Hash.length)
//! ```
//!
//! (RFC 8446 calls the secret `resumption_master_secret`.)
//!
//! Write [`ticket_psk`]: find `ticket_nonce` in the NewSessionTicket
//! message and derive the PSK. The message is the whole handshake message:
//! a 4-byte header (type 4, 3-byte length), then `uint32 ticket_lifetime`,
//! `uint32 ticket_age_add`, `opaque ticket_nonce<0..255>` (a 1-byte length
//! and the nonce), then the ticket and the extensions, which you do not
//! need. `minitls::key_schedule::hkdf_expand_label` is HKDF-Expand-Label
//! (you wrote its `info` in exercise 09); Hash.length is 32 for SHA-256.
//!
//! The check derives the PSK of RFC 8448's ticket and compares it with the
//! RFC's value, then the PSKs of tickets whose nonces have other lengths
//! with minitls's own derivation, then runs a real handshake between a
//! minitls client and server and compares your PSK for each
//! NewSessionTicket the client received with the PSK the client stored
//! next to that ticket.
//!
//! Check it: `cargo run -p labs -- check 20`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// The PSK of the ticket in `new_session_ticket` (handshake header
/// included), from the connection's resumption secret.
pub fn ticket_psk(resumption_secret: &[u8; 32], new_session_ticket: &[u8]) -> [u8; 32] {
    todo!("read ticket_nonce, then HKDF-Expand-Label(secret, \"resumption\", nonce, 32)")
}
