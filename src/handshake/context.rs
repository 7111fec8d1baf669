//! What a handshake handler may do besides change its own state.
//!
//! A handler in `client` or `server` gets a `&mut Context` and, through
//! it, can queue a handshake message (RFC 8446 §4), send the compatibility
//! change_cipher_spec (Appendix D.4), install new keys in either direction
//! (Appendix A's `K_send = ...` and `K_recv = ...`, §7.3), report a trace
//! event, draw randomness and read the clock. It never sees a socket, the
//! records it has yet to read, or the caller: those belong to
//! `connection`, one layer up.
//!
//! What the handshake settled for the application is kept here too
//! ([`Negotiated`]), as are the events the application will poll
//! ([`AppEvent`]).

use std::collections::VecDeque;
use std::sync::Arc;

use crate::config::{LockedPerDraw, SharedRng, with_rng};
use crate::crypto::Rng;
use crate::error::{AlertDescription, Error};
use crate::key_schedule::{SecretLabel, TrafficSecret};
use crate::messages::HandshakeMessage;
use crate::messages::alert::Alert;
use crate::record::{
    ContentType, OpaqueRecord, RecordLayer, RecordProtection, record_header, whole_records,
};
use crate::time::{Clock, UnixTime};
use crate::trace::{Direction, Epoch, Event, Observer, Operation};

/// What the application should know about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppEvent {
    /// The handshake completed.
    Connected,
    /// Application data from the peer.
    Data(Vec<u8>),
    /// A NewSessionTicket arrived (client side).
    NewTicket,
    /// The peer sent close_notify.
    PeerClosed,
    /// Server: 0-RTT data from the client (RFC 8446 §2.3), read before its
    /// Finished. It may be a replay (RFC 8446 §8): act on it only if doing
    /// so twice is harmless.
    EarlyData(Vec<u8>),
}

/// What the handshake settled, for the application and the CLI summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Negotiated {
    /// The cipher suite of the ServerHello (RFC 8446 §4.1.3); minitls has one.
    pub cipher_suite: u16,
    /// The key exchange group (RFC 8446 §4.2.7); `None` for a psk_ke resumption.
    pub group: Option<u16>,
    /// The server's CertificateVerify scheme (RFC 8446 §4.2.3); `None` when
    /// a PSK authenticated the server instead.
    pub signature_scheme: Option<u16>,
    /// The server certificate's subject, on the client.
    pub peer_subject: Option<String>,
    /// The server certificate's issuer, on the client.
    pub peer_issuer: Option<String>,
    /// The server name the client asked for (SNI), on both sides.
    pub server_name: Option<String>,
    /// Whether the server asked for a retry (HelloRetryRequest).
    pub hello_retry_request: bool,
    /// Whether this handshake resumed a session with a PSK.
    pub resumed: bool,
    /// `psk_dhe_ke` or `psk_ke` when resumed (RFC 8446 §4.2.9).
    pub psk_mode: Option<&'static str>,
    /// Server: which strategy found the session ("stateful" or "stateless").
    pub resumption_strategy: Option<&'static str>,
    /// The application protocol ALPN settled on (RFC 7301 §3.2); `None`
    /// when the client offered none, or the server answered none.
    pub alpn_protocol: Option<Vec<u8>>,
    /// Whether the server sent a CertificateRequest (RFC 8446 §4.3.2): on
    /// the server, it asked; on the client, it was asked.
    pub certificate_requested: bool,
    /// Client: whether it answered the request with a certificate (and a
    /// CertificateVerify), rather than an empty Certificate.
    pub client_certificate_sent: bool,
    /// Server: the client it authenticated by certificate, in this
    /// handshake or, on a resumed connection, in the one that made the
    /// session (RFC 8446 §4.6.1). `None`: an anonymous client.
    pub client_identity: Option<crate::resumption::peer_identity::PeerIdentity>,
    /// Early data (RFC 8446 §4.2.10): `None` when the client offered none;
    /// `Some(true)` when the server accepted it (its EncryptedExtensions
    /// carried early_data), `Some(false)` when it was rejected (and, on the
    /// server, skipped). A client whose early data was rejected may send it
    /// again now; minitls never does so by itself (RFC 8446 §4.2.10).
    pub early_data_accepted: Option<bool>,
}

/// How much early data a server that rejects it will skip at least (RFC
/// 8446 §4.2.10): a client that offered 0-RTT sends it right behind its
/// ClientHello, protected under keys we will never have. With early data
/// off, minitls advertises no max_early_data_size, so it allows one full
/// record's worth (2^14 bytes plus the 256 of a protected record's
/// overhead); with it on, the configured max_early_data_size if larger
/// (`select_parameters`). Past that, a record that does not decrypt is
/// bad_record_mac after all.
pub const MAX_SKIPPED_EARLY_DATA: usize = crate::record::MAX_CIPHERTEXT;

