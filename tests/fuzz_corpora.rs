//! The fuzz targets' seed corpora, replayed on stable by `cargo test`.
//!
//! The target bodies live in `fuzz/shared/` and are included here as they
//! are in the fuzz targets, so what libFuzzer runs and what this test runs
//! are the same code. See fuzz/README.md.
//!
//! - `every_seed_replays` runs each target over every file in
//!   `fuzz/seeds/TARGET/`: no panic, and the targets themselves assert that
//!   every failure is an error with an alert.
//! - the `*_reach_*` tests check that the harness really gets where it
//!   claims (a connected client, a resumption, a KeyUpdate), so a change in
//!   the protocol that breaks the harness fails here, not silently in a
//!   fuzzer that stops finding anything.
//! - `write_seed_corpora` (ignored) regenerates `fuzz/seeds/` from the
//!   golden transcripts in `tests/snapshots/` and from a live deterministic
//!   run: `cargo test --test fuzz_corpora -- --ignored write_seed_corpora`.
//! - `known_crashes_are_fixed` replays `fuzz/regressions/`, inputs that
//!   panicked when they were found, and must not panic now.

#[path = "../fuzz/shared/mod.rs"]
mod shared;

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use minitls::error::{AlertDescription, Error};
use shared::connections::{
    self, ALERT, APPLICATION_DATA, GENUINE_FLIGHT, GENUINE_HELLO_SKIPPED, HANDSHAKE,
    HARNESS_CERTIFICATE_VERIFY, HARNESS_FINISHED, NO_INITIAL_KEY_SHARE, PSK_KE, RESUME, chunk,
};

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("record", shared::record),
    ("handshake_message", shared::handshake_message),
    ("x509", shared::x509),
    ("pem", shared::pem),
    ("ticket", shared::ticket),
    ("client", |d| drop(shared::client(d))),
    ("server", |d| drop(shared::server(d))),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file() && !p.ends_with("README.md"));
    files.sort();
    files
}

/// Run `target` over each file; the names of those that panicked.
fn replay(target: Target, files: &[PathBuf]) -> Vec<String> {
    let mut failed = Vec::new();
    for file in files {
        let data = std::fs::read(file).expect("readable seed");
        if catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
            failed.push(file.display().to_string());
        }
    }
    failed
}

#[test]
fn every_seed_replays() {
    let mut failed = Vec::new();
    for (name, target) in TARGETS {
        let seeds = files(&fuzz_dir().join("seeds").join(name));
        assert!(!seeds.is_empty(), "no seeds for {name}");
        failed.extend(replay(*target, &seeds));
    }
    assert!(failed.is_empty(), "seeds that panicked: {failed:#?}");
}

#[test]
fn known_crashes_are_fixed() {
    let mut failed = Vec::new();
    for file in files(&fuzz_dir().join("regressions")) {
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        let (_, target) = TARGETS
            .iter()
            .find(|(name, _)| stem.starts_with(&format!("{name}-")))
            .unwrap_or_else(|| panic!("{stem}: name it TARGET-what.bin"));
        failed.extend(replay(*target, &[file]));
    }
    assert!(failed.is_empty(), "still panicking: {failed:#?}");
}

fn input(mode: u8, chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![mode];
    for c in chunks {
        out.extend_from_slice(c);
    }
    out
}

const KEY_UPDATE_REQUESTED: [u8; 5] = [24, 0, 0, 1, 1];
const CLOSE_NOTIFY: [u8; 2] = [1, 0];

