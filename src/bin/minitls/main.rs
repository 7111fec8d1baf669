//! The `minitls` command line: `cert`, `server`, `client` and `demo`.
//!
//! The command line is a contract (DESIGN.md): the tests and the book rely
//! on its flags and on the summary lines the client prints. All of the TLS
//! is in the library; this binary only opens sockets and files, and prints.
//! `cert`, `client` and `demo` are here; the server, with the limits it
//! keeps, is in `server.rs`, and the little HTTP it speaks in `http.rs`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

mod http;
mod server;

use minitls::config::Clock;
use minitls::explain::Explainer;
use minitls::keylog::KeyLogObserver;
use minitls::messages::{PSK_DHE_KE, PSK_KE, cipher_suite_name, group_name, signature_scheme_name};
use minitls::pki::issue::DemoPki;
use minitls::pki::verify::TrustAnchors;
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::client_cache::{ClientSessionCache, StoredTicket};
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::ticketer::Ticketer;
use minitls::stream::Stream;
use minitls::trace::{Direction, NoObserver, Observer, Stats, StatsData, Tee};
use minitls::{ClientConfig, Connection, Error, Negotiated, ServerConfig};

#[derive(Parser)]
#[command(
    name = "minitls",
    version,
    about = "A TLS 1.3 client and server written to be read (TLS_CHACHA20_POLY1305_SHA256, X25519, Ed25519)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Issue a demo PKI: ca.pem, ca.key, server.pem, server.key (Ed25519, PKCS#8 PEM).
    Cert {
        /// Directory to write the four files into (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// DNS name(s) for the server certificate's subjectAltName (default: localhost).
        #[arg(long = "name")]
        names: Vec<String>,
    },
    /// Serve TLS 1.3 until stopped, one thread per connection. Answers an HTTP
    /// request with a page describing the connection; echoes anything else.
    Server(server::ServerArgs),
    /// Connect, report what was negotiated, optionally send data and print the answer.
    Client(ClientArgs),
    /// Run a loopback server and client with an in-memory PKI and show what a handshake costs.
    Demo,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PskModeArg {
    Dhe,
    Ke,
    Both,
}

