//! Stateful resumption: the ticket is a random ID, the server keeps the
//! session ("session ID" resumption, carried in TLS 1.3's ticket).
//!
//! The rules of this file:
//! - an ID is 32 bytes from the injected RNG, so it cannot be guessed; it
//!   carries no information about the session at all;
//! - the default [`InMemoryStore`] is bounded twice, in sessions and in
//!   bytes (the oldest entry is evicted when either is full), forgets
//!   expired sessions, and hands each session out once. Every operation is
//!   O(1) amortised: a server's store is filled by its clients, so no
//!   insert may cost time that grows with the store;
//! - a session is taken in three steps (RFC 8446 §4.2.11): *look up* the
//!   identity, let the handshake *verify the binder*, and only then *take*
//!   the session out. A forged binder on an identity copied off the wire
//!   must not burn a genuine client's ticket, and when two handshakes race
//!   for one ticket, only the one whose take really removed it resumes
//!   (single use is what RFC 8446 §8.1 recommends against replay);
//! - any other backend (a shared cache for a fleet of servers) plugs in
//!   through [`SessionStore`], with the same look-up / take split.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::{Mutex, MutexGuard};

use zeroize::Zeroizing;

use super::{Rejection, ResumptionStrategy, Session};
use crate::codec::{Reader, Writer};
use crate::crypto::{self, Rng};
use crate::error::Error;
use crate::time::UnixTime;

/// Length of a session ID (RFC 8446 leaves it to us; at least 16 bytes is
/// what makes it unguessable).
pub const SESSION_ID_LEN: usize = 32;

/// The byte budget [`InMemoryStore::new`] gives each session it may hold:
/// room for a 32-byte ID and a session with the longest server name (253
/// bytes) with space to spare.
pub const BYTES_PER_SESSION: usize = 512;

// ANCHOR: session_store
/// Where a stateful server keeps its sessions.
///
/// Every method takes `&self`: a store is shared by every connection of a
/// server (and a networked one by every server of a fleet), so each store
/// guards its own state, and one that talks to the network holds no lock
/// while it waits.
pub trait SessionStore: Send + Sync {
    /// Keep `session` under `id` (evicting the oldest if full); false when
    /// it could not be kept (the server then issues no ticket).
    fn insert(&self, id: &[u8], session: &Session, now: UnixTime) -> bool;
    /// Look the session up without removing it: the binder has not been
    /// checked yet.
    fn get(&self, id: &[u8], now: UnixTime) -> Result<Session, Rejection>;
    /// Remove the session; `Ok` only for the call that really removed it
    /// (a shared store: the server whose delete succeeded).
    fn remove(&self, id: &[u8]) -> Result<(), Rejection>;
    /// How many sessions are held.
    fn len(&self) -> usize;
    /// Whether no session is held.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Bytes this server holds for its sessions: IDs plus encoded sessions
    /// (0 for a store kept elsewhere).
    fn bytes_held(&self) -> usize;
}
// ANCHOR_END: session_store

/// A bounded, expiring, in-memory store.
///
/// What it costs per session is most of what a stateful server pays
/// (stateless tickets cost the server nothing), so each session is kept in
/// as few bytes as plainly possible: one heap block holding its ID and the
/// session as [`Session::encode`] writes it (the bytes a stateless ticket
/// would seal), wiped when dropped since it holds the PSK. The table is
/// keyed by a 64-bit tag of the ID, not the ID itself, so that the table
/// and the eviction queue hold 8 bytes per session instead of a 24-byte
/// `Vec` and its 32-byte copy. About 145 bytes a session in all, plus
/// the server name (`cargo bench --bench memory`).
///
/// One mutex guards the table; it is held only for the table operation
/// itself, never while anything waits.
pub struct InMemoryStore {
    table: Mutex<Table>,
}

/// The table behind [`InMemoryStore`]'s mutex.
struct Table {
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
    /// Keyed SipHash of the ID (the key is random per store, so no one can
    /// choose IDs whose tags collide); two IDs meet on one tag with
    /// chance 2^-64, and the later one then replaces the earlier.
    tags: std::collections::hash_map::RandomState,
    sessions: HashMap<u64, Entry>,
    /// Tags in insertion order, oldest first, for eviction and expiry. A
    /// taken session's tag stays here until it reaches the front (or the
    /// queue is compacted), so a take is O(1).
    order: VecDeque<u64>,
}

