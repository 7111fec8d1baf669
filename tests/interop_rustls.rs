//! Interoperability with rustls, in-process: a minitls `Connection` talks to
//! a rustls `ClientConnection` or `ServerConnection` through in-memory
//! buffers (no sockets). rustls is restricted to what minitls speaks:
//! TLS 1.3, TLS_CHACHA20_POLY1305_SHA256 and X25519 (plus secp256r1 where a
//! test needs a group minitls lacks, to force a HelloRetryRequest).
//!
//! rustls validates certificates against the real clock, so the demo PKI is
//! issued at the real current time (valid from an hour before it for a
//! year), and minitls's configs use a fixed clock at that same instant.

use std::convert::Infallible;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use minitls::config::{ClientAuth, ClientAuthMode, ClientCertificate, FixedClock, UnixTime};
use minitls::crypto::Ed25519PrivateKey;
use minitls::error::CertificateError;
use minitls::pki::issue::{self, CertificateParams, DemoPki};
use minitls::pki::x509::Certificate;
use minitls::testing::{SeededRng, drive_until_quiet};
use minitls::trace::{RecordedEvent, Recorder};
use minitls::{AlertDescription, AppEvent, ClientConfig, Connection, Error, ServerConfig};
use rustls::crypto::CryptoProvider;
use rustls::crypto::ring::{cipher_suite, kx_group};
use rustls::crypto::{SupportedKxGroup, ring};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::{NamedGroup, ProtocolVersion, RootCertStore};

// ---------------------------------------------------------------------------
// PKI and configs
// ---------------------------------------------------------------------------

/// The real time, in seconds since the Unix epoch.
fn real_now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// A demo PKI for "localhost" issued now, and the instant it was issued.
fn pki_now(seed: u64) -> (DemoPki, UnixTime) {
    let now = real_now_secs();
    let mut rng = SeededRng::new(seed);
    let pki = DemoPki::generate(&mut rng, &["localhost"], now);
    (pki, UnixTime::from_secs(now as u64))
}

/// Like [`pki_now`], but the CA is named `ca_name` instead of the demo PKI's
/// `CN=minitls demo CA`: a CA that is "another CA" by name as well as by key.
fn pki_now_with_ca_name(seed: u64, ca_name: &str) -> (DemoPki, UnixTime) {
    let now = real_now_secs();
    let mut rng = SeededRng::new(seed);
    let ca_key = Ed25519PrivateKey::generate(&mut rng);
    let ca_cert = issue::self_signed(&CertificateParams::ca(ca_name, now), &ca_key, &mut rng);
    let ca = Certificate::from_der(&ca_cert).expect("the CA certificate parses");
    let server_key = Ed25519PrivateKey::generate(&mut rng);
    let server_cert = issue::issue(
        &CertificateParams::server(&["localhost"], now),
        &server_key.public_key(),
        &ca,
        &ca_key,
        &mut rng,
    );
    let pki = DemoPki {
        ca_cert,
        ca_key,
        server_cert,
        server_key,
    };
    (pki, UnixTime::from_secs(now as u64))
}

fn minitls_client_config(pki: &DemoPki, now: UnixTime, seed: u64) -> Arc<ClientConfig> {
    let mut config = ClientConfig::new(pki.trust_anchors());
    config.rng = SeededRng::shared(seed);
    config.clock = Arc::new(FixedClock(now));
    Arc::new(config)
}

fn minitls_server_config(pki: &DemoPki, now: UnixTime, seed: u64) -> Arc<ServerConfig> {
    let mut config = ServerConfig::new(vec![pki.server_cert.clone()], pki.server_key.clone());
    config.rng = SeededRng::shared(seed);
    config.clock = Arc::new(FixedClock(now));
    Arc::new(config)
}

/// rustls's ring provider cut down to minitls's suite and the given groups.
fn provider(kx_groups: Vec<&'static dyn SupportedKxGroup>) -> Arc<CryptoProvider> {
    Arc::new(CryptoProvider {
        cipher_suites: vec![cipher_suite::TLS13_CHACHA20_POLY1305_SHA256],
        kx_groups,
        ..ring::default_provider()
    })
}

fn roots(pki: &DemoPki) -> Arc<RootCertStore> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(pki.ca_cert.clone()))
        .expect("rustls accepts the demo CA as a root");
    Arc::new(roots)
}

fn rustls_client(
    pki: &DemoPki,
    kx_groups: Vec<&'static dyn SupportedKxGroup>,
) -> rustls::Connection {
    let config = rustls::ClientConfig::builder_with_provider(provider(kx_groups))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3 with our suite is a valid rustls config")
        .with_root_certificates(roots(pki))
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").unwrap();
    rustls::ClientConnection::new(Arc::new(config), name)
        .expect("rustls client starts")
        .into()
}

fn rustls_server_key(pki: &DemoPki) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        minitls::pki::pem::encode_ed25519_pkcs8(&pki.server_key),
    ))
}

fn rustls_server_builder() -> rustls::ConfigBuilder<rustls::ServerConfig, rustls::WantsVerifier> {
    rustls::ServerConfig::builder_with_provider(provider(vec![kx_group::X25519]))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3 with our suite is a valid rustls config")
}

fn rustls_server_from(
    pki: &DemoPki,
    builder: rustls::ConfigBuilder<rustls::ServerConfig, rustls::server::WantsServerCert>,
) -> rustls::Connection {
    let config = builder
        .with_single_cert(
            vec![CertificateDer::from(pki.server_cert.clone())],
            rustls_server_key(pki),
        )
        .expect("rustls accepts the demo server certificate and Ed25519 key");
    rustls::ServerConnection::new(Arc::new(config))
        .expect("rustls server starts")
        .into()
}

