//! Early data (0-RTT) in memory, both resumption strategies (RFC 8446
//! §2.3, §4.2.10, §4.5, §8): accepted, rejected and skipped, the limits,
//! EndOfEarlyData in its place and out of it, and replays of a recorded
//! 0-RTT flight refused by each strategy's anti-replay.

use std::sync::{Arc, Mutex};

use minitls::error::{IllegalParameter, UnexpectedRecord};
use minitls::key_schedule::SecretLabel;
use minitls::messages::{Finished, HandshakeMessage};
use minitls::pki::issue::DemoPki;
use minitls::record::ContentType;
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::client_cache::{ClientSessionCache, StoredTicket};
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::ticketer::Ticketer;
use minitls::testing::{
    FIXED_NOW, ManualClock, Pair, SeededRng, protection, secret, split_messages, split_records,
};
use minitls::trace::{RecordedEvent, Recorder, ResumptionEvent};
use minitls::{AlertDescription, AppEvent, ClientConfig, Connection, Error, ServerConfig};

const EARLY: &[u8] = b"GET /early HTTP/1.0\r\n\r\n";

/// A server and a client that reconnect, sharing a strategy and a cache.
struct World {
    pki: DemoPki,
    strategy: Arc<dyn ResumptionStrategy>,
    cache: Arc<Mutex<ClientSessionCache>>,
    client_clock: ManualClock,
    server_clock: ManualClock,
    /// The server's max_early_data_size.
    max_early_data_size: u32,
    /// The client sends no X25519 share in its first ClientHello.
    no_initial_key_share: bool,
    seed: u64,
}

impl World {
    fn new(strategy: Arc<dyn ResumptionStrategy>) -> Self {
        let mut rng = SeededRng::new(7);
        World {
            pki: DemoPki::generate(&mut rng, &["localhost"], FIXED_NOW.as_secs()),
            strategy,
            cache: Arc::new(Mutex::new(ClientSessionCache::new(8))),
            client_clock: ManualClock::new(FIXED_NOW),
            server_clock: ManualClock::new(FIXED_NOW),
            max_early_data_size: 1024,
            no_initial_key_share: false,
            seed: 100,
        }
    }

    fn stateful() -> Self {
        World::new(Arc::new(StatefulStrategy::in_memory(16)))
    }

    fn stateless() -> Self {
        World::new(Arc::new(Ticketer::new(3600)))
    }

    fn server(&mut self) -> (Connection, Recorder) {
        self.seed += 1;
        let mut config = ServerConfig::new(
            vec![self.pki.server_cert.clone()],
            self.pki.server_key.clone(),
        );
        config.rng = SeededRng::shared(self.seed);
        config.clock = Arc::new(self.server_clock.clone());
        config.resumption = Some(self.strategy.clone());
        config.max_early_data_size = self.max_early_data_size;
        let trace = Recorder::default();
        let conn = Connection::server_with_observer(Arc::new(config), Box::new(trace.clone()));
        (conn, trace)
    }

    fn client(&mut self, early: Option<&[u8]>) -> (Connection, Recorder) {
        self.seed += 1;
        let mut config = ClientConfig::new(self.pki.trust_anchors());
        config.rng = SeededRng::shared(self.seed);
        config.clock = Arc::new(self.client_clock.clone());
        config.session_cache = Some(self.cache.clone());
        config.initial_key_share = !self.no_initial_key_share;
        let config = Arc::new(config);
        let trace = Recorder::default();
        let observer = Box::new(trace.clone());
        let conn = match early {
            Some(data) => Connection::client_with_early_data(config, "localhost", data, observer),
            None => Connection::client_with_observer(config, "localhost", observer),
        };
        (conn.unwrap(), trace)
    }

    /// A connection with `early` data offered, driven to its end.
    fn connect(&mut self, early: Option<&[u8]>) -> (Pair, Recorder, Recorder) {
        let (client, client_trace) = self.client(early);
        let (server, server_trace) = self.server();
        let mut pair = Pair::new(client, server);
        let _ = pair.drive();
        (pair, client_trace, server_trace)
    }

