//! `minitls client`: connect, report what was negotiated and whether the
//! session was resumed, optionally send data and print the answer, and
//! reconnect with the tickets received (`--reconnect`) or save one for
//! later (`--sess-out`, `--sess-in`).

use std::fmt;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use minitls::config::ClientCertificate;
use minitls::config::Clock;
use minitls::keylog::KeyLogObserver;
use minitls::messages::{PSK_DHE_KE, PSK_KE, cipher_suite_name, group_name, signature_scheme_name};
use minitls::pki::pem;
use minitls::pki::verify::TrustAnchors;
use minitls::resumption::client_cache::{ClientSessionCache, StoredTicket};
use minitls::stream::Stream;
use minitls::{ClientConfig, Connection, Negotiated};

use crate::http;
use crate::output::print;
use crate::shared::{
    alpn_text, describe_failure, exported_hex, keylog_observer, observers, parse_alpn_list,
    parse_export, read_file, resumed_text,
};

/// The flags of `minitls client`.
#[derive(clap::Args)]
pub struct ClientArgs {
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
    /// Offer these application protocols (ALPN, RFC 7301), comma-separated,
    /// most preferred first, e.g. `h2,http/1.1`. The one the server chose
    /// is printed as `alpn:`. Default: offer none.
    #[arg(long, value_name = "LIST")]
    alpn: Option<String>,
    /// After the handshake, print LEN bytes of keying material exported
    /// with LABEL and no context (RFC 8446 §7.5), in hex, as `exported:`.
    #[arg(long, value_name = "LABEL:LEN", value_parser = parse_export)]
    export: Option<(String, usize)>,
    /// With --send: send the text one line per record, and after every N
    /// records send a KeyUpdate (RFC 8446 §4.6.3) and move our sending
    /// keys to the next generation (not asking the server to do the same).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    key_update_every: Option<u32>,
    /// Mutual TLS: the certificate chain (PEM, leaf first) to answer a
    /// CertificateRequest with. Without it the answer is an empty Certificate.
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Option<PathBuf>,
    /// The --cert leaf's Ed25519 private key, PKCS#8 PEM.
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<PathBuf>,
    /// Send this text as early data (0-RTT, RFC 8446 §2.3) on every
    /// connection that resumes with a ticket allowing it (from --sess-in,
    /// or an earlier connection of --reconnect), and print the answer.
    /// Prints `early_data: accepted`, `rejected` or `not sent`. Early data
    /// can be replayed by an attacker: send only what is safe twice.
    /// `\r` and `\n` are turned into CR and LF.
    #[arg(long, value_name = "TEXT")]
    early: Option<String>,
    /// With --early: when the early data was rejected or not sent, send it
    /// after the handshake instead (off by default: RFC 8446 §4.2.10 leaves
    /// resending to the application, which knows whether it is safe).
    #[arg(long, requires = "early")]
    early_resend: bool,
}

/// `--psk-mode`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PskModeArg {
    Dhe,
    Ke,
    Both,
}

impl PskModeArg {
    /// The `psk_key_exchange_modes` to offer (RFC 8446 §4.2.9).
    fn modes(self) -> Vec<u8> {
        match self {
            PskModeArg::Dhe => vec![PSK_DHE_KE],
            PskModeArg::Ke => vec![PSK_KE],
            PskModeArg::Both => vec![PSK_DHE_KE, PSK_KE],
        }
    }
}

/// What every connection of one `minitls client` run shares.
struct Client {
    server_name: String,
    config: Arc<ClientConfig>,
    cache: Arc<Mutex<ClientSessionCache>>,
    keylog: Option<Arc<Mutex<KeyLogObserver>>>,
    /// Whether to wait for tickets (to reconnect with, or to save).
    want_tickets: bool,
}

/// Connects `1 + --reconnect` times, then saves a ticket if asked.
pub fn run(args: ClientArgs) -> Result<(), String> {
    let client = Client::new(&args)?;
    for attempt in 0..=args.reconnect {
        if attempt > 0 {
            print(format!("--- reconnect {attempt} ---"));
        }
        connect_once(&args, &client)?;
    }
    if let Some(path) = &args.sess_out {
        let now = minitls::config::SystemClock.now();
        let ticket = client
            .cache
            .lock()
            .map_err(|_| "cache poisoned")?
            .take(&client.server_name, now)
            .ok_or("the server sent no ticket to save (is resumption enabled on it?)")?;
        let pem = ticket.to_pem().map_err(|e| e.to_string())?;
        std::fs::write(path, pem).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        print(format!("session saved to {}", path.display()));
    }
    Ok(())
}

