//! `minitls server`: accept TLS connections, one thread each, and answer an
//! HTTP request with a page describing the connection, or echo other data.
//!
//! Everything a peer controls is bounded, so that one peer, or many, cannot
//! take the server down (the hardening issue's list):
//!
//! | what | bound | flag (default) |
//! |---|---|---|
//! | connections (and so threads) at once | over it, a new one is closed at once | `--max-connections` (1024) |
//! | accept to handshake complete | the connection is closed | `--handshake-timeout` (10 s) |
//! | silence after the handshake | close_notify, then closed | `--idle-timeout` (60 s) |
//! | one blocked write (a peer that does not read) | the connection is closed | `--write-timeout` (10 s) |
//! | an HTTP request head | `431`, then closed | 8 KiB ([`http::MAX_REQUEST`]) |
//!
//! And one the kernel keeps for us: `--listen-backlog` (1024) connections
//! queued before `accept`.
//!
//! The handshake deadline is one deadline, not a time-out per read: each
//! read waits only for what is left of it, so a peer dribbling a byte at a
//! time cannot stretch it.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use minitls::config::{ClientAuth, ClientAuthMode};
use minitls::keylog::KeyLogObserver;
use minitls::messages::{PSK_DHE_KE, PSK_KE, cipher_suite_name, group_name, signature_scheme_name};
use minitls::pki::pem;
use minitls::pki::verify::TrustAnchors;
use minitls::resumption::redis::RedisStore;
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::ticket_keys::TicketKeys;
use minitls::resumption::ticketer::Ticketer;
use minitls::stream::Stream;
use minitls::{Connection, Negotiated, ServerConfig};
use socket2::{Domain, Socket, Type};

use crate::http::{self, RequestReader, Verdict};
use crate::shared::client_text;
use crate::shared::{
    alpn_text, describe_failure, exported_hex, keylog_observer, observers, one_line_summary,
    parse_alpn_list, parse_export, read_file, resumed_text,
};

