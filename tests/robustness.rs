//! Bad input is an alert, never a panic (DESIGN.md principle 8).
//!
//! Thousands of random and mutated records are fed to a client and a
//! server in each state a handshake passes through. Errors are expected;
//! what is checked is that nothing panics and that every failure is clean:
//! an error that names an alert (unless the peer sent one), that alert
//! reported once and sent last, the error kept by the connection, and the
//! same error from every later call.
//!
//! The second half holds the codec properties of Go's tests: every message
//! a handshake produces decodes and re-encodes to the same bytes, every
//! strict prefix of an encoding is refused, and random bytes never make the
//! decoder panic.

#[macro_use]
mod common;

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use common::*;
use minitls::key_schedule::SecretLabel;
use minitls::messages::extensions::is_known;
use minitls::messages::{
    CertificateRequest, CertificateRequestExtensions, ED25519, HandshakeMessage, KeyShareEntry,
    KeyUpdate, NewSessionTicket, NewSessionTicketExtensions, X25519,
};
use minitls::pki::issue::DemoPki;
use minitls::record::ContentType;
use minitls::trace::{RecordedEvent, Recorder};
use minitls::{Connection, Error};
use proptest::prelude::*;

/// xorshift64*: a small, seedable generator, so a failing case can be
/// replayed from the seed printed with it.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }
}

/// One deterministic handshake, recorded once: the flights every fresh
/// connection of `Pair::deterministic`'s seeds will send and expect.
struct Script {
    pki: DemoPki,
    client_hello: Vec<u8>,
    server_flight: ServerFlight,
    server_flight_bytes: Vec<u8>,
    /// change_cipher_spec + protected Finished.
    client_flight: Vec<u8>,
    client_handshake_secret: [u8; 32],
    client_app_secret: [u8; 32],
    server_app_secret: [u8; 32],
    /// One application_data record each way.
    client_data: Vec<u8>,
    server_data: Vec<u8>,
}

impl Script {
    fn record() -> Script {
        let mut t = traced_pair();
        let client_hello = take(&mut t.pair.client);
        t.pair.server.receive(&client_hello).unwrap();
        let server_flight_bytes = take(&mut t.pair.server);
        let server_flight = ServerFlight::take_apart(&server_flight_bytes, &t.server);
        t.pair.client.receive(&server_flight_bytes).unwrap();
        let client_flight = take(&mut t.pair.client);
        t.pair.server.receive(&client_flight).unwrap();
        assert!(t.pair.client.is_connected() && t.pair.server.is_connected());
        t.pair.client.send(b"hello from the client").unwrap();
        t.pair.server.send(b"hello from the server").unwrap();
        Script {
            pki: pki(),
            client_hello,
            server_flight,
            server_flight_bytes,
            client_flight,
            client_handshake_secret: secret(&t.client, SecretLabel::ClientHandshakeTraffic),
            client_app_secret: secret(&t.client, SecretLabel::ClientApplicationTraffic0),
            server_app_secret: secret(&t.client, SecretLabel::ServerApplicationTraffic0),
            client_data: take(&mut t.pair.client),
            server_data: take(&mut t.pair.server),
        }
    }
}

/// Where a fuzzed connection stands, and what it would genuinely receive next.
#[derive(Clone, Copy, Debug)]
enum Point {
    ClientWaitSh,
    ClientWaitShServerHelloOnly,
    ClientWaitEe,
    ClientConnected,
    ServerStart,
    ServerWaitFinished,
    ServerConnected,
}

const POINTS: [Point; 7] = [
    Point::ClientWaitSh,
    Point::ClientWaitShServerHelloOnly,
    Point::ClientWaitEe,
    Point::ClientConnected,
    Point::ServerStart,
    Point::ServerWaitFinished,
    Point::ServerConnected,
];