fn rustls_server(pki: &DemoPki) -> rustls::Connection {
    rustls_server_from(pki, rustls_server_builder().with_no_client_auth())
}

// ---------------------------------------------------------------------------
// Moving bytes
// ---------------------------------------------------------------------------

/// A minitls connection and a rustls connection joined in memory, with what
/// each side has reported so far.
struct Link {
    minitls: Connection,
    rustls: rustls::Connection,
    minitls_events: Vec<AppEvent>,
    minitls_error: Option<Error>,
    rustls_error: Option<rustls::Error>,
    /// Plaintext rustls has delivered.
    rustls_plaintext: Vec<u8>,
    /// rustls has received close_notify.
    rustls_peer_closed: bool,
}

impl Link {
    fn new(minitls: Connection, rustls: rustls::Connection) -> Self {
        Link {
            minitls,
            rustls,
            minitls_events: Vec::new(),
            minitls_error: None,
            rustls_error: None,
            rustls_plaintext: Vec::new(),
            rustls_peer_closed: false,
        }
    }

    /// minitls → rustls. Returns how many bytes moved.
    fn minitls_to_rustls(&mut self) -> usize {
        let mut bytes = Vec::new();
        let n = self.minitls.transmit(&mut bytes);
        let mut rest = &bytes[..];
        while !rest.is_empty() && self.rustls_error.is_none() {
            match self.rustls.read_tls(&mut rest) {
                Ok(_) => {}
                Err(e) => panic!("rustls read_tls: {e}"),
            }
            self.rustls_process();
        }
        n
    }

    fn rustls_process(&mut self) {
        match self.rustls.process_new_packets() {
            Ok(state) => {
                if state.peer_has_closed() {
                    self.rustls_peer_closed = true;
                }
            }
            Err(e) => {
                self.rustls_error = Some(e);
                return;
            }
        }
        let mut buf = [0u8; 4096];
        loop {
            match self.rustls.reader().read(&mut buf) {
                Ok(0) => {
                    self.rustls_peer_closed = true;
                    break;
                }
                Ok(n) => self.rustls_plaintext.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => panic!("rustls reader: {e}"),
            }
        }
    }

    /// rustls → minitls. Returns how many bytes moved.
    fn rustls_to_minitls(&mut self) -> usize {
        let mut bytes = Vec::new();
        while self.rustls.wants_write() {
            self.rustls
                .write_tls(&mut bytes)
                .expect("writing to a Vec succeeds");
        }
        if !bytes.is_empty()
            && self.minitls_error.is_none()
            && let Err(e) = self.minitls.receive(&bytes)
        {
            self.minitls_error = Some(e);
        }
        self.minitls_events
            .extend(std::iter::from_fn(|| self.minitls.poll_event()));
        bytes.len()
    }

    /// Move bytes both ways until neither side has anything to send.
    fn drive(&mut self) {
        let Ok(()) = drive_until_quiet(|| {
            Ok::<_, Infallible>(self.minitls_to_rustls() + self.rustls_to_minitls())
        });
    }

    /// Drive, and insist neither side failed.
    fn drive_ok(&mut self) {
        self.drive();
        assert_eq!(self.minitls_error, None, "minitls failed");
        assert!(
            self.rustls_error.is_none(),
            "rustls failed: {:?}",
            self.rustls_error
        );
    }

    fn assert_connected(&self) {
        assert!(self.minitls.is_connected(), "minitls still handshaking");
        assert!(!self.rustls.is_handshaking(), "rustls still handshaking");
        assert!(self.minitls_events.contains(&AppEvent::Connected));
    }

    /// The parameters rustls negotiated are exactly minitls's.
    fn assert_rustls_negotiated(&self) {
        let suite = self
            .rustls
            .negotiated_cipher_suite()
            .expect("rustls negotiated a suite");
        assert_eq!(suite, cipher_suite::TLS13_CHACHA20_POLY1305_SHA256);
        assert_eq!(
            suite.suite(),
            rustls::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256
        );
        assert_eq!(
            self.rustls.protocol_version(),
            Some(ProtocolVersion::TLSv1_3)
        );
        let group = self
            .rustls
            .negotiated_key_exchange_group()
            .expect("rustls negotiated a group");
        assert_eq!(group.name(), NamedGroup::X25519);
    }

    /// The parameters minitls negotiated.
    fn assert_minitls_negotiated(&self) {
        let n = self.minitls.negotiated();
        assert_eq!(n.cipher_suite, 0x1303);
        assert_eq!(n.group, Some(0x001d));
        assert_eq!(n.signature_scheme, Some(0x0807));
    }

    /// "hello" from rustls to minitls, "world" back.
    fn exchange_data(&mut self) {
        self.rustls.writer().write_all(b"hello").unwrap();
        self.drive_ok();
        assert_eq!(
            self.minitls_events.last(),
            Some(&AppEvent::Data(b"hello".to_vec()))
        );
        self.minitls.send(b"world").unwrap();
        self.drive_ok();
        assert_eq!(self.rustls_plaintext, b"world");
    }

    fn rustls_closes(&mut self) {
        self.rustls.send_close_notify();
        self.drive_ok();
        assert_eq!(self.minitls_events.last(), Some(&AppEvent::PeerClosed));
        assert!(self.minitls.peer_closed());
    }