/// The flags of `minitls server`.
#[derive(clap::Args)]
pub struct ServerArgs {
    /// Certificate chain, PEM, leaf first.
    #[arg(long)]
    cert: PathBuf,
    /// The leaf's Ed25519 private key, PKCS#8 PEM.
    #[arg(long)]
    key: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4433")]
    listen: String,
    /// Append NSS key log lines (for Wireshark) to this file. SSLKEYLOGFILE works too.
    #[arg(long)]
    keylog: Option<PathBuf>,
    /// How resumption tickets work: off (none issued), stateful (a random
    /// ID looked up in a server-side store) or stateless (the session
    /// sealed with a key only the server knows).
    #[arg(long, value_enum, default_value_t = ResumptionArg::Stateless)]
    resumption: ResumptionArg,
    /// Accept psk_ke resumptions (no key exchange, no forward secrecy)
    /// as well as psk_dhe_ke.
    #[arg(long)]
    allow_psk_ke: bool,
    /// Print every record, message (field by field), secret, key change
    /// and state transition as it happens.
    #[arg(long)]
    explain: bool,
    /// Most connections open at once (each has a thread); a connection over
    /// the cap is closed as soon as it is accepted, not queued.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// Seconds from accepting a connection to the end of its handshake;
    /// a connection still handshaking then is closed.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    handshake_timeout: u64,
    /// Seconds a connection may stay silent after its handshake before the
    /// server sends close_notify and closes it.
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout: u64,
    /// Seconds one write may stay blocked (a peer that does not read)
    /// before the connection is closed.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    write_timeout: u64,
    /// Connections the kernel may queue, handshake not yet started, before
    /// the server accepts them (capped by net.core.somaxconn); past it, new
    /// connections wait for a SYN retry, a second or more.
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(i32).range(1..))]
    listen_backlog: i32,
    /// Seal and open tickets with the keys in this file, shared by a fleet
    /// (`minitls ticket-keys new|rotate FILE`), instead of keys of this
    /// server's own; the file is reread when it changes. Needs
    /// `--resumption stateless`.
    #[arg(long, value_name = "FILE")]
    ticket_keys: Option<PathBuf>,
    /// How often to check the --ticket-keys file for a change, in
    /// milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    ticket_keys_poll_ms: u64,
    /// With `--resumption stateful`: keep sessions in this Redis
    /// (redis://HOST:PORT[/DB]), shared by every server pointed at it,
    /// instead of in this process.
    #[arg(long, value_name = "URL")]
    session_store: Option<String>,
    /// Milliseconds the session store may take to connect or answer before
    /// the handshake goes on as a full one.
    #[arg(long, value_name = "MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    session_store_timeout: u64,
    /// The application protocols (ALPN, RFC 7301) this server speaks,
    /// comma-separated, most preferred first. The first of these that the
    /// client offers is chosen; a client that offers none of them gets
    /// no_application_protocol. The default is the one protocol the page
    /// speaks.
    #[arg(long, value_name = "LIST", default_value = "http/1.1")]
    alpn: String,
    /// After each handshake, log LEN bytes of keying material exported
    /// with LABEL and no context (RFC 8446 §7.5), in hex, as
    /// `openssl s_client -keymatexport LABEL -keymatexportlen LEN` prints it.
    #[arg(long, value_name = "LABEL:LEN", value_parser = parse_export)]
    export: Option<(String, usize)>,
    /// Mutual TLS: ask every client for a certificate (CertificateRequest,
    /// RFC 8446 §4.3.2) and accept one only if it leads to a CA in this
    /// PEM file and carries extKeyUsage clientAuth.
    #[arg(long, value_name = "FILE")]
    client_ca: Option<PathBuf>,
    /// With --client-ca: refuse a client without a certificate
    /// (certificate_required), or let it in anonymously.
    #[arg(long, value_enum, default_value_t = ClientAuthArg::Required, requires = "client_ca")]
    client_auth: ClientAuthArg,
    /// Accept up to BYTES of early data (0-RTT, RFC 8446 §4.2.10) on
    /// resumed connections: tickets advertise it as max_early_data_size,
    /// and early data is read before the client's Finished (and answered
    /// after it). 0, the default, turns early data off. Early data can be
    /// replayed (RFC 8446 §8): a single-use store (stateful) or a strike
    /// register (stateless, per server) refuses a replay here, but a
    /// replay sent to another server sharing --ticket-keys is accepted there.
    #[arg(long, value_name = "BYTES", default_value_t = 0)]
    early_data: u32,
}

/// `--client-auth`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ClientAuthArg {
    Required,
    Optional,
}

/// `--resumption`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ResumptionArg {
    Off,
    Stateful,
    Stateless,
}

/// The bounds every connection is served within.
#[derive(Clone, Copy)]
struct Limits {
    handshake: Duration,
    idle: Duration,
    write: Duration,
}

/// What each connection's thread shares with the others.
struct Shared {
    config: Arc<ServerConfig>,
    keylog: Option<Arc<Mutex<KeyLogObserver>>>,
    explain: bool,
    /// No log line for a connection that went well (`minitls fleet`
    /// makes hundreds); failures are still logged.
    quiet: bool,
    limits: Limits,
    /// `--export LABEL:LEN`: log this much exported keying material.
    export: Option<(String, usize)>,
}

/// `minitls server`: load the key and certificates, listen, serve until killed.
pub fn run(args: ServerArgs) -> Result<(), String> {
    let shared = Arc::new(Shared {
        config: Arc::new(server_config(&args)?),
        keylog: keylog_observer(args.keylog.clone())?.map(|k| Arc::new(Mutex::new(k))),
        explain: args.explain,
        export: args.export.clone(),
        quiet: false,
        limits: Limits {
            handshake: Duration::from_secs(args.handshake_timeout),
            idle: Duration::from_secs(args.idle_timeout),
            write: Duration::from_secs(args.write_timeout),
        },
    });
    let listen = &args.listen;
    let listener =
        bind(listen, args.listen_backlog).map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!("minitls server listening on {local}");
    serve(&listener, &shared, args.max_connections as usize)
}

