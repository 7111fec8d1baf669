//! Whole handshakes between minitls's own client and server, in memory.

use std::sync::Arc;

use minitls::testing::{Pair, SeededRng};
use minitls::trace::{NoObserver, RecordedEvent, Recorder};
use minitls::{AppEvent, Connection};

#[test]
fn full_handshake_then_data_both_ways() {
    let mut pair = Pair::deterministic(Box::new(NoObserver), Box::new(NoObserver));
    pair.drive().unwrap();
    assert!(pair.client.is_connected());
    assert!(pair.server.is_connected());
    assert_eq!(pair.client.state_name(), "CONNECTED");
    assert_eq!(pair.server.state_name(), "CONNECTED");
    assert!(pair.client_events.contains(&AppEvent::Connected));
    assert!(pair.server_events.contains(&AppEvent::Connected));

    pair.client.send(b"ping").unwrap();
    pair.drive().unwrap();
    assert_eq!(
        pair.server_events.last(),
        Some(&AppEvent::Data(b"ping".to_vec()))
    );
    pair.server.send(b"pong").unwrap();
    pair.drive().unwrap();
    assert_eq!(
        pair.client_events.last(),
        Some(&AppEvent::Data(b"pong".to_vec()))
    );

    let n = pair.client.negotiated();
    assert_eq!(n.cipher_suite, 0x1303);
    assert_eq!(n.group, Some(0x001d));
    assert_eq!(n.signature_scheme, Some(0x0807));
    assert_eq!(n.peer_subject.as_deref(), Some("CN=localhost"));
}

#[test]
fn deterministic_runs_are_byte_identical() {
    let run = || {
        let client = Recorder::default();
        let server = Recorder::default();
        let mut pair = Pair::deterministic(Box::new(client.clone()), Box::new(server.clone()));
        pair.drive().unwrap();
        (client.events(), server.events())
    };
    let a = run();
    let b = run();
    assert!(
        a.0.iter()
            .any(|e| matches!(e, RecordedEvent::RecordSent(..)))
    );
    assert_eq!(a, b);
}

#[test]
fn client_and_server_agree_on_every_traffic_secret() {
    let client = Recorder::default();
    let server = Recorder::default();
    let mut pair = Pair::deterministic(Box::new(client.clone()), Box::new(server.clone()));
    pair.drive().unwrap();
    let secrets = |events: Vec<RecordedEvent>| -> Vec<_> {
        events
            .into_iter()
            .filter_map(|e| match e {
                RecordedEvent::SecretDerived(label, value) => Some((label, value)),
                _ => None,
            })
            .collect()
    };
    let mut c = secrets(client.events());
    let mut s = secrets(server.events());
    c.sort_by_key(|(l, _)| format!("{l:?}"));
    s.sort_by_key(|(l, _)| format!("{l:?}"));
    assert_eq!(c.len(), 8, "{c:?}");
    assert_eq!(c, s);
}

#[test]
fn handshake_works_with_one_byte_chunks() {
    let mut pair = Pair::deterministic(Box::new(NoObserver), Box::new(NoObserver));
    for _ in 0..10 {
        let mut bytes = Vec::new();
        pair.client.transmit(&mut bytes);
        for b in &bytes {
            pair.server.receive(std::slice::from_ref(b)).unwrap();
        }
        let mut bytes = Vec::new();
        pair.server.transmit(&mut bytes);
        for b in &bytes {
            pair.client.receive(std::slice::from_ref(b)).unwrap();
        }
    }
    assert!(pair.client.is_connected() && pair.server.is_connected());
}

#[test]
fn different_seeds_give_different_bytes() {
    let pki = minitls::testing::demo_pki(1);
    let mut a = minitls::testing::client_config(&pki, 2);
    let b = minitls::testing::client_config(&pki, 2);
    a.rng = SeededRng::shared(99);
    let mut out_a = Vec::new();
    let mut out_b = Vec::new();
    Connection::client(std::sync::Arc::new(a), "localhost")
        .unwrap()
        .transmit(&mut out_a);
    Connection::client(std::sync::Arc::new(b), "localhost")
        .unwrap()
        .transmit(&mut out_b);
    assert_ne!(out_a, out_b);
}

#[test]
fn a_client_connecting_to_an_ip_address_sends_no_server_name() {
    // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in
    // HostName". The client sends no server_name; the certificate is
    // matched against its iPAddress entries (RFC 9525 §6.2).
    use minitls::messages::HandshakeMessage;
    use minitls::messages::extensions::extension_type::SERVER_NAME;
    use minitls::pki::issue::DemoPki;
    use minitls::testing::{FIXED_NOW, client_config, server_config};
    for address in ["127.0.0.1", "::1"] {
        let pki = DemoPki::generate(&mut SeededRng::new(4), &[address], FIXED_NOW.as_secs());
        let client = Connection::client(Arc::new(client_config(&pki, 5)), address).unwrap();
        let server = Connection::server(Arc::new(server_config(&pki, 6)));
        let mut pair = Pair::new(client, server);
        let mut hello = Vec::new();
        pair.client.transmit(&mut hello);
        let Ok(HandshakeMessage::ClientHello(ch)) = HandshakeMessage::decode(&hello[5..]) else {
            panic!("a ClientHello");
        };
        assert_eq!(ch.extensions.server_name, None, "{address}");
        assert!(
            !(ch.extensions.received.iter()).any(|e| e.extension_type == SERVER_NAME),
            "{address}"
        );
        pair.server.receive(&hello).unwrap();
        pair.drive().unwrap();
        assert!(pair.client.is_connected(), "{:?}", pair.client.error());
        assert_eq!(pair.server.negotiated().server_name, None);
    }
}

#[test]
fn a_full_handshake_is_one_round_trip_for_each_side() {
    // RFC 8446 §2: the client's first flight is answered by the server's,
    // and the client's Finished needs no answer. The change_cipher_spec the
    // client sends for middlebox compatibility (Appendix D.4) is no flight
    // of its own, though it goes out in a record of its own.
    let client = minitls::trace::Stats::default();
    let server = minitls::trace::Stats::default();
    let mut pair = Pair::deterministic(Box::new(client.clone()), Box::new(server.clone()));
    pair.drive().unwrap();
    assert!(pair.client.is_connected() && pair.server.is_connected());
    let (client, server) = (client.get(), server.get());
    assert_eq!(client.round_trips, 1, "{:?}", client.messages);
    assert_eq!(server.round_trips, 1, "{:?}", server.messages);
    // The record count is what used to be mistaken for a second trip:
    // ClientHello, change_cipher_spec, Finished.
    assert_eq!(client.records_sent, 3);
}
