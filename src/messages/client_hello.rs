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

use super::extensions::{self, Extension, ExtensionContext};
use crate::codec::{Reader, Writer};
use crate::error::Error;

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
    /// `Extension extensions<8..2^16-1>;`
    pub extensions: Vec<Extension>,
}

impl ClientHello {
    // ANCHOR: client_hello_encode
    pub fn encode(&self, w: &mut Writer) {
        w.u16(self.legacy_version);
        w.bytes(&self.random);
        w.opaque_u8(&self.legacy_session_id);
        w.vec_u16(|w| self.cipher_suites.iter().for_each(|s| w.u16(*s)));
        w.opaque_u8(&self.legacy_compression_methods);
        Extension::write_list(w, &self.extensions);
    }
    // ANCHOR_END: client_hello_encode

    // ANCHOR: client_hello_read
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
            Vec::new()
        } else {
            Extension::read_list(r, ExtensionContext::ClientHello, 0..=(1 << 16) - 1)?
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

    pub fn find_extension(&self, extension_type: u16) -> Option<&Extension> {
        extensions::find(&self.extensions, extension_type)
    }
}
