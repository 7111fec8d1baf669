//! Pre-shared keys in the handshake: the binder that ties a PSK offer to
//! its ClientHello (RFC 8446 §4.2.11.2) and the key exchange modes
//! (§4.2.9). The client computes the binder, the server checks it, over
//! the same bytes.
//!
//! ```text
//! binder_key = Derive-Secret(Early Secret(PSK), "res binder", "")
//! binder     = HMAC(finished_key(binder_key),
//!                   Transcript-Hash(Truncate(ClientHello)))
//! ```
//!
//! `Truncate` cuts the ClientHello just before the binders list; the
//! lengths in what remains already count binders of their final size.

use crate::crypto::{self, HASH_LEN};
use crate::error::Error;
use crate::key_schedule::{EarlySecret, Secret, psk_binder};
use crate::messages::extensions::OfferedPsks;
use crate::messages::{PSK_DHE_KE, PSK_KE};
use crate::transcript::TranscriptHash;

/// The RFC name of a PSK key exchange mode (RFC 8446 §4.2.9).
pub fn psk_mode_name(mode: u8) -> &'static str {
    match mode {
        PSK_KE => "psk_ke",
        PSK_DHE_KE => "psk_dhe_ke",
        _ => "unknown psk mode",
    }
}

/// The length of the binders list, its 2-byte length included: what the
/// truncated ClientHello leaves out (RFC 8446 §4.2.11.2).
pub fn binders_len(offer: &OfferedPsks) -> usize {
    2 + offer.binders.iter().map(|b| 1 + b.len()).sum::<usize>()
}

// ANCHOR: binder_over_hello
/// Where `Truncate` cuts the ClientHello `hello` (encoded, with binders of
/// the right length in place): just before its binders list (RFC 8446
/// §4.2.11.2). Both sides add the part before the cut to the running
/// transcript, take the hash there for the binder, then add the rest: one
/// pass over the bytes gives the binder's hash and the transcript's.
pub(crate) fn truncation_point(hello: &[u8], offer: &OfferedPsks) -> usize {
    // pre_shared_key is the last extension (checked when it was read, or
    // written so), so its binders list is the message's tail. Saturating
    // only so that no length could ever panic here.
    hello.len().saturating_sub(binders_len(offer))
}

/// The binder for `psk` over `Transcript-Hash(Truncate(ClientHello))`:
/// the transcript before the hello (empty, or ClientHello1's message_hash
/// and the HelloRetryRequest) and the hello up to its binders list.
pub(crate) fn binder(psk: &Secret, truncated_hello_hash: &TranscriptHash) -> [u8; HASH_LEN] {
    let binder_key = EarlySecret::new(Some(psk.as_bytes())).resumption_binder_key();
    psk_binder(&binder_key, truncated_hello_hash)
}
// ANCHOR_END: binder_over_hello

/// Check the client's binder at `index` for `psk` (RFC 8446 §4.2.11: "If
/// this value does not validate, the server MUST abort the handshake",
/// with decrypt_error). Compared in constant time.
pub(crate) fn verify_binder(
    psk: &Secret,
    truncated_hello_hash: &TranscriptHash,
    offer: &OfferedPsks,
    index: usize,
) -> Result<(), Error> {
    let expected = binder(psk, truncated_hello_hash);
    match offer.binders.get(index) {
        Some(received) if crypto::constant_time_eq(&expected, received) => Ok(()),
        _ => Err(Error::BadBinder),
    }
}
