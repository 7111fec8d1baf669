//! Exercise 22, reference solution: a single-use session store (RFC 8446
//! §4.2.11, §8.1). minitls's own `InMemoryStore` is also bounded, expires
//! sessions and packs each one tightly; this one keeps only the rule the
//! exercise is about.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use minitls::config::UnixTime;
use minitls::resumption::store::SessionStore;
use minitls::resumption::{Rejection, Session};

/// Sessions in memory, each usable once.
#[derive(Default)]
pub struct SingleUseStore {
    sessions: Mutex<HashMap<Vec<u8>, Session>>,
}

impl SingleUseStore {
    /// An empty store.
    pub fn new() -> Self {
        SingleUseStore::default()
    }

    /// A panic elsewhere while the lock was held cannot leave the map
    /// half-changed (each operation is one map call), so take it over.
    fn sessions(&self) -> MutexGuard<'_, HashMap<Vec<u8>, Session>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SessionStore for SingleUseStore {
    fn insert(&self, id: &[u8], session: &Session, _now: UnixTime) -> bool {
        self.sessions().insert(id.to_vec(), session.clone());
        true
    }

    fn get(&self, id: &[u8], _now: UnixTime) -> Result<Session, Rejection> {
        // Not removed yet: the binder has not been checked, and a forged
        // one must not burn the real client's ticket.
        self.sessions().get(id).cloned().ok_or(Rejection::NotFound)
    }

    fn remove(&self, id: &[u8]) -> Result<(), Rejection> {
        // `HashMap::remove` says whether this call found the session, so of
        // two handshakes racing for one ticket only one gets `Ok`.
        self.sessions()
            .remove(id)
            .map(|_| ())
            .ok_or(Rejection::NotFound)
    }

    fn len(&self) -> usize {
        self.sessions().len()
    }

    fn bytes_held(&self) -> usize {
        self.sessions()
            .iter()
            .map(|(id, session)| id.len() + session.encode().map_or(0, |bytes| bytes.len()))
            .sum()
    }
}