impl Client {
    /// The configuration the flags ask for, with the `--sess-in` ticket
    /// already in the cache.
    fn new(args: &ClientArgs) -> Result<Client, String> {
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
        let anchors = TrustAnchors::from_pem(&read_file(ca)?)
            .map_err(|e| format!("{}: {e}", ca.display()))?;
        let cache = Arc::new(Mutex::new(ClientSessionCache::new(32)));
        if let Some(path) = &args.sess_in {
            let ticket = StoredTicket::from_pem(&read_file(path)?)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if ticket.server_name != server_name {
                print(format!(
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
        if let Some(list) = &args.alpn {
            config.alpn_protocols = parse_alpn_list(list)?;
        }
        config.client_certificate = client_certificate(args)?;
        Ok(Client {
            server_name,
            config: Arc::new(config),
            cache,
            keylog: keylog_observer(args.keylog.clone())?.map(|k| Arc::new(Mutex::new(k))),
            // `--explain` shows the whole conversation, so it waits for the
            // tickets that follow the handshake too, as `openssl s_client` does.
            want_tickets: args.reconnect > 0 || args.sess_out.is_some() || args.explain,
        })
    }
}

/// `--cert` and `--key`, read; `None` without them.
fn client_certificate(args: &ClientArgs) -> Result<Option<ClientCertificate>, String> {
    let (Some(cert), Some(key)) = (&args.cert, &args.key) else {
        return Ok(None);
    };
    let certificate_chain =
        pem::certs_from_pem(&read_file(cert)?).map_err(|e| format!("{}: {e}", cert.display()))?;
    if certificate_chain.is_empty() {
        return Err(format!("{}: no CERTIFICATE block", cert.display()));
    }
    let private_key = pem::private_key_from_pem(&read_file(key)?)
        .map_err(|e| format!("{}: {e}", key.display()))?;
    Ok(Some(ClientCertificate {
        certificate_chain,
        private_key,
    }))
}

/// One connection: handshake, report, `--send`, tickets, close_notify.
fn connect_once(args: &ClientArgs, client: &Client) -> Result<(), String> {
    let observer = observers(client.keylog.clone(), args.explain.then_some("client"));
    let started = Instant::now();
    let tcp = TcpStream::connect(&args.addr)
        .map_err(|e| format!("cannot connect to {}: {e}", args.addr))?;
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(30)));
    let early = args.early.as_deref().map(unescape);
    let conn = match &early {
        Some(data) => Connection::client_with_early_data(
            client.config.clone(),
            &client.server_name,
            data.as_bytes(),
            observer,
        ),
        None => {
            Connection::client_with_observer(client.config.clone(), &client.server_name, observer)
        }
    }
    .map_err(|e| e.to_string())?;
    let mut stream = Stream::new(conn, tcp);
    if let Err(e) = stream.handshake() {
        return Err(describe_failure(&stream.conn, &e));
    }
    print(Report {
        negotiated: stream.conn.negotiated(),
        handshake_time: started.elapsed(),
    });
    if let Some(text) = &early {
        early_data_outcome(&mut stream, text, args.early_resend)?;
    }
    if let Some((label, len)) = &args.export {
        print(format!(
            "exported: {}",
            exported_hex(&stream.conn, label, *len)?
        ));
    }
    if let Some(text) = &args.send {
        send_and_print_answer(&mut stream, text, args.key_update_every)?;
    }
    if client.want_tickets {
        wait_for_tickets(&mut stream);
        print(format!("tickets received: {}", stream.tickets_received));
    } else if stream.conn.negotiated().certificate_requested && args.send.is_none() {
        // RFC 8446 Appendix E.1.2: a client asked for a certificate learns
        // whether the server accepted it only from what comes next (a
        // ticket, data, or an alert such as certificate_required): wait
        // for it, up to a second, rather than report a success it cannot know.
        wait_for_tickets(&mut stream);
    }
    if let Some(e) = stream.conn.error() {
        return Err(format!("the server ended the connection: {e}"));
    }
    let _ = stream.close();
    Ok(())
}

/// What the client prints once the handshake is done: one `name: value`
/// line each (tests and the book read them).
struct Report<'a> {
    negotiated: &'a Negotiated,
    handshake_time: Duration,
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.negotiated;
        writeln!(f, "protocol: TLSv1.3")?;
        writeln!(f, "cipher: {}", cipher_suite_name(n.cipher_suite))?;
        let group = n.group.map(group_name).unwrap_or("none (psk_ke)");
        writeln!(f, "group: {group}")?;
        let signature = n.signature_scheme.map(signature_scheme_name);
        writeln!(f, "signature: {}", signature.unwrap_or("none (resumed)"))?;
        let hrr = if n.hello_retry_request { "yes" } else { "no" };
        writeln!(f, "hello_retry_request: {hrr}")?;
        writeln!(f, "resumed: {}", resumed_text(n))?;
        writeln!(f, "peer: {}", n.peer_subject.as_deref().unwrap_or("-"))?;
        writeln!(f, "issuer: {}", n.peer_issuer.as_deref().unwrap_or("-"))?;
        writeln!(f, "alpn: {}", alpn_text(n))?;
        let client_certificate = match (n.certificate_requested, n.client_certificate_sent) {
            (false, _) => "not requested",
            (true, true) => "sent",
            (true, false) => "requested, none sent",
        };
        writeln!(f, "client_certificate: {client_certificate}")?;
        let ms = self.handshake_time.as_secs_f64() * 1000.0;
        write!(f, "handshake: {ms:.2} ms")
    }
}

