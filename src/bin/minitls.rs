//! The `minitls` command line: `cert`, `server`, `client` and `demo`.
//!
//! The command line is a contract (DESIGN.md): the tests and the book rely
//! on its flags and on the summary lines the client prints. All of the TLS
//! is in the library; this file only opens sockets and files, and prints.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use minitls::crypto::Ed25519PrivateKey;
use minitls::keylog::KeyLogObserver;
use minitls::messages::{cipher_suite_name, group_name, signature_scheme_name};
use minitls::pki::issue::DemoPki;
use minitls::pki::pem;
use minitls::pki::verify::TrustAnchors;
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
    Server {
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
    },
    /// Connect, report what was negotiated, optionally send data and print the answer.
    Client {
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
        #[arg(long)]
        send: Option<String>,
    },
    /// Run a loopback server and client with an in-memory PKI and show what a handshake costs.
    Demo,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Cert { out, names } => cmd_cert(&out, &names),
        Command::Server {
            cert,
            key,
            listen,
            keylog,
        } => cmd_server(&cert, &key, &listen, keylog),
        Command::Client {
            addr,
            servername,
            ca,
            keylog,
            send,
        } => cmd_client(&addr, servername, ca, keylog, send),
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
fn keylog_observer(flag: Option<PathBuf>) -> Result<Option<KeyLogObserver>, String> {
    let path = flag.or_else(|| std::env::var_os("SSLKEYLOGFILE").map(PathBuf::from));
    match path {
        None => Ok(None),
        Some(p) => KeyLogObserver::open(&p)
            .map(Some)
            .map_err(|e| format!("cannot open key log {}: {e}", p.display())),
    }
}

fn read_file(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// "which check failed, which alert was sent or received".
fn describe_failure(conn: &Connection, io_error: &std::io::Error) -> String {
    match conn.error() {
        Some(Error::AlertReceived(alert)) => format!("handshake failed: peer sent alert {alert}"),
        Some(e) => match e.alert() {
            Some(alert) => format!("handshake failed: {e} (sent alert {alert})"),
            None => format!("handshake failed: {e}"),
        },
        None => format!("connection failed: {io_error}"),
    }
}

fn cmd_server(
    cert: &Path,
    key: &Path,
    listen: &str,
    keylog: Option<PathBuf>,
) -> Result<(), String> {
    let chain =
        pem::certs_from_pem(&read_file(cert)?).map_err(|e| format!("{}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{}: no CERTIFICATE block", cert.display()));
    }
    let private_key = pem::private_key_from_pem(&read_file(key)?)
        .map_err(|e| format!("{}: {e}", key.display()))?;
    let config = Arc::new(ServerConfig::new(chain, private_key));
    let keylog = keylog_observer(keylog)?.map(|k| Arc::new(Mutex::new(k)));
    let listener =
        TcpListener::bind(listen).map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!("minitls server listening on {local}");
    for tcp in listener.incoming() {
        let Ok(tcp) = tcp else { continue };
        let config = config.clone();
        let keylog = keylog.clone();
        std::thread::spawn(move || serve_one(tcp, config, keylog));
    }
    Ok(())
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

fn serve_one(
    tcp: TcpStream,
    config: Arc<ServerConfig>,
    keylog: Option<Arc<Mutex<KeyLogObserver>>>,
) {
    let peer = tcp
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "?".into());
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(30)));
    let observer: Box<dyn Observer> = match keylog {
        Some(k) => Box::new(SharedObserver(k)),
        None => Box::new(NoObserver),
    };
    let mut stream = Stream::new(Connection::server_with_observer(config, observer), tcp);
    if let Err(e) = stream.handshake() {
        eprintln!("{peer}: {}", describe_failure(&stream.conn, &e));
        return;
    }
    let n = stream.conn.negotiated().clone();
    eprintln!("{peer}: {}", one_line_summary(&n));
    let mut request = Vec::new();
    let mut buf = [0u8; 16384];
    loop {
        let got = match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(got) => got,
        };
        request.extend_from_slice(&buf[..got]);
        if is_http(&request) {
            if !request.windows(4).any(|w| w == b"\r\n\r\n")
                && !request.windows(2).any(|w| w == b"\n\n")
            {
                continue;
            }
            let page = http_page(&n);
            let _ = stream.write_all(page.as_bytes());
            break;
        }
        // Not HTTP: echo.
        if stream.write_all(&request).is_err() {
            break;
        }
        request.clear();
    }
    let _ = stream.close();
}

