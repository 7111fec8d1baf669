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
//! - keys rotate. A ticketer made by [`Ticketer::new`] makes its own keys
//!   and rotates them on a timer: after `rotation_period` a new key seals,
//!   the previous one still opens (so tickets issued just before the
//!   change keep working), and anything older is refused. A ticketer made
//!   by [`Ticketer::from_keys`] holds the keys of a key file shared by a
//!   fleet ([`super::ticket_keys`]): the first seals, every listed key
//!   opens, and only the operator rotates them (`minitls ticket-keys
//!   rotate`, then [`Ticketer::set_keys`] when the server rereads the
//!   file); no timer ever replaces a key that every other server shares.
//!   A tampered ticket, a ticket under a retired or unlisted key and an
//!   expired ticket all mean "full handshake", never an error.
//!
//! Key management (RFC 8446 §8, RFC 5077 §5.5): whoever holds a ticket key
//! can open every ticket it sealed and resume as its client, so keys live
//! only in memory (zeroized on drop) or in a file only the server's user
//! can read, and rotate regularly. [`super::ticket_keys`] gives the
//! schedule, what a stolen key opens, and what shared keys would mean for
//! replayed early data.
//!
//! 0-RTT (RFC 8446 §8): a stateless ticket can be redeemed again, so the
//! ticketer admits early data only through its [`StrikeRegister`]: a fresh
//! ClientHello whose binder it has not seen. That register is this
//! server's own: a fleet sharing the ticket keys accepts a replayed 0-RTT
//! flight once on each server.

use super::strike_register::StrikeRegister;
use super::ticket_keys::TicketKeys;
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
    /// Read by every look-up and every issue, written only when the keys
    /// change (a timed rotation, or a reloaded key file).
    keys: RwLock<Keys>,
    /// How long a key seals before the next one takes over, in seconds;
    /// 0 for a ticketer made by [`Ticketer::from_keys`], which never
    /// rotates by time.
    pub rotation_period: u64,
    /// Where the keys come from, hence who rotates them.
    source: KeySource,
    /// Which 0-RTT ClientHellos were accepted lately (RFC 8446 §8.2).
    strike_register: StrikeRegister,
}

/// Who makes and rotates the keys.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeySource {
    /// [`Ticketer::new`]: this server, on a timer; a key opens for two
    /// periods from its start.
    Timed,
    /// [`Ticketer::from_keys`]: a key file the operator rotates; a listed
    /// key opens whatever its age, an unlisted one never.
    File,
}

/// The keys, newest first: the first seals, every one may open. A timed
/// ticketer keeps two (the current key and the one before it).
#[derive(Default)]
struct Keys {
    list: Vec<TicketKey>,
}

impl Ticketer {
    /// Keys of our own, drawn from the connection's RNG on first use and
    /// replaced every `rotation_period` seconds.
    pub fn new(rotation_period: u64) -> Self {
        Ticketer {
            keys: RwLock::new(Keys::default()),
            rotation_period: rotation_period.max(1),
            source: KeySource::Timed,
            strike_register: StrikeRegister::default(),
        }
    }

    /// The keys of a shared key file: seal with the newest, open with any
    /// listed. No timed rotation: the keys change only by
    /// [`Ticketer::set_keys`].
    pub fn from_keys(keys: &TicketKeys) -> Ticketer {
        Ticketer {
            keys: RwLock::new(Keys::from_file(keys)),
            rotation_period: 0,
            source: KeySource::File,
            strike_register: StrikeRegister::default(),
        }
    }

    /// The same ticketer with `register` as its 0-RTT anti-replay (a
    /// window, a capacity, a start-up time of the operator's choosing).
    pub fn with_strike_register(mut self, register: StrikeRegister) -> Ticketer {
        self.strike_register = register;
        self
    }

