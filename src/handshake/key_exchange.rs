//! X25519, as the handshake uses it (RFC 8446 §4.2.8, §7.4.2).
//!
//! Each side makes a fresh key pair per handshake, sends its public half
//! in `key_share`, and combines its private half with the peer's public
//! half. The two checks on the peer's half are the RFC's: the
//! `key_exchange` of an X25519 share is exactly 32 bytes (§4.2.8.2), and a
//! shared secret of all zeros means the peer sent a low-order point, which
//! the receiver MUST refuse (§7.4.2).

use crate::crypto::{SharedSecret, X25519KeyPair};
use crate::error::{Error, IllegalParameter};
use crate::trace::Operation;

use super::context::Context;

/// A fresh X25519 key pair from the configuration's RNG, counted as one
/// key generation.
pub(crate) fn generate_share(cx: &mut Context) -> X25519KeyPair {
    cx.operation(Operation::X25519KeyGen);
    cx.with_rng(X25519KeyPair::generate)
}

/// The peer's `key_exchange` as an X25519 public key: 32 bytes
/// (RFC 8446 §4.2.8.2), else illegal_parameter.
pub(crate) fn x25519_public(key_exchange: &[u8]) -> Result<[u8; 32], Error> {
    key_exchange
        .try_into()
        .map_err(|_| Error::IllegalParameter(IllegalParameter::X25519KeyExchangeLength))
}

/// Our private half with the peer's public half (ECDHE, RFC 8446 §7.4.2),
/// counted as one shared-secret computation. The key pair is used up.
pub(crate) fn agree(
    key_pair: X25519KeyPair,
    peer_key_exchange: &[u8],
    cx: &mut Context,
) -> Result<SharedSecret, Error> {
    let peer_public = x25519_public(peer_key_exchange)?;
    // RFC 8446 §7.4.2: "[implementations] MUST check whether the computed
    // Diffie-Hellman shared secret is the all-zero value and abort if so".
    let shared = key_pair.agree(&peer_public).ok_or(Error::IllegalParameter(
        IllegalParameter::X25519SharedSecretZero,
    ))?;
    cx.operation(Operation::X25519SharedSecret);
    Ok(shared)
}
