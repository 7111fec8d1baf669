//! The whole-connection targets: a real minitls client or server, fed
//! fuzzer-chosen records that the harness encrypts under the right keys.
//!
//! Everything after the ServerHello is encrypted, so random bytes would
//! only ever reach bad_record_mac. Instead the harness plays the peer:
//!
//! 1. Setup, once per process ([`world`]): a deterministic client and
//!    server (seeded RNGs, a fixed clock, a stateless ticketer) run a full
//!    handshake and a resumed one, and the harness keeps the genuine wire
//!    bytes and plaintext messages of each flight.
//! 2. Each input makes a fresh connection with the same seeds, so it sends
//!    the same hello and accepts the recorded reply. The connection's own
//!    trace ([`KeySpy`]: `Event::SecretDerived` and `Event::KeysInstalled`)
//!    says which keys it reads with now; the harness derives the record
//!    keys from that secret (RFC 8446 §7.3; `traffic upd` for KeyUpdate,
//!    §7.2) and seals each fuzzer chunk with them. So EncryptedExtensions,
//!    Certificate, CertificateVerify, Finished, NewSessionTicket, KeyUpdate,
//!    alerts and application data all reach their decoders and transitions.
//!
//! The input format is byte-driven, simple enough to write seeds by hand:
//!
//! ```text
//! input := mode chunk*
//! chunk := ctl len_hi len_lo body[len]     (a short tail is one last chunk)
//! ```
//!
//! `mode` picks the prefix the harness replays before the chunks
//! ([`GENUINE_HELLO_SKIPPED`], [`GENUINE_FLIGHT`], [`RESUME`],
//! [`PSK_KE`]). In `ctl`, bits 0-1 pick the inner content type
//! (handshake, application_data, alert, change_cipher_spec), bits 2-3 the
//! padding (0, 1, 37 or 259 zero bytes), [`RAW`] sends the body to
//! `receive` as is (framing, plaintext records, junk), and [`SPLIT`]
//! delivers the record in two halves. Before the connection has read keys,
//! a chunk travels as a plaintext record of its type.
//!
//! A fuzzer cannot forge a Finished (an HMAC over the transcript) or a
//! CertificateVerify (a signature), so after a hello or flight it changed,
//! the handshake would end there. [`HARNESS_FINISHED`] and
//! [`HARNESS_CERTIFICATE_VERIFY`] replace the body with the right message
//! for the transcript so far (the connection's own `MessageSent` and
//! `MessageReceived` events, HelloRetryRequest's message_hash included),
//! made with the peer's handshake secret and the demo server key: so a
//! fuzzer-chosen ClientHello or EncryptedExtensions can still reach
//! CONNECTED, tickets and resumption.

use std::sync::{Arc, Mutex, OnceLock};

use minitls::config::{ClientConfig, ServerConfig};
use minitls::connection::Connection;
use minitls::crypto::hmac_sha256;
use minitls::error::Error;
use minitls::key_schedule::{SecretLabel, TrafficKeys, hkdf_expand_label};
use minitls::messages::certificate_verify::{CLIENT_CONTEXT, SERVER_CONTEXT, signed_content};
use minitls::messages::{PSK_DHE_KE, PSK_KE as PSK_KE_MODE};
use minitls::pki::issue::DemoPki;
use minitls::record::{ContentType, Deframer, MAX_CIPHERTEXT, OpaqueRecord, RecordProtection};
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::client_cache::ClientSessionCache;
use minitls::resumption::ticketer::Ticketer;
use minitls::testing::{Pair, client_config, demo_pki, server_config};
use minitls::trace::{Direction, Epoch, Event, Observer, RecordedEvent, Recorder};
use minitls::transcript::Transcript;

/// `mode` bit: do not replay the genuine ClientHello (server target) or
/// ServerHello (client target); the fuzzer's first chunks are the hello.
pub const GENUINE_HELLO_SKIPPED: u8 = 1 << 0;
/// `mode` bit: replay the peer's genuine encrypted flight (server's
/// EncryptedExtensions..Finished; client's Finished), so the chunks start
/// on a connected endpoint under application keys.
pub const GENUINE_FLIGHT: u8 = 1 << 1;
/// `mode` bit. Client target: afterwards, open a second connection with
/// whatever ticket the chunks delivered, against a real server. Server
/// target: the hello is the genuine resumption ClientHello (a PSK from a
/// ticket of the first connection) and the flight its Finished.
pub const RESUME: u8 = 1 << 2;
/// `mode` bit, client target with [`RESUME`]: the second connection offers
/// only psk_ke (no X25519), and the server accepts it.
pub const PSK_KE: u8 = 1 << 3;

