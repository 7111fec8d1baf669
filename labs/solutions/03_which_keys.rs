//! Exercise 03, reference solution: which keys protect each handshake
//! message (RFC 8446 §2's figure 1: `{}` handshake keys, `[]` application
//! keys; Appendix A's `K_send` changes).

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
    match message {
        // No keys exist until both key shares are known.
        "ClientHello" | "ServerHello" | "HelloRetryRequest" => Keys::None,
        // The rest of the server's flight, and the client's reply to it
        // (its Certificate, CertificateVerify and Finished).
        "EncryptedExtensions"
        | "CertificateRequest"
        | "Certificate"
        | "CertificateVerify"
        | "Finished" => Keys::Handshake,
        // Post-handshake messages (RFC 8446 §4.6).
        "NewSessionTicket" | "KeyUpdate" => Keys::Application,
        other => panic!("{other} from {from:?} is not a TLS 1.3 handshake message"),
    }
}
