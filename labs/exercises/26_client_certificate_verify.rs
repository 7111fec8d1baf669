//! Exercise 26: what a *client* signs in its CertificateVerify, and
//! checking a real client's signature (book chapter "Mutual TLS: client
//! certificates"; RFC 8446 §4.4.3, §4.4.1).
//!
//! In mutual TLS the client proves it holds its certificate's key the way
//! a server does, with a CertificateVerify, but two things differ from
//! the server's (exercise 13):
//!
//! - the context string is "TLS 1.3, client CertificateVerify", after the
//!   same 64 spaces (0x20) and before the same single 0 byte;
//! - the transcript hash covers more: every handshake message from the
//!   ClientHello through the server's Finished (so the CertificateRequest
//!   and everything the server said), then the client's own Certificate.
//!
//! Write [`client_signed_content`]: the bytes a client signs for a
//! transcript whose hash is `transcript_hash`. Then
//! [`client_signature_is_valid`]: whether `signature` is the client's
//! Ed25519 signature over that content for the client key `public_key`
//! (use `minitls::crypto::ed25519_verify`). This is what a server does in
//! its WAIT_CV state.
//!
//! The check runs a real mutual-TLS handshake between a minitls client
//! holding `CN=client`'s certificate and a minitls server that requires
//! one, hashes the transcript the client signed from the messages that
//! crossed, compares your content with minitls's, and asks your verifier
//! about the client's real signature (it must say yes, as the real server
//! did) and about wrong ones: a flipped bit, a transcript that stops too
//! early, and a signature made with the server's context string.
//!
//! Check it: `cargo run -p labs -- check 26`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// The bytes a client's CertificateVerify signs: 64 spaces, "TLS 1.3,
/// client CertificateVerify", 0x00, `transcript_hash`.
pub fn client_signed_content(transcript_hash: &[u8; 32]) -> Vec<u8> {
    todo!("64 spaces, the client's context string, one zero byte, the hash (RFC 8446 §4.4.3)")
}

/// Whether `signature` is a valid client CertificateVerify signature by
/// `public_key` for a transcript whose hash is `transcript_hash`.
pub fn client_signature_is_valid(
    public_key: &[u8; 32],
    transcript_hash: &[u8; 32],
    signature: &[u8],
) -> bool {
    todo!("verify the signature over the client's signed content")
}