/// The configuration the flags ask for: `--cert`, `--key`,
/// `--resumption`, `--session-store`, `--ticket-keys`, `--allow-psk-ke`.
fn server_config(args: &ServerArgs) -> Result<ServerConfig, String> {
    if args.session_store.is_some() && args.resumption != ResumptionArg::Stateful {
        return Err("--session-store needs --resumption stateful".to_string());
    }
    if args.ticket_keys.is_some() && args.resumption != ResumptionArg::Stateless {
        return Err("--ticket-keys needs --resumption stateless".into());
    }
    let (cert, key) = (&args.cert, &args.key);
    let chain =
        pem::certs_from_pem(&read_file(cert)?).map_err(|e| format!("{}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{}: no CERTIFICATE block", cert.display()));
    }
    let private_key = pem::private_key_from_pem(&read_file(key)?)
        .map_err(|e| format!("{}: {e}", key.display()))?;
    let mut config = ServerConfig::new(chain, private_key);
    config.resumption = match args.resumption {
        ResumptionArg::Off => None,
        ResumptionArg::Stateful => Some(Arc::new(stateful_strategy(args)?)),
        // Keys rotate every 12 hours; a ticket opens for up to two periods.
        ResumptionArg::Stateless if args.ticket_keys.is_none() => {
            Some(Arc::new(Ticketer::new(12 * 3600)))
        }
        ResumptionArg::Stateless => Some(shared_ticketer(args)?),
    };
    if args.allow_psk_ke {
        config.psk_modes = vec![PSK_DHE_KE, PSK_KE];
    }
    config.alpn_protocols = parse_alpn_list(&args.alpn)?;
    config.max_early_data_size = args.early_data;
    if let Some(path) = &args.client_ca {
        let trust_anchors = TrustAnchors::from_pem(&read_file(path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if trust_anchors.is_empty() {
            return Err(format!("{}: no CERTIFICATE block", path.display()));
        }
        let mode = match args.client_auth {
            ClientAuthArg::Required => ClientAuthMode::Required,
            ClientAuthArg::Optional => ClientAuthMode::Optional,
        };
        config.client_auth = Some(ClientAuth {
            trust_anchors,
            mode,
        });
    }
    Ok(config)
}

/// `--ticket-keys FILE`: a ticketer with the file's keys, and a thread that
/// rereads the file every `--ticket-keys-poll-ms` and swaps the keys in
/// when they changed. A file that does not read at start-up is an error;
/// later, it keeps the current keys and logs one line per new problem.
fn shared_ticketer(args: &ServerArgs) -> Result<Arc<Ticketer>, String> {
    let path = args.ticket_keys.clone().unwrap_or_default();
    let keys = TicketKeys::read(&path).map_err(|e| format!("--ticket-keys: {e}"))?;
    eprintln!(
        "ticket keys from {}: {}",
        path.display(),
        crate::ticket_keys::ids_text(&keys)
    );
    let ticketer = Arc::new(Ticketer::from_keys(&keys));
    let poll = Duration::from_millis(args.ticket_keys_poll_ms);
    let watched = ticketer.clone();
    std::thread::Builder::new()
        .name("ticket keys".into())
        .spawn(move || watch_ticket_keys(&path, poll, keys, &watched))
        .map_err(|e| format!("cannot start the --ticket-keys watcher: {e}"))?;
    Ok(ticketer)
}

/// Reread `path` every `poll`; runs as long as the server.
fn watch_ticket_keys(path: &Path, poll: Duration, mut current: TicketKeys, ticketer: &Ticketer) {
    let mut last_problem = String::new();
    loop {
        std::thread::sleep(poll);
        match TicketKeys::read(path) {
            Ok(keys) if keys == current => last_problem.clear(),
            Ok(keys) => {
                ticketer.set_keys(&keys);
                eprintln!(
                    "ticket keys reloaded from {}: {}",
                    path.display(),
                    crate::ticket_keys::ids_text(&keys)
                );
                current = keys;
                last_problem.clear();
            }
            Err(e) => {
                let problem = e.to_string();
                if problem != last_problem {
                    eprintln!("ticket keys not reloaded, keeping the current ones: {problem}");
                    last_problem = problem;
                }
            }
        }
    }
}

/// `--resumption stateful`: in memory, or in the Redis `--session-store`
/// names. A Redis that is down now is not an error: the store logs it and
/// the server does full handshakes until it answers.
fn stateful_strategy(args: &ServerArgs) -> Result<StatefulStrategy, String> {
    let Some(url) = &args.session_store else {
        return Ok(StatefulStrategy::in_memory(10_000));
    };
    let timeout = Duration::from_millis(args.session_store_timeout);
    let store = RedisStore::open(url, timeout)
        .map_err(|e| match e {
            minitls::Error::Misuse(why) => format!("--session-store {url}: {why}"),
            other => format!("--session-store {url}: {other}"),
        })?
        .with_log(|line| eprintln!("{line}"));
    store.ping();
    Ok(StatefulStrategy::new(Box::new(store)))
}

/// The accept loop: a thread for each connection, at most `max` at once.
fn serve(listener: &TcpListener, shared: &Arc<Shared>, max: usize) -> ! {
    let never = AtomicBool::new(false);
    loop {
        serve_until(listener, shared, max, &never);
    }
}

/// `minitls server`'s serving, with the defaults of its flags, on a
/// listener someone else bound, until `stop` is set: what `minitls fleet`
/// runs each of its servers with. Setting `stop` takes effect at the next
/// accepted connection, so whoever sets it then connects once to wake the
/// loop; connections already accepted finish on their own threads.
pub fn serve_quietly_until(listener: &TcpListener, config: Arc<ServerConfig>, stop: &AtomicBool) {
    let shared = Arc::new(Shared {
        config,
        keylog: None,
        explain: false,
        export: None,
        quiet: true,
        limits: Limits {
            handshake: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            write: Duration::from_secs(10),
        },
    });
    serve_until(listener, &shared, 1024, stop);
}

/// [`serve`]'s loop, which returns once `stop` is set.
fn serve_until(listener: &TcpListener, shared: &Arc<Shared>, max: usize, stop: &AtomicBool) {
    let open = Arc::new(AtomicUsize::new(0));
    while !stop.load(Ordering::Acquire) {
        let tcp = match listener.accept() {
            Ok((tcp, _)) => tcp,
            Err(e) => {
                // Out of file descriptors, say: wait a little rather than
                // spin on an error that will not clear at once.
                eprintln!("accept failed: {e}");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        if stop.load(Ordering::Acquire) {
            break;
        }
        let peer = peer_name(&tcp);
        let Some(slot) = Slot::take(&open, max) else {
            // Dropping the socket closes it: over the cap, nothing is queued.
            eprintln!("{peer}: refused, {max} connections already open (--max-connections)");
            continue;
        };
        let shared = shared.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("conn {peer}"))
            .spawn(move || {
                let _slot = slot;
                serve_one(tcp, &peer, &shared);
            });
        if let Err(e) = spawned {
            // The closure (socket and slot) was dropped with the error.
            eprintln!("cannot start a thread for a connection: {e}");
        }
    }
}

/// `TcpListener::bind` with our own backlog. std's is 128: under a burst
/// (a load test, or many clients at once while the accept loop waits for a
/// CPU) the queue overflows, and the kernel drops SYNs, which clients
/// retry only after a second. Tries each address `listen` resolves to.
fn bind(listen: &str, backlog: i32) -> io::Result<TcpListener> {
    let mut last = io::Error::new(io::ErrorKind::InvalidInput, "no address to listen on");
    for addr in listen.to_socket_addrs()? {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
        // As std does on Unix: a restarted server must not wait out TIME_WAIT.
        #[cfg(unix)]
        socket.set_reuse_address(true)?;
        match socket
            .bind(&addr.into())
            .and_then(|()| socket.listen(backlog))
        {
            Ok(()) => return Ok(socket.into()),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// One of the `--max-connections` places; given back when dropped, however
/// the connection's thread ends.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    /// A place, if fewer than `max` are taken.
    fn take(open: &Arc<AtomicUsize>, max: usize) -> Option<Slot> {
        open.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < max).then_some(n + 1)
        })
        .ok()
        .map(|_| Slot(open.clone()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn peer_name(tcp: &TcpStream) -> String {
    tcp.peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Whether an I/O error is a socket time-out (Unix says `WouldBlock`).
fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// One connection, from accept to close, within `shared.limits`.
fn serve_one(tcp: TcpStream, peer: &str, shared: &Shared) {
    let accepted = Instant::now();
    let limits = shared.limits;
    let _ = tcp.set_write_timeout(Some(limits.write));
    // The tickets and the first answer are small writes in a row: with
    // Nagle's algorithm the answer waits for the peer's delayed ACK (40 ms
    // on Linux), which `minitls fleet` measured as 25 handshakes a second.
    let _ = tcp.set_nodelay(true);
    let observer = observers(shared.keylog.clone(), shared.explain.then_some("server"));
    let conn = Connection::server_with_observer(shared.config.clone(), observer);
    let mut stream = Stream::new(conn, tcp);
    if let Err(e) = handshake_before(&mut stream, accepted + limits.handshake) {
        if timed_out(&e) && stream.conn.error().is_none() {
            eprintln!(
                "{peer}: no handshake within {} s (--handshake-timeout); closed",
                limits.handshake.as_secs()
            );
        } else {
            eprintln!("{peer}: {}", describe_failure(&stream.conn, &e));
        }
        return;
    }
    let n = stream.conn.negotiated().clone();
    if !shared.quiet {
        eprintln!(
            "{peer}: {}{}",
            one_line_summary(&n),
            early_data_field(&n, stream.early_data_received)
        );
    }
    if let Some((label, len)) = &shared.export {
        match exported_hex(&stream.conn, label, *len) {
            Ok(hex) => eprintln!("{peer}: exported {label} ({len} bytes): {hex}"),
            Err(e) => eprintln!("{peer}: export failed: {e}"),
        }
    }
    if stream
        .transport
        .set_read_timeout(Some(limits.idle))
        .is_err()
    {
        return;
    }
    match answer(&mut stream, &n) {
        Ok(()) => {}
        Err(e) if timed_out(&e) => eprintln!(
            "{peer}: idle for {} s (--idle-timeout) or a write blocked for {} s (--write-timeout); closed",
            limits.idle.as_secs(),
            limits.write.as_secs()
        ),
        Err(e) if e.kind() == io::ErrorKind::InvalidData => eprintln!("{peer}: {e}; closed"),
        // The peer went away, or broke the protocol: nothing more to say to it.
        Err(_) => return,
    }
    let _ = stream.close();
}

/// ` early_data=...` for the log line when the client offered 0-RTT.
fn early_data_field(n: &Negotiated, received: usize) -> String {
    match n.early_data_accepted {
        Some(true) => format!(" early_data=accepted({received} bytes)"),
        Some(false) => " early_data=rejected".to_string(),
        None => String::new(),
    }
}

/// [`Stream::handshake`] with one deadline for the whole handshake: each
/// read waits only for the time left.
fn handshake_before(stream: &mut Stream<TcpStream>, deadline: Instant) -> io::Result<()> {
    loop {
        stream.flush_tls()?;
        if !stream.conn.is_handshaking() {
            return Ok(());
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        stream.transport.set_read_timeout(Some(left))?;
        if !stream.read_tls()? {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "peer closed the connection during the handshake",
            ));
        }
    }
}

/// After the handshake: the page for an HTTP request (then done), the echo
/// of anything else (until the peer closes). `Ok` means "close politely".
fn answer(stream: &mut Stream<TcpStream>, n: &Negotiated) -> io::Result<()> {
    let mut reader = RequestReader::default();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let got = match stream.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(got) => got,
            Err(e) => return Err(e),
        };
        match reader.push(&buf[..got]) {
            Verdict::NeedMore => {}
            Verdict::Echo(data) => stream.write_all(&data)?,
            Verdict::Request => {
                if reader.path() == Some(KEY_UPDATE_PATH) {
                    key_update_before_answer(stream)?;
                }
                return stream.write_all(http_page(n).as_bytes());
            }
            Verdict::TooLarge => {
                stream.write_all(http::TOO_LARGE.as_bytes())?;
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "HTTP request head over {} bytes, answered 431",
                        http::MAX_REQUEST
                    ),
                ));
            }
        }
    }
}

