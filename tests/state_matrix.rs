//! Every (state, message) pair that RFC 8446 Appendix A does not draw is
//! `unexpected_message` (DESIGN.md principle 4).
//!
//! The arrows come from `CLIENT_TRANSITIONS` and `SERVER_TRANSITIONS`, the
//! same tables the book draws its diagrams from. For each state that waits
//! for a message, a real pair is driven to it; then one syntactically
//! valid message of each kind the table does not allow there is delivered,
//! protected under the keys the receiver expects at that point, and the
//! receiver must fail with `UnexpectedMessage { state, got }` and send the
//! `unexpected_message` alert. Reaching each state also checks the table's
//! arrows against what the state machine actually does.

#[macro_use]
mod common;

use common::*;
use minitls::client::CLIENT_TRANSITIONS;
use minitls::config::ClientAuthMode;
use minitls::key_schedule::SecretLabel;
use minitls::messages::{
    CertificateRequest, CertificateRequestExtensions, ClientHello, ED25519, EncryptedExtensions,
    Finished, HandshakeMessage, HelloRetryRequest, HelloRetryRequestExtensions, KeyShareEntry,
    KeyUpdate, NewSessionTicket, NewSessionTicketExtensions, TLS_CHACHA20_POLY1305_SHA256, TLS12,
    TLS13, X25519,
};
use minitls::record::ContentType;
use minitls::resumption::store::StatefulStrategy;
use minitls::server::SERVER_TRANSITIONS;
use minitls::testing::{
    CLIENT_SEED, Pair, SERVER_SEED, client_auth, client_config, demo_client_certificate,
    server_config,
};
use minitls::trace::Recorder;
use minitls::{AlertDescription, Connection, Error};
use std::sync::Arc;

type Table = &'static [(&'static str, &'static str, &'static str)];

/// Wraps a handshake message into the record a connection expects next.
type Deliver = Box<dyn Fn(&HandshakeMessage) -> Vec<u8>>;

/// The messages `state` accepts, by the table.
fn allowed(table: Table, state: &str) -> Vec<&'static str> {
    table
        .iter()
        .filter(|(from, _, _)| *from == state)
        .map(|(_, message, _)| *message)
        .collect()
}

/// Where the table says `message` leads from `state`.
fn next(table: Table, state: &str, message: &str) -> &'static str {
    table
        .iter()
        .find(|(from, m, _)| *from == state && *m == message)
        .map(|(_, _, to)| *to)
        .unwrap_or_else(|| panic!("no arrow {state} --{message}-->"))
}

/// The states that wait for a message from the peer (arrows whose label
/// is a message, not a "(send ...)" action).
fn waiting_states(table: Table) -> Vec<&'static str> {
    let mut states: Vec<&str> = table
        .iter()
        .filter(|(_, message, _)| !message.starts_with('('))
        .map(|(from, _, _)| *from)
        .collect();
    states.dedup();
    states
}

/// A genuine ClientHello.
fn client_hello() -> ClientHello {
    let mut t = traced_pair();
    match HandshakeMessage::decode(&split_records(&take(&mut t.pair.client))[0].fragment) {
        Ok(HandshakeMessage::ClientHello(hello)) => hello,
        other => panic!("not a ClientHello: {other:?}"),
    }
}

