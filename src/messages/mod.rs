//! The handshake messages of RFC 8446 §4, one file per message.
//!
//! Every handshake message travels in the same envelope (RFC 8446 §4):
//!
//! ```text
//! struct {
//!     HandshakeType msg_type;    /* handshake type */
//!     uint24 length;             /* remaining bytes in message */
//!     select (Handshake.msg_type) { ... };
//! } Handshake;
//! ```
//!
//! [`HandshakeMessage`] is that `select`: an enum with one variant per
//! message minitls understands. `decode` takes one whole message (header
//! included) and checks that its body is consumed exactly; `encode` writes
//! one. Both are symmetric, so a message that minitls sends can be
//! re-decoded with spans for the explainer, exactly as a received one is.
//!
//! The code points minitls speaks are named here as constants, with the
//! section that assigns them.

pub mod alert;
pub mod certificate;
pub mod certificate_verify;
pub mod client_hello;
pub mod encrypted_extensions;
pub mod extensions;
pub mod finished;
pub mod key_update;
pub mod new_session_ticket;
pub mod server_hello;

pub use certificate::{
    Certificate, CertificateEntry, CertificateRequest, CertificateRequestExtensions,
};
pub use certificate_verify::CertificateVerify;
pub use client_hello::{ClientHello, ClientHelloExtensions};
pub use encrypted_extensions::EncryptedExtensions;
pub use extensions::{Extension, ExtensionContext, KeyShareEntry, ReceivedExtension};
pub use finished::Finished;
pub use key_update::KeyUpdate;
pub use new_session_ticket::{NewSessionTicket, NewSessionTicketExtensions};
pub use server_hello::{
    HelloRetryRequest, HelloRetryRequestExtensions, ServerHello, ServerHelloExtensions,
};

use crate::codec::{Reader, Span, Writer};
use crate::error::Error;

/// `ProtocolVersion` 0x0304, TLS 1.3 (RFC 8446 §4.2.1).
pub const TLS13: u16 = 0x0304;
/// 0x0303, TLS 1.2: the `legacy_version` of every TLS 1.3 hello (RFC 8446 §4.1.2).
pub const TLS12: u16 = 0x0303;
/// TLS_CHACHA20_POLY1305_SHA256 (RFC 8446 §B.4).
pub const TLS_CHACHA20_POLY1305_SHA256: u16 = 0x1303;
/// NamedGroup x25519 (RFC 8446 §4.2.7).
pub const X25519: u16 = 0x001d;
/// SignatureScheme ed25519 (RFC 8446 §4.2.3).
pub const ED25519: u16 = 0x0807;
/// PskKeyExchangeMode psk_ke: PSK-only key establishment, no key_share
/// (RFC 8446 §4.2.9).
pub const PSK_KE: u8 = 0;
/// PskKeyExchangeMode psk_dhe_ke: PSK with (EC)DHE key establishment, both
/// sides sending a key_share (RFC 8446 §4.2.9).
pub const PSK_DHE_KE: u8 = 1;

/// The names a reader knows the code points by, for traces and errors.
pub fn cipher_suite_name(v: u16) -> &'static str {
    match v {
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0x1304 => "TLS_AES_128_CCM_SHA256",
        0x1305 => "TLS_AES_128_CCM_8_SHA256",
        0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        _ => "(TLS 1.2 or unknown suite)",
    }
}

/// The name a reader knows a NamedGroup code point by (RFC 8446 §4.2.7),
/// for traces and the explainer: the finite-field groups share one name.
pub fn group_name(v: u16) -> &'static str {
    match v {
        0x0017 => "secp256r1",
        0x0018 => "secp384r1",
        0x0019 => "secp521r1",
        0x001d => "x25519",
        0x001e => "x448",
        0x0100..=0x0104 => "ffdhe",
        0x11ec => "X25519MLKEM768",
        _ => "unknown group",
    }
}