/// `\r` and `\n` in a command-line text, as CR and LF.
fn unescape(text: &str) -> String {
    text.replace("\\r", "\r").replace("\\n", "\n")
}

// ANCHOR: early_data_outcome
/// `--early`: say what became of the early data (RFC 8446 §4.2.10). The
/// server read it if it accepted it: print its answer. Rejected or never
/// sent, it was not read: with `--early-resend` send it now, as 1-RTT
/// data; without, say so (minitls never resends it by itself).
fn early_data_outcome(
    stream: &mut Stream<TcpStream>,
    text: &str,
    resend: bool,
) -> Result<(), String> {
    match stream.conn.negotiated().early_data_accepted {
        Some(true) => {
            print(format!("early_data: accepted ({} bytes)", text.len()));
            print_early_answer(stream);
            return Ok(());
        }
        Some(false) => print("early_data: rejected (the server did not read it)"),
        None => print("early_data: not sent (no ticket allowing early data)"),
    }
    if !resend {
        print("early data not resent (--early-resend sends it after the handshake)");
        return Ok(());
    }
    print("early data resent after the handshake");
    stream
        .write_all(text.as_bytes())
        .map_err(|e| describe_failure(&stream.conn, &e))?;
    print_early_answer(stream);
    Ok(())
}
// ANCHOR_END: early_data_outcome

/// What the server answered to the early data (read early, or resent), if
/// anything within two seconds (a server may read early data and answer nothing, as
/// `openssl s_server -early_data` does), up to its close or that pause.
fn print_early_answer(stream: &mut Stream<TcpStream>) {
    let _ = stream
        .transport
        .set_read_timeout(Some(Duration::from_secs(2)));
    // The read time-out, not the server, ends this answer: its error is
    // the expected end.
    let (answer, _) = read_answer(stream, |_| false);
    print(Response(&answer));
    let _ = stream
        .transport
        .set_read_timeout(Some(Duration::from_secs(30)));
}

/// `--send`: writes the text (with `\r` and `\n` unescaped) and prints the
/// answer: everything until the server closes, or, for data that is not
/// an HTTP request, until the echo is complete (an echo server never closes).
fn send_and_print_answer(
    stream: &mut Stream<TcpStream>,
    text: &str,
    key_update_every: Option<u32>,
) -> Result<(), String> {
    let text = unescape(text);
    match key_update_every {
        None => stream
            .write_all(text.as_bytes())
            .map_err(|e| describe_failure(&stream.conn, &e))?,
        Some(n) => send_with_key_updates(stream, &text, n)?,
    }
    print_answer(stream, &text)
}

/// The most of a server's answer the client reads and prints: the server
/// chooses how much it sends, and this is a teaching client, not a
/// download tool.
const MAX_ANSWER: usize = 1 << 20;

