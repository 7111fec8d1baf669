//! Exercise 18: NSS key log lines (book chapter "Watching minitls in
//! Wireshark"; RFC 8446 §7.1 names the secrets, the key log format is
//! NSS's, read by Wireshark and tshark).
//!
//! Wireshark decrypts a TLS 1.3 capture when it is given, for each
//! connection, the traffic secrets of the key schedule. A key log file
//! holds one line per secret:
//!
//! ```text
//! <LABEL> <ClientHello.random, 64 hex digits> <secret, 64 hex digits>
//! ```
//!
//! Write [`keylog_line`]: the line for one secret, or `None` when the
//! format has no label for it. The labels Wireshark knows for TLS 1.3 are
//! `CLIENT_HANDSHAKE_TRAFFIC_SECRET`, `SERVER_HANDSHAKE_TRAFFIC_SECRET`,
//! `CLIENT_TRAFFIC_SECRET_0`, `SERVER_TRAFFIC_SECRET_0` and
//! `EXPORTER_SECRET`; find which `SecretLabel` each belongs to from its
//! RFC name (`label.rfc_label()`). Write the mapping yourself: do not call
//! `SecretLabel::keylog_label`, which is minitls's answer. Hex is
//! lowercase; `hex::encode` writes it.
//!
//! The check runs a real handshake between a minitls client and server,
//! catches every secret the client derives, and compares your lines, in
//! order, with the key log minitls wrote for the same handshake.
//!
//! Check it: `cargo run -p labs -- check 18`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

use minitls::key_schedule::SecretLabel;

/// The key log line for `secret` of the connection whose ClientHello
/// carried `client_random`; `None` for a secret the format does not name.
pub fn keylog_line(label: SecretLabel, client_random: &[u8; 32], secret: &[u8]) -> Option<String> {
    todo!("map the label to its NSS name, then write `NAME random secret` in hex")
}
