//! Anti-replay for 0-RTT with stateless tickets: a freshness check and a
//! bounded strike register (RFC 8446 §8.2, §8.3).
//!
//! A stateless ticket is not used up when it is redeemed (the server keeps
//! nothing per ticket), so the same ClientHello, recorded by an attacker
//! and sent again, would resume again and have its 0-RTT data run again.
//! RFC 8446 §8 requires that a server instance accept 0-RTT "for the same
//! 0-RTT handshake at most once". Two checks give that with bounded state:
//!
//! - **Freshness** (§8.3): the client says how old it thinks the ticket is
//!   (obfuscated_ticket_age minus ticket_age_add); the server knows when it
//!   issued it. A ClientHello whose two ages differ by more than the window
//!   is not fresh: 1-RTT only. A replay sent later than the window after
//!   the original fails this check by itself.
//! - **Strike register** (§8.2): within the window, each accepted
//!   ClientHello's PSK binder is recorded (the binder, not the identity:
//!   it is verified before we get here, and it covers the whole
//!   ClientHello, random included). A binder seen before is a replay:
//!   1-RTT only. Entries are forgotten once no replay of them could pass
//!   the freshness check: two windows after they were recorded (an
//!   original accepted with its error at one edge of the window stays
//!   fresh until its error reaches the other edge).
//!
//! The register is bounded: when it is full, 0-RTT is refused (1-RTT
//! goes on) rather than an old entry forgotten early. Every failure of
//! either check costs only the early data, never the connection, and never
//! leads to a wrong acceptance.
//!
//! What it does not do: a register kept by one server does not know what
//! another server accepted. A fleet sharing ticket keys (`--ticket-keys`)
//! accepts the same 0-RTT flight once on *each* server: a replay sent to a
//! second server is accepted there (RFC 8446 §8.2 calls this "once per
//! zone"). Only a register shared by the whole fleet, or a single-use
//! session store, stops that. This is one reason early data is off by
//! default (`ServerConfig::max_early_data_size` is 0): turn it on only for
//! requests that are harmless when run twice.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use crate::crypto::{self, HASH_LEN};
use crate::time::UnixTime;

/// The default freshness window, in milliseconds: tighter than the ticket
/// age tolerance of resumption, since a replay within it needs the
/// register to catch it (RFC 8446 §8.3 suggests about ten seconds for
/// clients on the Internet).
pub const DEFAULT_WINDOW_MS: u64 = 5_000;

/// The default number of binders remembered at once.
pub const DEFAULT_CAPACITY: usize = 4_096;

/// Recently accepted 0-RTT ClientHellos, by their PSK binder.
pub struct StrikeRegister {
    /// How far the client's ticket age may be from ours (RFC 8446 §8.3).
    window_ms: u64,
    /// At most this many binders are remembered; full, 0-RTT is refused.
    capacity: usize,
    /// RFC 8446 §8.2: "When implementations are freshly started, they
    /// SHOULD reject 0-RTT as long as any portion of their recording
    /// window overlaps the startup time": when the register started, if
    /// it should honour that (a register restored from nothing).
    started_at: Option<UnixTime>,
    seen: Mutex<Seen>,
}

/// The binders recorded, as SHA-256 digests (a fixed size whatever the
/// binder's), oldest first.
#[derive(Default)]
struct Seen {
    order: VecDeque<([u8; HASH_LEN], UnixTime)>,
    set: HashSet<[u8; HASH_LEN]>,
}

/// Why the register refused 0-RTT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The ClientHello is not fresh: its ticket age is outside the window.
    NotFresh,
    /// The register started too recently to know what came before.
    JustStarted,
    /// This ClientHello's binder was seen within the window: a replay.
    Replay,
    /// The register is full.
    Full,
}

