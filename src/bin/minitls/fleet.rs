//! `minitls fleet`: resumption behind a load balancer, measured.
//!
//! One command, no files: it issues a PKI in memory, starts N minitls
//! servers on loopback (the real accept loop of `minitls server`, in
//! process), our round-robin balancer in front of them (`balancer.rs`),
//! and a client that makes M connections through the balancer one after
//! another, each a full TLS 1.3 handshake or a resumption (RFC 8446 §2.2,
//! §4.6.1) followed by a short echo. It does so once per setup:
//!
//! | row | resumption | state |
//! |---|---|---|
//! | a | stateful | an in-memory store per server |
//! | b | stateful | one Redis store shared by all (RedisStore) |
//! | c | stateless | a ticket key per server |
//! | d | stateless | ticket keys shared by all (one key file) |
//! | e | stateless | shared keys, measured right after a rotation |
//!
//! and prints one table: the resumption hit rate, handshakes per second,
//! the median handshake time, what the servers hold per session, and the
//! hit rate before and after server 1 is restarted half-way through.
//!
//! The client offers its newest ticket (`client_cache.rs`), which the
//! previous connection received, from the previous server in the rotation.
//! So with state kept per server the next server never knows the ticket,
//! and with shared state it always does: that is the shape the tests check
//! (`tests/fleet.rs`), since the figures themselves vary from run to run.
//!
//! `--json` prints the figures as JSON instead of the table, and
//! `--markdown FILE` writes the table as Markdown for the book
//! (`book/src/generated/fleet.md`).

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use minitls::pki::issue::DemoPki;
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::client_cache::ClientSessionCache;
use minitls::resumption::redis::RedisStore;
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::ticket_keys::TicketKeys;
use minitls::resumption::ticketer::Ticketer;
use minitls::stream::Stream;
use minitls::time::{Clock, SystemClock};
use minitls::{ClientConfig, Connection, ServerConfig};

use crate::balancer::Balancer;
use crate::output::print;
use crate::shared::{describe_failure, now_secs};

/// The flags of `minitls fleet`.
#[derive(clap::Args)]
pub struct FleetArgs {
    /// How many servers behind the balancer.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(2..=16))]
    servers: u16,
    /// Connections the client makes through the balancer, per setup.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(4..=100_000))]
    connections: u32,
    /// Print the figures as JSON (one object per setup) instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write the table as Markdown to this file (the book includes one).
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
}

/// Sessions an in-memory store keeps (more than a run issues).
const STORE_CAPACITY: usize = 100_000;
/// A ticket key seals for this long; the fleet rotates by hand anyway.
const ROTATION_PERIOD_SECS: u64 = 12 * 3600;
/// The most any client read or write may wait: a run is bounded.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a Redis command may take before the handshake goes on as a
/// full one (`minitls server --session-store-timeout`'s default).
const REDIS_TIMEOUT: Duration = Duration::from_millis(100);
/// How long a started redis-server has to accept connections.
const REDIS_STARTUP: Duration = Duration::from_secs(5);
/// The index of the server restarted half-way through each run.
const RESTARTED: usize = 1;