/// `mode` bit, client target: the client sends no X25519 share in its
/// first ClientHello (`initial_key_share = false`), so a HelloRetryRequest
/// is legal and the second ClientHello is reachable. The genuine
/// ServerHello does not fit that hello, so it is skipped too.
pub const NO_INITIAL_KEY_SHARE: u8 = 1 << 4;

/// `ctl` bit: the body goes to `receive` exactly as given.
pub const RAW: u8 = 1 << 5;
/// `ctl` bit: the record is delivered in two `receive` calls.
pub const SPLIT: u8 = 1 << 6;
/// `ctl` bits: the body is the peer's correct Finished for the transcript so far.
pub const HARNESS_FINISHED: u8 = 1 << 7;
/// `ctl` bits: the body is a correct CertificateVerify by the demo server key.
pub const HARNESS_CERTIFICATE_VERIFY: u8 = 1 << 7 | 1 << 4;
const PADDING: [usize; 4] = [0, 1, 37, 259];

/// `ctl` values for the common chunks (no padding, not raw, not split).
pub const HANDSHAKE: u8 = 0;
pub const APPLICATION_DATA: u8 = 1;
pub const ALERT: u8 = 2;
pub const CHANGE_CIPHER_SPEC: u8 = 3;

const CLIENT_SEED: u64 = 2;
const SERVER_SEED: u64 = 3;
const RESUMED_CLIENT_SEED: u64 = 4;
const RESUMED_SERVER_SEED: u64 = 5;