    fn minitls_closes(&mut self) {
        self.minitls.close();
        self.drive_ok();
        assert!(self.rustls_peer_closed, "rustls did not see close_notify");
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

/// rustls client → minitls server: full handshake, data both ways,
/// close_notify both ways (rustls first).
#[test]
fn rustls_client_to_minitls_server() {
    let (pki, now) = pki_now(11);
    let server = Connection::server(minitls_server_config(&pki, now, 12));
    let client = rustls_client(&pki, vec![kx_group::X25519]);
    let mut link = Link::new(server, client);
    link.drive_ok();
    link.assert_connected();
    link.assert_rustls_negotiated();
    let n = link.minitls.negotiated();
    assert_eq!(n.cipher_suite, 0x1303);
    assert_eq!(n.group, Some(0x001d));
    assert_eq!(n.server_name.as_deref(), Some("localhost"));
    assert!(!n.hello_retry_request);
    let certs = link
        .rustls
        .peer_certificates()
        .expect("server sent a chain");
    assert_eq!(certs, [CertificateDer::from(pki.server_cert.clone())]);

    link.exchange_data();
    link.rustls_closes();
    link.minitls_closes();
}

/// minitls client → rustls server: full handshake, data both ways,
/// close_notify both ways (minitls first).
///
/// rustls 0.23 sends tickets (two by default) only to a client whose
/// ClientHello offers psk_key_exchange_modes with psk_dhe_ke (RFC 8446
/// §4.2.9); minitls's client, with its default session cache, does, so both
/// tickets arrive after the handshake and are stored.
#[test]
fn minitls_client_to_rustls_server() {
    let (pki, now) = pki_now(21);
    let client = Connection::client(minitls_client_config(&pki, now, 22), "localhost")
        .expect("minitls client starts");
    let server = rustls_server(&pki);
    let mut link = Link::new(client, server);
    link.drive_ok();
    link.assert_connected();
    link.assert_rustls_negotiated();
    link.assert_minitls_negotiated();
    let n = link.minitls.negotiated();
    assert_eq!(n.peer_subject.as_deref(), Some("CN=localhost"));
    assert_eq!(n.peer_issuer.as_deref(), Some("CN=minitls demo CA"));
    assert!(!n.hello_retry_request);
    assert_eq!(
        link.minitls_events,
        [
            AppEvent::Connected,
            AppEvent::NewTicket,
            AppEvent::NewTicket
        ]
    );

    link.exchange_data();
    link.minitls_closes();
    link.rustls_closes();
}

/// A rustls client that prefers secp256r1 sends a key share only for it;
/// minitls's server answers with a HelloRetryRequest for X25519 and the
/// second ClientHello completes the handshake.
#[test]
fn rustls_client_gets_hello_retry_request_for_x25519() {
    let (pki, now) = pki_now(31);
    let server = Connection::server(minitls_server_config(&pki, now, 32));
    let client = rustls_client(&pki, vec![kx_group::SECP256R1, kx_group::X25519]);
    let mut link = Link::new(server, client);
    link.drive_ok();
    link.assert_connected();
    link.assert_rustls_negotiated();
    let n = link.minitls.negotiated();
    assert!(
        n.hello_retry_request,
        "minitls did not send a HelloRetryRequest"
    );
    assert_eq!(n.group, Some(0x001d));

    link.exchange_data();
    link.rustls_closes();
}

/// A rustls server that asks for (but does not require) a client
/// certificate: minitls has none, answers with an empty Certificate
/// (RFC 8446 §4.4.2) and the handshake completes unauthenticated.
#[test]
fn minitls_client_answers_certificate_request_with_empty_certificate() {
    let (pki, now) = pki_now(41);
    let verifier =
        WebPkiClientVerifier::builder_with_provider(roots(&pki), provider(vec![kx_group::X25519]))
            .allow_unauthenticated()
            .build()
            .expect("rustls accepts the demo CA as a client-auth root");
    assert!(verifier.offer_client_auth());
    assert!(!verifier.client_auth_mandatory());
    let server = rustls_server_from(
        &pki,
        rustls_server_builder().with_client_cert_verifier(verifier),
    );
    let recorder = Recorder::default();
    let client = Connection::client_with_observer(
        minitls_client_config(&pki, now, 42),
        "localhost",
        Box::new(recorder.clone()),
    )
    .expect("minitls client starts");
    let mut link = Link::new(client, server);
    link.drive_ok();
    link.assert_connected();
    link.assert_rustls_negotiated();
    link.assert_minitls_negotiated();
    assert!(
        link.rustls.peer_certificates().is_none(),
        "rustls saw a client certificate"
    );
    let events = recorder.events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, RecordedEvent::MessageReceived("CertificateRequest", _))),
        "rustls sent no CertificateRequest"
    );
    // Certificate (11), length 4: an empty certificate_request_context (rustls
    // sends an empty one) and an empty certificate_list.
    let empty_certificate = vec![11, 0, 0, 4, 0, 0, 0, 0];
    assert!(
        events.contains(&RecordedEvent::MessageSent(
            "Certificate",
            empty_certificate
        )),
        "minitls sent no empty Certificate"
    );

    link.exchange_data();
    link.minitls_closes();
}

/// A rustls server whose certificate comes from another CA (another name,
/// another key): minitls refuses it with unknown_ca, and rustls receives
/// that alert.
#[test]
fn minitls_client_refuses_rustls_server_from_unknown_ca() {
    let (trusted, now) = pki_now(51);
    let (other, _) = pki_now_with_ca_name(52, "some other CA");
    assert_refused(
        &trusted,
        now,
        &other,
        CertificateError::UnknownIssuer,
        AlertDescription::UnknownCa,
        rustls::AlertDescription::UnknownCA,
    );
}

/// An impostor CA: another demo PKI, whose CA has the trusted CA's name
/// (`CN=minitls demo CA`, as every demo PKI does) but another key. The
/// server certificate's authorityKeyIdentifier names a key no trust anchor
/// has (RFC 5280 §4.2.1.1), so minitls finds no trust anchor for it:
/// `UnknownIssuer`, sent as unknown_ca (RFC 8446 §6.2).
#[test]
fn minitls_client_refuses_rustls_server_from_same_named_ca() {
    let (trusted, now) = pki_now(61);
    let (other, _) = pki_now(62);
    assert_refused(
        &trusted,
        now,
        &other,
        CertificateError::UnknownIssuer,
        AlertDescription::UnknownCa,
        rustls::AlertDescription::UnknownCA,
    );
}

