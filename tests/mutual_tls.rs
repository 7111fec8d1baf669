//! Mutual TLS in memory: a server that sends CertificateRequest (RFC 8446
//! §4.3.2) and follows Appendix A.2's WAIT_CERT and WAIT_CV arrows, and a
//! client that answers it (§4.4.2, §4.4.3). Every failure path feeds the
//! bad input and asserts the exact error and alert; resumption is checked
//! to keep the client's identity with both strategies.

#[macro_use]
mod common;

use std::sync::Arc;

use common::*;
use minitls::config::{ClientAuthMode, ClientCertificate, FixedClock, UnixTime};
use minitls::crypto::sha256;
use minitls::error::{CertificateError, IllegalParameter};
use minitls::key_schedule::SecretLabel;
use minitls::messages::HandshakeMessage;
use minitls::pki::issue::DemoPki;
use minitls::record::ContentType;
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::ticketer::Ticketer;
use minitls::testing::{
    CLIENT_SEED, FIXED_NOW, Pair, SERVER_SEED, client_auth, client_config, demo_client_certificate,
    demo_pki, server_config,
};
use minitls::trace::{RecordedEvent, Recorder};
use minitls::{AlertDescription, Connection, Error};

/// How one side of a test pair is set up.
struct Setup {
    pki: DemoPki,
    mode: ClientAuthMode,
    client_certificate: Option<ClientCertificate>,
    /// The server's clock (the client's stays at FIXED_NOW).
    server_now: UnixTime,
    resumption: Option<Arc<dyn ResumptionStrategy>>,
}

impl Setup {
    /// A server requiring a client certificate, a client holding one.
    fn mutual() -> Setup {
        let pki = pki();
        let client_certificate = Some(demo_client_certificate(&pki));
        Setup {
            pki,
            mode: ClientAuthMode::Required,
            client_certificate,
            server_now: FIXED_NOW,
            resumption: None,
        }
    }

    fn pair(&self) -> Traced {
        let client_trace = Recorder::default();
        let server_trace = Recorder::default();
        let mut client = client_config(&self.pki, CLIENT_SEED);
        client.client_certificate = self.client_certificate.clone();
        let mut server = server_config(&self.pki, SERVER_SEED);
        server.client_auth = Some(client_auth(&self.pki, self.mode));
        server.clock = Arc::new(FixedClock(self.server_now));
        server.resumption = self.resumption.clone();
        let client = Connection::client_with_observer(
            Arc::new(client),
            "localhost",
            Box::new(client_trace.clone()),
        )
        .unwrap();
        let server =
            Connection::server_with_observer(Arc::new(server), Box::new(server_trace.clone()));
        Traced {
            pair: Pair::new(client, server),
            client: client_trace,
            server: server_trace,
        }
    }
}

fn states(recorder: &Recorder) -> Vec<&'static str> {
    (recorder.events().into_iter())
        .filter_map(|e| match e {
            RecordedEvent::StateChanged(_, to) => Some(to),
            _ => None,
        })
        .collect()
}

fn messages_sent(recorder: &Recorder) -> Vec<&'static str> {
    (recorder.events().into_iter())
        .filter_map(|e| match e {
            RecordedEvent::MessageSent(name, _) => Some(name),
            _ => None,
        })
        .collect()
}