/// The answer to `text`: everything until the server closes (at most
/// [`MAX_ANSWER`] bytes), or, for data that is not an HTTP request, until
/// the echo is complete.
fn print_answer(stream: &mut Stream<TcpStream>, text: &str) -> Result<(), String> {
    let echo = !http::is_http(text.as_bytes());
    let (answer, error) = read_answer(stream, |answer| echo && answer.len() >= text.len());
    if let Some(e) = error {
        if e.kind() != std::io::ErrorKind::UnexpectedEof || stream.conn.error().is_some() {
            return Err(describe_failure(&stream.conn, &e));
        }
        // The transport ended without close_notify (RFC 8446 §6.1): show
        // what came, but nobody can tell a complete answer from one an
        // attacker or a crash cut short.
        print(Response(&answer));
        return Err(format!(
            "the server closed the connection without close_notify: \
             the response ({} bytes) may be truncated",
            answer.len()
        ));
    }
    print(Response(&answer));
    Ok(())
}

/// Reads the server's answer until `complete` says it is whole, the
/// server closes, or [`MAX_ANSWER`] bytes have come; with the read error
/// that ended it, if one did.
fn read_answer<T: Read + Write>(
    stream: &mut Stream<T>,
    complete: impl Fn(&[u8]) -> bool,
) -> (Vec<u8>, Option<std::io::Error>) {
    let mut answer = Vec::new();
    let mut buf = [0u8; 16384];
    while answer.len() < MAX_ANSWER && !complete(&answer) {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) => return (answer, Some(e)),
        }
    }
    (answer, None)
}

// ANCHOR: send_with_key_updates
/// `--key-update-every N`: one record per line of `text`, and after every
/// N records a KeyUpdate (RFC 8446 §4.6.3), so the records after it go out
/// under the next generation of our keys. Says how many it sent.
fn send_with_key_updates(
    stream: &mut Stream<TcpStream>,
    text: &str,
    every: u32,
) -> Result<(), String> {
    let mut updates = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        stream
            .write_all(line.as_bytes())
            .map_err(|e| describe_failure(&stream.conn, &e))?;
        if (i as u64 + 1).is_multiple_of(u64::from(every)) {
            stream
                .conn
                .update_keys(false)
                .map_err(|e| format!("KeyUpdate: {e}"))?;
            stream
                .flush_tls()
                .map_err(|e| describe_failure(&stream.conn, &e))?;
            updates += 1;
        }
    }
    print(format!("key updates sent: {updates}"));
    Ok(())
}
// ANCHOR_END: send_with_key_updates

/// The `--send` answer, under a header that gives its length.
struct Response<'a>(&'a [u8]);

impl fmt::Display for Response<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "--- response ({} bytes) ---", self.0.len())?;
        write!(f, "{}", String::from_utf8_lossy(self.0))
    }
}

/// Tickets follow the server's reading of our Finished (RFC 8446 §4.6.1);
/// if none has come yet, give them a second to arrive.
fn wait_for_tickets(stream: &mut Stream<TcpStream>) {
    if stream.tickets_received > 0 {
        return;
    }
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

#[cfg(test)]
mod tests {
    use std::net::TcpListener;
    use std::thread;

    use minitls::testing::{client_config, demo_pki, server_config};

    use super::*;

    /// A server that sends far more than the client reads: the client
    /// stops at MAX_ANSWER (plus at most one read's worth).
    #[test]
    fn the_answer_a_server_sends_is_read_up_to_its_bound() {
        let pki = demo_pki(1);
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let server = Arc::new(server_config(&pki, 2));
        let flood = thread::spawn(move || {
            let (tcp, _) = listener.accept().expect("the client connects");
            let mut stream = Stream::new(Connection::server(server), tcp);
            let chunk = [b'x'; 16384];
            // Until the client hangs up: 4 MiB at most.
            for _ in 0..256 {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
            }
        });
        let tcp = TcpStream::connect(addr).expect("connect");
        tcp.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a read time-out");
        let conn =
            Connection::client(Arc::new(client_config(&pki, 3)), "localhost").expect("a client");
        let mut stream = Stream::new(conn, tcp);
        stream.handshake().expect("the handshake");
        let (answer, error) = read_answer(&mut stream, |_| false);
        assert!(error.is_none(), "{error:?}");
        assert!(
            (MAX_ANSWER..MAX_ANSWER + 16384).contains(&answer.len()),
            "read {} bytes",
            answer.len()
        );
        drop(stream);
        flood.join().expect("the server thread");
    }
}
