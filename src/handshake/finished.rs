//! Finished (RFC 8446 §4.4.4): building ours, checking the peer's, and
//! the proof that the peer's was checked.
//!
//! ```text
//! finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)
//! verify_data  = HMAC(finished_key, Transcript-Hash(Handshake Context,
//!                                                   Certificate*, CertificateVerify*))
//! ```
//!
//! The peer's Finished is the last word of its flight: only once it
//! verifies is the handshake authenticated and unaltered. `verify_finished`
//! is the one place that can say so, by returning a `FinishedVerified`;
//! nothing else in the crate can build one, and the values that must wait
//! for it are kept in an `AwaitingFinished` that only such a proof opens.

use crate::crypto;
use crate::error::Error;
use crate::key_schedule::{TrafficSecret, finished_verify_data};
use crate::messages::Finished;
use crate::transcript::TranscriptHash;

// ANCHOR: finished_proof
/// Proof that the peer's Finished verified. Its field is private to this
/// module, so [`verify_finished`] is the only way to get one.
pub(crate) struct FinishedVerified(());

/// A value that may be used only once the peer's Finished has verified.
///
/// The server derives the client's application traffic secret and the
/// master secret before the client's Finished arrives (its own Finished
/// needs the same transcript), but must not read application data or
/// issue tickets until that Finished checks out: it keeps them in here.
pub(crate) struct AwaitingFinished<T>(T);

impl<T> AwaitingFinished<T> {
    /// Hold `value` until the peer's Finished verifies.
    pub(crate) fn new(value: T) -> Self {
        AwaitingFinished(value)
    }

    /// The value, in exchange for the proof.
    pub(crate) fn release(self, _proof: &FinishedVerified) -> T {
        self.0
    }
}

/// Our Finished under `base_key` (our handshake traffic secret) over the
/// transcript so far.
pub(crate) fn finished_for(base_key: &TrafficSecret, th: &TranscriptHash) -> Finished {
    Finished {
        verify_data: finished_verify_data(base_key, th),
    }
}

/// Check the peer's Finished under `base_key` (the peer's handshake
/// traffic secret) over the transcript before it.
pub(crate) fn verify_finished(
    base_key: &TrafficSecret,
    th: &TranscriptHash,
    received: &Finished,
) -> Result<FinishedVerified, Error> {
    let expected = finished_verify_data(base_key, th);
    // RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify that
    // the contents are correct and if incorrect MUST terminate the
    // connection with a "decrypt_error" alert." Compared in constant
    // time, so the comparison leaks nothing of the expected MAC.
    if !crypto::constant_time_eq(&expected, &received.verify_data) {
        return Err(Error::BadFinished);
    }
    Ok(FinishedVerified(()))
}
// ANCHOR_END: finished_proof
