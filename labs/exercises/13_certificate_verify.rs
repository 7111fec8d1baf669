//! Exercise 13: what a CertificateVerify signs, and checking a real
//! server's signature (book chapter "CertificateVerify"; RFC 8446 §4.4.3).
//!
//! The server does not sign the transcript hash alone. It signs:
//!
//! - the byte 0x20 (a space) repeated 64 times;
//! - a context string: "TLS 1.3, server CertificateVerify" for a server,
//!   "TLS 1.3, client CertificateVerify" for a client;
//! - a single 0 byte;
//! - Transcript-Hash(Handshake Context, Certificate): the hash of every
//!   handshake message up to and including the Certificate.
//!
//! Write [`signed_content`], then [`server_signature_is_valid`]: whether
//! `signature` is the server's Ed25519 signature over that content, for
//! the server key `public_key` (use `minitls::crypto::ed25519_verify`).
//!
//! The check runs a real minitls handshake, computes the transcript hash
//! from the messages the client received, compares your content with
//! minitls's, and asks your verifier about the server's real signature
//! (it must say yes) and about wrong ones (it must say no).
//!
//! Check it: `cargo run -p labs -- check 13`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// The bytes a CertificateVerify signs: 64 spaces, `context`, 0x00,
/// `transcript_hash`.
pub fn signed_content(context: &[u8], transcript_hash: &[u8; 32]) -> Vec<u8> {
    todo!("64 spaces, the context string, one zero byte, the hash")
}

/// Whether `signature` is a valid server CertificateVerify signature by
/// `public_key` for a transcript whose hash is `transcript_hash`.
pub fn server_signature_is_valid(
    public_key: &[u8; 32],
    transcript_hash: &[u8; 32],
    signature: &[u8],
) -> bool {
    todo!("verify the signature over the server's signed content")
}
