//! CertificateVerify (RFC 8446 §4.4.3): proof that the sender holds the
//! private key of its certificate, by a signature over the transcript.
//!
//! ```text
//! struct {
//!     SignatureScheme algorithm;
//!     opaque signature<0..2^16-1>;
//! } CertificateVerify;
//! ```
//!
//! What is signed is not the transcript hash alone but [`signed_content`]:
//! 64 spaces, a context string naming the signer's role, a zero byte, and
//! the hash. The prefix stops a signature made for TLS 1.2 (or any other
//! protocol) from being replayed here; the context string stops a server's
//! signature from being passed off as a client's.

use crate::codec::{Reader, Writer};
use crate::error::Error;

/// `struct { ... } CertificateVerify;` (RFC 8446 §4.4.3): sent right after
/// the sender's Certificate, signed with that certificate's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateVerify {
    /// `SignatureScheme algorithm;`
    pub algorithm: u16,
    /// `opaque signature<0..2^16-1>;`
    pub signature: Vec<u8>,
}

/// The context string for a server's signature (RFC 8446 §4.4.3).
pub const SERVER_CONTEXT: &[u8] = b"TLS 1.3, server CertificateVerify";
/// The context string for a client's signature.
pub const CLIENT_CONTEXT: &[u8] = b"TLS 1.3, client CertificateVerify";

// ANCHOR: signed_content
/// The bytes a CertificateVerify signs (RFC 8446 §4.4.3): 64 octets of 0x20,
/// the context string, a single 0 byte, then Transcript-Hash(Handshake
/// Context, Certificate), whose bytes the caller passes (so the messages
/// need not know the transcript).
pub fn signed_content(context: &[u8], transcript_hash: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(64 + context.len() + 1 + transcript_hash.len());
    content.resize(64, 0x20);
    content.extend_from_slice(context);
    content.push(0);
    content.extend_from_slice(transcript_hash);
    content
}
// ANCHOR_END: signed_content

impl CertificateVerify {
    /// Encode the body (no handshake header).
    pub fn encode(&self, w: &mut Writer) {
        w.u16(self.algorithm);
        w.opaque_u16(&self.signature);
    }

    /// Decode the body (no handshake header). The scheme is only read here;
    /// whether it was offered is checked by the receiver (RFC 8446 §4.4.3).
    pub fn read(r: &mut Reader) -> Result<CertificateVerify, Error> {
        let algorithm = r.u16("algorithm")?;
        r.note(|| super::signature_scheme_name(algorithm).to_string());
        Ok(CertificateVerify {
            algorithm,
            signature: r.opaque_u16("signature", 0..=(1 << 16) - 1)?.to_vec(),
        })
    }
}