#[test]
fn mutual_tls_authenticates_the_client() {
    let setup = Setup::mutual();
    let mut t = setup.pair();
    t.pair.drive().unwrap();
    assert!(t.pair.client.is_connected() && t.pair.server.is_connected());
    let server = t.pair.server.negotiated();
    assert!(server.certificate_requested);
    let identity = server
        .client_identity
        .clone()
        .expect("client authenticated");
    assert_eq!(identity.subject, "CN=client");
    let leaf = &setup.client_certificate.as_ref().unwrap().certificate_chain[0];
    assert_eq!(identity.certificate_sha256, sha256(leaf));
    let client = t.pair.client.negotiated();
    assert!(client.certificate_requested && client.client_certificate_sent);
    // Appendix A.2, the "Client auth" branch.
    assert_eq!(
        states(&t.server),
        [
            "RECVD_CH",
            "NEGOTIATED",
            "WAIT_FLIGHT2",
            "WAIT_CERT",
            "WAIT_CV",
            "WAIT_FINISHED",
            "CONNECTED"
        ]
    );
    assert_eq!(
        messages_sent(&t.server)[..4],
        [
            "ServerHello",
            "EncryptedExtensions",
            "CertificateRequest",
            "Certificate"
        ]
    );
    assert_eq!(
        messages_sent(&t.client)[1..],
        ["Certificate", "CertificateVerify", "Finished"]
    );
    // And the connection carries data.
    t.pair.client.send(b"ping").unwrap();
    t.pair.drive().unwrap();
}

#[test]
fn optional_client_auth_lets_an_anonymous_client_in() {
    let setup = Setup {
        mode: ClientAuthMode::Optional,
        client_certificate: None,
        ..Setup::mutual()
    };
    let mut t = setup.pair();
    t.pair.drive().unwrap();
    assert!(t.pair.server.is_connected());
    assert!(t.pair.server.negotiated().certificate_requested);
    assert_eq!(t.pair.server.negotiated().client_identity, None);
    assert!(!t.pair.client.negotiated().client_certificate_sent);
    // An empty Certificate, no CertificateVerify: WAIT_CERT -> WAIT_FINISHED.
    assert_eq!(messages_sent(&t.client)[1..], ["Certificate", "Finished"]);
    let s = states(&t.server);
    assert!(s.windows(2).any(|w| w == ["WAIT_CERT", "WAIT_FINISHED"]));
}

#[test]
fn optional_client_auth_still_authenticates_a_client_with_a_certificate() {
    let setup = Setup {
        mode: ClientAuthMode::Optional,
        ..Setup::mutual()
    };
    let mut t = setup.pair();
    t.pair.drive().unwrap();
    let identity = t.pair.server.negotiated().client_identity.clone();
    assert_eq!(identity.unwrap().subject, "CN=client");
}

/// Drive until the server fails on the client's second flight; check the
/// server's error and alert, and that the client hears it.
fn server_refuses(mut t: Traced, expected: Error, alert: AlertDescription) {
    let result = t.pair.drive();
    assert_eq!(result, Err(expected.clone()));
    check_failed(&mut t.pair.server, &t.server, &expected, alert);
}

#[test]
fn no_certificate_when_required_is_certificate_required() {
    let setup = Setup {
        client_certificate: None,
        ..Setup::mutual()
    };
    let mut t = setup.pair();
    t.pair.client_to_server().unwrap();
    t.pair.server_to_client().unwrap();
    let result = t.pair.client_to_server();
    let err = assert_failure!(
        t.pair.server,
        t.server,
        result,
        Error::CertificateRequired,
        AlertDescription::CertificateRequired
    );
    assert_eq!(err, Error::CertificateRequired);
}

#[test]
fn client_certificate_without_client_auth_is_bad_certificate() {
    // The server's own certificate (extKeyUsage serverAuth) offered as a client's.
    let pki = pki();
    let setup = Setup {
        client_certificate: Some(ClientCertificate {
            certificate_chain: vec![pki.server_cert.clone()],
            private_key: pki.server_key.clone(),
        }),
        ..Setup::mutual()
    };
    server_refuses(
        setup.pair(),
        Error::Certificate(CertificateError::NotForClientAuth),
        AlertDescription::BadCertificate,
    );
}

#[test]
fn client_certificate_from_another_ca_is_unknown_ca() {
    let other = demo_pki(99);
    let setup = Setup {
        client_certificate: Some(demo_client_certificate(&other)),
        ..Setup::mutual()
    };
    server_refuses(
        setup.pair(),
        Error::Certificate(CertificateError::UnknownIssuer),
        AlertDescription::UnknownCa,
    );
}

