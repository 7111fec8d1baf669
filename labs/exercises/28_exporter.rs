//! Exercise 28: the TLS exporter (book chapter "ALPN and exporters";
//! RFC 8446 §7.5, §7.1).
//!
//! An exporter gives an application keying material of its own out of the
//! connection's exporter_master_secret (RFC 8446 §7.5):
//!
//! ```text
//! TLS-Exporter(label, context_value, key_length) =
//!     HKDF-Expand-Label(Derive-Secret(Secret, label, ""),
//!                       "exporter", Hash(context_value), key_length)
//! ```
//!
//! where `Derive-Secret(Secret, Label, Messages)` is
//! `HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), 32)`, so
//! with no messages its context is SHA-256 of zero bytes. The exporter's
//! label is bytes chosen by the application, not one of the RFC's
//! strings: write its HkdfLabel yourself (exercise 09 did it for a `&str`)
//! and use `minitls::crypto::{hkdf_expand, sha256}`.
//!
//! Write [`export`].
//!
//! The check runs a real minitls connection and compares [`export`] with
//! `Connection::export_keying_material` on both ends, for several labels,
//! contexts and lengths.
//!
//! Check it: `cargo run -p labs -- check 28`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// `length` bytes of TLS-Exporter(label, context, length) from the
/// connection's exporter_master_secret (RFC 8446 §7.5).
pub fn export(
    exporter_master_secret: &[u8; 32],
    label: &[u8],
    context: &[u8],
    length: usize,
) -> Vec<u8> {
    todo!(
        "Derive-Secret(secret, label, \"\"), then HKDF-Expand-Label(.., \"exporter\", Hash(context), length)"
    )
}
