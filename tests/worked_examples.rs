//! Worked examples for the book: the bytes a chapter explains, computed by
//! minitls's own code and kept as insta snapshots
//! (tests/snapshots/worked_examples__*.snap) that the book includes by
//! anchor.
//!
//! Each example starts from one deterministic handshake, the same one as
//! the golden transcript `transcripts__full_handshake.snap` (the seeds of
//! `Pair::deterministic`), and walks through one part of it by hand:
//!
//! - `records`: the header of a plaintext and of a protected record, and
//!   the decryption of one protected server record step by step (RFC 8446
//!   §5.1 to §5.4);
//! - `key_schedule`: every HKDF-Expand-Label of the handshake, with the
//!   encoded `HkdfLabel` it expands (RFC 8446 §7.1, §7.3, §4.4.4), and
//!   `key_schedule_hello_retry_request`: each secret beside its value in
//!   the same handshake after a HelloRetryRequest;
//! - `certificate_der`: every TLV of the server certificate, read with
//!   `minitls::pki::der` (RFC 5280 §4.1, RFC 8410);
//! - `certificate_verify`: the 130 bytes a server signs and its signature,
//!   and the signature of the same key after a HelloRetryRequest (RFC 8446
//!   §4.4.3);
//! - `application_data` and `alerts`: the key switches of Appendix A among
//!   the records, an application data record, the close_notify and a
//!   fatal alert, each decrypted (RFC 8446 §5.2, §6).
//!
//! Every value shown is computed by minitls's code: the key schedule
//! (`hkdf_label`, `hkdf_expand_label`, `TrafficSecret`), the record
//! protection, the DER reader, the transcript hash and the signed content.
//! Two steps are spelled out here, because minitls keeps them inside a type
//! the test cannot build from a reported value: the Master Secret's
//! HKDF-Extract (inside `HandshakeSecret::into_master_secret`), made with
//! minitls's `crypto::hkdf_extract` and checked against the value the
//! connection reported; and the padded sequence number of RFC 8446 §5.3,
//! shown beside `RecordProtection::nonce` and checked against it. The other
//! checks compare the walk with what both sides reported in their trace
//! and, where an independent check exists, with the primitive crates called
//! directly (`hkdf`, `chacha20poly1305`, `ed25519-dalek`), RFC 8448 and the
//! golden transcripts.

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use minitls::codec;
use minitls::crypto::{self, AEAD_TAG_LEN};
use minitls::key_schedule::{
    EarlySecret, SecretLabel, TrafficSecret, finished_verify_data, hkdf_expand_label, hkdf_label,
};
use minitls::messages::HandshakeMessage;
use minitls::messages::alert::Alert;
use minitls::messages::certificate_verify::{SERVER_CONTEXT, signed_content};
use minitls::pki::der;
use minitls::pki::x509::{self, Certificate};
use minitls::record::{ContentType, Deframer, HEADER_LEN, OpaqueRecord, RecordProtection};
use minitls::testing::{
    CLIENT_SEED, PKI_SEED, Pair, SERVER_SEED, client_config, demo_pki, deterministic_client,
    deterministic_server, server_config,
};
use minitls::trace::{RecordedEvent, Recorder, Tee};
use minitls::transcript::{Transcript, TranscriptHash};
use minitls::{Connection, Error};
use std::sync::Arc;

// ---------------------------------------------------------------------
// The handshake every example walks through.
// ---------------------------------------------------------------------

/// One full handshake, then a little application data and a close_notify,
/// with everything both sides reported.
struct Recorded {
    client: Vec<RecordedEvent>,
    server: Vec<RecordedEvent>,
    /// The client's `--explain` view, for the record header annotations.
    client_explained: String,
    /// The server's `--explain` view.
    server_explained: String,
    /// The server certificate's DER, as the demo PKI issued it.
    server_cert: Vec<u8>,
}

/// What the client sends once connected, and what the server answers (two
/// records, so that the worked decryption has a sequence number above 0).
const CLIENT_DATA: &[u8] = b"ping\n";
const SERVER_DATA: [&[u8]; 2] = [b"pong\n", b"bye\n"];

fn full_handshake_then_data() -> Recorded {
    let pki = demo_pki(PKI_SEED);
    let client_recorder = Recorder::default();
    let server_recorder = Recorder::default();
    let (explainer, explained) = minitls::explain::to_buffer("client");
    let (server_explainer, server_explained) = minitls::explain::to_buffer("server");
    let client = deterministic_client(
        &pki,
        Box::new(Tee(vec![
            Box::new(explainer),
            Box::new(client_recorder.clone()),
        ])),
    );
    let server = deterministic_server(
        &pki,
        Box::new(Tee(vec![
            Box::new(server_explainer),
            Box::new(server_recorder.clone()),
        ])),
    );
    let mut pair = Pair::new(client, server);
    pair.drive().unwrap();
    assert!(pair.client.is_connected() && pair.server.is_connected());
    pair.client.send(CLIENT_DATA).unwrap();
    for data in SERVER_DATA {
        pair.server.send(data).unwrap();
    }
    pair.server.close();
    pair.drive().unwrap();
    assert!(pair.client.peer_closed());
    let text = |buffer: &std::sync::Mutex<Vec<u8>>| {
        String::from_utf8(buffer.lock().unwrap().clone()).unwrap()
    };
    let client_explained = text(&explained);
    let server_explained = text(&server_explained);
    Recorded {
        client: client_recorder.events(),
        server: server_recorder.events(),
        client_explained,
        server_explained,
        server_cert: pki.server_cert.clone(),
    }
}

impl Recorded {
    /// The value of a secret as the client reported it.
    fn reported(&self, label: SecretLabel) -> [u8; 32] {
        reported(&self.client, label)
    }

    /// The handshake messages in the order the client saw them.
    fn messages(&self) -> Vec<(&'static str, Vec<u8>)> {
        self.client
            .iter()
            .filter_map(|e| match e {
                RecordedEvent::MessageSent(name, bytes)
                | RecordedEvent::MessageReceived(name, bytes) => Some((*name, bytes.clone())),
                _ => None,
            })
            .collect()
    }