#[test]
fn expired_client_certificate_is_certificate_expired() {
    // Two years on by the server's clock: the demo certificates live one.
    let later = UnixTime(FIXED_NOW.0 + 2 * 365 * 24 * 3600 * 1000);
    let setup = Setup {
        server_now: later,
        ..Setup::mutual()
    };
    let mut t = setup.pair();
    let err = t.pair.drive().unwrap_err();
    assert!(
        matches!(err, Error::Certificate(CertificateError::Expired { .. })),
        "{err:?}"
    );
    check_failed(
        &mut t.pair.server,
        &t.server,
        &err,
        AlertDescription::CertificateExpired,
    );
}

/// The client's second flight, opened: its handshake messages, and a way
/// to deliver replacements under the same keys.
struct ClientFlight {
    /// The compatibility change_cipher_spec, if sent, in the clear.
    clear: Vec<u8>,
    messages: Vec<Vec<u8>>,
    secret: [u8; 32],
}

impl ClientFlight {
    /// Drive a pair until the client's second flight is queued, and open it.
    fn take(t: &mut Traced) -> ClientFlight {
        t.pair.client_to_server().unwrap();
        t.pair.server_to_client().unwrap();
        let bytes = take(&mut t.pair.client);
        let secret = secret(&t.client, SecretLabel::ClientHandshakeTraffic);
        let mut clear = Vec::new();
        let mut messages = Vec::new();
        let mut seq = 0;
        for record in split_records(&bytes) {
            if record.content_type == CHANGE_CIPHER_SPEC {
                clear.extend_from_slice(&record.encode());
                continue;
            }
            let (content_type, plaintext) = open(&secret, seq, &record);
            seq += 1;
            assert_eq!(content_type, ContentType::Handshake);
            messages.extend(split_messages(&plaintext));
        }
        ClientFlight {
            clear,
            messages,
            secret,
        }
    }

    /// `messages`, protected as the client's first handshake record.
    fn reseal(&self, messages: &[Vec<u8>]) -> Vec<u8> {
        let mut out = self.clear.clone();
        out.extend(seal(
            &self.secret,
            0,
            ContentType::Handshake,
            &messages.concat(),
        ));
        out
    }
}

#[test]
fn bad_client_certificate_verify_is_decrypt_error() {
    let mut t = Setup::mutual().pair();
    let flight = ClientFlight::take(&mut t);
    let mut messages = flight.messages.clone();
    assert_eq!(messages[1][0], 15, "CertificateVerify");
    *messages[1].last_mut().unwrap() ^= 1;
    let result = t.pair.server.receive(&flight.reseal(&messages));
    assert_failure!(
        t.pair.server,
        t.server,
        result,
        Error::BadCertificateVerify,
        AlertDescription::DecryptError
    );
}

#[test]
fn certificate_verify_without_certificate_is_unexpected_message() {
    let mut t = Setup::mutual().pair();
    let flight = ClientFlight::take(&mut t);
    // Certificate left out: CertificateVerify and Finished only.
    let result = t.pair.server.receive(&flight.reseal(&flight.messages[1..]));
    let err = assert_failure!(
        t.pair.server,
        t.server,
        result,
        Error::UnexpectedMessage { .. },
        AlertDescription::UnexpectedMessage
    );
    assert_eq!(
        err,
        Error::UnexpectedMessage {
            state: "WAIT_CERT",
            got: "CertificateVerify"
        }
    );
}

#[test]
fn certificate_request_context_not_echoed_is_illegal_parameter() {
    let mut t = Setup::mutual().pair();
    let flight = ClientFlight::take(&mut t);
    let mut messages = flight.messages.clone();
    let HandshakeMessage::Certificate(mut certificate) =
        HandshakeMessage::decode(&messages[0]).unwrap()
    else {
        panic!("not a Certificate");
    };
    certificate.certificate_request_context = vec![1];
    messages[0] = HandshakeMessage::Certificate(certificate).encode().unwrap();
    let result = t.pair.server.receive(&flight.reseal(&messages));
    assert_failure!(
        t.pair.server,
        t.server,
        result,
        Error::IllegalParameter(IllegalParameter::ClientCertificateRequestContext),
        AlertDescription::IllegalParameter
    );
}

