//! Exercise 09: the HkdfLabel structure (book chapter "The key schedule";
//! RFC 8446 §7.1).
//!
//! Every secret and every key of TLS 1.3 comes out of HKDF-Expand-Label,
//! which is plain HKDF-Expand with an `info` argument that names what is
//! being derived and how long it is:
//!
//! ```text
//! struct {
//!     uint16 length = Length;
//!     opaque label<7..255> = "tls13 " + Label;
//!     opaque context<0..255> = Context;
//! } HkdfLabel;
//! ```
//!
//! Write [`hkdf_label`]: the encoded bytes of that structure. `opaque
//! x<0..255>` is a one-byte length followed by the bytes.
//!
//! The check compares your bytes with the `info` values RFC 8448 prints
//! for the server's handshake key and IV and for the client's handshake
//! traffic secret, then runs HKDF-Expand with them and compares the output
//! with the RFC's key and secret.
//!
//! Check it: `cargo run -p labs -- check 09`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// The encoded HkdfLabel for an output of `length` bytes, with the label
/// (without its "tls13 " prefix) and the context.
pub fn hkdf_label(length: u16, label: &str, context: &[u8]) -> Vec<u8> {
    todo!("encode length, \"tls13 \" + label and context (RFC 8446 §7.1)")
}
