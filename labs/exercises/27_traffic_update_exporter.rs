//! Exercise 27: the next generation of a traffic secret, and the TLS
//! exporter (book chapter "KeyUpdate, ALPN and exporters"; RFC 8446 §7.2,
//! §7.5, §7.1).
//!
//! After a KeyUpdate, the sender's next application traffic secret comes
//! from its current one alone (RFC 8446 §7.2):
//!
//! ```text
//! application_traffic_secret_N+1 =
//!     HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
//! ```
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
//! Write [`next_traffic_secret`] and [`export`].
//!
//! The check runs a real minitls connection, reads generation 0 of each
//! direction's secret off the trace, has the client call
//! `Connection::update_keys(true)` (so the server updates too) and the
//! server update once more, and compares your generations with the ones
//! the connection derived; a record sent after the update must open under
//! keys from your secret. Then it compares [`export`] with
//! `Connection::export_keying_material` on both ends, for several labels,
//! contexts and lengths.
//!
//! Check it: `cargo run -p labs -- check 27`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// application_traffic_secret_N+1 from application_traffic_secret_N
/// (RFC 8446 §7.2).
pub fn next_traffic_secret(current: &[u8; 32]) -> [u8; 32] {
    todo!("HKDF-Expand-Label(current, \"traffic upd\", \"\", 32)")
}

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
