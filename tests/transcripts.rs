//! Golden transcripts: whole connections, explained field by field, as
//! insta snapshots (tests/snapshots/transcripts__*.snap).
//!
//! Every run is deterministic: seeded RNGs and a fixed clock make each byte
//! the same on every run and every machine. A snapshot change is a
//! behaviour change: review it with `cargo insta review`, never accept it
//! blindly. The book includes single messages from these files by anchor
//! (`client_hello`, `server_hello`, ...: the client's view; the server's
//! view has anchors prefixed `server_view_`).

use std::io::Write;
use std::sync::{Arc, Mutex};

use minitls::config::{FixedClock, UnixTime};
use minitls::explain::Explainer;
use minitls::keylog::KeyLogObserver;
use minitls::messages::{Finished, HandshakeMessage, PSK_DHE_KE, PSK_KE};
use minitls::pki::issue::DemoPki;
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::client_cache::ClientSessionCache;
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::ticketer::Ticketer;
use minitls::testing::{FIXED_NOW, Pair, SeededRng, demo_pki};
use minitls::trace::{Observer, Tee};
use minitls::{ClientConfig, Connection, ServerConfig};

type Buffer = Arc<Mutex<Vec<u8>>>;

fn text(buffer: &Buffer) -> String {
    String::from_utf8(buffer.lock().unwrap().clone()).unwrap()
}

/// The configs of one scenario, all deterministic.
struct Scenario {
    pki: DemoPki,
    client: ClientConfig,
    server: ServerConfig,
    /// Data the client sends as 0-RTT, if its ticket allows (issue 10).
    early_data: Option<Vec<u8>>,
}

impl Scenario {
    fn new() -> Self {
        let pki = demo_pki(1);
        let client = minitls::testing::client_config(&pki, 2);
        let server = minitls::testing::server_config(&pki, 3);
        Scenario {
            pki,
            client,
            server,
            early_data: None,
        }
    }

    /// A client and server sharing a resumption strategy and a ticket cache,
    /// after one full handshake has filled the cache.
    fn resumed(strategy: Arc<dyn ResumptionStrategy>, client_modes: Vec<u8>) -> Self {
        let cache = Arc::new(Mutex::new(ClientSessionCache::new(4)));
        let make = |seed: u64| {
            let mut s = Scenario::new();
            s.server.resumption = Some(strategy.clone());
            s.server.psk_modes = vec![PSK_DHE_KE, PSK_KE];
            s.server.rng = SeededRng::shared(seed);
            s.client.session_cache = Some(cache.clone());
            s.client.psk_modes = client_modes.clone();
            s.client.rng = SeededRng::shared(seed + 1);
            s
        };
        let first = make(10);
        let mut pair = Pair::new(
            Connection::client(Arc::new(first.client), "localhost").unwrap(),
            Connection::server(Arc::new(first.server)),
        );
        pair.drive().unwrap();
        assert!(
            !cache.lock().unwrap().is_empty(),
            "the first connection left no ticket"
        );
        make(20)
    }

    /// Run the connection and render both views and the client's key log.
    fn run(self, server_name: &str, tamper: Option<&dyn Fn(&mut Pair)>) -> (String, Pair) {
        let client_view: Buffer = Arc::default();
        let server_view: Buffer = Arc::default();
        let keylog: Buffer = Arc::default();
        // The snapshots carry the book's anchors; nothing a user runs does.
        let mut client_explainer = Explainer::new("client", client_view.clone());
        client_explainer.book_anchors = true;
        let client_observer = Tee(vec![
            Box::new(client_explainer) as Box<dyn Observer>,
            Box::new(KeyLogObserver::new(keylog.clone())),
        ]);
        let mut server_explainer = Explainer::new("server", server_view.clone());
        server_explainer.book_anchors = true;
        server_explainer.anchor_prefix = "server_view_";
        let client = match &self.early_data {
            Some(data) => Connection::client_with_early_data(
                Arc::new(self.client),
                server_name,
                data,
                Box::new(client_observer),
            ),
            None => Connection::client_with_observer(
                Arc::new(self.client),
                server_name,
                Box::new(client_observer),
            ),
        }
        .unwrap();
        let server =
            Connection::server_with_observer(Arc::new(self.server), Box::new(server_explainer));
        let mut pair = Pair::new(client, server);
        if let Some(tamper) = tamper {
            tamper(&mut pair);
        }
        // Drive to the end; after a failure, deliver what is still queued
        // (the alert) so both sides' views are complete.
        for _ in 0..8 {
            let _ = pair.client_to_server();
            let _ = pair.server_to_client();
        }
        let _ = self.pki;
        let transcript = format!(
            "=== client view ===\n{}=== server view ===\n{}=== key log (SSLKEYLOGFILE) ===\nANCHOR: key_log\n{}ANCHOR_END: key_log\n",
            text(&client_view),
            text(&server_view),
            text(&keylog)
        );
        (transcript, pair)
    }
}

