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
//! so it decodes to its own [`HandshakeMessage`] variant, a
//! [`HelloRetryRequest`], with its own extensions.

use super::HandshakeMessage;
use super::extensions::{
    self, Extension, ExtensionContext, KeyShareEntry, ReceivedExtension, extension_type as et,
    write_extension, write_key_share_entry,
};
use crate::codec::{Reader, Writer};
use crate::error::Error;

/// SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3.
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The last 8 bytes of a TLS 1.3 server's random when it negotiated TLS 1.2
/// (RFC 8446 §4.1.3). A TLS 1.3 client seeing them has been downgraded by
/// an attacker.
pub const DOWNGRADE_TLS12: [u8; 8] = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01];
/// The last 8 bytes of a TLS 1.3 server's random when it negotiated TLS 1.1
/// or below (RFC 8446 §4.1.3): the same sign of a downgrade.
pub const DOWNGRADE_TLS11: [u8; 8] = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00];

/// `struct { ... } ServerHello;` (RFC 8446 §4.1.3): the server's answer to
/// a ClientHello it can go on with, naming the parameters it chose.
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
    /// `Extension extensions<6..2^16-1>;` the ones minitls knows, typed.
    pub extensions: ServerHelloExtensions,
}

/// The extensions of a ServerHello that minitls knows (RFC 8446 §4.2).
/// Written in this order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ServerHelloExtensions {
    /// `ProtocolVersion selected_version;` (RFC 8446 §4.2.1).
    pub supported_versions: Option<u16>,
    /// `KeyShareEntry server_share;` (RFC 8446 §4.2.8); absent in psk_ke.
    pub key_share: Option<KeyShareEntry>,
    /// `uint16 selected_identity;` (RFC 8446 §4.2.11).
    pub pre_shared_key: Option<u16>,
    /// Every extension as received, unknown ones included, in order: the
    /// client refuses any it did not offer (RFC 8446 §4.2). Filled in by
    /// the reader; the writer ignores it.
    pub received: Vec<ReceivedExtension>,
}

impl ServerHelloExtensions {
    /// `Extension extensions<6..2^16-1>`: each extension present, written
    /// from its field in minitls's order.
    pub fn encode(&self, w: &mut Writer) {
        w.vec_u16(|w| {
            if let Some(version) = self.supported_versions {
                write_extension(w, et::SUPPORTED_VERSIONS, |w| w.u16(version));
            }
            if let Some(share) = &self.key_share {
                write_extension(w, et::KEY_SHARE, |w| write_key_share_entry(w, share));
            }
            if let Some(selected) = self.pre_shared_key {
                write_extension(w, et::PRE_SHARED_KEY, |w| w.u16(selected));
            }
        });
    }

    /// The same extensions as [`Self::encode`] writes, in the same order,
    /// as a list a test can alter (each field is cloned).
    pub fn to_list(&self) -> Vec<Extension> {
        let mut list = Vec::new();
        if let Some(version) = self.supported_versions {
            list.push(Extension::SupportedVersionsServer(version));
        }
        if let Some(share) = &self.key_share {
            list.push(Extension::KeyShareServer(share.clone()));
        }
        if let Some(selected) = self.pre_shared_key {
            list.push(Extension::PreSharedKeyServer(selected));
        }
        list
    }

    /// `Extension extensions<6..2^16-1>` of a ServerHello.
    fn read(r: &mut Reader) -> Result<Self, Error> {
        let mut e = ServerHelloExtensions::default();
        let bounds = 6..=(1 << 16) - 1;
        e.received = extensions::read_block(r, ExtensionContext::ServerHello, bounds, |t, r| {
            match t {
                et::SUPPORTED_VERSIONS => e.supported_versions = Some(r.u16("selected_version")?),
                et::KEY_SHARE => e.key_share = Some(extensions::read_key_share_entry(r)?),
                et::PRE_SHARED_KEY => e.pre_shared_key = Some(r.u16("selected_identity")?),
                // Every other known type is refused by `read_block` here.
                _ => {
                    r.rest("extension_data")?;
                }
            }
            Ok(())
        })?;
        Ok(e)
    }
}

/// A HelloRetryRequest (RFC 8446 §4.1.4): the fields of a ServerHello,
/// whose `random` is always [`HELLO_RETRY_REQUEST_RANDOM`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelloRetryRequest {
    /// `ProtocolVersion legacy_version = 0x0303;`
    pub legacy_version: u16,
    /// `opaque legacy_session_id_echo<0..32>;` the client's session id, echoed.
    pub legacy_session_id_echo: Vec<u8>,
    /// `CipherSuite cipher_suite;`
    pub cipher_suite: u16,
    /// `uint8 legacy_compression_method = 0;`
    pub legacy_compression_method: u8,
    /// `Extension extensions<6..2^16-1>;` the ones minitls knows, typed.
    pub extensions: HelloRetryRequestExtensions,
}