    /// The transcript hash just after the `nth` message named `name`
    /// (RFC 8446 §4.4.1), hashed by minitls's `Transcript`.
    fn transcript_through(&self, name: &str, nth: usize) -> TranscriptHash {
        let mut transcript = Transcript::new();
        let mut seen = 0;
        for (message, bytes) in self.messages() {
            // RFC 8446 §4.4.1: a HelloRetryRequest replaces ClientHello1
            // with its hash, as minitls's Transcript does it.
            if message == "HelloRetryRequest" {
                transcript.restart_for_hrr();
            }
            transcript.add(&bytes);
            if message == name {
                seen += 1;
                if seen == nth {
                    return transcript.current();
                }
            }
        }
        panic!("no {name} number {nth} in the handshake");
    }

    /// The bytes of the `nth` message named `name`.
    fn message(&self, name: &str, nth: usize) -> Vec<u8> {
        self.messages()
            .into_iter()
            .filter(|(m, _)| *m == name)
            .nth(nth - 1)
            .map(|(_, bytes)| bytes)
            .unwrap_or_else(|| panic!("no {name} number {nth}"))
    }
}

fn reported(events: &[RecordedEvent], label: SecretLabel) -> [u8; 32] {
    events
        .iter()
        .find_map(|e| match e {
            RecordedEvent::SecretDerived(l, value) if *l == label => {
                Some(value.as_slice().try_into().unwrap())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("{} was not reported", label.rfc_label()))
}

/// The protected records one side sent, with the real content type inside.
fn protected_records_sent(events: &[RecordedEvent]) -> Vec<(ContentType, Vec<u8>)> {
    events
        .iter()
        .filter_map(|e| match e {
            RecordedEvent::RecordSent(content_type, true, bytes) => {
                Some((*content_type, bytes.clone()))
            }
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------
// Layout.
// ---------------------------------------------------------------------

/// A snapshot under construction, with the book's anchors.
#[derive(Default)]
struct Doc(String);

impl Doc {
    fn line(&mut self, text: impl AsRef<str>) {
        self.0.push_str(text.as_ref());
        self.0.push('\n');
    }

    fn anchor(&mut self, name: &str) {
        self.line(format!("ANCHOR: {name}"));
    }

    fn anchor_end(&mut self, name: &str) {
        self.line(format!("ANCHOR_END: {name}"));
    }

    /// A labelled field: its bytes on the first line (16 a line), a note
    /// after them, longer values continued below.
    fn field(&mut self, indent: usize, name: &str, bytes: &[u8], note: &str) {
        let pad = "  ".repeat(indent);
        let label = format!("{pad}{name}");
        let mut rows = bytes.chunks(16).map(spaced);
        let first = rows.next().unwrap_or_else(|| "(none)".into());
        if note.is_empty() {
            self.line(format!("{label:<34} {first}").trim_end());
        } else {
            self.line(format!("{label:<34} {first}  = {note}"));
        }
        for row in rows {
            self.line(format!("{:<34} {row}", ""));
        }
    }
}

fn spaced(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text for bytes that are printable ASCII, quoted as Rust would.
fn quoted(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

// ---------------------------------------------------------------------
// The key schedule (RFC 8446 §7.1), one HKDF-Expand-Label at a time.
// ---------------------------------------------------------------------

/// One HKDF-Expand-Label: the encoded HkdfLabel, field by field, and the
/// result, computed by `key_schedule::hkdf_expand_label`. The same bytes
/// expanded by the `hkdf` crate directly must give the same result.
fn expand_label(
    doc: &mut Doc,
    result: &str,
    base: (&str, &[u8; 32]),
    label: &str,
    context: (&str, &[u8]),
    length: usize,
) -> Vec<u8> {
    let info = hkdf_label(length as u16, label, context.1);
    let mut out = vec![0u8; length];
    hkdf_expand_label(base.1, label, context.1, &mut out);

    let mut direct = vec![0u8; length];
    hkdf::Hkdf::<sha2::Sha256>::from_prk(base.1)
        .unwrap()
        .expand(&info, &mut direct)
        .unwrap();
    assert_eq!(out, direct, "{result}: the hkdf crate disagrees");

    // The HkdfLabel read back with minitls's codec, to split its fields.
    let mut r = codec::Reader::new(&info);
    r.u16("length").unwrap();
    let label_at = r.position();
    let full_label = r.opaque_u8("label", 7..=255).unwrap();
    let context_at = r.position();
    let context_bytes = r.opaque_u8("context", 0..=255).unwrap();
    r.finish("HkdfLabel").unwrap();
    assert_eq!(context_bytes, context.1);

    doc.line(format!(
        "{result} = HKDF-Expand-Label({}, \"{label}\", {}, {length})",
        base.0, context.0
    ));
    doc.line(format!("  HkdfLabel, {} bytes:", info.len()));
    doc.field(2, "length", &info[..2], &length.to_string());
    doc.field(
        2,
        "label",
        &info[label_at..label_at + 1],
        &format!("length {}", full_label.len()),
    );
    doc.field(3, "label", full_label, &quoted(full_label));
    doc.field(
        2,
        "context",
        &info[context_at..context_at + 1],
        &format!("length {}", context_bytes.len()),
    );
    if !context_bytes.is_empty() {
        doc.field(3, "context", context_bytes, context.0);
    }
    doc.line(format!("  {result} = {}", hex::encode(&out)));
    out
}

fn array32(bytes: &[u8]) -> [u8; 32] {
    bytes.try_into().unwrap()
}

/// What a traffic secret gives (RFC 8446 §7.3, §4.4.4): the sender's
/// write key and IV, and for a handshake secret the Finished key and the
/// verify_data it makes, each checked against `TrafficSecret`'s own
/// methods and, for verify_data, against the Finished message sent.
fn traffic_keys(
    doc: &mut Doc,
    sender: &str,
    name: &str,
    secret: &[u8; 32],
    finished: Option<(&str, &TranscriptHash, &[u8])>,
) {
    let traffic = TrafficSecret::from_bytes(*secret);
    let keys = traffic.traffic_keys();
    let base = (name, secret);
    let no_context = ("\"\"", &b""[..]);
    let key_name = format!("{sender}_write_key");
    let key = expand_label(doc, &key_name, base, "key", no_context, 32);
    assert_eq!(key, keys.key);
    let iv_name = format!("{sender}_write_iv");
    let iv = expand_label(doc, &iv_name, base, "iv", no_context, 12);
    assert_eq!(iv, keys.iv);
    if let Some((transcript, th, finished_message)) = finished {
        let finished_key = expand_label(doc, "finished_key", base, "finished", no_context, 32);
        assert_eq!(finished_key, traffic.finished_key().as_bytes());
        let verify_data = finished_verify_data(&traffic, th);
        assert_eq!(finished_message[4..], verify_data);
        doc.line(format!(
            "verify_data = HMAC-SHA256(finished_key, Transcript-Hash({transcript}))"
        ));
        doc.line(format!(
            "  verify_data = {}  (the {sender}'s Finished)",
            hex::encode(verify_data)
        ));
    }
}

fn key_schedule(h: &Recorded) -> String {
    let mut doc = Doc::default();
    let empty = TranscriptHash::of_empty();
    let th_server_hello = h.transcript_through("ServerHello", 1);
    let th_certificate_verify = h.transcript_through("CertificateVerify", 1);
    let th_server_finished = h.transcript_through("Finished", 1);
    let th_client_finished = h.transcript_through("Finished", 2);

    doc.anchor("early_secret");
    let early = EarlySecret::new(None);
    doc.line("Early Secret = HKDF-Extract(salt = 32 zero bytes, IKM = 32 zero bytes: no PSK)");
    doc.line(format!(
        "  Early Secret = {}",
        hex::encode(early.secret().as_bytes())
    ));
    // RFC 8448 §3 prints the same constant.
    assert_eq!(
        hex::encode(early.secret().as_bytes()),
        "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
    );
    // The salt of the next Extract, whose other input, the X25519 shared
    // secret, never leaves the key exchange: the walk resumes from the
    // Handshake Secret the connection reported.
    let salt = expand_label(
        &mut doc,
        "derived",
        ("Early Secret", early.secret().as_bytes()),
        "derived",
        ("Transcript-Hash(\"\")", empty.as_bytes()),
        32,
    );
    // RFC 8448 §3 prints this salt too.
    assert_eq!(
        hex::encode(salt),
        "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"
    );
    doc.anchor_end("early_secret");

    doc.anchor("handshake_traffic_secrets");
    let handshake_secret = h.reported(SecretLabel::HandshakeSecret);
    doc.line("Handshake Secret = HKDF-Extract(salt = derived, IKM = the X25519 shared secret)");
    doc.line(format!(
        "  Handshake Secret = {}",
        hex::encode(handshake_secret)
    ));
    let hs = ("Handshake Secret", &handshake_secret);
    let context = (
        "Transcript-Hash(ClientHello..ServerHello)",
        &th_server_hello.as_bytes()[..],
    );
    let c_hs = expand_label(&mut doc, "c hs traffic", hs, "c hs traffic", context, 32);
    let s_hs = expand_label(&mut doc, "s hs traffic", hs, "s hs traffic", context, 32);
    doc.anchor_end("handshake_traffic_secrets");
    assert_eq!(c_hs, h.reported(SecretLabel::ClientHandshakeTraffic));
    assert_eq!(s_hs, h.reported(SecretLabel::ServerHandshakeTraffic));

    // Each Finished carries HMAC(finished_key, transcript hash) (RFC 8446
    // §4.4.4): the server's over ClientHello..CertificateVerify, the
    // client's over ClientHello..server Finished.
    doc.anchor("handshake_traffic_keys");
    traffic_keys(
        &mut doc,
        "server",
        "s hs traffic",
        &array32(&s_hs),
        Some((
            "ClientHello..CertificateVerify",
            &th_certificate_verify,
            &h.message("Finished", 1),
        )),
    );
    traffic_keys(
        &mut doc,
        "client",
        "c hs traffic",
        &array32(&c_hs),
        Some((
            "ClientHello..server Finished",
            &th_server_finished,
            &h.message("Finished", 2),
        )),
    );
    doc.anchor_end("handshake_traffic_keys");

    doc.anchor("master_secret");
    let salt_2 = expand_label(
        &mut doc,
        "derived",
        hs,
        "derived",
        ("Transcript-Hash(\"\")", empty.as_bytes()),
        32,
    );
    let master = crypto::hkdf_extract(&salt_2, &[0u8; 32]);
    assert_eq!(master, h.reported(SecretLabel::MasterSecret));
    doc.line("Master Secret = HKDF-Extract(salt = derived, IKM = 32 zero bytes)");
    doc.line(format!("  Master Secret = {}", hex::encode(master)));
    let ms = ("Master Secret", &master);
    let context = (
        "Transcript-Hash(ClientHello..server Finished)",
        &th_server_finished.as_bytes()[..],
    );
    let c_ap = expand_label(&mut doc, "c ap traffic", ms, "c ap traffic", context, 32);
    let s_ap = expand_label(&mut doc, "s ap traffic", ms, "s ap traffic", context, 32);
    let exp = expand_label(&mut doc, "exp master", ms, "exp master", context, 32);
    doc.anchor_end("master_secret");
    assert_eq!(c_ap, h.reported(SecretLabel::ClientApplicationTraffic0));
    assert_eq!(s_ap, h.reported(SecretLabel::ServerApplicationTraffic0));
    assert_eq!(exp, h.reported(SecretLabel::ExporterMaster));

    doc.anchor("resumption_master_secret");
    let context = (
        "Transcript-Hash(ClientHello..client Finished)",
        &th_client_finished.as_bytes()[..],
    );
    let res = expand_label(&mut doc, "res master", ms, "res master", context, 32);
    doc.anchor_end("resumption_master_secret");
    assert_eq!(res, h.reported(SecretLabel::ResumptionMaster));

    // Both sides of a key exchange hold the same secrets.
    for event in &h.client {
        if let RecordedEvent::SecretDerived(label, value) = event {
            assert_eq!(&reported(&h.server, *label)[..], &value[..]);
        }
    }

    doc.anchor("application_traffic_keys");
    traffic_keys(&mut doc, "server", "s ap traffic", &array32(&s_ap), None);
    traffic_keys(&mut doc, "client", "c ap traffic", &array32(&c_ap), None);
    doc.anchor_end("application_traffic_keys");
    doc.0
}

#[test]
fn key_schedule_with_every_hkdf_label() {
    insta::assert_snapshot!("key_schedule", key_schedule(&full_handshake_then_data()));
}

/// The same seeds with one difference: the client sends no key share at
/// first, so the server answers with a HelloRetryRequest. Returns what
/// the client reported.
fn hello_retry_request_handshake() -> Vec<RecordedEvent> {
    let pki = demo_pki(PKI_SEED);
    let recorder = Recorder::default();
    let mut config = client_config(&pki, CLIENT_SEED);
    config.initial_key_share = false;
    let client =
        Connection::client_with_observer(Arc::new(config), "localhost", Box::new(recorder.clone()))
            .unwrap();
    let server = Connection::server(Arc::new(server_config(&pki, SERVER_SEED)));
    let mut pair = Pair::new(client, server);
    pair.drive().unwrap();
    assert!(pair.client.negotiated().hello_retry_request);
    recorder.events()
}

/// The key pairs of the two runs are the same, so the Extract outputs are
/// too; every secret made by Derive-Secret differs, because the transcript
/// does.
fn hello_retry_request_comparison(full: &Recorded) -> String {
    let retried = hello_retry_request_handshake();
    let mut doc = Doc::default();
    doc.anchor("hello_retry_request_comparison");
    for label in [
        SecretLabel::HandshakeSecret,
        SecretLabel::ClientHandshakeTraffic,
        SecretLabel::ServerHandshakeTraffic,
        SecretLabel::MasterSecret,
        SecretLabel::ClientApplicationTraffic0,
        SecretLabel::ServerApplicationTraffic0,
        SecretLabel::ExporterMaster,
        SecretLabel::ResumptionMaster,
    ] {
        let (a, b) = (full.reported(label), reported(&retried, label));
        let extract = matches!(
            label,
            SecretLabel::HandshakeSecret | SecretLabel::MasterSecret
        );
        // An Extract output does not depend on the transcript; every
        // Derive-Secret does.
        assert_eq!(a == b, extract, "{}", label.rfc_label());
        let verdict = if a == b { "the same" } else { "different" };
        doc.line(format!(
            "{:<17} full  {}",
            label.rfc_label(),
            hex::encode(a)
        ));
        doc.line(format!("{:<17} HRR   {}  {verdict}", "", hex::encode(b)));
    }
    doc.anchor_end("hello_retry_request_comparison");
    doc.0
}

#[test]
fn the_transcript_changes_every_derived_secret() {
    insta::assert_snapshot!(
        "key_schedule_hello_retry_request",
        hello_retry_request_comparison(&full_handshake_then_data())
    );
}

/// A golden transcript of `tests/transcripts.rs`.
fn golden_transcript(name: &str) -> String {
    let path = format!(
        "{}/tests/snapshots/transcripts__{name}.snap",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

/// The book says these examples replay the handshake of the golden
/// transcript: every secret the client reports here is in that file.
#[test]
fn same_handshake_as_the_golden_transcript() {
    let h = full_handshake_then_data();
    let golden = golden_transcript("full_handshake");
    let headers = [
        "record client -> server: handshake",
        "record server -> client: application_data",
    ];
    for title in headers {
        for line in explained_record(&h.client_explained, title) {
            assert!(
                golden.contains(&line),
                "not in the golden transcript: {line}"
            );
        }
    }
    for event in &h.client {
        if let RecordedEvent::SecretDerived(label, value) = event {
            let line = format!("secret {:<16} = {}", label.rfc_label(), hex::encode(value));
            assert!(
                golden.contains(&line),
                "not in the golden transcript: {line}"
            );
        }
    }
}

// ---------------------------------------------------------------------
// Records (RFC 8446 §5): headers, and one decryption by hand.
// ---------------------------------------------------------------------

/// A record as the deframer cuts it from bytes.
fn opaque(bytes: &[u8]) -> OpaqueRecord {
    let mut deframer = Deframer::default();
    deframer.push(bytes);
    let record = deframer.pop().unwrap().expect("one whole record");
    assert!(deframer.is_empty());
    record
}

/// Decrypt `record`, the one after `earlier` under `secret`, step by step:
/// key and IV, nonce, additional data, AEAD, inner plaintext. Each step is
/// minitls's; the AEAD is also run through the `chacha20poly1305` crate
/// directly, and the result compared with `RecordProtection::decrypt`.
fn decrypt_by_hand(
    doc: &mut Doc,
    secret_name: &str,
    secret: &[u8; 32],
    earlier: &[Vec<u8>],
    record: &[u8],
) -> (ContentType, Vec<u8>) {
    let keys = TrafficSecret::from_bytes(*secret).traffic_keys();
    doc.line(format!("{secret_name} = {}", hex::encode(secret)));
    doc.line(format!(
        "  write_key = HKDF-Expand-Label({secret_name}, \"key\", \"\", 32) = {}",
        hex::encode(keys.key)
    ));
    doc.line(format!(
        "  write_iv  = HKDF-Expand-Label({secret_name}, \"iv\", \"\", 12)  = {}",
        hex::encode(keys.iv)
    ));

    let mut protection = RecordProtection::new(&keys);
    for r in earlier {
        protection.decrypt(opaque(r)).unwrap();
    }
    let sequence_number = protection.sequence_number();
    let nonce = protection.nonce();
    let mut padded = [0u8; 12];
    padded[4..].copy_from_slice(&sequence_number.to_be_bytes());
    let xored: Vec<u8> = keys.iv.iter().zip(padded).map(|(a, b)| a ^ b).collect();
    assert_eq!(
        xored, nonce,
        "RFC 8446 §5.3: nonce = IV XOR padded sequence number"
    );
    doc.line(format!(
        "nonce (RFC 8446 §5.3): sequence number {sequence_number}, the record's place under this key"
    ));
    doc.field(1, "sequence number, 12 bytes", &padded, "");
    doc.field(1, "XOR write_iv", &keys.iv, "");
    doc.field(1, "= nonce", &nonce, "");

    let (header, body) = record.split_at(HEADER_LEN);
    let (ciphertext, tag) = body.split_at(body.len() - AEAD_TAG_LEN);
    doc.line(format!(
        "the record, {} bytes (RFC 8446 §5.2):",
        record.len()
    ));
    doc.field(
        1,
        "header = additional data",
        header,
        &format!(
            "application_data, 0x0303, length {}",
            u16::from_be_bytes([header[3], header[4]])
        ),
    );
    doc.field(
        1,
        "encrypted_record: ciphertext",
        ciphertext,
        &format!("{} bytes", ciphertext.len()),
    );
    doc.field(1, "encrypted_record: tag", tag, "Poly1305, 16 bytes");

    let mut inner = body.to_vec();
    crypto::Aead::new(keys.key)
        .open(&nonce, header, &mut inner)
        .expect("the record opens");
    let mut direct = ciphertext.to_vec();
    chacha20poly1305::ChaCha20Poly1305::new(&chacha20poly1305::Key::from(keys.key))
        .decrypt_inout_detached(
            &chacha20poly1305::Nonce::from(nonce),
            header,
            direct.as_mut_slice().into(),
            &chacha20poly1305::Tag::try_from(tag).unwrap(),
        )
        .expect("the chacha20poly1305 crate opens it too");
    assert_eq!(inner, direct);

    let (content_type, content) = protection.decrypt(opaque(record)).unwrap();
    assert_eq!(inner[..content.len()], content[..]);
    assert_eq!(inner[content.len()], content_type.to_u8());
    let zeros = &inner[content.len() + 1..];
    assert!(zeros.iter().all(|&b| b == 0));

    doc.line("ChaCha20-Poly1305 open(write_key, nonce, additional data, ciphertext || tag): the tag verifies");
    doc.field(
        1,
        "TLSInnerPlaintext",
        &inner,
        &format!("{} bytes", inner.len()),
    );
    let meaning = match content_type {
        ContentType::Alert => {
            let alert = Alert::read(&mut codec::Reader::new(&content)).unwrap();
            let level = if alert.level == 1 { "warning" } else { "fatal" };
            format!("level {} ({level}), {}", alert.level, alert.description)
        }
        _ => quoted(&content),
    };
    doc.field(2, "content", &content, &meaning);
    doc.field(2, "type", &[content_type.to_u8()], content_type.name());
    if zeros.is_empty() {
        doc.line(format!(
            "{:<34} (none: minitls sends no padding)",
            "    zeros"
        ));
    } else {
        doc.field(2, "zeros", zeros, "padding");
    }
    (content_type, content)
}

/// The annotated lines of the first record whose title starts with `title`
/// in an `--explain` view.
fn explained_record(explained: &str, title: &str) -> Vec<String> {
    let lines: Vec<&str> = explained.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(title))
        .unwrap_or_else(|| panic!("no record {title}"));
    let mut block = vec![lines[start].to_string()];
    block.extend(
        lines[start + 1..]
            .iter()
            .take_while(|l| l.starts_with("  "))
            .map(|l| l.to_string()),
    );
    block
}

fn records(h: &Recorded) -> String {
    let mut doc = Doc::default();
    doc.anchor("plaintext_record");
    for line in explained_record(&h.client_explained, "record client -> server: handshake") {
        doc.line(line);
    }
    doc.anchor_end("plaintext_record");
    doc.anchor("protected_record");
    for line in explained_record(
        &h.client_explained,
        "record server -> client: application_data",
    ) {
        doc.line(line);
    }
    doc.anchor_end("protected_record");

    // The server's records under server_application_traffic_secret_0: its
    // two of application data, then the close_notify.
    let sent: Vec<Vec<u8>> = protected_records_sent(&h.server)
        .into_iter()
        .filter(|(t, _)| *t != ContentType::Handshake)
        .map(|(_, bytes)| bytes)
        .collect();
    assert_eq!(sent.len(), 3);
    doc.anchor("worked_decryption");
    let (content_type, content) = decrypt_by_hand(
        &mut doc,
        "s ap traffic",
        &h.reported(SecretLabel::ServerApplicationTraffic0),
        &sent[..1],
        &sent[1],
    );
    doc.anchor_end("worked_decryption");
    assert_eq!(content_type, ContentType::ApplicationData);
    assert_eq!(content, SERVER_DATA[1]);

    // minitls never pads what it sends, so this record is sealed here by
    // RecordProtection::encrypt with 3 bytes of padding, as the server's
    // next record under the same key. There is no next record (the
    // close_notify was the last), so no nonce is used twice.
    let secret = h.reported(SecretLabel::ServerApplicationTraffic0);
    let mut protection = RecordProtection::new(&TrafficSecret::from_bytes(secret).traffic_keys());
    for r in &sent {
        protection.decrypt(opaque(r)).unwrap();
    }
    let padded = protection
        .encrypt(ContentType::ApplicationData, SERVER_DATA[1], 3)
        .unwrap()
        .encode();
    doc.anchor("padded_record");
    let (content_type, content) =
        decrypt_by_hand(&mut doc, "s ap traffic", &secret, &sent, &padded);
    doc.anchor_end("padded_record");
    assert_eq!(content_type, ContentType::ApplicationData);
    assert_eq!(content, SERVER_DATA[1]);
    doc.0
}

#[test]
fn records_and_a_decryption_by_hand() {
    insta::assert_snapshot!("records", records(&full_handshake_then_data()));
}

// ---------------------------------------------------------------------
// Application data and close_notify (RFC 8446 §5.2, §6.1).
// ---------------------------------------------------------------------

/// The title lines of an `--explain` view that say what went over the
/// wire, and its key changes (Appendix A's `K_send` and `K_recv`): the
/// field lines, states and secrets left out.
fn key_switches(doc: &mut Doc, explained: &str) {
    for line in explained.lines() {
        let wire = line.starts_with("record ") || line.starts_with("alert ");
        let message = !line.starts_with(' ') && line.contains(" -> ") && !line.starts_with("state");
        if line.starts_with("keys") || wire || message {
            doc.line(line);
        }
    }
}

fn application_data(h: &Recorded) -> String {
    let mut doc = Doc::default();
    doc.anchor("client_key_switches");
    key_switches(&mut doc, &h.client_explained);
    doc.anchor_end("client_key_switches");
    doc.anchor("server_key_switches");
    key_switches(&mut doc, &h.server_explained);
    doc.anchor_end("server_key_switches");
    let client_sent: Vec<Vec<u8>> = protected_records_sent(&h.client)
        .into_iter()
        .filter(|(t, _)| *t == ContentType::ApplicationData)
        .map(|(_, bytes)| bytes)
        .collect();
    assert_eq!(client_sent.len(), 1);
    doc.anchor("client_application_data");
    let (content_type, content) = decrypt_by_hand(
        &mut doc,
        "c ap traffic",
        &h.reported(SecretLabel::ClientApplicationTraffic0),
        &[],
        &client_sent[0],
    );
    doc.anchor_end("client_application_data");
    assert_eq!(content_type, ContentType::ApplicationData);
    assert_eq!(content, CLIENT_DATA);

    let server_sent: Vec<Vec<u8>> = protected_records_sent(&h.server)
        .into_iter()
        .filter(|(t, _)| *t != ContentType::Handshake)
        .map(|(_, bytes)| bytes)
        .collect();
    doc.anchor("close_notify");
    let (content_type, content) = decrypt_by_hand(
        &mut doc,
        "s ap traffic",
        &h.reported(SecretLabel::ServerApplicationTraffic0),
        &server_sent[..2],
        &server_sent[2],
    );
    doc.anchor_end("close_notify");
    assert_eq!(content_type, ContentType::Alert);
    assert_eq!(
        Alert::read(&mut codec::Reader::new(&content)).unwrap(),
        Alert::new(minitls::error::AlertDescription::CloseNotify)
    );
    doc.0
}

#[test]
fn application_data_and_close_notify() {
    insta::assert_snapshot!(
        "application_data",
        application_data(&full_handshake_then_data())
    );
}

/// The client refuses a certificate from a CA it does not trust: its alert
/// is protected under its handshake key, since it already has one.
fn fatal_alert() -> String {
    let recorder = Recorder::default();
    let client = Connection::client_with_observer(
        Arc::new(client_config(&demo_pki(99), 2)),
        "localhost",
        Box::new(recorder.clone()),
    )
    .unwrap();
    let server = Connection::server(Arc::new(server_config(&demo_pki(PKI_SEED), 3)));
    let mut pair = Pair::new(client, server);
    for _ in 0..4 {
        let _ = pair.client_to_server();
        let _ = pair.server_to_client();
    }
    assert!(matches!(pair.client.error(), Some(Error::Certificate(_))));
    let events = recorder.events();
    let sent = protected_records_sent(&events);
    assert_eq!(
        sent.len(),
        1,
        "the alert is the client's first protected record"
    );
    assert_eq!(sent[0].0, ContentType::Alert);
    // The very record of the golden transcript of this failure.
    let encrypted = spaced(&sent[0].1[HEADER_LEN..]);
    assert!(golden_transcript("unknown_ca").contains(&encrypted));

    let mut doc = Doc::default();
    doc.anchor("fatal_alert");
    let (_, content) = decrypt_by_hand(
        &mut doc,
        "c hs traffic",
        &reported(&events, SecretLabel::ClientHandshakeTraffic),
        &[],
        &sent[0].1,
    );
    doc.anchor_end("fatal_alert");
    assert_eq!(
        Alert::read(&mut codec::Reader::new(&content)).unwrap(),
        Alert::new(minitls::error::AlertDescription::UnknownCa)
    );
    doc.0
}

#[test]
fn a_fatal_alert_decrypted() {
    insta::assert_snapshot!("alerts", fatal_alert());
}

// ---------------------------------------------------------------------
// CertificateVerify (RFC 8446 §4.4.3).
// ---------------------------------------------------------------------

fn certificate_verify(h: &Recorded) -> String {
    let mut doc = Doc::default();
    let th = h.transcript_through("Certificate", 1);
    let content = signed_content(SERVER_CONTEXT, th.as_bytes());
    let HandshakeMessage::CertificateVerify(cv) =
        HandshakeMessage::decode(&h.message("CertificateVerify", 1)).unwrap()
    else {
        panic!("not a CertificateVerify");
    };
    let cert = Certificate::from_der(&h.server_cert).unwrap();

    doc.anchor("certificate_verify_content");
    doc.line(format!(
        "the content the server signs, {} bytes (RFC 8446 §4.4.3):",
        content.len()
    ));
    let (spaces, rest) = content.split_at(64);
    let (context, rest) = rest.split_at(SERVER_CONTEXT.len());
    let (separator, hash) = rest.split_at(1);
    doc.field(1, "64 spaces", spaces, "");
    doc.field(1, "context string", context, &quoted(context));
    doc.field(1, "separator", separator, "");
    doc.field(1, "Transcript-Hash", hash, "ClientHello..Certificate");
    doc.anchor_end("certificate_verify_content");
    assert_eq!(hash, th.as_bytes());

    doc.anchor("certificate_verify_signature");
    doc.field(0, "algorithm", &cv.algorithm.to_be_bytes(), "ed25519");
    doc.field(
        0,
        "signature",
        &cv.signature,
        "64 bytes: R (32), then S (32)",
    );
    doc.field(
        0,
        "server public key",
        &cert.subject_public_key,
        "from the certificate's subjectPublicKeyInfo",
    );
    let verified = crypto::ed25519_verify(&cert.subject_public_key, &content, &cv.signature);
    doc.line(format!(
        "Ed25519 verify(public key, content, signature): {}",
        if verified { "valid" } else { "INVALID" }
    ));
    doc.anchor_end("certificate_verify_signature");
    assert!(verified);
    // The same check with ed25519-dalek directly, and a failing one: the
    // signature is bound to this transcript.
    let key = ed25519_dalek::VerifyingKey::from_bytes(&array32(&cert.subject_public_key)).unwrap();
    let signature = ed25519_dalek::Signature::from_slice(&cv.signature).unwrap();
    assert!(key.verify_strict(&content, &signature).is_ok());
    let other = signed_content(
        SERVER_CONTEXT,
        h.transcript_through("ServerHello", 1).as_bytes(),
    );
    assert!(key.verify_strict(&other, &signature).is_err());

    // The same server key, after a HelloRetryRequest: another transcript,
    // so another signature.
    let retried = Recorded {
        client: hello_retry_request_handshake(),
        server: Vec::new(),
        client_explained: String::new(),
        server_explained: String::new(),
        server_cert: h.server_cert.clone(),
    };
    let th_retried = retried.transcript_through("Certificate", 1);
    let HandshakeMessage::CertificateVerify(cv_retried) =
        HandshakeMessage::decode(&retried.message("CertificateVerify", 1)).unwrap()
    else {
        panic!("not a CertificateVerify");
    };
    let content_retried = signed_content(SERVER_CONTEXT, th_retried.as_bytes());
    assert!(crypto::ed25519_verify(
        &cert.subject_public_key,
        &content_retried,
        &cv_retried.signature
    ));
    assert_ne!(th_retried, th);
    assert_ne!(cv_retried.signature, cv.signature);
    doc.anchor("signature_after_hello_retry_request");
    doc.field(
        0,
        "Transcript-Hash",
        th_retried.as_bytes(),
        "message_hash(ClientHello1), HelloRetryRequest, ClientHello2..Certificate",
    );
    doc.field(
        0,
        "signature",
        &cv_retried.signature,
        "64 bytes, the same key",
    );
    doc.anchor_end("signature_after_hello_retry_request");
    doc.0
}

#[test]
fn certificate_verify_signed_content_and_signature() {
    insta::assert_snapshot!(
        "certificate_verify",
        certificate_verify(&full_handshake_then_data())
    );
}

// ---------------------------------------------------------------------
// The certificate's DER, every TLV (RFC 5280 §4.1, X.690).
// ---------------------------------------------------------------------

/// What the TLVs inside a constructed value are, by position or by tag.
enum Children {
    /// One name per position; a name whose TLV is absent is skipped when
    /// the tag says so (`version`, `critical`).
    Fields(&'static [&'static str]),
    /// A SEQUENCE OF or SET OF: every child has this name.
    Each(&'static str),
}

/// The structure of RFC 5280 §4.1 and of the extensions minitls issues
/// (§4.2.1), by field name.
fn children(name: &str, extension: &str) -> Children {
    use Children::*;
    match name {
        "Certificate" => Fields(&["tbsCertificate", "signatureAlgorithm", "signatureValue"]),
        "tbsCertificate" => Fields(&[
            "version [0]",
            "serialNumber",
            "signature",
            "issuer",
            "validity",
            "subject",
            "subjectPublicKeyInfo",
            "extensions [3]",
        ]),
        "version [0]" => Fields(&["Version"]),
        "signature" | "signatureAlgorithm" | "algorithm" => Fields(&["algorithm", "parameters"]),
        "issuer" | "subject" => Each("RelativeDistinguishedName"),
        "RelativeDistinguishedName" => Each("AttributeTypeAndValue"),
        "AttributeTypeAndValue" => Fields(&["type", "value"]),
        "validity" => Fields(&["notBefore", "notAfter"]),
        "subjectPublicKeyInfo" => Fields(&["algorithm", "subjectPublicKey"]),
        "extensions [3]" => Fields(&["Extensions"]),
        "Extensions" => Each("Extension"),
        "Extension" => Fields(&["extnID", "critical", "extnValue"]),
        "extnValue" => Each(extension_value(extension)),
        "BasicConstraints" => Fields(&["cA", "pathLenConstraint"]),
        "ExtKeyUsageSyntax" => Each("KeyPurposeId"),
        "GeneralNames" => Each("GeneralName"),
        "AuthorityKeyIdentifier" => Fields(&["keyIdentifier [0]"]),
        _ => Each("?"),
    }
}

/// The ASN.1 type inside an extension's extnValue (RFC 5280 §4.2.1).
fn extension_value(extension: &str) -> &'static str {
    match extension {
        "basicConstraints" => "BasicConstraints",
        "keyUsage" => "KeyUsage",
        "extKeyUsage" => "ExtKeyUsageSyntax",
        "subjectAltName" => "GeneralNames",
        "subjectKeyIdentifier" => "SubjectKeyIdentifier",
        "authorityKeyIdentifier" => "AuthorityKeyIdentifier",
        _ => "?",
    }
}

/// The OIDs of the demo certificates, by minitls's own constants.
fn oid_name(oid: &der::Oid) -> &'static str {
    let names: [(&[u8], &str); 10] = [
        (x509::ID_ED25519, "id-Ed25519 (RFC 8410)"),
        (x509::ID_AT_COMMON_NAME, "commonName"),
        (x509::ID_CE_BASIC_CONSTRAINTS, "basicConstraints"),
        (x509::ID_CE_KEY_USAGE, "keyUsage"),
        (x509::ID_CE_EXT_KEY_USAGE, "extKeyUsage"),
        (x509::ID_CE_SUBJECT_ALT_NAME, "subjectAltName"),
        (x509::ID_CE_SUBJECT_KEY_IDENTIFIER, "subjectKeyIdentifier"),
        (
            x509::ID_CE_AUTHORITY_KEY_IDENTIFIER,
            "authorityKeyIdentifier",
        ),
        (x509::ID_KP_SERVER_AUTH, "id-kp-serverAuth"),
        (x509::ID_KP_CLIENT_AUTH, "id-kp-clientAuth"),
    ];
    names
        .iter()
        .find(|(encoded, _)| oid.is(encoded))
        .map(|(_, name)| *name)
        .unwrap_or("?")
}

/// Where the book's excerpts of the DER start, by field name.
const DER_ANCHORS: [(&str, &str); 4] = [
    ("Certificate", "der_tbs_certificate"),
    ("subjectPublicKeyInfo", "der_subject_public_key_info"),
    ("extensions [3]", "der_extensions"),
    ("signatureAlgorithm", "der_signature"),
];

struct DerWalk<'a> {
    doc: Doc,
    der: &'a [u8],
    /// The anchor open now.
    open: Option<&'static str>,
    /// The extension whose value is being walked.
    extension: &'static str,
    /// How many bytes the walk has shown: it must be all of them.
    shown: usize,
    /// The BIT STRINGs read, by field name, to check against `x509`.
    bit_strings: Vec<(&'static str, Vec<u8>)>,
}

impl DerWalk<'_> {
    /// Show every TLV in `contents`, named after `parent`'s children.
    fn walk(&mut self, contents: &[u8], parent: &str, depth: usize) {
        let mut reader = der::Reader::new(contents);
        let mut position = 0;
        while !reader.is_empty() {
            let tlv = reader.read_tlv("a TLV").unwrap();
            let name = match children(parent, self.extension) {
                Children::Each(name) => name,
                Children::Fields(names) => {
                    // DEFAULT and OPTIONAL fields DER leaves out.
                    if names[position] == "version [0]" && tlv.tag != der::context_explicit(0) {
                        position += 1;
                    }
                    if names[position] == "critical" && tlv.tag != der::BOOLEAN {
                        position += 1;
                    }
                    position += 1;
                    names[position - 1]
                }
            };
            self.tlv(tlv, name, depth);
        }
    }

    fn tlv(&mut self, tlv: der::Tlv, name: &'static str, depth: usize) {
        if let Some((_, anchor)) = DER_ANCHORS.iter().find(|(at, _)| *at == name) {
            if let Some(open) = self.open.replace(anchor) {
                self.doc.anchor_end(open);
            }
            self.doc.anchor(anchor);
        }
        let offset = tlv.encoded.as_ptr() as usize - self.der.as_ptr() as usize;
        let header = &tlv.encoded[..tlv.encoded.len() - tlv.contents.len()];
        let constructed = tlv.tag & 0x20 != 0;
        // extnValue is an OCTET STRING whose contents are DER again.
        let walk_inside = constructed || name == "extnValue";
        let (shown, note) = if walk_inside {
            (
                header,
                format!("{}, {}", tag_name(tlv.tag), count(tlv.contents.len())),
            )
        } else {
            (tlv.encoded, self.primitive_note(tlv, name))
        };
        self.shown += shown.len();
        let label = format!("{offset:04x}  {}{name}", "  ".repeat(depth));
        let mut rows = shown.chunks(16).map(spaced);
        self.doc
            .line(format!("{label:<40} {}  = {note}", rows.next().unwrap()));
        for row in rows {
            self.doc.line(format!("{:<40} {row}", ""));
        }
        if walk_inside {
            self.walk(tlv.contents, name, depth + 1);
        }
    }

    fn primitive_note(&mut self, tlv: der::Tlv, name: &'static str) -> String {
        let mut r = der::Reader::new(tlv.encoded);
        let kind = tag_name(tlv.tag);
        match tlv.tag {
            der::OBJECT_IDENTIFIER => {
                let oid = r.oid(name).unwrap();
                let meaning = oid_name(&oid);
                if name == "extnID" {
                    self.extension = meaning;
                }
                format!("{kind} {oid}, {meaning}")
            }
            der::INTEGER if tlv.contents.len() <= 8 => {
                let value = r.small_unsigned(name).unwrap();
                if name == "Version" {
                    format!("{kind} {value}: X.509 v{}", value + 1)
                } else {
                    format!("{kind} {value}")
                }
            }
            der::INTEGER => format!("{kind}, {}", count(tlv.contents.len())),
            der::BOOLEAN => format!("{kind} {}", r.boolean(name).unwrap()),
            der::UTC_TIME | der::GENERALIZED_TIME => {
                let seconds = r.time(name).unwrap();
                format!("{kind} {}, Unix time {seconds}", quoted(tlv.contents))
            }
            der::BIT_STRING => {
                let bits = r.bit_string(name).unwrap();
                self.bit_strings.push((name, bits.bytes.to_vec()));
                let what = match name {
                    "subjectPublicKey" => ": the Ed25519 public key".to_string(),
                    "signatureValue" => ": the CA's Ed25519 signature".to_string(),
                    "KeyUsage" => {
                        let set: Vec<&str> = KEY_USAGE_BITS
                            .iter()
                            .enumerate()
                            .filter(|(n, _)| bits.bit(*n))
                            .map(|(_, name)| *name)
                            .collect();
                        format!(": {}", set.join(", "))
                    }
                    _ => String::new(),
                };
                format!(
                    "{kind}, {} unused bits, {}{what}",
                    bits.unused_bits,
                    count(bits.bytes.len())
                )
            }
            der::UTF8_STRING | der::PRINTABLE_STRING | der::IA5_STRING => {
                format!("{kind} {}", quoted(tlv.contents))
            }
            tag if tag == der::context_primitive(2) => {
                format!("[2] dNSName {}", quoted(tlv.contents))
            }
            _ => format!("{kind}, {}", count(tlv.contents.len())),
        }
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 byte".into()
    } else {
        format!("{n} bytes")
    }
}

/// The named bits of KeyUsage, bit 0 first (RFC 5280 §4.2.1.3).
const KEY_USAGE_BITS: [&str; 9] = [
    "digitalSignature",
    "nonRepudiation",
    "keyEncipherment",
    "dataEncipherment",
    "keyAgreement",
    "keyCertSign",
    "cRLSign",
    "encipherOnly",
    "decipherOnly",
];

/// The tag's ASN.1 name (X.680 §8.4; context tags as `[n]`).
fn tag_name(tag: u8) -> String {
    match tag {
        der::BOOLEAN => "BOOLEAN".into(),
        der::INTEGER => "INTEGER".into(),
        der::BIT_STRING => "BIT STRING".into(),
        der::OCTET_STRING => "OCTET STRING".into(),
        der::NULL => "NULL".into(),
        der::OBJECT_IDENTIFIER => "OBJECT IDENTIFIER".into(),
        der::UTF8_STRING => "UTF8String".into(),
        der::PRINTABLE_STRING => "PrintableString".into(),
        der::IA5_STRING => "IA5String".into(),
        der::UTC_TIME => "UTCTime".into(),
        der::GENERALIZED_TIME => "GeneralizedTime".into(),
        der::SEQUENCE => "SEQUENCE".into(),
        der::SET => "SET".into(),
        tag if tag & 0xc0 == 0x80 => format!("[{}]", tag & 0x1f),
        tag => format!("tag {tag:02x}"),
    }
}

fn certificate_der(h: &Recorded) -> String {
    let der = &h.server_cert;
    // The certificate the server sent is the one the PKI issued.
    let message = h.message("Certificate", 1);
    assert!(message.windows(der.len()).any(|w| w == &der[..]));

    let mut walk = DerWalk {
        doc: Doc::default(),
        der,
        open: None,
        extension: "",
        shown: 0,
        bit_strings: Vec::new(),
    };
    walk.tlv(
        der::Reader::new(der).read_tlv("Certificate").unwrap(),
        "Certificate",
        0,
    );
    let open = walk.open.unwrap();
    walk.doc.anchor_end(open);
    // Every byte shown once, and the walk agrees with minitls's parser.
    assert_eq!(walk.shown, der.len());
    let cert = Certificate::from_der(der).unwrap();
    let bits = |name: &str| {
        walk.bit_strings
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| b.clone())
            .unwrap()
    };
    assert_eq!(bits("subjectPublicKey"), cert.subject_public_key);
    assert_eq!(bits("signatureValue"), cert.signature_value);
    walk.doc.0
}

#[test]
fn certificate_der_every_tlv() {
    insta::assert_snapshot!(
        "certificate_der",
        certificate_der(&full_handshake_then_data())
    );
}
