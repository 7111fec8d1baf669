//! ClientHello (RFC 8446 §4.1.2): the first message, and the client's whole
//! offer.
//!
//! ```text
//! struct {
//!     ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 */
//!     Random random;
//!     opaque legacy_session_id<0..32>;
//!     CipherSuite cipher_suites<2..2^16-2>;
//!     opaque legacy_compression_methods<1..2^8-1>;
//!     Extension extensions<8..2^16-1>;
//! } ClientHello;
//! ```
//!
//! TLS 1.3 negotiates its version in the `supported_versions` extension; the
//! fixed `legacy_version` keeps middleboxes that only know TLS 1.2 happy.

use std::ops::RangeInclusive;

use super::extensions::{
    self, Extension, ExtensionContext, KeyShareEntry, OfferedPsks, ProtocolNameList,
    ReceivedExtension, extension_type as et, write_client_shares, write_extension,
    write_offered_psks, write_protocol_name_list, write_server_name, write_u16_list,
    write_versions,
};
use crate::codec::{Reader, Writer};
use crate::error::Error;

/// `struct { ... } ClientHello;` (RFC 8446 §4.1.2): the client's first
/// message, and its second after a HelloRetryRequest (RFC 8446 §4.1.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello {
    /// `ProtocolVersion legacy_version = 0x0303;`
    pub legacy_version: u16,
    /// `Random random;` 32 bytes from a secure RNG.
    pub random: [u8; 32],
    /// `opaque legacy_session_id<0..32>;` in TLS 1.3 only for middlebox
    /// compatibility (RFC 8446 Appendix D.4), never for resumption.
    pub legacy_session_id: Vec<u8>,
    /// `CipherSuite cipher_suites<2..2^16-2>;`
    pub cipher_suites: Vec<u16>,
    /// `opaque legacy_compression_methods<1..2^8-1>;` exactly `[0]` in TLS 1.3.
    pub legacy_compression_methods: Vec<u8>,
    /// `Extension extensions<8..2^16-1>;` the ones minitls knows, typed.
    pub extensions: ClientHelloExtensions,
}

/// The extensions of a ClientHello that minitls knows (RFC 8446 §4.2),
/// each `None` (or `false`) when absent. Written in this order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ClientHelloExtensions {
    /// `server_name`: the `host_name` of RFC 6066 §3.
    pub server_name: Option<String>,
    /// `ProtocolVersion versions<2..254>;` (RFC 8446 §4.2.1).
    pub supported_versions: Option<Vec<u16>>,
    /// `NamedGroup named_group_list<2..2^16-1>;` (RFC 8446 §4.2.7).
    pub supported_groups: Option<Vec<u16>>,
    /// `SignatureScheme supported_signature_algorithms<2..2^16-2>;` (RFC 8446 §4.2.3).
    pub signature_algorithms: Option<Vec<u16>>,
    /// `application_layer_protocol_negotiation`: the application protocols
    /// offered, most preferred first (RFC 7301 §3.1). Boxed, like
    /// pre_shared_key, to keep every `HandshakeMessage` small.
    pub application_layer_protocol_negotiation: Option<Box<ProtocolNameList>>,
    /// `KeyShareEntry client_shares<0..2^16-1>;` (RFC 8446 §4.2.8).
    pub key_share: Option<Vec<KeyShareEntry>>,
    /// `opaque cookie<1..2^16-1>;` echoed from a HelloRetryRequest (RFC 8446 §4.2.2).
    pub cookie: Option<Vec<u8>>,
    /// `PskKeyExchangeMode ke_modes<1..255>;` (RFC 8446 §4.2.9).
    pub psk_key_exchange_modes: Option<Vec<u8>>,
    /// `early_data` (RFC 8446 §4.2.10): 0-RTT data follows this ClientHello.
    pub early_data: bool,
    /// `OfferedPsks` (RFC 8446 §4.2.11); always the last extension. Boxed
    /// because it is rare and large: it keeps every ClientHello, and so
    /// every `HandshakeMessage`, smaller.
    pub pre_shared_key: Option<Box<OfferedPsks>>,
    /// Every extension as received, unknown ones included, in order: the
    /// server checks a second ClientHello repeats the first (RFC 8446
    /// §4.1.2). Filled in by the reader; the writer ignores it.
    pub received: Vec<ReceivedExtension>,
}