/// One syntactically valid message of each kind in
/// `HandshakeMessage::kind_names()`, plus a type minitls never accepts
/// (message_hash).
fn sample_messages() -> Vec<HandshakeMessage> {
    let AfterServerFlight { flight, .. } = after_server_flight();
    let genuine = |bytes: &[u8]| HandshakeMessage::decode(bytes).expect("genuine message");
    let messages = vec![
        HandshakeMessage::ClientHello(client_hello()),
        genuine(&flight.server_hello.fragment),
        HandshakeMessage::HelloRetryRequest(HelloRetryRequest {
            legacy_version: TLS12,
            legacy_session_id_echo: vec![],
            cipher_suite: TLS_CHACHA20_POLY1305_SHA256,
            legacy_compression_method: 0,
            extensions: HelloRetryRequestExtensions {
                supported_versions: Some(TLS13),
                cookie: Some(vec![1, 2, 3]),
                ..HelloRetryRequestExtensions::default()
            },
        }),
        HandshakeMessage::EncryptedExtensions(EncryptedExtensions::default()),
        HandshakeMessage::CertificateRequest(CertificateRequest {
            certificate_request_context: vec![],
            extensions: CertificateRequestExtensions {
                signature_algorithms: Some(vec![ED25519]),
                ..CertificateRequestExtensions::default()
            },
        }),
        genuine(&flight.messages[1]),
        genuine(&flight.messages[2]),
        HandshakeMessage::Finished(Finished {
            verify_data: [0x11; 32],
        }),
        HandshakeMessage::NewSessionTicket(NewSessionTicket {
            ticket_lifetime: 3600,
            ticket_age_add: 7,
            ticket_nonce: vec![0],
            ticket: vec![1, 2, 3, 4],
            extensions: NewSessionTicketExtensions::default(),
        }),
        HandshakeMessage::KeyUpdate(KeyUpdate {
            update_requested: false,
        }),
        HandshakeMessage::EndOfEarlyData,
        HandshakeMessage::Other(254),
    ];
    // The samples must cover every kind the library names, and each must
    // survive its own encoding (up to the record of how its extensions
    // arrived, which decoding adds).
    let names: Vec<&str> = messages.iter().map(|m| m.name()).collect();
    for kind in HandshakeMessage::kind_names() {
        assert!(names.contains(kind), "no sample {kind}");
    }
    for m in &messages {
        let again = HandshakeMessage::decode(&m.encode().unwrap()).unwrap();
        assert_eq!(again.without_received(), m.clone().without_received());
    }
    messages
}

/// A connection waiting in some state, and how to deliver a message to it
/// under the keys it expects next.
struct AtState {
    conn: Connection,
    recorder: Recorder,
    deliver: Deliver,
}

fn clear(message: &HandshakeMessage) -> Vec<u8> {
    handshake_record(message)
}

/// Protected as the peer's `seq`-th record under `secret`.
fn sealed(secret: [u8; 32], seq: u64) -> Deliver {
    Box::new(move |m| seal(&secret, seq, ContentType::Handshake, &m.encode().unwrap()))
}

