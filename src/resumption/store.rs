//! Stateful resumption: the ticket is a random ID, the server keeps the
//! session ("session ID" resumption, carried in TLS 1.3's ticket).
//!
//! The rules of this file:
//! - an ID is 32 bytes from the injected RNG, so it cannot be guessed; it
//!   carries no information about the session at all;
//! - the default [`InMemoryStore`] is bounded (the oldest entry is evicted
//!   when full), forgets expired sessions, and hands each session out once:
//!   redeeming removes it. Single use is what RFC 8446 §8.1 recommends
//!   against replay, and what Appendix C.4 asks of clients anyway;
//! - any other backend (a shared cache for a fleet of servers) plugs in
//!   through [`SessionStore`].

use std::collections::{HashMap, VecDeque};

use super::{Rejection, ResumptionStrategy, Session};
use crate::config::UnixTime;
use crate::crypto::{self, Rng};

/// Length of a session ID (RFC 8446 leaves it to us; at least 16 bytes is
/// what makes it unguessable).
pub const SESSION_ID_LEN: usize = 32;

/// Where a stateful server keeps its sessions.
pub trait SessionStore: Send {
    fn insert(&mut self, id: Vec<u8>, session: Session, now: UnixTime);
    /// Remove and return the session (single use).
    fn take(&mut self, id: &[u8], now: UnixTime) -> Option<Session>;
    /// Look without removing (for a store configured to allow reuse).
    fn get(&self, id: &[u8], now: UnixTime) -> Option<Session>;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Bytes held: IDs plus encoded sessions.
    fn bytes_held(&self) -> usize;
}

/// A bounded, expiring, in-memory store.
pub struct InMemoryStore {
    capacity: usize,
    sessions: HashMap<Vec<u8>, Session>,
    /// Insertion order, oldest first, for eviction.
    order: VecDeque<Vec<u8>>,
}

impl InMemoryStore {
    pub fn new(capacity: usize) -> Self {
        InMemoryStore {
            capacity: capacity.max(1),
            sessions: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    fn forget_expired(&mut self, now: UnixTime) {
        self.sessions.retain(|_, s| !s.is_expired(now));
        let sessions = &self.sessions;
        self.order.retain(|id| sessions.contains_key(id));
    }
}

impl SessionStore for InMemoryStore {
    fn insert(&mut self, id: Vec<u8>, session: Session, now: UnixTime) {
        self.forget_expired(now);
        while self.sessions.len() >= self.capacity {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.sessions.remove(&oldest);
        }
        self.order.push_back(id.clone());
        self.sessions.insert(id, session);
    }

    fn take(&mut self, id: &[u8], now: UnixTime) -> Option<Session> {
        let session = self.sessions.remove(id)?;
        self.order.retain(|other| other != id);
        (!session.is_expired(now)).then_some(session)
    }

    fn get(&self, id: &[u8], now: UnixTime) -> Option<Session> {
        self.sessions
            .get(id)
            .filter(|s| !s.is_expired(now))
            .cloned()
    }

    fn len(&self) -> usize {
        self.sessions.len()
    }

    fn bytes_held(&self) -> usize {
        self.sessions
            .iter()
            .map(|(id, s)| id.len() + s.encode().len())
            .sum()
    }
}

/// The stateful strategy: random IDs over a [`SessionStore`].
pub struct StatefulStrategy {
    store: Box<dyn SessionStore>,
    /// Redeeming removes the session (the default, RFC 8446 §8.1).
    pub single_use: bool,
}

impl StatefulStrategy {
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

    pub fn len(&self) -> usize {
        self.store.len()
    }

    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }
}

// ANCHOR: stateful_strategy
impl ResumptionStrategy for StatefulStrategy {
    fn name(&self) -> &'static str {
        "stateful"
    }

    fn issue(&mut self, session: &Session, rng: &mut dyn Rng, now: UnixTime) -> Option<Vec<u8>> {
        let id = crypto::random_array::<SESSION_ID_LEN>(rng).to_vec();
        self.store.insert(id.clone(), session.clone(), now);
        Some(id)
    }

    fn redeem(&mut self, identity: &[u8], now: UnixTime) -> Result<Session, Rejection> {
        let found = if self.single_use {
            self.store.take(identity, now)
        } else {
            self.store.get(identity, now)
        };
        found.ok_or(Rejection::NotFound)
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
        }
    }

    #[test]
    fn ids_are_single_use() {
        let mut s = StatefulStrategy::in_memory(4);
        let mut rng = SeededRng::new(1);
        let id = s.issue(&session(0), &mut rng, UnixTime(0)).unwrap();
        assert_eq!(id.len(), SESSION_ID_LEN);
        assert!(s.redeem(&id, UnixTime(1)).is_ok());
        assert_eq!(s.redeem(&id, UnixTime(1)), Err(Rejection::NotFound));
    }

    #[test]
    fn oldest_is_evicted_when_full() {
        let mut s = StatefulStrategy::in_memory(2);
        let mut rng = SeededRng::new(2);
        let a = s.issue(&session(0), &mut rng, UnixTime(0)).unwrap();
        let b = s.issue(&session(0), &mut rng, UnixTime(0)).unwrap();
        let c = s.issue(&session(0), &mut rng, UnixTime(0)).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s.redeem(&a, UnixTime(0)), Err(Rejection::NotFound));
        assert!(s.redeem(&b, UnixTime(0)).is_ok());
        assert!(s.redeem(&c, UnixTime(0)).is_ok());
    }

    #[test]
    fn expired_sessions_are_dropped() {
        let mut s = StatefulStrategy::in_memory(2);
        let mut rng = SeededRng::new(3);
        let a = s.issue(&session(0), &mut rng, UnixTime(0)).unwrap();
        assert_eq!(s.redeem(&a, UnixTime(10_001)), Err(Rejection::NotFound));
        assert!(s.is_empty());
    }
}
