//! Helpers shared by `tests/negative.rs`, `tests/robustness.rs` and
//! `tests/state_matrix.rs`, on top of the library's `minitls::testing`
//! (the deterministic pair and its driving loop live there, once):
//! cutting a flight into records and messages,
//! re-protecting a record with keys read off the trace, and the one
//! assertion every failure must pass (DESIGN.md principle 8: the right
//! alert, sent once, and a connection that stays failed).
#![allow(dead_code)]

use minitls::key_schedule::{SecretLabel, TrafficSecret, finished_verify_data};
use minitls::messages::{
    ClientHello, ClientHelloExtensions, Extension, Finished, HandshakeMessage, ServerHello,
    ServerHelloExtensions,
};
use minitls::pki::issue::DemoPki;
use minitls::record::{ContentType, OpaqueRecord};
use minitls::testing::{PKI_SEED, demo_pki, deterministic_client, deterministic_server};
pub use minitls::testing::{
    Traced, protection, secret, split_messages, split_records, take, traced_pair,
};
use minitls::trace::{RecordedEvent, Recorder};
use minitls::transcript::Transcript;
use minitls::{AlertDescription, Connection, Error};

pub const CHANGE_CIPHER_SPEC: u8 = 20;
pub const ALERT: u8 = 21;
pub const HANDSHAKE: u8 = 22;
pub const APPLICATION_DATA: u8 = 23;

pub fn join_records(records: &[OpaqueRecord]) -> Vec<u8> {
    records.iter().flat_map(|r| r.encode()).collect()
}

/// One plaintext record `[type, 3, 3, len, len] || body`.
pub fn plain_record(content_type: u8, body: &[u8]) -> Vec<u8> {
    let len = (body.len() as u16).to_be_bytes();
    let mut out = vec![content_type, 3, 3, len[0], len[1]];
    out.extend_from_slice(body);
    out
}

pub fn handshake_record(message: &HandshakeMessage) -> Vec<u8> {
    plain_record(HANDSHAKE, &message.encode().unwrap())
}

/// A ClientHello as a test alters it: the message's fields, and its
/// extension block as wire-level [`Extension`]s in the order they are
/// written. Unlike the typed `ClientHelloExtensions`, the list can break
/// every rule the decoder enforces (duplicates, pre_shared_key not last,
/// extensions of other messages, unknown types), which is what the tests
/// check the server refuses.
#[derive(Clone, Debug, PartialEq)]
pub struct WireClientHello {
    pub legacy_version: u16,
    pub random: [u8; 32],
    pub legacy_session_id: Vec<u8>,
    pub cipher_suites: Vec<u16>,
    pub legacy_compression_methods: Vec<u8>,
    pub extensions: Vec<Extension>,
}

impl WireClientHello {
    /// A decoded ClientHello with its known extensions, in minitls's order
    /// (which is the order minitls sends them in).
    pub fn new(hello: ClientHello) -> Self {
        WireClientHello {
            extensions: hello.extensions.to_list(),
            legacy_version: hello.legacy_version,
            random: hello.random,
            legacy_session_id: hello.legacy_session_id,
            cipher_suites: hello.cipher_suites,
            legacy_compression_methods: hello.legacy_compression_methods,
        }
    }

    /// The first extension of this type in the list.
    pub fn find_extension(&self, extension_type: u16) -> Option<&Extension> {
        self.extensions
            .iter()
            .find(|e| e.extension_type() == extension_type)
    }
}

impl WireHello for WireClientHello {
    /// The handshake message, header included, extensions as listed.
    fn encode(&self) -> Vec<u8> {
        let hello = ClientHello {
            legacy_version: self.legacy_version,
            random: self.random,
            legacy_session_id: self.legacy_session_id.clone(),
            cipher_suites: self.cipher_suites.clone(),
            legacy_compression_methods: self.legacy_compression_methods.clone(),
            extensions: ClientHelloExtensions::default(),
        };
        HandshakeMessage::ClientHello(hello)
            .encode_with_extensions(&self.extensions)
            .unwrap()
    }
}

/// A ServerHello as a test alters it, like [`WireClientHello`]. With
/// `random` set to `HELLO_RETRY_REQUEST_RANDOM` it is a HelloRetryRequest
/// on the wire, with whatever extensions the test lists.
#[derive(Clone, Debug, PartialEq)]
pub struct WireServerHello {
    pub legacy_version: u16,
    pub random: [u8; 32],
    pub legacy_session_id_echo: Vec<u8>,
    pub cipher_suite: u16,
    pub legacy_compression_method: u8,
    pub extensions: Vec<Extension>,
}

