//! A blocking `Read`/`Write` wrapper over a [`Connection`] and any transport.
//!
//! This is the only blocking code in minitls (DESIGN.md principle 2). It is
//! the loop the `Connection` docs describe: write out everything pending;
//! if more input is needed, read once from the transport and `receive` it.
//! One buffer, no `WouldBlock` handling: one thread per connection.
//!
//! How a connection ends matters (RFC 8446 §6.1): a peer that is done
//! sends close_notify, and then [`Read::read`] returns `Ok(0)`. A transport
//! that ends without one may have been cut by an attacker (or a crash)
//! mid-answer, so `read` reports it as an `io::ErrorKind::UnexpectedEof`
//! error, as rustls does, and the caller decides whether what it has is
//! enough.

use std::io::{self, Read, Write};

use crate::connection::{AppEvent, Connection};
use crate::error::Error;

/// A TLS connection over a blocking transport such as a `TcpStream`.
pub struct Stream<T: Read + Write> {
    /// The sans-I/O connection: what was negotiated, errors, state.
    pub conn: Connection,
    /// The byte stream under TLS (for time-outs, say, on a `TcpStream`).
    pub transport: T,
    /// Application data received but not yet read.
    plaintext: Vec<u8>,
    /// The peer sent close_notify: no more data will come.
    eof: bool,
    /// The transport ended without close_notify: a truncation.
    truncated: bool,
    /// NewSessionTicket messages received so far (client side).
    pub tickets_received: usize,
    /// Server: bytes of 0-RTT data received (RFC 8446 §2.3). They are read
    /// like any other data, first; this says how many came before the
    /// handshake completed, and so could be a replay.
    pub early_data_received: usize,
}

fn to_io(e: Error) -> io::Error {
    io::Error::other(e)
}

/// The error `read` returns once the transport has ended without close_notify.
fn truncation() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "peer closed the connection without sending close_notify (the data may be truncated)",
    )
}

impl<T: Read + Write> Stream<T> {
    /// Wrap a fresh `Connection` and its transport; nothing is sent until
    /// the first `handshake`, `read` or `write`.
    pub fn new(conn: Connection, transport: T) -> Self {
        Stream {
            conn,
            transport,
            plaintext: Vec::new(),
            eof: false,
            truncated: false,
            tickets_received: 0,
            early_data_received: 0,
        }
    }

    /// Write every queued byte to the transport.
    pub fn flush_tls(&mut self) -> io::Result<()> {
        let mut out = Vec::new();
        self.conn.transmit(&mut out);
        if !out.is_empty() {
            self.transport.write_all(&out)?;
            self.transport.flush()?;
        }
        Ok(())
    }

    /// Read once from the transport and feed the connection. Returns false
    /// at end of stream.
    pub fn read_tls(&mut self) -> io::Result<bool> {
        let mut buf = [0u8; 16 * 1024 + 512];
        let n = self.transport.read(&mut buf)?;
        if n == 0 {
            if !self.eof {
                self.truncated = true;
            }
            return Ok(false);
        }
        let result = self.conn.receive(&buf[..n]);
        // Whatever happened, send what the connection queued (an alert, say).
        self.flush_tls()?;
        result.map_err(to_io)?;
        while let Some(event) = self.conn.poll_event() {
            match event {
                AppEvent::Data(data) => self.plaintext.extend_from_slice(&data),
                AppEvent::PeerClosed => self.eof = true,
                AppEvent::NewTicket => self.tickets_received += 1,
                AppEvent::Connected => {}
                AppEvent::EarlyData(data) => {
                    self.early_data_received += data.len();
                    self.plaintext.extend_from_slice(&data);
                }
            }
        }
        Ok(true)
    }

    /// Drive the handshake to completion.
    pub fn handshake(&mut self) -> io::Result<()> {
        loop {
            self.flush_tls()?;
            if let Some(error) = self.conn.error() {
                return Err(to_io(error.clone()));
            }
            if self.conn.is_connected() {
                return Ok(());
            }
            if !self.read_tls()? {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "peer closed the connection during the handshake",
                ));
            }
        }
    }

    /// Send close_notify.
    pub fn close(&mut self) -> io::Result<()> {
        self.conn.close();
        self.flush_tls()
    }
}

// ANCHOR: read_until_close_notify
impl<T: Read + Write> Read for Stream<T> {
    /// Data first; then `Ok(0)` after the peer's close_notify, or an
    /// `UnexpectedEof` error (every time) if the transport ended without one.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.handshake()?;
        while self.plaintext.is_empty() && !self.eof {
            if self.truncated || !self.read_tls()? {
                return Err(truncation());
            }
        }
        let n = buf.len().min(self.plaintext.len());
        buf[..n].copy_from_slice(&self.plaintext[..n]);
        self.plaintext.drain(..n);
        Ok(n)
    }
}
// ANCHOR_END: read_until_close_notify

impl<T: Read + Write> Write for Stream<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.handshake()?;
        self.conn.send(buf).map_err(to_io)?;
        self.flush_tls()?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_tls()
    }
}