/// The extensions of a HelloRetryRequest that minitls knows (RFC 8446
/// §4.1.4). Written in this order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct HelloRetryRequestExtensions {
    /// `ProtocolVersion selected_version;` (RFC 8446 §4.2.1).
    pub supported_versions: Option<u16>,
    /// `key_share`'s `NamedGroup selected_group;` (RFC 8446 §4.2.8): the
    /// group the server wants a share for.
    pub key_share: Option<u16>,
    /// `opaque cookie<1..2^16-1>;` (RFC 8446 §4.2.2), at most
    /// [`extensions::MAX_COOKIE_LEN`] bytes from a peer.
    pub cookie: Option<Vec<u8>>,
    /// Every extension as received, unknown ones included, in order.
    /// Filled in by the reader; the writer ignores it.
    pub received: Vec<ReceivedExtension>,
}

impl HelloRetryRequestExtensions {
    /// `Extension extensions<6..2^16-1>`: each extension present, written
    /// from its field in minitls's order.
    pub fn encode(&self, w: &mut Writer) {
        w.vec_u16(|w| {
            if let Some(version) = self.supported_versions {
                write_extension(w, et::SUPPORTED_VERSIONS, |w| w.u16(version));
            }
            if let Some(group) = self.key_share {
                write_extension(w, et::KEY_SHARE, |w| w.u16(group));
            }
            if let Some(cookie) = &self.cookie {
                write_extension(w, et::COOKIE, |w| w.opaque_u16(cookie));
            }
        });
    }

    /// The same extensions as [`Self::encode`] writes, in the same order,
    /// as a list a test can alter (each field is cloned).
    pub fn to_list(&self) -> Vec<Extension> {
        let mut list = Vec::new();
        if let Some(version) = self.supported_versions {
            list.push(Extension::SupportedVersionsServer(version));
        }
        if let Some(group) = self.key_share {
            list.push(Extension::KeyShareHelloRetryRequest(group));
        }
        if let Some(cookie) = &self.cookie {
            list.push(Extension::Cookie(cookie.clone()));
        }
        list
    }

    /// `Extension extensions<6..2^16-1>` of a HelloRetryRequest.
    fn read(r: &mut Reader) -> Result<Self, Error> {
        let mut e = HelloRetryRequestExtensions::default();
        let bounds = 6..=(1 << 16) - 1;
        let context = ExtensionContext::HelloRetryRequest;
        e.received = extensions::read_block(r, context, bounds, |t, r| {
            match t {
                et::SUPPORTED_VERSIONS => e.supported_versions = Some(r.u16("selected_version")?),
                et::KEY_SHARE => e.key_share = Some(r.u16("selected_group")?),
                // The cookie is echoed in our second ClientHello, so it is
                // bounded by what we will send back.
                et::COOKIE => {
                    let cookie = r.opaque_u16("cookie", 1..=extensions::MAX_COOKIE_LEN)?;
                    e.cookie = Some(cookie.to_vec())
                }
                // Every other known type is refused by `read_block` here.
                _ => {
                    r.rest("extension_data")?;
                }
            }
            Ok(())
        })?;
        Ok(e)
    }
}

impl ServerHello {
    // ANCHOR: server_hello_encode
    /// Encode the body (no handshake header), extensions in minitls's order.
    pub fn encode(&self, w: &mut Writer) {
        self.encode_before_extensions(w);
        self.extensions.encode(w);
    }

    /// Encode with `extensions` as the extension block, written as given
    /// (for tests: any list, rules broken included).
    pub fn encode_with_extensions(&self, w: &mut Writer, extensions: &[Extension]) {
        self.encode_before_extensions(w);
        Extension::write_list(w, extensions);
    }

    /// Every field up to the extension block.
    fn encode_before_extensions(&self, w: &mut Writer) {
        w.u16(self.legacy_version);
        w.bytes(&self.random);
        w.opaque_u8(&self.legacy_session_id_echo);
        w.u16(self.cipher_suite);
        w.u8(self.legacy_compression_method);
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
        Ok(if is_hrr {
            HandshakeMessage::HelloRetryRequest(HelloRetryRequest {
                legacy_version,
                legacy_session_id_echo,
                cipher_suite,
                legacy_compression_method,
                extensions: HelloRetryRequestExtensions::read(r)?,
            })
        } else {
            HandshakeMessage::ServerHello(ServerHello {
                legacy_version,
                random,
                legacy_session_id_echo,
                cipher_suite,
                legacy_compression_method,
                extensions: ServerHelloExtensions::read(r)?,
            })
        })
    }
    // ANCHOR_END: server_hello_read
}

impl HelloRetryRequest {
    /// Encode the body (no handshake header), extensions in minitls's order.
    pub fn encode(&self, w: &mut Writer) {
        self.encode_before_extensions(w);
        self.extensions.encode(w);
    }

    /// Encode with `extensions` as the extension block, written as given
    /// (for tests: any list, rules broken included).
    pub fn encode_with_extensions(&self, w: &mut Writer, extensions: &[Extension]) {
        self.encode_before_extensions(w);
        Extension::write_list(w, extensions);
    }

    /// Every field up to the extension block.
    fn encode_before_extensions(&self, w: &mut Writer) {
        w.u16(self.legacy_version);
        w.bytes(&HELLO_RETRY_REQUEST_RANDOM);
        w.opaque_u8(&self.legacy_session_id_echo);
        w.u16(self.cipher_suite);
        w.u8(self.legacy_compression_method);
    }
}