/// One stored session, encoded (RFC 8446 presentation language):
///
/// ```text
/// struct {
///     opaque id<0..2^16-1>;
///     Session session;        /* as Session::encode writes it */
/// } Entry;
/// ```
struct Entry(Zeroizing<Box<[u8]>>);

impl Entry {
    fn new(id: &[u8], session: &[u8]) -> Result<Entry, Error> {
        let mut w = Writer::new();
        w.opaque_u16(id);
        w.bytes(session);
        let bytes = Zeroizing::new(w.into_bytes()?);
        Ok(Entry(Zeroizing::new(bytes.as_slice().into())))
    }

    /// The ID, and the session stored under it.
    fn read(&self) -> Option<(&[u8], Session)> {
        let mut r = Reader::new(&self.0);
        let id = r.opaque_u16("id", 0..=(1 << 16) - 1).ok()?;
        let session = Session::decode(r.rest("session").ok()?).ok()?;
        Some((id, session))
    }

    /// Whether this entry is stored under `id` (and not merely under the
    /// same tag).
    fn is_for(&self, id: &[u8]) -> bool {
        Reader::new(&self.0)
            .opaque_u16("id", 0..=(1 << 16) - 1)
            .is_ok_and(|stored| stored == id)
    }

    /// ID length plus encoded session length, counted against `max_bytes`.
    fn cost(&self) -> usize {
        self.0.len() - 2
    }
}

impl InMemoryStore {
    /// A store of at most `capacity` sessions and `capacity` ×
    /// [`BYTES_PER_SESSION`] bytes.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        InMemoryStore::with_limits(capacity, capacity.saturating_mul(BYTES_PER_SESSION))
    }

    /// A store of at most `capacity` sessions and `max_bytes` bytes of IDs
    /// and encoded sessions.
    pub fn with_limits(capacity: usize, max_bytes: usize) -> Self {
        InMemoryStore {
            table: Mutex::new(Table {
                capacity: capacity.max(1),
                max_bytes,
                bytes: 0,
                tags: Default::default(),
                sessions: HashMap::new(),
                order: VecDeque::new(),
            }),
        }
    }

    /// The table; a panic elsewhere while it was held cannot leave it
    /// inconsistent in a way that matters (at worst a session is lost), so
    /// a poisoned lock is simply taken over.
    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Table {
    fn tag(&self, id: &[u8]) -> u64 {
        self.tags.hash_one(id)
    }

    /// Drop the session under `tag`, if any.
    fn remove_tag(&mut self, tag: u64) -> bool {
        match self.sessions.remove(&tag) {
            Some(entry) => {
                self.bytes -= entry.cost();
                true
            }
            None => false,
        }
    }

    /// Drop the oldest session (or stale queue entry); false when empty.
    fn evict_oldest(&mut self) -> bool {
        let Some(tag) = self.order.pop_front() else {
            return false;
        };
        self.remove_tag(tag);
        true
    }

    /// Drop, from the front of the queue, sessions that have expired and
    /// entries already taken. Sessions expire roughly in insertion order,
    /// so this is amortised O(1) per insert.
    fn forget_expired(&mut self, now: UnixTime) {
        while let Some(tag) = self.order.front() {
            let keep = self
                .sessions
                .get(tag)
                .and_then(Entry::read)
                .is_some_and(|(_, session)| !session.is_expired(now));
            if keep {
                break;
            }
            self.evict_oldest();
        }
        // Taken entries behind a live one: compact once the queue is twice
        // the store (amortised O(1)), so it stays bounded too.
        if self.order.len() > 2 * self.sessions.len() + 16 {
            let sessions = &self.sessions;
            self.order.retain(|tag| sessions.contains_key(tag));
        }
    }

    fn insert(&mut self, id: &[u8], session: &Session, now: UnixTime) -> bool {
        let Ok(encoded) = session.encode().map(Zeroizing::new) else {
            return false;
        };
        let Ok(entry) = Entry::new(id, &encoded) else {
            return false;
        };
        if entry.cost() > self.max_bytes {
            return false;
        }
        self.forget_expired(now);
        // The same ID again replaces its session; its old place in the
        // queue stays, so it may be evicted a little early (a store may
        // always forget: the client then makes a full handshake).
        let tag = self.tag(id);
        self.remove_tag(tag);
        while self.sessions.len() >= self.capacity || self.bytes + entry.cost() > self.max_bytes {
            if !self.evict_oldest() {
                break;
            }
        }
        self.bytes += entry.cost();
        self.order.push_back(tag);
        self.sessions.insert(tag, entry);
        true
    }

    fn get(&self, id: &[u8], now: UnixTime) -> Result<Session, Rejection> {
        let entry = self
            .sessions
            .get(&self.tag(id))
            .ok_or(Rejection::NotFound)?;
        match entry.read() {
            Some((stored_id, session)) if stored_id == id && !session.is_expired(now) => {
                Ok(session)
            }
            _ => Err(Rejection::NotFound),
        }
    }

    fn remove(&mut self, id: &[u8]) -> Result<(), Rejection> {
        let tag = self.tag(id);
        let stored_here = self.sessions.get(&tag).is_some_and(|e| e.is_for(id));
        if stored_here && self.remove_tag(tag) {
            Ok(())
        } else {
            Err(Rejection::NotFound)
        }
    }
}