    /// Replace the keys with a reloaded key file's. A handshake in flight
    /// holds the session it looked up, not a key, so it is unaffected;
    /// a ticket under a key no longer listed is refused from now on
    /// ([`Rejection::UnknownKey`]: a full handshake).
    pub fn set_keys(&self, keys: &TicketKeys) {
        *self.keys_mut() = Keys::from_file(keys);
    }

    /// Move to a new key now. A timed ticketer keeps the previous one
    /// opening; a key-file ticketer keeps all it had (and the new key is
    /// this server's alone until the file is reloaded).
    pub fn rotate(&self, rng: &mut dyn Rng, now: UnixTime) {
        self.keys_mut().rotate(rng, now, self.source);
    }

    /// Forget every key: all outstanding tickets stop working (what a
    /// restarted server without persisted keys looks like).
    pub fn forget_keys(&self) {
        *self.keys_mut() = Keys::default();
    }

    fn period_ms(&self) -> u64 {
        self.rotation_period.saturating_mul(1000)
    }

    /// A poisoned lock is taken over: the keys are replaced whole, so a
    /// panic elsewhere cannot leave them half-written.
    fn keys(&self) -> RwLockReadGuard<'_, Keys> {
        self.keys.read().unwrap_or_else(|p| p.into_inner())
    }

    fn keys_mut(&self) -> RwLockWriteGuard<'_, Keys> {
        self.keys.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `key` may still open tickets at `now`: a key of our own
    /// opens for one more period after it stopped sealing, two periods from
    /// its start; a listed key of a key file opens until it is unlisted.
    fn opens_at(&self, key: &TicketKey, now: UnixTime) -> bool {
        match self.source {
            KeySource::Timed => {
                now.0.saturating_sub(key.created_at.0) < self.period_ms().saturating_mul(2)
            }
            KeySource::File => true,
        }
    }

    /// For a timed ticketer: a new key if none yet or the current one has
    /// sealed for a whole period. Checked under the read lock first, so
    /// that issuing takes the write lock only when a key really changes.
    fn rotate_if_due(&self, rng: &mut dyn Rng, now: UnixTime) {
        let due = |keys: &Keys| {
            keys.list
                .first()
                .is_none_or(|k| now.0.saturating_sub(k.created_at.0) >= self.period_ms())
        };
        if due(&self.keys()) {
            let mut keys = self.keys_mut();
            // Another handshake may have rotated while we waited.
            if due(&keys) {
                keys.rotate(rng, now, self.source);
            }
        }
    }
}

impl Keys {
    fn from_file(keys: &TicketKeys) -> Keys {
        let list = keys
            .entries()
            .iter()
            .map(|k| TicketKey {
                id: k.id,
                aead: Aead::new(k.secret),
                created_at: UnixTime(k.created_secs.unwrap_or(0).saturating_mul(1000)),
            })
            .collect();
        Keys { list }
    }

    fn rotate(&mut self, rng: &mut dyn Rng, now: UnixTime, source: KeySource) {
        let fresh = TicketKey::generate(rng, now);
        // Ids must stay unique: a ticket finds its key by id.
        self.list.retain(|k| k.id != fresh.id);
        self.list.insert(0, fresh);
        let keep = match source {
            KeySource::Timed => 2,
            KeySource::File => super::ticket_keys::MAX_KEYS,
        };
        self.list.truncate(keep);
    }
}

