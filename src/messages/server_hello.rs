//! ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4).
//!
//! ```text
//! struct {
//!     ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 */
//!     Random random;
//!     opaque legacy_session_id_echo<0..32>;
//!     CipherSuite cipher_suite;
//!     uint8 legacy_compression_method = 0;
//!     Extension extensions<6..2^16-1>;
//! } ServerHello;
//! ```
//!
//! A HelloRetryRequest is a ServerHello whose `random` is the SHA-256 of
//! "HelloRetryRequest" ([`HELLO_RETRY_REQUEST_RANDOM`]). It has the same
//! structure and a different meaning ("try again with these parameters"),
//! so it decodes to its own [`HandshakeMessage`] variant with its own
//! extension rules.

use super::HandshakeMessage;
use super::extensions::{self, Extension, ExtensionContext};
use crate::codec::{Reader, Writer};
use crate::error::Error;

/// SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3.
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The last 8 bytes of a TLS 1.3 server's random when it negotiated TLS 1.2
/// or below (RFC 8446 §4.1.3). A TLS 1.3 client seeing them has been
/// downgraded by an attacker.
pub const DOWNGRADE_TLS12: [u8; 8] = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01];
pub const DOWNGRADE_TLS11: [u8; 8] = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello {
    /// `ProtocolVersion legacy_version = 0x0303;`
    pub legacy_version: u16,
    /// `Random random;`
    pub random: [u8; 32],
    /// `opaque legacy_session_id_echo<0..32>;` the client's session id, echoed.
    pub legacy_session_id_echo: Vec<u8>,
    /// `CipherSuite cipher_suite;`
    pub cipher_suite: u16,
    /// `uint8 legacy_compression_method = 0;`
    pub legacy_compression_method: u8,
    /// `Extension extensions<6..2^16-1>;`
    pub extensions: Vec<Extension>,
}

impl ServerHello {
    pub fn is_hello_retry_request(&self) -> bool {
        self.random == HELLO_RETRY_REQUEST_RANDOM
    }

    // ANCHOR: server_hello_encode
    pub fn encode(&self, w: &mut Writer) {
        w.u16(self.legacy_version);
        w.bytes(&self.random);
        w.opaque_u8(&self.legacy_session_id_echo);
        w.u16(self.cipher_suite);
        w.u8(self.legacy_compression_method);
        Extension::write_list(w, &self.extensions);
    }
    // ANCHOR_END: server_hello_encode

    // ANCHOR: server_hello_read
    /// Decode a ServerHello, or a HelloRetryRequest when the random says so.
    pub fn read(r: &mut Reader) -> Result<HandshakeMessage, Error> {
        let legacy_version = r.u16("legacy_version")?;
        let random = r.array::<32>("random")?;
        let is_hrr = random == HELLO_RETRY_REQUEST_RANDOM;
        if is_hrr {
            r.note(|| "SHA-256(\"HelloRetryRequest\"): this is a HelloRetryRequest".into());
        }
        let legacy_session_id_echo = r.opaque_u8("legacy_session_id_echo", 0..=32)?.to_vec();
        let cipher_suite = r.u16("cipher_suite")?;
        r.note(|| super::cipher_suite_name(cipher_suite).to_string());
        let legacy_compression_method = r.u8("legacy_compression_method")?;
        let context = if is_hrr {
            ExtensionContext::HelloRetryRequest
        } else {
            ExtensionContext::ServerHello
        };
        let extensions = Extension::read_list(r, context, 6..=(1 << 16) - 1)?;
        let hello = ServerHello {
            legacy_version,
            random,
            legacy_session_id_echo,
            cipher_suite,
            legacy_compression_method,
            extensions,
        };
        Ok(if is_hrr {
            HandshakeMessage::HelloRetryRequest(hello)
        } else {
            HandshakeMessage::ServerHello(hello)
        })
    }
    // ANCHOR_END: server_hello_read

    pub fn find_extension(&self, extension_type: u16) -> Option<&Extension> {
        extensions::find(&self.extensions, extension_type)
    }
}
