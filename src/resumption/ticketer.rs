//! Stateless resumption: the ticket is the session, sealed with a key only
//! the server knows ("session ticket" resumption).
//!
//! A ticket's layout:
//!
//! ```text
//! struct {
//!     opaque key_id[4];          /* which ticket key sealed it */
//!     opaque nonce[12];          /* random, never reused with that key */
//!     opaque sealed_session<..>; /* ChaCha20-Poly1305(Session) || tag[16] */
//! } Ticket;
//! ```
//!
//! The rules of this file:
//! - the key never leaves the server; the client cannot read or alter the
//!   session inside (RFC 8446 §4.6.1: the ticket is opaque to it);
//! - `key_id` is authenticated as additional data, so a ticket cannot be
//!   moved to another key's slot;
//! - the nonce is random, not a counter: a counter would have to survive
//!   restarts and be shared by every server holding the key, and a repeated
//!   (key, nonce) pair would break ChaCha20-Poly1305 completely. 96 random
//!   bits make a repeat negligible for far more tickets than a key seals
//!   in its period;
//! - keys rotate: after `rotation_period` a new key seals, the previous one
//!   still opens (so tickets issued just before the change keep working),
//!   and anything older is refused. A tampered ticket, a ticket under a
//!   retired key and an expired ticket all mean "full handshake", never an
//!   error.

use super::{Rejection, ResumptionStrategy, Session};
use crate::crypto::{self, AEAD_TAG_LEN, Aead, Rng};
use crate::time::UnixTime;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

const KEY_ID_LEN: usize = 4;
const NONCE_LEN: usize = 12;

/// One ticket key and when it started sealing.
struct TicketKey {
    id: [u8; KEY_ID_LEN],
    aead: Aead,
    created_at: UnixTime,
}

impl TicketKey {
    fn generate(rng: &mut dyn Rng, now: UnixTime) -> Self {
        TicketKey {
            id: crypto::random_array(rng),
            aead: Aead::new(crypto::random_array(rng)),
            created_at: now,
        }
    }
}

/// The stateless strategy: seal and open sessions with rotating keys.
pub struct Ticketer {
    /// Read by every look-up, written only when a key is due to change.
    keys: RwLock<Keys>,
    /// How long a key seals before the next one takes over, in seconds.
    pub rotation_period: u64,
}

/// The key that seals and the one before it, which still opens.
#[derive(Default)]
struct Keys {
    current: Option<TicketKey>,
    previous: Option<TicketKey>,
}

impl Ticketer {
    /// Keys are drawn from the connection's RNG on first use.
    pub fn new(rotation_period: u64) -> Self {
        Ticketer {
            keys: RwLock::new(Keys::default()),
            rotation_period: rotation_period.max(1),
        }
    }

    /// Move to a new key now (the previous one keeps opening).
    pub fn rotate(&self, rng: &mut dyn Rng, now: UnixTime) {
        self.keys_mut().rotate(rng, now);
    }

    /// Forget every key: all outstanding tickets stop working (what a
    /// restarted server without persisted keys looks like).
    pub fn forget_keys(&self) {
        *self.keys_mut() = Keys::default();
    }

    fn period_ms(&self) -> u64 {
        self.rotation_period * 1000
    }

    /// A poisoned lock is taken over: the keys are replaced whole, so a
    /// panic elsewhere cannot leave them half-written.
    fn keys(&self) -> RwLockReadGuard<'_, Keys> {
        self.keys.read().unwrap_or_else(|p| p.into_inner())
    }

    fn keys_mut(&self) -> RwLockWriteGuard<'_, Keys> {
        self.keys.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `key` may still open tickets at `now`: a key opens for one
    /// more period after it stopped sealing, two periods from its start.
    fn opens_at(&self, key: &TicketKey, now: UnixTime) -> bool {
        now.0.saturating_sub(key.created_at.0) < 2 * self.period_ms()
    }
}

impl Keys {
    fn rotate(&mut self, rng: &mut dyn Rng, now: UnixTime) {
        self.previous = self.current.take();
        self.current = Some(TicketKey::generate(rng, now));
    }
}