impl PskModeArg {
    fn modes(self) -> Vec<u8> {
        match self {
            PskModeArg::Dhe => vec![PSK_DHE_KE],
            PskModeArg::Ke => vec![PSK_KE],
            PskModeArg::Both => vec![PSK_DHE_KE, PSK_KE],
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Cert { out, names } => cmd_cert(&out, &names),
        Command::Server(args) => server::cmd_server(args),
        Command::Client(args) => cmd_client(args),
        Command::Demo => cmd_demo(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("minitls: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Print a line; a closed stdout (`minitls client ... | head`) is not an error.
fn print_line(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn cmd_cert(out: &Path, names: &[String]) -> Result<(), String> {
    let names: Vec<&str> = if names.is_empty() {
        vec!["localhost"]
    } else {
        names.iter().map(String::as_str).collect()
    };
    let mut rng = minitls::crypto::os_rng();
    let pki = DemoPki::generate(&mut rng, &names, now_secs());
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    pki.write_to_dir(out)
        .map_err(|e| format!("cannot write to {}: {e}", out.display()))?;
    print_line(format_args!(
        "wrote ca.pem, ca.key, server.pem, server.key to {} (server names: {})",
        out.display(),
        names.join(", ")
    ));
    Ok(())
}

/// The key log observer asked for by `--keylog` or `SSLKEYLOGFILE`.
pub(crate) fn keylog_observer(flag: Option<PathBuf>) -> Result<Option<KeyLogObserver>, String> {
    let path = flag.or_else(|| std::env::var_os("SSLKEYLOGFILE").map(PathBuf::from));
    match path {
        None => Ok(None),
        Some(p) => KeyLogObserver::open(&p)
            .map(Some)
            .map_err(|e| format!("cannot open key log {}: {e}", p.display())),
    }
}

pub(crate) fn read_file(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// "which check failed, which alert was sent or received".
pub(crate) fn describe_failure(conn: &Connection, io_error: &std::io::Error) -> String {
    match conn.error() {
        Some(Error::AlertReceived(alert)) => format!("handshake failed: peer sent alert {alert}"),
        Some(e) => match e.alert() {
            Some(alert) => format!("handshake failed: {e} (sent alert {alert})"),
            None => format!("handshake failed: {e}"),
        },
        None => format!("connection failed: {io_error}"),
    }
}

/// The observers a connection gets: the key log and/or the explainer.
pub(crate) fn observers(
    keylog: Option<Arc<Mutex<KeyLogObserver>>>,
    explain: Option<&'static str>,
) -> Box<dyn Observer> {
    let mut list: Vec<Box<dyn Observer>> = Vec::new();
    if let Some(k) = keylog {
        list.push(Box::new(SharedObserver(k)));
    }
    if let Some(side) = explain {
        list.push(Box::new(Explainer::stdout(side)));
    }
    match list.len() {
        0 => Box::new(NoObserver),
        1 => list.remove(0),
        _ => Box::new(Tee(list)),
    }
}

/// Forwards events to a key log shared by all connections of a server.
struct SharedObserver(Arc<Mutex<KeyLogObserver>>);

impl Observer for SharedObserver {
    fn on_event(&mut self, event: &minitls::trace::Event<'_>) {
        if let Ok(mut o) = self.0.lock() {
            o.on_event(event);
        }
    }
}

/// `yes (stateless, psk_dhe_ke)` or `no`.
pub(crate) fn resumed_text(n: &Negotiated) -> String {
    if !n.resumed {
        return "no".into();
    }
    let how: Vec<&str> = [n.resumption_strategy, n.psk_mode]
        .into_iter()
        .flatten()
        .collect();
    format!("yes ({})", how.join(", "))
}

pub(crate) fn one_line_summary(n: &Negotiated) -> String {
    format!(
        "TLSv1.3 {} {} resumed={}{}{}",
        cipher_suite_name(n.cipher_suite),
        n.group.map(group_name).unwrap_or("no-key-exchange"),
        resumed_text(n),
        if n.hello_retry_request {
            " (after HelloRetryRequest)"
        } else {
            ""
        },
        n.server_name
            .as_ref()
            // The peer chose it: no control characters into the log.
            .map(|s| format!(" sni={}", s.escape_default()))
            .unwrap_or_default()
    )
}

/// The page the server answers an HTTP request with.
/// The flags of `minitls client`.
#[derive(clap::Args)]
struct ClientArgs {
    /// HOST:PORT to connect to.
    addr: String,
    /// Name to send as SNI and to check the certificate against (default: HOST).
    #[arg(long)]
    servername: Option<String>,
    /// PEM file of trusted CA certificates (minitls has no system store: it speaks only Ed25519).
    #[arg(long)]
    ca: Option<PathBuf>,
    /// Append NSS key log lines (for Wireshark) to this file. SSLKEYLOGFILE works too.
    #[arg(long)]
    keylog: Option<PathBuf>,
    /// Send this text after the handshake and print everything the server answers.
    /// `\r` and `\n` are turned into CR and LF.
    #[arg(long)]
    send: Option<String>,
    /// After the first connection, connect N more times, resuming with
    /// the tickets received.
    #[arg(long, default_value_t = 0)]
    reconnect: u32,
    /// Save a ticket (and its PSK: keep the file secret) to FILE after the last connection.
    #[arg(long)]
    sess_out: Option<PathBuf>,
    /// Resume with the ticket saved in FILE by --sess-out.
    #[arg(long)]
    sess_in: Option<PathBuf>,
    /// PSK key exchange mode(s) to offer when resuming: dhe (psk_dhe_ke,
    /// forward secret), ke (psk_ke, no key exchange) or both.
    #[arg(long, value_enum, default_value_t = PskModeArg::Dhe)]
    psk_mode: PskModeArg,
    /// Print every record, message (field by field), secret, key change
    /// and state transition as it happens.
    #[arg(long)]
    explain: bool,
}

fn cmd_client(args: ClientArgs) -> Result<(), String> {
    let host = args
        .addr
        .rsplit_once(':')
        .map(|(h, _)| h.trim_start_matches('[').trim_end_matches(']'))
        .ok_or_else(|| format!("{}: expected HOST:PORT", args.addr))?;
    let server_name = args.servername.clone().unwrap_or_else(|| host.to_string());
    let Some(ca) = &args.ca else {
        return Err(
            "--ca FILE is required: minitls has no system trust store (it speaks only Ed25519)"
                .into(),
        );
    };
    let anchors =
        TrustAnchors::from_pem(&read_file(ca)?).map_err(|e| format!("{}: {e}", ca.display()))?;
    let cache = Arc::new(Mutex::new(ClientSessionCache::new(32)));
    if let Some(path) = &args.sess_in {
        let ticket = StoredTicket::from_pem(&read_file(path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if ticket.server_name != server_name {
            print_line(format_args!(
                "note: the session in {} is for {:?}; it will not be offered to {server_name:?}",
                path.display(),
                ticket.server_name
            ));
        }
        cache.lock().map_err(|_| "cache poisoned")?.insert(ticket);
    }
    let mut config = ClientConfig::new(anchors);
    config.session_cache = Some(cache.clone());
    config.psk_modes = args.psk_mode.modes();
    let config = Arc::new(config);
    let keylog = keylog_observer(args.keylog.clone())?.map(|k| Arc::new(Mutex::new(k)));
    let want_tickets = args.reconnect > 0 || args.sess_out.is_some();

    for attempt in 0..=args.reconnect {
        if attempt > 0 {
            print_line(format_args!("--- reconnect {attempt} ---"));
        }
        connect_once(
            &args,
            &server_name,
            config.clone(),
            keylog.clone(),
            want_tickets,
        )?;
    }
    if let Some(path) = &args.sess_out {
        let now = minitls::config::SystemClock.now();
        let ticket = cache
            .lock()
            .map_err(|_| "cache poisoned")?
            .take(&server_name, now)
            .ok_or("the server sent no ticket to save (is resumption enabled on it?)")?;
        let pem = ticket.to_pem().map_err(|e| e.to_string())?;
        std::fs::write(path, pem).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        print_line(format_args!("session saved to {}", path.display()));
    }
    Ok(())
}

fn connect_once(
    args: &ClientArgs,
    server_name: &str,
    config: Arc<ClientConfig>,
    keylog: Option<Arc<Mutex<KeyLogObserver>>>,
    want_tickets: bool,
) -> Result<(), String> {
    let observer = observers(keylog, args.explain.then_some("client"));
    let started = Instant::now();
    let tcp = TcpStream::connect(&args.addr)
        .map_err(|e| format!("cannot connect to {}: {e}", args.addr))?;
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(30)));
    let conn = Connection::client_with_observer(config, server_name, observer)
        .map_err(|e| e.to_string())?;
    let mut stream = Stream::new(conn, tcp);
    if let Err(e) = stream.handshake() {
        return Err(describe_failure(&stream.conn, &e));
    }
    let elapsed = started.elapsed();
    let n = stream.conn.negotiated().clone();
    print_line(format_args!("protocol: TLSv1.3"));
    print_line(format_args!(
        "cipher: {}",
        cipher_suite_name(n.cipher_suite)
    ));
    print_line(format_args!(
        "group: {}",
        n.group.map(group_name).unwrap_or("none (psk_ke)")
    ));
    print_line(format_args!(
        "signature: {}",
        n.signature_scheme
            .map(signature_scheme_name)
            .unwrap_or("none (resumed)")
    ));
    print_line(format_args!(
        "hello_retry_request: {}",
        if n.hello_retry_request { "yes" } else { "no" }
    ));
    print_line(format_args!("resumed: {}", resumed_text(&n)));
    print_line(format_args!(
        "peer: {}",
        n.peer_subject.as_deref().unwrap_or("-")
    ));
    print_line(format_args!(
        "issuer: {}",
        n.peer_issuer.as_deref().unwrap_or("-")
    ));
    print_line(format_args!(
        "handshake: {:.2} ms",
        elapsed.as_secs_f64() * 1000.0
    ));
    if let Some(text) = &args.send {
        let text = text.replace("\\r", "\r").replace("\\n", "\n");
        stream
            .write_all(text.as_bytes())
            .map_err(|e| describe_failure(&stream.conn, &e))?;
        let mut answer = Vec::new();
        let mut buf = [0u8; 16384];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    // An echo server never closes; stop once the echo is complete.
                    if !http::is_http(text.as_bytes()) && answer.len() >= text.len() {
                        break;
                    }
                }
                Err(e) => {
                    if e.kind() != std::io::ErrorKind::UnexpectedEof
                        || stream.conn.error().is_some()
                    {
                        return Err(describe_failure(&stream.conn, &e));
                    }
                    // The transport ended without close_notify (RFC 8446 §6.1):
                    // show what came, but nobody can tell a complete answer
                    // from one an attacker or a crash cut short.
                    print_response(&answer);
                    return Err(format!(
                        "the server closed the connection without close_notify: \
                         the response ({} bytes) may be truncated",
                        answer.len()
                    ));
                }
            }
        }
        print_response(&answer);
    }
    if want_tickets && stream.tickets_received == 0 {
        // Tickets follow the server's reading of our Finished; give them a
        // moment to arrive.
        let _ = stream
            .transport
            .set_read_timeout(Some(Duration::from_millis(1000)));
        while stream.tickets_received == 0 {
            match stream.read_tls() {
                Ok(true) => {}
                Ok(false) | Err(_) => break,
            }
        }
    }
    if want_tickets {
        print_line(format_args!(
            "tickets received: {}",
            stream.tickets_received
        ));
    }
    let _ = stream.close();
    Ok(())
}

/// The `--send` answer, under a header that gives its length.
fn print_response(answer: &[u8]) {
    print_line(format_args!("--- response ({} bytes) ---", answer.len()));
    print_line(format_args!("{}", String::from_utf8_lossy(answer)));
}

/// One demo connection's measurements.
struct DemoRun {
    client: StatsData,
    server: StatsData,
    negotiated: Negotiated,
    time: Duration,
}

/// Serve exactly one connection on `listener` (handshake, echo, close).
fn demo_serve_one(
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

/// One loopback connection: a server thread, a client, a ping.
fn demo_connect(server: Arc<ServerConfig>, client: Arc<ClientConfig>) -> Result<DemoRun, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server_stats = Stats::default();
    let server_side = {
        let stats = server_stats.clone();
        std::thread::spawn(move || demo_serve_one(&listener, server, stats))
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
        time,
    })
}

fn cmd_demo() -> Result<(), String> {
    print_line(format_args!(
        "minitls demo: a full TLS 1.3 handshake, then resumption by ID lookup (stateful),\n\
         by encrypted ticket (stateless), and without key exchange (psk_ke), over loopback\n"
    ));
    let mut rng = minitls::crypto::os_rng();
    let pki = DemoPki::generate(&mut rng, &["localhost"], now_secs());
    let server_config = |strategy: Arc<Mutex<dyn ResumptionStrategy>>, modes: Vec<u8>| {
        let mut c = ServerConfig::new(vec![pki.server_cert.clone()], pki.server_key.clone());
        c.resumption = Some(strategy);
        c.psk_modes = modes;
        Arc::new(c)
    };
    let client_config = |modes: Vec<u8>| {
        let mut c = ClientConfig::new(pki.trust_anchors());
        c.session_cache = Some(Arc::new(Mutex::new(ClientSessionCache::new(8))));
        c.psk_modes = modes;
        Arc::new(c)
    };

    // Resumption by ID: the server keeps each session in a store.
    let store = Arc::new(Mutex::new(StatefulStrategy::in_memory(1000)));
    let stateful = server_config(store.clone(), vec![PSK_DHE_KE]);
    let client = client_config(vec![PSK_DHE_KE]);
    let full = demo_connect(stateful.clone(), client.clone())?;
    let by_id = demo_connect(stateful, client)?;
    let (held, sessions) = {
        let s = store.lock().map_err(|_| "store poisoned")?;
        (s.bytes_held(), s.len())
    };

    // Resumption by ticket: the server keeps only a key.
    let stateless = server_config(Arc::new(Mutex::new(Ticketer::new(3600))), vec![PSK_DHE_KE]);
    let client = client_config(vec![PSK_DHE_KE]);
    demo_connect(stateless.clone(), client.clone())?;
    let by_ticket = demo_connect(stateless, client)?;

    // psk_ke: no key exchange at all (and no forward secrecy).
    let psk_ke_server = server_config(
        Arc::new(Mutex::new(Ticketer::new(3600))),
        vec![PSK_DHE_KE, PSK_KE],
    );
    let client = client_config(vec![PSK_KE]);
    demo_connect(psk_ke_server.clone(), client.clone())?;
    let psk_ke = demo_connect(psk_ke_server, client)?;

    let n = &full.negotiated;
    print_line(format_args!("negotiated: {}", one_line_summary(n)));
    print_line(format_args!(
        "server certificate: {} (issued by {})\n",
        n.peer_subject.as_deref().unwrap_or("-"),
        n.peer_issuer.as_deref().unwrap_or("-")
    ));
    print_line(format_args!(
        "the full handshake, message by message (client's view):"
    ));
    print_messages(&full.client);
    print_line(format_args!("\nthe same client resuming by ticket:"));
    print_messages(&by_ticket.client);
    print_line(format_args!(""));

    let runs = [
        ("full", &full),
        ("by ID", &by_id),
        ("by ticket", &by_ticket),
        ("psk_ke", &psk_ke),
    ];
    for (label, run) in &runs[1..] {
        if !run.negotiated.resumed {
            return Err(format!("the {label} connection did not resume"));
        }
    }
    let per_session = held.checked_div(sessions).unwrap_or(0);
    print_costs(&runs, per_session);
    Ok(())
}

fn print_messages(stats: &StatsData) {
    print_line(format_args!(
        "  {:<8} {:<22} {:>6}",
        "", "handshake message", "bytes"
    ));
    for (direction, name, size) in &stats.messages {
        let arrow = match direction {
            Direction::Send => "C -> S",
            Direction::Receive => "C <- S",
        };
        print_line(format_args!("  {arrow:<8} {name:<22} {size:>6}"));
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

fn print_costs(runs: &[(&str, &DemoRun)], stateful_bytes_per_session: usize) {
    let mut header = format!("  {:<36}", "what each handshake cost");
    for (label, _) in runs {
        header.push_str(&format!(" {label:>10}"));
    }
    print_line(format_args!("{header}"));
    let row = |label: &str, value: &dyn Fn(&DemoRun) -> String| {
        let mut line = format!("  {label:<36}");
        for (_, run) in runs {
            line.push_str(&format!(" {:>10}", value(run)));
        }
        print_line(format_args!("{line}"));
    };
    row("round trips (client waits)", &|r| {
        r.client.round_trips.to_string()
    });
    row("messages C->S / S->C", &|r| {
        format!(
            "{} / {}",
            handshake_messages(&r.client),
            handshake_messages(&r.server)
        )
    });
    row("bytes C->S / S->C (whole connection)", &|r| {
        format!("{} / {}", r.client.bytes_sent, r.server.bytes_sent)
    });
    row("signatures made / verified", &|r| {
        format!(
            "{} / {}",
            r.client.signatures_made + r.server.signatures_made,
            r.client.signatures_verified + r.server.signatures_verified
        )
    });
    row("X25519 operations (keygen + DH)", &|r| {
        (r.client.x25519_keygens
            + r.client.x25519_shared_secrets
            + r.server.x25519_keygens
            + r.server.x25519_shared_secrets)
            .to_string()
    });
    let mut line = format!("  {:<36}", "server memory per session (bytes)");
    for (label, _) in runs {
        let held = match *label {
            "by ID" => stateful_bytes_per_session.to_string(),
            "full" => "-".to_string(),
            _ => "0".to_string(),
        };
        line.push_str(&format!(" {held:>10}"));
    }
    print_line(format_args!("{line}"));
    row("handshake time, ms (incl. connect)", &|r| {
        format!("{:.2}", r.time.as_secs_f64() * 1000.0)
    });
    print_line(format_args!(
        "\n  server memory: by ID, the store holds {stateful_bytes_per_session} bytes per session (ID + session);\n  \
         by ticket, nothing per session: the session travels inside the ticket, sealed with a key."
    ));
    print_line(format_args!(
        "  psk_ke saves every X25519 operation, and with them forward secrecy: whoever later\n  \
         learns the ticket's PSK can decrypt the whole resumed connection."
    ));
}
