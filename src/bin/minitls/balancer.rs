//! A small round-robin TCP balancer, in process, for `minitls fleet`.
//!
//! It implements no RFC: it is the "load-balanced environment" of the
//! fleet chapter, as plain as it can be. Each accepted connection goes to
//! the next backend in turn; two threads copy bytes, one each way; when
//! either side closes (or fails, or stays silent past [`IDLE`]), both
//! sockets are shut down.
//!
//! Why our own rather than HAProxy or nginx: the fleet must run wherever
//! `cargo run` does, with nothing else installed, and start and stop in
//! milliseconds inside one process; and a reader can see in one page that
//! the balancer knows nothing of TLS. It forwards bytes and never looks at
//! them, like HAProxy's `mode tcp` or nginx's `stream` module, so a session
//! is resumed or not only because of what the servers behind it share.
//!
//! Bounded like the server: at most [`MAX_CONNECTIONS`] client connections
//! at once (two threads each; over the cap a new one is closed at once), a
//! connect to a backend waits at most [`CONNECT_TIMEOUT`], and each copy
//! moves at most [`BUFFER`] bytes at a time.
//!
//! This file uses only `std`, so that `tests/fleet.rs` can test the
//! balancer on its own.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Client connections forwarded at once.
pub const MAX_CONNECTIONS: usize = 256;
/// How long a connect to a backend may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Silence in one direction after which the pair is closed.
pub const IDLE: Duration = Duration::from_secs(30);
/// Bytes one copy moves at a time (a TLS record and then some).
pub const BUFFER: usize = 16 * 1024;

/// A running balancer on 127.0.0.1; stopped when dropped.
pub struct Balancer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accepting: Option<JoinHandle<()>>,
}

impl Balancer {
    /// Listens on a free loopback port and forwards each connection to the
    /// next of `backends`, in turn, starting with the first.
    pub fn start(backends: Vec<SocketAddr>) -> io::Result<Balancer> {
        if backends.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a balancer needs at least one backend",
            ));
        }
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let accepting = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("balancer".into())
                .spawn(move || accept_loop(&listener, &backends, &stop))?
        };
        Ok(Balancer {
            addr,
            stop,
            accepting: Some(accepting),
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // The accept loop sees the flag only once accept returns: wake it.
        let _ = TcpStream::connect_timeout(&self.addr, CONNECT_TIMEOUT);
        if let Some(thread) = self.accepting.take() {
            let _ = thread.join();
        }
    }
}

/// Accept, pick the next backend, start the two copies; until `stop`.
fn accept_loop(listener: &TcpListener, backends: &[SocketAddr], stop: &AtomicBool) {
    let open = Arc::new(AtomicUsize::new(0));
    let mut next = 0;
    while !stop.load(Ordering::Acquire) {
        let Ok((client, _)) = listener.accept() else {
            // Out of descriptors, say: wait rather than spin.
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        if stop.load(Ordering::Acquire) {
            break;
        }
        if open.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::AcqRel);
            continue; // dropping `client` closes it
        }
        let backend = backends[next % backends.len()];
        next = next.wrapping_add(1);
        let open = open.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("balancer to {backend}"))
            .spawn(move || {
                if let Err(e) = forward(client, backend) {
                    eprintln!("balancer: connection to {backend}: {e}");
                }
                open.fetch_sub(1, Ordering::AcqRel);
            });
        if let Err(e) = spawned {
            eprintln!("balancer: cannot start a thread: {e}");
        }
    }
}

/// Connect to `backend` and copy both ways until either side closes.
fn forward(client: TcpStream, backend: SocketAddr) -> io::Result<()> {
    let server = TcpStream::connect_timeout(&backend, CONNECT_TIMEOUT)?;
    for socket in [&client, &server] {
        socket.set_read_timeout(Some(IDLE))?;
        socket.set_write_timeout(Some(IDLE))?;
        // Handshake messages are small and latency is what we measure.
        socket.set_nodelay(true)?;
    }
    let (client_in, server_out) = (client.try_clone()?, server.try_clone()?);
    let upstream = std::thread::Builder::new()
        .name(format!("balancer copy to {backend}"))
        .spawn(move || copy_then_close(client_in, server_out))?;
    copy_then_close(server, client);
    let _ = upstream.join();
    Ok(())
}

// ANCHOR: copy_then_close
/// Copy `from` to `to` until `from` ends or either fails, then shut down
/// both sockets entirely, which also ends the copy the other way: "close
/// both when either side closes". A half-close is not forwarded as one;
/// TLS does not need it (close_notify says the same inside the stream).
fn copy_then_close(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = vec![0u8; BUFFER];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}
// ANCHOR_END: copy_then_close
