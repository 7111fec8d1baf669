//! Exercise 07: the supported_versions and key_share extensions of a
//! ClientHello (book chapter "ClientHello"; RFC 8446 §4.2.1, §4.2.8).
//!
//! A TLS 1.3 ClientHello still says `legacy_version = 0x0303` (TLS 1.2);
//! what makes it TLS 1.3 is the supported_versions extension. Its key
//! comes in the key_share extension. Their `extension_data` are:
//!
//! ```text
//! struct {
//!     ProtocolVersion versions<2..254>;      // supported_versions
//! } SupportedVersions;
//!
//! struct {
//!     NamedGroup group;                      // x25519 is 0x001D
//!     opaque key_exchange<1..2^16-1>;        // the 32-byte public key
//! } KeyShareEntry;
//!
//! struct {
//!     KeyShareEntry client_shares<0..2^16-1>; // key_share
//! } KeyShareClientHello;
//! ```
//!
//! Write [`supported_versions_data`] (offering TLS 1.3, 0x0304, only) and
//! [`key_share_data`] (one X25519 share): the `extension_data` bytes, not
//! the 4-byte type and length in front of them.
//!
//! The check compares your bytes with the extensions of a real minitls
//! ClientHello, then sends a ClientHello carrying your two extensions to a
//! real minitls server, which must answer with a ServerHello.
//!
//! Check it: `cargo run -p labs -- check 07`

// The starter's parameters are unused until you write the bodies.
#![allow(unused_variables)]

/// The `extension_data` of supported_versions offering TLS 1.3 only.
pub fn supported_versions_data() -> Vec<u8> {
    todo!("versions<2..254> holding 0x0304 (RFC 8446 §4.2.1)")
}

/// The `extension_data` of key_share with one X25519 share, `public`.
pub fn key_share_data(public: &[u8; 32]) -> Vec<u8> {
    todo!("client_shares<0..2^16-1> holding one KeyShareEntry (RFC 8446 §4.2.8)")
}
