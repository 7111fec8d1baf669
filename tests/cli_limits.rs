//! The limits `minitls server` keeps on what peers can make it hold: the
//! connection cap, the handshake deadline, the idle time-out, the request
//! size bound, and an HTTP request recognised only once complete. Each test
//! starts the real binary on 127.0.0.1 (tests/support), plays a peer with
//! raw TCP or the minitls client library, and is bounded in time: every
//! read has a time-out.

mod support;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use minitls::pki::verify::TrustAnchors;
use minitls::stream::Stream;
use minitls::{ClientConfig, Connection};
use support::{ServerProcess, TempDir, minitls_cert, start_minitls_server};

/// A PKI in a fresh directory and a server using it with `extra` flags.
fn server(tag: &str, extra: &[&str]) -> (TempDir, ServerProcess) {
    let dir = TempDir::new(tag);
    minitls_cert(dir.path(), &[]);
    let server = start_minitls_server(&dir.join("server.pem"), &dir.join("server.key"), extra, &[]);
    (dir, server)
}

/// A plain TCP connection to the server, reads bounded by `timeout`.
fn tcp(server: &ServerProcess, timeout: Duration) -> TcpStream {
    let tcp = TcpStream::connect(server.addr()).expect("connect");
    tcp.set_read_timeout(Some(timeout)).expect("read timeout");
    tcp
}

/// A TLS connection to the server, handshake done, reads bounded by 10 s.
fn tls(dir: &TempDir, server: &ServerProcess) -> Stream<TcpStream> {
    let anchors = TrustAnchors::from_pem(&dir.read("ca.pem")).expect("ca.pem");
    let conn = Connection::client(Arc::new(ClientConfig::new(anchors)), "localhost").unwrap();
    let mut stream = Stream::new(conn, tcp(server, Duration::from_secs(10)));
    stream
        .handshake()
        .unwrap_or_else(|e| panic!("handshake: {e}\n{}", server.report()));
    stream
}

/// Whether the server has closed `tcp`: a read returns end of stream or a
/// reset. `false` if the read timed out (still open). Data is skipped.
fn closed_by_server(tcp: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match tcp.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return false;
            }
            Err(_) => return true, // reset
        }
    }
}

/// Everything the server sends until its close_notify (which must come).
fn read_to_close_notify(stream: &mut Stream<TcpStream>, server: &ServerProcess) -> String {
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .unwrap_or_else(|e| panic!("no clean close: {e}\n{}", server.report()));
    String::from_utf8_lossy(&answer).into_owned()
}

/// A 1-second limit closed the connection: not early, and not much later
/// (generous, for a loaded machine).
fn closed_after_about_a_second(elapsed: Duration, server: &ServerProcess) {
    assert!(
        elapsed >= Duration::from_millis(800) && elapsed < Duration::from_secs(4),
        "closed after {elapsed:?}, expected about 1 s\n{}",
        server.report()
    );
}

#[test]
fn a_connection_over_the_cap_is_closed_at_once() {
    let (dir, server) = server("limits-cap", &["--max-connections", "2"]);
    // Two silent connections take both places (the handshake deadline is
    // the default 10 s, far longer than this test waits).
    let mut first = tcp(&server, Duration::from_millis(300));
    let mut second = tcp(&server, Duration::from_millis(300));
    let mut third = tcp(&server, Duration::from_secs(5));
    let started = Instant::now();
    assert!(closed_by_server(&mut third), "{}", server.report());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "closed after {:?}, not at once\n{}",
        started.elapsed(),
        server.report()
    );
    assert!(
        server.wait_for_stderr("refused, 2 connections already open", support::STARTUP),
        "{}",
        server.report()
    );
    // The two within the cap are still open...
    assert!(!closed_by_server(&mut first), "{}", server.report());
    assert!(!closed_by_server(&mut second), "{}", server.report());
    // ...and once one leaves, its place serves a real client again.
    drop(first);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let anchors = TrustAnchors::from_pem(&dir.read("ca.pem")).unwrap();
        let conn = Connection::client(Arc::new(ClientConfig::new(anchors)), "localhost").unwrap();
        let mut stream = Stream::new(conn, tcp(&server, Duration::from_secs(5)));
        if stream.handshake().is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the freed place was never reused\n{}",
            server.report()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_silent_connection_is_closed_by_the_handshake_deadline() {
    let (_dir, server) = server("limits-hs", &["--handshake-timeout", "1"]);
    let mut silent = tcp(&server, Duration::from_secs(5));
    let started = Instant::now();
    assert!(closed_by_server(&mut silent), "{}", server.report());
    let elapsed = started.elapsed();
    closed_after_about_a_second(elapsed, &server);
    assert!(
        server.wait_for_stderr("no handshake within 1 s", support::STARTUP),
        "{}",
        server.report()
    );
}