/// Drive a client to `state` with the genuine server flight, cut where
/// needed; check on the way that the table's arrows are the ones taken.
fn client_at(state: &str) -> AtState {
    let t = CLIENT_TRANSITIONS;
    if state == "WAIT_SH" {
        let recorder = Recorder::default();
        let mut conn = client_with(&pki(), &recorder);
        take(&mut conn);
        assert_eq!(conn.state_name(), next(t, "START", "(send ClientHello)"));
        return AtState {
            conn,
            recorder,
            deliver: Box::new(clear),
        };
    }
    let AfterServerFlight { mut traced, flight } = after_server_flight();
    let conn = &mut traced.pair.client;
    conn.receive(&flight.clear_part()).unwrap();
    assert_eq!(conn.state_name(), next(t, "WAIT_SH", "ServerHello"));
    let server_hs = flight.server_handshake_secret;
    let m = &flight.messages;
    let certificate_request = HandshakeMessage::CertificateRequest(CertificateRequest {
        certificate_request_context: vec![],
        extensions: CertificateRequestExtensions {
            signature_algorithms: Some(vec![ED25519]),
            ..CertificateRequestExtensions::default()
        },
    })
    .encode()
    .unwrap();
    // The messages that lead from WAIT_EE to `state`, with their names.
    let path: Vec<(&str, Vec<u8>)> = match state {
        "WAIT_EE" => vec![],
        "WAIT_CERT_CR" => vec![("EncryptedExtensions", m[0].clone())],
        "WAIT_CERT" => vec![
            ("EncryptedExtensions", m[0].clone()),
            ("CertificateRequest", certificate_request),
        ],
        "WAIT_CV" => vec![
            ("EncryptedExtensions", m[0].clone()),
            ("Certificate", m[1].clone()),
        ],
        "WAIT_FINISHED" => vec![
            ("EncryptedExtensions", m[0].clone()),
            ("Certificate", m[1].clone()),
            ("CertificateVerify", m[2].clone()),
        ],
        "CONNECTED" => vec![
            ("EncryptedExtensions", m[0].clone()),
            ("Certificate", m[1].clone()),
            ("CertificateVerify", m[2].clone()),
            ("Finished", m[3].clone()),
        ],
        other => panic!("no way to reach client state {other}"),
    };
    // One message per record, so the state can be checked after each.
    let mut expected = "WAIT_EE";
    for (seq, (name, message)) in path.iter().enumerate() {
        conn.receive(&seal(
            &server_hs,
            seq as u64,
            ContentType::Handshake,
            message,
        ))
        .unwrap_or_else(|e| panic!("{name} in {expected}: {e:?}"));
        expected = next(t, expected, name);
        assert_eq!(conn.state_name(), expected);
    }
    assert_eq!(conn.state_name(), state);
    let deliver = if state == "CONNECTED" {
        sealed(
            secret(&traced.client, SecretLabel::ServerApplicationTraffic0),
            0,
        )
    } else {
        sealed(server_hs, path.len() as u64)
    };
    AtState {
        conn: traced.pair.client,
        recorder: traced.client,
        deliver,
    }
}

/// Drive a server to `state`. `retry` reaches START a second time, after a
/// HelloRetryRequest.
fn server_at(state: &str, retry: bool) -> AtState {
    let t = SERVER_TRANSITIONS;
    match (state, retry) {
        ("START", false) => {
            let recorder = Recorder::default();
            let conn = server_with(&pki(), &recorder);
            AtState {
                conn,
                recorder,
                deliver: Box::new(clear),
            }
        }
        ("START", true) => {
            let recorder = Recorder::default();
            let mut conn = server_with(&pki(), &recorder);
            let mut hello = client_hello();
            hello.extensions.supported_groups = Some(vec![0x0017, X25519]);
            hello.extensions.key_share = Some(vec![KeyShareEntry {
                group: 0x0017,
                key_exchange: vec![4; 65],
            }]);
            conn.receive(&clear(&HandshakeMessage::ClientHello(hello)))
                .unwrap();
            assert_eq!(
                conn.state_name(),
                next(t, "RECVD_CH", "(send HelloRetryRequest)")
            );
            AtState {
                conn,
                recorder,
                deliver: Box::new(clear),
            }
        }
        ("WAIT_FINISHED", false) => {
            let mut traced = traced_pair();
            traced.pair.client_to_server().unwrap();
            let flight2 = next(t, "NEGOTIATED", "(send ServerHello ... Finished)");
            assert_eq!(
                traced.pair.server.state_name(),
                next(t, flight2, "(no client auth)")
            );
            let client_hs = secret(&traced.server, SecretLabel::ClientHandshakeTraffic);
            AtState {
                conn: traced.pair.server,
                recorder: traced.server,
                deliver: sealed(client_hs, 0),
            }
        }
        ("CONNECTED", false) => {
            let mut traced = traced_pair();
            traced.pair.drive().unwrap();
            assert_eq!(
                traced.pair.server.state_name(),
                next(t, "WAIT_FINISHED", "Finished")
            );
            let client_ap = secret(&traced.server, SecretLabel::ClientApplicationTraffic0);
            AtState {
                conn: traced.pair.server,
                recorder: traced.server,
                deliver: sealed(client_ap, 0),
            }
        }
        ("WAIT_CERT", false) | ("WAIT_CV", false) => server_asking_for_a_certificate(state),
        ("WAIT_EOED", false) => server_reading_early_data(),
        other => panic!("no way to reach server state {other:?}"),
    }
}

