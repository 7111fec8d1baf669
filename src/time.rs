//! Time, injected: the one clock type every module reads "now" through.
//!
//! A leaf module (it imports nothing from the crate), so that everything
//! that needs a time — ticket lifetimes and ages (RFC 8446 §4.6.1,
//! §4.2.11.1), certificate validity (RFC 5280 §4.1.2.5), the configuration
//! that carries the clock — can use it without depending on one another.
//! The state machines never read the system clock themselves (DESIGN.md
//! principle 7): a test passes a [`FixedClock`] and gets the same bytes
//! every run.

/// Milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnixTime(pub u64);

impl UnixTime {
    /// The time `secs` whole seconds after the epoch.
    pub fn from_secs(secs: u64) -> Self {
        UnixTime(secs * 1000)
    }

    /// Whole seconds since the epoch, signed as X.509 validity times are
    /// (RFC 5280 §4.1.2.5).
    pub fn as_secs(self) -> i64 {
        (self.0 / 1000) as i64
    }
}

/// Where "now" comes from.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> UnixTime;
}

/// The operating system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        UnixTime(since.as_millis() as u64)
    }
}

/// A clock that always says the same time, for reproducible transcripts.
pub struct FixedClock(pub UnixTime);

impl Clock for FixedClock {
    fn now(&self) -> UnixTime {
        self.0
    }
}