/// One chunk in the input format above.
pub fn chunk(ctl: u8, body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(body.len()).expect("a chunk body fits in 16 bits");
    let mut out = vec![ctl];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// What the genuine runs left behind, for every input to reuse.
pub struct World {
    pki: DemoPki,
    /// Shared by every server the harness makes, so a ticket sealed in one
    /// connection opens in the next. Stateless, so replays are repeatable.
    ticketer: Arc<dyn ResumptionStrategy>,
    /// The client's first flight on the wire (one plaintext record).
    pub client_hello: Vec<u8>,
    /// The server's ServerHello record on the wire.
    pub server_hello: Vec<u8>,
    /// The server's encrypted flight in plaintext: EncryptedExtensions,
    /// Certificate, CertificateVerify, Finished, each with its header.
    pub server_flight: Vec<Vec<u8>>,
    /// The client's Finished in plaintext.
    pub client_finished: Vec<u8>,
    /// The NewSessionTicket messages the server sent after the handshake.
    pub tickets: Vec<Vec<u8>>,
    /// The second connection: a ClientHello offering a ticket of the first.
    pub resumed_client_hello: Vec<u8>,
    pub resumed_server_hello: Vec<u8>,
    pub resumed_server_flight: Vec<Vec<u8>>,
    pub resumed_client_finished: Vec<u8>,
}

fn new_cache() -> Arc<Mutex<ClientSessionCache>> {
    Arc::new(Mutex::new(ClientSessionCache::new(4)))
}

fn make_client_config(
    pki: &DemoPki,
    seed: u64,
    cache: Arc<Mutex<ClientSessionCache>>,
    psk_ke: bool,
    initial_key_share: bool,
) -> Arc<ClientConfig> {
    let mut config = client_config(pki, seed);
    config.session_cache = Some(cache);
    config.initial_key_share = initial_key_share;
    if psk_ke {
        config.psk_modes = vec![PSK_KE_MODE];
    }
    Arc::new(config)
}

fn make_server_config(
    pki: &DemoPki,
    ticketer: &Arc<dyn ResumptionStrategy>,
    seed: u64,
    psk_ke: bool,
) -> Arc<ServerConfig> {
    let mut config = server_config(pki, seed);
    config.resumption = Some(ticketer.clone());
    if psk_ke {
        config.psk_modes = vec![PSK_DHE_KE, PSK_KE_MODE];
    }
    Arc::new(config)
}

/// The first plaintext record this side sent, and its handshake messages.
fn sent(recorder: &Recorder) -> (Vec<u8>, Vec<(&'static str, Vec<u8>)>) {
    let events = recorder.events();
    let first_record = events
        .iter()
        .find_map(|e| match e {
            RecordedEvent::RecordSent(ContentType::Handshake, false, bytes) => Some(bytes.clone()),
            _ => None,
        })
        .expect("a hello record was sent");
    let messages = events
        .into_iter()
        .filter_map(|e| match e {
            RecordedEvent::MessageSent(name, bytes) => Some((name, bytes)),
            _ => None,
        })
        .collect();
    (first_record, messages)
}

fn named(messages: &[(&'static str, Vec<u8>)], names: &[&str]) -> Vec<Vec<u8>> {
    messages
        .iter()
        .filter(|(n, _)| names.contains(n))
        .map(|(_, b)| b.clone())
        .collect()
}

/// The genuine runs, made once per process.
pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let pki = demo_pki(1);
        let ticketer: Arc<dyn ResumptionStrategy> = Arc::new(Ticketer::new(24 * 3600));
        let cache = new_cache();
        let flight = [
            "EncryptedExtensions",
            "Certificate",
            "CertificateVerify",
            "Finished",
        ];

        let run = |client_seed, server_seed| {
            let (client_rec, server_rec) = (Recorder::default(), Recorder::default());
            let client = Connection::client_with_observer(
                make_client_config(&pki, client_seed, cache.clone(), false, true),
                "localhost",
                Box::new(client_rec.clone()),
            )
            .expect("the client starts");
            let server = Connection::server_with_observer(
                make_server_config(&pki, &ticketer, server_seed, false),
                Box::new(server_rec.clone()),
            );
            let mut pair = Pair::new(client, server);
            pair.drive().expect("the genuine handshake completes");
            assert!(!pair.client.is_handshaking() && !pair.server.is_handshaking());
            let resumed = pair.server.negotiated().resumed;
            (sent(&client_rec), sent(&server_rec), resumed)
        };

        let ((client_hello, client_msgs), (server_hello, server_msgs), resumed) =
            run(CLIENT_SEED, SERVER_SEED);
        assert!(!resumed);
        assert!(
            !cache.lock().unwrap().is_empty(),
            "the first connection left a ticket"
        );
        let (
            (resumed_client_hello, resumed_client_msgs),
            (resumed_server_hello, resumed_msgs),
            resumed,
        ) = run(RESUMED_CLIENT_SEED, RESUMED_SERVER_SEED);
        assert!(resumed, "the second connection resumed");

        World {
            client_hello,
            server_hello,
            server_flight: named(&server_msgs, &flight),
            client_finished: named(&client_msgs, &["Finished"]).remove(0),
            tickets: named(&server_msgs, &["NewSessionTicket"]),
            resumed_client_hello,
            resumed_server_hello,
            resumed_server_flight: named(&resumed_msgs, &flight),
            resumed_client_finished: named(&resumed_client_msgs, &["Finished"]).remove(0),
            pki,
            ticketer,
        }
    })
}

/// The secrets a connection derived and the epoch it reads in, from its trace.
#[derive(Default)]
struct Keys {
    secrets: Vec<(SecretLabel, [u8; 32])>,
    read_epoch: Option<Epoch>,
    /// Handshake messages sent and received, in order: the transcript.
    messages: Vec<(&'static str, Vec<u8>)>,
}

#[derive(Clone, Default)]
struct KeySpy(Arc<Mutex<Keys>>);

impl Observer for KeySpy {
    fn on_event(&mut self, event: &Event<'_>) {
        let mut keys = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            Event::SecretDerived { label, secret, .. } => {
                if let Ok(secret) = <[u8; 32]>::try_from(*secret) {
                    keys.secrets.push((*label, secret));
                }
            }
            Event::KeysInstalled {
                direction: Direction::Receive,
                epoch,
            } => keys.read_epoch = Some(*epoch),
            Event::MessageSent { message, bytes } | Event::MessageReceived { message, bytes } => {
                keys.messages.push((message.name(), bytes.to_vec()))
            }
            _ => {}
        }
    }
}

/// The harness as the peer: seals records with the keys the connection
/// under test currently reads with.
struct Peer {
    spy: KeySpy,
    /// Whether the connection under test is the client (so the peer
    /// signs as a server).
    peer_is_server: bool,
    handshake_label: SecretLabel,
    application_label: SecretLabel,
    sealing: Option<(Epoch, RecordProtection)>,
}

impl Peer {
    fn new(spy: KeySpy, handshake_label: SecretLabel, application_label: SecretLabel) -> Self {
        Peer {
            peer_is_server: handshake_label == SecretLabel::ServerHandshakeTraffic,
            spy,
            handshake_label,
            application_label,
            sealing: None,
        }
    }

    fn protection(&mut self) -> Option<&mut RecordProtection> {
        let (epoch, secret) = {
            let keys = self.spy.0.lock().unwrap_or_else(|p| p.into_inner());
            let epoch = keys.read_epoch?;
            if self.sealing.as_ref().map(|(e, _)| *e) == Some(epoch) {
                return self.sealing.as_mut().map(|(_, p)| p);
            }
            let (label, generation) = match epoch {
                // The fuzzed pairs never send 0-RTT: no early secret to find.
                Epoch::EarlyData => return None,
                Epoch::Handshake => (self.handshake_label, 0),
                Epoch::Application(n) => (self.application_label, n),
            };
            let mut secret = keys.secrets.iter().rev().find(|(l, _)| *l == label)?.1;
            for _ in 0..generation {
                let mut next = [0u8; 32];
                hkdf_expand_label(&secret, "traffic upd", b"", &mut next);
                secret = next;
            }
            (epoch, secret)
        };
        let mut keys = TrafficKeys {
            key: [0; 32],
            iv: [0; 12],
        };
        hkdf_expand_label(&secret, "key", b"", &mut keys.key);
        hkdf_expand_label(&secret, "iv", b"", &mut keys.iv);
        self.sealing = Some((epoch, RecordProtection::new(&keys)));
        self.sealing.as_mut().map(|(_, p)| p)
    }

    /// The peer's Finished or CertificateVerify for the transcript so far
    /// (RFC 8446 §4.4.3, §4.4.4); empty before handshake keys exist.
    fn harness_message(&self, certificate_verify: bool) -> Vec<u8> {
        let keys = self.spy.0.lock().unwrap_or_else(|p| p.into_inner());
        let mut transcript = Transcript::new();
        for (name, bytes) in &keys.messages {
            if *name == "HelloRetryRequest" {
                transcript.restart_for_hrr();
            }
            transcript.add(bytes);
        }
        let th = transcript.current();
        if certificate_verify {
            let context = if self.peer_is_server {
                SERVER_CONTEXT
            } else {
                CLIENT_CONTEXT
            };
            let signature = world()
                .pki
                .server_key
                .sign(&signed_content(context, th.as_bytes()));
            let mut m = vec![15, 0, 0, 68, 0x08, 0x07, 0, 64];
            m.extend_from_slice(&signature);
            return m;
        }
        let Some((_, secret)) = keys
            .secrets
            .iter()
            .rev()
            .find(|(l, _)| *l == self.handshake_label)
        else {
            return Vec::new();
        };
        let mut finished_key = [0u8; 32];
        hkdf_expand_label(secret, "finished", b"", &mut finished_key);
        let mut m = vec![20, 0, 0, 32];
        m.extend_from_slice(&hmac_sha256(&finished_key, th.as_bytes()));
        m
    }

    /// The wire bytes of one chunk.
    fn wire(&mut self, ctl: u8, body: &[u8]) -> Vec<u8> {
        if ctl & RAW != 0 {
            return body.to_vec();
        }
        let made;
        let body = if ctl & HARNESS_FINISHED != 0 {
            made = self
                .harness_message(ctl & HARNESS_CERTIFICATE_VERIFY == HARNESS_CERTIFICATE_VERIFY);
            &made[..]
        } else {
            body
        };
        let content_type = [
            ContentType::Handshake,
            ContentType::ApplicationData,
            ContentType::Alert,
            ContentType::ChangeCipherSpec,
        ][usize::from(ctl & 3)];
        let padding = PADDING[usize::from((ctl >> 2) & 3)];
        match self.protection() {
            Some(protection) => {
                // At most what still frames (2^14 + 256), so the record
                // reaches decryption and its inner-length check.
                let room = MAX_CIPHERTEXT - 16 - 1 - padding;
                let body = &body[..body.len().min(room)];
                protection
                    .encrypt(content_type, body, padding)
                    .expect("a fresh sequence number")
                    .encode()
            }
            None => OpaqueRecord {
                content_type: content_type.to_u8(),
                legacy_record_version: 0x0303,
                fragment: body.to_vec(),
            }
            .encode(),
        }
    }
}

/// The last whole record in `bytes`.
fn last_record(bytes: &[u8]) -> Option<OpaqueRecord> {
    let mut deframer = Deframer::default();
    deframer.push(bytes);
    let mut last = None;
    while let Ok(Some(record)) = deframer.pop() {
        last = Some(record);
    }
    last
}

/// DESIGN.md principle 8: a failure is an error with an alert, the alert
/// is on the wire (the last record sent), and the failure is sticky.
fn check_failure(conn: &Connection, error: &Error, sent: &[u8]) {
    assert_eq!(conn.error(), Some(error), "the error is kept");
    if let Error::AlertReceived(_) = error {
        return;
    }
    let alert = error
        .alert()
        .unwrap_or_else(|| panic!("error without an alert: {error:?}"));
    let last = last_record(sent).unwrap_or_else(|| panic!("{error:?}: no alert sent"));
    match last.content_type {
        // In the clear: level, description.
        21 => assert_eq!(last.fragment, [2, alert.to_u8()], "{error:?}"),
        // Protected: 2 bytes, the inner type, the 16-byte tag.
        23 => assert_eq!(last.fragment.len(), 2 + 1 + 16, "{error:?}"),
        other => panic!("{error:?}: last record sent has type {other}, not an alert"),
    }
}

/// Give `wire` to the connection, drain its output and events, check a failure.
fn deliver(conn: &mut Connection, wire: &[u8], split: bool) -> Result<(), Error> {
    let result = if split && wire.len() > 1 {
        let (a, b) = wire.split_at(wire.len() / 2);
        conn.receive(a).and_then(|()| conn.receive(b))
    } else {
        conn.receive(wire)
    };
    let mut sent = Vec::new();
    conn.transmit(&mut sent);
    while conn.poll_event().is_some() {}
    if let Err(e) = &result {
        check_failure(conn, e, &sent);
        assert_eq!(conn.receive(&[]).as_ref(), Err(e), "failure is sticky");
    }
    result
}

/// Feed every chunk of `input`, sealed as the peer would, until one fails.
fn feed(conn: &mut Connection, peer: &mut Peer, mut input: &[u8]) -> Result<(), Error> {
    while let Some((&ctl, rest)) = input.split_first() {
        let (len, rest) = match rest {
            [hi, lo, rest @ ..] => (usize::from(u16::from_be_bytes([*hi, *lo])), rest),
            _ => (rest.len(), rest),
        };
        let (body, tail) = rest.split_at(len.min(rest.len()));
        input = tail;
        let wire = peer.wire(ctl, body);
        deliver(conn, &wire, ctl & SPLIT != 0)?;
    }
    Ok(())
}

/// Seal whole messages as one handshake record and deliver it.
fn deliver_flight(conn: &mut Connection, peer: &mut Peer, messages: &[Vec<u8>]) {
    let wire = peer.wire(HANDSHAKE, &messages.concat());
    deliver(conn, &wire, false).expect("the genuine flight is accepted");
}

fn split_mode(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((&mode, rest)) => (mode, rest),
        None => (0, &[]),
    }
}

