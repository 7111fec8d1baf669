//! Bulk data: one application data record from client to server, sealed,
//! moved in memory, opened and handed to the application. minitls against
//! rustls (same configuration as in `handshake.rs`) and against the floor,
//! one ChaCha20-Poly1305 seal and one open of the same size.
//!
//! Run with `cargo bench --bench bulk`. The criterion groups come first,
//! then an interleaved ratio table (see `handshake.rs` for why both).

mod common;

use std::hint::black_box;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use criterion::{Criterion, Throughput};

use common::{Row, measuring, pki_now, print_ratio_table, profile_request, run_profile};
use minitls::testing::Pair;
use minitls::{AppEvent, ClientConfig, Connection, ServerConfig};

/// Record sizes: a full record, and a small one where fixed costs show.
const SIZES: [(usize, &str); 2] = [(16 * 1024, "16KiB"), (256, "256B")];

/// A connected minitls pair that moves `data` from client to server.
struct MinitlsBulk {
    pair: Pair,
    data: Vec<u8>,
    wire: Vec<u8>,
}

impl MinitlsBulk {
    fn new(pki: &minitls::pki::issue::DemoPki, len: usize) -> Self {
        let mut client = ClientConfig::new(pki.trust_anchors());
        client.session_cache = None;
        let server = ServerConfig::new(vec![pki.server_cert.clone()], pki.server_key.clone());
        let mut pair = Pair::new(
            Connection::client(Arc::new(client), "localhost").expect("client starts"),
            Connection::server(Arc::new(server)),
        );
        pair.drive().expect("handshake completes");
        let mut b = MinitlsBulk {
            pair,
            data: vec![0x61; len],
            wire: Vec::with_capacity(len + 64),
        };
        b.wire.clear();
        b.pair.client.send(&b.data).expect("send");
        b.pair.client.transmit(&mut b.wire);
        assert_eq!(b.wire.len(), 5 + len + 1 + 16, "one record on the wire");
        b.pair.server.receive(&b.wire).expect("receive");
        assert_eq!(
            b.pair.server.poll_event(),
            Some(AppEvent::Data(b.data.clone()))
        );
        b
    }

    fn run(&mut self) {
        self.wire.clear();
        self.pair.client.send(&self.data).expect("send");
        self.pair.client.transmit(&mut self.wire);
        self.pair.server.receive(&self.wire).expect("receive");
        match self.pair.server.poll_event() {
            Some(AppEvent::Data(d)) => {
                black_box(d);
            }
            other => panic!("expected data, got {other:?}"),
        }
    }
}

/// A connected rustls pair that moves `data` from client to server.
struct RustlsBulk {
    client: rustls::Connection,
    server: rustls::Connection,
    data: Vec<u8>,
    wire: Vec<u8>,
    read: Vec<u8>,
}

impl RustlsBulk {
    fn new(pki: &minitls::pki::issue::DemoPki, len: usize) -> Self {
        let client = Arc::new(common::rustls_client_config(pki));
        let server = Arc::new(common::rustls_server_config(pki));
        let (mut c, mut s) = common::rustls_pair(&client, &server);
        common::rustls_drive(&mut c, &mut s);
        let mut b = RustlsBulk {
            client: c,
            server: s,
            data: vec![0x61; len],
            wire: Vec::with_capacity(len + 64),
            read: vec![0; len],
        };
        b.run();
        assert_eq!(b.wire.len(), 5 + len + 1 + 16, "one record on the wire");
        assert_eq!(b.read, b.data);
        b
    }

    fn run(&mut self) {
        self.client.writer().write_all(&self.data).expect("write");
        common::rustls_transfer(&mut self.client, &mut self.server, &mut self.wire);
        self.server
            .reader()
            .read_exact(&mut self.read)
            .expect("read");
        black_box(&self.read);
    }
}

/// The floor: one seal and one open of a record of the same size.
struct FloorBulk {
    buf: Vec<u8>,
    key: [u8; 32],
}

impl FloorBulk {
    fn run(&mut self) {
        let nonce = Nonce::from([3u8; 12]);
        let aad = [0x17, 0x03, 0x03, 0, 0];
        let tag = ChaCha20Poly1305::new(&Key::from(self.key))
            .encrypt_inout_detached(&nonce, &aad, self.buf.as_mut_slice().into())
            .expect("seal");
        ChaCha20Poly1305::new(&Key::from(self.key))
            .decrypt_inout_detached(&nonce, &aad, self.buf.as_mut_slice().into(), &tag)
            .expect("open");
        black_box(&self.buf);
    }
}

/// The ratio table's rows, one per record size.
fn rows<'a>(
    minitls: &'a mut [MinitlsBulk],
    rustls: &'a mut [RustlsBulk],
    floors: &'a mut [FloorBulk],
) -> Vec<Row<'a>> {
    minitls
        .iter_mut()
        .zip(rustls.iter_mut())
        .zip(floors.iter_mut())
        .zip(SIZES)
        .map(|(((m, r), f), (_, name))| Row {
            case: name,
            minitls: Box::new(move || m.run()),
            rustls: Some(Box::new(move || r.run())),
            floor: Box::new(move || f.run()),
        })
        .collect()
}

fn main() {
    let pki = pki_now();
    let mut criterion = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    let mut minitls: Vec<MinitlsBulk> = SIZES
        .iter()
        .map(|&(n, _)| MinitlsBulk::new(&pki, n))
        .collect();
    let mut rustls: Vec<RustlsBulk> = SIZES
        .iter()
        .map(|&(n, _)| RustlsBulk::new(&pki, n))
        .collect();
    let mut floors: Vec<FloorBulk> = SIZES
        .iter()
        .map(|&(n, _)| FloorBulk {
            // The record's plaintext: data plus the inner content type.
            buf: vec![0x61; n + 1],
            key: [9; 32],
        })
        .collect();

    if let Some((name, calls)) = profile_request() {
        run_profile(
            &mut rows(&mut minitls, &mut rustls, &mut floors),
            &name,
            calls,
        );
        return;
    }

    for (i, &(len, name)) in SIZES.iter().enumerate() {
        let mut group = criterion.benchmark_group(format!("bulk_{name}"));
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_function("minitls", |b| b.iter(|| minitls[i].run()));
        group.bench_function("rustls", |b| b.iter(|| rustls[i].run()));
        group.bench_function("floor", |b| b.iter(|| floors[i].run()));
        group.finish();
    }
    criterion.final_summary();

    if !measuring() {
        return;
    }
    let mut rows = rows(&mut minitls, &mut rustls, &mut floors);
    print_ratio_table("One record, client to server", "µs", &mut rows, 11, 1000);
}
