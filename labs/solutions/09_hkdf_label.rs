//! Exercise 09, reference solution: the HkdfLabel structure (RFC 8446
//! §7.1). minitls's own version is `minitls::key_schedule::hkdf_expand_label`,
//! written with the codec's `Writer`; this one spells out every byte.

/// The encoded HkdfLabel for an output of `length` bytes, with the label
/// (without its "tls13 " prefix) and the context.
pub fn hkdf_label(length: u16, label: &str, context: &[u8]) -> Vec<u8> {
    let full_label = [b"tls13 ".as_slice(), label.as_bytes()].concat();
    let mut info = Vec::with_capacity(2 + 1 + full_label.len() + 1 + context.len());
    info.extend_from_slice(&length.to_be_bytes());
    // Both vectors have a one-byte length: at most 255 bytes each, which
    // every label and context of the key schedule respects.
    info.push(full_label.len() as u8);
    info.extend_from_slice(&full_label);
    info.push(context.len() as u8);
    info.extend_from_slice(context);
    info
}