/// Everything a handler may touch besides its own state: the record
/// layer's keys, the outgoing queue, events, randomness and time.
pub struct Context {
    pub(crate) is_client: bool,
    /// Both directions' record protection: the handlers install keys, the
    /// connection reads and writes records with them.
    pub(crate) records: RecordLayer,
    read_epoch: Option<Epoch>,
    /// Handshake messages queued under the current write keys, sent as one
    /// or more records when the keys change or the flight ends.
    handshake_out: Vec<u8>,
    /// Encoded records ready for `transmit`.
    pub(crate) outgoing: Vec<u8>,
    pub(crate) app_events: VecDeque<AppEvent>,
    observer: Box<dyn Observer>,
    rng: SharedRng,
    clock: Arc<dyn Clock>,
    /// The ClientHello's random: the key log names secrets by it.
    pub(crate) client_random: [u8; 32],
    /// RFC 8446 Appendix D.4: the client sent a legacy_session_id, so both
    /// sides send a dummy change_cipher_spec.
    pub(crate) middlebox_compatibility: bool,
    /// Appendix D.4: we send at most one.
    ccs_sent: bool,
    pub(crate) negotiated: Negotiated,
    /// Server: the client offered early data we will not read, so records
    /// that do not decrypt (and, after a HelloRetryRequest, application
    /// data before the second ClientHello) are skipped, up to this many
    /// more bytes (RFC 8446 §4.2.10). Set by the server's handlers, obeyed
    /// by the connection's record reader.
    pub(crate) early_data_to_skip: Option<usize>,
    /// Server, in WAIT_EOED: the client's 0-RTT data is being read, and
    /// this many more bytes of it are allowed (RFC 8446 §4.6.1:
    /// max_early_data_size). Set by the server's handlers, counted by the
    /// connection's record reader.
    pub(crate) early_data_left: Option<usize>,
}

/// Room a queue (of handshake messages, or of records to send) takes when
/// it starts a flight: a whole resumption flight, or a full handshake's
/// with the demo certificate (about 640 bytes), fits without regrowing.
/// Queues are handed on (flushed, transmitted) between flights, so an idle
/// connection holds none of this.
const FLIGHT_CAPACITY: usize = 1024;

/// Give an empty queue room for a flight; a queue in use is left alone.
fn start_flight(queue: &mut Vec<u8>) {
    if queue.capacity() == 0 {
        queue.reserve(FLIGHT_CAPACITY);
    }
}

impl Context {
    /// A context with no keys, nothing queued and nothing settled yet.
    pub(crate) fn new(
        is_client: bool,
        rng: SharedRng,
        clock: Arc<dyn Clock>,
        observer: Box<dyn Observer>,
    ) -> Self {
        Context {
            is_client,
            records: RecordLayer::default(),
            read_epoch: None,
            handshake_out: Vec::new(),
            outgoing: Vec::new(),
            app_events: VecDeque::new(),
            observer,
            rng,
            clock,
            client_random: [0; 32],
            middlebox_compatibility: false,
            ccs_sent: false,
            negotiated: Negotiated::default(),
            early_data_to_skip: None,
            early_data_left: None,
        }
    }

    /// Report an event to the observer (the trace, the key log, `--explain`).
    pub(crate) fn emit(&mut self, event: Event<'_>) {
        self.observer.on_event(&event);
    }

    /// Report a record as it arrived, header and all. Its bytes are put
    /// together only for an observer that listens.
    pub(crate) fn record_received(
        &mut self,
        content_type: ContentType,
        protected: bool,
        record: &OpaqueRecord,
    ) {
        if self.observer.is_listening() {
            let bytes = record.encode();
            self.emit(Event::RecordReceived {
                content_type,
                protected,
                bytes: &bytes,
            });
        }
    }

    /// Report one cryptographic operation, for the cost tables.
    pub(crate) fn operation(&mut self, op: Operation) {
        self.emit(Event::Operation(op));
    }

    /// Draw from the configuration's RNG.
    pub(crate) fn with_rng<T>(&mut self, f: impl FnOnce(&mut dyn Rng) -> T) -> T {
        with_rng(&self.rng, f)
    }

