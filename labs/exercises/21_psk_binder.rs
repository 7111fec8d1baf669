//! Exercise 21: the PSK binder (book chapter "The resumed ClientHello,
//! byte by byte"; RFC 8446 §4.2.11.2, §7.1).
//!
//! A client that offers a PSK proves it holds it with a binder: an HMAC
//! over the ClientHello up to, but not including, the binders list. It is
//! computed like a Finished, from a key of the PSK's own early secret:
//!
//! ```text
//! early_secret = HKDF-Extract(salt = 32 zero bytes, IKM = PSK)
//! binder_key   = Derive-Secret(early_secret, "res binder", "")
//!              = HKDF-Expand-Label(early_secret, "res binder",
//!                                  SHA-256(""), 32)
//! finished_key = HKDF-Expand-Label(binder_key, "finished", "", 32)
//! binder       = HMAC-SHA256(finished_key,
//!                            SHA-256(Truncate(ClientHello)))
//! ```
//!
//! Write [`psk_binder`]. `client_hello` is the whole handshake message
//! (header included) offering exactly one PSK, so it ends with the binders
//! list: a 2-byte length (33), a 1-byte length (32) and the 32-byte binder.
//! Truncate() cuts that list off. The binder's own bytes are zero when the
//! check calls you: you cannot copy them. `minitls::crypto` has
//! `hkdf_extract`, `hmac_sha256` and `sha256`;
//! `minitls::key_schedule::hkdf_expand_label` is HKDF-Expand-Label.
//!
//! The check takes a real resumed ClientHello from a minitls client,
//! zeroes its binder, asks you for it, compares yours with the client's,
//! and sends the ClientHello with your binder to a minitls server, which
//! must resume. It also shows what the server does with a wrong binder.
//!
//! Check it: `cargo run -p labs -- check 21`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// The binder for `psk` over `client_hello`, a ClientHello offering one
/// PSK whose binders list (35 bytes) ends the message.
pub fn psk_binder(psk: &[u8; 32], client_hello: &[u8]) -> [u8; 32] {
    todo!("early secret, binder key, finished key, then HMAC of the truncated hello's hash")
}
