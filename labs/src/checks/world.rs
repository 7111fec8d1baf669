//! The little world the resumption checks (exercises 19-25) share: one
//! demo PKI, one server strategy, one client ticket cache, and the two
//! clocks a check sets before each connection. Every connection is a real
//! minitls client and server joined in memory, with seeded randomness.

use std::sync::{Arc, Mutex};

use minitls::config::{FixedClock, UnixTime};
use minitls::pki::issue::DemoPki;
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::client_cache::{ClientSessionCache, StoredTicket};
use minitls::testing::{FIXED_NOW, PKI_SEED, Pair, SeededRng, demo_pki};
use minitls::trace::{RecordedEvent, Recorder};
use minitls::{ClientConfig, Connection, Error, ServerConfig};

/// The server name every connection asks for (the demo PKI's).
pub const SERVER_NAME: &str = "localhost";

/// One server (its strategy outlives connections) and one client identity
/// (its ticket cache outlives connections).
pub struct World {
    pki: DemoPki,
    /// How the server finds sessions again.
    pub strategy: Arc<dyn ResumptionStrategy>,
    /// The client's tickets.
    pub cache: Arc<Mutex<ClientSessionCache>>,
    /// What the client's clock reads during the next connection.
    pub client_now: UnixTime,
    /// What the server's clock reads during the next connection.
    pub server_now: UnixTime,
    /// The client's middlebox compatibility mode (on by default).
    pub middlebox_compatibility: bool,
    /// A fresh seed for each connection's two RNGs.
    seed: u64,
}

/// A connection that has run: the pair, what each side saw, and how it
/// ended.
pub struct Connected {
    /// The two connections, after the exchange.
    pub pair: Pair,
    /// Everything the client saw.
    pub client_trace: Recorder,
    /// How the exchange ended: an error is the one that stopped it.
    pub outcome: Result<(), Error>,
}

impl Connected {
    /// Whether the server resumed a session.
    pub fn resumed(&self) -> bool {
        self.outcome.is_ok() && self.pair.server.negotiated().resumed
    }
}

impl World {
    /// A world whose server resumes with `strategy`; both clocks at
    /// [`FIXED_NOW`].
    pub fn new(strategy: Arc<dyn ResumptionStrategy>) -> World {
        World {
            pki: demo_pki(PKI_SEED),
            strategy,
            cache: Arc::new(Mutex::new(ClientSessionCache::new(8))),
            client_now: FIXED_NOW,
            server_now: FIXED_NOW,
            middlebox_compatibility: true,
            seed: 100,
        }
    }

    /// A client and a server for the next connection, not yet driven, and
    /// the client's trace.
    pub fn pair(&mut self) -> (Pair, Recorder) {
        self.seed += 2;
        let mut server = ServerConfig::new(
            vec![self.pki.server_cert.clone()],
            self.pki.server_key.clone(),
        );
        server.rng = SeededRng::shared(self.seed);
        server.clock = Arc::new(FixedClock(self.server_now));
        server.resumption = Some(self.strategy.clone());

        let mut client = ClientConfig::new(self.pki.trust_anchors());
        client.rng = SeededRng::shared(self.seed + 1);
        client.clock = Arc::new(FixedClock(self.client_now));
        client.session_cache = Some(self.cache.clone());
        client.middlebox_compatibility = self.middlebox_compatibility;

        let trace = Recorder::default();
        let client = Connection::client_with_observer(
            Arc::new(client),
            SERVER_NAME,
            Box::new(trace.clone()),
        )
        .expect("the client starts");
        let server = Connection::server(Arc::new(server));
        (Pair::new(client, server), trace)
    }

    /// The next connection, driven until both sides are quiet.
    pub fn connect(&mut self) -> Connected {
        let (mut pair, client_trace) = self.pair();
        let outcome = pair.drive();
        Connected {
            pair,
            client_trace,
            outcome,
        }
    }

    /// The newest ticket in the client's cache, taken out of it.
    pub fn take_ticket(&self) -> Result<StoredTicket, String> {
        self.cache
            .lock()
            .map_err(|_| "the ticket cache is poisoned".to_string())?
            .take(SERVER_NAME, self.client_now)
            .ok_or_else(|| "the client holds no ticket after the handshake".to_string())
    }

    /// Make `ticket` the only one the client holds, so that the next
    /// connection offers exactly it.
    pub fn offer(&self, ticket: StoredTicket) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        *cache = ClientSessionCache::new(8);
        cache.insert(ticket);
    }
}

/// The bytes of every handshake message named `name` in `trace` that the
/// client sent (`sent`) or received.
pub fn messages(trace: &Recorder, name: &str, sent: bool) -> Vec<Vec<u8>> {
    trace
        .events()
        .into_iter()
        .filter_map(|event| match event {
            RecordedEvent::MessageSent(n, bytes) if sent && n == name => Some(bytes),
            RecordedEvent::MessageReceived(n, bytes) if !sent && n == name => Some(bytes),
            _ => None,
        })
        .collect()
}