/// A minitls client trusting `trusted` connects to a rustls server with
/// `other`'s certificate: minitls fails with `error`, sends `alert`, and
/// rustls fails with `AlertReceived(rustls_alert)` while still handshaking.
fn assert_refused(
    trusted: &DemoPki,
    now: UnixTime,
    other: &DemoPki,
    error: CertificateError,
    alert: AlertDescription,
    rustls_alert: rustls::AlertDescription,
) {
    let client = Connection::client(minitls_client_config(trusted, now, 53), "localhost")
        .expect("minitls client starts");
    let server = rustls_server(other);
    let mut link = Link::new(client, server);
    link.drive();

    // Both sides at once, so a failure shows what each side saw.
    let expected = Error::Certificate(error);
    assert_eq!(
        (link.minitls_error.as_ref(), link.rustls_error.as_ref()),
        (
            Some(&expected),
            Some(&rustls::Error::AlertReceived(rustls_alert))
        )
    );
    assert_eq!(expected.alert(), Some(alert));
    assert_eq!(link.minitls.error(), Some(&expected));
    // A failure closes minitls: not handshaking, not connected.
    assert_eq!(link.minitls.state_name(), "CLOSED");
    assert!(!link.minitls.is_handshaking() && !link.minitls.is_connected());
    assert!(link.rustls.is_handshaking());
    let rustls_error = link.rustls_error.as_ref().unwrap();
    assert!(format!("{rustls_error:?}").contains(&format!("AlertReceived({rustls_alert:?})")));
}

// ---------------------------------------------------------------------------
// Resumption (RFC 8446 §2.2, §4.2.11, §4.6.1)
// ---------------------------------------------------------------------------

use minitls::resumption::ResumptionStrategy;
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::ticketer::Ticketer;
use rustls::HandshakeKind;
use rustls::client::{
    ClientSessionMemoryCache, ClientSessionStore, Resumption, Tls12ClientSessionValue,
    Tls13ClientSessionValue,
};
use rustls::server::ServerSessionMemoryCache;

/// A minitls server config that issues tickets with `strategy`.
fn minitls_resuming_server_config(
    pki: &DemoPki,
    now: UnixTime,
    seed: u64,
    strategy: Arc<dyn ResumptionStrategy>,
) -> Arc<ServerConfig> {
    let mut config = ServerConfig::new(vec![pki.server_cert.clone()], pki.server_key.clone());
    config.rng = SeededRng::shared(seed);
    config.clock = Arc::new(FixedClock(now));
    config.resumption = Some(strategy);
    Arc::new(config)
}

/// One rustls client config, to be shared by every connection that should
/// resume: rustls resumes only under the very same certificate verifier
/// (the same `Arc`), which a new config would not have.
fn rustls_resuming_client_config(
    pki: &DemoPki,
    kx_groups: Vec<&'static dyn SupportedKxGroup>,
    resumption: Resumption,
) -> Arc<rustls::ClientConfig> {
    let mut config = rustls::ClientConfig::builder_with_provider(provider(kx_groups))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3 with our suite is a valid rustls config")
        .with_root_certificates(roots(pki))
        .with_no_client_auth();
    config.resumption = resumption;
    Arc::new(config)
}

fn rustls_client_with(config: &Arc<rustls::ClientConfig>) -> rustls::Connection {
    let name = ServerName::try_from("localhost").unwrap();
    rustls::ClientConnection::new(config.clone(), name)
        .expect("rustls client starts")
        .into()
}

/// One rustls server config (X25519 only), to be shared by the connections
/// that should resume, changed by `configure`.
fn rustls_resuming_server_config(
    pki: &DemoPki,
    configure: impl FnOnce(&mut rustls::ServerConfig),
) -> Arc<rustls::ServerConfig> {
    let mut config = rustls_server_builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(pki.server_cert.clone())],
            rustls_server_key(pki),
        )
        .expect("rustls accepts the demo server certificate and Ed25519 key");
    configure(&mut config);
    Arc::new(config)
}

fn rustls_server_with(config: &Arc<rustls::ServerConfig>) -> rustls::Connection {
    rustls::ServerConnection::new(config.clone())
        .expect("rustls server starts")
        .into()
}

/// A rustls session store that never remembers which group a server chose
/// (rustls's `kx_hint`), so every ClientHello starts again with the first
/// configured group. Tickets are kept by rustls's own in-memory cache.
#[derive(Debug)]
struct ForgetsKxGroup(ClientSessionMemoryCache);

