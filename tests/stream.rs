//! How a [`Stream`] reports the end of a connection (RFC 8446 §6.1): after
//! the peer's close_notify, `read` returns `Ok(0)`; when the transport ends
//! without one, `read` returns an `UnexpectedEof` error, because the data
//! may have been cut short. No socket: the two sides are joined by an
//! in-memory duplex pipe, each side in its own thread since `Stream` blocks.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;

use minitls::Connection;
use minitls::stream::Stream;
use minitls::testing::{client_config, demo_pki, server_config};

/// One end of an in-memory duplex byte pipe. Dropping an end is the
/// transport closing: the other end's `read` then returns `Ok(0)`.
struct PipeEnd {
    to_peer: Sender<Vec<u8>>,
    from_peer: Receiver<Vec<u8>>,
    /// Bytes received but not yet read.
    pending: Vec<u8>,
}

fn pipe() -> (PipeEnd, PipeEnd) {
    let (a_tx, b_rx) = channel();
    let (b_tx, a_rx) = channel();
    let end = |to_peer, from_peer| PipeEnd {
        to_peer,
        from_peer,
        pending: Vec::new(),
    };
    (end(a_tx, a_rx), end(b_tx, b_rx))
}

impl Read for PipeEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            match self.from_peer.recv() {
                Ok(bytes) => self.pending = bytes,
                Err(_) => return Ok(0), // the peer's end was dropped
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

impl Write for PipeEnd {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.to_peer
            .send(buf.to_vec())
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Runs a server that handshakes, sends `answer`, then either sends
/// close_notify or just drops the transport; returns the client's reads:
/// everything up to the first `Ok(0)` or error, that result, and what one
/// more `read` returns.
type Reads = (Vec<u8>, io::Result<usize>, io::Result<usize>);

fn client_reads(answer: &'static [u8], send_close_notify: bool) -> Reads {
    let pki = demo_pki(7);
    let server_config = Arc::new(server_config(&pki, 8));
    let client_config = Arc::new(client_config(&pki, 9));
    let (client_end, server_end) = pipe();
    let server = thread::spawn(move || {
        let mut tls = Stream::new(Connection::server(server_config), server_end);
        tls.handshake().expect("server handshake");
        tls.write_all(answer).expect("server write");
        if send_close_notify {
            tls.close().expect("close_notify");
        }
        // Dropping `tls` drops the transport: the client sees its end close.
    });
    let conn = Connection::client(client_config, "localhost").expect("client");
    let mut tls = Stream::new(conn, client_end);
    tls.handshake().expect("client handshake");
    let mut got = Vec::new();
    let mut buf = [0u8; 4];
    let last = loop {
        match tls.read(&mut buf) {
            Ok(0) => break Ok(0),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => break Err(e),
        }
    };
    let again = tls.read(&mut buf);
    server.join().expect("server thread");
    (got, last, again)
}

#[test]
fn read_returns_zero_after_close_notify() {
    let (got, last, again) = client_reads(b"the whole answer", true);
    assert_eq!(got, b"the whole answer");
    assert_eq!(last.expect("a clean end"), 0);
    assert_eq!(again.expect("still a clean end"), 0);
}

#[test]
fn read_reports_a_transport_that_ends_without_close_notify() {
    let (got, last, again) = client_reads(b"the whole answer", false);
    // The data that did arrive is delivered first...
    assert_eq!(got, b"the whole answer");
    // ...then the missing close_notify is an error, not a clean end.
    let err = last.expect_err("a truncation must not look like a clean end");
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "{err}");
    assert!(err.to_string().contains("close_notify"), "{err}");
    // And it stays an error: a retry must not turn it into a clean end.
    let again = again.expect_err("still a truncation");
    assert_eq!(again.kind(), io::ErrorKind::UnexpectedEof, "{again}");
}