/// A server that sent a CertificateRequest, driven to WAIT_CERT, or on to
/// WAIT_CV with the client's genuine Certificate.
fn server_asking_for_a_certificate(state: &str) -> AtState {
    let t = SERVER_TRANSITIONS;
    let pki = pki();
    let (client_trace, server_trace) = (Recorder::default(), Recorder::default());
    let mut client_config = client_config(&pki, CLIENT_SEED);
    client_config.client_certificate = Some(demo_client_certificate(&pki));
    let mut server_config = server_config(&pki, SERVER_SEED);
    server_config.client_auth = Some(client_auth(&pki, ClientAuthMode::Required));
    let client = Connection::client_with_observer(
        Arc::new(client_config),
        "localhost",
        Box::new(client_trace.clone()),
    )
    .unwrap();
    let server =
        Connection::server_with_observer(Arc::new(server_config), Box::new(server_trace.clone()));
    let mut pair = Pair::new(client, server);
    pair.client_to_server().unwrap();
    let flight2 = next(t, "NEGOTIATED", "(send ServerHello ... Finished)");
    assert_eq!(pair.server.state_name(), next(t, flight2, "(client auth)"));
    let client_hs = secret(&server_trace, SecretLabel::ClientHandshakeTraffic);
    if state == "WAIT_CERT" {
        return AtState {
            conn: pair.server,
            recorder: server_trace,
            deliver: sealed(client_hs, 0),
        };
    }
    // The client's Certificate, from its second flight.
    pair.server_to_client().unwrap();
    let protected = split_records(&take(&mut pair.client))
        .into_iter()
        .find(|r| r.content_type != CHANGE_CIPHER_SPEC)
        .expect("a protected record");
    let (_, plaintext) = open(&client_hs, 0, &protected);
    let certificate = split_messages(&plaintext).remove(0);
    pair.server
        .receive(&seal(&client_hs, 0, ContentType::Handshake, &certificate))
        .unwrap();
    assert_eq!(
        pair.server.state_name(),
        next(t, "WAIT_CERT", "Certificate")
    );
    AtState {
        conn: pair.server,
        recorder: server_trace,
        deliver: sealed(client_hs, 1),
    }
}

/// A server that accepted a client's 0-RTT data (RFC 8446 §4.2.10) and
/// read its one early-data record: in WAIT_EOED, reading with the early keys.
fn server_reading_early_data() -> AtState {
    let t = SERVER_TRANSITIONS;
    let pki = pki();
    let mut server_config = server_config(&pki, SERVER_SEED);
    server_config.resumption = Some(Arc::new(StatefulStrategy::in_memory(4)));
    server_config.max_early_data_size = 1024;
    let server_config = Arc::new(server_config);
    let client_config = Arc::new(client_config(&pki, CLIENT_SEED));
    // A first handshake for a ticket that allows early data.
    let mut first = Pair::new(
        Connection::client(client_config.clone(), "localhost").unwrap(),
        Connection::server(server_config.clone()),
    );
    first.drive().unwrap();
    let (client_trace, server_trace) = (Recorder::default(), Recorder::default());
    let client = Connection::client_with_early_data(
        client_config,
        "localhost",
        b"early",
        Box::new(client_trace.clone()),
    )
    .unwrap();
    let server = Connection::server_with_observer(server_config, Box::new(server_trace.clone()));
    let mut pair = Pair::new(client, server);
    pair.client_to_server().unwrap();
    assert_eq!(
        pair.server.state_name(),
        next(t, "NEGOTIATED", "(send ServerHello ... Finished; 0-RTT)")
    );
    let client_early = secret(&client_trace, SecretLabel::ClientEarlyTraffic);
    AtState {
        conn: pair.server,
        recorder: server_trace,
        deliver: sealed(client_early, 1),
    }
}

