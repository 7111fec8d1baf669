//! Exercise 13, reference solution: the content a CertificateVerify signs
//! (RFC 8446 §4.4.3) and the check of a server's signature over it.
//! minitls's own are `messages::certificate_verify::signed_content` and
//! the client's `handle_certificate_verify`.

use minitls::crypto::ed25519_verify;

/// The server's context string (RFC 8446 §4.4.3).
const SERVER_CONTEXT: &[u8] = b"TLS 1.3, server CertificateVerify";

/// The bytes a CertificateVerify signs: 64 spaces, `context`, 0x00,
/// `transcript_hash`.
pub fn signed_content(context: &[u8], transcript_hash: &[u8; 32]) -> Vec<u8> {
    // The 64 spaces make the signed bytes start unlike anything a TLS 1.2
    // server ever signed (that began with the client's random).
    let mut content = vec![0x20; 64];
    content.extend_from_slice(context);
    content.push(0);
    content.extend_from_slice(transcript_hash);
    content
}

/// Whether `signature` is a valid server CertificateVerify signature by
/// `public_key` for a transcript whose hash is `transcript_hash`.
pub fn server_signature_is_valid(
    public_key: &[u8; 32],
    transcript_hash: &[u8; 32],
    signature: &[u8],
) -> bool {
    let content = signed_content(SERVER_CONTEXT, transcript_hash);
    ed25519_verify(public_key, &content, signature)
}
