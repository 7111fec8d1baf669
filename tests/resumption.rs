//! Session resumption, both strategies, in memory (RFC 8446 §2.2, §4.2.11,
//! §4.6.1): what is resumed, in which mode, and every way a ticket can fail
//! (each ending in a full handshake, or in the alert the RFC requires).

use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use minitls::config::UnixTime;
use minitls::error::{IllegalParameter, MissingExtension};
use minitls::key_schedule::{SecretLabel, TrafficSecret};
use minitls::messages::new_session_ticket::MAX_TICKET_LEN;
use minitls::messages::{PSK_DHE_KE, PSK_KE};
use minitls::pki::issue::DemoPki;
use minitls::record::{ContentType, RecordLayer, RecordProtection};
use minitls::resumption::client_cache::{ClientSessionCache, StoredTicket};
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::store::{BYTES_PER_SESSION, InMemoryStore, SessionStore};
use minitls::resumption::ticketer::Ticketer;
use minitls::resumption::{Rejection, ResumptionStrategy, Session};
use minitls::testing::{FIXED_NOW, ManualClock, Pair, SeededRng};
use minitls::trace::{NoObserver, RecordedEvent, Recorder, ResumptionEvent};
use minitls::{AlertDescription, AppEvent, ClientConfig, Connection, Error, ServerConfig};

/// One server and one client identity that reconnect several times.
struct World {
    pki: DemoPki,
    strategy: Arc<dyn ResumptionStrategy>,
    cache: Arc<Mutex<ClientSessionCache>>,
    client_clock: ManualClock,
    server_clock: ManualClock,
    client_modes: Vec<u8>,
    server_modes: Vec<u8>,
    seed: u64,
}

impl World {
    fn new(strategy: Arc<dyn ResumptionStrategy>) -> Self {
        let mut rng = SeededRng::new(7);
        World {
            pki: DemoPki::generate(
                &mut rng,
                &["localhost", "other.example"],
                FIXED_NOW.as_secs(),
            ),
            strategy,
            cache: Arc::new(Mutex::new(ClientSessionCache::new(8))),
            client_clock: ManualClock::new(FIXED_NOW),
            server_clock: ManualClock::new(FIXED_NOW),
            client_modes: vec![PSK_DHE_KE],
            server_modes: vec![PSK_DHE_KE],
            seed: 100,
        }
    }

    fn stateful() -> Self {
        World::new(Arc::new(StatefulStrategy::in_memory(16)))
    }

    fn stateless() -> Self {
        World::new(Arc::new(Ticketer::new(3600)))
    }

    fn server_config(&mut self) -> ServerConfig {
        self.seed += 1;
        let mut config = ServerConfig::new(
            vec![self.pki.server_cert.clone()],
            self.pki.server_key.clone(),
        );
        config.rng = SeededRng::shared(self.seed);
        config.clock = Arc::new(self.server_clock.clone());
        config.resumption = Some(self.strategy.clone());
        config.psk_modes = self.server_modes.clone();
        config
    }

    fn client_config(&mut self) -> ClientConfig {
        self.seed += 1;
        let mut config = ClientConfig::new(self.pki.trust_anchors());
        config.rng = SeededRng::shared(self.seed);
        config.clock = Arc::new(self.client_clock.clone());
        config.session_cache = Some(self.cache.clone());
        config.psk_modes = self.client_modes.clone();
        config
    }

    /// One connection to `name`, not yet driven.
    fn pair_to(&mut self, name: &str) -> (Pair, Recorder, Recorder) {
        let client_trace = Recorder::default();
        let server_trace = Recorder::default();
        let client = Connection::client_with_observer(
            Arc::new(self.client_config()),
            name,
            Box::new(client_trace.clone()),
        )
        .unwrap();
        let server = Connection::server_with_observer(
            Arc::new(self.server_config()),
            Box::new(server_trace.clone()),
        );
        (Pair::new(client, server), client_trace, server_trace)
    }

    /// One connection to `name`, driven to completion (or failure).
    fn connect_to(&mut self, name: &str) -> (Pair, Recorder, Recorder) {
        let (mut pair, client_trace, server_trace) = self.pair_to(name);
        let _ = pair.drive();
        (pair, client_trace, server_trace)
    }

    fn connect(&mut self) -> (Pair, Recorder, Recorder) {
        self.connect_to("localhost")
    }

    fn tickets(&self) -> usize {
        self.cache.lock().unwrap().len()
    }

    /// Take the newest ticket for localhost out of the cache.
    fn take_ticket(&self) -> StoredTicket {
        self.cache
            .lock()
            .unwrap()
            .take("localhost", UnixTime(0))
            .unwrap()
    }