/// Deliver every sample not allowed in `state`; each must be refused with
/// exactly `UnexpectedMessage { state, got }`. Returns how many were tried.
fn refuse_all(table: Table, state: &'static str, reach: impl Fn() -> AtState) -> usize {
    let allowed = allowed(table, state);
    let mut tried = 0;
    for message in sample_messages() {
        if allowed.contains(&message.name()) {
            continue;
        }
        let AtState {
            mut conn,
            recorder,
            deliver,
        } = reach();
        let result = conn.receive(&deliver(&message));
        let err = assert_failure!(
            conn,
            recorder,
            result,
            Error::UnexpectedMessage { .. },
            AlertDescription::UnexpectedMessage
        );
        // A type the state has no arrow for is refused from the message's
        // header, before decoding, so a HelloRetryRequest is known there
        // only by its type: a ServerHello. WAIT_SH decodes it first.
        let got = match message.name() {
            "HelloRetryRequest" if state != "WAIT_SH" => "ServerHello",
            name => name,
        };
        assert_eq!(
            err,
            Error::UnexpectedMessage { state, got },
            "{} in {state}",
            message.name()
        );
        tried += 1;
    }
    tried
}

#[test]
fn tables_name_the_rfc_states() {
    assert_eq!(
        waiting_states(CLIENT_TRANSITIONS),
        [
            "WAIT_SH",
            "WAIT_EE",
            "WAIT_CERT_CR",
            "WAIT_CERT",
            "WAIT_CV",
            "WAIT_FINISHED",
            "CONNECTED"
        ]
    );
    assert_eq!(
        waiting_states(SERVER_TRANSITIONS),
        [
            "START",
            "WAIT_EOED",
            "WAIT_CERT",
            "WAIT_CV",
            "WAIT_FINISHED",
            "CONNECTED"
        ]
    );
    // Every message named in a table is a kind the codec knows.
    for (_, message, _) in CLIENT_TRANSITIONS.iter().chain(SERVER_TRANSITIONS) {
        assert!(
            message.starts_with('(') || HandshakeMessage::kind_names().contains(message),
            "{message}"
        );
    }
}

#[test]
fn client_wait_sh_refuses_all_but_server_hello_and_hrr() {
    assert_eq!(
        refuse_all(CLIENT_TRANSITIONS, "WAIT_SH", || client_at("WAIT_SH")),
        10
    );
}

#[test]
fn client_wait_ee_refuses_all_but_encrypted_extensions() {
    assert_eq!(
        refuse_all(CLIENT_TRANSITIONS, "WAIT_EE", || client_at("WAIT_EE")),
        11
    );
}

#[test]
fn client_wait_cert_cr_refuses_all_but_certificate_and_request() {
    let n = refuse_all(CLIENT_TRANSITIONS, "WAIT_CERT_CR", || {
        client_at("WAIT_CERT_CR")
    });
    assert_eq!(n, 10);
}

#[test]
fn client_wait_cert_refuses_all_but_certificate() {
    assert_eq!(
        refuse_all(CLIENT_TRANSITIONS, "WAIT_CERT", || client_at("WAIT_CERT")),
        11
    );
}

#[test]
fn client_wait_cv_refuses_all_but_certificate_verify() {
    assert_eq!(
        refuse_all(CLIENT_TRANSITIONS, "WAIT_CV", || client_at("WAIT_CV")),
        11
    );
}

#[test]
fn client_wait_finished_refuses_all_but_finished() {
    let n = refuse_all(CLIENT_TRANSITIONS, "WAIT_FINISHED", || {
        client_at("WAIT_FINISHED")
    });
    assert_eq!(n, 11);
}

#[test]
fn client_connected_refuses_all_but_ticket_and_key_update() {
    let n = refuse_all(CLIENT_TRANSITIONS, "CONNECTED", || client_at("CONNECTED"));
    assert_eq!(n, 10);
}