    /// Change the newest ticket in the client's cache.
    fn alter_ticket(&self, change: impl FnOnce(&mut StoredTicket)) {
        let mut cache = self.cache.lock().unwrap();
        let mut ticket = cache.take("localhost", FIXED_NOW).unwrap();
        change(&mut ticket);
        cache.insert(ticket);
    }
}

fn early_data_events(events: &[AppEvent]) -> Vec<u8> {
    (events.iter())
        .filter_map(|e| match e {
            AppEvent::EarlyData(d) => Some(d.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn messages_sent(trace: &Recorder) -> Vec<&'static str> {
    (trace.events().into_iter())
        .filter_map(|e| match e {
            RecordedEvent::MessageSent(name, _) => Some(name),
            _ => None,
        })
        .collect()
}

fn early_data_decisions(trace: &Recorder) -> Vec<ResumptionEvent> {
    (trace.events().into_iter())
        .filter_map(|e| match e {
            RecordedEvent::Resumption(
                r @ (ResumptionEvent::EarlyDataAccepted { .. }
                | ResumptionEvent::EarlyDataRejected { .. }),
            ) => Some(r),
            _ => None,
        })
        .collect()
}

fn assert_connected(pair: &Pair) {
    assert!(pair.client.is_connected(), "{:?}", pair.client.error());
    assert!(pair.server.is_connected(), "{:?}", pair.server.error());
}

/// After a first, full handshake, a resumption with early data: accepted,
/// read by the server before the client's Finished, ended by EndOfEarlyData.
fn accepted(mut w: World, strategy: &str) {
    let (pair, _, _) = w.connect(None);
    assert_connected(&pair);
    let (mut pair, client, server) = w.connect(Some(EARLY));
    assert_connected(&pair);
    assert!(pair.server.negotiated().resumed);
    assert_eq!(pair.server.negotiated().resumption_strategy, Some(strategy));
    assert_eq!(pair.client.negotiated().early_data_accepted, Some(true));
    assert_eq!(pair.server.negotiated().early_data_accepted, Some(true));
    assert_eq!(early_data_events(&pair.server_events), EARLY);
    // RFC 8446 §4.5: EndOfEarlyData, before the client's Finished.
    let sent = messages_sent(&client);
    let eoed = sent.iter().position(|m| *m == "EndOfEarlyData").unwrap();
    assert_eq!(sent[eoed + 1], "Finished");
    // RFC 8446 §7.1: both sides derived the same c e traffic.
    assert_eq!(
        secret(&client, SecretLabel::ClientEarlyTraffic),
        secret(&server, SecretLabel::ClientEarlyTraffic)
    );
    assert_eq!(
        early_data_decisions(&server),
        [ResumptionEvent::EarlyDataAccepted {
            max_early_data_size: 1024
        }]
    );
    // The connection goes on as usual.
    pair.client.send(b"after").unwrap();
    pair.drive().unwrap();
    assert!(
        pair.server_events
            .contains(&AppEvent::Data(b"after".to_vec()))
    );
}

#[test]
fn early_data_is_accepted_with_a_stateful_ticket() {
    accepted(World::stateful(), "stateful");
}

#[test]
fn early_data_is_accepted_with_a_stateless_ticket() {
    accepted(World::stateless(), "stateless");
}

#[test]
fn tickets_carry_early_data_only_when_the_server_allows_it() {
    let mut w = World::stateful();
    w.max_early_data_size = 0;
    w.connect(None);
    let ticket = w
        .cache
        .lock()
        .unwrap()
        .take("localhost", FIXED_NOW)
        .unwrap();
    assert_eq!(ticket.max_early_data_size, 0);
    w.max_early_data_size = 4096;
    w.connect(None);
    let ticket = w
        .cache
        .lock()
        .unwrap()
        .take("localhost", FIXED_NOW)
        .unwrap();
    assert_eq!(ticket.max_early_data_size, 4096);
    // The session file keeps it.
    let pem = ticket.to_pem().unwrap();
    assert_eq!(StoredTicket::from_pem(&pem).unwrap(), ticket);
}

#[test]
fn a_ticket_without_early_data_sends_none() {
    let mut w = World::stateful();
    w.max_early_data_size = 0;
    w.connect(None);
    let (pair, client, _) = w.connect(Some(EARLY));
    assert_connected(&pair);
    assert!(pair.client.negotiated().resumed);
    // Not offered at all: the application sends it after the handshake.
    assert_eq!(pair.client.negotiated().early_data_accepted, None);
    assert!(!messages_sent(&client).contains(&"EndOfEarlyData"));
}

#[test]
fn early_data_on_a_ticket_that_did_not_allow_it_is_skipped_not_an_error() {
    // The client believes its ticket allows 0-RTT; the server's session
    // says it does not (RFC 8446 §4.2.10): rejected, skipped, 1-RTT.
    for mut w in [World::stateful(), World::stateless()] {
        w.max_early_data_size = 0;
        w.connect(None);
        w.alter_ticket(|t| t.max_early_data_size = 1024);
        w.max_early_data_size = 1024;
        let (pair, client, server) = w.connect(Some(EARLY));
        assert_connected(&pair);
        assert!(pair.server.negotiated().resumed);
        assert_eq!(pair.client.negotiated().early_data_accepted, Some(false));
        assert_eq!(pair.server.negotiated().early_data_accepted, Some(false));
        assert!(early_data_events(&pair.server_events).is_empty());
        assert!(!messages_sent(&client).contains(&"EndOfEarlyData"));
        assert_eq!(
            early_data_decisions(&server),
            [ResumptionEvent::EarlyDataRejected {
                reason: "the ticket does not allow early data"
            }]
        );
    }
}

#[test]
fn a_server_with_early_data_off_skips_it() {
    let mut w = World::stateless();
    w.connect(None);
    w.max_early_data_size = 0;
    let (pair, _, server) = w.connect(Some(EARLY));
    assert_connected(&pair);
    assert_eq!(pair.client.negotiated().early_data_accepted, Some(false));
    assert!(early_data_events(&pair.server_events).is_empty());
    assert_eq!(
        early_data_decisions(&server),
        [ResumptionEvent::EarlyDataRejected {
            reason: "early data is off on this server"
        }]
    );
}

#[test]
fn more_early_data_than_allowed_is_unexpected_message() {
    // RFC 8446 §4.6.1: more than max_early_data_size is unexpected_message.
    let mut w = World::stateful();
    w.max_early_data_size = 16;
    w.connect(None);
    // The client is told it may send more than the server's session allows.
    w.alter_ticket(|t| t.max_early_data_size = 1024);
    let (pair, _, _) = w.connect(Some(&[b'x'; 17]));
    assert_eq!(
        pair.server.error(),
        Some(&Error::UnexpectedRecord(UnexpectedRecord::TooMuchEarlyData))
    );
    // The one error-to-alert table says which alert went out.
    assert_eq!(
        pair.server.error().and_then(Error::alert),
        Some(AlertDescription::UnexpectedMessage)
    );

    // Exactly the limit is fine.
    let mut w = World::stateful();
    w.max_early_data_size = 16;
    w.connect(None);
    let (pair, _, _) = w.connect(Some(&[b'x'; 16]));
    assert_connected(&pair);
    assert_eq!(early_data_events(&pair.server_events), [b'x'; 16]);
}

/// The client's first flight of a 0-RTT resumption: ClientHello,
/// change_cipher_spec, early data. And the server it was meant for.
fn record_flight(w: &mut World) -> (Vec<u8>, Recorder) {
    w.connect(None);
    let (mut client, client_trace) = w.client(Some(EARLY));
    let mut flight = Vec::new();
    client.transmit(&mut flight);
    (flight, client_trace)
}

#[test]
fn end_of_early_data_out_of_place_is_unexpected_message() {
    // In WAIT_EOED the client's Finished is unexpected: EndOfEarlyData
    // comes first (RFC 8446 §4.5, Appendix A.2).
    let mut w = World::stateful();
    let (flight, client_trace) = record_flight(&mut w);
    let (mut server, _) = w.server();
    server.receive(&flight).unwrap();
    assert_eq!(server.state_name(), "WAIT_EOED");
    let early = secret(&client_trace, SecretLabel::ClientEarlyTraffic);
    let finished = HandshakeMessage::Finished(Finished {
        verify_data: [0; 32],
    })
    .encode()
    .unwrap();
    // One early-data record went under these keys already.
    let record = protection(&early, 1)
        .encrypt(ContentType::Handshake, &finished, 0)
        .unwrap()
        .encode();
    assert_eq!(
        server.receive(&record),
        Err(Error::UnexpectedMessage {
            state: "WAIT_EOED",
            got: "Finished"
        })
    );

    // Without 0-RTT, EndOfEarlyData where the client's Finished belongs.
    let mut w = World::stateful();
    let (client, client_trace) = w.client(None);
    let (server, _) = w.server();
    let mut pair = Pair::new(client, server);
    pair.client_to_server().unwrap();
    pair.server_to_client().unwrap();
    let mut ignored = Vec::new();
    pair.client.transmit(&mut ignored);
    assert_eq!(pair.server.state_name(), "WAIT_FINISHED");
    let handshake = secret(&client_trace, SecretLabel::ClientHandshakeTraffic);
    let eoed = HandshakeMessage::EndOfEarlyData.encode().unwrap();
    let record = protection(&handshake, 0)
        .encrypt(ContentType::Handshake, &eoed, 0)
        .unwrap()
        .encode();
    assert_eq!(
        pair.server.receive(&record),
        Err(Error::UnexpectedMessage {
            state: "WAIT_FINISHED",
            got: "EndOfEarlyData"
        })
    );
}

/// Replay `flight` to a fresh server of the same world: whatever happens
/// to the PSK, its early data is not read.
fn replay(w: &mut World, flight: &[u8]) -> (Connection, Recorder, Vec<AppEvent>) {
    let (mut server, trace) = w.server();
    server.receive(flight).unwrap();
    let events = std::iter::from_fn(|| server.poll_event()).collect();
    (server, trace, events)
}

#[test]
fn a_replayed_0rtt_flight_is_refused_by_the_stateful_store() {
    let mut w = World::stateful();
    let (flight, _) = record_flight(&mut w);
    let (original, _, events) = replay(&mut w, &flight);
    assert_eq!(original.negotiated().early_data_accepted, Some(true));
    assert_eq!(early_data_events(&events), EARLY);
    // RFC 8446 §8.1: the session was used up by the original.
    let (replayed, trace, events) = replay(&mut w, &flight);
    assert!(!replayed.negotiated().resumed);
    assert_eq!(replayed.negotiated().early_data_accepted, Some(false));
    assert!(early_data_events(&events).is_empty());
    assert!(replayed.error().is_none());
    assert_eq!(
        early_data_decisions(&trace),
        [ResumptionEvent::EarlyDataRejected {
            reason: "no PSK accepted"
        }]
    );
}

#[test]
fn a_replayed_0rtt_flight_is_refused_by_the_stateless_strike_register() {
    let mut w = World::stateless();
    let (flight, _) = record_flight(&mut w);
    let (original, _, events) = replay(&mut w, &flight);
    assert_eq!(original.negotiated().early_data_accepted, Some(true));
    assert_eq!(early_data_events(&events), EARLY);
    // RFC 8446 §8.2: the ticket still resumes, but its binder was seen.
    let (replayed, trace, events) = replay(&mut w, &flight);
    assert!(replayed.negotiated().resumed);
    assert_eq!(replayed.negotiated().early_data_accepted, Some(false));
    assert!(early_data_events(&events).is_empty());
    assert!(replayed.error().is_none());
    assert_eq!(
        early_data_decisions(&trace),
        [ResumptionEvent::EarlyDataRejected {
            reason: "anti-replay refused this ClientHello"
        }]
    );
}

#[test]
fn a_stateless_0rtt_flight_outside_the_freshness_window_is_refused() {
    // RFC 8446 §8.3: resumption tolerates 10 s of ticket-age skew, 0-RTT
    // only the register's 5 s window.
    let mut w = World::stateless();
    let (flight, _) = record_flight(&mut w);
    w.server_clock.advance_secs(6);
    let (late, _, events) = replay(&mut w, &flight);
    assert!(late.negotiated().resumed);
    assert_eq!(late.negotiated().early_data_accepted, Some(false));
    assert!(early_data_events(&events).is_empty());
}

#[test]
fn early_data_accepted_without_our_psk_is_illegal_parameter() {
    // RFC 8446 §4.2.10: "If the server supplies an "early_data" extension,
    // the client MUST verify that the server's selected_identity is 0";
    // here it selected none (a full handshake) yet says it read our 0-RTT.
    let mut w = World::stateful();
    w.connect(None);
    // A server that never issued the ticket: it refuses the PSK.
    w.strategy = Arc::new(StatefulStrategy::in_memory(4));
    let (mut client, _) = w.client(Some(EARLY));
    let (mut server, server_trace) = w.server();
    let mut flight = Vec::new();
    client.transmit(&mut flight);
    server.receive(&flight).unwrap();
    assert!(!server.negotiated().resumed);
    let mut reply = Vec::new();
    server.transmit(&mut reply);
    // The ServerHello and change_cipher_spec as sent; then EncryptedExtensions
    // with early_data added, under the server's handshake key.
    let records = split_records(&reply);
    let clear: Vec<u8> = (records.iter())
        .take_while(|r| r.content_type != ContentType::ApplicationData.to_u8())
        .flat_map(|r| r.encode())
        .collect();
    let server_hs = secret(&server_trace, SecretLabel::ServerHandshakeTraffic);
    let first_protected = (records.into_iter())
        .find(|r| r.content_type == ContentType::ApplicationData.to_u8())
        .unwrap();
    let (_, plaintext) = protection(&server_hs, 0).decrypt(first_protected).unwrap();
    let ee_bytes = split_messages(&plaintext).remove(0);
    let Ok(HandshakeMessage::EncryptedExtensions(mut ee)) = HandshakeMessage::decode(&ee_bytes)
    else {
        panic!("not EncryptedExtensions");
    };
    ee.early_data = true;
    let forged = HandshakeMessage::EncryptedExtensions(ee).encode().unwrap();
    let record = protection(&server_hs, 0)
        .encrypt(ContentType::Handshake, &forged, 0)
        .unwrap()
        .encode();
    client.receive(&clear).unwrap();
    let result = client.receive(&record);
    assert_eq!(
        result,
        Err(Error::IllegalParameter(
            IllegalParameter::EarlyDataWithoutFirstPsk
        ))
    );
    assert_eq!(
        client.error().and_then(Error::alert),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn a_hello_retry_request_rejects_early_data_and_the_second_hello_goes_in_the_clear() {
    // The client sends no key share (so the server asks for one with a
    // HelloRetryRequest, RFC 8446 §4.1.4) but 0-RTT data. §4.2.10: the
    // second ClientHello carries no early_data; the server skips the
    // 0-RTT records before it; the resumption completes as 1-RTT.
    let mut w = World::stateless();
    w.connect(None);
    w.no_initial_key_share = true;
    let (pair, client, _) = w.connect(Some(EARLY));
    assert_connected(&pair);
    assert!(pair.client.negotiated().hello_retry_request);
    assert!(pair.server.negotiated().resumed);
    assert_eq!(pair.client.negotiated().early_data_accepted, Some(false));
    assert!(early_data_events(&pair.server_events).is_empty());
    let hellos: Vec<Vec<u8>> = (client.events().into_iter())
        .filter_map(|e| match e {
            RecordedEvent::MessageSent("ClientHello", bytes) => Some(bytes),
            _ => None,
        })
        .collect();
    let offers_early_data = |bytes: &[u8]| match HandshakeMessage::decode(bytes) {
        Ok(HandshakeMessage::ClientHello(hello)) => hello.extensions.early_data,
        other => panic!("not a ClientHello: {other:?}"),
    };
    assert_eq!(hellos.len(), 2);
    assert!(offers_early_data(&hellos[0]));
    assert!(!offers_early_data(&hellos[1]));
}
