//! Attack lab: an on-path attacker flips one bit of a protected record.
//!
//! Every record after the ServerHello is sealed with ChaCha20-Poly1305, an
//! AEAD (RFC 8446 §5.2): the 16-byte tag at the end of each record covers
//! the header and every byte of the ciphertext. The attacker sits between
//! client and server and can change any byte in flight. Here it changes
//! one bit, twice:
//!
//! 1. in the server's first protected handshake record (its encrypted
//!    EncryptedExtensions, Certificate, ... flight), on its way to the client;
//! 2. in a record of application data, on its way from the client to the
//!    server, after the handshake.
//!
//! Each time the receiver's `Connection` refuses the record, sends the
//! `bad_record_mac` alert (RFC 8446 §5.2, §6.2) and closes; the sender
//! reads that alert and closes too. Everything printed comes from the
//! two real connections and the bytes between them.
//!
//! Run it: `cargo run --example lab_tampered_record`. Its output is a
//! reviewed snapshot (`tests/examples.rs`).

use minitls::Connection;
use minitls::record::{ContentType, Deframer, OpaqueRecord};
use minitls::testing::{Pair, demo_pki, deterministic_client, deterministic_server};
use minitls::trace::{RecordedEvent, Recorder};

/// What the client sends after the handshake.
const SECRET: &str = "PIN 4711";

fn main() {
    println!("1. A bit flipped in the server's first protected handshake record.");
    let (mut pair, client_log, _) = new_pair();
    pair.client_to_server().expect("ClientHello");
    let mut flight = Vec::new();
    pair.server.transmit(&mut flight);
    let mut records = cut(&flight);
    let target = records
        .iter()
        .position(|r| r.content_type == ContentType::ApplicationData.to_u8())
        .expect("the server's flight has a protected record");
    println!(
        "   the server's flight: {}; record {} is the first protected one",
        names(&records),
        target + 1
    );
    tamper(&mut records[target], 0);
    let altered: Vec<u8> = records.iter().flat_map(OpaqueRecord::encode).collect();
    let result = pair.client.receive(&altered);
    report("client", &pair.client, result, &client_log);
    deliver_alert(&mut pair.client, &mut pair.server, "server");

    println!();
    println!("2. A bit flipped in a record of application data.");
    let (mut pair, _, server_log) = new_pair();
    pair.drive().expect("handshake");
    pair.client.send(b"hello").expect("send");
    pair.client_to_server().expect("first record");
    let delivered = pair
        .server_events
        .iter()
        .any(|e| matches!(e, minitls::AppEvent::Data(d) if d.as_slice() == b"hello"));
    println!("   an untouched record first: the server reads \"hello\": {delivered}");
    pair.client.send(SECRET.as_bytes()).expect("send");
    let mut bytes = Vec::new();
    pair.client.transmit(&mut bytes);
    let mut records = cut(&bytes);
    println!("   the client sends {SECRET:?}: {}", names(&records));
    tamper(&mut records[0], 0);
    let altered: Vec<u8> = records.iter().flat_map(OpaqueRecord::encode).collect();
    let result = pair.server.receive(&altered);
    report("server", &pair.server, result, &server_log);
    deliver_alert(&mut pair.server, &mut pair.client, "client");
}

/// A fresh deterministic pair, with a recorder on each side.
fn new_pair() -> (Pair, Recorder, Recorder) {
    let pki = demo_pki(minitls::testing::PKI_SEED);
    let (client_log, server_log) = (Recorder::default(), Recorder::default());
    let client = deterministic_client(&pki, Box::new(client_log.clone()));
    let server = deterministic_server(&pki, Box::new(server_log.clone()));
    (Pair::new(client, server), client_log, server_log)
}

/// Flip the lowest bit of fragment byte `at` of `record`, and show it.
fn tamper(record: &mut OpaqueRecord, at: usize) {
    println!("   as sent:     {}", show(record));
    let before = record.fragment[at];
    record.fragment[at] ^= 0x01;
    println!(
        "   the attacker flips bit 0 of fragment byte {at} (record byte {}): {before:02x} -> {:02x}",
        at + 5,
        record.fragment[at]
    );
    println!("   as received: {}", show(record));
}

/// What the receiver made of the altered bytes: the error `receive`
/// returned, the alert its connection sent, and the record that carries it.
fn report(who: &str, conn: &Connection, result: Result<(), minitls::Error>, log: &Recorder) {
    let error = result.expect_err("a tampered record must be refused");
    println!("   {who}: receive() returned Err: {error}");
    let events = log.events();
    for event in &events {
        if let RecordedEvent::AlertSent(alert) = event {
            println!("   {who} sends the alert: {alert}");
        }
    }
    for event in &events {
        if let RecordedEvent::RecordSent(ContentType::Alert, protected, bytes) = event {
            let how = if *protected {
                "protected, so only the peer reads which alert"
            } else {
                "in clear"
            };
            println!("   in a record ({how}): {}", hex_spaced(&bytes[..5]));
        }
    }
    println!("   {who} is now {}", conn.state_name());
}

/// Carry what `from` queued (its alert) to `to`, and show what `to` makes of it.
fn deliver_alert(from: &mut Connection, to: &mut Connection, to_name: &str) {
    let mut bytes = Vec::new();
    from.transmit(&mut bytes);
    let result = to.receive(&bytes);
    match result {
        Err(error) => println!(
            "   {to_name}: receive() returned Err: {error}; {to_name} is now {}",
            to.state_name()
        ),
        Ok(()) => println!("   {to_name}: the alert was not seen"),
    }
}

/// The records in `bytes`, cut by the record layer's own `Deframer`.
fn cut(bytes: &[u8]) -> Vec<OpaqueRecord> {
    let mut deframer = Deframer::default();
    deframer.push(bytes);
    std::iter::from_fn(|| deframer.pop().ok().flatten()).collect()
}

/// "handshake (122 bytes), change_cipher_spec (1), application_data (...)".
fn names(records: &[OpaqueRecord]) -> String {
    let name = |r: &OpaqueRecord| match ContentType::from_u8(r.content_type) {
        Some(ContentType::Handshake) => "handshake",
        Some(ContentType::ChangeCipherSpec) => "change_cipher_spec",
        Some(ContentType::ApplicationData) => "application_data",
        Some(ContentType::Alert) => "alert",
        None => "unknown",
    };
    let list: Vec<String> = records
        .iter()
        .map(|r| format!("{} ({} B)", name(r), r.fragment.len()))
        .collect();
    list.join(", ")
}

/// A record as header | first bytes .. last 16 bytes (the tag).
fn show(record: &OpaqueRecord) -> String {
    let f = &record.fragment;
    let tag = f.len().saturating_sub(16);
    format!(
        "{} | {} .. tag {}",
        hex_spaced(&record.header()),
        hex_spaced(&f[..4.min(tag)]),
        hex_spaced(&f[tag..])
    )
}

fn hex_spaced(bytes: &[u8]) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    parts.join(" ")
}