/// Where a client input ended.
#[derive(Debug)]
pub struct ClientOutcome {
    pub state: &'static str,
    pub error: Option<Error>,
    /// Tickets in the client's cache after the chunks.
    pub tickets: usize,
    /// With [`RESUME`] and a ticket: whether the second connection resumed,
    /// or the error it failed with.
    pub second: Option<Result<bool, Error>>,
}

/// **client**: a deterministic client against fuzzer-chosen server records.
/// Reaches the ServerHello/HelloRetryRequest handling (with
/// [`GENUINE_HELLO_SKIPPED`]), every message of the server's encrypted
/// flight, NewSessionTicket, KeyUpdate, alerts and data after the
/// handshake, and (with [`RESUME`]) a second connection offering the ticket
/// the chunks delivered to a real server.
pub fn client(data: &[u8]) -> ClientOutcome {
    let world = world();
    let (mode, chunks) = split_mode(data);
    let cache = new_cache();
    let spy = KeySpy::default();
    let mut conn = Connection::client_with_observer(
        make_client_config(
            &world.pki,
            CLIENT_SEED,
            cache.clone(),
            false,
            mode & NO_INITIAL_KEY_SHARE == 0,
        ),
        "localhost",
        Box::new(spy.clone()),
    )
    .expect("the client starts");
    let mut peer = Peer::new(
        spy,
        SecretLabel::ServerHandshakeTraffic,
        SecretLabel::ServerApplicationTraffic0,
    );
    if mode & (GENUINE_HELLO_SKIPPED | NO_INITIAL_KEY_SHARE) == 0 {
        deliver(&mut conn, &world.server_hello, false).expect("the genuine ServerHello works");
        if mode & GENUINE_FLIGHT != 0 {
            deliver_flight(&mut conn, &mut peer, &world.server_flight);
            assert!(!conn.is_handshaking());
        }
    }
    let error = feed(&mut conn, &mut peer, chunks).err();
    let tickets = cache.lock().unwrap_or_else(|p| p.into_inner()).len();
    let mut outcome = ClientOutcome {
        state: conn.state_name(),
        error,
        tickets,
        second: None,
    };
    if mode & RESUME != 0 && tickets > 0 {
        outcome.second = Some(second_connection(world, cache, mode & PSK_KE != 0));
    }
    outcome
}

