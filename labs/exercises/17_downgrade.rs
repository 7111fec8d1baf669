//! Exercise 17: the downgrade sentinels (book chapter "What TLS 1.3
//! guarantees, and the attacks that shaped it"; RFC 8446 §4.1.3 and
//! §4.2.1).
//!
//! An attacker in the middle cannot make a TLS 1.3 client and server
//! agree on TLS 1.2 unnoticed. A TLS 1.3 server that negotiates TLS 1.2
//! must end its ServerHello.random with the eight bytes
//! `44 4F 57 4E 47 52 44 01` ("DOWNGRD" and 01), and with
//! `44 4F 57 4E 47 52 44 00` for TLS 1.1 or below. A TLS 1.2 server
//! signs both randoms in its ServerKeyExchange, so with an ephemeral key
//! exchange the attacker cannot remove the sentinel unnoticed (with
//! static RSA key transport there is no such signature, and no such
//! protection).
//!
//! Write [`is_downgrade_sentinel`], then [`client_alert`]: what a
//! TLS 1.3-only client (minitls) does with a ServerHello, given its random
//! and the version its `supported_versions` selects (`None` when the
//! extension is absent, which means the server chose TLS 1.2 or below):
//!
//! - TLS 1.3 (0x0304) selected: accept (the sentinel means nothing then);
//! - any other version in `supported_versions`: illegal_parameter
//!   (RFC 8446 §4.2.1);
//! - no `supported_versions` and a sentinel: illegal_parameter
//!   (RFC 8446 §4.1.3);
//! - no `supported_versions` and no sentinel: a plain TLS 1.2 server,
//!   which minitls cannot speak: protocol_version.
//!
//! The check alters a real minitls server's ServerHello in each of these
//! ways and compares your answer with what a real minitls client does.
//!
//! Check it: `cargo run -p labs -- check 17`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

use minitls::AlertDescription;

/// Whether `server_random` ends in either downgrade sentinel.
pub fn is_downgrade_sentinel(server_random: &[u8; 32]) -> bool {
    todo!("compare the last 8 bytes with the two values of RFC 8446 §4.1.3")
}

/// The alert a TLS 1.3-only client sends for a ServerHello with this
/// random and this `supported_versions` selection; `None` to accept it.
pub fn client_alert(
    server_random: &[u8; 32],
    selected_version: Option<u16>,
) -> Option<AlertDescription> {
    todo!("the four cases above")
}
