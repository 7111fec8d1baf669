//! Exercise 10: which EncryptedExtensions a client accepts (book chapter
//! "EncryptedExtensions"; RFC 8446 §4.2 and §4.3.1).
//!
//! A server's EncryptedExtensions is a list of extensions. A client
//! refuses it in two ways, and they give different alerts:
//!
//! - RFC 8446 §4.2: an extension the client *recognizes* but that the
//!   table of §4.2 does not allow in this message (its "EE" column) is
//!   `illegal_parameter`. minitls recognizes the types in
//!   `minitls::messages::extensions::extension_type`; only `server_name`,
//!   `supported_groups`, `early_data` and
//!   `application_layer_protocol_negotiation` among them are allowed in
//!   EncryptedExtensions. §4.2 also forbids the same type twice in one
//!   list, and minitls answers that with `illegal_parameter` too. Both
//!   are checked while the list is decoded, extension by extension,
//!   before anything else.
//! - RFC 8446 §4.2: an extension the client did not offer is
//!   `unsupported_extension`. This is checked after decoding.
//!
//! Write [`client_alert`]: given the extension types the client offered
//! in its ClientHello and the types the server put in EncryptedExtensions,
//! in order, the alert minitls's client sends, or `None` if it accepts
//! the message.
//!
//! The check builds each list as a real EncryptedExtensions, seals it in
//! the server's real handshake record, hands it to a real minitls client
//! and compares the alert the client sends with your answer.
//!
//! Check it: `cargo run -p labs -- check 10`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

use minitls::AlertDescription;

/// The alert minitls's client sends for an EncryptedExtensions holding
/// extensions of types `sent` (in order), when its ClientHello offered
/// `offered`; `None` when it accepts the message.
pub fn client_alert(offered: &[u16], sent: &[u16]) -> Option<AlertDescription> {
    todo!("decode-time rules of RFC 8446 §4.2 first, then \"did we offer it?\"")
}
