//! Exercise 24, reference solution: a ring of ticket keys, newest first:
//! the first seals, every listed key opens (RFC 8446 §4.6.1, §8). minitls's
//! own version is the `ResumptionStrategy` impl of
//! `minitls::resumption::ticketer::Ticketer`.

use minitls::crypto::{AEAD_TAG_LEN, Aead};

/// One ticket key of the ring, as a key file lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketKey {
    /// The 4 bytes a ticket sealed with this key starts with.
    pub id: [u8; 4],
    /// The ChaCha20-Poly1305 key.
    pub secret: [u8; 32],
}

const KEY_ID_LEN: usize = 4;
const NONCE_LEN: usize = 12;

/// The ticket for `session` (encoded session bytes) under the newest key,
/// with `nonce`.
///
/// # Panics
///
/// If `keys` is empty: a server with no key can seal nothing.
pub fn seal(keys: &[TicketKey], session: &[u8], nonce: [u8; 12]) -> Vec<u8> {
    let newest = &keys[0];
    let mut sealed = session.to_vec();
    // The key id is additional data: moved to another key's slot, the
    // ticket no longer verifies.
    Aead::new(newest.secret).seal(&nonce, &newest.id, &mut sealed);
    [newest.id.as_slice(), &nonce, &sealed].concat()
}

/// The session bytes inside `ticket`, if one of `keys` sealed it.
pub fn open(keys: &[TicketKey], ticket: &[u8]) -> Option<Vec<u8>> {
    if ticket.len() < KEY_ID_LEN + NONCE_LEN + AEAD_TAG_LEN {
        return None;
    }
    let (key_id, rest) = ticket.split_at(KEY_ID_LEN);
    let (nonce, sealed) = rest.split_at(NONCE_LEN);
    // Any listed key opens: tickets sealed before the last rotation keep
    // working until their key is dropped from the ring.
    let key = keys.iter().find(|key| key.id == key_id)?;
    let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
    let mut session = sealed.to_vec();
    Aead::new(key.secret)
        .open(&nonce, key_id, &mut session)
        .ok()?;
    Some(session)
}
