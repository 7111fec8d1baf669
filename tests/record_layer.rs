//! Record-layer behaviour seen from outside: fragmentation and coalescing of
//! handshake messages (RFC 8446 §5.1), change_cipher_spec in middlebox
//! compatibility mode (Appendix D.4), and close_notify both ways (§6.1).

use minitls::testing::Pair;
use minitls::trace::{NoObserver, RecordedEvent, Recorder};
use minitls::{AlertDescription, AppEvent, Error};

/// Split a plaintext handshake record into one record per `chunk` bytes.
fn refragment(record: &[u8], chunk: usize) -> Vec<u8> {
    assert_eq!(record[0], 22, "a plaintext handshake record");
    let body = &record[5..];
    let mut out = Vec::new();
    for part in body.chunks(chunk) {
        out.extend_from_slice(&[22, 3, 3]);
        out.extend_from_slice(&(part.len() as u16).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

fn first_record(bytes: &[u8]) -> (&[u8], &[u8]) {
    let len = u16::from_be_bytes([bytes[3], bytes[4]]) as usize;
    bytes.split_at(5 + len)
}

#[test]
fn handshake_message_split_across_records_is_reassembled() {
    let mut pair = Pair::deterministic(Box::new(NoObserver), Box::new(NoObserver));
    // The ClientHello, cut into 7-byte records.
    let mut hello = Vec::new();
    pair.client.transmit(&mut hello);
    pair.server.receive(&refragment(&hello, 7)).unwrap();
    // The ServerHello (plaintext) likewise; the rest of the flight as sent.
    let mut flight = Vec::new();
    pair.server.transmit(&mut flight);
    let (server_hello, rest) = first_record(&flight);
    pair.client.receive(&refragment(server_hello, 3)).unwrap();
    pair.client.receive(rest).unwrap();
    pair.drive().unwrap();
    assert!(pair.client.is_connected() && pair.server.is_connected());
}

#[test]
fn several_messages_share_one_protected_record() {
    let server = Recorder::default();
    let mut pair = Pair::deterministic(Box::new(NoObserver), Box::new(server.clone()));
    pair.drive().unwrap();
    let events = server.events();
    let messages = events
        .iter()
        .filter(|e| matches!(e, RecordedEvent::MessageSent(..)))
        .count();
    let handshake_records = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                RecordedEvent::RecordSent(minitls::record::ContentType::Handshake, _, _)
            )
        })
        .count();
    // ServerHello alone in the clear, then EE..Finished coalesced.
    assert_eq!(messages, 5);
    assert_eq!(handshake_records, 2);
}

#[test]
fn compatibility_mode_sends_one_change_cipher_spec_each_way() {
    let client = Recorder::default();
    let server = Recorder::default();
    let mut pair = Pair::deterministic(Box::new(client.clone()), Box::new(server.clone()));
    pair.drive().unwrap();
    for events in [client.events(), server.events()] {
        let ccs: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                RecordedEvent::RecordSent(minitls::record::ContentType::ChangeCipherSpec, p, b) => {
                    Some((*p, b.clone()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(ccs, vec![(false, vec![20, 3, 3, 0, 1, 1])]);
    }
}

#[test]
fn close_notify_both_ways() {
    let mut pair = Pair::deterministic(Box::new(NoObserver), Box::new(NoObserver));
    pair.drive().unwrap();
    pair.client.close();
    pair.drive().unwrap();
    assert_eq!(pair.server_events.last(), Some(&AppEvent::PeerClosed));
    assert!(pair.server.peer_closed());
    // The server can still answer, then close its side.
    pair.server.send(b"bye").unwrap();
    pair.server.close();
    pair.drive().unwrap();
    assert_eq!(
        &pair.client_events[pair.client_events.len() - 2..],
        &[AppEvent::Data(b"bye".to_vec()), AppEvent::PeerClosed]
    );
    assert_eq!(
        pair.client.send(b"x"),
        Err(Error::Misuse("send after close"))
    );
}

#[test]
fn fatal_alert_from_peer_closes_without_answer() {
    let client = Recorder::default();
    let mut pair = Pair::deterministic(Box::new(client.clone()), Box::new(NoObserver));
    pair.client_to_server().unwrap();
    // A plaintext fatal handshake_failure alert, as a server would send.
    let err = pair.client.receive(&[21, 3, 3, 0, 2, 2, 40]).unwrap_err();
    assert_eq!(
        err,
        Error::AlertReceived(AlertDescription::HandshakeFailure)
    );
    assert!(
        !client
            .events()
            .iter()
            .any(|e| matches!(e, RecordedEvent::AlertSent(_)))
    );
    let mut out = Vec::new();
    assert_eq!(pair.client.transmit(&mut out), 0);
}
