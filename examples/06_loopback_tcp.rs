//! Example 06: a client and a server over real TCP, on loopback.
//!
//! Everything so far ran in memory. The same sans-I/O `Connection`, wrapped
//! in `minitls::stream::Stream`, speaks over any `Read + Write` transport:
//! here a `TcpStream` on 127.0.0.1. The server runs in a thread, answers one
//! connection by echoing a line back, and the client prints what the
//! handshake settled. This is what `minitls demo` does, in one file; with
//! the OS RNG and the real clock, the bytes differ on every run.
//!
//! Goes with the book's "Application data and closing"
//! (book/src/application-data.md) and "The big picture of a handshake"
//! (book/src/handshake-overview.md).
//!
//! ```text
//! cargo run --example 06_loopback_tcp
//! ```

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use minitls::pki::issue::DemoPki;
use minitls::stream::Stream;
use minitls::{ClientConfig, Connection, ServerConfig};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The server: one connection, one line echoed back, then close_notify.
fn serve_one(listener: TcpListener, config: Arc<ServerConfig>) -> Result<()> {
    let (tcp, peer) = listener.accept()?;
    let mut tls = BufReader::new(Stream::new(Connection::server(config), tcp));
    let mut line = String::new();
    tls.read_line(&mut line)?; // runs the handshake, then reads
    println!("server: from {peer}: {:?}", line.trim_end());
    let tls = tls.get_mut();
    tls.write_all(format!("echo: {line}").as_bytes())?;
    tls.close()?;
    Ok(())
}

fn main() -> Result<()> {
    // A fresh CA and server certificate for "localhost", valid from now.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    let pki = DemoPki::generate(
        &mut minitls::crypto::os_rng(),
        &["localhost"],
        now.as_secs() as i64,
    );
    let server_config = ServerConfig::new(vec![pki.server_cert.clone()], pki.server_key.clone());
    let client_config = ClientConfig::new(pki.trust_anchors());

    // Port 0: the OS picks a free port; the server thread waits on it.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = std::thread::spawn(move || serve_one(listener, Arc::new(server_config)));
    println!("server: listening on {addr}");

    // The client: TCP first, then TLS over it.
    let tcp = TcpStream::connect(addr)?;
    let conn = Connection::client(Arc::new(client_config), "localhost")?;
    let mut tls = Stream::new(conn, tcp);
    tls.handshake()?;
    let n = tls.conn.negotiated().clone();
    println!("client: connected to {addr}");
    println!("  version       TLS 1.3");
    println!(
        "  cipher suite  0x{:04x} TLS_CHACHA20_POLY1305_SHA256",
        n.cipher_suite
    );
    println!("  group         0x{:04x} x25519", n.group.unwrap_or(0));
    println!(
        "  signature     0x{:04x} ed25519",
        n.signature_scheme.unwrap_or(0)
    );
    println!(
        "  server        {}",
        n.peer_subject.as_deref().unwrap_or("-")
    );
    println!(
        "  issuer        {}",
        n.peer_issuer.as_deref().unwrap_or("-")
    );
    println!("  resumed       {}", n.resumed);

    // Application data, protected under the application traffic keys.
    tls.write_all(b"hello over loopback\n")?;
    let mut answer = String::new();
    BufReader::new(&mut tls).read_line(&mut answer)?;
    println!("client: got back {:?}", answer.trim_end());
    tls.close()?;

    server.join().expect("server thread")?;
    assert_eq!(answer, "echo: hello over loopback\n");
    println!("done: both sides closed with close_notify");
    Ok(())
}
