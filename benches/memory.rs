//! Memory: heap bytes per established connection (client and server apart)
//! and per session kept by the stateful store, against the targets of
//! issue 8.
//!
//! Run with `cargo bench --bench memory`. Not a criterion bench: the
//! figures are counts, not times, and the same on every run, so this file
//! has its own `main` (`harness = false`) and prints a table.
//!
//! How it counts: a global allocator that forwards to the system's and
//! keeps a running total of the bytes it has handed out and not yet got
//! back (the sizes asked for, so the figures are what minitls asks of the
//! allocator, without malloc's own headers and rounding).
//!
//! - **Per connection**: a client and a server complete a full handshake
//!   in memory, then each sends 16 KiB that the other echoes back, so the
//!   record buffers are counted at the size a full record needs. The
//!   figure for one side is what dropping that side's `Connection` gives
//!   back: everything it owns, and nothing of what the configs share
//!   between connections. The same figure right after the handshake is
//!   printed too.
//! - **Per stored session**: the total heap change from before an
//!   `InMemoryStore` of 10,000 sessions (the server's `--resumption
//!   stateful` store) is made until 10,000 sessions issued for
//!   `localhost` sit in it, divided by 10,000: hash table slack, the
//!   eviction queue and the IDs included.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use minitls::config::UnixTime;
use minitls::pki::issue::DemoPki;
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::{ResumptionStrategy, Session};
use minitls::testing::SeededRng;
use minitls::{AppEvent, ClientConfig, Connection, ServerConfig};

/// The system allocator, counting the bytes currently allocated.
struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`, which upholds
// `GlobalAlloc`'s contract; the counter is only arithmetic on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's obligations are passed on to `System`.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, i.e. from `System`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from `System`, with `layout`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
            LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_bytes() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

/// The heap `value` owns: what dropping it gives back.
fn owned_bytes<T>(value: T) -> usize {
    let before = live_bytes();
    drop(value);
    before - live_bytes()
}

/// A full handshake in memory. Events are taken and dropped as they come,
/// as an application would.
fn handshake(client: &mut Connection, server: &mut Connection) {
    let mut wire = Vec::new();
    loop {
        wire.clear();
        let to_server = client.transmit(&mut wire);
        server.receive(&wire).expect("server accepts");
        while server.poll_event().is_some() {}
        wire.clear();
        let to_client = server.transmit(&mut wire);
        client.receive(&wire).expect("client accepts");
        while client.poll_event().is_some() {}
        if to_server + to_client == 0 {
            break;
        }
    }
    assert!(client.is_connected() && server.is_connected());
}

/// `from` sends `data`; `to` must hand back exactly that.
fn send(from: &mut Connection, to: &mut Connection, data: &[u8]) -> Vec<u8> {
    from.send(data).expect("send");
    let mut wire = Vec::new();
    from.transmit(&mut wire);
    to.receive(&wire).expect("receive");
    let mut got = Vec::new();
    while let Some(event) = to.poll_event() {
        if let AppEvent::Data(d) = event {
            got.extend_from_slice(&d);
        }
    }
    assert_eq!(got, data);
    got
}

/// A connected pair on shared configs, the configs made before counting.
fn connected_pair(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
) -> (Connection, Connection) {
    let mut c = Connection::client(client.clone(), "localhost").expect("client starts");
    let mut s = Connection::server(server.clone());
    handshake(&mut c, &mut s);
    (c, s)
}

/// Each side sends 16 KiB, which the other echoes back.
fn echo_16k(client: &mut Connection, server: &mut Connection) {
    let data = vec![0x61; 16 * 1024];
    let echoed = send(client, server, &data);
    send(server, client, &echoed);
    let echoed = send(server, client, &data);
    send(client, server, &echoed);
}

/// Bytes per session in a stateful store of `sessions` sessions.
fn bytes_per_stored_session(sessions: usize, server_name: &str) -> f64 {
    let mut rng = SeededRng::new(7);
    let session = Session {
        cipher_suite: 0x1303,
        psk: minitls::key_schedule::Secret::from_bytes([1; 32]),
        created_at: UnixTime(1_700_000_000_000),
        ticket_lifetime: 7200,
        ticket_age_add: 5,
        server_name: server_name.to_string(),
        peer_identity: Vec::new(),
        max_early_data_size: 0,
        alpn_protocol: Vec::new(),
    };
    let before = live_bytes();
    let store = StatefulStrategy::in_memory(sessions);
    for _ in 0..sessions {
        let id = store.issue(&session, &mut rng, session.created_at);
        assert!(id.is_some());
    }
    assert_eq!(store.len(), sessions);
    let held = live_bytes() - before;
    drop(store);
    held as f64 / sessions as f64
}

fn main() {
    // `cargo test --benches` runs every bench once; this one is quick.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64;
    let pki = DemoPki::generate(&mut SeededRng::new(1), &["localhost"], now);
    let mut client_config = ClientConfig::new(pki.trust_anchors());
    client_config.session_cache = None;
    let client_config = Arc::new(client_config);
    let server_config = Arc::new(ServerConfig::new(
        vec![pki.server_cert.clone()],
        pki.server_key.clone(),
    ));

    let (c, s) = connected_pair(&client_config, &server_config);
    let client_after_handshake = owned_bytes(c);
    let server_after_handshake = owned_bytes(s);

    let (mut c, mut s) = connected_pair(&client_config, &server_config);
    echo_16k(&mut c, &mut s);
    let client_after_echo = owned_bytes(c);
    let server_after_echo = owned_bytes(s);

    const SESSIONS: usize = 10_000;
    let name = "localhost";
    let per_session = bytes_per_stored_session(SESSIONS, name);
    let session_target = 160 + name.len();

    // The `Connection` value itself is not on the heap here; a server that
    // keeps its connections in `Box`es or a `Vec` pays for it as well, so
    // it counts against the target.
    let inline = std::mem::size_of::<Connection>();
    let verdict = |ok: bool| if ok { "met" } else { "NOT MET" };
    println!();
    println!("Heap bytes (as asked of the allocator), against issue 8's targets");
    println!("(a connection: the heap it owns + size_of::<Connection>() = {inline})");
    println!(
        "| {:<46} | {:>9} | {:>12} | {:>7} |",
        "what", "bytes", "target", "verdict"
    );
    println!("|{:-<48}|{:->11}|{:->14}|{:->9}|", "", "", "", "");
    let conn_row = |what: &str, heap: usize, target: Option<usize>| {
        let bytes = heap + inline;
        let (t, v) = match target {
            Some(t) => (format!("< {t}"), verdict(bytes < t)),
            None => ("-".to_string(), ""),
        };
        println!("| {what:<46} | {bytes:>9} | {t:>12} | {v:>7} |");
    };
    conn_row(
        "client connection, after handshake",
        client_after_handshake,
        None,
    );
    conn_row(
        "server connection, after handshake",
        server_after_handshake,
        None,
    );
    conn_row(
        "client connection, after 16 KiB echo both ways",
        client_after_echo,
        Some(4096),
    );
    conn_row(
        "server connection, after 16 KiB echo both ways",
        server_after_echo,
        Some(4096),
    );
    println!(
        "| {:<46} | {:>9.1} | {:>12} | {:>7} |",
        format!("stateful session ({SESSIONS} stored, \"{name}\")"),
        per_session,
        format!("<= {session_target}"),
        verdict(per_session <= session_target as f64),
    );
    println!();
}