fn assert_connected(pair: &Pair) {
    assert!(pair.client.is_connected(), "{:?}", pair.client.error());
    assert!(pair.server.is_connected(), "{:?}", pair.server.error());
}

#[test]
fn full_handshake() {
    let (transcript, pair) = Scenario::new().run("localhost", None);
    assert_connected(&pair);
    insta::assert_snapshot!("full_handshake", transcript);
}

#[test]
fn hello_retry_request() {
    let mut s = Scenario::new();
    s.client.initial_key_share = false;
    let (transcript, pair) = s.run("localhost", None);
    assert_connected(&pair);
    assert!(pair.client.negotiated().hello_retry_request);
    insta::assert_snapshot!("hello_retry_request", transcript);
}

fn stateful() -> Arc<dyn ResumptionStrategy> {
    Arc::new(StatefulStrategy::in_memory(16))
}

fn stateless() -> Arc<dyn ResumptionStrategy> {
    Arc::new(Ticketer::new(3600))
}

fn resumption(strategy: Arc<dyn ResumptionStrategy>, modes: Vec<u8>) -> String {
    let (transcript, pair) = Scenario::resumed(strategy, modes).run("localhost", None);
    assert_connected(&pair);
    assert!(pair.client.negotiated().resumed);
    transcript
}

#[test]
fn resumption_stateful() {
    insta::assert_snapshot!(
        "resumption_stateful",
        resumption(stateful(), vec![PSK_DHE_KE])
    );
}

#[test]
fn resumption_stateless() {
    insta::assert_snapshot!(
        "resumption_stateless",
        resumption(stateless(), vec![PSK_DHE_KE])
    );
}

#[test]
fn resumption_psk_ke() {
    insta::assert_snapshot!("resumption_psk_ke", resumption(stateless(), vec![PSK_KE]));
}