/// The path whose request is answered after a KeyUpdate.
const KEY_UPDATE_PATH: &[u8] = b"/keyupdate";

// ANCHOR: key_update_before_answer
/// `GET /keyupdate`: a KeyUpdate with update_requested (RFC 8446 §4.6.3)
/// before the page, so the page goes out under our next keys, and the
/// client must move its own sending keys on before it sends more.
fn key_update_before_answer(stream: &mut Stream<TcpStream>) -> io::Result<()> {
    stream
        .conn
        .update_keys(true)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
    stream.flush_tls()
}
// ANCHOR_END: key_update_before_answer

/// The page describing the connection. The server name is the peer's to
/// choose, so it is escaped; everything else is ours.
fn http_page(n: &Negotiated) -> String {
    let body = format!(
        "<!doctype html>\n<title>minitls</title>\n<h1>Hello from minitls</h1>\n<pre>\n\
         protocol: TLSv1.3\n\
         cipher: {}\n\
         group: {}\n\
         signature: {}\n\
         hello_retry_request: {}\n\
         server_name: {}\n\
         resumed: {}\n\
         alpn: {}\n\
         client_certificate: {}\n</pre>\n",
        cipher_suite_name(n.cipher_suite),
        n.group.map(group_name).unwrap_or("-"),
        n.signature_scheme.map(signature_scheme_name).unwrap_or("-"),
        if n.hello_retry_request { "yes" } else { "no" },
        http::html_escape(n.server_name.as_deref().unwrap_or("-")),
        resumed_text(n),
        http::html_escape(&alpn_text(n)),
        http::html_escape(&client_text(n)),
    );
    format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server name the peer chose, as hostile as it may be.
    fn negotiated_with_sni(name: &str) -> Negotiated {
        Negotiated {
            server_name: Some(name.to_string()),
            ..Negotiated::default()
        }
    }

    #[test]
    fn the_page_escapes_the_server_name() {
        let page = http_page(&negotiated_with_sni("<script>alert(1)</script>"));
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("server_name: &lt;script&gt;alert(1)&lt;/script&gt;"));
        // Content-Length counts the escaped body.
        let (head, body) = page.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
    }

    #[test]
    fn the_log_line_escapes_the_server_name() {
        let line = one_line_summary(&negotiated_with_sni("evil\n\u{1b}[31mforged line"));
        assert!(!line.chars().any(char::is_control), "{line:?}");
        assert!(
            line.contains(r"sni=evil\n\u{1b}[31mforged line"),
            "{line:?}"
        );
        // An ordinary name is logged as it is (tests grep for it).
        assert!(one_line_summary(&negotiated_with_sni("localhost")).ends_with(" sni=localhost"));
    }

    #[test]
    fn slots_are_capped_and_given_back() {
        let open = Arc::new(AtomicUsize::new(0));
        let first = Slot::take(&open, 2).expect("first");
        let _second = Slot::take(&open, 2).expect("second");
        assert!(Slot::take(&open, 2).is_none(), "over the cap");
        drop(first);
        assert!(Slot::take(&open, 2).is_some(), "a place was given back");
    }
}