impl WireServerHello {
    /// A decoded ServerHello with its known extensions, in minitls's order.
    pub fn new(hello: ServerHello) -> Self {
        WireServerHello {
            extensions: hello.extensions.to_list(),
            legacy_version: hello.legacy_version,
            random: hello.random,
            legacy_session_id_echo: hello.legacy_session_id_echo,
            cipher_suite: hello.cipher_suite,
            legacy_compression_method: hello.legacy_compression_method,
        }
    }

    /// The first extension of this type in the list.
    pub fn find_extension(&self, extension_type: u16) -> Option<&Extension> {
        self.extensions
            .iter()
            .find(|e| e.extension_type() == extension_type)
    }
}

impl WireHello for WireServerHello {
    /// The handshake message, header included, extensions as listed.
    fn encode(&self) -> Vec<u8> {
        let hello = ServerHello {
            legacy_version: self.legacy_version,
            random: self.random,
            legacy_session_id_echo: self.legacy_session_id_echo.clone(),
            cipher_suite: self.cipher_suite,
            legacy_compression_method: self.legacy_compression_method,
            extensions: ServerHelloExtensions::default(),
        };
        HandshakeMessage::ServerHello(hello)
            .encode_with_extensions(&self.extensions)
            .unwrap()
    }
}

/// A hello a test built, on the wire: [`WireClientHello`], [`WireServerHello`].
pub trait WireHello {
    /// The handshake message, header included, extensions as listed.
    fn encode(&self) -> Vec<u8>;

    /// The message in one plaintext handshake record.
    fn record(&self) -> Vec<u8> {
        plain_record(HANDSHAKE, &self.encode())
    }

    /// The message in plaintext handshake records of at most 2^14 bytes.
    fn records(&self) -> Vec<u8> {
        plain_handshake_records(&self.encode())
    }
}

/// Encoded handshake messages in plaintext records of at most 2^14 bytes
/// each (RFC 8446 §5.1: one message may span records).
pub fn plain_handshake_records(encoded: &[u8]) -> Vec<u8> {
    (encoded.chunks(1 << 14))
        .flat_map(|chunk| plain_record(HANDSHAKE, chunk))
        .collect()
}

/// A message of any size in plaintext handshake records of at most 2^14
/// bytes each (RFC 8446 §5.1: one message may span records).
pub fn handshake_records(message: &HandshakeMessage) -> Vec<u8> {
    plain_handshake_records(&message.encode().unwrap())
}

/// Play the client after the server received a ClientHello the test made
/// up (`client_hello`, the message bytes it really got): from the server's
/// first flight and the secrets on its trace, the protected client
/// Finished that completes the handshake (RFC 8446 §4.4.4).
pub fn client_finished_for(
    client_hello: &[u8],
    server_flight: &[u8],
    server: &Recorder,
) -> Vec<u8> {
    let flight = ServerFlight::take_apart(server_flight, server);
    let mut transcript = Transcript::new();
    transcript.add(client_hello);
    transcript.add(&flight.server_hello.fragment);
    for message in &flight.messages {
        transcript.add(message);
    }
    let client_hs = secret(server, SecretLabel::ClientHandshakeTraffic);
    let verify_data =
        finished_verify_data(&TrafficSecret::from_bytes(client_hs), &transcript.current());
    let finished = HandshakeMessage::Finished(Finished { verify_data });
    seal(
        &client_hs,
        0,
        ContentType::Handshake,
        &finished.encode().unwrap(),
    )
}

/// The PKI `Pair::deterministic` uses.
pub fn pki() -> DemoPki {
    demo_pki(PKI_SEED)
}

/// A client like `Pair::deterministic`'s, recording into `recorder`.
pub fn client_with(pki: &DemoPki, recorder: &Recorder) -> Connection {
    deterministic_client(pki, Box::new(recorder.clone()))
}

/// A server like `Pair::deterministic`'s, recording into `recorder`.
pub fn server_with(pki: &DemoPki, recorder: &Recorder) -> Connection {
    deterministic_server(pki, Box::new(recorder.clone()))
}

/// One protected record, as the peer holding `secret` would send it as its
/// `seq`-th record under that secret.
pub fn seal(secret: &[u8; 32], seq: u64, content_type: ContentType, content: &[u8]) -> Vec<u8> {
    protection(secret, seq)
        .encrypt(content_type, content, 0)
        .expect("encrypt")
        .encode()
}

/// Open a protected record sent as the `seq`-th under `secret`.
pub fn open(secret: &[u8; 32], seq: u64, record: &OpaqueRecord) -> (ContentType, Vec<u8>) {
    protection(secret, seq)
        .decrypt(record.clone())
        .expect("decrypt")
}

/// The server's first flight, taken apart: the ServerHello record, the
/// compatibility change_cipher_spec, and the protected record holding
/// EncryptedExtensions, Certificate, CertificateVerify and Finished.
pub struct ServerFlight {
    pub server_hello: OpaqueRecord,
    pub change_cipher_spec: Option<OpaqueRecord>,
    pub protected: OpaqueRecord,
    /// The decrypted messages of the protected record.
    pub messages: Vec<Vec<u8>>,
    pub server_handshake_secret: [u8; 32],
}