/// A client with the tickets of the first connection against a real server.
fn second_connection(
    world: &World,
    cache: Arc<Mutex<ClientSessionCache>>,
    psk_ke: bool,
) -> Result<bool, Error> {
    let config = make_client_config(&world.pki, RESUMED_CLIENT_SEED, cache, psk_ke, true);
    let client = Connection::client(config, "localhost")?;
    let server = Connection::server(make_server_config(
        &world.pki,
        &world.ticketer,
        RESUMED_SERVER_SEED,
        psk_ke,
    ));
    let mut pair = Pair::new(client, server);
    if let Err(e) = pair.drive() {
        assert!(
            e.alert().is_some() || matches!(e, Error::AlertReceived(_)),
            "error without an alert: {e:?}"
        );
        return Err(e);
    }
    assert!(!pair.client.is_handshaking() && !pair.server.is_handshaking());
    Ok(pair.server.negotiated().resumed)
}

/// Where a server input ended.
#[derive(Debug)]
pub struct ServerOutcome {
    pub state: &'static str,
    pub error: Option<Error>,
    pub resumed: bool,
}

/// **server**: a deterministic server (stateless tickets) against
/// fuzzer-chosen client records. Reaches ClientHello parsing and
/// negotiation (with [`GENUINE_HELLO_SKIPPED`]: the fuzzer's own hello,
/// PSK identities and binders included), the client's second flight
/// (Certificate, CertificateVerify, Finished, or anything else) under
/// client_handshake_traffic_secret, and KeyUpdate, alerts and data under
/// the application secrets; with [`RESUME`], all of that after a genuine
/// resumption ClientHello.
pub fn server(data: &[u8]) -> ServerOutcome {
    let world = world();
    let (mode, chunks) = split_mode(data);
    let resume = mode & RESUME != 0;
    let seed = if resume {
        RESUMED_SERVER_SEED
    } else {
        SERVER_SEED
    };
    let spy = KeySpy::default();
    let mut conn = Connection::server_with_observer(
        make_server_config(&world.pki, &world.ticketer, seed, false),
        Box::new(spy.clone()),
    );
    let mut peer = Peer::new(
        spy,
        SecretLabel::ClientHandshakeTraffic,
        SecretLabel::ClientApplicationTraffic0,
    );
    if mode & GENUINE_HELLO_SKIPPED == 0 {
        let (hello, finished) = if resume {
            (&world.resumed_client_hello, &world.resumed_client_finished)
        } else {
            (&world.client_hello, &world.client_finished)
        };
        deliver(&mut conn, hello, false).expect("the genuine ClientHello works");
        if mode & GENUINE_FLIGHT != 0 {
            deliver_flight(&mut conn, &mut peer, std::slice::from_ref(finished));
            assert!(!conn.is_handshaking());
        }
    }
    let error = feed(&mut conn, &mut peer, chunks).err();
    ServerOutcome {
        state: conn.state_name(),
        error,
        resumed: conn.negotiated().resumed,
    }
}