impl Point {
    /// A fresh connection at this point, its recorder, the genuine next
    /// input, and the secret (if any) the connection reads its next record
    /// under, with that record's sequence number 0.
    fn reach(self, s: &Script) -> (Connection, Recorder, Vec<u8>, Option<[u8; 32]>) {
        let recorder = Recorder::default();
        let flight = &s.server_flight;
        let (mut conn, prefix, next, key) = match self {
            Point::ClientWaitSh => (
                client_with(&s.pki, &recorder),
                vec![],
                s.server_flight_bytes.clone(),
                None,
            ),
            Point::ClientWaitShServerHelloOnly => (
                client_with(&s.pki, &recorder),
                vec![],
                flight.server_hello.encode(),
                None,
            ),
            Point::ClientWaitEe => (
                client_with(&s.pki, &recorder),
                flight.clear_part(),
                flight.protected.encode(),
                Some(flight.server_handshake_secret),
            ),
            Point::ClientConnected => (
                client_with(&s.pki, &recorder),
                s.server_flight_bytes.clone(),
                s.server_data.clone(),
                Some(s.server_app_secret),
            ),
            Point::ServerStart => (
                server_with(&s.pki, &recorder),
                vec![],
                s.client_hello.clone(),
                None,
            ),
            Point::ServerWaitFinished => (
                server_with(&s.pki, &recorder),
                s.client_hello.clone(),
                s.client_flight.clone(),
                Some(s.client_handshake_secret),
            ),
            Point::ServerConnected => (
                server_with(&s.pki, &recorder),
                [s.client_hello.clone(), s.client_flight.clone()].concat(),
                s.client_data.clone(),
                Some(s.client_app_secret),
            ),
        };
        conn.receive(&prefix)
            .expect("the genuine prefix is accepted");
        take(&mut conn);
        (conn, recorder, next, key)
    }
}

/// One input to try, built from the generator.
fn make_input(
    rng: &mut XorShift,
    s: &Script,
    next: &[u8],
    key: Option<[u8; 32]>,
    point: Point,
) -> Vec<u8> {
    match rng.below(6) {
        // (a) Random bytes.
        0 => {
            let n = rng.below(120);
            rng.bytes(n)
        }
        // (b) Records with plausible headers and random bodies, of each
        // content type (and sometimes an unknown one).
        1 => {
            let mut out = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let content_type = match rng.below(9) {
                    0 => rng.byte(),
                    k => [20, 21, 22, 23][k % 4],
                };
                let n = match rng.below(4) {
                    0 => rng.below(4),
                    _ => rng.below(300),
                };
                let body = rng.bytes(n);
                let mut record = plain_record(content_type, &body);
                if rng.below(8) == 0 {
                    record[1] = rng.byte();
                    record[2] = rng.byte();
                }
                out.extend(record);
            }
            out
        }
        // (c) The genuine next input with 1-3 mutations.
        2 | 3 => mutate(rng, next),
        // (d) Correctly protected (when keys exist) records whose content
        // is random or a mutation of the genuine content: this reaches the
        // message decoders and the state machine behind the AEAD.
        _ => {
            let content = inner_content(rng, s, point);
            let content_type = match rng.below(8) {
                0 => ContentType::Alert,
                1 => ContentType::ApplicationData,
                2 => ContentType::ChangeCipherSpec,
                _ => ContentType::Handshake,
            };
            match key {
                Some(secret) => seal(&secret, 0, content_type, &content),
                None => plain_record(content_type.to_u8(), &content),
            }
        }
    }
}

/// The genuine plaintext content the connection would see next, mutated,
/// or random handshake-shaped bytes.
fn inner_content(rng: &mut XorShift, s: &Script, point: Point) -> Vec<u8> {
    let genuine: Vec<u8> = match point {
        Point::ClientWaitSh | Point::ClientWaitShServerHelloOnly => {
            s.server_flight.server_hello.fragment.clone()
        }
        Point::ClientWaitEe => s.server_flight.messages.concat(),
        Point::ServerStart => split_records(&s.client_hello)[0].fragment.clone(),
        Point::ServerWaitFinished => {
            let records = split_records(&s.client_flight);
            open(&s.client_handshake_secret, 0, &records[1]).1
        }
        Point::ClientConnected | Point::ServerConnected => {
            let m = [
                HandshakeMessage::KeyUpdate(KeyUpdate {
                    update_requested: true,
                }),
                HandshakeMessage::NewSessionTicket(NewSessionTicket {
                    ticket_lifetime: 1,
                    ticket_age_add: 2,
                    ticket_nonce: vec![3],
                    ticket: vec![4; 8],
                    extensions: NewSessionTicketExtensions::default(),
                }),
            ];
            m[rng.below(2)].encode().unwrap()
        }
    };
    match rng.below(4) {
        0 => {
            // A handshake header of a random type around random bytes.
            let n = rng.below(200);
            let mut out = vec![rng.byte(), 0, (n >> 8) as u8, n as u8];
            out.extend(rng.bytes(n));
            out
        }
        _ => mutate(rng, &genuine),
    }
}

