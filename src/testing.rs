//! Deterministic randomness, in-memory client/server pairs and temporary
//! directories: the one home of the helpers that tests, examples, benches
//! and the fuzz targets share. Never for real connections.
//!
//! This module exists only with the `insecure-testing` feature (and in the
//! crate's own unit tests). Its [`SeededRng`] is predictable by design yet
//! implements `TryCryptoRng`, so that it can stand in for the OS RNG in a
//! config; the feature's name is there so that no program that talks to a
//! real peer turns it on by accident. The crate's own tests, examples and
//! benches enable it through a dev-dependency on the crate itself, and the
//! fuzz targets in their `Cargo.toml`.
//!
//! [`SeededRng`] makes every "random" field reproducible, and different
//! fields look different in a hex dump (Go's tests use an all-zero source;
//! a counter makes a transcript easier to read). With a [`FixedClock`] as
//! well, a whole handshake is byte-for-byte the same on every run
//! (DESIGN.md principle 7). [`Pair`] moves bytes between two connections
//! in memory, the way quinn's tests do, so nothing here opens a socket;
//! [`drive_until_quiet`] is the driving loop, shared with the tests that
//! pair minitls (or rustls) with rustls. [`TempDir`] is the scratch
//! directory of every test that writes files. [`rfc8448`] holds RFC 8448's
//! worked handshake trace, read by the RFC-vector tests and by the course's
//! exercise checks (`labs/`).

pub mod no_anti_replay;
pub mod rfc8448;

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::{
    ClientAuth, ClientAuthMode, ClientCertificate, ClientConfig, Clock, FixedClock, ServerConfig,
    SharedRng, UnixTime,
};
use crate::connection::{AppEvent, Connection};
use crate::crypto::sha256;
use crate::error::Error;
use crate::key_schedule::{SecretLabel, hkdf_expand_label};
use crate::pki::issue::DemoPki;
use crate::record::{ContentType, Deframer, OpaqueRecord, RecordProtection, TrafficKeys};
use crate::trace::{Observer, RecordedEvent, Recorder};