impl ClientSessionStore for ForgetsKxGroup {
    fn set_kx_hint(&self, _: ServerName<'static>, _: NamedGroup) {}

    fn kx_hint(&self, _: &ServerName<'_>) -> Option<NamedGroup> {
        None
    }

    fn set_tls12_session(&self, name: ServerName<'static>, value: Tls12ClientSessionValue) {
        self.0.set_tls12_session(name, value)
    }

    fn tls12_session(&self, name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.0.tls12_session(name)
    }

    fn remove_tls12_session(&self, name: &ServerName<'static>) {
        self.0.remove_tls12_session(name)
    }

    fn insert_tls13_ticket(&self, name: ServerName<'static>, value: Tls13ClientSessionValue) {
        self.0.insert_tls13_ticket(name, value)
    }

    fn take_tls13_ticket(&self, name: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        self.0.take_tls13_ticket(name)
    }
}

/// The server side's resumption events (accepted or rejected PSKs).
fn resumption_events(trace: &Recorder) -> Vec<minitls::trace::ResumptionEvent> {
    use minitls::trace::ResumptionEvent;
    trace
        .events()
        .into_iter()
        .filter_map(|e| match e {
            RecordedEvent::Resumption(r @ ResumptionEvent::Accepted { .. })
            | RecordedEvent::Resumption(r @ ResumptionEvent::Rejected { .. }) => Some(r),
            _ => None,
        })
        .collect()
}

/// A rustls client connects twice to a minitls server resuming with
/// `strategy`; the second connection must resume in psk_dhe_ke.
fn rustls_client_resumes_with(strategy: Arc<dyn ResumptionStrategy>, name: &'static str) {
    let (pki, now) = pki_now(71);
    let server_config = minitls_resuming_server_config(&pki, now, 72, strategy);
    let client_config = rustls_resuming_client_config(
        &pki,
        vec![kx_group::X25519],
        Resumption::in_memory_sessions(8),
    );

    // A full handshake; minitls's two tickets follow it.
    let mut link = Link::new(
        Connection::server(server_config.clone()),
        rustls_client_with(&client_config),
    );
    link.drive_ok();
    link.assert_connected();
    let n = link.minitls.negotiated();
    assert!(!n.resumed, "nothing to resume yet: {n:?}");
    assert_eq!(n.signature_scheme, Some(0x0807));
    assert_eq!(link.rustls.handshake_kind(), Some(HandshakeKind::Full));
    link.exchange_data();
    link.rustls_closes();

    // The same rustls config offers one of them back.
    let trace = Recorder::default();
    let mut link = Link::new(
        Connection::server_with_observer(server_config.clone(), Box::new(trace.clone())),
        rustls_client_with(&client_config),
    );
    link.drive_ok();
    link.assert_connected();
    link.assert_rustls_negotiated();
    let n = link.minitls.negotiated();
    assert!(n.resumed, "minitls did not resume: {n:?}");
    assert_eq!(n.resumption_strategy, Some(name));
    assert_eq!(n.psk_mode, Some("psk_dhe_ke"));
    assert_eq!(n.group, Some(0x001d), "psk_dhe_ke still does X25519");
    assert_eq!(n.signature_scheme, None, "no certificate when resuming");
    assert!(!n.hello_retry_request);
    assert_eq!(link.rustls.handshake_kind(), Some(HandshakeKind::Resumed));
    assert_eq!(
        resumption_events(&trace),
        [minitls::trace::ResumptionEvent::Accepted {
            strategy: name,
            psk_mode: "psk_dhe_ke"
        }]
    );
    // The server certificate rustls reports is the one from the session.
    assert_eq!(
        link.rustls.peer_certificates().expect("remembered chain"),
        [CertificateDer::from(pki.server_cert.clone())]
    );
    link.exchange_data();
    link.rustls_closes();
}

/// rustls client, minitls server with a session store (ticket = random ID).
#[test]
fn rustls_client_resumes_with_minitls_stateful_server() {
    rustls_client_resumes_with(Arc::new(StatefulStrategy::in_memory(16)), "stateful");
}

/// rustls client, minitls server sealing sessions into tickets.
#[test]
fn rustls_client_resumes_with_minitls_stateless_server() {
    rustls_client_resumes_with(Arc::new(Ticketer::new(3600)), "stateless");
}

/// A rustls client whose first group is secp256r1 (which minitls lacks)
/// gets a HelloRetryRequest on its first connection. On the next it offers
/// a ticket, with a share for secp256r1 again (its store forgets which
/// group the server chose), so minitls must send a HelloRetryRequest and
/// then check the binder of the second ClientHello, computed over
/// message_hash(ClientHello1) + HelloRetryRequest + the truncated
/// ClientHello2 (RFC 8446 §4.2.11.2, §4.4.1), and resume.
#[test]
fn rustls_client_resumes_after_hello_retry_request() {
    let (pki, now) = pki_now(81);
    let server_config =
        minitls_resuming_server_config(&pki, now, 82, Arc::new(StatefulStrategy::in_memory(16)));
    let store = Arc::new(ForgetsKxGroup(ClientSessionMemoryCache::new(8)));
    let client_config = rustls_resuming_client_config(
        &pki,
        vec![kx_group::SECP256R1, kx_group::X25519],
        Resumption::store(store),
    );

    let mut link = Link::new(
        Connection::server(server_config.clone()),
        rustls_client_with(&client_config),
    );
    link.drive_ok();
    link.assert_connected();
    let n = link.minitls.negotiated();
    assert!(n.hello_retry_request && !n.resumed, "{n:?}");
    assert_eq!(
        link.rustls.handshake_kind(),
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    link.exchange_data();
    link.rustls_closes();

    let trace = Recorder::default();
    let mut link = Link::new(
        Connection::server_with_observer(server_config.clone(), Box::new(trace.clone())),
        rustls_client_with(&client_config),
    );
    link.drive_ok();
    link.assert_connected();
    link.assert_rustls_negotiated();
    let n = link.minitls.negotiated();
    assert!(
        n.hello_retry_request && n.resumed,
        "expected a HelloRetryRequest and a resumption: {n:?}"
    );
    assert_eq!(n.resumption_strategy, Some("stateful"));
    assert_eq!(n.psk_mode, Some("psk_dhe_ke"));
    assert_eq!(n.group, Some(0x001d));
    // rustls reports a resumption, HelloRetryRequest or not.
    assert_eq!(link.rustls.handshake_kind(), Some(HandshakeKind::Resumed));
    let events = trace.events();
    let received: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            RecordedEvent::MessageReceived(name, _) => Some(*name),
            _ => None,
        })
        .collect();
    assert_eq!(received.first(), Some(&"ClientHello"));
    assert_eq!(
        received.iter().filter(|m| **m == "ClientHello").count(),
        2,
        "{received:?}"
    );
    let sent: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            RecordedEvent::MessageSent(name, _) => Some(*name),
            _ => None,
        })
        .collect();
    assert_eq!(sent.first(), Some(&"HelloRetryRequest"), "{sent:?}");
    assert!(!sent.contains(&"Certificate"), "{sent:?}");
    // The single-use ticket survived the retry and was taken once.
    assert_eq!(
        resumption_events(&trace),
        [minitls::trace::ResumptionEvent::Accepted {
            strategy: "stateful",
            psk_mode: "psk_dhe_ke"
        }]
    );
    link.exchange_data();
    link.rustls_closes();
}