/// 1-3 of: flip a bit, set a byte, insert a byte, delete a byte, truncate.
fn mutate(rng: &mut XorShift, genuine: &[u8]) -> Vec<u8> {
    let mut out = genuine.to_vec();
    for _ in 0..1 + rng.below(3) {
        if out.is_empty() {
            out.push(rng.byte());
            continue;
        }
        let at = rng.below(out.len());
        match rng.below(5) {
            0 => out[at] ^= 1 << rng.below(8),
            1 => out[at] = rng.byte(),
            2 => out.insert(at, rng.byte()),
            3 => {
                out.remove(at);
            }
            _ => out.truncate(at),
        }
    }
    out
}

/// Deliver `input` in 1-3 chunks; check the outcome. Returns whether the
/// connection failed.
fn deliver_and_check(
    conn: &mut Connection,
    recorder: &Recorder,
    input: &[u8],
    rng: &mut XorShift,
) -> bool {
    let mut chunks = vec![];
    let mut rest = input;
    for _ in 0..rng.below(3) {
        let at = rng.below(rest.len() + 1);
        chunks.push(&rest[..at]);
        rest = &rest[at..];
    }
    chunks.push(rest);
    for chunk in chunks {
        if let Err(err) = conn.receive(chunk) {
            check_clean_failure(conn, recorder, &err);
            return true;
        }
    }
    assert_eq!(conn.error(), None, "Ok from receive, but an error is kept");
    // A connection that survived may have something to say (a KeyUpdate,
    // its Finished); it must still not have sent an alert.
    take(conn);
    assert!(
        !recorder
            .events()
            .iter()
            .any(|e| matches!(e, RecordedEvent::AlertSent(a) if a.to_u8() != 0)),
        "an alert was sent but receive returned Ok"
    );
    false
}

fn check_clean_failure(conn: &mut Connection, recorder: &Recorder, err: &Error) {
    assert!(
        !matches!(err, Error::Internal(_) | Error::Misuse(_)),
        "receive failed with {err:?}"
    );
    match err {
        Error::AlertReceived(_) => {
            assert_eq!(err.alert(), None);
            assert_eq!(conn.error(), Some(err));
            assert!(
                !recorder
                    .events()
                    .iter()
                    .any(|e| matches!(e, RecordedEvent::AlertSent(_))),
                "an alert answered an alert"
            );
            check_sticky(conn, err);
        }
        _ => {
            let alert = err
                .alert()
                .unwrap_or_else(|| panic!("{err:?} has no alert"));
            check_failed(conn, recorder, err, alert);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `cases` inputs at each point; returns (cases, failures) for the report.
fn fuzz(seed: u64, cases: usize) -> (usize, usize) {
    let script = Script::record();
    let mut total = 0;
    let mut failed = 0;
    for (p, point) in POINTS.iter().enumerate() {
        for case in 0..cases {
            let case_seed = seed ^ ((p as u64) << 32) ^ (case as u64).wrapping_mul(0x9e37_79b9);
            let mut rng = XorShift(case_seed | 1);
            let (mut conn, recorder, next, key) = point.reach(&script);
            let input = make_input(&mut rng, &script, &next, key, *point);
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                deliver_and_check(&mut conn, &recorder, &input, &mut rng)
            }));
            match outcome {
                Ok(f) => failed += f as usize,
                Err(panic) => {
                    eprintln!(
                        "robustness: panic at {point:?}, case seed {case_seed:#x}, input {}",
                        hex(&input)
                    );
                    resume_unwind(panic);
                }
            }
            total += 1;
        }
    }
    (total, failed)
}

#[test]
fn random_and_mutated_input_in_every_state_fails_cleanly() {
    let (total, failed) = fuzz(0x6d69_6e69_746c_7321, 2000);
    eprintln!("robustness: {total} inputs, {failed} refused");
    // Most inputs are refused; the rest are legitimately pending (a
    // truncated record waits for its end) or harmless (a close_notify, a
    // dropped change_cipher_spec). A fuzzer that refuses little is not
    // reaching the decoders.
    assert!(failed * 2 > total, "only {failed} of {total} refused");
}