/// A reproducible byte stream: SHA-256(seed || counter) blocks. Predictable
/// by design, so it must never protect a real connection.
pub struct SeededRng {
    seed: u64,
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl SeededRng {
    /// A stream that starts at block 0 of `seed`: two RNGs made from the
    /// same seed give the same bytes.
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

// Declared "cryptographic" only so it can stand in for the OS RNG in tests:
// this claim is the reason the module sits behind the `insecure-testing`
// feature.
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

/// The seed of [`demo_client_certificate`]'s key and serial number.
pub const CLIENT_CERT_SEED: u64 = 4;

/// A client certificate `CN=client` (extKeyUsage clientAuth) issued by
/// `pki`'s CA, made from [`CLIENT_CERT_SEED`] and valid at [`FIXED_NOW`]:
/// the other half of a deterministic mutual-TLS pair.
pub fn demo_client_certificate(pki: &DemoPki) -> ClientCertificate {
    let mut rng = SeededRng::new(CLIENT_CERT_SEED);
    let (cert, key) = pki.issue_client(&mut rng, "client", FIXED_NOW.as_secs());
    ClientCertificate {
        certificate_chain: vec![cert],
        private_key: key,
    }
}

/// A server's client authentication trusting `pki`'s CA.
pub fn client_auth(pki: &DemoPki, mode: ClientAuthMode) -> ClientAuth {
    ClientAuth {
        trust_anchors: pki.trust_anchors(),
        mode,
    }
}

/// The seed of [`Pair::deterministic`]'s demo PKI.
pub const PKI_SEED: u64 = 1;
/// The seed of [`Pair::deterministic`]'s client RNG.
pub const CLIENT_SEED: u64 = 2;
/// The seed of [`Pair::deterministic`]'s server RNG.
pub const SERVER_SEED: u64 = 3;

/// The client of [`Pair::deterministic`]: trusting `pki`, seeded with
/// [`CLIENT_SEED`], connecting to "localhost", reporting to `observer`.
pub fn deterministic_client(pki: &DemoPki, observer: Box<dyn Observer>) -> Connection {
    Connection::client_with_observer(
        Arc::new(client_config(pki, CLIENT_SEED)),
        "localhost",
        observer,
    )
    .expect("client starts")
}

/// The server of [`Pair::deterministic`]: `pki`'s certificate, seeded with
/// [`SERVER_SEED`], reporting to `observer`.
pub fn deterministic_server(pki: &DemoPki, observer: Box<dyn Observer>) -> Connection {
    Connection::server_with_observer(Arc::new(server_config(pki, SERVER_SEED)), observer)
}

/// How many rounds [`drive_until_quiet`] allows. Two correct peers go quiet
/// within a handful (a full handshake with tickets takes three); more means
/// they answer each other forever, which a test should report, not hang on.
pub const MAX_ROUNDS: usize = 100;

/// The driving loop of every in-memory pair: call `exchange` (one flight
/// each way, returning how many bytes moved) until a round moves nothing.
/// An error from `exchange` ends the loop and is returned.
///
/// # Panics
///
/// After [`MAX_ROUNDS`] rounds that all moved bytes.
pub fn drive_until_quiet<E>(mut exchange: impl FnMut() -> Result<usize, E>) -> Result<(), E> {
    for _ in 0..MAX_ROUNDS {
        if exchange()? == 0 {
            return Ok(());
        }
    }
    panic!("the connections never went quiet ({MAX_ROUNDS} rounds)");
}

/// A [`Pair::deterministic`] with a [`Recorder`] on each side: what the
/// negative tests and the course's checks inspect after a handshake.
pub struct Traced {
    /// The client and the server, joined in memory.
    pub pair: Pair,
    /// Everything the client reported.
    pub client: Recorder,
    /// Everything the server reported.
    pub server: Recorder,
}

/// A fresh [`Traced`] pair; no bytes have moved yet.
pub fn traced_pair() -> Traced {
    let client = Recorder::default();
    let server = Recorder::default();
    let pair = Pair::deterministic(Box::new(client.clone()), Box::new(server.clone()));
    Traced {
        pair,
        client,
        server,
    }
}

/// The records `from` sent, in order, out of a capture of flights (as
/// [`Pair::drive_observed`] shows them), cut by the record layer's own
/// [`Deframer`] (RFC 8446 §5.1): what an eavesdropper's capture holds.
pub fn records_sent(capture: &[(Side, Vec<u8>)], from: Side) -> Vec<OpaqueRecord> {
    let mut deframer = Deframer::default();
    let mut out = Vec::new();
    for (_, bytes) in capture.iter().filter(|(side, _)| *side == from) {
        deframer.push(bytes);
        while let Ok(Some(record)) = deframer.pop() {
            out.push(record);
        }
    }
    out
}

/// Everything `conn` has queued for its peer.
pub fn take(conn: &mut Connection) -> Vec<u8> {
    let mut out = Vec::new();
    conn.transmit(&mut out);
    out
}

/// Wire bytes that minitls itself produced, cut into records by the
/// record layer's own [`Deframer`]. A malformed stream is a bug in the
/// test, so it panics.
pub fn split_records(bytes: &[u8]) -> Vec<OpaqueRecord> {
    let mut deframer = Deframer::default();
    deframer.push(bytes);
    std::iter::from_fn(|| deframer.pop().expect("minitls writes whole records")).collect()
}

/// A handshake byte stream cut into whole messages, four-byte headers
/// included (RFC 8446 §4).
pub fn split_messages(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while bytes.len() >= 4 {
        let len = u32::from_be_bytes([0, bytes[1], bytes[2], bytes[3]]) as usize;
        out.push(bytes[..4 + len].to_vec());
        bytes = &bytes[4 + len..];
    }
    out
}

/// The last value of the secret `label` that `recorder` saw derived.
pub fn secret(recorder: &Recorder, label: SecretLabel) -> [u8; 32] {
    recorder
        .events()
        .into_iter()
        .rev()
        .find_map(|event| match event {
            RecordedEvent::SecretDerived(l, v) if l == label => v.try_into().ok(),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no {label:?} in the trace"))
}

/// The key and IV of a traffic secret (RFC 8446 §7.3).
pub fn traffic_keys(secret: &[u8; 32]) -> TrafficKeys {
    let mut keys = TrafficKeys {
        key: [0; 32],
        iv: [0; 12],
    };
    hkdf_expand_label(secret, "key", b"", &mut keys.key);
    hkdf_expand_label(secret, "iv", b"", &mut keys.iv);
    keys
}

/// Record protection under a traffic secret, moved on to sequence number
/// `seq` (the number of records already protected with it).
pub fn protection(secret: &[u8; 32], seq: u64) -> RecordProtection {
    let mut p = RecordProtection::new(&traffic_keys(secret));
    for _ in 0..seq {
        p.encrypt(ContentType::ApplicationData, b"", 0)
            .expect("a fresh sequence number");
    }
    p
}

/// One end of a [`Pair`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// [`Pair::client`].
    Client,
    /// [`Pair::server`].
    Server,
}

/// A client and a server joined in memory.
pub struct Pair {
    /// The client connection.
    pub client: Connection,
    /// The server connection.
    pub server: Connection,
    /// Application events the client produced, in order.
    pub client_events: Vec<AppEvent>,
    /// Application events the server produced, in order.
    pub server_events: Vec<AppEvent>,
}

impl Pair {
    /// Join two connections (no bytes move until asked).
    pub fn new(client: Connection, server: Connection) -> Self {
        Pair {
            client,
            server,
            client_events: Vec::new(),
            server_events: Vec::new(),
        }
    }

    /// A deterministic pair on a demo PKI, with observers on each side:
    /// [`demo_pki`]`(`[`PKI_SEED`]`)`, [`deterministic_client`] and
    /// [`deterministic_server`].
    pub fn deterministic(
        client_observer: Box<dyn Observer>,
        server_observer: Box<dyn Observer>,
    ) -> Self {
        let pki = demo_pki(PKI_SEED);
        let client = deterministic_client(&pki, client_observer);
        let server = deterministic_server(&pki, server_observer);
        Pair::new(client, server)
    }

    /// Move one flight from `from` to its peer, showing the bytes to
    /// `observe` once the peer has accepted them, and collect the events
    /// the peer produced. Returns how many bytes moved.
    pub fn deliver(
        &mut self,
        from: Side,
        observe: &mut dyn FnMut(Side, &[u8]),
    ) -> Result<usize, Error> {
        let (sender, receiver, receiver_events) = match from {
            Side::Client => (&mut self.client, &mut self.server, &mut self.server_events),
            Side::Server => (&mut self.server, &mut self.client, &mut self.client_events),
        };
        let mut bytes = Vec::new();
        let n = sender.transmit(&mut bytes);
        if n > 0 {
            receiver.receive(&bytes)?;
            observe(from, &bytes);
        }
        receiver_events.extend(std::iter::from_fn(|| receiver.poll_event()));
        Ok(n)
    }

    /// Move one flight from the client to the server. Returns how many bytes moved.
    pub fn client_to_server(&mut self) -> Result<usize, Error> {
        self.deliver(Side::Client, &mut |_, _| {})
    }

    /// Move one flight from the server to the client.
    pub fn server_to_client(&mut self) -> Result<usize, Error> {
        self.deliver(Side::Server, &mut |_, _| {})
    }

    /// Move bytes both ways until neither side has anything to send.
    pub fn drive(&mut self) -> Result<(), Error> {
        self.drive_observed(|_, _| {})
    }

    /// [`Pair::drive`], showing every flight to `observe` in the order it
    /// was sent (a capture, a byte count).
    pub fn drive_observed(&mut self, mut observe: impl FnMut(Side, &[u8])) -> Result<(), Error> {
        drive_until_quiet(|| {
            Ok(self.deliver(Side::Client, &mut observe)?
                + self.deliver(Side::Server, &mut observe)?)
        })
    }
}

/// A clock a test can move forward (ticket ages, expiry, key rotation).
/// Clones share one time.
#[derive(Clone)]
pub struct ManualClock(pub Arc<AtomicU64>);

impl ManualClock {
    /// A clock that reads `at` until it is advanced.
    pub fn new(at: UnixTime) -> Self {
        ManualClock(Arc::new(AtomicU64::new(at.0)))
    }

    /// Move this clock (and every clone of it) `secs` seconds forward.
    pub fn advance_secs(&self, secs: u64) {
        self.0.fetch_add(secs * 1000, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> UnixTime {
        UnixTime(self.0.load(Ordering::SeqCst))
    }
}

/// A fresh directory under the system temp dir, removed on drop (kept, and
/// its path printed, when the test is failing, to help the post-mortem).
pub struct TempDir(PathBuf);

impl TempDir {
    /// Create `minitls-test-TAG-PID-N-NANOS` under the system temp dir;
    /// the process id, a counter and the time keep parallel tests apart.
    ///
    /// # Panics
    ///
    /// If the directory cannot be created.
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "minitls-test-{tag}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
        ));
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        TempDir(path)
    }

    /// Where the directory is.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The path of `name` inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// The contents of the file `name`, which must exist and be UTF-8.
    pub fn read(&self, name: &str) -> String {
        let path = self.join(name);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// Write `contents` to the file `name`; returns its path.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, contents)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("(test files kept in {})", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
