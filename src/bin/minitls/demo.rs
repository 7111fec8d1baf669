//! `minitls demo`: needs no files. It issues a PKI in memory, starts a
//! server on loopback and runs a full handshake, a resumption by ID lookup
//! (stateful), one by ticket (stateless) and one without key exchange
//! (psk_ke), then prints what each cost: round trips, messages, bytes,
//! signatures, X25519 operations, server memory and time.

use std::fmt;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use minitls::messages::{PSK_DHE_KE, PSK_KE};
use minitls::pki::issue::DemoPki;
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::client_cache::ClientSessionCache;
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::ticketer::Ticketer;
use minitls::stream::Stream;
use minitls::trace::{Direction, Stats, StatsData};
use minitls::{ClientConfig, Connection, Negotiated, ServerConfig};

use crate::output::print;
use crate::shared::{describe_failure, now_secs, one_line_summary};

/// Runs the four connections and prints what they cost (the handshake
/// time as a median over many more).
pub fn run() -> Result<(), String> {
    print(
        "minitls demo: a full TLS 1.3 handshake, then resumption by ID lookup (stateful),\n\
         by encrypted ticket (stateless), and without key exchange (psk_ke), over loopback\n",
    );
    let pki = DemoPki::generate(&mut minitls::crypto::os_rng(), &["localhost"], now_secs());
    let demo = Demo::run(&pki)?;
    let n = &demo.full.negotiated;
    print(format!("negotiated: {}", one_line_summary(n)));
    print(format!(
        "server certificate: {} (issued by {})\n",
        n.peer_subject.as_deref().unwrap_or("-"),
        n.peer_issuer.as_deref().unwrap_or("-")
    ));
    print("the full handshake, message by message (client's view):");
    print(Messages(&demo.full.client));
    print("\nthe same client resuming by ticket:");
    print(Messages(&demo.by_ticket.client));
    print("");
    let costs = Costs {
        runs: [
            ("full", &demo.full),
            ("by ID", &demo.by_id),
            ("by ticket", &demo.by_ticket),
            ("psk_ke", &demo.psk_ke),
        ],
        stateful_bytes_per_session: demo.stateful_bytes_per_session,
    };
    for (label, run) in &costs.runs[1..] {
        if !run.negotiated.resumed {
            return Err(format!("the {label} connection did not resume"));
        }
    }
    print(&costs);
    let per_session = costs.stateful_bytes_per_session;
    print(format!(
        "\n  server memory: by ID, the store holds {per_session} bytes per session (ID + session);\n  \
         by ticket, nothing per session: the session travels inside the ticket, sealed with a key."
    ));
    print(
        "  psk_ke saves every X25519 operation, and with them forward secrecy: whoever later\n  \
         learns the ticket's PSK can decrypt the whole resumed connection.",
    );
    Ok(())
}

/// The demo's measured connections (each resumed one after a full
/// handshake that got its ticket), and what the stateful store held.
struct Demo {
    full: DemoRun,
    by_id: DemoRun,
    by_ticket: DemoRun,
    psk_ke: DemoRun,
    stateful_bytes_per_session: usize,
}