/// `minitls fleet`: measure every setup, print the table.
pub fn run(args: FleetArgs) -> Result<(), String> {
    let pki = DemoPki::generate(&mut minitls::crypto::os_rng(), &["localhost"], now_secs());
    let fleet = Fleet {
        pki,
        servers: usize::from(args.servers),
        connections: args.connections as usize,
    };
    let redis = RedisServer::start_if_installed()?;
    let rows = vec![
        fleet.row(
            "stateful, a store per server",
            "stateful-per-server",
            || Ok(Backing::StorePerServer),
        ),
        fleet.row("stateful, shared Redis store", "stateful-redis", || {
            redis_backing(redis.as_ref())
        }),
        fleet.row(
            "stateless, a key per server",
            "stateless-per-server",
            || Ok(Backing::KeyPerServer),
        ),
        fleet.row("stateless, shared keys", "stateless-shared", || {
            shared_keys_backing(false)
        }),
        fleet.row(
            "stateless, shared keys, just rotated",
            "stateless-rotated",
            || shared_keys_backing(true),
        ),
    ];
    drop(redis);
    let table = Table {
        servers: fleet.servers,
        connections: fleet.connections,
        rows,
    };
    if let Some(path) = &args.markdown {
        std::fs::write(path, table.markdown())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if args.json {
        print(table.json());
    } else {
        print(table.text());
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// What the servers of one row share
// ---------------------------------------------------------------------------

// ANCHOR: backing
/// Where the servers of one row keep their resumption state.
enum Backing {
    /// Stateful: each server its own in-memory store; a restarted server
    /// starts with an empty one.
    StorePerServer,
    /// Stateful: one store outside the servers. Each server, and a
    /// restarted one, opens its own connection to it with `open`, so what
    /// they share is the store, not an object of this process.
    /// `bytes_per_session` asks the store what a session costs it (Redis:
    /// `MEMORY USAGE`).
    SharedStore {
        open: Box<dyn Fn() -> Result<StatefulStrategy, String>>,
        bytes_per_session: Box<dyn Fn() -> Result<usize, String>>,
    },
    /// Stateless: each server its own random key; a restarted server draws
    /// a new one.
    KeyPerServer,
    /// Stateless: every server reads its keys from one key file, as
    /// `minitls server --ticket-keys FILE` does; a restarted server reads
    /// it again. `rotate_first`: after a warm-up connection, rotate the
    /// file (`minitls ticket-keys rotate`) and hand every running server
    /// the new keys (what its watcher does when the file changes), then
    /// measure, so the first ticket offered is sealed under the previous
    /// key.
    SharedKeys {
        file: KeyFile,
        /// Every server's ticketer, for the rotation's reload.
        running: Mutex<Vec<Arc<Ticketer>>>,
        rotate_first: bool,
    },
}
// ANCHOR_END: backing

/// A server's resumption strategy, and its store when the row counts
/// the bytes of per-server stores.
struct MadeState {
    strategy: Arc<dyn ResumptionStrategy>,
    own_store: Option<Arc<StatefulStrategy>>,
}

impl Backing {
    /// The state for a server starting (or restarting) now.
    fn for_server(&self) -> Result<MadeState, String> {
        Ok(match self {
            Backing::StorePerServer => {
                let store = Arc::new(StatefulStrategy::in_memory(STORE_CAPACITY));
                MadeState {
                    strategy: store.clone(),
                    own_store: Some(store),
                }
            }
            Backing::SharedStore { open, .. } => MadeState {
                strategy: Arc::new(open()?),
                own_store: None,
            },
            Backing::KeyPerServer => MadeState {
                strategy: Arc::new(Ticketer::new(ROTATION_PERIOD_SECS)),
                own_store: None,
            },
            Backing::SharedKeys { file, running, .. } => {
                let keys = TicketKeys::read(&file.path).map_err(|e| e.to_string())?;
                let ticketer = Arc::new(Ticketer::from_keys(&keys));
                running
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(ticketer.clone());
                MadeState {
                    strategy: ticketer,
                    own_store: None,
                }
            }
        })
    }

    /// What the servers hold per session, after the run: stores' bytes
    /// over their sessions; nothing for tickets but the keys.
    fn bytes_per_session(&self, stores: &[Arc<StatefulStrategy>]) -> Result<String, String> {
        match self {
            Backing::StorePerServer => {
                let held: usize = stores.iter().map(|s| s.bytes_held()).sum();
                let sessions: usize = stores.iter().map(|s| s.len()).sum();
                Ok(held.checked_div(sessions).unwrap_or(0).to_string())
            }
            Backing::SharedStore {
                bytes_per_session, ..
            } => bytes_per_session().map(|b| b.to_string()),
            Backing::KeyPerServer | Backing::SharedKeys { .. } => Ok("0 (+ keys)".into()),
        }
    }
}

/// Rows (d) and (e): a fresh key file in a temporary directory.
fn shared_keys_backing(rotate_first: bool) -> Result<Backing, String> {
    Ok(Backing::SharedKeys {
        file: KeyFile::new()?,
        running: Mutex::new(Vec::new()),
        rotate_first,
    })
}

/// A ticket key file of the fleet's own, removed with its directory when
/// dropped.
struct KeyFile {
    dir: PathBuf,
    path: PathBuf,
}

impl KeyFile {
    /// One fresh key, written as `minitls ticket-keys new` writes it.
    fn new() -> Result<KeyFile, String> {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("minitls-fleet-keys-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let file = KeyFile {
            path: dir.join("ticket.keys"),
            dir,
        };
        TicketKeys::generate(&mut minitls::crypto::os_rng(), SystemClock.now())
            .write_atomically(&file.path)
            .map_err(|e| e.to_string())?;
        Ok(file)
    }

    /// `minitls ticket-keys rotate FILE`: a new key first, the old ones
    /// kept (three in all), written atomically; the new keys returned.
    fn rotate(&self) -> Result<TicketKeys, String> {
        let keys = TicketKeys::read(&self.path)
            .map_err(|e| e.to_string())?
            .rotated(&mut minitls::crypto::os_rng(), SystemClock.now(), 3);
        keys.write_atomically(&self.path)
            .map_err(|e| e.to_string())?;
        Ok(keys)
    }
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Row (b): every server (and the restarted one) opens its own
/// `RedisStore` on the fleet's redis-server, as `minitls server
/// --session-store URL` does, and one more handle asks Redis what a session
/// costs it (`MEMORY USAGE`). Without redis-server the row says how to
/// install it.
fn redis_backing(redis: Option<&RedisServer>) -> Result<Backing, String> {
    let Some(redis) = redis else {
        return Err(
            "not measured: redis-server is not on PATH (install it: apt-get install redis-server)"
                .into(),
        );
    };
    let url = redis.url();
    let open = move || {
        RedisStore::open(&url, REDIS_TIMEOUT)
            .map(|store| store.with_log(|line| eprintln!("minitls fleet: {line}")))
            .map_err(|e| e.to_string())
    };
    let probe = open()?;
    Ok(Backing::SharedStore {
        open: Box::new(move || Ok(StatefulStrategy::new(Box::new(open()?)))),
        bytes_per_session: Box::new(move || {
            probe
                .memory_usage()
                .map(|m| m.bytes_per_session)
                .map_err(|r| r.reason().to_string())
        }),
    })
}

// ---------------------------------------------------------------------------
// One row: servers, balancer, client
// ---------------------------------------------------------------------------

/// What every row shares.
struct Fleet {
    pki: DemoPki,
    servers: usize,
    connections: usize,
}

/// One line of the table: a setup and what it measured, or why not.
struct Row {
    label: &'static str,
    key: &'static str,
    outcome: Result<Measured, String>,
}

/// The figures of one measured setup.
struct Measured {
    /// Connections that offered a ticket, and those resumed.
    offered: usize,
    resumed: usize,
    /// The same two counts before and after server 1 was restarted.
    before_restart: (usize, usize),
    after_restart: (usize, usize),
    handshakes_per_second: f64,
    median_handshake: Duration,
    bytes_per_session: String,
    /// Rotation row: whether the first ticket offered after the rotation,
    /// sealed under the previous key, resumed.
    previous_key_resumed: Option<bool>,
}

/// One of the fleet's servers: its accept loop on its own thread.
struct RunningServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// Listen on `addr` (port 0: a free one) and serve `config`.
    fn start(addr: SocketAddr, config: Arc<ServerConfig>) -> Result<RunningServer, String> {
        let listener =
            TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name(format!("fleet server {addr}"))
                .spawn(move || crate::server::serve_quietly_until(&listener, config, &stop))
                .map_err(|e| format!("cannot start a server thread: {e}"))?
        };
        Ok(RunningServer {
            addr,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for RunningServer {
    /// Stop accepting and close the listener (its port is free again once
    /// this returns, which is what a restart on the same port needs).
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        let _ = TcpStream::connect_timeout(&self.addr, IO_TIMEOUT);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Fleet {
    /// Measure one setup; a setup that cannot run says why in its row.
    fn row(
        &self,
        label: &'static str,
        key: &'static str,
        backing: impl FnOnce() -> Result<Backing, String>,
    ) -> Row {
        Row {
            label,
            key,
            outcome: backing().and_then(|b| self.measure(&b)),
        }
    }

    fn server_config(&self, strategy: Arc<dyn ResumptionStrategy>) -> Arc<ServerConfig> {
        let mut c = ServerConfig::new(
            vec![self.pki.server_cert.clone()],
            self.pki.server_key.clone(),
        );
        c.resumption = Some(strategy);
        Arc::new(c)
    }

    /// Start the servers and the balancer, make the connections (restarting
    /// server 1 half-way), and measure.
    fn measure(&self, backing: &Backing) -> Result<Measured, String> {
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        let mut servers = Vec::new();
        let mut stores = Vec::new();
        for _ in 0..self.servers {
            let made = backing.for_server()?;
            stores.extend(made.own_store);
            servers.push(RunningServer::start(
                loopback,
                self.server_config(made.strategy),
            )?);
        }
        let balancer = Balancer::start(servers.iter().map(|s| s.addr).collect())
            .map_err(|e| format!("cannot start the balancer: {e}"))?;
        let mut client = ClientConfig::new(self.pki.trust_anchors());
        let cache = Arc::new(Mutex::new(ClientSessionCache::new(16)));
        client.session_cache = Some(cache.clone());
        let client = Arc::new(client);

        let mut previous_key_resumed = None;
        if let Backing::SharedKeys {
            file,
            running,
            rotate_first: true,
        } = backing
        {
            // A ticket under the key in use, then a new key seals: the
            // previous one must still open (RFC 8446 §8, RFC 5077 §5.5).
            connect(balancer.addr(), &client, &cache)?;
            let keys = file.rotate()?;
            for ticketer in running.lock().unwrap_or_else(|p| p.into_inner()).iter() {
                ticketer.set_keys(&keys);
            }
            let first = connect(balancer.addr(), &client, &cache)?;
            previous_key_resumed = Some(first.offered && first.resumed);
        }

        let mut runs = Vec::with_capacity(self.connections);
        let half = self.connections / 2;
        let started = Instant::now();
        let mut restart_time = Duration::ZERO;
        for i in 0..self.connections {
            if i == half {
                // Restart server 1 on the same port: the balancer keeps its
                // address, as it would keep a real server's.
                let restarting = Instant::now();
                let addr = servers[RESTARTED].addr;
                drop(servers.remove(RESTARTED));
                let made = backing.for_server()?;
                if made.own_store.is_some() {
                    stores.remove(RESTARTED);
                }
                let config = self.server_config(made.strategy);
                servers.insert(RESTARTED, RunningServer::start(addr, config)?);
                if let Some(store) = made.own_store {
                    stores.insert(RESTARTED, store);
                }
                restart_time = restarting.elapsed();
            }
            runs.push(connect(balancer.addr(), &client, &cache)?);
        }
        let elapsed = started.elapsed().saturating_sub(restart_time);
        drop(balancer);
        drop(servers);

        let count = |runs: &[Run]| {
            let offered = runs.iter().filter(|r| r.offered).count();
            let resumed = runs.iter().filter(|r| r.offered && r.resumed).count();
            (offered, resumed)
        };
        let (offered, resumed) = count(&runs);
        let mut times: Vec<Duration> = runs.iter().map(|r| r.handshake).collect();
        Ok(Measured {
            offered,
            resumed,
            before_restart: count(&runs[..half]),
            after_restart: count(&runs[half..]),
            handshakes_per_second: runs.len() as f64 / elapsed.as_secs_f64().max(1e-9),
            median_handshake: median(&mut times),
            bytes_per_session: backing.bytes_per_session(&stores)?,
            previous_key_resumed,
        })
    }
}

/// One client connection through the balancer.
struct Run {
    /// The client had a ticket to offer.
    offered: bool,
    resumed: bool,
    /// From connect to the end of the handshake.
    handshake: Duration,
}

/// Connect, handshake (timed), send a ping and read its echo (which also
/// takes in the tickets sent before it), close.
fn connect(
    to: SocketAddr,
    client: &Arc<ClientConfig>,
    cache: &Mutex<ClientSessionCache>,
) -> Result<Run, String> {
    // Every ticket is for "localhost" and lives far longer than a run, so
    // a non-empty cache means the client offers one.
    let offered = cache.lock().map(|c| !c.is_empty()).unwrap_or(false);
    let started = Instant::now();
    let tcp = TcpStream::connect_timeout(&to, IO_TIMEOUT).map_err(|e| e.to_string())?;
    for timeout in [
        tcp.set_read_timeout(Some(IO_TIMEOUT)),
        tcp.set_write_timeout(Some(IO_TIMEOUT)),
    ] {
        timeout.map_err(|e| e.to_string())?;
    }
    let _ = tcp.set_nodelay(true);
    let conn = Connection::client(client.clone(), "localhost").map_err(|e| e.to_string())?;
    let mut stream = Stream::new(conn, tcp);
    stream
        .handshake()
        .map_err(|e| describe_failure(&stream.conn, &e))?;
    let handshake = started.elapsed();
    let mut echo = [0u8; 4];
    stream
        .write_all(b"ping")
        .and_then(|()| stream.read_exact(&mut echo))
        .map_err(|e| format!("echo through the balancer: {e}"))?;
    if &echo != b"ping" {
        return Err("the echo through the balancer came back different".into());
    }
    let resumed = stream.conn.negotiated().resumed;
    let _ = stream.close();
    Ok(Run {
        offered,
        resumed,
        handshake,
    })
}

/// The middle value (the mean of the two middle ones for an even count);
/// a median, not a mean, so one slow outlier does not move it.
fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    let n = times.len();
    match n {
        0 => Duration::ZERO,
        _ if n % 2 == 1 => times[n / 2],
        _ => (times[n / 2 - 1] + times[n / 2]) / 2,
    }
}

// ---------------------------------------------------------------------------
// Redis, when installed
// ---------------------------------------------------------------------------

/// A redis-server of our own on a free loopback port, in a temporary
/// directory, killed (by its process handle) and cleaned up when dropped.
/// Never a system instance: nothing of a real deployment is touched.
struct RedisServer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl RedisServer {
    /// `None` when redis-server is not on PATH.
    fn start_if_installed() -> Result<Option<RedisServer>, String> {
        let Some(program) = on_path("redis-server") else {
            return Ok(None);
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("cannot find a free port for redis-server: {e}"))?
            .port();
        let dir =
            std::env::temp_dir().join(format!("minitls-fleet-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let child = Command::new(&program)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            // No persistence: the fleet's sessions die with it.
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
        let redis = RedisServer { child, port, dir };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + REDIS_STARTUP;
        // A connect to a free port in the ephemeral range can get that very
        // port as its own and connect to itself (TCP simultaneous open) with
        // nobody listening: only a connection to another socket counts.
        let listening = || {
            TcpStream::connect_timeout(&addr, Duration::from_millis(200))
                .is_ok_and(|probe| probe.local_addr().ok() != Some(addr))
        };
        while !listening() {
            if Instant::now() >= deadline {
                return Err(format!(
                    "redis-server did not listen on {addr} within {REDIS_STARTUP:?}"
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!(
            "minitls fleet: started {} on {} (stopped at the end)",
            program.display(),
            redis.url()
        );
        Ok(Some(redis))
    }

    /// `redis://127.0.0.1:PORT`, as `--session-store` takes it.
    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The first `name` in a PATH directory.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

// ---------------------------------------------------------------------------
// The table, as text, Markdown and JSON
// ---------------------------------------------------------------------------

/// Every row, and how they were measured.
struct Table {
    servers: usize,
    connections: usize,
    rows: Vec<Row>,
}

/// The columns, in order, after the setup.
const COLUMNS: [&str; 5] = [
    "hit rate (resumed / offered)",
    "handshakes/s",
    "median handshake",
    "server bytes per session",
    "server 1 restarted: hit before → after",
];

/// `97% (29/30)`; `-` when nothing was offered.
fn rate(offered: usize, resumed: usize) -> String {
    match (resumed * 100).checked_div(offered) {
        Some(percent) => format!("{percent}% ({resumed}/{offered})"),
        None => "-".into(),
    }
}

/// Just the percentage, for the restart column.
fn percent((offered, resumed): (usize, usize)) -> String {
    match (resumed * 100).checked_div(offered) {
        Some(p) => format!("{p}%"),
        None => "-".into(),
    }
}

impl Measured {
    /// The cells of [`COLUMNS`].
    fn cells(&self) -> [String; 5] {
        [
            rate(self.offered, self.resumed),
            format!("{:.0}", self.handshakes_per_second),
            format!("{:.2} ms", self.median_handshake.as_secs_f64() * 1000.0),
            self.bytes_per_session.clone(),
            format!(
                "{} → {}",
                percent(self.before_restart),
                percent(self.after_restart)
            ),
        ]
    }
}

impl Table {
    fn heading(&self) -> String {
        format!(
            "{} servers behind a round-robin balancer, {} connections per setup, one after another; \
             server {RESTARTED} restarted after {}",
            self.servers,
            self.connections,
            self.connections / 2
        )
    }

    /// What the columns mean and what the rotation row found.
    fn notes(&self) -> Vec<String> {
        let mut notes = vec![
            "hit rate: resumed connections over connections that offered a ticket \
             (the client offers its newest, issued by the previous server)"
                .to_string(),
            "handshakes/s: connections (handshake and a 4-byte echo) per second, one at a time"
                .into(),
            "server bytes per session: in memory, the IDs and encoded sessions a store holds \
             (its table's own overhead comes on top: cargo bench --bench memory); in Redis, its own \
             MEMORY USAGE per key; tickets cost the servers only their keys"
                .into(),
        ];
        for row in &self.rows {
            if let Ok(Measured {
                previous_key_resumed: Some(resumed),
                ..
            }) = &row.outcome
            {
                notes.push(format!(
                    "{}: the first ticket offered after the rotation, sealed under the previous key, {}",
                    row.label,
                    if *resumed { "resumed" } else { "did NOT resume" }
                ));
            }
        }
        notes
    }

    /// For the terminal: aligned columns.
    fn text(&self) -> String {
        let mut lines: Vec<Vec<String>> = Vec::new();
        let mut header = vec!["setup".to_string()];
        header.extend(COLUMNS.iter().map(|c| c.to_string()));
        lines.push(header);
        for row in &self.rows {
            let mut line = vec![row.label.to_string()];
            match &row.outcome {
                Ok(m) => line.extend(m.cells()),
                Err(why) => line.push(why.clone()),
            }
            lines.push(line);
        }
        let mut widths = [0usize; 6];
        for line in lines.iter().filter(|l| l.len() == 6) {
            for (w, cell) in widths.iter_mut().zip(line) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = format!("minitls fleet: {}\n\n", self.heading());
        for line in &lines {
            let mut text = String::new();
            for (cell, width) in line.iter().zip(widths) {
                let pad = width.saturating_sub(cell.chars().count());
                let _ = write!(text, "{cell}{}  ", " ".repeat(pad));
            }
            out.push_str("  ");
            out.push_str(text.trim_end());
            out.push('\n');
        }
        out.push('\n');
        for note in self.notes() {
            let _ = writeln!(out, "  {note}");
        }
        out.trim_end().to_string()
    }

    /// For the book: a Markdown table, the same cells. A row that was not
    /// measured keeps the table's shape with its reason in the first
    /// column after the setup and `-` in the others.
    fn markdown(&self) -> String {
        let mut out = format!(
            "<!-- Written by `minitls fleet --markdown FILE`; tests/fleet.rs checks its shape. -->\n\n\
             *{}.*\n\n| setup | {} |\n|---|{}\n",
            self.heading(),
            COLUMNS.join(" | "),
            "---|".repeat(COLUMNS.len())
        );
        for row in &self.rows {
            let cells: Vec<String> = match &row.outcome {
                Ok(m) => m.cells().to_vec(),
                Err(why) => {
                    let mut cells = vec![why.clone()];
                    cells.resize(COLUMNS.len(), "-".into());
                    cells
                }
            };
            let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            let _ = writeln!(out, "| {} | {} |", row.label, cells.join(" | "));
        }
        out.push('\n');
        for note in self.notes() {
            let _ = writeln!(out, "- {note}");
        }
        out
    }

    /// For tests: one object per row, every figure a plain field.
    fn json(&self) -> String {
        let rows: Vec<String> = self.rows.iter().map(row_json).collect();
        format!(
            "{{\"servers\": {}, \"connections\": {}, \"restarted_server\": {RESTARTED}, \"rows\": [\n  {}\n]}}",
            self.servers,
            self.connections,
            rows.join(",\n  ")
        )
    }
}

/// One row as a flat JSON object.
fn row_json(row: &Row) -> String {
    let head = format!(
        "\"key\": {}, \"setup\": {}",
        json_string(row.key),
        json_string(row.label)
    );
    match &row.outcome {
        Err(why) => format!(
            "{{{head}, \"measured\": false, \"note\": {}}}",
            json_string(why)
        ),
        Ok(m) => format!(
            "{{{head}, \"measured\": true, \"offered\": {}, \"resumed\": {}, \
             \"offered_before_restart\": {}, \"resumed_before_restart\": {}, \
             \"offered_after_restart\": {}, \"resumed_after_restart\": {}, \
             \"handshakes_per_second\": {:.1}, \"median_handshake_ms\": {:.3}, \
             \"bytes_per_session\": {}, \"previous_key_resumed\": {}}}",
            m.offered,
            m.resumed,
            m.before_restart.0,
            m.before_restart.1,
            m.after_restart.0,
            m.after_restart.1,
            m.handshakes_per_second,
            m.median_handshake.as_secs_f64() * 1000.0,
            json_string(&m.bytes_per_session),
            match m.previous_key_resumed {
                None => "null".to_string(),
                Some(b) => b.to_string(),
            }
        ),
    }
}

/// A JSON string literal (RFC 8259 §7): quotes, backslashes and control
/// characters escaped.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use minitls::resumption::store::{InMemoryStore, SessionStore};
    use minitls::resumption::{Rejection, Session};
    use minitls::time::UnixTime;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_median_is_the_middle_not_the_mean() {
        assert_eq!(median(&mut [ms(9), ms(1), ms(1000)]), ms(9));
        assert_eq!(
            median(&mut [ms(4), ms(1), ms(3), ms(2)]),
            Duration::from_micros(2500)
        );
        assert_eq!(median(&mut []), Duration::ZERO);
    }

    #[test]
    fn rates_say_when_nothing_was_offered() {
        assert_eq!(rate(30, 29), "96% (29/30)");
        assert_eq!(rate(0, 0), "-");
        assert_eq!(percent((4, 4)), "100%");
        assert_eq!(percent((0, 0)), "-");
    }

    #[test]
    fn json_strings_escape_quotes_and_controls() {
        assert_eq!(json_string("a\"b\\c\n"), r#""a\"b\\c\u000a""#);
    }

    /// One in-memory store behind every server's own handle: what a
    /// networked store looks like to the servers, without the network.
    struct Handle(Arc<InMemoryStore>);

    impl SessionStore for Handle {
        fn insert(&self, id: &[u8], session: &Session, now: UnixTime) -> bool {
            self.0.insert(id, session, now)
        }
        fn get(&self, id: &[u8], now: UnixTime) -> Result<Session, Rejection> {
            self.0.get(id, now)
        }
        fn remove(&self, id: &[u8]) -> Result<(), Rejection> {
            self.0.remove(id)
        }
        fn len(&self) -> usize {
            self.0.len()
        }
        fn bytes_held(&self) -> usize {
            self.0.bytes_held()
        }
    }

    /// Row (b)'s code path, with a store shared in memory standing in for
    /// Redis: every server opens its own handle, the restarted one too,
    /// and tickets issued by one server resume on the next.
    #[test]
    fn a_shared_store_resumes_across_servers_and_a_restart() {
        let fleet = Fleet {
            pki: DemoPki::generate(&mut minitls::crypto::os_rng(), &["localhost"], now_secs()),
            servers: 3,
            connections: 12,
        };
        let shared = Arc::new(InMemoryStore::new(1000));
        let (open_from, measure_from) = (shared.clone(), shared);
        let backing = Backing::SharedStore {
            open: Box::new(move || Ok(StatefulStrategy::new(Box::new(Handle(open_from.clone()))))),
            bytes_per_session: Box::new(move || {
                Ok(measure_from.bytes_held() / measure_from.len().max(1))
            }),
        };
        let m = fleet.measure(&backing).expect("measured");
        assert_eq!((m.offered, m.resumed), (11, 11));
        assert_eq!(m.after_restart, (6, 6));
        assert_ne!(m.bytes_per_session, "0");
    }

    fn measured(offered: usize, resumed: usize) -> Measured {
        Measured {
            offered,
            resumed,
            before_restart: (offered / 2, resumed / 2),
            after_restart: (offered - offered / 2, resumed - resumed / 2),
            handshakes_per_second: 100.0,
            median_handshake: ms(2),
            bytes_per_session: "0 (+ keys)".into(),
            previous_key_resumed: Some(true),
        }
    }

    /// Every Markdown row has a cell per column, measured or not, and a
    /// reason with a `|` in it cannot add a cell.
    #[test]
    fn markdown_rows_keep_the_table_shape() {
        let table = Table {
            servers: 3,
            connections: 10,
            rows: vec![
                Row {
                    label: "measured",
                    key: "m",
                    outcome: Ok(measured(9, 9)),
                },
                Row {
                    label: "not measured",
                    key: "n",
                    outcome: Err("why | not".into()),
                },
            ],
        };
        let markdown = table.markdown();
        let rows: Vec<&str> = markdown.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(rows.len(), 4, "{markdown}");
        for row in rows {
            let cells = row.replace("\\|", "").matches('|').count() - 1;
            assert_eq!(cells, COLUMNS.len() + 1, "{row}");
        }
        assert!(markdown.contains("| measured | 100% (9/9) |"), "{markdown}");
        assert!(table.json().contains("\"previous_key_resumed\": true"));
    }
}
