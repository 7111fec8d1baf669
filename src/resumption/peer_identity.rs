//! What a resumable session remembers of an authenticated client (mutual
//! TLS, RFC 8446 §4.3.2, §4.4.2): its subject and a SHA-256 of its leaf
//! certificate, never the certificate itself.
//!
//! A resumed handshake has no Certificate message (RFC 8446 §2.2: the PSK
//! authenticates), so whatever the server knew of the client on the first
//! connection must travel with the session, in `Session.peer_identity`.
//! Keeping the certificate would make every ticket (or stored session) a
//! few hundred bytes to a few kilobytes larger, and a Redis store refuses
//! values over 4096 bytes; the subject is what the server reports, and the
//! hash says which certificate it was. Encoded in the presentation
//! language, bounded to 1 + 255 + 32 bytes:
//!
//! ```text
//! struct {
//!     opaque subject<1..2^8-1>;          /* e.g. "CN=client", UTF-8 */
//!     opaque certificate_sha256[32];     /* SHA-256 of the leaf's DER */
//! } PeerIdentity;
//! ```
//!
//! An empty `peer_identity` means the client was not authenticated.

use crate::codec::{Reader, Writer};
use crate::error::Error;

/// The most bytes of a subject a session keeps; a longer one is cut at a
/// character boundary (the hash still names the certificate exactly).
pub const MAX_SUBJECT_LEN: usize = 255;

/// A client the server authenticated by its certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeerIdentity {
    /// The leaf certificate's subject, e.g. `CN=client`.
    pub subject: String,
    /// SHA-256 of the leaf certificate's DER.
    pub certificate_sha256: [u8; 32],
}

impl PeerIdentity {
    /// An identity for `subject` (cut to [`MAX_SUBJECT_LEN`] bytes) and
    /// the leaf's hash.
    pub fn new(subject: &str, certificate_sha256: [u8; 32]) -> Self {
        let mut end = subject.len().min(MAX_SUBJECT_LEN);
        while !subject.is_char_boundary(end) {
            end -= 1;
        }
        PeerIdentity {
            subject: subject[..end].to_string(),
            certificate_sha256,
        }
    }

    // ANCHOR: peer_identity_encode
    /// `struct { opaque subject<1..2^8-1>; opaque certificate_sha256[32]; }`
    /// (see the module documentation), for `Session.peer_identity`.
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new();
        w.opaque_u8(self.subject.as_bytes());
        w.bytes(&self.certificate_sha256);
        w.into_bytes()
    }
    // ANCHOR_END: peer_identity_encode

    /// Parse what [`PeerIdentity::encode`] wrote: `Ok(None)` for an empty
    /// `peer_identity` (no client authenticated), `decode_error` for
    /// anything malformed.
    pub fn decode(bytes: &[u8]) -> Result<Option<PeerIdentity>, Error> {
        if bytes.is_empty() {
            return Ok(None);
        }
        let mut r = Reader::new(bytes);
        let subject = String::from_utf8(r.opaque_u8("subject", 1..=MAX_SUBJECT_LEN)?.to_vec())
            .map_err(|_| Error::decode("subject"))?;
        let certificate_sha256 = r.array::<32>("certificate_sha256")?;
        r.finish("PeerIdentity")?;
        Ok(Some(PeerIdentity {
            subject,
            certificate_sha256,
        }))
    }

    /// The first 8 bytes of the hash in hex, for a log line.
    pub fn short_hash(&self) -> String {
        hex::encode(&self.certificate_sha256[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_bounded() {
        let id = PeerIdentity::new("CN=client", [7; 32]);
        let bytes = id.encode().unwrap();
        assert_eq!(bytes.len(), 1 + 9 + 32);
        assert_eq!(PeerIdentity::decode(&bytes).unwrap(), Some(id));
        assert_eq!(PeerIdentity::decode(&[]).unwrap(), None);
        let long = PeerIdentity::new(&"é".repeat(300), [1; 32]);
        assert!(long.subject.len() <= MAX_SUBJECT_LEN);
        assert_eq!(long.encode().unwrap().len(), 1 + long.subject.len() + 32);
        assert!(PeerIdentity::decode(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn the_largest_session_with_a_client_fits_a_redis_value() {
        use crate::key_schedule::Secret;
        use crate::resumption::Session;
        use crate::time::UnixTime;
        let identity = PeerIdentity::new(&"x".repeat(1000), [9; 32]);
        let session = Session {
            cipher_suite: crate::messages::TLS_CHACHA20_POLY1305_SHA256,
            psk: Secret::from_bytes([1; 32]),
            created_at: UnixTime(0),
            ticket_lifetime: 7200,
            ticket_age_add: 0,
            server_name: "n".repeat(255),
            peer_identity: identity.encode().unwrap(),
            max_early_data_size: 0,
            alpn_protocol: Vec::new(),
        };
        let encoded = session.encode().unwrap();
        let with_magic = crate::resumption::redis::MAGIC.len() + encoded.len();
        assert!(with_magic <= crate::resumption::redis::MAX_VALUE_LEN);
        assert_eq!(Session::decode(&encoded).unwrap(), session);
    }
}