fn is_http(request: &[u8]) -> bool {
    ["GET ", "HEAD ", "POST "]
        .iter()
        .any(|m| request.starts_with(m.as_bytes()))
}

fn one_line_summary(n: &Negotiated) -> String {
    format!(
        "TLSv1.3 {} {}{}{}",
        cipher_suite_name(n.cipher_suite),
        n.group.map(group_name).unwrap_or("-"),
        if n.hello_retry_request {
            " (after HelloRetryRequest)"
        } else {
            ""
        },
        n.server_name
            .as_ref()
            .map(|s| format!(" sni={s}"))
            .unwrap_or_default()
    )
}

/// The page the server answers an HTTP request with.
fn http_page(n: &Negotiated) -> String {
    let body = format!(
        "<!doctype html>\n<title>minitls</title>\n<h1>Hello from minitls</h1>\n<pre>\n\
         protocol: TLSv1.3\n\
         cipher: {}\n\
         group: {}\n\
         signature: {}\n\
         hello_retry_request: {}\n\
         server_name: {}\n\
         resumed: no\n</pre>\n",
        cipher_suite_name(n.cipher_suite),
        n.group.map(group_name).unwrap_or("-"),
        n.signature_scheme.map(signature_scheme_name).unwrap_or("-"),
        if n.hello_retry_request { "yes" } else { "no" },
        n.server_name.as_deref().unwrap_or("-"),
    );
    format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn cmd_client(
    addr: &str,
    servername: Option<String>,
    ca: Option<PathBuf>,
    keylog: Option<PathBuf>,
    send: Option<String>,
) -> Result<(), String> {
    let host = addr
        .rsplit_once(':')
        .map(|(h, _)| h.trim_start_matches('[').trim_end_matches(']'))
        .ok_or_else(|| format!("{addr}: expected HOST:PORT"))?;
    let server_name = servername.unwrap_or_else(|| host.to_string());
    let Some(ca) = ca else {
        return Err(
            "--ca FILE is required: minitls has no system trust store (it speaks only Ed25519)"
                .into(),
        );
    };
    let anchors =
        TrustAnchors::from_pem(&read_file(&ca)?).map_err(|e| format!("{}: {e}", ca.display()))?;
    let config = Arc::new(ClientConfig::new(anchors));
    let observer: Box<dyn Observer> = match keylog_observer(keylog)? {
        Some(k) => Box::new(k),
        None => Box::new(NoObserver),
    };
    let started = Instant::now();
    let tcp = TcpStream::connect(addr).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(30)));
    let conn = Connection::client_with_observer(config, &server_name, observer)
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
        n.group.map(group_name).unwrap_or("-")
    ));
    print_line(format_args!(
        "signature: {}",
        n.signature_scheme.map(signature_scheme_name).unwrap_or("-")
    ));
    print_line(format_args!(
        "hello_retry_request: {}",
        if n.hello_retry_request { "yes" } else { "no" }
    ));
    print_line(format_args!("resumed: no"));
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
    if let Some(text) = send {
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
                    if !is_http(text.as_bytes()) && answer.len() >= text.len() {
                        break;
                    }
                }
                Err(e) => {
                    // A peer that closes TCP without close_notify still gave us its answer.
                    if answer.is_empty() {
                        return Err(describe_failure(&stream.conn, &e));
                    }
                    break;
                }
            }
        }
        print_line(format_args!("--- response ({} bytes) ---", answer.len()));
        print_line(format_args!("{}", String::from_utf8_lossy(&answer)));
    }
    let _ = stream.close();
    Ok(())
}