impl SessionStore for InMemoryStore {
    fn insert(&self, id: &[u8], session: &Session, now: UnixTime) -> bool {
        self.table().insert(id, session, now)
    }

    fn get(&self, id: &[u8], now: UnixTime) -> Result<Session, Rejection> {
        self.table().get(id, now)
    }

    fn remove(&self, id: &[u8]) -> Result<(), Rejection> {
        self.table().remove(id)
    }

    fn len(&self) -> usize {
        self.table().sessions.len()
    }

    fn bytes_held(&self) -> usize {
        self.table().bytes
    }
}

/// The stateful strategy: random IDs over a [`SessionStore`].
pub struct StatefulStrategy {
    store: Box<dyn SessionStore>,
    /// Taking a session removes it (the default, RFC 8446 §8.1).
    pub single_use: bool,
}

impl StatefulStrategy {
    /// Sessions kept in `store`, each usable once.
    pub fn new(store: Box<dyn SessionStore>) -> Self {
        StatefulStrategy {
            store,
            single_use: true,
        }
    }

    /// An in-memory store of `capacity` sessions.
    pub fn in_memory(capacity: usize) -> Self {
        StatefulStrategy::new(Box::new(InMemoryStore::new(capacity)))
    }

    /// How many sessions the store holds.
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }
}

