//! A blocking `Read`/`Write` wrapper over a [`Connection`] and any transport.
//!
//! This is the only blocking code in minitls (DESIGN.md principle 2). It is
//! the loop the `Connection` docs describe: write out everything pending;
//! if more input is needed, read once from the transport and `receive` it.
//! One buffer, no `WouldBlock` handling: one thread per connection.

use std::io::{self, Read, Write};

use crate::connection::{AppEvent, Connection};
use crate::error::Error;

/// A TLS connection over a blocking transport such as a `TcpStream`.
pub struct Stream<T: Read + Write> {
    pub conn: Connection,
    pub transport: T,
    /// Application data received but not yet read.
    plaintext: Vec<u8>,
    eof: bool,
    /// NewSessionTicket messages received so far (client side).
    pub tickets_received: usize,
}

fn to_io(e: Error) -> io::Error {
    io::Error::other(e)
}

impl<T: Read + Write> Stream<T> {
    pub fn new(conn: Connection, transport: T) -> Self {
        Stream {
            conn,
            transport,
            plaintext: Vec::new(),
            eof: false,
            tickets_received: 0,
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

impl<T: Read + Write> Read for Stream<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.handshake()?;
        while self.plaintext.is_empty() && !self.eof {
            if !self.read_tls()? {
                // The transport ended without close_notify: a truncation.
                self.eof = true;
            }
        }
        let n = buf.len().min(self.plaintext.len());
        buf[..n].copy_from_slice(&self.plaintext[..n]);
        self.plaintext.drain(..n);
        Ok(n)
    }
}

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
