//! Deterministic randomness and an in-memory client/server pair, for tests,
//! examples and the book. Never for real connections.
//!
//! [`SeededRng`] makes every "random" field reproducible, and different
//! fields look different in a hex dump (Go's tests use an all-zero source;
//! a counter makes a transcript easier to read). With a [`FixedClock`] as
//! well, a whole handshake is byte-for-byte the same on every run
//! (DESIGN.md principle 7). [`Pair`] moves bytes between two connections
//! in memory, the way quinn's tests do, so nothing here opens a socket.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use crate::config::{ClientConfig, FixedClock, ServerConfig, SharedRng, UnixTime};
use crate::connection::{AppEvent, Connection};
use crate::crypto::sha256;
use crate::error::Error;
use crate::pki::issue::DemoPki;
use crate::trace::Observer;

/// A reproducible byte stream: SHA-256(seed || counter) blocks. Predictable
/// by design, so it must never protect a real connection.
pub struct SeededRng {
    seed: u64,
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl SeededRng {
    pub fn new(seed: u64) -> Self {
        SeededRng {
            seed,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    /// A [`SharedRng`] for a config.
    pub fn shared(seed: u64) -> SharedRng {
        Arc::new(Mutex::new(SeededRng::new(seed)))
    }
}

impl rand_core::TryRng for SeededRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for byte in dst {
            if self.used == 32 {
                let mut input = self.seed.to_be_bytes().to_vec();
                input.extend_from_slice(&self.counter.to_be_bytes());
                self.block = sha256(&input);
                self.counter += 1;
                self.used = 0;
            }
            *byte = self.block[self.used];
            self.used += 1;
        }
        Ok(())
    }
}

// Declared "cryptographic" only so it can stand in for the OS RNG in tests.
impl rand_core::TryCryptoRng for SeededRng {}

/// The fixed time of deterministic runs: 2026-01-01T00:00:00Z.
pub const FIXED_NOW: UnixTime = UnixTime(1_767_225_600_000);

/// A demo PKI for "localhost" made from a seed, valid at [`FIXED_NOW`].
pub fn demo_pki(seed: u64) -> DemoPki {
    let mut rng = SeededRng::new(seed);
    DemoPki::generate(&mut rng, &["localhost"], FIXED_NOW.as_secs())
}

/// A client config trusting `pki`'s CA, with a seeded RNG and fixed clock.
pub fn client_config(pki: &DemoPki, seed: u64) -> ClientConfig {
    let mut config = ClientConfig::new(pki.trust_anchors());
    config.rng = SeededRng::shared(seed);
    config.clock = Arc::new(FixedClock(FIXED_NOW));
    config
}

/// A server config with `pki`'s server certificate, seeded and fixed in time.
pub fn server_config(pki: &DemoPki, seed: u64) -> ServerConfig {
    let mut config = ServerConfig::new(vec![pki.server_cert.clone()], pki.server_key.clone());
    config.rng = SeededRng::shared(seed);
    config.clock = Arc::new(FixedClock(FIXED_NOW));
    config
}

/// A client and a server joined in memory.
pub struct Pair {
    pub client: Connection,
    pub server: Connection,
    /// Application events each side produced, in order.
    pub client_events: Vec<AppEvent>,
    pub server_events: Vec<AppEvent>,
}

impl Pair {
    pub fn new(client: Connection, server: Connection) -> Self {
        Pair {
            client,
            server,
            client_events: Vec::new(),
            server_events: Vec::new(),
        }
    }

    /// A deterministic pair on a demo PKI, with observers on each side.
    pub fn deterministic(
        client_observer: Box<dyn Observer>,
        server_observer: Box<dyn Observer>,
    ) -> Self {
        let pki = demo_pki(1);
        let client = Connection::client_with_observer(
            Arc::new(client_config(&pki, 2)),
            "localhost",
            client_observer,
        )
        .expect("client starts");
        let server =
            Connection::server_with_observer(Arc::new(server_config(&pki, 3)), server_observer);
        Pair::new(client, server)
    }

    /// Move one flight from the client to the server. Returns how many bytes moved.
    pub fn client_to_server(&mut self) -> Result<usize, Error> {
        let mut bytes = Vec::new();
        let n = self.client.transmit(&mut bytes);
        if n > 0 {
            self.server.receive(&bytes)?;
        }
        self.server_events
            .extend(std::iter::from_fn(|| self.server.poll_event()));
        Ok(n)
    }

    /// Move one flight from the server to the client.
    pub fn server_to_client(&mut self) -> Result<usize, Error> {
        let mut bytes = Vec::new();
        let n = self.server.transmit(&mut bytes);
        if n > 0 {
            self.client.receive(&bytes)?;
        }
        self.client_events
            .extend(std::iter::from_fn(|| self.client.poll_event()));
        Ok(n)
    }

    /// Move bytes both ways until neither side has anything to send.
    pub fn drive(&mut self) -> Result<(), Error> {
        loop {
            let moved = self.client_to_server()? + self.server_to_client()?;
            if moved == 0 {
                return Ok(());
            }
        }
    }
}

/// A clock a test can move forward (ticket ages, expiry, key rotation).
#[derive(Clone)]
pub struct ManualClock(pub Arc<std::sync::atomic::AtomicU64>);

impl ManualClock {
    pub fn new(at: UnixTime) -> Self {
        ManualClock(Arc::new(std::sync::atomic::AtomicU64::new(at.0)))
    }

    pub fn advance_secs(&self, secs: u64) {
        self.0
            .fetch_add(secs * 1000, std::sync::atomic::Ordering::SeqCst);
    }
}

impl crate::config::Clock for ManualClock {
    fn now(&self) -> UnixTime {
        UnixTime(self.0.load(std::sync::atomic::Ordering::SeqCst))
    }
}