impl ServerFlight {
    pub fn take_apart(bytes: &[u8], server: &Recorder) -> ServerFlight {
        let records = split_records(bytes);
        assert_eq!(records[0].content_type, HANDSHAKE);
        let (change_cipher_spec, rest) = if records[1].content_type == CHANGE_CIPHER_SPEC {
            (Some(records[1].clone()), &records[2..])
        } else {
            (None, &records[1..])
        };
        assert_eq!(rest.len(), 1, "the encrypted flight is one record");
        let server_handshake_secret = secret(server, SecretLabel::ServerHandshakeTraffic);
        let (content_type, plaintext) = open(&server_handshake_secret, 0, &rest[0]);
        assert_eq!(content_type, ContentType::Handshake);
        ServerFlight {
            server_hello: records[0].clone(),
            change_cipher_spec,
            protected: rest[0].clone(),
            messages: split_messages(&plaintext),
            server_handshake_secret,
        }
    }

    /// The ServerHello and the change_cipher_spec, in the clear.
    pub fn clear_part(&self) -> Vec<u8> {
        let mut out = self.server_hello.encode();
        if let Some(ccs) = &self.change_cipher_spec {
            out.extend_from_slice(&ccs.encode());
        }
        out
    }

    /// A protected record holding `messages`, in place of the genuine one.
    pub fn reseal(&self, messages: &[Vec<u8>]) -> Vec<u8> {
        seal(
            &self.server_handshake_secret,
            0,
            ContentType::Handshake,
            &messages.concat(),
        )
    }
}

/// A pair after the client's first flight has reached the server, with the
/// server's flight taken apart and not yet delivered.
pub struct AfterServerFlight {
    pub traced: Traced,
    pub flight: ServerFlight,
}

pub fn after_server_flight() -> AfterServerFlight {
    let mut traced = traced_pair();
    traced
        .pair
        .client_to_server()
        .expect("ClientHello accepted");
    let bytes = take(&mut traced.pair.server);
    let flight = ServerFlight::take_apart(&bytes, &traced.server);
    AfterServerFlight { traced, flight }
}

/// The checks every failure must pass (DESIGN.md principle 8, STYLE.md §4):
/// the error names the expected alert; the connection keeps the error; the
/// alert was reported once and is the last thing sent; every later call
/// returns the same error and sends nothing more.
pub fn check_failed(
    conn: &mut Connection,
    recorder: &Recorder,
    err: &Error,
    alert: AlertDescription,
) {
    assert_eq!(err.alert(), Some(alert), "{err:?} should map to {alert}");
    assert_eq!(conn.error(), Some(err));
    // A failure always closes, whichever path raised it.
    assert_eq!(conn.state_name(), "CLOSED", "{err:?} closes the state");
    assert!(!conn.is_handshaking() && !conn.is_connected());
    assert_eq!(conn.buffered_input(), 0, "input is dropped on failure");
    let sent: Vec<AlertDescription> = recorder
        .events()
        .into_iter()
        .filter_map(|e| match e {
            RecordedEvent::AlertSent(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(sent, vec![alert], "exactly one AlertSent, for {err:?}");
    let out = take(conn);
    let last = split_records(&out)
        .pop()
        .expect("the failing side sends an alert record");
    match last.content_type {
        ALERT => assert_eq!(last.fragment, vec![2, alert.to_u8()]),
        // Protected: 2 bytes of alert, 1 byte of inner type, 16 of tag.
        APPLICATION_DATA => assert_eq!(last.fragment.len(), 2 + 1 + 16),
        other => panic!("last record sent is of type {other}, not an alert"),
    }
    check_sticky(conn, err);
}

/// Every later call returns the same error and sends nothing.
pub fn check_sticky(conn: &mut Connection, err: &Error) {
    assert_eq!(
        conn.receive(&[APPLICATION_DATA, 3, 3, 0, 0]),
        Err(err.clone())
    );
    assert_eq!(conn.receive(&[]), Err(err.clone()));
    assert_eq!(conn.send(b"more"), Err(err.clone()));
    assert_eq!(take(conn), Vec::<u8>::new(), "nothing sent after failure");
    assert_eq!(conn.error(), Some(err));
}

/// `result` must be an error matching `$pat`; then [`check_failed`].
#[allow(unused_macros)]
macro_rules! assert_failure {
    ($conn:expr, $recorder:expr, $result:expr, $pat:pat, $alert:expr) => {{
        let err = $result.expect_err("expected the connection to fail");
        assert!(matches!(err, $pat), "unexpected error {err:?}");
        $crate::common::check_failed(&mut $conn, &$recorder, &err, $alert);
        err
    }};
}
