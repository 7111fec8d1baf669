//! Exercise 08: recognising a HelloRetryRequest (book chapter
//! "ServerHello, HelloRetryRequest and X25519"; RFC 8446 §4.1.3, §4.1.4).
//!
//! A server that cannot use the client's key shares answers with a
//! HelloRetryRequest. On the wire it is a ServerHello: the same
//! msg_type (2) and the same structure. RFC 8446 §4.1.3 marks it by one
//! field only: its `random` is the SHA-256 of "HelloRetryRequest",
//!
//! ```text
//! CF 21 AD 74 E5 9A 61 11 BE 1D 8C 02 1E 65 B8 91
//! C2 A2 11 16 7A BB 8C 5E 07 9E 09 E2 C8 A8 33 9C
//! ```
//!
//! Write [`is_hello_retry_request`]: given a whole handshake message (the
//! 4-byte header, then `legacy_version` (2 bytes) and `random` (32
//! bytes), …), `None` when it is not a server_hello message at all (or too
//! short to hold a random), `Some(true)` for a HelloRetryRequest and
//! `Some(false)` for a real ServerHello.
//!
//! The check runs two real handshakes with minitls (one where the client
//! sends no key share, so the server must ask for one) and asks your
//! function about every message, then about the HelloRetryRequest with
//! one bit of its random flipped.
//!
//! Check it: `cargo run -p labs -- check 08`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// Whether `message` is a HelloRetryRequest (`Some(true)`), another
/// ServerHello (`Some(false)`), or no ServerHello at all (`None`).
pub fn is_hello_retry_request(message: &[u8]) -> Option<bool> {
    todo!("msg_type 2, then compare the random (RFC 8446 §4.1.3)")
}
