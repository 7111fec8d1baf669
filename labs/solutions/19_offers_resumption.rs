//! Exercise 19, reference solution: a TLS 1.3 ClientHello offers a
//! session only in its `pre_shared_key` extension (RFC 8446 §4.2.11);
//! `legacy_session_id` is for middleboxes (Appendix D.4). minitls's own
//! parser is `minitls::messages::client_hello::ClientHello::read`.

/// `pre_shared_key(41)` (RFC 8446 §4.2).
const PRE_SHARED_KEY: u16 = 41;

/// Whether this ClientHello (handshake header included) offers a session
/// to resume.
pub fn offers_resumption(client_hello: &[u8]) -> bool {
    extension_types(client_hello).is_some_and(|types| types.contains(&PRE_SHARED_KEY))
}

/// The types of the ClientHello's extensions, in order; `None` when the
/// bytes end too early.
fn extension_types(client_hello: &[u8]) -> Option<Vec<u16>> {
    // Header (4), legacy_version (2), random (32).
    let mut at = 4 + 2 + 32;
    // legacy_session_id, cipher_suites, legacy_compression_methods: skip
    // each by its length prefix (1, 2 and 1 bytes).
    for prefix in [1, 2, 1] {
        at += prefix + read_length(client_hello, at, prefix)?;
    }
    let end = at + 2 + read_length(client_hello, at, 2)?;
    at += 2;
    let mut types = Vec::new();
    while at < end {
        types.push(read_length(client_hello, at, 2)? as u16);
        at += 4 + read_length(client_hello, at + 2, 2)?;
    }
    Some(types)
}

/// The big-endian number of `width` bytes at `at`.
fn read_length(bytes: &[u8], at: usize, width: usize) -> Option<usize> {
    let field = bytes.get(at..at + width)?;
    Some(field.iter().fold(0, |n, b| (n << 8) | usize::from(*b)))
}