// ANCHOR: ticketer_seal_open
impl ResumptionStrategy for Ticketer {
    fn name(&self) -> &'static str {
        "stateless"
    }

    fn issue(&self, session: &Session, rng: &mut dyn Rng, now: UnixTime) -> Option<Vec<u8>> {
        let mut keys = self.keys_mut();
        let due = keys
            .current
            .as_ref()
            .is_none_or(|k| now.0.saturating_sub(k.created_at.0) >= self.period_ms());
        if due {
            keys.rotate(rng, now);
        }
        let key = keys.current.as_ref()?;
        let nonce: [u8; NONCE_LEN] = crypto::random_array(rng);
        // A session that does not encode gets no ticket (never a panic).
        let mut sealed = session.encode().ok()?;
        key.aead.seal(&nonce, &key.id, &mut sealed);

        let mut ticket = Vec::with_capacity(KEY_ID_LEN + NONCE_LEN + sealed.len());
        ticket.extend_from_slice(&key.id);
        ticket.extend_from_slice(&nonce);
        ticket.extend_from_slice(&sealed);
        Some(ticket)
    }

    fn look_up(&self, identity: &[u8], now: UnixTime) -> Result<Session, Rejection> {
        if identity.len() < KEY_ID_LEN + NONCE_LEN + AEAD_TAG_LEN {
            return Err(Rejection::Undecryptable);
        }
        let (key_id, rest) = identity.split_at(KEY_ID_LEN);
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let keys = self.keys();
        let key = [keys.current.as_ref(), keys.previous.as_ref()]
            .into_iter()
            .flatten()
            .find(|k| k.id == key_id && self.opens_at(k, now))
            .ok_or(Rejection::UnknownKey)?;
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| Rejection::Undecryptable)?;
        let mut plaintext = sealed.to_vec();
        key.aead
            .open(&nonce, key_id, &mut plaintext)
            .map_err(|_| Rejection::Undecryptable)?;
        let session = Session::decode(&plaintext).map_err(|_| Rejection::Undecryptable)?;
        if session.is_expired(now) {
            return Err(Rejection::Expired);
        }
        Ok(session)
    }

    /// A ticket is not used up: within its lifetime and the age window it
    /// may be presented again (RFC 8446 §8: replay is the cost of keeping
    /// no state).
    fn take(&self, _identity: &[u8]) -> Result<(), Rejection> {
        Ok(())
    }

    /// Nothing per session: only the two keys.
    fn bytes_held(&self) -> usize {
        0
    }
}
// ANCHOR_END: ticketer_seal_open

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key_schedule::Secret;
    use crate::testing::SeededRng;

    fn session() -> Session {
        Session {
            cipher_suite: 0x1303,
            psk: Secret::from_bytes([3; 32]),
            created_at: UnixTime(0),
            ticket_lifetime: 3600,
            ticket_age_add: 9,
            server_name: "localhost".into(),
            peer_identity: Vec::new(),
        }
    }

    #[test]
    fn seal_open_and_tamper() {
        let t = Ticketer::new(600);
        let mut rng = SeededRng::new(1);
        let ticket = t.issue(&session(), &mut rng, UnixTime(0)).unwrap();
        assert_eq!(t.look_up(&ticket, UnixTime(1)).unwrap(), session());
        // Stateless: looking a ticket up consumes nothing.
        assert!(t.look_up(&ticket, UnixTime(1)).is_ok());
        let mut bad = ticket.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(t.look_up(&bad, UnixTime(1)), Err(Rejection::Undecryptable));
        bad = ticket.clone();
        bad[0] ^= 1;
        assert_eq!(t.look_up(&bad, UnixTime(1)), Err(Rejection::UnknownKey));
    }

    #[test]
    fn previous_key_opens_retired_key_does_not() {
        let t = Ticketer::new(10);
        let mut rng = SeededRng::new(2);
        let old = t.issue(&session(), &mut rng, UnixTime(0)).unwrap();
        // A new key after one period; the old ticket still opens.
        let new = t.issue(&session(), &mut rng, UnixTime(10_000)).unwrap();
        assert_ne!(old[..4], new[..4]);
        assert!(t.look_up(&old, UnixTime(10_000)).is_ok());
        // After another rotation the first key is retired.
        t.issue(&session(), &mut rng, UnixTime(20_000)).unwrap();
        assert_eq!(
            t.look_up(&old, UnixTime(20_000)),
            Err(Rejection::UnknownKey)
        );
        assert!(t.look_up(&new, UnixTime(20_000)).is_ok());
    }

    #[test]
    fn a_forgetful_server_rejects_old_tickets() {
        let t = Ticketer::new(600);
        let mut rng = SeededRng::new(3);
        let ticket = t.issue(&session(), &mut rng, UnixTime(0)).unwrap();
        t.forget_keys();
        assert_eq!(t.look_up(&ticket, UnixTime(0)), Err(Rejection::UnknownKey));
    }
}