/// The two strategies put different bytes in the ticket; everything before
/// the first use of those bytes is identical, and the structure (every
/// message and field name) is identical throughout.
#[test]
fn strategies_differ_only_from_the_ticket_on() {
    let a = resumption(stateful(), vec![PSK_DHE_KE]);
    let b = resumption(stateless(), vec![PSK_DHE_KE]);
    let first_difference = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .expect("the transcripts differ somewhere");
    let line = a.lines().nth(first_difference).unwrap();
    // The first difference is the ticket itself, as the client offers it
    // (its length, then its bytes): the identity in pre_shared_key.
    assert!(
        line.contains("resume ticket offered")
            || line.contains("identities")
            || line.contains("identity"),
        "first difference is not the ticket: {line}"
    );
    // Same messages, same fields, same order: only values differ.
    let shape = |t: &str| -> Vec<String> {
        t.lines()
            .map(|l| {
                l.split_whitespace()
                    .filter(|w| !w.chars().all(|c| c.is_ascii_hexdigit() || c == '.'))
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    let (shape_a, shape_b) = (shape(&a), shape(&b));
    let differing: Vec<_> = shape_a
        .iter()
        .zip(&shape_b)
        .filter(|(x, y)| x != y)
        .collect();
    assert!(
        differing.iter().all(|(x, y)| {
            let ticketish = |s: &str| {
                s.contains("stateful")
                    || s.contains("stateless")
                    || s.contains("bytes")
                    || s.contains("record")
                    || s.contains("identity")
                    || s.contains("ticket")
                    || s.contains("length")
                    || s.contains("fragment")
                    || s.contains("encrypted_record")
                    || s.contains("extensions")
                    || s.contains("binders")
                    || s.contains("PskBinderEntry")
            };
            ticketish(x) || ticketish(y)
        }),
        "structure differs beyond the ticket: {differing:?}"
    );
    assert_eq!(a.lines().count(), b.lines().count());
}

#[test]
fn refused_ticket_falls_back_to_full_handshake() {
    let mut s = Scenario::resumed(stateless(), vec![PSK_DHE_KE]);
    if let Some(cache) = &s.client.session_cache {
        let mut cache = cache.lock().unwrap();
        let mut t = cache.take("localhost", UnixTime(0)).unwrap();
        let last = t.ticket.len() - 1;
        t.ticket[last] ^= 1;
        cache.insert(t);
    }
    s.client.psk_modes = vec![PSK_DHE_KE];
    let (transcript, pair) = s.run("localhost", None);
    assert_connected(&pair);
    assert!(!pair.client.negotiated().resumed);
    insta::assert_snapshot!("refused_ticket", transcript);
}

#[test]
fn unknown_ca() {
    let mut s = Scenario::new();
    s.client = minitls::testing::client_config(&demo_pki(99), 2);
    let (transcript, pair) = s.run("localhost", None);
    assert!(pair.client.error().is_some());
    insta::assert_snapshot!("unknown_ca", transcript);
}

#[test]
fn expired_certificate() {
    let mut s = Scenario::new();
    s.client.clock = Arc::new(FixedClock(UnixTime(FIXED_NOW.0 + 400 * 86_400_000)));
    let (transcript, pair) = s.run("localhost", None);
    assert!(pair.client.error().is_some());
    insta::assert_snapshot!("expired_certificate", transcript);
}

#[test]
fn wrong_server_name() {
    let (transcript, pair) = Scenario::new().run("wrong.example", None);
    assert!(pair.client.error().is_some());
    insta::assert_snapshot!("wrong_server_name", transcript);
}

#[test]
fn tampered_record() {
    let tamper = |pair: &mut Pair| {
        pair.client_to_server().unwrap();
        let mut flight = Vec::new();
        pair.server.transmit(&mut flight);
        // The last byte is in the tag of the server's last protected record.
        let last = flight.len() - 1;
        flight[last] ^= 0x80;
        let _ = pair.client.receive(&flight);
    };
    let (transcript, pair) = Scenario::new().run("localhost", Some(&tamper));
    assert_eq!(pair.client.error(), Some(&minitls::Error::BadRecordMac));
    insta::assert_snapshot!("tampered_record", transcript);
}

#[test]
fn wrong_binder() {
    let s = Scenario::resumed(stateful(), vec![PSK_DHE_KE]);
    if let Some(cache) = &s.client.session_cache {
        let mut cache = cache.lock().unwrap();
        let mut t = cache.take("localhost", UnixTime(0)).unwrap();
        t.psk = minitls::key_schedule::Secret::from_bytes([0x42; 32]);
        cache.insert(t);
    }
    let (transcript, pair) = s.run("localhost", None);
    assert_eq!(pair.server.error(), Some(&minitls::Error::BadBinder));
    insta::assert_snapshot!("wrong_binder", transcript);
}

#[test]
fn unexpected_message() {
    // The client, waiting for a ServerHello, gets a Finished.
    let tamper = |pair: &mut Pair| {
        let mut hello = Vec::new();
        pair.client.transmit(&mut hello);
        let finished = HandshakeMessage::Finished(Finished {
            verify_data: [0x11; 32],
        })
        .encode()
        .unwrap();
        let mut record = vec![22, 3, 3];
        record.extend_from_slice(&(finished.len() as u16).to_be_bytes());
        record.extend_from_slice(&finished);
        let _ = pair.client.receive(&record);
        let _ = std::io::sink().write_all(&hello);
    };
    let (transcript, pair) = Scenario::new().run("localhost", Some(&tamper));
    assert_eq!(
        pair.client.error(),
        Some(&minitls::Error::UnexpectedMessage {
            state: "WAIT_SH",
            got: "Finished"
        })
    );
    assert_eq!(pair.client.state_name(), "CLOSED");
    // The Finished is refused from its header, before it is decoded, so it
    // has no message block of its own: the book's anchor spans the record
    // that carried it and the alert that answered it.
    let mut lines: Vec<&str> = transcript.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.starts_with("record server -> client: handshake"))
        .unwrap();
    let last = first
        + lines[first..]
            .iter()
            .position(|l| l.starts_with("alert  client -> server"))
            .unwrap();
    lines.insert(last + 1, "ANCHOR_END: refused_finished");
    lines.insert(first, "ANCHOR: refused_finished");
    let transcript = lines.join("\n") + "\n";
    insta::assert_snapshot!("unexpected_message", transcript);
}

/// Issue 10: a KeyUpdate initiated by the client, with update_requested,
/// and the server's answer (RFC 8446 §4.6.3), data crossing before and
/// after, each new generation of traffic secret shown (RFC 8446 §7.2) and
/// the key log left at generation 0. The handshake also negotiates ALPN
/// (RFC 7301): the client offers h2 and http/1.1, the server speaks only
/// http/1.1, so the ClientHello and EncryptedExtensions show both sides of
/// the choice.
#[test]
fn key_update() {
    let mut s = Scenario::new();
    s.client.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    s.server.alpn_protocols = vec![b"http/1.1".to_vec()];
    let after_handshake = |pair: &mut Pair| {
        pair.drive().unwrap();
        pair.client.send(b"ping").unwrap();
        pair.client.update_keys(true).unwrap();
        pair.client.send(b"ping under new keys").unwrap();
        // The server reads the KeyUpdate and answers with its own before
        // anything else it sends.
        pair.client_to_server().unwrap();
        pair.server.send(b"pong under new keys").unwrap();
        pair.server_to_client().unwrap();
    };
    let (transcript, pair) = s.run("localhost", Some(&after_handshake));
    assert_connected(&pair);
    assert_eq!(
        pair.client.negotiated().alpn_protocol.as_deref(),
        Some(&b"http/1.1"[..])
    );
    assert!(transcript.contains("ANCHOR: client_key_update"));
    assert!(transcript.contains("ANCHOR: server_key_update"));
    insta::assert_snapshot!("key_update", transcript);
}

/// The scenario with mutual TLS: the server requires a client certificate
/// from the demo CA; the client holds one only if `with_certificate`.
fn mutual_tls_scenario(with_certificate: bool) -> Scenario {
    let mut s = Scenario::new();
    if with_certificate {
        s.client.client_certificate = Some(minitls::testing::demo_client_certificate(&s.pki));
    }
    s.server.client_auth = Some(minitls::testing::client_auth(
        &s.pki,
        minitls::config::ClientAuthMode::Required,
    ));
    s
}

#[test]
fn mutual_tls() {
    let (transcript, pair) = mutual_tls_scenario(true).run("localhost", None);
    assert_connected(&pair);
    let identity = pair.server.negotiated().client_identity.clone();
    assert_eq!(identity.unwrap().subject, "CN=client");
    // The book quotes the line where the server names the client.
    let transcript = anchor_line(&transcript, "auth   client is", "client_authenticated");
    insta::assert_snapshot!("mutual_tls", transcript);
}

#[test]
fn client_certificate_refused() {
    let (transcript, pair) = mutual_tls_scenario(false).run("localhost", None);
    assert_eq!(
        pair.server.error(),
        Some(&minitls::Error::CertificateRequired)
    );
    // The book quotes the server's alert.
    let transcript = anchor_line(
        &transcript,
        "alert  server -> client: certificate_required",
        "certificate_required_alert",
    );
    insta::assert_snapshot!("client_certificate_refused", transcript);
}

/// `transcript` with the last line that starts with `prefix` (the server's
/// view comes last) wrapped in `ANCHOR: name` / `ANCHOR_END: name`.
fn anchor_line(transcript: &str, prefix: &str, name: &str) -> String {
    let mut lines: Vec<String> = transcript.lines().map(str::to_string).collect();
    let at = lines
        .iter()
        .rposition(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?}"));
    lines.insert(at + 1, format!("ANCHOR_END: {name}"));
    lines.insert(at, format!("ANCHOR: {name}"));
    lines.join("\n") + "\n"
}

/// Issue 10, early data: after a full handshake whose server issued tickets
/// allowing `ticket_allows` bytes of early data, a resumption in which the
/// client sends `EARLY_REQUEST` as 0-RTT to a server that now accepts
/// `server_accepts` bytes (0: early data off).
fn early_data_scenario(
    strategy: Arc<dyn ResumptionStrategy>,
    ticket_allows: u32,
    server_accepts: u32,
) -> Scenario {
    let cache = Arc::new(Mutex::new(ClientSessionCache::new(4)));
    let make = |seed: u64, max_early_data_size: u32| {
        let mut s = Scenario::new();
        s.server.resumption = Some(strategy.clone());
        s.server.rng = SeededRng::shared(seed);
        s.server.max_early_data_size = max_early_data_size;
        s.client.session_cache = Some(cache.clone());
        s.client.rng = SeededRng::shared(seed + 1);
        s
    };
    let first = make(10, ticket_allows);
    let mut pair = Pair::new(
        Connection::client(Arc::new(first.client), "localhost").unwrap(),
        Connection::server(Arc::new(first.server)),
    );
    pair.drive().unwrap();
    let mut s = make(20, server_accepts);
    s.early_data = Some(EARLY_REQUEST.to_vec());
    s
}

/// The 0-RTT request of the early-data transcripts.
const EARLY_REQUEST: &[u8] = b"GET / HTTP/1.0\r\n\r\n";

/// RFC 8446 §2.3, §4.2.10, §4.5: the ticket allows early data, the server
/// accepts it: early_data in the ClientHello, c e traffic, the request
/// under it, early_data in EncryptedExtensions, WAIT_EOED, EndOfEarlyData.
#[test]
fn early_data_accepted() {
    let s = early_data_scenario(stateless(), 1024, 1024);
    let (transcript, pair) = s.run("localhost", None);
    assert_connected(&pair);
    assert_eq!(pair.client.negotiated().early_data_accepted, Some(true));
    assert!(
        pair.server_events
            .contains(&minitls::AppEvent::EarlyData(EARLY_REQUEST.to_vec()))
    );
    assert!(transcript.contains("CLIENT_EARLY_TRAFFIC_SECRET"));
    // The book quotes the ClientHello's early_data extension alone.
    let transcript = anchor_first_lines(&transcript, "= early_data", 2, "client_hello_early_data");
    insta::assert_snapshot!("early_data_accepted", transcript);
}

/// The ticket allowed early data but the server has turned it off: it
/// skips the 0-RTT record by trial decryption and the handshake is 1-RTT
/// (RFC 8446 §4.2.10); the client learns it from EncryptedExtensions.
#[test]
fn early_data_rejected() {
    let s = early_data_scenario(stateless(), 1024, 0);
    let (transcript, pair) = s.run("localhost", None);
    assert_connected(&pair);
    assert!(pair.server.negotiated().resumed);
    assert_eq!(pair.client.negotiated().early_data_accepted, Some(false));
    assert!(!transcript.contains("EndOfEarlyData"));
    // The book quotes the server's decision and the skipped record.
    let transcript = anchor_line(&transcript, "resume 0-RTT rejected", "early_data_rejected");
    let transcript = anchor_line(&transcript, "resume 0-RTT record of", "early_data_skipped");
    insta::assert_snapshot!("early_data_rejected", transcript);
}

/// A recorded 0-RTT flight replayed to a stateless server: the ticket
/// still resumes, but the strike register has seen its binder, so the
/// early data is skipped (RFC 8446 §8.2). The server's view of the replay.
#[test]
fn early_data_replay_refused() {
    let s = early_data_scenario(stateless(), 1024, 1024);
    let server = Arc::new(s.server);
    let mut client = Connection::client_with_early_data(
        Arc::new(s.client),
        "localhost",
        EARLY_REQUEST,
        Box::new(minitls::trace::NoObserver),
    )
    .unwrap();
    let mut flight = Vec::new();
    client.transmit(&mut flight);
    // The original reaches the server, which reads the early data.
    let mut original = Connection::server(server.clone());
    original.receive(&flight).unwrap();
    assert_eq!(original.negotiated().early_data_accepted, Some(true));
    // The attacker's copy reaches it again.
    let view: Buffer = Arc::default();
    let mut explainer = Explainer::new("server", view.clone());
    explainer.book_anchors = true;
    explainer.anchor_prefix = "replay_";
    let mut replayed = Connection::server_with_observer(server, Box::new(explainer));
    replayed.receive(&flight).unwrap();
    assert!(replayed.negotiated().resumed);
    assert_eq!(replayed.negotiated().early_data_accepted, Some(false));
    assert!(
        std::iter::from_fn(|| replayed.poll_event())
            .all(|e| !matches!(e, minitls::AppEvent::EarlyData(_)))
    );
    let transcript = format!(
        "=== server view of the replayed flight ===\n{}",
        text(&view)
    );
    let transcript = anchor_line(&transcript, "resume 0-RTT rejected", "replay_0rtt_rejected");
    insta::assert_snapshot!("early_data_replay_refused", transcript);
}

/// `transcript` with the first line containing `needle` and the `count - 1`
/// lines after it wrapped in `ANCHOR: name` / `ANCHOR_END: name`.
fn anchor_first_lines(transcript: &str, needle: &str, count: usize, name: &str) -> String {
    let mut lines: Vec<String> = transcript.lines().map(str::to_string).collect();
    let at = lines
        .iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line containing {needle:?}"));
    lines.insert(at + count, format!("ANCHOR_END: {name}"));
    lines.insert(at, format!("ANCHOR: {name}"));
    lines.join("\n") + "\n"
}