#[test]
fn server_start_refuses_all_but_client_hello() {
    let n = refuse_all(SERVER_TRANSITIONS, "START", || server_at("START", false));
    assert_eq!(n, 11);
}

#[test]
fn server_start_after_hello_retry_request_refuses_all_but_client_hello() {
    let n = refuse_all(SERVER_TRANSITIONS, "START", || server_at("START", true));
    assert_eq!(n, 11);
}

#[test]
fn server_wait_eoed_refuses_all_but_end_of_early_data() {
    let n = refuse_all(SERVER_TRANSITIONS, "WAIT_EOED", || {
        server_at("WAIT_EOED", false)
    });
    assert_eq!(n, 11);
}

#[test]
fn server_wait_cert_refuses_all_but_certificate() {
    let n = refuse_all(SERVER_TRANSITIONS, "WAIT_CERT", || {
        server_at("WAIT_CERT", false)
    });
    assert_eq!(n, 11);
}

#[test]
fn server_wait_cv_refuses_all_but_certificate_verify() {
    let n = refuse_all(SERVER_TRANSITIONS, "WAIT_CV", || {
        server_at("WAIT_CV", false)
    });
    assert_eq!(n, 11);
}

#[test]
fn server_wait_finished_refuses_all_but_finished() {
    let n = refuse_all(SERVER_TRANSITIONS, "WAIT_FINISHED", || {
        server_at("WAIT_FINISHED", false)
    });
    assert_eq!(n, 11);
}

#[test]
fn server_connected_refuses_all_but_key_update() {
    let n = refuse_all(SERVER_TRANSITIONS, "CONNECTED", || {
        server_at("CONNECTED", false)
    });
    assert_eq!(n, 11);
}

#[test]
fn allowed_messages_are_accepted_where_the_table_says() {
    // The other half of the matrix, for the arrows the pair does not take
    // on its own: a KeyUpdate and a NewSessionTicket once connected.
    let key_update = HandshakeMessage::KeyUpdate(KeyUpdate {
        update_requested: true,
    });
    let mut at = client_at("CONNECTED");
    at.conn.receive(&(at.deliver)(&key_update)).unwrap();
    assert_eq!(
        at.conn.state_name(),
        next(CLIENT_TRANSITIONS, "CONNECTED", "KeyUpdate")
    );
    let mut at = server_at("CONNECTED", false);
    at.conn.receive(&(at.deliver)(&key_update)).unwrap();
    assert_eq!(
        at.conn.state_name(),
        next(SERVER_TRANSITIONS, "CONNECTED", "KeyUpdate")
    );
    // The server answered with its own KeyUpdate.
    assert!(!take(&mut at.conn).is_empty());

    let ticket = HandshakeMessage::NewSessionTicket(NewSessionTicket {
        ticket_lifetime: 60,
        ticket_age_add: 0,
        ticket_nonce: vec![],
        ticket: vec![9],
        extensions: NewSessionTicketExtensions::default(),
    });
    let mut at = client_at("CONNECTED");
    at.conn.receive(&(at.deliver)(&ticket)).unwrap();
    assert_eq!(
        at.conn.state_name(),
        next(CLIENT_TRANSITIONS, "CONNECTED", "NewSessionTicket")
    );
    assert_eq!(at.conn.poll_event(), Some(minitls::AppEvent::Connected));
    assert_eq!(at.conn.poll_event(), Some(minitls::AppEvent::NewTicket));

    // EndOfEarlyData ends WAIT_EOED; WAIT_FLIGHT2 moves on by itself.
    let mut at = server_at("WAIT_EOED", false);
    at.conn
        .receive(&(at.deliver)(&HandshakeMessage::EndOfEarlyData))
        .unwrap();
    let flight2 = next(SERVER_TRANSITIONS, "WAIT_EOED", "EndOfEarlyData");
    assert_eq!(
        at.conn.state_name(),
        next(SERVER_TRANSITIONS, flight2, "(no client auth)")
    );
}
