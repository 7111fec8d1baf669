//! Exercise 24: a ring of ticket keys (book chapter "Resumption across a
//! fleet"; RFC 8446 §4.6.1, §8; RFC 5077 §5.5 on key management).
//!
//! Servers of a fleet that resume statelessly share their ticket keys, and
//! an operator rotates them: a new key is put first, and older ones stay
//! listed for a while so that tickets they sealed still open. The rule of
//! minitls's key file: the first (newest) key seals, every listed key
//! opens. A ticket names its key:
//!
//! ```text
//! struct {
//!     opaque key_id[4];          /* which ticket key sealed it */
//!     opaque nonce[12];
//!     opaque sealed_session<..>; /* ChaCha20-Poly1305(Session) || tag[16] */
//! } Ticket;
//! ```
//!
//! with `key_id` as the AEAD's additional data, so a ticket cannot be
//! moved to another key's slot.
//!
//! Write [`seal`] and [`open`] on a list of [`TicketKey`]s, newest first.
//! `minitls::crypto::Aead` is ChaCha20-Poly1305: `Aead::new(secret)`, then
//! `seal(&nonce, aad, &mut data)` appends the tag and `open` checks and
//! removes it. `open` answers `None` for a key that is not listed, a ticket
//! too short to hold a key id, nonce and tag, and a tag that does not
//! verify.
//!
//! The check takes tickets from a real minitls `Ticketer` under a key file,
//! rotates the file, and compares what your `open` opens with what the
//! server's does; then a `Ticketer` must open the tickets your `seal` makes.
//!
//! Check it: `cargo run -p labs -- check 24`

// The starter's parameters are unused until you write the bodies.
#![allow(unused_variables)]

/// One ticket key of the ring, as a key file lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketKey {
    /// The 4 bytes a ticket sealed with this key starts with.
    pub id: [u8; 4],
    /// The ChaCha20-Poly1305 key.
    pub secret: [u8; 32],
}

/// The ticket for `session` (encoded session bytes) under the newest key,
/// with `nonce`.
pub fn seal(keys: &[TicketKey], session: &[u8], nonce: [u8; 12]) -> Vec<u8> {
    todo!("key_id, nonce, then the session sealed under the first key, key_id as AAD")
}

/// The session bytes inside `ticket`, if one of `keys` sealed it.
pub fn open(keys: &[TicketKey], ticket: &[u8]) -> Option<Vec<u8>> {
    todo!("find the key by id, then open with key_id as AAD")
}
