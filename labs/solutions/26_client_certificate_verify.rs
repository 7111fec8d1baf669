//! Exercise 26, reference solution: the content a client's
//! CertificateVerify signs (RFC 8446 §4.4.3) and the server's check of
//! the signature over it. minitls's own are
//! `messages::certificate_verify::signed_content` and the server's
//! `handle_client_certificate_verify`.

use minitls::crypto::ed25519_verify;

/// The client's context string (RFC 8446 §4.4.3). The server's differs in
/// one word, so a signature made in one role never passes in the other.
const CLIENT_CONTEXT: &[u8] = b"TLS 1.3, client CertificateVerify";

/// The bytes a client's CertificateVerify signs: 64 spaces, "TLS 1.3,
/// client CertificateVerify", 0x00, `transcript_hash`.
pub fn client_signed_content(transcript_hash: &[u8; 32]) -> Vec<u8> {
    let mut content = vec![0x20; 64];
    content.extend_from_slice(CLIENT_CONTEXT);
    content.push(0);
    content.extend_from_slice(transcript_hash);
    content
}

/// Whether `signature` is a valid client CertificateVerify signature by
/// `public_key` for a transcript whose hash is `transcript_hash`.
pub fn client_signature_is_valid(
    public_key: &[u8; 32],
    transcript_hash: &[u8; 32],
    signature: &[u8],
) -> bool {
    ed25519_verify(
        public_key,
        &client_signed_content(transcript_hash),
        signature,
    )
}