    /// Take the newest ticket out, change it, and put it back.
    fn alter_ticket(&self, change: impl FnOnce(&mut StoredTicket)) {
        let mut cache = self.cache.lock().unwrap();
        let mut ticket = cache.take("localhost", UnixTime(0)).unwrap();
        change(&mut ticket);
        cache.insert(ticket);
    }
}

fn resumption_events(trace: &Recorder) -> Vec<ResumptionEvent> {
    trace
        .events()
        .into_iter()
        .filter_map(|e| match e {
            RecordedEvent::Resumption(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn messages_sent(trace: &Recorder) -> Vec<&'static str> {
    trace
        .events()
        .into_iter()
        .filter_map(|e| match e {
            RecordedEvent::MessageSent(name, _) => Some(name),
            _ => None,
        })
        .collect()
}

fn assert_resumed(pair: &Pair, mode: &str, strategy: &str) {
    assert!(pair.client.is_connected(), "{:?}", pair.client.error());
    assert!(pair.server.is_connected(), "{:?}", pair.server.error());
    let c = pair.client.negotiated();
    let s = pair.server.negotiated();
    assert!(c.resumed && s.resumed, "client {c:?} server {s:?}");
    assert_eq!(c.psk_mode, Some(mode));
    assert_eq!(s.psk_mode, Some(mode));
    assert_eq!(s.resumption_strategy, Some(strategy));
}

fn assert_full_handshake(pair: &Pair) {
    assert!(pair.client.is_connected(), "{:?}", pair.client.error());
    assert!(pair.server.is_connected(), "{:?}", pair.server.error());
    assert!(!pair.client.negotiated().resumed);
    assert!(!pair.server.negotiated().resumed);
    assert_eq!(pair.client.negotiated().signature_scheme, Some(0x0807));
}

#[test]
fn full_handshake_issues_two_tickets() {
    let mut w = World::stateless();
    let (pair, _, server) = w.connect();
    assert_full_handshake(&pair);
    assert_eq!(w.tickets(), 2);
    assert_eq!(
        pair.client_events
            .iter()
            .filter(|e| **e == AppEvent::NewTicket)
            .count(),
        2
    );
    let issued = resumption_events(&server)
        .into_iter()
        .filter(|e| matches!(e, ResumptionEvent::TicketIssued { .. }))
        .count();
    assert_eq!(issued, 2);
}

#[test]
fn stateful_resumption_skips_certificates_and_signatures() {
    let mut w = World::stateful();
    w.connect();
    let (pair, client, server) = w.connect();
    assert_resumed(&pair, "psk_dhe_ke", "stateful");
    assert_eq!(
        messages_sent(&server),
        [
            "ServerHello",
            "EncryptedExtensions",
            "Finished",
            "NewSessionTicket",
            "NewSessionTicket"
        ]
    );
    assert!(!client.events().iter().any(|e| matches!(
        e,
        RecordedEvent::Operation(minitls::trace::Operation::Ed25519Verify)
    )));
    // Data flows under the resumed keys.
    let mut pair = pair;
    pair.client.send(b"again").unwrap();
    pair.drive().unwrap();
    assert_eq!(
        pair.server_events.last(),
        Some(&AppEvent::Data(b"again".to_vec()))
    );
}

#[test]
fn stateless_resumption_works_and_tickets_carry_the_session() {
    let mut w = World::stateless();
    w.connect();
    let (pair, _, server) = w.connect();
    assert_resumed(&pair, "psk_dhe_ke", "stateless");
    assert!(
        resumption_events(&server).contains(&ResumptionEvent::Accepted {
            strategy: "stateless",
            psk_mode: "psk_dhe_ke"
        })
    );
    // The stateless server holds nothing per session.
    assert_eq!(w.strategy.bytes_held(), 0);
}

#[test]
fn stateful_server_holds_memory_per_session() {
    let mut w = World::stateful();
    w.connect();
    assert!(w.strategy.bytes_held() > 0);
}

#[test]
fn psk_ke_resumption_has_no_key_exchange() {
    for mut w in [World::stateful(), World::stateless()] {
        w.connect();
        w.client_modes = vec![PSK_KE];
        w.server_modes = vec![PSK_DHE_KE, PSK_KE];
        let (pair, client, server) = w.connect();
        let strategy = w.strategy.name();
        assert_resumed(&pair, "psk_ke", strategy);
        assert_eq!(pair.client.negotiated().group, None);
        for trace in [client, server] {
            assert!(
                !trace
                    .events()
                    .iter()
                    .any(|e| matches!(e, RecordedEvent::Operation(_)))
            );
        }
    }
}

#[test]
fn hello_retry_request_during_resumption_recomputes_the_binder() {
    use minitls::key_schedule::{EarlySecret, psk_binder};
    use minitls::messages::HandshakeMessage;
    use minitls::messages::extensions::extension_type::PRE_SHARED_KEY;
    use minitls::transcript::Transcript;

    // A psk_ke-only client sends no share; a psk_dhe_ke-only server asks
    // for one with a HelloRetryRequest, and the client must offer its PSK
    // again with a binder over message_hash(CH1) || HRR || truncated CH2.
    let mut w = World::stateful();
    w.connect();
    let ticket = {
        let mut cache = w.cache.lock().unwrap();
        let t = cache.take("localhost", UnixTime(0)).unwrap();
        cache.insert(t.clone());
        t
    };
    w.client_modes = vec![PSK_KE];
    w.server_modes = vec![PSK_DHE_KE];
    let client = Connection::client(Arc::new(w.client_config()), "localhost").unwrap();
    let server = Connection::server(Arc::new(w.server_config()));
    let mut pair = Pair::new(client, server);
    let messages = |bytes: &[u8]| -> Vec<Vec<u8>> {
        // Plaintext handshake records only (CCS skipped).
        let mut out = Vec::new();
        let mut rest = bytes;
        while rest.len() >= 5 {
            let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
            if rest[0] == 22 {
                out.push(rest[5..5 + len].to_vec());
            }
            rest = &rest[5 + len..];
        }
        out
    };
    let mut ch1 = Vec::new();
    pair.client.transmit(&mut ch1);
    pair.server.receive(&ch1).unwrap();
    let mut hrr = Vec::new();
    pair.server.transmit(&mut hrr);
    pair.client.receive(&hrr).unwrap();
    let mut ch2 = Vec::new();
    pair.client.transmit(&mut ch2);
    let (ch1, hrr, ch2) = (&messages(&ch1)[0], &messages(&hrr)[0], &messages(&ch2)[0]);
    assert!(matches!(
        HandshakeMessage::decode(hrr).unwrap(),
        HandshakeMessage::HelloRetryRequest(_)
    ));
    let HandshakeMessage::ClientHello(hello2) = HandshakeMessage::decode(ch2).unwrap() else {
        panic!("second flight is not a ClientHello");
    };
    let Some(offer) = &hello2.extensions.pre_shared_key else {
        panic!("no pre_shared_key in ClientHello2");
    };
    assert_eq!(
        hello2.extensions.received.last().map(|e| e.extension_type),
        Some(PRE_SHARED_KEY),
        "pre_shared_key is not last in ClientHello2"
    );
    let binders_len = 2 + offer.binders.iter().map(|b| 1 + b.len()).sum::<usize>();
    let mut transcript = Transcript::new();
    transcript.add(ch1);
    transcript.restart_for_hrr();
    transcript.add(hrr);
    transcript.add(&ch2[..ch2.len() - binders_len]);
    let binder_key = EarlySecret::new(Some(ticket.psk.as_bytes())).resumption_binder_key();
    let expected = psk_binder(&binder_key, &transcript.current());
    assert_eq!(offer.binders, vec![expected.to_vec()]);
    // The server has no psk_ke, so it completes a full handshake.
    pair.server
        .receive(&{
            let mut wire = vec![22, 3, 3];
            wire.extend_from_slice(&(ch2.len() as u16).to_be_bytes());
            wire.extend_from_slice(ch2);
            wire
        })
        .unwrap();
    pair.drive().unwrap();
    assert_full_handshake(&pair);
}

#[test]
fn ticket_is_used_once_and_ids_are_single_use() {
    let mut w = World::stateful();
    w.connect();
    assert_eq!(w.tickets(), 2);
    // Copy a ticket before it is used, then put the copy back afterwards.
    let copy = {
        let mut cache = w.cache.lock().unwrap();
        let t = cache.take("localhost", UnixTime(0)).unwrap();
        cache.insert(t.clone());
        t
    };
    let (pair, _, _) = w.connect();
    assert_resumed(&pair, "psk_dhe_ke", "stateful");
    w.cache.lock().unwrap().insert(copy);
    let (pair, _, server) = w.connect();
    assert_full_handshake(&pair);
    assert!(
        resumption_events(&server).contains(&ResumptionEvent::Rejected {
            strategy: "stateful",
            reason: "ticket not found in the store (evicted, expired or used)"
        })
    );
}

#[test]
fn tampered_ticket_falls_back_to_a_full_handshake() {
    for mut w in [World::stateful(), World::stateless()] {
        w.connect();
        w.alter_ticket(|t| {
            let last = t.ticket.len() - 1;
            t.ticket[last] ^= 0x01;
        });
        let (pair, _, server) = w.connect();
        assert_full_handshake(&pair);
        assert!(
            resumption_events(&server)
                .iter()
                .any(|e| matches!(e, ResumptionEvent::Rejected { .. }))
        );
    }
}

#[test]
fn expired_ticket_is_not_offered_and_not_accepted() {
    let mut w = World::stateless();
    w.connect();
    // Client side: past the lifetime the cache drops it.
    w.client_clock.advance_secs(7201);
    w.server_clock.advance_secs(7201);
    let (pair, client, _) = w.connect();
    assert_full_handshake(&pair);
    assert!(
        !resumption_events(&client)
            .iter()
            .any(|e| matches!(e, ResumptionEvent::Offered { .. }))
    );

    // Server side: a client whose clock lags still offers it; the server
    // refuses. (A day-long key period, so the key itself is still there.)
    let mut w = World::new(Arc::new(Ticketer::new(86_400)));
    w.connect();
    w.server_clock.advance_secs(7201);
    let (pair, _, server) = w.connect();
    assert_full_handshake(&pair);
    assert!(
        resumption_events(&server).contains(&ResumptionEvent::Rejected {
            strategy: "stateless",
            reason: "ticket expired"
        })
    );
}

#[test]
fn stale_ticket_age_is_refused() {
    let mut w = World::stateful();
    w.connect();
    // The server's clock runs 60 s ahead of the client's: ages disagree.
    w.server_clock.advance_secs(60);
    let (pair, _, server) = w.connect();
    assert_full_handshake(&pair);
    assert!(
        resumption_events(&server).contains(&ResumptionEvent::Rejected {
            strategy: "stateful",
            reason: "obfuscated_ticket_age outside the accepted window"
        })
    );
}

#[test]
fn ticket_sealed_under_a_retired_key_is_refused() {
    let ticketer = Arc::new(Ticketer::new(600));
    let mut w = World::new(ticketer.clone());
    w.connect();
    // Two rotations later the key that sealed our tickets is gone.
    for _ in 0..2 {
        w.client_clock.advance_secs(600);
        w.server_clock.advance_secs(600);
        ticketer.rotate(&mut SeededRng::new(1), UnixTime(0));
    }
    let (pair, _, server) = w.connect();
    assert_full_handshake(&pair);
    assert!(
        resumption_events(&server).contains(&ResumptionEvent::Rejected {
            strategy: "stateless",
            reason: "ticket sealed under a key we do not have (rotated out?)"
        })
    );
}

#[test]
fn restarted_server_with_a_new_key_does_a_full_handshake() {
    let mut w = World::stateless();
    w.connect();
    w.strategy = Arc::new(Ticketer::new(3600));
    let (pair, _, _) = w.connect();
    assert_full_handshake(&pair);
    // ...and the new server's tickets work.
    let (pair, _, _) = w.connect();
    assert_resumed(&pair, "psk_dhe_ke", "stateless");
}

#[test]
fn evicted_session_is_refused() {
    let mut w = World::new(Arc::new(StatefulStrategy::in_memory(2)));
    w.connect(); // tickets A1 A2 in a store of 2
    let first = w.take_ticket();
    w.cache.lock().unwrap().insert(first.clone());
    // Another client fills the store, evicting A1 and A2.
    let other_cache = std::mem::replace(
        &mut w.cache,
        Arc::new(Mutex::new(ClientSessionCache::new(8))),
    );
    w.connect();
    w.cache = other_cache;
    let (pair, _, _) = w.connect();
    assert_full_handshake(&pair);
}

#[test]
fn ticket_for_another_server_name_is_refused() {
    let mut w = World::stateless();
    w.connect();
    w.alter_ticket(|t| t.server_name = "other.example".into());
    let (pair, _, server) = w.connect_to("other.example");
    assert_full_handshake(&pair);
    assert!(
        resumption_events(&server).contains(&ResumptionEvent::Rejected {
            strategy: "stateless",
            reason: "ticket was issued for another server name"
        })
    );
}

#[test]
fn wrong_binder_is_decrypt_error() {
    let mut w = World::stateful();
    w.connect();
    // The PSK the client thinks it has is not the ticket's: the binder it
    // computes cannot verify at the server.
    w.alter_ticket(|t| t.psk = minitls::key_schedule::Secret::from_bytes([0x55; 32]));
    let (mut pair, _, server) = w.connect();
    assert_eq!(pair.server.error(), Some(&Error::BadBinder));
    // Deliver the server's alert (drive stops at the first error).
    let _ = pair.server_to_client();
    assert_eq!(
        Error::BadBinder.alert(),
        Some(AlertDescription::DecryptError)
    );
    assert!(
        server
            .events()
            .contains(&RecordedEvent::AlertSent(AlertDescription::DecryptError))
    );
    assert_eq!(
        pair.client.error(),
        Some(&Error::AlertReceived(AlertDescription::DecryptError))
    );
}

#[test]
fn pre_shared_key_not_last_is_illegal_parameter() {
    let mut w = World::stateful();
    w.connect();
    let client = Connection::client(Arc::new(w.client_config()), "localhost").unwrap();
    let mut server = Connection::server(Arc::new(w.server_config()));
    let mut out = Vec::new();
    let mut client = client;
    client.transmit(&mut out);
    // Move the last extension (pre_shared_key) to the front.
    let record = &out[5..];
    let message = match minitls::messages::HandshakeMessage::decode(record).unwrap() {
        minitls::messages::HandshakeMessage::ClientHello(ch) => ch,
        other => panic!("{other:?}"),
    };
    let mut extensions = message.extensions.to_list();
    let psk = extensions.pop().unwrap();
    extensions.insert(0, psk);
    let bytes = minitls::messages::HandshakeMessage::ClientHello(message)
        .encode_with_extensions(&extensions)
        .unwrap();
    let mut wire = vec![22, 3, 1];
    wire.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    wire.extend_from_slice(&bytes);
    let err = server.receive(&wire).unwrap_err();
    assert_eq!(
        err,
        Error::IllegalParameter(IllegalParameter::PreSharedKeyNotLast)
    );
    assert_eq!(err.alert(), Some(AlertDescription::IllegalParameter));
}

#[test]
fn session_file_round_trip_resumes() {
    let mut w = World::stateless();
    w.connect();
    let ticket = w.take_ticket();
    let text = ticket.to_pem().unwrap();
    w.cache = Arc::new(Mutex::new(ClientSessionCache::new(8)));
    w.cache
        .lock()
        .unwrap()
        .insert(StoredTicket::from_pem(&text).unwrap());
    let (pair, _, _) = w.connect();
    assert_resumed(&pair, "psk_dhe_ke", "stateless");
}

#[test]
fn no_resumption_configured_means_no_tickets() {
    let mut w = World::stateless();
    let mut config = w.server_config();
    config.resumption = None;
    let client = Connection::client(Arc::new(w.client_config()), "localhost").unwrap();
    let mut pair = Pair::new(client, Connection::server(Arc::new(config)));
    pair.drive().unwrap();
    assert_eq!(w.tickets(), 0);
    let _ = NoObserver;
}

/// Run a resumption whose ServerHello is altered on its way to the client.
fn resumption_with_altered_server_hello(
    alter: impl FnOnce(&mut Vec<minitls::messages::Extension>),
) -> Error {
    use minitls::messages::HandshakeMessage;
    let mut w = World::stateful();
    w.connect();
    let client = Connection::client(Arc::new(w.client_config()), "localhost").unwrap();
    let server = Connection::server(Arc::new(w.server_config()));
    let mut pair = Pair::new(client, server);
    pair.client_to_server().unwrap();
    let mut flight = Vec::new();
    pair.server.transmit(&mut flight);
    // The first record is the ServerHello, in the clear.
    let len = u16::from_be_bytes([flight[3], flight[4]]) as usize;
    let HandshakeMessage::ServerHello(hello) =
        HandshakeMessage::decode(&flight[5..5 + len]).unwrap()
    else {
        panic!("first record is not a ServerHello");
    };
    // As wire-level extensions, which the test may alter in any way.
    let mut extensions = hello.extensions.to_list();
    alter(&mut extensions);
    let bytes = HandshakeMessage::ServerHello(hello)
        .encode_with_extensions(&extensions)
        .unwrap();
    let mut record = vec![22, 3, 3];
    record.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    record.extend_from_slice(&bytes);
    pair.client.receive(&record).unwrap_err()
}

#[test]
fn selected_identity_out_of_range_is_illegal_parameter() {
    use minitls::messages::Extension;
    // RFC 8446 §4.2.11: we offered one identity, index 0.
    let err = resumption_with_altered_server_hello(|extensions| {
        for e in extensions.iter_mut() {
            if let Extension::PreSharedKeyServer(selected) = e {
                *selected = 1;
            }
        }
    });
    assert_eq!(
        err,
        Error::IllegalParameter(IllegalParameter::SelectedIdentityNotOffered)
    );
    assert_eq!(err.alert(), Some(AlertDescription::IllegalParameter));
}

#[test]
fn psk_mode_we_did_not_offer_is_refused() {
    use minitls::messages::Extension;
    // We offered psk_dhe_ke only; a ServerHello accepting the PSK without a
    // key_share would be psk_ke (RFC 8446 §4.2.9).
    let err = resumption_with_altered_server_hello(|extensions| {
        extensions.retain(|e| !matches!(e, Extension::KeyShareServer(_)));
    });
    assert_eq!(
        err,
        Error::MissingExtension(MissingExtension::ServerHelloKeyShareForPsk)
    );
    assert_eq!(err.alert(), Some(AlertDescription::MissingExtension));
}

#[test]
fn no_tickets_for_a_client_that_cannot_use_them() {
    // RFC 8446 §4.2.9/§4.6.1: a client offering only psk_ke to a server
    // accepting only psk_dhe_ke (or no modes at all) gets no tickets.
    let mut w = World::stateless();
    w.client_modes = vec![PSK_KE];
    w.server_modes = vec![PSK_DHE_KE];
    let (pair, _, _) = w.connect();
    assert_full_handshake(&pair);
    assert_eq!(w.tickets(), 0);
    assert!(!pair.client_events.contains(&AppEvent::NewTicket));

    // Without a session cache the client sends no psk_key_exchange_modes.
    let mut w = World::stateless();
    let mut config = w.client_config();
    config.session_cache = None;
    let client = Connection::client(Arc::new(config), "localhost").unwrap();
    let mut pair = Pair::new(client, Connection::server(Arc::new(w.server_config())));
    pair.drive().unwrap();
    assert!(!pair.client_events.contains(&AppEvent::NewTicket));
}

// ---------------------------------------------------------------------------
// Hardening: what a peer controls in a session can never panic the server
// or the client, and a forged binder burns nothing.

/// A DNS name of exactly 253 bytes (four labels of 63, the DNS maximum).
fn longest_host_name() -> String {
    let label = |c: &str, n| c.repeat(n);
    [
        label("a", 63),
        label("b", 63),
        label("c", 63),
        label("d", 61),
    ]
    .join(".")
}

/// The genuine ClientHello of a fresh client of `w`, with its server_name
/// replaced by `name` (which the client itself would refuse to send).
fn client_hello_naming(w: &mut World, name: &str) -> Vec<u8> {
    use minitls::messages::HandshakeMessage;
    let mut client = Connection::client(Arc::new(w.client_config()), "localhost").unwrap();
    let mut out = Vec::new();
    client.transmit(&mut out);
    let HandshakeMessage::ClientHello(mut hello) = HandshakeMessage::decode(&out[5..]).unwrap()
    else {
        panic!("not a ClientHello");
    };
    if let Some(n) = &mut hello.extensions.server_name {
        *n = name.to_string();
    }
    let bytes = HandshakeMessage::ClientHello(hello).encode().unwrap();
    let mut wire = vec![22, 3, 1];
    wire.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    wire.extend_from_slice(&bytes);
    wire
}

#[test]
fn a_server_name_too_long_for_a_ticket_is_refused_not_a_panic() {
    // A 300-byte server_name once panicked the server when the session
    // was encoded for a ticket (a one-byte length). RFC 6066 §3 and the
    // DNS cap a host name at 253 bytes: it is refused in the ClientHello,
    // under both strategies, and the store holds nothing for it.
    // Five labels of 63 bytes: each label is fine, the name is not.
    let long = vec!["a".repeat(63); 5].join(".");
    assert_eq!(long.len(), 319);
    for mut w in [World::stateful(), World::stateless()] {
        let mut server = Connection::server(Arc::new(w.server_config()));
        let err = server
            .receive(&client_hello_naming(&mut w, &long))
            .unwrap_err();
        assert_eq!(
            err,
            Error::IllegalParameter(IllegalParameter::ServerNameNotHostName)
        );
        assert_eq!(err.alert(), Some(AlertDescription::IllegalParameter));
        assert_eq!(server.state_name(), "CLOSED");
        assert_eq!(w.strategy.bytes_held(), 0);
    }
    // And the client will not send one.
    let mut w = World::stateless();
    let refused = Connection::client(Arc::new(w.client_config()), &long);
    assert!(matches!(refused, Err(Error::Misuse(_))));
}

#[test]
fn the_longest_host_name_is_issued_a_ticket_and_resumes_under_both_strategies() {
    let name = longest_host_name();
    assert_eq!(name.len(), 253);
    for (mut w, strategy) in [
        (World::stateful(), "stateful"),
        (World::stateless(), "stateless"),
    ] {
        let mut rng = SeededRng::new(9);
        w.pki = DemoPki::generate(&mut rng, &[name.as_str()], FIXED_NOW.as_secs());
        let (pair, _, _) = w.connect_to(&name);
        assert_full_handshake(&pair);
        assert_eq!(
            pair.server.negotiated().server_name.as_deref(),
            Some(&*name)
        );
        let held = w.strategy.bytes_held();
        if strategy == "stateful" {
            // Two sessions, each an ID, the name and the rest: bounded.
            assert!(held > 2 * 253 && held <= 2 * BYTES_PER_SESSION, "{held}");
        }
        let (pair, _, _) = w.connect_to(&name);
        assert_resumed(&pair, "psk_dhe_ke", strategy);
    }
}

#[test]
fn a_forged_binder_on_a_copied_identity_does_not_burn_the_ticket() {
    // An attacker who copies a ticket off the wire cannot compute its
    // binder; the server looks the session up, finds the binder wrong and
    // aborts (decrypt_error) — and the genuine client still resumes with
    // it: the session is taken only after its binder verified.
    let mut w = World::stateful();
    w.connect();
    let genuine = w.take_ticket();
    let mut forged = genuine.clone();
    forged.psk = minitls::key_schedule::Secret::from_bytes([0x66; 32]);
    w.cache.lock().unwrap().insert(forged);
    let (pair, _, _) = w.connect();
    assert_eq!(pair.server.error(), Some(&Error::BadBinder));
    assert_eq!(pair.server.state_name(), "CLOSED");
    w.cache.lock().unwrap().insert(genuine);
    let (pair, _, _) = w.connect();
    assert_resumed(&pair, "psk_dhe_ke", "stateful");
}

#[test]
fn two_handshakes_racing_for_one_single_use_ticket_resume_once() {
    // Both look the session up and both binders verify; only the one
    // whose take removed it resumes, the other falls back to a full
    // handshake.
    let mut w = World::stateful();
    w.connect();
    let ticket = w.take_ticket();
    let mut hellos = Vec::new();
    for _ in 0..2 {
        w.cache.lock().unwrap().insert(ticket.clone());
        let mut client = Connection::client(Arc::new(w.client_config()), "localhost").unwrap();
        let mut out = Vec::new();
        client.transmit(&mut out);
        hellos.push((client, out));
    }
    let mut resumed = 0;
    for (client, hello) in hellos {
        let mut server = Connection::server(Arc::new(w.server_config()));
        server.receive(&hello).unwrap();
        let mut pair = Pair::new(client, server);
        pair.drive().unwrap();
        assert!(pair.server.is_connected());
        resumed += usize::from(pair.server.negotiated().resumed);
    }
    assert_eq!(resumed, 1);
}

/// A connected pair whose client receives, after the handshake, a
/// NewSessionTicket carrying `ticket` under the server's application key.
fn client_receives_ticket(w: &mut World, ticket: Vec<u8>) -> (Pair, Result<(), Error>) {
    use minitls::messages::{HandshakeMessage, NewSessionTicket};
    let mut config = w.server_config();
    config.resumption = None; // no genuine tickets: only ours
    let trace = Recorder::default();
    let client = Connection::client(Arc::new(w.client_config()), "localhost").unwrap();
    let server = Connection::server_with_observer(Arc::new(config), Box::new(trace.clone()));
    let mut pair = Pair::new(client, server);
    pair.drive().unwrap();
    let secret = trace
        .events()
        .into_iter()
        .find_map(|e| match e {
            RecordedEvent::SecretDerived(SecretLabel::ServerApplicationTraffic0, v) => {
                <[u8; 32]>::try_from(v).ok()
            }
            _ => None,
        })
        .unwrap();
    let message = HandshakeMessage::NewSessionTicket(NewSessionTicket {
        ticket_lifetime: 3600,
        ticket_age_add: 7,
        ticket_nonce: vec![0],
        ticket,
        extensions: minitls::messages::NewSessionTicketExtensions::default(),
    });
    // Under the server's application key from sequence number 0, split
    // into records of at most 2^14 bytes.
    let keys = TrafficSecret::from_bytes(secret).traffic_keys();
    let mut layer = RecordLayer {
        read: None,
        write: Some(RecordProtection::new(&keys)),
    };
    let mut bytes = Vec::new();
    layer
        .seal(
            ContentType::Handshake,
            &message.encode().unwrap(),
            &mut bytes,
        )
        .unwrap();
    let result = pair.client.receive(&bytes);
    (pair, result)
}

#[test]
fn a_65_kb_ticket_is_refused_and_the_next_connection_still_works() {
    // A 65,500-byte ticket once went into the cache and panicked the next
    // connection, whose ClientHello could not hold it. The client refuses
    // any ticket over MAX_TICKET_LEN when it arrives (decode_error) and
    // caches nothing.
    let mut w = World::stateless();
    let (pair, result) = client_receives_ticket(&mut w, vec![0x42; 65_500]);
    assert_eq!(result, Err(Error::decode("ticket")));
    assert_eq!(pair.client.state_name(), "CLOSED");
    assert_eq!(w.tickets(), 0);
    let (pair, _, _) = w.connect();
    assert_full_handshake(&pair);
}

#[test]
fn a_ticket_of_the_largest_accepted_size_is_offered_back_and_refused_cleanly() {
    // 16 KiB is accepted, cached and offered in the next ClientHello; the
    // server, which never issued it, falls back to a full handshake.
    let mut w = World::stateless();
    let (_pair, result) = client_receives_ticket(&mut w, vec![0x42; MAX_TICKET_LEN]);
    result.unwrap();
    assert_eq!(w.tickets(), 1);
    let (pair, _, server) = w.connect();
    assert_full_handshake(&pair);
    assert!(
        resumption_events(&server).contains(&ResumptionEvent::Rejected {
            strategy: "stateless",
            reason: Rejection::UnknownKey.reason(),
        })
    );
}

/// A session store whose first look-up waits until the test lets it go:
/// a stand-in for a networked store stuck on one slow request.
struct StuckFirstLookUp {
    inner: InMemoryStore,
    /// Taken by the first `get`: tell the test it is waiting, then wait.
    gate: Mutex<Option<(mpsc::Sender<()>, mpsc::Receiver<()>)>>,
}

impl SessionStore for StuckFirstLookUp {
    fn insert(&self, id: &[u8], session: &Session, now: UnixTime) -> bool {
        self.inner.insert(id, session, now)
    }
    fn get(&self, id: &[u8], now: UnixTime) -> Result<Session, Rejection> {
        let gate = self.gate.lock().unwrap().take();
        if let Some((entered, release)) = gate {
            entered.send(()).unwrap();
            // Bounded, so a broken test fails instead of hanging.
            let _ = release.recv_timeout(Duration::from_secs(20));
        }
        self.inner.get(id, now)
    }
    fn remove(&self, id: &[u8]) -> Result<(), Rejection> {
        self.inner.remove(id)
    }
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn bytes_held(&self) -> usize {
        self.inner.bytes_held()
    }
}

#[test]
fn a_store_stuck_on_one_look_up_does_not_hold_up_the_other_handshakes() {
    let (entered_tx, entered_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel();
    let store = StuckFirstLookUp {
        inner: InMemoryStore::new(16),
        gate: Mutex::new(Some((entered_tx, release_rx))),
    };
    let mut w = World::new(Arc::new(StatefulStrategy::new(Box::new(store))));
    // A full handshake leaves the client two tickets.
    w.connect();
    assert_eq!(w.tickets(), 2);

    // The first resumption gets stuck in the store's look-up...
    let (mut stuck, _, _) = w.pair_to("localhost");
    let stuck = std::thread::spawn(move || {
        let _ = stuck.drive();
        stuck
    });
    entered_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the first resumption reached the store");

    // ...and meanwhile the same server resumes another client's session
    // (the second ticket) and completes a full handshake: nothing holds a
    // lock around the strategy while one store call waits.
    let (mut other, _, _) = w.pair_to("localhost");
    let returning_client = std::mem::replace(
        &mut w.cache,
        Arc::new(Mutex::new(ClientSessionCache::new(8))),
    );
    let (mut fresh, _, _) = w.pair_to("localhost");
    w.cache = returning_client;
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = other.drive();
        let _ = fresh.drive();
        let _ = done_tx.send((other, fresh));
    });
    let finished = done_rx.recv_timeout(Duration::from_secs(20));
    release_tx.send(()).unwrap();
    let (other, fresh) = finished.expect("other handshakes finished while one look-up waited");
    assert_resumed(&other, "psk_dhe_ke", "stateful");
    assert_full_handshake(&fresh);
    assert_resumed(&stuck.join().unwrap(), "psk_dhe_ke", "stateful");
}

/// A Ticketer that notes, each time it issues a ticket, whether the
/// server's shared RNG was locked at that moment (it draws from it
/// through the `rng` it is given, as every strategy does).
struct WatchesTheRngLock {
    inner: Ticketer,
    server_rng: minitls::config::SharedRng,
    locked_while_issuing: Mutex<Vec<bool>>,
}

impl ResumptionStrategy for WatchesTheRngLock {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn issue(
        &self,
        session: &Session,
        rng: &mut dyn minitls::crypto::Rng,
        now: UnixTime,
    ) -> Option<Vec<u8>> {
        let locked = self.server_rng.try_lock().is_err();
        self.locked_while_issuing.lock().unwrap().push(locked);
        self.inner.issue(session, rng, now)
    }

    fn look_up(&self, identity: &[u8], now: UnixTime) -> Result<Session, Rejection> {
        self.inner.look_up(identity, now)
    }

    fn take(&self, identity: &[u8]) -> Result<(), Rejection> {
        self.inner.take(identity)
    }

    fn bytes_held(&self) -> usize {
        self.inner.bytes_held()
    }
}

#[test]
fn a_strategy_issues_tickets_without_holding_the_shared_rng() {
    // The seal (or a store's insert, or a Redis round trip) must not keep
    // every other connection of the server from drawing random bytes; the
    // strategy's own draws lock the RNG only while they draw.
    let mut w = World::stateless();
    let mut server_config = w.server_config();
    let strategy = Arc::new(WatchesTheRngLock {
        inner: Ticketer::new(3600),
        server_rng: server_config.rng.clone(),
        locked_while_issuing: Mutex::new(Vec::new()),
    });
    server_config.resumption = Some(strategy.clone());
    let client = Connection::client(Arc::new(w.client_config()), "localhost").unwrap();
    let server = Connection::server(Arc::new(server_config));
    let mut pair = Pair::new(client, server);
    pair.drive().unwrap();
    assert_eq!(w.tickets(), 2, "both tickets were issued and delivered");
    assert_eq!(
        *strategy.locked_while_issuing.lock().unwrap(),
        vec![false, false]
    );
}