#[test]
fn client_harness_reaches_connected_tickets_and_key_update() {
    let world = connections::world();
    let outcome = shared::client(&[GENUINE_FLIGHT]);
    assert_eq!((outcome.state, outcome.error), ("CONNECTED", None));

    // The same flight, delivered by the fuzzer message by message, then
    // the tickets, a KeyUpdate, data under the next keys, close_notify.
    let mut chunks: Vec<Vec<u8>> = world
        .server_flight
        .iter()
        .map(|m| chunk(HANDSHAKE, m))
        .collect();
    chunks.extend(world.tickets.iter().map(|t| chunk(HANDSHAKE, t)));
    chunks.push(chunk(HANDSHAKE, &KEY_UPDATE_REQUESTED));
    chunks.push(chunk(APPLICATION_DATA, b"hello"));
    chunks.push(chunk(ALERT, &CLOSE_NOTIFY));
    let outcome = shared::client(&input(RESUME, &chunks));
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.state, "CONNECTED");
    assert_eq!(outcome.tickets, world.tickets.len());
    // The genuine ticket resumes against a real server, with and without DHE.
    assert_eq!(outcome.second, Some(Ok(true)));
    let outcome = shared::client(&input(RESUME | PSK_KE, &chunks));
    assert_eq!(outcome.second, Some(Ok(true)));
}