#[test]
fn a_peer_trickling_bytes_cannot_stretch_the_handshake_deadline() {
    let (_dir, server) = server("limits-trickle", &["--handshake-timeout", "1"]);
    // The start of a ClientHello record, one byte every 200 ms: each byte
    // would reset a per-read time-out, but not a deadline.
    let mut slow = tcp(&server, Duration::from_millis(200));
    let started = Instant::now();
    let mut closed = false;
    for byte in [0x16u8, 0x03, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0xfc, 0x03]
        .iter()
        .cycle()
        .take(25)
    {
        if slow.write_all(&[*byte]).is_err() || closed_by_server(&mut slow) {
            closed = true;
            break;
        }
    }
    let elapsed = started.elapsed();
    assert!(closed, "still open after {elapsed:?}\n{}", server.report());
    assert!(
        elapsed < Duration::from_secs(3),
        "closed after {elapsed:?}, expected about 1 s\n{}",
        server.report()
    );
}

#[test]
fn an_idle_connection_is_closed_after_the_handshake() {
    let (dir, server) = server("limits-idle", &["--idle-timeout", "1"]);
    let mut stream = tls(&dir, &server);
    let started = Instant::now();
    // The server says goodbye properly: close_notify, so read ends with Ok(0).
    let answer = read_to_close_notify(&mut stream, &server);
    let elapsed = started.elapsed();
    assert!(answer.is_empty(), "{answer:?}");
    closed_after_about_a_second(elapsed, &server);
    assert!(
        server.wait_for_stderr("(--idle-timeout)", support::STARTUP),
        "{}",
        server.report()
    );
}

#[test]
fn an_oversize_request_is_refused_with_431() {
    let (dir, server) = server("limits-431", &[]);
    let mut stream = tls(&dir, &server);
    // 9000 bytes of request line and no end of head, in one record.
    let mut request = b"GET /".to_vec();
    request.resize(9000, b'a');
    stream.write_all(&request).unwrap();
    let answer = read_to_close_notify(&mut stream, &server);
    assert!(
        answer.starts_with("HTTP/1.0 431 "),
        "{answer:?}\n{}",
        server.report()
    );
    assert!(!answer.contains("200 OK"), "{answer:?}");
    assert!(
        server.wait_for_stderr("answered 431", support::STARTUP),
        "{}",
        server.report()
    );
}

#[test]
fn a_request_split_across_records_is_answered_once() {
    let (dir, server) = server("limits-split", &[]);
    let mut stream = tls(&dir, &server);
    stream.write_all(b"GET").unwrap();
    // Let the first record be read on its own before the rest is sent.
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(b" / HTTP/1.0\r\n\r\n").unwrap();
    let answer = read_to_close_notify(&mut stream, &server);
    assert!(
        answer.starts_with("HTTP/1.0 200 OK\r\n"),
        "not answered (or \"GET\" echoed first): {answer:?}\n{}",
        server.report()
    );
    assert_eq!(answer.matches("HTTP/1.0 200 OK").count(), 1, "{answer:?}");
    assert!(answer.contains("server_name: localhost"), "{answer:?}");
}

#[test]
fn data_that_is_not_http_is_still_echoed() {
    let (dir, server) = server("limits-echo", &[]);
    let mut stream = tls(&dir, &server);
    for chunk in [&b"hello"[..], b"G", b"ET-not-a-method"] {
        stream.write_all(chunk).unwrap();
    }
    let mut echoed = vec![0u8; "helloGET-not-a-method".len()];
    stream
        .read_exact(&mut echoed)
        .unwrap_or_else(|e| panic!("{e}\n{}", server.report()));
    assert_eq!(echoed, b"helloGET-not-a-method");
}
