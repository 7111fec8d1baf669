//! Exercise 22: a single-use session store (book chapter "Two server
//! strategies, side by side"; RFC 8446 §2.2, §4.2.11, §8.1).
//!
//! A stateful server keeps its sessions in a `SessionStore` and sends the
//! client only a random ID as its ticket. minitls looks a session up in
//! three steps: `get` it (the binder has not been checked yet), verify the
//! binder, and only then `remove` it. Removing only after the binder
//! verified means that someone who copied an ID off the wire, but has no
//! PSK, cannot burn the real client's ticket. Removing it at all makes each
//! ticket work once, which RFC 8446 §8.1 asks of servers that want to stop
//! replays.
//!
//! Write [`SingleUseStore`]: a `Mutex<HashMap<Vec<u8>, Session>>` is
//! enough. `get` returns a copy and leaves the session in place; `remove`
//! answers `Ok` only to the call that really removed it
//! (`Rejection::NotFound` otherwise); `bytes_held` counts each ID plus its
//! encoded session (`Session::encode`).
//!
//! The check plugs your store into a real minitls server
//! (`StatefulStrategy::new`), resumes with a ticket, offers the same
//! ticket again (the server must fall back to a full handshake), and sends
//! a ticket with a forged binder before its real use (which must still
//! resume).
//!
//! Check it: `cargo run -p labs -- check 22`

// The starter's parameters are unused until you write the bodies.
#![allow(unused_variables)]

use minitls::config::UnixTime;
use minitls::resumption::store::SessionStore;
use minitls::resumption::{Rejection, Session};

/// Sessions in memory, each usable once.
#[derive(Default)]
pub struct SingleUseStore {
    // Your fields.
}

impl SingleUseStore {
    /// An empty store.
    pub fn new() -> Self {
        SingleUseStore::default()
    }
}

impl SessionStore for SingleUseStore {
    fn insert(&self, id: &[u8], session: &Session, now: UnixTime) -> bool {
        todo!("keep the session under its ID")
    }

    fn get(&self, id: &[u8], now: UnixTime) -> Result<Session, Rejection> {
        todo!("a copy of the session, left in place")
    }

    fn remove(&self, id: &[u8]) -> Result<(), Rejection> {
        todo!("Ok only for the call that really removed it")
    }

    fn len(&self) -> usize {
        todo!("how many sessions are held")
    }

    fn bytes_held(&self) -> usize {
        todo!("IDs plus encoded sessions")
    }
}
