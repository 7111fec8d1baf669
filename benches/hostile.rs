//! Hostile input, measured: what a peer's odd but legal (or merely large)
//! input costs the server, so that the hardening's "linear, not
//! quadratic" claims are figures rather than promises.
//!
//! - `client_hello_in_1_byte_records`: a 64 KiB ClientHello (16,000 unknown
//!   extensions) sent as 65,000-odd plaintext records of one byte each, all
//!   in one `receive` call (393 KB on the wire). Before the deframer read
//!   with a cursor it moved the rest of the buffer down after every record:
//!   318 ms.
//! - `client_hello_16000_extensions`: the same ClientHello in whole records;
//!   the duplicate check once compared each extension with all before it:
//!   194 ms.
//! - `client_hello_baseline`: the genuine ClientHello, for scale (the
//!   server's X25519 and Ed25519 work is in every case).
//!
//! Run with `cargo bench --bench hostile`.

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion};

use common::pki_now;
use minitls::messages::{Extension, HandshakeMessage};
use minitls::{ClientConfig, Connection, ServerConfig};

/// The genuine ClientHello message of a fresh minitls client.
fn genuine_client_hello(pki: &minitls::pki::issue::DemoPki) -> HandshakeMessage {
    let mut config = ClientConfig::new(pki.trust_anchors());
    config.session_cache = None;
    let mut client = Connection::client(Arc::new(config), "localhost").expect("client starts");
    let mut wire = Vec::new();
    client.transmit(&mut wire);
    HandshakeMessage::decode(&wire[5..]).expect("a ClientHello")
}

/// Plaintext handshake records of at most `size` bytes each.
fn records(bytes: &[u8], size: usize) -> Vec<u8> {
    let mut wire = Vec::new();
    for chunk in bytes.chunks(size) {
        wire.extend_from_slice(&[22, 3, 3]);
        wire.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        wire.extend_from_slice(chunk);
    }
    wire
}

fn main() {
    let pki = pki_now();
    let server_config = Arc::new(ServerConfig::new(
        vec![pki.server_cert.clone()],
        pki.server_key.clone(),
    ));
    let genuine = genuine_client_hello(&pki);
    let HandshakeMessage::ClientHello(hello) = &genuine else {
        unreachable!("genuine_client_hello returns a ClientHello");
    };
    // The hello's own extensions, then 16,000 unknown ones, as wire-level
    // extensions (a typed ClientHello keeps no unknown extension).
    let mut extensions = hello.extensions.to_list();
    extensions.extend((0..16_000u16).map(|n| Extension::Unknown {
        extension_type: 0x1000 + n,
        data: Vec::new(),
    }));
    let big = genuine
        .encode_with_extensions(&extensions)
        .expect("fits its vectors");
    let genuine = genuine.encode().expect("fits its vectors");
    let cases = [
        ("client_hello_baseline", records(&genuine, 1 << 14)),
        ("client_hello_16000_extensions", records(&big, 1 << 14)),
        ("client_hello_in_1_byte_records", records(&big, 1)),
    ];

    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    let mut group = criterion.benchmark_group("hostile");
    for (name, wire) in &cases {
        group.bench_function(*name, |b| {
            b.iter_batched(
                || Connection::server(server_config.clone()),
                |mut server| {
                    server
                        .receive(black_box(wire))
                        .expect("a legal ClientHello");
                    assert_eq!(server.state_name(), "WAIT_FINISHED");
                    server
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
    criterion.final_summary();
}