/// The name a reader knows a SignatureScheme code point by (RFC 8446
/// §4.2.3), for traces and the explainer: each RSA-PSS family shares one
/// name.
pub fn signature_scheme_name(v: u16) -> &'static str {
    match v {
        0x0401 => "rsa_pkcs1_sha256",
        0x0501 => "rsa_pkcs1_sha384",
        0x0601 => "rsa_pkcs1_sha512",
        0x0403 => "ecdsa_secp256r1_sha256",
        0x0503 => "ecdsa_secp384r1_sha384",
        0x0603 => "ecdsa_secp521r1_sha512",
        0x0804..=0x0806 => "rsa_pss_rsae",
        0x0807 => "ed25519",
        0x0808 => "ed448",
        0x0809..=0x080b => "rsa_pss_pss",
        _ => "unknown scheme",
    }
}

/// The RFC's name for a HandshakeType code point.
pub fn handshake_type_name(v: u8) -> &'static str {
    match v {
        1 => "client_hello",
        2 => "server_hello",
        4 => "new_session_ticket",
        5 => "end_of_early_data",
        8 => "encrypted_extensions",
        11 => "certificate",
        13 => "certificate_request",
        15 => "certificate_verify",
        20 => "finished",
        24 => "key_update",
        254 => "message_hash",
        _ => "unknown",
    }
}

/// `Handshake`: `msg_type`, then the body `body` writes, in a
/// `uint24 length` (RFC 8446 §4).
pub fn encode_handshake(msg_type: u8, body: impl FnOnce(&mut Writer)) -> Result<Vec<u8>, Error> {
    let mut w = Writer::new();
    w.u8(msg_type);
    w.vec_u24(body);
    w.into_bytes()
}

/// The RFC's struct name for a HandshakeType code point, for errors about a
/// message judged from its header alone (before it is decoded).
pub fn message_name(msg_type: u8) -> &'static str {
    match msg_type {
        1 => "ClientHello",
        2 => "ServerHello",
        4 => "NewSessionTicket",
        5 => "EndOfEarlyData",
        8 => "EncryptedExtensions",
        11 => "Certificate",
        13 => "CertificateRequest",
        15 => "CertificateVerify",
        20 => "Finished",
        24 => "KeyUpdate",
        254 => "message_hash",
        _ => "unknown handshake message",
    }
}

// ANCHOR: max_message_len
/// The longest body a handshake message of this type can have, from its
/// struct's vector bounds (RFC 8446 §4): a header announcing more is
/// `decode_error` before its body is buffered. Only what no valid message
/// could be is refused: a ClientHello with 2^16-2 bytes of cipher suites
/// and 2^16-1 of extensions is legal, so its limit is above 64 KiB.
pub fn max_message_len(msg_type: u8) -> usize {
    const U8: usize = (1 << 8) - 1;
    const U16: usize = (1 << 16) - 1;
    match msg_type {
        // legacy_version, random, legacy_session_id<0..32>,
        // cipher_suites<2..2^16-2>, legacy_compression_methods<1..2^8-1>,
        // extensions<8..2^16-1>
        1 => 2 + 32 + (1 + 32) + (2 + U16 - 1) + (1 + U8) + (2 + U16),
        // legacy_version, random, legacy_session_id_echo<0..32>,
        // cipher_suite, legacy_compression_method, extensions<6..2^16-1>
        2 => 2 + 32 + (1 + 32) + 2 + 1 + (2 + U16),
        // ticket_lifetime, ticket_age_add, ticket_nonce<0..255>,
        // ticket<1..2^16-1>, extensions<0..2^16-2>
        4 => 4 + 4 + (1 + U8) + (2 + U16) + (2 + U16 - 1),
        // extensions<0..2^16-1>
        8 => 2 + U16,
        // certificate_request_context<0..2^8-1>, extensions<2..2^16-1>
        13 => (1 + U8) + (2 + U16),
        // algorithm, signature<0..2^16-1>
        15 => 2 + (2 + U16),
        // verify_data[Hash.length]
        20 => crate::crypto::HASH_LEN,
        // request_update
        24 => 1,
        // certificate_list<0..2^24-1> allows 16 MiB; minitls speaks only
        // Ed25519 chains (a few hundred bytes a certificate), so it refuses
        // a chain over 64 KiB, as rustls does: a policy, not the RFC.
        11 => 1 << 16,
        // EndOfEarlyData is empty; message_hash and unknown types are
        // never accepted, so any length would do.
        _ => 0,
    }
}
// ANCHOR_END: max_message_len