#[test]
fn a_client_signature_is_not_a_server_signature() {
    // The client signs under "TLS 1.3, client CertificateVerify"
    // (RFC 8446 §4.4.3): the same bytes verified under the server's
    // context string fail.
    use minitls::messages::certificate_verify::{CLIENT_CONTEXT, SERVER_CONTEXT, signed_content};
    let pki = pki();
    let client = demo_client_certificate(&pki);
    let hash = [7u8; 32];
    let signature = client
        .private_key
        .sign(&signed_content(CLIENT_CONTEXT, &hash));
    let public = client.private_key.public_key();
    assert!(minitls::crypto::ed25519_verify(
        &public,
        &signed_content(CLIENT_CONTEXT, &hash),
        &signature
    ));
    assert!(!minitls::crypto::ed25519_verify(
        &public,
        &signed_content(SERVER_CONTEXT, &hash),
        &signature
    ));
}

/// Connect twice with one client cache and one server strategy; the
/// second connection resumes.
fn resume_with(strategy: Arc<dyn ResumptionStrategy>) {
    let pki = pki();
    let mut server = server_config(&pki, SERVER_SEED);
    server.client_auth = Some(client_auth(&pki, ClientAuthMode::Required));
    server.resumption = Some(strategy);
    let server = Arc::new(server);
    let mut client = client_config(&pki, CLIENT_SEED);
    client.client_certificate = Some(demo_client_certificate(&pki));
    let client = Arc::new(client);
    let mut identities = Vec::new();
    for round in 0..2 {
        let c = Connection::client(client.clone(), "localhost").unwrap();
        let trace = Recorder::default();
        let s = Connection::server_with_observer(server.clone(), Box::new(trace.clone()));
        let mut pair = Pair::new(c, s);
        pair.drive().unwrap();
        // The trace (and so --explain) says who the client is, both times.
        assert!(
            trace
                .events()
                .contains(&RecordedEvent::ClientAuthenticated("CN=client".into())),
            "round {round}"
        );
        let n = pair.server.negotiated();
        assert_eq!(n.resumed, round == 1);
        // A resumed handshake asks for no certificate (RFC 8446 §4.3.2)...
        assert_eq!(n.certificate_requested, round == 0);
        // ... yet knows the client.
        identities.push(n.client_identity.clone().expect("identity"));
    }
    assert_eq!(identities[0], identities[1]);
    assert_eq!(identities[1].subject, "CN=client");
}

#[test]
fn stateful_resumption_keeps_the_client_identity() {
    resume_with(Arc::new(StatefulStrategy::in_memory(16)));
}

#[test]
fn stateless_resumption_keeps_the_client_identity() {
    resume_with(Arc::new(Ticketer::new(3600)));
}

#[test]
fn a_session_without_a_client_is_not_resumed_when_one_is_required() {
    // Tickets issued while client certificates were optional and none was
    // sent; then the server requires one: a full handshake asks for it.
    let pki = pki();
    let strategy: Arc<dyn ResumptionStrategy> = Arc::new(Ticketer::new(3600));
    let mut client = client_config(&pki, CLIENT_SEED);
    client.client_certificate = Some(demo_client_certificate(&pki));
    let client = Arc::new(client);
    for (round, mode) in [ClientAuthMode::Optional, ClientAuthMode::Required]
        .into_iter()
        .enumerate()
    {
        let mut server = server_config(&pki, SERVER_SEED + round as u64);
        server.resumption = Some(strategy.clone());
        // Round 0: no client auth at all, so the session has no client.
        if round == 1 {
            server.client_auth = Some(client_auth(&pki, mode));
        }
        let c = Connection::client(client.clone(), "localhost").unwrap();
        let trace = Recorder::default();
        let s = Connection::server_with_observer(Arc::new(server), Box::new(trace.clone()));
        let mut pair = Pair::new(c, s);
        pair.drive().unwrap();
        let n = pair.server.negotiated();
        assert!(!n.resumed, "round {round}");
        assert_eq!(n.client_identity.is_some(), round == 1);
        if round == 1 {
            assert_eq!(
                support_rejections(&trace),
                [minitls::resumption::Rejection::ClientNotAuthenticated.reason()]
            );
        }
    }
}