#[test]
fn client_harness_reaches_the_second_client_hello() {
    // Without an initial share, a HelloRetryRequest is accepted and the
    // client sends its second ClientHello and waits for a ServerHello.
    let outcome = shared::client(&input(
        NO_INITIAL_KEY_SHARE,
        &[chunk(HANDSHAKE, &hello_retry_request(8))],
    ));
    assert_eq!((outcome.state, outcome.error), ("WAIT_SH", None));
    // With one, the same HelloRetryRequest is refused (RFC 8446 §4.1.4).
    let outcome = shared::client(&input(
        GENUINE_HELLO_SKIPPED,
        &[chunk(HANDSHAKE, &hello_retry_request(8))],
    ));
    assert_eq!(
        outcome.error.and_then(|e| e.alert()),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn client_harness_failures_carry_alerts() {
    let world = connections::world();
    // A Finished that does not verify: decrypt_error.
    let mut chunks: Vec<Vec<u8>> = world.server_flight[..3]
        .iter()
        .map(|m| chunk(HANDSHAKE, m))
        .collect();
    chunks.push(chunk(
        HANDSHAKE,
        &[
            20, 0, 0, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
        ],
    ));
    let outcome = shared::client(&input(0, &chunks));
    assert_eq!(outcome.error, Some(Error::BadFinished));
    assert_eq!(
        outcome.error.unwrap().alert(),
        Some(AlertDescription::DecryptError)
    );

    // A KeyUpdate with a byte too many after the handshake: decode_error.
    let outcome = shared::client(&input(
        GENUINE_FLIGHT,
        &[chunk(HANDSHAKE, &[24, 0, 0, 2, 1, 1])],
    ));
    assert_eq!(
        outcome.error.and_then(|e| e.alert()),
        Some(AlertDescription::DecodeError)
    );
}

#[test]
fn server_harness_reaches_connected_and_resumption() {
    let world = connections::world();
    let outcome = shared::server(&[GENUINE_FLIGHT]);
    assert_eq!(
        (outcome.state, outcome.error, outcome.resumed),
        ("CONNECTED", None, false)
    );

    // The fuzzer's own hello (a copy of the genuine one) and Finished, then
    // a KeyUpdate and data under the next keys.
    let hello = &world.client_hello[5..];
    let chunks = [
        chunk(HANDSHAKE, hello),
        chunk(HANDSHAKE, &world.client_finished),
        chunk(HANDSHAKE, &KEY_UPDATE_REQUESTED),
        chunk(APPLICATION_DATA, b"hello"),
    ];
    let outcome = shared::server(&input(GENUINE_HELLO_SKIPPED, &chunks));
    assert_eq!((outcome.state, outcome.error), ("CONNECTED", None));

    let outcome = shared::server(&[RESUME | GENUINE_FLIGHT]);
    assert_eq!(
        (outcome.state, outcome.error, outcome.resumed),
        ("CONNECTED", None, true)
    );

    // A second Finished is out of place once connected.
    let outcome = shared::server(&input(
        GENUINE_FLIGHT,
        &[chunk(HANDSHAKE, &world.client_finished)],
    ));
    assert_eq!(
        outcome.error.and_then(|e| e.alert()),
        Some(AlertDescription::UnexpectedMessage)
    );
}

/// A flight the fuzzer changed still completes when the harness makes the
/// CertificateVerify and Finished that only the real peer could.
fn changed_flights() -> (Vec<u8>, Vec<u8>) {
    let world = connections::world();
    // EncryptedExtensions without server_name: legal, and not what was recorded.
    let client = input(
        RESUME,
        &[
            chunk(HANDSHAKE, &[8, 0, 0, 2, 0, 0]),
            chunk(HANDSHAKE, &world.server_flight[1]),
            chunk(HARNESS_CERTIFICATE_VERIFY, &[]),
            chunk(HARNESS_FINISHED, &[]),
            chunk(HANDSHAKE, &world.tickets[0]),
        ],
    );
    // The fuzzer's own resumption ClientHello, then the harness's Finished.
    let server = input(
        GENUINE_HELLO_SKIPPED,
        &[
            chunk(HANDSHAKE, &world.resumed_client_hello[5..]),
            chunk(HARNESS_FINISHED, &[]),
            chunk(HANDSHAKE, &KEY_UPDATE_REQUESTED),
        ],
    );
    (client, server)
}

#[test]
fn harness_finished_and_certificate_verify_complete_changed_flights() {
    let (client, server) = changed_flights();
    let outcome = shared::client(&client);
    assert_eq!((outcome.state, outcome.error), ("CONNECTED", None));
    assert!(outcome.second.is_some());
    let outcome = shared::server(&server);
    assert_eq!(
        (outcome.state, outcome.error, outcome.resumed),
        ("CONNECTED", None, true)
    );
}

/// A HelloRetryRequest asking the client of the client target for an
/// X25519 share, with a cookie of `cookie_len` bytes (none if 0).
fn hello_retry_request(cookie_len: usize) -> Vec<u8> {
    use minitls::messages::{HandshakeMessage, HelloRetryRequest, HelloRetryRequestExtensions};
    let Ok(HandshakeMessage::ClientHello(genuine_hello)) =
        HandshakeMessage::decode(&connections::world().client_hello[5..])
    else {
        panic!("the genuine ClientHello decodes");
    };
    HandshakeMessage::HelloRetryRequest(HelloRetryRequest {
        legacy_version: 0x0303,
        // The client draws its legacy_session_id before its key share, so
        // without a share it is still the genuine hello's.
        legacy_session_id_echo: genuine_hello.legacy_session_id,
        cipher_suite: 0x1303,
        legacy_compression_method: 0,
        extensions: HelloRetryRequestExtensions {
            supported_versions: Some(0x0304),
            key_share: Some(0x001d),
            cookie: (cookie_len > 0).then(|| vec![0xc0; cookie_len]),
            received: Vec::new(),
        },
    })
    .encode()
    .expect("a cookie of this size fits")
}

// ---------------------------------------------------------------------------
// Seeds: `cargo test --test fuzz_corpora -- --ignored write_seed_corpora`

/// A message or record dumped in a snapshot, put back together.
struct Dumped {
    /// "record" or the message name.
    kind: String,
    /// Whether the snapshot elided some bytes (filled with zeros here).
    elided: bool,
    bytes: Vec<u8>,
}

/// Parse the annotated hex dumps of a snapshot. A dump starts with a line
/// like `ClientHello client -> server, 168 bytes (...)` or `record client
/// -> server: handshake, 173 bytes (...)`; each following line is
/// `  OFFSET  field  hex bytes  = note`, where a long value is shown as its
/// first 12 bytes, `..`, its last 4 and `(N bytes)`.
fn dumps(snapshot: &str) -> Vec<Dumped> {
    let mut out: Vec<Dumped> = Vec::new();
    for line in snapshot.lines() {
        if !line.starts_with(' ') {
            let words: Vec<&str> = line.split_whitespace().collect();
            let is_dump = words.len() > 4 && words.get(2) == Some(&"->");
            let size = words
                .iter()
                .position(|w| w.starts_with("bytes"))
                .and_then(|i| words[i - 1].parse::<usize>().ok());
            if let (true, Some(size)) = (is_dump, size) {
                out.push(Dumped {
                    kind: words[0].to_string(),
                    elided: false,
                    bytes: vec![0; size],
                });
            } else if !line.trim().is_empty() {
                // Any other unindented line ends the dump.
                out.push(Dumped {
                    kind: String::new(),
                    elided: false,
                    bytes: Vec::new(),
                });
            }
            continue;
        }
        let Some(current) = out.last_mut() else {
            continue;
        };
        let mut fields = line.split_whitespace();
        let Some(offset) = fields
            .next()
            .and_then(|o| usize::from_str_radix(o, 16).ok())
        else {
            continue;
        };
        let value = line.split("  = ").next().unwrap_or(line);
        let tokens: Vec<&str> = value.split_whitespace().collect();
        // The value is the run of hex bytes (and `..`, `(N bytes)`) at the end.
        let mut total = None;
        let mut end = tokens.len();
        if end >= 2 && tokens[end - 1] == "bytes)" && tokens[end - 2].starts_with('(') {
            total = tokens[end - 2][1..].parse::<usize>().ok();
            end -= 2;
        }
        let mut start = end;
        while start > 1 {
            let t = tokens[start - 1];
            let hex = t.len() == 2 && t.bytes().all(|b| b.is_ascii_hexdigit());
            if hex || t == ".." {
                start -= 1;
            } else {
                break;
            }
        }
        let value = &tokens[start..end];
        let hex = |ts: &[&str]| -> Vec<u8> {
            ts.iter()
                .map(|t| u8::from_str_radix(t, 16).expect("hex"))
                .collect()
        };
        let bytes = match value.iter().position(|t| *t == "..") {
            Some(gap) => {
                current.elided = true;
                let head = hex(&value[..gap]);
                let tail = hex(&value[gap + 1..]);
                let total = total.unwrap_or(head.len() + tail.len());
                let mut b = head;
                b.resize(total - tail.len(), 0);
                b.extend(tail);
                b
            }
            None => hex(value),
        };
        if offset + bytes.len() <= current.bytes.len() {
            current.bytes[offset..offset + bytes.len()].copy_from_slice(&bytes);
        }
    }
    out.retain(|d| !d.kind.is_empty());
    out
}

fn write_seed(dir: &Path, name: &str, bytes: &[u8], written: &mut BTreeSet<Vec<u8>>) {
    if written.insert(bytes.to_vec()) {
        std::fs::write(dir.join(name), bytes).expect("write seed");
    }
}

#[test]
#[ignore = "regenerates fuzz/seeds/; run by hand after a protocol change"]
fn write_seed_corpora() {
    let seeds = fuzz_dir().join("seeds");
    let _ = std::fs::remove_dir_all(&seeds);
    let dir = |name: &str| {
        let d = seeds.join(name);
        std::fs::create_dir_all(&d).expect("mkdir");
        d
    };
    let mut written = BTreeSet::new();

    // 1. The golden transcripts: every record and handshake message dumped.
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut messages: Vec<(String, Vec<u8>)> = Vec::new();
    for file in files(&snapshots) {
        let stem = file
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace("transcripts__", "");
        let text = std::fs::read_to_string(&file).expect("snapshot");
        for (i, d) in dumps(&text).into_iter().enumerate() {
            let tag = if d.elided { "elided" } else { "exact" };
            if !d.elided && d.kind != "record" {
                // The dump parser is right: what it rebuilt decodes.
                let decoded = minitls::messages::HandshakeMessage::decode(&d.bytes);
                assert_eq!(
                    decoded.map(|m| m.name()),
                    Ok(d.kind.as_str()),
                    "{stem} #{i}"
                );
            }
            let name = format!("{stem}-{i:02}-{}-{tag}", d.kind);
            if d.kind == "record" {
                let mut seed = vec![0xff];
                seed.extend_from_slice(&d.bytes);
                write_seed(&dir("record"), &name, &seed, &mut written);
            } else {
                write_seed(&dir("handshake_message"), &name, &d.bytes, &mut written);
                messages.push((name, d.bytes));
            }
        }
    }
    // Each message as a one-chunk input to the side that receives it: the
    // hellos with the fuzzer's own hello, the rest after the genuine one.
    for (name, message) in &messages {
        let (target, mode) = match message[0] {
            1 => ("server", GENUINE_HELLO_SKIPPED),
            2 => ("client", GENUINE_HELLO_SKIPPED),
            4 | 24 => ("client", GENUINE_FLIGHT),
            8 | 15 | 13 => ("client", 0),
            _ => ("server", 0),
        };
        if message.len() < 1 << 16 {
            let seed = input(mode, &[chunk(HANDSHAKE, message)]);
            write_seed(&dir(target), name, &seed, &mut written);
        }
    }

    // 2. A live deterministic run: the genuine flows, which the connection
    // targets need byte for byte (the snapshots elide certificates).
    let world = connections::world();
    let flight: Vec<Vec<u8>> = world
        .server_flight
        .iter()
        .map(|m| chunk(HANDSHAKE, m))
        .collect();
    let tickets: Vec<Vec<u8>> = world.tickets.iter().map(|t| chunk(HANDSHAKE, t)).collect();
    let after = [
        chunk(HANDSHAKE, &KEY_UPDATE_REQUESTED),
        chunk(APPLICATION_DATA, b"GET / HTTP/1.0\r\n\r\n"),
        chunk(ALERT, &CLOSE_NOTIFY),
    ];
    let client = dir("client");
    write_seed(
        &client,
        "live-flight-by-message",
        &input(
            0,
            &[flight.clone(), tickets.clone(), after.to_vec()].concat(),
        ),
        &mut written,
    );
    write_seed(
        &client,
        "live-flight-one-record",
        &input(0, &[chunk(HANDSHAKE, &world.server_flight.concat())]),
        &mut written,
    );
    write_seed(
        &client,
        "live-tickets-resume",
        &input(GENUINE_FLIGHT | RESUME, &tickets),
        &mut written,
    );
    write_seed(
        &client,
        "live-tickets-resume-psk-ke",
        &input(GENUINE_FLIGHT | RESUME | PSK_KE, &tickets),
        &mut written,
    );
    write_seed(
        &client,
        "live-after-handshake",
        &input(GENUINE_FLIGHT, &after),
        &mut written,
    );
    let own_hello = [
        vec![chunk(HANDSHAKE, &world.server_hello[5..])],
        flight.clone(),
        tickets.clone(),
    ]
    .concat();
    write_seed(
        &client,
        "live-own-server-hello",
        &input(GENUINE_HELLO_SKIPPED, &own_hello),
        &mut written,
    );

    let (changed_client, changed_server) = changed_flights();
    write_seed(
        &client,
        "live-changed-flight-harness-finished",
        &changed_client,
        &mut written,
    );

    write_seed(
        &client,
        "live-hello-retry-request",
        &input(
            NO_INITIAL_KEY_SHARE,
            &[chunk(HANDSHAKE, &hello_retry_request(0))],
        ),
        &mut written,
    );
    write_seed(
        &client,
        "live-hello-retry-request-cookie",
        &input(
            NO_INITIAL_KEY_SHARE,
            &[chunk(HANDSHAKE, &hello_retry_request(8))],
        ),
        &mut written,
    );

    let server = dir("server");
    write_seed(
        &server,
        "live-own-hello-harness-finished",
        &changed_server,
        &mut written,
    );
    write_seed(
        &server,
        "live-finished-then-data",
        &input(
            0,
            &[
                vec![chunk(HANDSHAKE, &world.client_finished)],
                after.to_vec(),
            ]
            .concat(),
        ),
        &mut written,
    );
    write_seed(
        &server,
        "live-after-handshake",
        &input(GENUINE_FLIGHT, &after),
        &mut written,
    );
    write_seed(
        &server,
        "live-resumed-finished",
        &input(RESUME, &[chunk(HANDSHAKE, &world.resumed_client_finished)]),
        &mut written,
    );
    write_seed(
        &server,
        "live-resumed-after-handshake",
        &input(RESUME | GENUINE_FLIGHT, &after),
        &mut written,
    );
    write_seed(
        &server,
        "live-own-hello",
        &input(
            GENUINE_HELLO_SKIPPED,
            &[
                chunk(HANDSHAKE, &world.client_hello[5..]),
                chunk(HANDSHAKE, &world.client_finished),
            ],
        ),
        &mut written,
    );
    write_seed(
        &server,
        "live-own-resumption-hello",
        &input(
            GENUINE_HELLO_SKIPPED,
            &[chunk(HANDSHAKE, &world.resumed_client_hello[5..])],
        ),
        &mut written,
    );

    // The live messages for the decoders too (whole certificates included).
    let hm = dir("handshake_message");
    let live = [
        ("client_hello", world.client_hello[5..].to_vec()),
        (
            "resumed_client_hello",
            world.resumed_client_hello[5..].to_vec(),
        ),
        ("server_hello", world.server_hello[5..].to_vec()),
        (
            "resumed_server_hello",
            world.resumed_server_hello[5..].to_vec(),
        ),
    ];
    for (name, m) in live {
        write_seed(&hm, &format!("live-{name}"), &m, &mut written);
    }
    for (i, m) in world
        .server_flight
        .iter()
        .chain(&world.resumed_server_flight)
        .chain(&world.tickets)
        .enumerate()
    {
        write_seed(&hm, &format!("live-server-message-{i}"), m, &mut written);
    }

    let record = dir("record");
    write_seed(
        &record,
        "live-server-hello-records",
        &[&[7][..], &world.server_hello].concat(),
        &mut written,
    );
    write_seed(
        &record,
        "live-client-hello-record",
        &[&[0][..], &world.client_hello].concat(),
        &mut written,
    );

    // 3. Certificates, PEM, tickets and sessions of the demo PKI.
    let pki = minitls::testing::demo_pki(1);
    let x509 = dir("x509");
    write_seed(&x509, "demo-ca", &pki.ca_cert, &mut written);
    write_seed(&x509, "demo-server", &pki.server_cert, &mut written);
    let pem = dir("pem");
    use minitls::pki::pem as p;
    write_seed(
        &pem,
        "demo-ca",
        p::cert_to_pem(&pki.ca_cert).as_bytes(),
        &mut written,
    );
    write_seed(
        &pem,
        "demo-chain",
        (p::cert_to_pem(&pki.server_cert) + &p::cert_to_pem(&pki.ca_cert)).as_bytes(),
        &mut written,
    );
    write_seed(
        &pem,
        "demo-key",
        p::private_key_to_pem(&pki.server_key).as_bytes(),
        &mut written,
    );

    let ticket = dir("ticket");
    for (i, nst) in world.tickets.iter().enumerate() {
        // NewSessionTicket: header(4) lifetime(4) age_add(4) nonce<1> ticket<2> ...
        let nonce_len = usize::from(nst[12]);
        let at = 13 + nonce_len;
        let len = usize::from(u16::from_be_bytes([nst[at], nst[at + 1]]));
        write_seed(
            &ticket,
            &format!("live-ticket-{i}"),
            &nst[at + 2..at + 2 + len],
            &mut written,
        );
    }
    let session = minitls::resumption::Session {
        cipher_suite: 0x1303,
        psk: minitls::key_schedule::Secret::from_bytes([7; 32]),
        created_at: minitls::testing::FIXED_NOW,
        ticket_lifetime: 7200,
        ticket_age_add: 0x0102_0304,
        server_name: "localhost".into(),
        peer_identity: Vec::new(),
        max_early_data_size: 0,
        alpn_protocol: Vec::new(),
    };
    write_seed(&ticket, "session", &session.encode().unwrap(), &mut written);
    let stored = minitls::resumption::client_cache::StoredTicket {
        server_name: "localhost".into(),
        ticket: vec![1, 2, 3, 4],
        psk: minitls::key_schedule::Secret::from_bytes([8; 32]),
        cipher_suite: 0x1303,
        ticket_lifetime: 7200,
        ticket_age_add: 5,
        received_at: minitls::testing::FIXED_NOW,
        max_early_data_size: 0,
        alpn_protocol: Vec::new(),
    };
    write_seed(
        &ticket,
        "stored-ticket",
        &stored.encode().unwrap(),
        &mut written,
    );
    write_seed(
        &pem,
        "stored-ticket",
        stored.to_pem().unwrap().as_bytes(),
        &mut written,
    );
}