/// The RFC 8446 section that defines each message, for the explainer.
pub fn message_section(name: &str) -> &'static str {
    match name {
        "ClientHello" => "§4.1.2",
        "ServerHello" => "§4.1.3",
        "HelloRetryRequest" => "§4.1.4",
        "EncryptedExtensions" => "§4.3.1",
        "CertificateRequest" => "§4.3.2",
        "Certificate" => "§4.4.2",
        "CertificateVerify" => "§4.4.3",
        "Finished" => "§4.4.4",
        "NewSessionTicket" => "§4.6.1",
        "KeyUpdate" => "§4.6.3",
        "EndOfEarlyData" => "§4.5",
        _ => "§4",
    }
}

/// `enum { ... } HandshakeType;` (RFC 8446 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandshakeType {
    /// `client_hello(1)`: the client's offer (RFC 8446 §4.1.2).
    ClientHello = 1,
    /// `server_hello(2)`: the server's choice, and a HelloRetryRequest too
    /// (RFC 8446 §4.1.3, §4.1.4).
    ServerHello = 2,
    /// `new_session_ticket(4)`: a ticket to resume with (RFC 8446 §4.6.1).
    NewSessionTicket = 4,
    /// `end_of_early_data(5)`: the end of the client's 0-RTT data
    /// (RFC 8446 §4.5), sent under the early keys when the server accepted it.
    EndOfEarlyData = 5,
    /// `encrypted_extensions(8)`: the server's first encrypted message
    /// (RFC 8446 §4.3.1).
    EncryptedExtensions = 8,
    /// `certificate(11)`: the sender's certificate chain (RFC 8446 §4.4.2).
    Certificate = 11,
    /// `certificate_request(13)`: the server asking for a client
    /// certificate (RFC 8446 §4.3.2).
    CertificateRequest = 13,
    /// `certificate_verify(15)`: a signature with the certificate's key
    /// over the transcript (RFC 8446 §4.4.3).
    CertificateVerify = 15,
    /// `finished(20)`: a MAC over the transcript, ending each side's
    /// flight (RFC 8446 §4.4.4).
    Finished = 20,
    /// `key_update(24)`: the sender moved to its next traffic secret
    /// (RFC 8446 §4.6.3).
    KeyUpdate = 24,
    /// Never sent: the synthetic message that stands for ClientHello1 in
    /// the transcript after a HelloRetryRequest (RFC 8446 §4.4.1).
    MessageHash = 254,
}

/// One handshake message, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandshakeMessage {
    /// The client's offer (RFC 8446 §4.1.2).
    ClientHello(ClientHello),
    /// The server's choice: a ServerHello that is not a HelloRetryRequest
    /// (RFC 8446 §4.1.3).
    ServerHello(ServerHello),
    /// A ServerHello whose `random` is the special HelloRetryRequest value
    /// (RFC 8446 §4.1.3); same structure, different meaning.
    HelloRetryRequest(HelloRetryRequest),
    /// The server's answers not needed for the keys (RFC 8446 §4.3.1).
    EncryptedExtensions(EncryptedExtensions),
    /// The server asking for a client certificate (RFC 8446 §4.3.2).
    CertificateRequest(CertificateRequest),
    /// The sender's certificate chain (RFC 8446 §4.4.2).
    Certificate(Certificate),
    /// A signature over the transcript with the certificate's key (RFC 8446 §4.4.3).
    CertificateVerify(CertificateVerify),
    /// A MAC over the transcript, ending a flight (RFC 8446 §4.4.4).
    Finished(Finished),
    /// A ticket to resume with, after the handshake (RFC 8446 §4.6.1).
    NewSessionTicket(NewSessionTicket),
    /// A move to the next traffic secret, after the handshake (RFC 8446 §4.6.3).
    KeyUpdate(KeyUpdate),
    /// `struct {} EndOfEarlyData;` (RFC 8446 §4.5): the client's 0-RTT
    /// data is over; its next messages use the handshake keys.
    EndOfEarlyData,
    /// A handshake type minitls does not accept anywhere (message_hash, or
    /// an unassigned code). The state machine answers it
    /// with `unexpected_message`, like any message out of place.
    Other(u8),
}