impl ClientHelloExtensions {
    // ANCHOR: client_hello_extensions_encode
    /// `Extension extensions<8..2^16-1>`: each extension present, written
    /// from its field in minitls's order (pre_shared_key last, as RFC 8446
    /// §4.2.11 requires), with no list built on the way.
    pub fn encode(&self, w: &mut Writer) {
        w.vec_u16(|w| {
            if let Some(name) = &self.server_name {
                write_extension(w, et::SERVER_NAME, |w| write_server_name(w, name));
            }
            if let Some(versions) = &self.supported_versions {
                write_extension(w, et::SUPPORTED_VERSIONS, |w| write_versions(w, versions));
            }
            if let Some(groups) = &self.supported_groups {
                write_extension(w, et::SUPPORTED_GROUPS, |w| write_u16_list(w, groups));
            }
            if let Some(schemes) = &self.signature_algorithms {
                write_extension(w, et::SIGNATURE_ALGORITHMS, |w| write_u16_list(w, schemes));
            }
            if let Some(names) = &self.application_layer_protocol_negotiation {
                write_extension(w, et::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, |w| {
                    write_protocol_name_list(w, &names.protocol_name_list)
                });
            }
            if let Some(shares) = &self.key_share {
                write_extension(w, et::KEY_SHARE, |w| write_client_shares(w, shares));
            }
            if let Some(cookie) = &self.cookie {
                write_extension(w, et::COOKIE, |w| w.opaque_u16(cookie));
            }
            if let Some(modes) = &self.psk_key_exchange_modes {
                write_extension(w, et::PSK_KEY_EXCHANGE_MODES, |w| w.opaque_u8(modes));
            }
            if self.early_data {
                write_extension(w, et::EARLY_DATA, |_| {});
            }
            if let Some(offer) = &self.pre_shared_key {
                write_extension(w, et::PRE_SHARED_KEY, |w| write_offered_psks(w, offer));
            }
        });
    }
    // ANCHOR_END: client_hello_extensions_encode

    /// The `ExtensionType` of each extension [`Self::encode`] writes, in
    /// its order: what a client offered, and so what a server may answer.
    pub fn types(&self) -> Vec<u16> {
        let present = [
            (self.server_name.is_some(), et::SERVER_NAME),
            (self.supported_versions.is_some(), et::SUPPORTED_VERSIONS),
            (self.supported_groups.is_some(), et::SUPPORTED_GROUPS),
            (
                self.signature_algorithms.is_some(),
                et::SIGNATURE_ALGORITHMS,
            ),
            (
                self.application_layer_protocol_negotiation.is_some(),
                et::APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
            ),
            (self.key_share.is_some(), et::KEY_SHARE),
            (self.cookie.is_some(), et::COOKIE),
            (
                self.psk_key_exchange_modes.is_some(),
                et::PSK_KEY_EXCHANGE_MODES,
            ),
            (self.early_data, et::EARLY_DATA),
            (self.pre_shared_key.is_some(), et::PRE_SHARED_KEY),
        ];
        present
            .into_iter()
            .filter_map(|(is_present, t)| is_present.then_some(t))
            .collect()
    }

    /// The same extensions as [`Self::encode`] writes, in the same order,
    /// as a list of [`Extension`]s a test can alter and hand to
    /// [`ClientHello::encode_with_extensions`] (each field is cloned).
    pub fn to_list(&self) -> Vec<Extension> {
        let mut list = Vec::with_capacity(10);
        if let Some(name) = &self.server_name {
            list.push(Extension::ServerName(name.clone()));
        }
        if let Some(versions) = &self.supported_versions {
            list.push(Extension::SupportedVersionsClient(versions.clone()));
        }
        if let Some(groups) = &self.supported_groups {
            list.push(Extension::SupportedGroups(groups.clone()));
        }
        if let Some(schemes) = &self.signature_algorithms {
            list.push(Extension::SignatureAlgorithms(schemes.clone()));
        }
        if let Some(names) = &self.application_layer_protocol_negotiation {
            list.push(Extension::ApplicationLayerProtocolNegotiation(
                names.protocol_name_list.clone(),
            ));
        }
        if let Some(shares) = &self.key_share {
            list.push(Extension::KeyShareClient(shares.clone()));
        }
        if let Some(cookie) = &self.cookie {
            list.push(Extension::Cookie(cookie.clone()));
        }
        if let Some(modes) = &self.psk_key_exchange_modes {
            list.push(Extension::PskKeyExchangeModes(modes.clone()));
        }
        if self.early_data {
            list.push(Extension::EarlyData);
        }
        if let Some(offer) = &self.pre_shared_key {
            list.push(Extension::PreSharedKeyClient(OfferedPsks::clone(offer)));
        }
        list
    }