/// The contrast: with rustls's own session store, the client remembers
/// that the server chose X25519 and leads with it, so its resumption needs
/// no HelloRetryRequest.
#[test]
fn rustls_client_remembering_x25519_resumes_without_hello_retry_request() {
    let (pki, now) = pki_now(91);
    let server_config =
        minitls_resuming_server_config(&pki, now, 92, Arc::new(Ticketer::new(3600)));
    let client_config = rustls_resuming_client_config(
        &pki,
        vec![kx_group::SECP256R1, kx_group::X25519],
        Resumption::in_memory_sessions(8),
    );
    let mut link = Link::new(
        Connection::server(server_config.clone()),
        rustls_client_with(&client_config),
    );
    link.drive_ok();
    link.assert_connected();
    assert!(link.minitls.negotiated().hello_retry_request);
    link.rustls_closes();

    let mut link = Link::new(
        Connection::server(server_config.clone()),
        rustls_client_with(&client_config),
    );
    link.drive_ok();
    link.assert_connected();
    let n = link.minitls.negotiated();
    assert!(n.resumed && !n.hello_retry_request, "{n:?}");
    assert_eq!(n.resumption_strategy, Some("stateless"));
    assert_eq!(link.rustls.handshake_kind(), Some(HandshakeKind::Resumed));
    link.exchange_data();
}

/// A minitls client connects twice to rustls servers made from one
/// `config`, with one minitls config (and so one session cache); the second
/// connection must resume in psk_dhe_ke.
fn minitls_client_resumes_with_rustls(config: Arc<rustls::ServerConfig>) {
    let (pki, now) = pki_now(101);
    let client_config = minitls_client_config(&pki, now, 102);
    let cache = client_config
        .session_cache
        .clone()
        .expect("ClientConfig::new has a session cache");
    assert!(cache.lock().unwrap().is_empty());

    let mut link = Link::new(
        Connection::client(client_config.clone(), "localhost").expect("minitls client starts"),
        rustls_server_with(&config),
    );
    // rustls sends its tickets after reading our Finished: keep pumping
    // until minitls has seen them.
    link.drive_ok();
    link.assert_connected();
    assert!(!link.minitls.negotiated().resumed);
    assert_eq!(link.rustls.handshake_kind(), Some(HandshakeKind::Full));
    assert!(
        link.minitls_events.contains(&AppEvent::NewTicket),
        "rustls sent no ticket: {:?}",
        link.minitls_events
    );
    assert_eq!(cache.lock().unwrap().len(), 2, "both tickets kept");
    link.exchange_data();
    link.minitls_closes();

    let recorder = Recorder::default();
    let mut link = Link::new(
        Connection::client_with_observer(
            client_config.clone(),
            "localhost",
            Box::new(recorder.clone()),
        )
        .expect("minitls client starts"),
        rustls_server_with(&config),
    );
    link.drive_ok();
    link.assert_connected();
    link.assert_rustls_negotiated();
    let n = link.minitls.negotiated();
    assert!(n.resumed, "minitls did not resume: {n:?}");
    assert_eq!(n.psk_mode, Some("psk_dhe_ke"));
    assert_eq!(n.group, Some(0x001d));
    assert_eq!(n.signature_scheme, None);
    assert!(!n.hello_retry_request);
    assert_eq!(link.rustls.handshake_kind(), Some(HandshakeKind::Resumed));
    let received: Vec<&str> = recorder
        .events()
        .iter()
        .filter_map(|e| match e {
            RecordedEvent::MessageReceived(name, _) => Some(*name),
            _ => None,
        })
        .collect();
    assert!(
        !received.contains(&"Certificate") && !received.contains(&"CertificateVerify"),
        "{received:?}"
    );
    link.exchange_data();
    link.minitls_closes();
    link.rustls_closes();
}

/// rustls's stateful resumption: no ticketer, so its TLS 1.3 tickets are
/// IDs into `session_storage`.
#[test]
fn minitls_client_resumes_with_rustls_session_cache() {
    let (pki, _) = pki_now(101);
    minitls_client_resumes_with_rustls(rustls_resuming_server_config(&pki, |c| {
        c.session_storage = ServerSessionMemoryCache::new(16);
        c.send_tls13_tickets = 2;
        assert!(!c.ticketer.enabled(), "the default has no ticketer");
    }));
}

/// rustls's stateless resumption: tickets sealed by its ticketer.
#[test]
fn minitls_client_resumes_with_rustls_ticketer() {
    let (pki, _) = pki_now(101);
    minitls_client_resumes_with_rustls(rustls_resuming_server_config(&pki, |c| {
        c.ticketer = rustls::crypto::ring::Ticketer::new().expect("rustls makes a ticketer");
        c.send_tls13_tickets = 2;
    }));
}

// ---------------------------------------------------------------------------
// Issue 10: ALPN (RFC 7301), exporters (RFC 8446 §7.5), KeyUpdate (§4.6.3)
// ---------------------------------------------------------------------------

/// Protocol names as both libraries' configs take them.
fn alpn_names(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|n| n.as_bytes().to_vec()).collect()
}