impl HandshakeMessage {
    /// The RFC's name of the message, for traces and errors.
    pub fn name(&self) -> &'static str {
        match self {
            HandshakeMessage::ClientHello(_) => "ClientHello",
            HandshakeMessage::ServerHello(_) => "ServerHello",
            HandshakeMessage::HelloRetryRequest(_) => "HelloRetryRequest",
            HandshakeMessage::EncryptedExtensions(_) => "EncryptedExtensions",
            HandshakeMessage::CertificateRequest(_) => "CertificateRequest",
            HandshakeMessage::Certificate(_) => "Certificate",
            HandshakeMessage::CertificateVerify(_) => "CertificateVerify",
            HandshakeMessage::Finished(_) => "Finished",
            HandshakeMessage::NewSessionTicket(_) => "NewSessionTicket",
            HandshakeMessage::KeyUpdate(_) => "KeyUpdate",
            HandshakeMessage::EndOfEarlyData => "EndOfEarlyData",
            HandshakeMessage::Other(t) => message_name(*t),
        }
    }

    /// All message kinds, for the state-matrix test and the docs.
    pub fn kind_names() -> &'static [&'static str] {
        &[
            "ClientHello",
            "ServerHello",
            "HelloRetryRequest",
            "EncryptedExtensions",
            "CertificateRequest",
            "Certificate",
            "CertificateVerify",
            "Finished",
            "NewSessionTicket",
            "KeyUpdate",
            "EndOfEarlyData",
        ]
    }

    fn handshake_type(&self) -> u8 {
        match self {
            HandshakeMessage::ClientHello(_) => HandshakeType::ClientHello as u8,
            HandshakeMessage::ServerHello(_) | HandshakeMessage::HelloRetryRequest(_) => {
                HandshakeType::ServerHello as u8
            }
            HandshakeMessage::EncryptedExtensions(_) => HandshakeType::EncryptedExtensions as u8,
            HandshakeMessage::CertificateRequest(_) => HandshakeType::CertificateRequest as u8,
            HandshakeMessage::Certificate(_) => HandshakeType::Certificate as u8,
            HandshakeMessage::CertificateVerify(_) => HandshakeType::CertificateVerify as u8,
            HandshakeMessage::Finished(_) => HandshakeType::Finished as u8,
            HandshakeMessage::NewSessionTicket(_) => HandshakeType::NewSessionTicket as u8,
            HandshakeMessage::KeyUpdate(_) => HandshakeType::KeyUpdate as u8,
            HandshakeMessage::EndOfEarlyData => HandshakeType::EndOfEarlyData as u8,
            HandshakeMessage::Other(t) => *t,
        }
    }

    /// Encode with the 4-byte handshake header. Fails only if a field is
    /// too long for its vector (an `internal_error`: see `codec::Writer`).
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        encode_handshake(self.handshake_type(), |w| self.encode_body(w))
    }

    /// Encode after the bytes already in `queue` (messages waiting to go
    /// out), so that a message is written once, where it will be sent
    /// from. On failure `queue` is left as it was.
    pub fn encode_appended_to(&self, queue: &mut Vec<u8>) -> Result<(), Error> {
        let start = queue.len();
        let mut w = Writer::appending_to(std::mem::take(queue));
        w.u8(self.handshake_type());
        w.vec_u24(|w| self.encode_body(w));
        let (bytes, whole) = w.finish();
        *queue = bytes;
        if whole.is_err() {
            queue.truncate(start);
        }
        whole
    }

    fn encode_body(&self, w: &mut Writer) {
        match self {
            HandshakeMessage::ClientHello(m) => m.encode(w),
            HandshakeMessage::ServerHello(m) => m.encode(w),
            HandshakeMessage::HelloRetryRequest(m) => m.encode(w),
            HandshakeMessage::EncryptedExtensions(m) => m.encode(w),
            HandshakeMessage::CertificateRequest(m) => m.encode(w),
            HandshakeMessage::Certificate(m) => m.encode(w),
            HandshakeMessage::CertificateVerify(m) => m.encode(w),
            HandshakeMessage::Finished(m) => m.encode(w),
            HandshakeMessage::NewSessionTicket(m) => m.encode(w),
            HandshakeMessage::KeyUpdate(m) => m.encode(w),
            HandshakeMessage::EndOfEarlyData | HandshakeMessage::Other(_) => {}
        }
    }

    /// Every extension the message arrived with, in order, unknown ones
    /// included (empty for a message built to be sent, or one with no
    /// extension block). A Certificate's are its entries', one after another.
    pub fn received_extensions(&self) -> Vec<ReceivedExtension> {
        match self {
            HandshakeMessage::ClientHello(m) => m.extensions.received.clone(),
            HandshakeMessage::ServerHello(m) => m.extensions.received.clone(),
            HandshakeMessage::HelloRetryRequest(m) => m.extensions.received.clone(),
            HandshakeMessage::EncryptedExtensions(m) => m.received.clone(),
            HandshakeMessage::CertificateRequest(m) => m.extensions.received.clone(),
            HandshakeMessage::Certificate(m) => (m.certificate_list.iter())
                .flat_map(|entry| entry.extensions.iter().copied())
                .collect(),
            HandshakeMessage::NewSessionTicket(m) => m.extensions.received.clone(),
            HandshakeMessage::CertificateVerify(_)
            | HandshakeMessage::Finished(_)
            | HandshakeMessage::KeyUpdate(_)
            | HandshakeMessage::EndOfEarlyData
            | HandshakeMessage::Other(_) => Vec::new(),
        }
    }

    /// The message as its encoding carries it: without the record of how
    /// its extensions arrived (their order, and the unknown ones, which are
    /// not kept). Decoding `encode()`'s bytes gives back this, once its
    /// own record of arrival is dropped the same way.
    pub fn without_received(self) -> HandshakeMessage {
        use HandshakeMessage as M;
        match self {
            M::ClientHello(mut m) => {
                m.extensions.received.clear();
                M::ClientHello(m)
            }
            M::ServerHello(mut m) => {
                m.extensions.received.clear();
                M::ServerHello(m)
            }
            M::HelloRetryRequest(mut m) => {
                m.extensions.received.clear();
                M::HelloRetryRequest(m)
            }
            M::EncryptedExtensions(mut m) => {
                m.received.clear();
                M::EncryptedExtensions(m)
            }
            M::CertificateRequest(mut m) => {
                m.extensions.received.clear();
                M::CertificateRequest(m)
            }
            M::Certificate(mut m) => {
                (m.certificate_list.iter_mut()).for_each(|entry| entry.extensions.clear());
                M::Certificate(m)
            }
            M::NewSessionTicket(mut m) => {
                m.extensions.received.clear();
                M::NewSessionTicket(m)
            }
            other => other,
        }
    }

    /// Encode with the header, the message's extension block replaced by
    /// `extensions` written as given: how tests send what minitls never
    /// would (duplicates, unknown or misplaced extensions, pre_shared_key
    /// not last). A message with no single extension block (Certificate,
    /// CertificateVerify, Finished, KeyUpdate) is encoded as it is.
    pub fn encode_with_extensions(&self, extensions: &[Extension]) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new();
        w.u8(self.handshake_type());
        w.vec_u24(|w| match self {
            HandshakeMessage::ClientHello(m) => m.encode_with_extensions(w, extensions),
            HandshakeMessage::ServerHello(m) => m.encode_with_extensions(w, extensions),
            HandshakeMessage::HelloRetryRequest(m) => m.encode_with_extensions(w, extensions),
            HandshakeMessage::EncryptedExtensions(_) => {
                EncryptedExtensions::encode_with_extensions(w, extensions)
            }
            HandshakeMessage::CertificateRequest(m) => m.encode_with_extensions(w, extensions),
            HandshakeMessage::NewSessionTicket(m) => m.encode_with_extensions(w, extensions),
            HandshakeMessage::Certificate(m) => m.encode(w),
            HandshakeMessage::CertificateVerify(m) => m.encode(w),
            HandshakeMessage::Finished(m) => m.encode(w),
            HandshakeMessage::KeyUpdate(m) => m.encode(w),
            HandshakeMessage::EndOfEarlyData | HandshakeMessage::Other(_) => {}
        });
        w.into_bytes()
    }

    /// Decode one whole message (header included).
    pub fn decode(bytes: &[u8]) -> Result<HandshakeMessage, Error> {
        let mut r = Reader::new(bytes);
        let message = Self::read(&mut r)?;
        r.finish("Handshake")?;
        Ok(message)
    }

    /// Decode one whole message and return the spans of every field, for
    /// the explainer (DESIGN.md principle 5).
    pub fn decode_with_spans(bytes: &[u8]) -> (Result<HandshakeMessage, Error>, Vec<Span>) {
        let mut r = Reader::recording(bytes);
        let result = Self::read(&mut r).and_then(|m| r.finish("Handshake").map(|_| m));
        (result, r.into_spans())
    }

    // ANCHOR: handshake_decode
    fn read(r: &mut Reader) -> Result<HandshakeMessage, Error> {
        let msg_type = r.u8("msg_type")?;
        r.note(|| handshake_type_name(msg_type).to_string());
        r.vec_u24("length", 0..=(1 << 24) - 1, |r| {
            Ok(match msg_type {
                1 => HandshakeMessage::ClientHello(ClientHello::read(r)?),
                2 => ServerHello::read(r)?,
                4 => HandshakeMessage::NewSessionTicket(NewSessionTicket::read(r)?),
                8 => HandshakeMessage::EncryptedExtensions(EncryptedExtensions::read(r)?),
                11 => HandshakeMessage::Certificate(Certificate::read(r)?),
                13 => HandshakeMessage::CertificateRequest(CertificateRequest::read(r)?),
                15 => HandshakeMessage::CertificateVerify(CertificateVerify::read(r)?),
                20 => HandshakeMessage::Finished(Finished::read(r)?),
                24 => HandshakeMessage::KeyUpdate(KeyUpdate::read(r)?),
                // RFC 8446 §4.5: `struct {} EndOfEarlyData;` a body is a
                // decode_error (the vector's finish checks it is empty).
                5 => HandshakeMessage::EndOfEarlyData,
                other => {
                    r.rest("body")?;
                    HandshakeMessage::Other(other)
                }
            })
        })
    }
    // ANCHOR_END: handshake_decode
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_handshake_type_decodes_as_other() {
        let m = HandshakeMessage::decode(&[99, 0, 0, 2, 1, 2]).unwrap();
        assert_eq!(m, HandshakeMessage::Other(99));
        assert_eq!(
            HandshakeMessage::decode(&[20, 0, 0, 5, 1]),
            Err(Error::decode("length"))
        );
    }

    #[test]
    fn a_message_appended_to_a_queue_is_the_message_alone_or_nothing() {
        let ticket = |nonce_len: usize| {
            HandshakeMessage::NewSessionTicket(NewSessionTicket {
                ticket_lifetime: 60,
                ticket_age_add: 7,
                ticket_nonce: vec![1; nonce_len],
                ticket: vec![2; 40],
                extensions: Default::default(),
            })
        };
        let queued = vec![0xaa; 10];
        let mut queue = queued.clone();
        ticket(8).encode_appended_to(&mut queue).unwrap();
        assert_eq!(queue[..10], queued[..]);
        assert_eq!(queue[10..], ticket(8).encode().unwrap()[..]);
        // A nonce too long for its 1-byte length: an internal error, and
        // the messages already queued are kept as they were.
        let mut queue = queued.clone();
        assert!(matches!(
            ticket(256).encode_appended_to(&mut queue),
            Err(Error::Internal(_))
        ));
        assert_eq!(queue, queued);
    }

    /// Each message with every extension minitls writes, and with none:
    /// its block's `encode` (what minitls sends) and its `to_list` (what
    /// tests alter) must give the same bytes, so the two orders can never
    /// drift apart; and the ClientHello's `types` must list what it wrote.
    #[test]
    fn each_block_writes_what_its_list_holds() {
        use extensions::{OfferedPsks, ProtocolNameList, PskIdentity};
        let share = KeyShareEntry {
            group: 29,
            key_exchange: vec![7; 32],
        };
        let full_hello = ClientHelloExtensions {
            server_name: Some("example.com".into()),
            supported_versions: Some(vec![0x0304]),
            supported_groups: Some(vec![29]),
            signature_algorithms: Some(vec![0x0807]),
            application_layer_protocol_negotiation: Some(Box::new(ProtocolNameList {
                protocol_name_list: vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            })),
            key_share: Some(vec![share.clone()]),
            cookie: Some(vec![3; 5]),
            psk_key_exchange_modes: Some(vec![1]),
            early_data: true,
            pre_shared_key: Some(Box::new(OfferedPsks {
                identities: vec![PskIdentity {
                    identity: vec![9; 40],
                    obfuscated_ticket_age: 77,
                }],
                binders: vec![vec![5; 32]],
            })),
            received: Vec::new(),
        };
        let mut messages = Vec::new();
        for extensions in [full_hello, ClientHelloExtensions::default()] {
            let hello = ClientHello {
                legacy_version: 0x0303,
                random: [1; 32],
                legacy_session_id: vec![2; 32],
                cipher_suites: vec![0x1303],
                legacy_compression_methods: vec![0],
                extensions,
            };
            let written: Vec<u16> = hello
                .extensions
                .to_list()
                .iter()
                .map(Extension::extension_type)
                .collect();
            assert_eq!(hello.extensions.types(), written);
            messages.push(HandshakeMessage::ClientHello(hello));
        }
        for extensions in [
            ServerHelloExtensions {
                supported_versions: Some(0x0304),
                key_share: Some(share.clone()),
                pre_shared_key: Some(0),
                received: Vec::new(),
            },
            ServerHelloExtensions::default(),
        ] {
            messages.push(HandshakeMessage::ServerHello(ServerHello {
                legacy_version: 0x0303,
                random: [4; 32],
                legacy_session_id_echo: vec![2; 32],
                cipher_suite: 0x1303,
                legacy_compression_method: 0,
                extensions,
            }));
        }
        for extensions in [
            HelloRetryRequestExtensions {
                supported_versions: Some(0x0304),
                key_share: Some(29),
                cookie: Some(vec![6; 8]),
                received: Vec::new(),
            },
            HelloRetryRequestExtensions::default(),
        ] {
            messages.push(HandshakeMessage::HelloRetryRequest(HelloRetryRequest {
                legacy_version: 0x0303,
                legacy_session_id_echo: Vec::new(),
                cipher_suite: 0x1303,
                legacy_compression_method: 0,
                extensions,
            }));
        }
        messages.push(HandshakeMessage::EncryptedExtensions(EncryptedExtensions {
            server_name: true,
            supported_groups: Some(vec![29, 23]),
            early_data: true,
            protocol_name_list: Some(vec![b"http/1.1".to_vec()]),
            received: Vec::new(),
        }));
        messages.push(HandshakeMessage::EncryptedExtensions(Default::default()));
        for max_early_data_size in [Some(16384), None] {
            messages.push(HandshakeMessage::NewSessionTicket(NewSessionTicket {
                ticket_lifetime: 60,
                ticket_age_add: 7,
                ticket_nonce: vec![1; 8],
                ticket: vec![2; 40],
                extensions: NewSessionTicketExtensions {
                    max_early_data_size,
                    received: Vec::new(),
                },
            }));
        }
        for signature_algorithms in [Some(vec![0x0807]), None] {
            messages.push(HandshakeMessage::CertificateRequest(CertificateRequest {
                certificate_request_context: vec![8; 4],
                extensions: CertificateRequestExtensions {
                    signature_algorithms,
                    received: Vec::new(),
                },
            }));
        }
        for message in &messages {
            let list = match message {
                HandshakeMessage::ClientHello(m) => m.extensions.to_list(),
                HandshakeMessage::ServerHello(m) => m.extensions.to_list(),
                HandshakeMessage::HelloRetryRequest(m) => m.extensions.to_list(),
                HandshakeMessage::EncryptedExtensions(m) => m.to_list(),
                HandshakeMessage::NewSessionTicket(m) => m.extensions.to_list(),
                HandshakeMessage::CertificateRequest(m) => m.extensions.to_list(),
                other => unreachable!("not listed above: {other:?}"),
            };
            assert_eq!(
                message.encode().unwrap(),
                message.encode_with_extensions(&list).unwrap(),
                "{message:?}"
            );
        }
    }
}