    // ANCHOR: client_hello_extensions_read
    /// `Extension extensions<bounds>` of a ClientHello: each known
    /// extension's data read into its field (the block's rules are
    /// `extensions::read_block`'s).
    pub fn read(r: &mut Reader, bounds: RangeInclusive<usize>) -> Result<Self, Error> {
        let mut e = ClientHelloExtensions::default();
        e.received = extensions::read_block(r, ExtensionContext::ClientHello, bounds, |t, r| {
            match t {
                et::SERVER_NAME => e.server_name = Some(extensions::read_server_name(r)?),
                et::SUPPORTED_VERSIONS => {
                    e.supported_versions = Some(r.vec_u8("versions", 2..=254, |r| {
                        r.items(|r| r.u16("ProtocolVersion"))
                    })?)
                }
                et::SUPPORTED_GROUPS => {
                    e.supported_groups = Some(extensions::read_named_group_list(r)?)
                }
                et::SIGNATURE_ALGORITHMS => {
                    e.signature_algorithms = Some(extensions::read_signature_algorithms(r)?)
                }
                et::APPLICATION_LAYER_PROTOCOL_NEGOTIATION => {
                    e.application_layer_protocol_negotiation = Some(Box::new(ProtocolNameList {
                        protocol_name_list: extensions::read_protocol_name_list(r)?,
                    }))
                }
                et::KEY_SHARE => e.key_share = Some(extensions::read_client_shares(r)?),
                et::COOKIE => e.cookie = Some(r.opaque_u16("cookie", 1..=(1 << 16) - 1)?.to_vec()),
                et::PSK_KEY_EXCHANGE_MODES => {
                    e.psk_key_exchange_modes = Some(r.opaque_u8("ke_modes", 1..=255)?.to_vec())
                }
                et::EARLY_DATA => {
                    r.rest("early_data")?;
                    e.early_data = true;
                }
                et::PRE_SHARED_KEY => {
                    e.pre_shared_key = Some(Box::new(extensions::read_offered_psks(r)?))
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
    // ANCHOR_END: client_hello_extensions_read
}

impl ClientHello {
    // ANCHOR: client_hello_encode
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
        w.opaque_u8(&self.legacy_session_id);
        w.vec_u16(|w| self.cipher_suites.iter().for_each(|s| w.u16(*s)));
        w.opaque_u8(&self.legacy_compression_methods);
    }
    // ANCHOR_END: client_hello_encode

    // ANCHOR: client_hello_read
    /// Decode the body (no handshake header). The vectors' bounds are
    /// checked here; what the values mean (a version, a suite) is the
    /// server's to judge.
    pub fn read(r: &mut Reader) -> Result<ClientHello, Error> {
        let legacy_version = r.u16("legacy_version")?;
        let random = r.array::<32>("random")?;
        let legacy_session_id = r.opaque_u8("legacy_session_id", 0..=32)?.to_vec();
        let cipher_suites = r.vec_u16("cipher_suites", 2..=(1 << 16) - 2, |r| {
            r.items(|r| {
                let suite = r.u16("CipherSuite")?;
                r.note(|| super::cipher_suite_name(suite).to_string());
                Ok(suite)
            })
        })?;
        let legacy_compression_methods = r
            .opaque_u8("legacy_compression_methods", 1..=(1 << 8) - 1)?
            .to_vec();
        // A TLS 1.2-or-older ClientHello may end here with no extensions at
        // all, or carry fewer than a TLS 1.3 hello's 8 bytes of them; RFC 8446
        // §4.1.2 asks only for "a valid extensions block", so it is then
        // refused for its version (no supported_versions), not its encoding.
        let extensions = if r.is_empty() {
            ClientHelloExtensions::default()
        } else {
            ClientHelloExtensions::read(r, 0..=(1 << 16) - 1)?
        };
        Ok(ClientHello {
            legacy_version,
            random,
            legacy_session_id,
            cipher_suites,
            legacy_compression_methods,
            extensions,
        })
    }
    // ANCHOR_END: client_hello_read
}
