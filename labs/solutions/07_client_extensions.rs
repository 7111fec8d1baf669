//! Exercise 07, reference solution: the supported_versions and key_share
//! extensions of a ClientHello (RFC 8446 §4.2.1, §4.2.8). minitls writes
//! them with the codec's `Writer` in `extensions::write_versions` and
//! `write_client_shares`, called from `ClientHelloExtensions::encode`.

/// TLS 1.3's ProtocolVersion (RFC 8446 §4.2.1).
const TLS13: u16 = 0x0304;
/// The NamedGroup x25519 (RFC 8446 §4.2.7).
const X25519: u16 = 0x001d;

/// The `extension_data` of supported_versions offering TLS 1.3 only.
pub fn supported_versions_data() -> Vec<u8> {
    // versions<2..254>: a one-byte length in bytes (2), then the version.
    let mut data = vec![2];
    data.extend_from_slice(&TLS13.to_be_bytes());
    data
}

/// The `extension_data` of key_share with one X25519 share, `public`.
pub fn key_share_data(public: &[u8; 32]) -> Vec<u8> {
    // One KeyShareEntry: group (2), key_exchange's length (2), the key.
    let mut entry = Vec::with_capacity(2 + 2 + public.len());
    entry.extend_from_slice(&X25519.to_be_bytes());
    entry.extend_from_slice(&(public.len() as u16).to_be_bytes());
    entry.extend_from_slice(public);
    // client_shares<0..2^16-1>: a two-byte length, then the entries.
    let mut data = (entry.len() as u16).to_be_bytes().to_vec();
    data.extend_from_slice(&entry);
    data
}