impl StrikeRegister {
    /// A register with a freshness window of `window_ms` milliseconds that
    /// remembers at most `capacity` binders. With `started_at`, it refuses
    /// everything until two windows have passed since then (RFC 8446 §8.2).
    pub fn new(window_ms: u64, capacity: usize, started_at: Option<UnixTime>) -> Self {
        StrikeRegister {
            window_ms,
            capacity,
            started_at,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// How long an entry must be kept: a replay of it stays fresh for up
    /// to two windows after the original.
    fn retention_ms(&self) -> u64 {
        self.window_ms.saturating_mul(2)
    }

    // ANCHOR: strike_register_admit
    /// May a ClientHello with this verified `binder`, whose ticket age is
    /// `age_skew_ms` from ours, have its 0-RTT accepted at `now`? If so,
    /// it is recorded, so the same ClientHello is refused next time.
    pub fn admit(&self, binder: &[u8], age_skew_ms: u64, now: UnixTime) -> Result<(), Refusal> {
        // RFC 8446 §8.3: outside the window, 1-RTT only.
        if age_skew_ms > self.window_ms {
            return Err(Refusal::NotFresh);
        }
        if let Some(start) = self.started_at
            && now.0 < start.0.saturating_add(self.retention_ms())
        {
            return Err(Refusal::JustStarted);
        }
        let key = crypto::sha256(binder);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        // Forget what no replay could still pass the freshness check with.
        while let Some((old, at)) = seen.order.front().copied() {
            if now.0.saturating_sub(at.0) <= self.retention_ms() {
                break;
            }
            seen.order.pop_front();
            seen.set.remove(&old);
        }
        // RFC 8446 §8.2: a recorded ClientHello is a replay: "accepts the
        // PSK but rejects 0-RTT".
        if seen.set.contains(&key) {
            return Err(Refusal::Replay);
        }
        if seen.set.len() >= self.capacity {
            return Err(Refusal::Full);
        }
        seen.set.insert(key);
        seen.order.push_back((key, now));
        Ok(())
    }
    // ANCHOR_END: strike_register_admit

    /// How many binders are remembered now.
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .set
            .len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for StrikeRegister {
    /// [`DEFAULT_WINDOW_MS`], [`DEFAULT_CAPACITY`], no start-up delay.
    fn default() -> Self {
        StrikeRegister::new(DEFAULT_WINDOW_MS, DEFAULT_CAPACITY, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: UnixTime = UnixTime(1_000_000);

    #[test]
    fn a_binder_is_admitted_once_within_the_window() {
        let register = StrikeRegister::new(1_000, 8, None);
        assert_eq!(register.admit(&[1; 32], 0, T0), Ok(()));
        assert_eq!(register.admit(&[1; 32], 0, T0), Err(Refusal::Replay));
        assert_eq!(register.admit(&[2; 32], 1_000, T0), Ok(()));
        assert_eq!(register.admit(&[3; 32], 1_001, T0), Err(Refusal::NotFresh));
    }

    #[test]
    fn entries_are_kept_two_windows_then_forgotten() {
        let register = StrikeRegister::new(1_000, 8, None);
        register.admit(&[1; 32], 0, T0).unwrap();
        let later = |ms| UnixTime(T0.0 + ms);
        assert_eq!(
            register.admit(&[1; 32], 0, later(2_000)),
            Err(Refusal::Replay)
        );
        // Two windows on, the entry goes (a replay now is not fresh).
        assert_eq!(register.admit(&[2; 32], 0, later(2_001)), Ok(()));
        assert_eq!(register.len(), 1);
    }

    #[test]
    fn a_full_register_refuses_rather_than_forgets() {
        let register = StrikeRegister::new(1_000, 2, None);
        register.admit(&[1; 32], 0, T0).unwrap();
        register.admit(&[2; 32], 0, T0).unwrap();
        assert_eq!(register.admit(&[3; 32], 0, T0), Err(Refusal::Full));
        assert_eq!(register.admit(&[1; 32], 0, T0), Err(Refusal::Replay));
    }

    #[test]
    fn a_freshly_started_register_refuses_for_two_windows() {
        let register = StrikeRegister::new(1_000, 8, Some(T0));
        assert_eq!(
            register.admit(&[1; 32], 0, UnixTime(T0.0 + 1_999)),
            Err(Refusal::JustStarted)
        );
        assert_eq!(register.admit(&[1; 32], 0, UnixTime(T0.0 + 2_000)), Ok(()));
    }
}