// ANCHOR: ticketer_issue
impl ResumptionStrategy for Ticketer {
    fn name(&self) -> &'static str {
        "stateless"
    }

    fn issue(&self, session: &Session, rng: &mut dyn Rng, now: UnixTime) -> Option<Vec<u8>> {
        // Only keys of our own rotate by time; a key file's rotate when
        // the operator rotates the file.
        if self.source == KeySource::Timed {
            self.rotate_if_due(rng, now);
        }
        let keys = self.keys();
        // The newest key seals.
        let key = keys.list.first()?;
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
    // ANCHOR_END: ticketer_issue

    // ANCHOR: ticketer_look_up
    fn look_up(&self, identity: &[u8], now: UnixTime) -> Result<Session, Rejection> {
        if identity.len() < KEY_ID_LEN + NONCE_LEN + AEAD_TAG_LEN {
            return Err(Rejection::Undecryptable);
        }
        let (key_id, rest) = identity.split_at(KEY_ID_LEN);
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let keys = self.keys();
        // Any listed key opens, if it still may.
        let key = keys
            .list
            .iter()
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

    /// RFC 8446 §8.2, §8.3: since `take` used nothing up, 0-RTT only for a
    /// fresh ClientHello whose binder the strike register has not seen.
    fn admit_early_data(&self, binder: &[u8], age_skew_ms: u64, now: UnixTime) -> bool {
        self.strike_register.admit(binder, age_skew_ms, now).is_ok()
    }

    /// Nothing per session: only the keys.
    fn bytes_held(&self) -> usize {
        0
    }
}
// ANCHOR_END: ticketer_look_up

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
            max_early_data_size: 0,
            alpn_protocol: Vec::new(),
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
    fn a_key_file_seals_with_the_newest_and_opens_with_every_listed_key() {
        let mut rng = SeededRng::new(4);
        let old_keys = TicketKeys::generate(&mut rng, UnixTime(0));
        let keys = old_keys.rotated(&mut rng, UnixTime(0), 3);
        let [newest, older] = keys.key_ids()[..] else {
            panic!("two keys expected: {keys:?}")
        };
        let old_ticket = Ticketer::from_keys(&old_keys)
            .issue(&session(), &mut rng, UnixTime(0))
            .unwrap();
        assert_eq!(old_ticket[..4], older);

        let t = Ticketer::from_keys(&keys);
        let ticket = t.issue(&session(), &mut rng, UnixTime(0)).unwrap();
        assert_eq!(ticket[..4], newest);
        assert!(t.look_up(&ticket, UnixTime(1)).is_ok());
        assert!(t.look_up(&old_ticket, UnixTime(1)).is_ok());
    }

    #[test]
    fn a_key_file_ticketer_never_rotates_by_time() {
        let mut rng = SeededRng::new(5);
        let keys = TicketKeys::generate(&mut rng, UnixTime(0));
        let t = Ticketer::from_keys(&keys);
        // A week of issuing later, still the file's key, still opening.
        let first = t.issue(&session(), &mut rng, UnixTime(0)).unwrap();
        let later = t
            .issue(&session(), &mut rng, UnixTime(604_800_000))
            .unwrap();
        assert_eq!(first[..4], keys.key_ids()[0]);
        assert_eq!(later[..4], keys.key_ids()[0]);
        assert!(t.look_up(&first, UnixTime(1_000)).is_ok());
    }

    #[test]
    fn set_keys_without_the_sealing_key_refuses_its_tickets() {
        let mut rng = SeededRng::new(6);
        let keys = TicketKeys::generate(&mut rng, UnixTime(0));
        let t = Ticketer::from_keys(&keys);
        let ticket = t.issue(&session(), &mut rng, UnixTime(0)).unwrap();

        // Rotated but the sealing key still listed: it still opens.
        let rotated = keys.rotated(&mut rng, UnixTime(0), 2);
        t.set_keys(&rotated);
        assert!(t.look_up(&ticket, UnixTime(1)).is_ok());
        let fresh = t.issue(&session(), &mut rng, UnixTime(1)).unwrap();
        assert_eq!(fresh[..4], rotated.key_ids()[0]);

        // Rotated out: a full handshake, not an error.
        t.set_keys(&rotated.rotated(&mut rng, UnixTime(0), 1));
        assert_eq!(t.look_up(&ticket, UnixTime(1)), Err(Rejection::UnknownKey));
        assert_eq!(t.look_up(&fresh, UnixTime(1)), Err(Rejection::UnknownKey));
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
