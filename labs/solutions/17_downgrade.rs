//! Exercise 17, reference solution: the downgrade sentinels (RFC 8446
//! §4.1.3) and the version check of a TLS 1.3-only client (§4.2.1).
//! minitls's own is `check_version` in `src/client.rs`.

use minitls::AlertDescription;

/// "DOWNGRD" and 01: the server negotiated TLS 1.2 (RFC 8446 §4.1.3).
const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
/// "DOWNGRD" and 00: TLS 1.1 or below.
const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";
/// TLS 1.3's version number in `supported_versions`.
const TLS13: u16 = 0x0304;

/// Whether `server_random` ends in either downgrade sentinel.
pub fn is_downgrade_sentinel(server_random: &[u8; 32]) -> bool {
    let tail = &server_random[24..];
    tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11
}

/// The alert a TLS 1.3-only client sends for a ServerHello with this
/// random and this `supported_versions` selection; `None` to accept it.
pub fn client_alert(
    server_random: &[u8; 32],
    selected_version: Option<u16>,
) -> Option<AlertDescription> {
    match selected_version {
        Some(TLS13) => None,
        // RFC 8446 §4.2.1: a version we did not offer, or below 1.3.
        Some(_) => Some(AlertDescription::IllegalParameter),
        // TLS 1.2 or below. A TLS 1.3 server announces that it was
        // pushed down: someone removed 1.3 from what it saw.
        None if is_downgrade_sentinel(server_random) => Some(AlertDescription::IllegalParameter),
        None => Some(AlertDescription::ProtocolVersion),
    }
}