/// rustls offers h2 then http/1.1; the minitls server speaks only
/// http/1.1, so both sides settle on it.
#[test]
fn rustls_client_alpn_with_minitls_server() {
    let (pki, now) = pki_now(1011);
    let mut server = ServerConfig::new(vec![pki.server_cert.clone()], pki.server_key.clone());
    server.rng = SeededRng::shared(1012);
    server.clock = Arc::new(FixedClock(now));
    server.alpn_protocols = alpn_names(&["http/1.1"]);
    let mut config = rustls::ClientConfig::builder_with_provider(provider(vec![kx_group::X25519]))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots(&pki))
        .with_no_client_auth();
    config.alpn_protocols = alpn_names(&["h2", "http/1.1"]);
    let client = rustls_client_with(&Arc::new(config));
    let mut link = Link::new(Connection::server(Arc::new(server)), client);
    link.drive_ok();
    link.assert_connected();
    assert_eq!(link.rustls.alpn_protocol(), Some(&b"http/1.1"[..]));
    assert_eq!(
        link.minitls.negotiated().alpn_protocol.as_deref(),
        Some(&b"http/1.1"[..])
    );
    link.exchange_data();
}

/// The minitls client offers h2 then http/1.1 to a rustls server that
/// speaks http/1.1 only.
#[test]
fn minitls_client_alpn_with_rustls_server() {
    let (pki, now) = pki_now(1021);
    let mut client = ClientConfig::new(pki.trust_anchors());
    client.rng = SeededRng::shared(1022);
    client.clock = Arc::new(FixedClock(now));
    client.alpn_protocols = alpn_names(&["h2", "http/1.1"]);
    let mut config = rustls_server_builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(pki.server_cert.clone())],
            rustls_server_key(&pki),
        )
        .unwrap();
    config.alpn_protocols = alpn_names(&["http/1.1"]);
    let server = rustls_server_with(&Arc::new(config));
    let conn = Connection::client(Arc::new(client), "localhost").unwrap();
    let mut link = Link::new(conn, server);
    link.drive_ok();
    link.assert_connected();
    assert_eq!(link.rustls.alpn_protocol(), Some(&b"http/1.1"[..]));
    assert_eq!(
        link.minitls.negotiated().alpn_protocol.as_deref(),
        Some(&b"http/1.1"[..])
    );
    link.exchange_data();
}

/// rustls's exporter, whichever side it is.
fn rustls_export(conn: &rustls::Connection, context: Option<&[u8]>, out: &mut [u8]) {
    let label = b"EXPERIMENTAL-minitls";
    match conn {
        rustls::Connection::Client(c) => c.export_keying_material(&mut *out, label, context),
        rustls::Connection::Server(s) => s.export_keying_material(&mut *out, label, context),
    }
    .map(|_| ())
    .expect("rustls exports");
}

/// minitls and rustls export the same bytes for a non-empty context and an
/// empty one, and rustls's "no context" is the empty one (RFC 8446 §7.5).
fn assert_exports_agree(link: &Link) {
    let ours = |context: &[u8]| {
        let mut out = [0u8; 40];
        link.minitls
            .export_keying_material(b"EXPERIMENTAL-minitls", context, &mut out)
            .expect("minitls exports");
        out
    };
    for context in [&b"a context"[..], b""] {
        let mut theirs = [0u8; 40];
        rustls_export(&link.rustls, Some(context), &mut theirs);
        assert_eq!(ours(context), theirs, "context {context:?}");
    }
    let mut none = [0u8; 40];
    rustls_export(&link.rustls, None, &mut none);
    assert_eq!(ours(b""), none);
    assert_ne!(ours(b""), ours(b"a context"));
}

/// Exported keying material, minitls against rustls, both ways.
#[test]
fn exporters_agree_with_rustls_both_ways() {
    let (pki, now) = pki_now(1031);
    let server = Connection::server(minitls_server_config(&pki, now, 1032));
    let mut link = Link::new(server, rustls_client(&pki, vec![kx_group::X25519]));
    link.drive_ok();
    link.assert_connected();
    assert_exports_agree(&link);

    let client = Connection::client(minitls_client_config(&pki, now, 1033), "localhost").unwrap();
    let mut link = Link::new(client, rustls_server(&pki));
    link.drive_ok();
    link.assert_connected();
    assert_exports_agree(&link);
}

/// KeyUpdate both ways with rustls (RFC 8446 §4.6.3): minitls updates and
/// asks rustls to (rustls answers with its own), rustls updates on its own
/// (`refresh_traffic_keys`), and after each, data flows both ways.
#[test]
fn key_update_with_rustls_both_ways() {
    let (pki, now) = pki_now(1041);
    let recorder = Recorder::default();
    let server = Connection::server_with_observer(
        minitls_server_config(&pki, now, 1042),
        Box::new(recorder.clone()),
    );
    let mut link = Link::new(server, rustls_client(&pki, vec![kx_group::X25519]));
    link.drive_ok();
    link.assert_connected();

    link.minitls.update_keys(true).unwrap();
    link.drive_ok();
    link.exchange_data();
    link.rustls.refresh_traffic_keys().unwrap();
    link.drive_ok();
    link.rustls_plaintext.clear();
    link.exchange_data();

    let generations = |direction: minitls::trace::Direction| -> Vec<u32> {
        (recorder.events().into_iter())
            .filter_map(|e| match e {
                RecordedEvent::KeysInstalled(d, minitls::trace::Epoch::Application(n))
                    if d == direction =>
                {
                    Some(n)
                }
                _ => None,
            })
            .collect()
    };
    // Each side moved twice: ours by our update, then by our answer to
    // rustls's refresh (rustls sends it with update_requested); rustls's by
    // its answer to our request, then by its refresh.
    assert_eq!(generations(minitls::trace::Direction::Send), [0, 1, 2]);
    assert_eq!(generations(minitls::trace::Direction::Receive), [0, 1, 2]);

    // And with minitls as the client.
    let client = Connection::client(minitls_client_config(&pki, now, 1043), "localhost").unwrap();
    let mut link = Link::new(client, rustls_server(&pki));
    link.drive_ok();
    link.rustls.refresh_traffic_keys().unwrap();
    link.drive_ok();
    link.exchange_data();
    link.minitls.update_keys(true).unwrap();
    link.drive_ok();
    link.rustls_plaintext.clear();
    link.exchange_data();
}