#[test]
fn client_certificate_verify_with_another_scheme_is_illegal_parameter() {
    // RFC 8446 §4.4.3: the algorithm must be one the CertificateRequest
    // offered; ours offered only ed25519.
    let mut t = Setup::mutual().pair();
    let flight = ClientFlight::take(&mut t);
    let mut messages = flight.messages.clone();
    // msg_type(1) length(3), then SignatureScheme algorithm: 0x0807 -> 0x0403.
    messages[1][4..6].copy_from_slice(&[0x04, 0x03]);
    let result = t.pair.server.receive(&flight.reseal(&messages));
    assert_failure!(
        t.pair.server,
        t.server,
        result,
        Error::IllegalParameter(IllegalParameter::SignatureSchemeNotOffered),
        AlertDescription::IllegalParameter
    );
}

/// A strategy that hands out its sessions with `peer_identity` replaced:
/// what a corrupt store (or a session from another program) would give.
struct Corrupting(StatefulStrategy, Vec<u8>);

impl ResumptionStrategy for Corrupting {
    fn name(&self) -> &'static str {
        "stateful"
    }
    fn issue(
        &self,
        session: &minitls::resumption::Session,
        rng: &mut dyn minitls::crypto::Rng,
        now: UnixTime,
    ) -> Option<Vec<u8>> {
        self.0.issue(session, rng, now)
    }
    fn look_up(
        &self,
        identity: &[u8],
        now: UnixTime,
    ) -> Result<minitls::resumption::Session, minitls::resumption::Rejection> {
        let mut session = self.0.look_up(identity, now)?;
        session.peer_identity = self.1.clone();
        Ok(session)
    }
    fn take(&self, identity: &[u8]) -> Result<(), minitls::resumption::Rejection> {
        self.0.take(identity)
    }
    fn bytes_held(&self) -> usize {
        self.0.bytes_held()
    }
}

#[test]
fn a_session_with_an_unreadable_client_identity_is_not_resumed() {
    let strategy: Arc<dyn ResumptionStrategy> = Arc::new(Corrupting(
        StatefulStrategy::in_memory(16),
        vec![0xff, 1, 2],
    ));
    let pki = pki();
    let mut server = server_config(&pki, SERVER_SEED);
    server.client_auth = Some(client_auth(&pki, ClientAuthMode::Optional));
    server.resumption = Some(strategy);
    let server = Arc::new(server);
    let mut client = client_config(&pki, CLIENT_SEED);
    client.client_certificate = Some(demo_client_certificate(&pki));
    let client = Arc::new(client);
    for round in 0..2 {
        let trace = Recorder::default();
        let c = Connection::client(client.clone(), "localhost").unwrap();
        let s = Connection::server_with_observer(server.clone(), Box::new(trace.clone()));
        let mut pair = Pair::new(c, s);
        pair.drive().unwrap();
        assert!(!pair.server.negotiated().resumed, "round {round}");
        if round == 1 {
            let reasons = support_rejections(&trace);
            assert_eq!(
                reasons,
                [minitls::resumption::Rejection::Unreadable.reason()]
            );
        }
    }
}

fn support_rejections(trace: &Recorder) -> Vec<&'static str> {
    use minitls::trace::ResumptionEvent;
    (trace.events().into_iter())
        .filter_map(|e| match e {
            RecordedEvent::Resumption(ResumptionEvent::Rejected { reason, .. }) => Some(reason),
            _ => None,
        })
        .collect()
}