// ANCHOR: stateful_strategy
impl ResumptionStrategy for StatefulStrategy {
    fn name(&self) -> &'static str {
        "stateful"
    }

    fn issue(&self, session: &Session, rng: &mut dyn Rng, now: UnixTime) -> Option<Vec<u8>> {
        let id = crypto::random_array::<SESSION_ID_LEN>(rng).to_vec();
        // A session the store could not keep gets no ticket: a ticket that
        // can never resume would only cost the client a wasted offer.
        self.store.insert(&id, session, now).then_some(id)
    }

    fn look_up(&self, identity: &[u8], now: UnixTime) -> Result<Session, Rejection> {
        self.store.get(identity, now)
    }

    fn take(&self, identity: &[u8]) -> Result<(), Rejection> {
        // Only the handshake whose remove really removed the session may
        // resume with it; a second one (a replay, a race) gets NotFound.
        if self.single_use {
            self.store.remove(identity)?;
        }
        Ok(())
    }

    /// RFC 8446 §8.1: a single-use store is its own anti-replay. `take`
    /// removed the session for this handshake alone, so a replayed
    /// ClientHello finds nothing and never reaches 0-RTT. Without single
    /// use (a teaching setting) nothing stops a replay: no early data.
    fn admit_early_data(&self, _binder: &[u8], _age_skew_ms: u64, _now: UnixTime) -> bool {
        self.single_use
    }

    fn bytes_held(&self) -> usize {
        self.store.bytes_held()
    }
}
// ANCHOR_END: stateful_strategy

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key_schedule::Secret;
    use crate::testing::SeededRng;

    fn session(created_ms: u64) -> Session {
        Session {
            cipher_suite: 0x1303,
            psk: Secret::from_bytes([1; 32]),
            created_at: UnixTime(created_ms),
            ticket_lifetime: 10,
            ticket_age_add: 5,
            server_name: "localhost".into(),
            peer_identity: Vec::new(),
            max_early_data_size: 0,
            alpn_protocol: Vec::new(),
        }
    }

    #[test]
    fn ids_are_single_use() {
        let s = StatefulStrategy::in_memory(4);
        let mut rng = SeededRng::new(1);
        let id = s.issue(&session(0), &mut rng, UnixTime(0)).unwrap();
        assert_eq!(id.len(), SESSION_ID_LEN);
        // Looking up (before the binder is checked) does not use it up...
        assert!(s.look_up(&id, UnixTime(1)).is_ok());
        assert!(s.look_up(&id, UnixTime(1)).is_ok());
        // ...taking it does, and only the first take wins.
        assert_eq!(s.take(&id), Ok(()));
        assert_eq!(s.take(&id), Err(Rejection::NotFound));
        assert_eq!(s.look_up(&id, UnixTime(1)), Err(Rejection::NotFound));
    }

    fn look_up_and_take(
        s: &StatefulStrategy,
        id: &[u8],
        now: UnixTime,
    ) -> Result<Session, Rejection> {
        let session = s.look_up(id, now)?;
        s.take(id)?;
        Ok(session)
    }

    #[test]
    fn the_store_is_bounded_in_bytes() {
        let store = InMemoryStore::with_limits(1000, 1000);
        let long = Session {
            server_name: "a".repeat(200),
            ..session(0)
        };
        let cost = SESSION_ID_LEN + long.encode().unwrap().len();
        let mut rng = SeededRng::new(4);
        for _ in 0..100 {
            let id = crypto::random_array::<SESSION_ID_LEN>(&mut rng).to_vec();
            assert!(store.insert(&id, &long, UnixTime(0)));
        }
        assert_eq!(store.len(), 1000 / cost);
        assert!(store.bytes_held() <= 1000);
        assert_eq!(store.bytes_held(), store.len() * cost);
    }

    #[test]
    fn taken_entries_do_not_grow_the_queue() {
        let s = InMemoryStore::new(4);
        let mut rng = SeededRng::new(5);
        // One live session at the front, then many inserted and taken.
        s.insert(&[0; 32], &session(0), UnixTime(0));
        for _ in 0..10_000 {
            let id = crypto::random_array::<SESSION_ID_LEN>(&mut rng).to_vec();
            s.insert(&id, &session(0), UnixTime(0));
            assert_eq!(s.remove(&id), Ok(()));
        }
        assert_eq!(s.len(), 1);
        let queued = s.table().order.len();
        assert!(queued <= 2 * s.len() + 17);
    }

    #[test]
    fn a_session_is_found_only_under_its_whole_id_and_replaced_by_a_second_insert() {
        let s = InMemoryStore::new(4);
        let id = vec![7; SESSION_ID_LEN];
        s.insert(&id, &session(0), UnixTime(0));
        assert_eq!(s.get(&id, UnixTime(0)), Ok(session(0)));
        assert_eq!(s.get(&id[..31], UnixTime(0)), Err(Rejection::NotFound));
        assert_eq!(s.remove(&id[..31]), Err(Rejection::NotFound));
        s.insert(&id, &session(5), UnixTime(0));
        assert_eq!((s.len(), s.get(&id, UnixTime(0))), (1, Ok(session(5))));
        assert_eq!(
            s.bytes_held(),
            SESSION_ID_LEN + session(5).encode().unwrap().len()
        );
        assert_eq!(s.remove(&id), Ok(()));
        assert_eq!((s.len(), s.bytes_held()), (0, 0));
    }

    #[test]
    fn oldest_is_evicted_when_full() {
        let s = StatefulStrategy::in_memory(2);
        let mut rng = SeededRng::new(2);
        let a = s.issue(&session(0), &mut rng, UnixTime(0)).unwrap();
        let b = s.issue(&session(0), &mut rng, UnixTime(0)).unwrap();
        let c = s.issue(&session(0), &mut rng, UnixTime(0)).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(
            look_up_and_take(&s, &a, UnixTime(0)),
            Err(Rejection::NotFound)
        );
        assert!(look_up_and_take(&s, &b, UnixTime(0)).is_ok());
        assert!(look_up_and_take(&s, &c, UnixTime(0)).is_ok());
    }

    #[test]
    fn expired_sessions_are_dropped() {
        let s = StatefulStrategy::in_memory(2);
        let mut rng = SeededRng::new(3);
        let a = s.issue(&session(0), &mut rng, UnixTime(0)).unwrap();
        assert_eq!(
            look_up_and_take(&s, &a, UnixTime(10_001)),
            Err(Rejection::NotFound)
        );
        // The next insert forgets it.
        s.issue(&session(20_000), &mut rng, UnixTime(20_000));
        assert_eq!(s.len(), 1);
    }
}