impl Demo {
    fn run(pki: &DemoPki) -> Result<Demo, String> {
        // Resumption by ID: the server keeps each session in a store.
        let store = Arc::new(StatefulStrategy::in_memory(1000));
        let stateful = server_config(pki, store.clone(), vec![PSK_DHE_KE]);
        let client = client_config(pki, vec![PSK_DHE_KE]);
        let mut full = connect(stateful.clone(), client.clone())?;
        let mut by_id = connect(stateful.clone(), client.clone())?;
        let (held, sessions) = (store.bytes_held(), store.len());
        // A client without a ticket cache makes only full handshakes.
        let mut no_tickets = ClientConfig::new(pki.trust_anchors());
        no_tickets.session_cache = None;
        full.median_time = median_time(&stateful, &Arc::new(no_tickets))?;
        by_id.median_time = median_time(&stateful, &client)?;

        // Resumption by ticket: the server keeps only a key.
        let ticketer = Arc::new(Ticketer::new(3600));
        let stateless = server_config(pki, ticketer, vec![PSK_DHE_KE]);
        let client = client_config(pki, vec![PSK_DHE_KE]);
        connect(stateless.clone(), client.clone())?;
        let mut by_ticket = connect(stateless.clone(), client.clone())?;
        by_ticket.median_time = median_time(&stateless, &client)?;

        // psk_ke: no key exchange at all (and no forward secrecy).
        let ticketer = Arc::new(Ticketer::new(3600));
        let psk_ke_server = server_config(pki, ticketer, vec![PSK_DHE_KE, PSK_KE]);
        let client = client_config(pki, vec![PSK_KE]);
        connect(psk_ke_server.clone(), client.clone())?;
        let mut psk_ke = connect(psk_ke_server.clone(), client.clone())?;
        psk_ke.median_time = median_time(&psk_ke_server, &client)?;

        Ok(Demo {
            full,
            by_id,
            by_ticket,
            psk_ke,
            stateful_bytes_per_session: held.checked_div(sessions).unwrap_or(0),
        })
    }
}

fn server_config(
    pki: &DemoPki,
    strategy: Arc<dyn ResumptionStrategy>,
    psk_modes: Vec<u8>,
) -> Arc<ServerConfig> {
    let mut c = ServerConfig::new(vec![pki.server_cert.clone()], pki.server_key.clone());
    c.resumption = Some(strategy);
    c.psk_modes = psk_modes;
    Arc::new(c)
}

fn client_config(pki: &DemoPki, psk_modes: Vec<u8>) -> Arc<ClientConfig> {
    let mut c = ClientConfig::new(pki.trust_anchors());
    c.session_cache = Some(Arc::new(Mutex::new(ClientSessionCache::new(8))));
    c.psk_modes = psk_modes;
    Arc::new(c)
}

/// Handshakes timed per column: one handshake's time is mostly noise
/// (a thread start, a cache miss), so the table shows the median of many.
const TIMED_HANDSHAKES: usize = 51;

/// One demo connection's measurements.
struct DemoRun {
    client: StatsData,
    server: StatsData,
    negotiated: Negotiated,
    /// The median of [`TIMED_HANDSHAKES`] more connections of the same
    /// kind (each resumed one with a fresh ticket from the one before).
    median_time: Duration,
}

/// The median handshake time of [`TIMED_HANDSHAKES`] connections.
fn median_time(server: &Arc<ServerConfig>, client: &Arc<ClientConfig>) -> Result<Duration, String> {
    let mut times = Vec::with_capacity(TIMED_HANDSHAKES);
    for _ in 0..TIMED_HANDSHAKES {
        times.push(connect(server.clone(), client.clone())?.median_time);
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// One loopback connection: a server thread, a client, a ping.
fn connect(server: Arc<ServerConfig>, client: Arc<ClientConfig>) -> Result<DemoRun, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server_stats = Stats::default();
    let server_side = {
        let stats = server_stats.clone();
        std::thread::spawn(move || serve_one(&listener, server, stats))
    };
    let client_stats = Stats::default();
    let started = Instant::now();
    let tcp = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    let conn =
        Connection::client_with_observer(client, "localhost", Box::new(client_stats.clone()))
            .map_err(|e| e.to_string())?;
    let mut stream = Stream::new(conn, tcp);
    stream
        .handshake()
        .map_err(|e| describe_failure(&stream.conn, &e))?;
    let time = started.elapsed();
    stream.write_all(b"ping").map_err(|e| e.to_string())?;
    let mut buf = [0u8; 4];
    // Reading the echo also takes in the tickets that precede it.
    stream.read_exact(&mut buf).map_err(|e| e.to_string())?;
    let negotiated = stream.conn.negotiated().clone();
    let _ = stream.close();
    server_side
        .join()
        .map_err(|_| "server thread panicked".to_string())??;
    Ok(DemoRun {
        client: client_stats.get(),
        server: server_stats.get(),
        negotiated,
        // One handshake's own time, until a caller puts the median here.
        median_time: time,
    })
}

/// Serve exactly one connection on `listener` (handshake, echo, close).
fn serve_one(
    listener: &TcpListener,
    config: Arc<ServerConfig>,
    stats: Stats,
) -> Result<(), String> {
    let (tcp, _) = listener.accept().map_err(|e| e.to_string())?;
    let conn = Connection::server_with_observer(config, Box::new(stats));
    let mut stream = Stream::new(conn, tcp);
    stream
        .handshake()
        .map_err(|e| describe_failure(&stream.conn, &e))?;
    let mut buf = [0u8; 64];
    let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
    stream.write_all(&buf[..n]).map_err(|e| e.to_string())?;
    stream.close().map_err(|e| e.to_string())
}

/// The handshake messages of one connection, as the client saw them.
struct Messages<'a>(&'a StatsData);

