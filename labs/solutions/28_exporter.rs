//! Exercise 28, reference solution: TLS-Exporter (RFC 8446 §7.5).
//! minitls's own is `key_schedule::tls_exporter`.

use minitls::crypto::{hkdf_expand, sha256};

/// HKDF-Expand-Label (RFC 8446 §7.1) with a label given as bytes: the
/// HkdfLabel `{ uint16 length; opaque label<7..255> = "tls13 " + label;
/// opaque context<0..255> }` as HKDF-Expand's info.
fn hkdf_expand_label(secret: &[u8; 32], label: &[u8], context: &[u8], out: &mut [u8]) {
    let full_label = [b"tls13 ".as_slice(), label].concat();
    // Both vectors have a one-byte length; an exporter label over 249
    // bytes does not fit, which minitls's connection refuses up front.
    assert!(full_label.len() <= 255 && context.len() <= 255);
    let mut info = Vec::with_capacity(2 + 1 + full_label.len() + 1 + context.len());
    info.extend_from_slice(&(out.len() as u16).to_be_bytes());
    info.push(full_label.len() as u8);
    info.extend_from_slice(&full_label);
    info.push(context.len() as u8);
    info.extend_from_slice(context);
    hkdf_expand(secret, &info, out);
}

/// `length` bytes of TLS-Exporter(label, context, length) from the
/// connection's exporter_master_secret (RFC 8446 §7.5).
pub fn export(
    exporter_master_secret: &[u8; 32],
    label: &[u8],
    context: &[u8],
    length: usize,
) -> Vec<u8> {
    // Derive-Secret(Secret, label, ""): the hash of no messages.
    let mut derived = [0u8; 32];
    hkdf_expand_label(exporter_master_secret, label, &sha256(b""), &mut derived);
    // "No context" and an empty context are the same: Hash("").
    let mut out = vec![0u8; length];
    hkdf_expand_label(&derived, b"exporter", &sha256(context), &mut out);
    out
}
