//! Finished (RFC 8446 §4.4.4): a MAC over the whole handshake so far, which
//! proves that both sides saw the same messages and hold the same keys.
//!
//! ```text
//! struct {
//!     opaque verify_data[Hash.length];
//! } Finished;
//! ```
//!
//! The value is computed in `key_schedule::finished_verify_data`; the
//! comparison happens in the state machines, in constant time.

use crate::codec::{Reader, Writer};
use crate::crypto::HASH_LEN;
use crate::error::Error;

// ANCHOR: primer_finished
/// `struct { ... } Finished;` (RFC 8446 §4.4.4): the last message of each
/// side's flight, a MAC keyed from its handshake traffic secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    /// `opaque verify_data[Hash.length];` 32 bytes for SHA-256.
    pub verify_data: [u8; HASH_LEN],
}

impl Finished {
    /// Encode the body (no handshake header): the verify_data alone.
    pub fn encode(&self, w: &mut Writer) {
        w.bytes(&self.verify_data);
    }

    /// Decode the body (no handshake header): exactly Hash.length bytes
    /// (RFC 8446 §4.4.4); whether they are right is checked by the receiver.
    pub fn read(r: &mut Reader) -> Result<Finished, Error> {
        Ok(Finished {
            verify_data: r.array::<HASH_LEN>("verify_data")?,
        })
    }
}
// ANCHOR_END: primer_finished
