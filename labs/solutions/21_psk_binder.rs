//! Exercise 21, reference solution: the PSK binder (RFC 8446 §4.2.11.2,
//! §7.1). minitls's own version is `minitls::key_schedule::psk_binder`,
//! fed by the client's `Transcript`; this one spells out each step.

use minitls::crypto::{hkdf_extract, hmac_sha256, sha256};
use minitls::key_schedule::hkdf_expand_label;

/// The binders list of a ClientHello offering one PSK: a 2-byte list
/// length, a 1-byte binder length and the 32-byte binder.
const BINDERS_LEN: usize = 2 + 1 + 32;

/// The binder for `psk` over `client_hello`, a ClientHello offering one
/// PSK whose binders list (35 bytes) ends the message.
pub fn psk_binder(psk: &[u8; 32], client_hello: &[u8]) -> [u8; 32] {
    // Truncate(): everything up to the binders list. The lengths in the
    // header and in pre_shared_key still count the binders (RFC 8446
    // §4.2.11.2), so the client can compute this before the binder exists.
    let truncated = &client_hello[..client_hello.len() - BINDERS_LEN];

    // The early secret of this PSK: the key schedule of the handshake the
    // client hopes for starts here (RFC 8446 §7.1).
    let early_secret = hkdf_extract(&[0u8; 32], psk);
    // "res binder" marks a resumption PSK ("ext binder" would be an
    // external one), so one PSK cannot be passed off as the other.
    let mut binder_key = [0u8; 32];
    hkdf_expand_label(&early_secret, "res binder", &sha256(b""), &mut binder_key);

    // Then exactly as a Finished (RFC 8446 §4.4.4).
    let mut finished_key = [0u8; 32];
    hkdf_expand_label(&binder_key, "finished", b"", &mut finished_key);
    hmac_sha256(&finished_key, &sha256(truncated))
}