impl fmt::Display for Messages<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "  {:<8} {:<22} {:>6}", "", "handshake message", "bytes")?;
        for (direction, name, size) in &self.0.messages {
            let arrow = match direction {
                Direction::Send => "C -> S",
                Direction::Receive => "C <- S",
            };
            write!(f, "\n  {arrow:<8} {name:<22} {size:>6}")?;
        }
        Ok(())
    }
}

/// Handshake messages sent by one side, NewSessionTickets counted apart.
fn handshake_messages(stats: &StatsData) -> usize {
    stats
        .messages
        .iter()
        .filter(|m| m.0 == Direction::Send && m.1 != "NewSessionTicket")
        .count()
}

/// The table of what each connection cost, one column per connection.
struct Costs<'a> {
    runs: [(&'static str, &'a DemoRun); 4],
    stateful_bytes_per_session: usize,
}

impl Costs<'_> {
    /// One row: a label, then `value` of each connection.
    fn row(
        &self,
        f: &mut fmt::Formatter<'_>,
        label: &str,
        value: impl Fn(&str, &DemoRun) -> String,
    ) -> fmt::Result {
        write!(f, "\n  {label:<36}")?;
        for (column, run) in &self.runs {
            write!(f, " {:>10}", value(column, run))?;
        }
        Ok(())
    }
}

impl fmt::Display for Costs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "  {:<36}", "what each handshake cost")?;
        for (label, _) in &self.runs {
            write!(f, " {label:>10}")?;
        }
        self.row(f, "round trips (client waits)", |_, r| {
            r.client.round_trips.to_string()
        })?;
        self.row(f, "messages C->S / S->C", |_, r| {
            let (c, s) = (handshake_messages(&r.client), handshake_messages(&r.server));
            format!("{c} / {s}")
        })?;
        self.row(f, "bytes C->S / S->C (whole connection)", |_, r| {
            format!("{} / {}", r.client.bytes_sent, r.server.bytes_sent)
        })?;
        self.row(f, "signatures made / verified", |_, r| {
            let made = r.client.signatures_made + r.server.signatures_made;
            let verified = r.client.signatures_verified + r.server.signatures_verified;
            format!("{made} / {verified}")
        })?;
        self.row(f, "X25519 operations (keygen + DH)", |_, r| {
            let (c, s) = (&r.client, &r.server);
            let ops = c.x25519_keygens + c.x25519_shared_secrets;
            (ops + s.x25519_keygens + s.x25519_shared_secrets).to_string()
        })?;
        self.row(
            f,
            "server memory per session (bytes)",
            |column, _| match column {
                "by ID" => self.stateful_bytes_per_session.to_string(),
                "full" => "-".to_string(),
                _ => "0".to_string(),
            },
        )?;
        self.row(f, "handshake time, ms (median of 51)", |_, r| {
            format!("{:.2}", r.median_time.as_secs_f64() * 1000.0)
        })
    }
}
