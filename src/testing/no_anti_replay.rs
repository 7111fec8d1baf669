//! A resumption strategy with its 0-RTT anti-replay switched off, for the
//! replay lab and tests only (RFC 8446 §8).
//!
//! It exists only with the `insecure-testing` feature, so no real server
//! can be built with it: it shows what the strike register and the
//! single-use store are for by taking them away. Every redemption of a
//! ticket, a replayed ClientHello included, gets its early data read.

use std::sync::Arc;

use crate::crypto::Rng;
use crate::resumption::{Rejection, ResumptionStrategy, Session};
use crate::time::UnixTime;

/// `inner`, except that `take` uses nothing up and `admit_early_data`
/// admits every ClientHello: no replay protection at all. Never in a
/// server that talks to anyone.
pub struct WithoutAntiReplay(pub Arc<dyn ResumptionStrategy>);

impl ResumptionStrategy for WithoutAntiReplay {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn issue(&self, session: &Session, rng: &mut dyn Rng, now: UnixTime) -> Option<Vec<u8>> {
        self.0.issue(session, rng, now)
    }

    fn look_up(&self, identity: &[u8], now: UnixTime) -> Result<Session, Rejection> {
        self.0.look_up(identity, now)
    }

    /// Nothing is used up: a stateful ticket resumes as often as a sealed one.
    fn take(&self, _identity: &[u8]) -> Result<(), Rejection> {
        Ok(())
    }

    /// The point of this type: every ClientHello, fresh or replayed.
    fn admit_early_data(&self, _binder: &[u8], _age_skew_ms: u64, _now: UnixTime) -> bool {
        true
    }

    fn bytes_held(&self) -> usize {
        self.0.bytes_held()
    }
}