#[test]
fn genuine_inputs_pass_the_same_checks() {
    // The harness itself: the unmutated next input is accepted everywhere.
    let script = Script::record();
    for point in POINTS {
        let (mut conn, recorder, next, _) = point.reach(&script);
        let failed = deliver_and_check(&mut conn, &recorder, &next, &mut XorShift(1));
        assert!(!failed, "{point:?}: {:?}", conn.error());
    }
}

#[test]
fn every_bit_flip_of_the_server_flight_fails_cleanly_at_the_client() {
    // Exhaustive over positions: the ServerHello, the change_cipher_spec and
    // the protected flight. A flip inside any record's body must fail (the
    // transcript or the AEAD covers every byte); a flip in a header may
    // only leave the client waiting for more bytes (a longer length) or be
    // ignored (legacy_record_version, RFC 8446 §5.1).
    let script = Script::record();
    let flight = &script.server_flight_bytes;
    let mut header_bytes = Vec::new();
    let mut at = 0;
    for record in split_records(flight) {
        header_bytes.extend(at..at + 5);
        at += 5 + record.fragment.len();
    }
    for at in 0..flight.len() {
        let mut input = flight.clone();
        input[at] ^= 0x04;
        let (mut conn, recorder, _, _) = Point::ClientWaitSh.reach(&script);
        let result = catch_unwind(AssertUnwindSafe(|| {
            deliver_and_check(&mut conn, &recorder, &input, &mut XorShift(1))
        }));
        match result {
            Ok(failed) => assert!(
                failed || header_bytes.contains(&at),
                "flipping byte {at} of the server flight went unnoticed"
            ),
            Err(panic) => {
                eprintln!("panic flipping byte {at} of the server flight");
                resume_unwind(panic);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Codec properties (Go's three codec tests).

/// Every handshake message a pair produces, as sent, plus the kinds a
/// plain handshake does not send (HelloRetryRequest from a server,
/// KeyUpdate from both sides after an update is requested).
fn produced_messages() -> Vec<(&'static str, Vec<u8>)> {
    let sent = |recorder: &Recorder| -> Vec<(&'static str, Vec<u8>)> {
        recorder
            .events()
            .into_iter()
            .filter_map(|e| match e {
                RecordedEvent::MessageSent(name, bytes) => Some((name, bytes)),
                _ => None,
            })
            .collect()
    };
    let mut t = traced_pair();
    t.pair.drive().unwrap();
    // A KeyUpdate each way, both requesting an answer.
    let update = HandshakeMessage::KeyUpdate(KeyUpdate {
        update_requested: true,
    });
    let client_ap = secret(&t.client, SecretLabel::ClientApplicationTraffic0);
    let server_ap = secret(&t.client, SecretLabel::ServerApplicationTraffic0);
    t.pair
        .server
        .receive(&seal(
            &client_ap,
            0,
            ContentType::Handshake,
            &update.encode().unwrap(),
        ))
        .unwrap();
    t.pair
        .client
        .receive(&seal(
            &server_ap,
            0,
            ContentType::Handshake,
            &update.encode().unwrap(),
        ))
        .unwrap();
    let mut messages = sent(&t.client);
    messages.extend(sent(&t.server));

    // A HelloRetryRequest: a ClientHello with no x25519 share.
    let recorder = Recorder::default();
    let mut server = server_with(&pki(), &recorder);
    let records = split_records(&take(&mut traced_pair().pair.client));
    let HandshakeMessage::ClientHello(mut hello) =
        HandshakeMessage::decode(&records[0].fragment).unwrap()
    else {
        panic!("a ClientHello")
    };
    hello.extensions.supported_groups = Some(vec![0x0017, X25519]);
    hello.extensions.key_share = Some(vec![KeyShareEntry {
        group: 0x0017,
        key_exchange: vec![4; 65],
    }]);
    server
        .receive(&handshake_record(&HandshakeMessage::ClientHello(hello)))
        .unwrap();
    messages.extend(sent(&recorder));

    // Kinds no minitls endpoint sends yet.
    for m in [
        HandshakeMessage::CertificateRequest(CertificateRequest {
            certificate_request_context: vec![7],
            extensions: CertificateRequestExtensions {
                signature_algorithms: Some(vec![ED25519]),
                ..CertificateRequestExtensions::default()
            },
        }),
        HandshakeMessage::NewSessionTicket(NewSessionTicket {
            ticket_lifetime: 7200,
            ticket_age_add: 0xdead_beef,
            ticket_nonce: vec![0, 1],
            ticket: vec![5; 40],
            extensions: NewSessionTicketExtensions {
                max_early_data_size: Some(16_384),
                ..NewSessionTicketExtensions::default()
            },
        }),
        HandshakeMessage::EndOfEarlyData,
    ] {
        messages.push((m.name(), m.encode().unwrap()));
    }

    let names: Vec<&str> = messages.iter().map(|(n, _)| *n).collect();
    for kind in HandshakeMessage::kind_names() {
        assert!(names.contains(kind), "no {kind} produced: {names:?}");
    }
    messages
}

#[test]
fn every_produced_message_round_trips() {
    for (name, bytes) in produced_messages() {
        let message = HandshakeMessage::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(message.name(), name);
        assert_eq!(
            message.encode().unwrap(),
            bytes,
            "{name} re-encodes to the same bytes"
        );
        let (spanned, spans) = HandshakeMessage::decode_with_spans(&bytes);
        assert_eq!(spanned.as_ref(), Ok(&message));
        assert!(!spans.is_empty());
    }
}

#[test]
fn every_strict_prefix_is_refused() {
    for (name, bytes) in produced_messages() {
        for cut in 0..bytes.len() {
            let result = HandshakeMessage::decode(&bytes[..cut]);
            assert!(
                matches!(result, Err(Error::Decode { .. })),
                "{name} cut to {cut} of {} bytes: {result:?}",
                bytes.len()
            );
        }
    }
}

#[test]
fn every_produced_message_with_trailing_bytes_is_refused() {
    for (name, bytes) in produced_messages() {
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(
            HandshakeMessage::decode(&longer).is_err(),
            "{name} + 1 byte"
        );
    }
}

proptest! {
    #[test]
    fn random_bytes_never_panic_the_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = HandshakeMessage::decode(&bytes);
        let _ = HandshakeMessage::decode_with_spans(&bytes);
    }

    #[test]
    fn random_bodies_of_each_type_never_panic_the_decoder(
        msg_type in prop::sample::select(vec![1u8, 2, 4, 5, 8, 11, 13, 15, 20, 24, 254]),
        body in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut bytes = vec![msg_type];
        bytes.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        bytes.extend_from_slice(&body);
        // What decodes must re-encode to something that decodes the same.
        re_encodes_the_same(&bytes)?;
    }

    #[test]
    fn mutated_messages_never_panic_and_stay_canonical(
        index in any::<prop::sample::Index>(),
        seed in any::<u64>(),
    ) {
        let messages = PRODUCED.with(|m| m.clone());
        let (_, genuine) = &messages[index.index(messages.len())];
        let mut rng = XorShift(seed | 1);
        let mut bytes = mutate(&mut rng, genuine);
        // Keep the header honest half the time, so the body decoders see
        // the mutation rather than a length mismatch.
        if rng.below(2) == 0 && bytes.len() >= 4 {
            let len = (bytes.len() - 4) as u32;
            bytes[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
        }
        re_encodes_the_same(&bytes)?;
    }
}

/// If `bytes` decode, their re-encoding decodes to the same message, up to
/// what is not kept (the extensions' order as received, and unknown ones:
/// without them a block may fall under its lower bound).
fn re_encodes_the_same(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(message) = HandshakeMessage::decode(bytes) {
        let again = HandshakeMessage::decode(&message.encode().unwrap())
            .map(HandshakeMessage::without_received);
        if !has_unknown_extension(&message) {
            prop_assert_eq!(again, Ok(message.without_received()));
        } else if let Ok(again) = again {
            prop_assert_eq!(again, message.without_received());
        }
    }
    Ok(())
}

/// Whether a message arrived with an extension minitls does not keep.
fn has_unknown_extension(message: &HandshakeMessage) -> bool {
    (message.received_extensions().iter()).any(|e| !is_known(e.extension_type))
}

thread_local! {
    static PRODUCED: Vec<(&'static str, Vec<u8>)> = produced_messages();
}