// ---------------------------------------------------------------------------
// Mutual TLS (client certificates), both ways
// ---------------------------------------------------------------------------

/// A client certificate `CN=client` from `pki`'s CA, issued at `now`.
fn client_certificate(pki: &DemoPki, now: UnixTime, seed: u64) -> ClientCertificate {
    let mut rng = SeededRng::new(seed);
    let (cert, key) = pki.issue_client(&mut rng, "client", now.as_secs());
    ClientCertificate {
        certificate_chain: vec![cert],
        private_key: key,
    }
}

/// A minitls server that requires a client certificate from `pki`'s CA.
fn minitls_mutual_server(pki: &DemoPki, now: UnixTime, seed: u64) -> Connection {
    let mut config = ServerConfig::new(vec![pki.server_cert.clone()], pki.server_key.clone());
    config.rng = SeededRng::shared(seed);
    config.clock = Arc::new(FixedClock(now));
    config.client_auth = Some(ClientAuth {
        trust_anchors: pki.trust_anchors(),
        mode: ClientAuthMode::Required,
    });
    Connection::server(Arc::new(config))
}

/// A rustls client presenting `certificate` when asked.
fn rustls_client_with_certificate(
    pki: &DemoPki,
    certificate: &ClientCertificate,
) -> rustls::Connection {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        minitls::pki::pem::encode_ed25519_pkcs8(&certificate.private_key),
    ));
    let chain = (certificate.certificate_chain.iter())
        .map(|der| CertificateDer::from(der.clone()))
        .collect();
    let config = rustls::ClientConfig::builder_with_provider(provider(vec![kx_group::X25519]))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3 with our suite is a valid rustls config")
        .with_root_certificates(roots(pki))
        .with_client_auth_cert(chain, key)
        .expect("rustls accepts the demo client certificate and Ed25519 key");
    let name = ServerName::try_from("localhost").unwrap();
    rustls::ClientConnection::new(Arc::new(config), name)
        .expect("rustls client starts")
        .into()
}

/// rustls client with a certificate → minitls server requiring one: the
/// server validates the chain (clientAuth), verifies the client's
/// CertificateVerify (ring signs Ed25519) and knows the client.
#[test]
fn rustls_client_with_certificate_to_minitls_server_requiring_one() {
    let (pki, now) = pki_now(61);
    let certificate = client_certificate(&pki, now, 62);
    let server = minitls_mutual_server(&pki, now, 63);
    let client = rustls_client_with_certificate(&pki, &certificate);
    let mut link = Link::new(server, client);
    link.drive_ok();
    link.assert_connected();
    link.assert_rustls_negotiated();
    let n = link.minitls.negotiated();
    assert!(n.certificate_requested);
    let identity = n.client_identity.clone().expect("client authenticated");
    assert_eq!(identity.subject, "CN=client");
    assert_eq!(
        identity.certificate_sha256,
        minitls::crypto::sha256(&certificate.certificate_chain[0])
    );
    link.exchange_data();
    link.rustls_closes();
}

/// rustls client without a certificate → minitls server requiring one:
/// certificate_required (RFC 8446 §4.4.2.4), and rustls hears it.
#[test]
fn rustls_client_without_certificate_gets_certificate_required() {
    let (pki, now) = pki_now(64);
    let server = minitls_mutual_server(&pki, now, 65);
    let client = rustls_client(&pki, vec![kx_group::X25519]);
    let mut link = Link::new(server, client);
    link.drive();
    assert_eq!(link.minitls_error, Some(Error::CertificateRequired));
    assert_eq!(
        link.minitls_error.as_ref().and_then(Error::alert),
        Some(AlertDescription::CertificateRequired)
    );
    assert_eq!(
        link.rustls_error,
        Some(rustls::Error::AlertReceived(
            rustls::AlertDescription::CertificateRequired
        ))
    );
}

/// minitls client with a certificate → rustls server requiring one
/// (WebPkiClientVerifier, mandatory): rustls verifies our chain and our
/// CertificateVerify.
#[test]
fn minitls_client_with_certificate_to_rustls_server_requiring_one() {
    let (pki, now) = pki_now(66);
    let certificate = client_certificate(&pki, now, 67);
    let verifier =
        WebPkiClientVerifier::builder_with_provider(roots(&pki), provider(vec![kx_group::X25519]))
            .build()
            .expect("rustls accepts the demo CA as a client-auth root");
    assert!(verifier.client_auth_mandatory());
    let server = rustls_server_from(
        &pki,
        rustls_server_builder().with_client_cert_verifier(verifier),
    );
    let mut config = ClientConfig::new(pki.trust_anchors());
    config.rng = SeededRng::shared(68);
    config.clock = Arc::new(FixedClock(now));
    config.client_certificate = Some(certificate.clone());
    let client = Connection::client(Arc::new(config), "localhost").expect("minitls client starts");
    let mut link = Link::new(client, server);
    link.drive_ok();
    link.assert_connected();
    link.assert_minitls_negotiated();
    assert!(link.minitls.negotiated().client_certificate_sent);
    let seen = link
        .rustls
        .peer_certificates()
        .expect("rustls got our chain");
    assert_eq!(
        seen,
        [CertificateDer::from(
            certificate.certificate_chain[0].clone()
        )]
    );
    link.exchange_data();
    link.minitls_closes();
}