    /// The configuration's RNG for slow work that draws as it goes: locked
    /// per draw, not for the whole call ([`LockedPerDraw`]).
    pub(crate) fn rng_locked_per_draw(&self) -> LockedPerDraw<'_> {
        LockedPerDraw(&self.rng)
    }

    /// The configuration's clock.
    pub(crate) fn now(&self) -> UnixTime {
        self.clock.now()
    }

    /// Report a derived secret to the trace (and so to the key log). Only
    /// the key derivations of `handshake::keys` and the KeyUpdates of
    /// `handshake::traffic` call this, each with the label it derived under.
    pub(crate) fn secret_derived(&mut self, label: SecretLabel, secret: &[u8]) {
        let client_random = self.client_random;
        self.emit(Event::SecretDerived {
            label,
            client_random: &client_random,
            secret,
        });
    }

    /// Queue one handshake message: encoded straight into the queue of
    /// messages to go out under the current write keys, and reported.
    /// Returns its bytes, for the transcript.
    pub(crate) fn send_handshake(&mut self, message: &HandshakeMessage) -> Result<&[u8], Error> {
        start_flight(&mut self.handshake_out);
        let start = self.handshake_out.len();
        message.encode_appended_to(&mut self.handshake_out)?;
        let bytes = &self.handshake_out[start..];
        self.observer
            .on_event(&Event::MessageSent { message, bytes });
        Ok(bytes)
    }

    /// Queue one handshake message its sender has already encoded as
    /// `bytes` (the ClientHello, whose binder is written into its bytes).
    pub(crate) fn send_encoded(&mut self, message: &HandshakeMessage, bytes: &[u8]) {
        self.emit(Event::MessageSent { message, bytes });
        start_flight(&mut self.handshake_out);
        self.handshake_out.extend_from_slice(bytes);
    }

    /// RFC 8446 Appendix D.4: the compatibility change_cipher_spec, always
    /// in the clear, one byte 0x01.
    pub(crate) fn send_change_cipher_spec(&mut self) -> Result<(), Error> {
        if self.ccs_sent {
            return Ok(());
        }
        self.ccs_sent = true;
        self.flush_handshake()?;
        start_flight(&mut self.outgoing);
        let start = self.outgoing.len();
        let content_type = ContentType::ChangeCipherSpec;
        let header = record_header(content_type.to_u8(), 0x0303, 1);
        self.outgoing.extend_from_slice(&header);
        self.outgoing.push(1);
        self.report_records(content_type, false, start);
        Ok(())
    }

    /// Send the queued handshake messages as records.
    pub(crate) fn flush_handshake(&mut self) -> Result<(), Error> {
        if self.handshake_out.is_empty() {
            return Ok(());
        }
        // Taken, not cleared: a connection keeps no buffer between flights.
        let content = std::mem::take(&mut self.handshake_out);
        self.send_records(ContentType::Handshake, &content)
    }

    /// Seal `content` into the outgoing queue as records of `content_type`,
    /// reporting each.
    pub(crate) fn send_records(
        &mut self,
        content_type: ContentType,
        content: &[u8],
    ) -> Result<(), Error> {
        let protected = self.records.write.is_some();
        // Application data gets exactly its records' room (from `seal`).
        if content_type != ContentType::ApplicationData {
            start_flight(&mut self.outgoing);
        }
        let start = self.outgoing.len();
        self.records
            .seal(content_type, content, &mut self.outgoing)?;
        self.report_records(content_type, protected, start);
        Ok(())
    }

    /// Report the records queued from `start` on, each as it went out.
    fn report_records(&mut self, content_type: ContentType, protected: bool, start: usize) {
        for bytes in whole_records(&self.outgoing[start..]) {
            self.observer.on_event(&Event::RecordSent {
                content_type,
                protected,
                bytes,
            });
        }
    }

    // ANCHOR: install_keys
    /// Start protecting what we send with keys from `secret` (Appendix A's
    /// `K_send = ...`). Queued handshake messages go out under the old keys.
    pub(crate) fn install_write_key(
        &mut self,
        secret: &TrafficSecret,
        epoch: Epoch,
    ) -> Result<(), Error> {
        self.flush_handshake()?;
        self.records.write = Some(RecordProtection::new(&secret.traffic_keys()));
        self.emit(Event::KeysInstalled {
            direction: Direction::Send,
            epoch,
        });
        Ok(())
    }

    /// Start expecting records protected with keys from `secret`
    /// (Appendix A's `K_recv = ...`).
    pub(crate) fn install_read_key(&mut self, secret: &TrafficSecret, epoch: Epoch) {
        self.records.read = Some(RecordProtection::new(&secret.traffic_keys()));
        self.read_epoch = Some(epoch);
        self.emit(Event::KeysInstalled {
            direction: Direction::Receive,
            epoch,
        });
    }
    // ANCHOR_END: install_keys

    /// Which keys records from the peer are read with now (`None`: in the clear).
    pub(crate) fn read_epoch(&self) -> Option<Epoch> {
        self.read_epoch
    }

    /// Tell the application something (polled with `Connection::poll_event`).
    pub(crate) fn app_event(&mut self, event: AppEvent) {
        self.app_events.push_back(event);
    }

    /// Queue an alert under the current write keys and report it. A failure
    /// to seal it (sequence number exhausted) leaves nothing more we can say.
    pub(crate) fn send_alert(&mut self, alert: AlertDescription, error: Option<&Error>) {
        let _ = self.flush_handshake();
        let payload = Alert::new(alert).encode();
        let _ = self.send_records(ContentType::Alert, &payload);
        self.emit(Event::AlertSent { alert, error });
    }
}