fn cmd_demo() -> Result<(), String> {
    print_line(format_args!(
        "minitls demo: one full TLS 1.3 handshake over loopback, in-memory PKI\n"
    ));
    let mut rng = minitls::crypto::os_rng();
    let pki = DemoPki::generate(&mut rng, &["localhost"], now_secs());
    let server_config = Arc::new(ServerConfig::new(
        vec![pki.server_cert.clone()],
        Ed25519PrivateKey::from_seed(*pki.server_key.seed()),
    ));
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server_stats = Stats::default();
    let server_side = {
        let stats = server_stats.clone();
        std::thread::spawn(move || -> Result<(), String> {
            let (tcp, _) = listener.accept().map_err(|e| e.to_string())?;
            let conn = Connection::server_with_observer(server_config, Box::new(stats));
            let mut stream = Stream::new(conn, tcp);
            stream
                .handshake()
                .map_err(|e| describe_failure(&stream.conn, &e))?;
            let mut buf = [0u8; 64];
            let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
            stream.write_all(&buf[..n]).map_err(|e| e.to_string())?;
            stream.close().map_err(|e| e.to_string())
        })
    };

    let client_stats = Stats::default();
    let config = Arc::new(ClientConfig::new(pki.trust_anchors()));
    let started = Instant::now();
    let tcp = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    let observer = Tee(vec![Box::new(client_stats.clone())]);
    let conn = Connection::client_with_observer(config, "localhost", Box::new(observer))
        .map_err(|e| e.to_string())?;
    let mut stream = Stream::new(conn, tcp);
    stream
        .handshake()
        .map_err(|e| describe_failure(&stream.conn, &e))?;
    let handshake_time = started.elapsed();
    stream.write_all(b"ping").map_err(|e| e.to_string())?;
    let mut buf = [0u8; 4];
    stream.read_exact(&mut buf).map_err(|e| e.to_string())?;
    let n = stream.conn.negotiated().clone();
    let _ = stream.close();
    server_side
        .join()
        .map_err(|_| "server thread panicked".to_string())??;

    let client = client_stats.get();
    let server = server_stats.get();
    print_line(format_args!(
        "server listening on {addr}; client connected to localhost\n"
    ));
    print_messages(&client);
    print_line(format_args!(""));
    print_line(format_args!("negotiated: {}", one_line_summary(&n)));
    print_line(format_args!(
        "server certificate: {} (issued by {})",
        n.peer_subject.as_deref().unwrap_or("-"),
        n.peer_issuer.as_deref().unwrap_or("-")
    ));
    print_line(format_args!(
        "application data: sent \"ping\", got \"{}\" back\n",
        String::from_utf8_lossy(&buf)
    ));
    print_costs(&client, &server, handshake_time);
    Ok(())
}

fn print_messages(client: &StatsData) {
    print_line(format_args!(
        "  {:<8} {:<22} {:>6}",
        "", "handshake message", "bytes"
    ));
    for (direction, name, size) in &client.messages {
        let arrow = match direction {
            Direction::Send => "C -> S",
            Direction::Receive => "C <- S",
        };
        print_line(format_args!("  {arrow:<8} {name:<22} {size:>6}"));
    }
}

fn print_costs(client: &StatsData, server: &StatsData, time: Duration) {
    print_line(format_args!(
        "  {:<34} {:>8} {:>8}",
        "cost of the full handshake", "client", "server"
    ));
    let rows: [(&str, usize, usize); 8] = [
        (
            "round trips (waits for the peer)",
            client.round_trips,
            server.round_trips,
        ),
        (
            "handshake messages sent",
            client
                .messages
                .iter()
                .filter(|m| m.0 == Direction::Send)
                .count(),
            server
                .messages
                .iter()
                .filter(|m| m.0 == Direction::Send)
                .count(),
        ),
        ("records sent", client.records_sent, server.records_sent),
        ("bytes sent", client.bytes_sent, server.bytes_sent),
        (
            "X25519 key generations",
            client.x25519_keygens,
            server.x25519_keygens,
        ),
        (
            "X25519 shared secrets",
            client.x25519_shared_secrets,
            server.x25519_shared_secrets,
        ),
        (
            "Ed25519 signatures made",
            client.signatures_made,
            server.signatures_made,
        ),
        (
            "Ed25519 signatures verified",
            client.signatures_verified,
            server.signatures_verified,
        ),
    ];
    for (label, c, s) in rows {
        print_line(format_args!("  {label:<34} {c:>8} {s:>8}"));
    }
    print_line(format_args!(
        "  {:<34} {:>8.2} ms (client, including TCP connect)",
        "handshake time",
        time.as_secs_f64() * 1000.0
    ));
}
