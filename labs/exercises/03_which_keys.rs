//! Exercise 03: which keys protect each handshake message (book chapter
//! "The big picture of a handshake"; RFC 8446 §2, §7.1, Appendix A).
//!
//! A TLS 1.3 connection changes keys twice. The hellos travel in the
//! clear; once both hellos are known, everything else of the handshake is
//! encrypted under the handshake traffic keys; after the Finished
//! messages, the application traffic keys take over.
//!
//! Write [`keys_for`]: for a message (by minitls's name: "ClientHello",
//! "HelloRetryRequest", "ServerHello", "EncryptedExtensions",
//! "CertificateRequest", "Certificate", "CertificateVerify", "Finished",
//! "NewSessionTicket", "KeyUpdate") and the side that sends it, the keys
//! that protect the record it travels in.
//!
//! The check runs three real handshakes with minitls (a full one, one with
//! a HelloRetryRequest, one where the server issues a ticket) and, for
//! every message, compares your answer with the keys the client had
//! installed when it sent or received that message.
//!
//! Check it: `cargo run -p labs -- check 03`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

use minitls::testing::Side;

/// What protects a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keys {
    /// Nothing: a plaintext record anyone on the path can read.
    None,
    /// The `[sender]_handshake_traffic_secret` keys (RFC 8446 §7.1).
    Handshake,
    /// The `[sender]_application_traffic_secret_N` keys (RFC 8446 §7.1, §7.2).
    Application,
}

/// The keys that protect `message` when `from` sends it.
pub fn keys_for(from: Side, message: &str) -> Keys {
    todo!("which keys protect each message? (RFC 8446 §2, figure 1)")
}
