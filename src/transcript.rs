//! The transcript hash (RFC 8446 §4.4.1).
//!
//! Many secrets and both Finished MACs are computed over "the transcript":
//! the hash of every handshake message so far, each with its 4-byte
//! handshake header, in the order sent on the wire. Records, alerts and
//! change_cipher_spec are not part of it. minitls speaks one cipher suite,
//! so the transcript is always SHA-256 and needs no buffering until the
//! hash is known.
//!
//! One special case: after a HelloRetryRequest the first ClientHello is
//! replaced by a synthetic `message_hash` message that carries only its
//! hash ([`Transcript::restart_for_hrr`]).

use crate::crypto::{self, HASH_LEN, Sha256Hasher};
use crate::messages::HandshakeType;

/// `Transcript-Hash(M1 || M2 || ... || Mn)` at some point of the handshake.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TranscriptHash([u8; HASH_LEN]);

impl TranscriptHash {
    /// The 32-byte SHA-256 value.
    pub fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    /// Transcript-Hash("") = SHA-256 of the empty string, used by
    /// Derive-Secret(., "derived", "") and the binder key.
    pub fn of_empty() -> Self {
        TranscriptHash(crypto::sha256(b""))
    }

    /// A transcript hash from its bytes, such as one printed in the
    /// RFC 8448 traces (`examples/02_key_schedule.rs`).
    pub fn from_bytes(bytes: [u8; HASH_LEN]) -> Self {
        TranscriptHash(bytes)
    }
}

/// The running hash of the handshake messages.
#[derive(Clone, Default)]
pub struct Transcript {
    hasher: Sha256Hasher,
}

impl Transcript {
    /// The transcript before any message: Transcript-Hash of nothing.
    pub fn new() -> Self {
        Transcript::default()
    }

    // ANCHOR: transcript_add
    /// Add one handshake message, header included.
    pub fn add(&mut self, message: &[u8]) {
        self.hasher.update(message);
    }

    /// The hash of everything added so far.
    pub fn current(&self) -> TranscriptHash {
        TranscriptHash(self.hasher.current())
    }
    // ANCHOR_END: transcript_add

    // ANCHOR: restart_for_hrr
    /// RFC 8446 §4.4.1: when the server answers the first ClientHello with a
    /// HelloRetryRequest, "the value of ClientHello1 is replaced with a
    /// special synthetic handshake message of handshake type message_hash
    /// containing Hash(ClientHello1)":
    ///
    /// ```text
    /// Transcript-Hash(ClientHello1, HelloRetryRequest, ... Mn) =
    ///     Hash(message_hash ||        /* Handshake type (254) */
    ///          00 00 Hash.length  ||  /* Handshake message length (bytes) */
    ///          Hash(ClientHello1) ||  /* Hash of ClientHello1 */
    ///          HelloRetryRequest  || ... || Mn)
    /// ```
    ///
    /// This lets a stateless server rebuild the transcript from a cookie
    /// holding only the hash.
    pub fn restart_for_hrr(&mut self) {
        let client_hello1_hash = self.current();
        let mut message_hash = vec![HandshakeType::MessageHash as u8, 0, 0, HASH_LEN as u8];
        message_hash.extend_from_slice(client_hello1_hash.as_bytes());
        *self = Transcript::new();
        self.add(&message_hash);
    }
    // ANCHOR_END: restart_for_hrr
}

// ANCHOR: primer_test
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrr_restart_replaces_client_hello_with_its_hash() {
        let mut t = Transcript::new();
        t.add(b"\x01\x00\x00\x01X");
        t.restart_for_hrr();
        let mut expected = vec![254, 0, 0, 32];
        expected.extend_from_slice(&crypto::sha256(b"\x01\x00\x00\x01X"));
        assert_eq!(t.current().as_bytes(), &crypto::sha256(&expected));
    }
}
// ANCHOR_END: primer_test
