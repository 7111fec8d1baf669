//! The sans-I/O connection: bytes in, bytes out, events up.
//!
//! A [`Connection`] never touches a socket, a clock or the OS RNG. The
//! caller moves bytes; the connection says what they meant. The contract:
//!
//! - **Input.** [`Connection::receive`] takes bytes from the peer, in any
//!   chunking (half a record, three records at once). It decrypts records,
//!   reassembles handshake messages and drives the state machine.
//!   [`Connection::send`] takes application data once connected;
//!   [`Connection::close`] queues a close_notify.
//! - **Output.** After any input call, [`Connection::transmit`] drains the
//!   bytes to write to the peer and [`Connection::poll_event`] yields what
//!   the application should know (connected, data, peer closed).
//! - **Order.** Create, then loop: `transmit` and write everything out; if
//!   [`Connection::is_handshaking`] or you want data, read from the peer and
//!   `receive`; handle `poll_event`. `stream.rs` is exactly this loop.
//!
//! Failure has one path (`Connection::fail`, then `Context::fail`): the
//! state machine becomes closed and buffered input is dropped; the error
//! picks its alert through [`Error::alert`], the alert is queued under the
//! current write keys and an `AlertSent` event is emitted (an error with no
//! alert, such as a fatal alert from the peer, closes without one); every
//! later call returns the same error (failure is sticky). Misuse of the API
//! (`send` before the handshake completed or after `close`) is not a
//! failure: it returns `Error::Misuse` and leaves the connection as it was.
//!
//! The record-level rules enforced here come from RFC 8446 §5:
//! a protected record is the only kind accepted once read keys exist; a
//! single change_cipher_spec of one byte 0x01 is dropped during the
//! handshake (§5, Appendix D.4); alerts are exactly two bytes; handshake
//! messages may be split across records or share one, but MUST NOT span a
//! key change (§5.1).

use std::collections::VecDeque;
use std::sync::Arc;

use crate::client::ClientState;
use crate::config::{ClientConfig, ServerConfig, SharedRng, with_rng};
use crate::crypto::Rng;
use crate::error::{AlertDescription, Error};
use crate::key_schedule::{SecretLabel, TrafficSecret};
use crate::messages::alert::Alert;
use crate::messages::{HandshakeMessage, max_message_len, message_name};
use crate::record::{ContentType, Deframer, OpaqueRecord, RecordLayer, RecordProtection};
use crate::server::ServerState;
use crate::trace::{Direction, Epoch, Event, NoObserver, Observer, Operation};

/// How much early data a server that accepts none will skip (RFC 8446
/// §4.2.10): a client that offered 0-RTT sends it right behind its
/// ClientHello, protected under keys we will never have. minitls
/// advertises no max_early_data_size, so it allows one full record's worth
/// (2^14 bytes plus the 256 of a protected record's overhead); past that,
/// a record that does not decrypt is bad_record_mac after all.
pub const MAX_SKIPPED_EARLY_DATA: usize = crate::record::MAX_CIPHERTEXT;

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
}

/// What the handshake settled, for the application and the CLI summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Negotiated {
    pub cipher_suite: u16,
    pub group: Option<u16>,
    pub signature_scheme: Option<u16>,
    /// The server certificate's subject, on the client.
    pub peer_subject: Option<String>,
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
}

/// Everything the state machines may touch besides their own state: the
/// record layer, the outgoing queue, events, randomness and time. Handlers
/// get `&mut Context` and never see the caller.
pub struct Context {
    pub(crate) is_client: bool,
    pub(crate) records: RecordLayer,
    read_epoch: Option<Epoch>,
    write_epoch: Option<Epoch>,
    deframer: Deframer,
    /// Handshake bytes received but not yet a whole message.
    handshake_in: Vec<u8>,
    /// Handshake messages queued under the current write keys, sent as one
    /// or more records when the keys change or the flight ends.
    handshake_out: Vec<u8>,
    /// Encoded records ready for `transmit`.
    outgoing: Vec<u8>,
    app_events: VecDeque<AppEvent>,
    observer: Box<dyn Observer>,
    rng: SharedRng,
    clock: Arc<dyn crate::config::Clock>,
    pub(crate) client_random: [u8; 32],
    /// RFC 8446 Appendix D.4: the client sent a legacy_session_id, so both
    /// sides send a dummy change_cipher_spec.
    pub(crate) middlebox_compatibility: bool,
    /// RFC 8446 §5: one change_cipher_spec may arrive during the handshake.
    ccs_received: bool,
    /// Appendix D.4: we send at most one.
    ccs_sent: bool,
    pub(crate) negotiated: Negotiated,
    /// Server: the client offered early data we will not read, so records
    /// that do not decrypt (and, after a HelloRetryRequest, application
    /// data before the second ClientHello) are skipped, up to this many
    /// more bytes (RFC 8446 §4.2.10).
    pub(crate) early_data_to_skip: Option<usize>,
    /// Whether any record from the peer has decrypted yet.
    peer_record_decrypted: bool,
    error: Option<Error>,
    peer_closed: bool,
    sent_close_notify: bool,
}

impl Context {
    fn new(
        is_client: bool,
        rng: SharedRng,
        clock: Arc<dyn crate::config::Clock>,
        observer: Box<dyn Observer>,
    ) -> Self {
        Context {
            is_client,
            records: RecordLayer::default(),
            read_epoch: None,
            write_epoch: None,
            deframer: Deframer::default(),
            handshake_in: Vec::new(),
            handshake_out: Vec::new(),
            outgoing: Vec::new(),
            app_events: VecDeque::new(),
            observer,
            rng,
            clock,
            client_random: [0; 32],
            middlebox_compatibility: false,
            ccs_received: false,
            ccs_sent: false,
            negotiated: Negotiated::default(),
            early_data_to_skip: None,
            peer_record_decrypted: false,
            error: None,
            peer_closed: false,
            sent_close_notify: false,
        }
    }

    pub(crate) fn emit(&mut self, event: Event<'_>) {
        self.observer.on_event(&event);
    }

    pub(crate) fn operation(&mut self, op: Operation) {
        self.emit(Event::Operation(op));
    }

    pub(crate) fn with_rng<T>(&mut self, f: impl FnOnce(&mut dyn Rng) -> T) -> T {
        with_rng(&self.rng, f)
    }

    pub(crate) fn now(&self) -> crate::config::UnixTime {
        self.clock.now()
    }

    /// Report a derived secret to the trace (and so to the key log).
    pub(crate) fn secret_derived(&mut self, label: SecretLabel, secret: &[u8]) {
        let client_random = self.client_random;
        self.emit(Event::SecretDerived {
            label,
            client_random: &client_random,
            secret,
        });
    }

    /// Queue one handshake message: encoded, reported, and buffered to go
    /// out under the current write keys.
    pub(crate) fn send_handshake(&mut self, message: &HandshakeMessage) -> Result<Vec<u8>, Error> {
        let bytes = message.encode()?;
        self.emit(Event::MessageSent {
            message,
            bytes: &bytes,
        });
        self.handshake_out.extend_from_slice(&bytes);
        Ok(bytes)
    }

    /// RFC 8446 Appendix D.4: the compatibility change_cipher_spec, always
    /// in the clear, one byte 0x01.
    pub(crate) fn send_change_cipher_spec(&mut self) -> Result<(), Error> {
        if self.ccs_sent {
            return Ok(());
        }
        self.ccs_sent = true;
        self.flush_handshake()?;
        let record = OpaqueRecord {
            content_type: ContentType::ChangeCipherSpec.to_u8(),
            legacy_record_version: 0x0303,
            fragment: vec![1],
        };
        self.push_records(ContentType::ChangeCipherSpec, false, vec![record]);
        Ok(())
    }

    /// Send the queued handshake messages as records.
    pub(crate) fn flush_handshake(&mut self) -> Result<(), Error> {
        if self.handshake_out.is_empty() {
            return Ok(());
        }
        let content = std::mem::take(&mut self.handshake_out);
        let protected = self.records.write.is_some();
        let mut records = Vec::new();
        self.records
            .seal(ContentType::Handshake, &content, &mut records)?;
        self.push_records(ContentType::Handshake, protected, records);
        Ok(())
    }

    fn push_records(
        &mut self,
        content_type: ContentType,
        protected: bool,
        records: Vec<OpaqueRecord>,
    ) {
        for record in records {
            let bytes = record.encode();
            self.emit(Event::RecordSent {
                content_type,
                protected,
                bytes: &bytes,
            });
            self.outgoing.extend_from_slice(&bytes);
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
        self.write_epoch = Some(epoch);
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

    pub(crate) fn app_event(&mut self, event: AppEvent) {
        self.app_events.push_back(event);
    }

    /// Whether any handshake bytes are waiting for the rest of a message:
    /// a key change with those pending is an error (RFC 8446 §5.1).
    pub(crate) fn handshake_bytes_pending(&self) -> bool {
        !self.handshake_in.is_empty()
    }

    fn send_alert(&mut self, alert: AlertDescription) {
        // An alert goes out under the current write keys; a failure to seal
        // it (sequence number exhausted) leaves nothing more we can say.
        let _ = self.flush_handshake();
        let payload = Alert::new(alert).encode();
        let protected = self.records.write.is_some();
        let mut records = Vec::new();
        if self
            .records
            .seal(ContentType::Alert, &payload, &mut records)
            .is_ok()
        {
            self.push_records(ContentType::Alert, protected, records);
        }
    }

    // ANCHOR: fail
    /// The one failure path: pick the alert, send it, report it, close.
    fn fail(&mut self, error: Error) -> Error {
        if let Some(alert) = error.alert() {
            self.send_alert(alert);
            self.emit(Event::AlertSent {
                alert,
                error: Some(&error),
            });
        }
        self.error = Some(error.clone());
        error
    }
    // ANCHOR_END: fail
}

/// Which side we are, with that side's state machine.
enum Side {
    Client(ClientState),
    Server(ServerState),
}

/// A TLS 1.3 connection, client or server. See the module docs for the
/// contract.
pub struct Connection {
    side: Side,
    cx: Context,
}

impl Connection {
    /// A client connection to `server_name`; the ClientHello is queued at once.
    pub fn client(config: Arc<ClientConfig>, server_name: &str) -> Result<Self, Error> {
        Self::client_with_observer(config, server_name, Box::new(NoObserver))
    }

    pub fn client_with_observer(
        config: Arc<ClientConfig>,
        server_name: &str,
        observer: Box<dyn Observer>,
    ) -> Result<Self, Error> {
        let cx = Context::new(true, config.rng.clone(), config.clock.clone(), observer);
        let mut conn = Connection {
            side: Side::Client(ClientState::start(config, server_name)?),
            cx,
        };
        conn.advance().map_err(|e| conn.fail(e))?;
        Ok(conn)
    }

    pub fn server(config: Arc<ServerConfig>) -> Self {
        Self::server_with_observer(config, Box::new(NoObserver))
    }

    pub fn server_with_observer(config: Arc<ServerConfig>, observer: Box<dyn Observer>) -> Self {
        let cx = Context::new(false, config.rng.clone(), config.clock.clone(), observer);
        Connection {
            side: Side::Server(ServerState::start(config)),
            cx,
        }
    }

    // ANCHOR: receive
    /// Feed bytes received from the peer.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if let Some(e) = &self.cx.error {
            return Err(e.clone());
        }
        // RFC 8446 §6.1: "Any data received after a closure alert has been
        // received MUST be ignored." Ignored, not buffered.
        if self.cx.peer_closed {
            return Ok(());
        }
        self.cx.deframer.push(bytes);
        let result = self.process_records();
        if self.cx.peer_closed {
            self.cx.deframer.clear();
        } else {
            self.cx.deframer.compact();
        }
        result.map_err(|e| self.fail(e))
    }
    // ANCHOR_END: receive

    /// Every whole record buffered, until the peer's close_notify.
    fn process_records(&mut self) -> Result<(), Error> {
        while !self.cx.peer_closed {
            match self.cx.deframer.pop()? {
                Some(record) => self.process_record(record)?,
                None => break,
            }
        }
        Ok(())
    }

    /// A failure, wherever it was raised: the alert goes out (the one path
    /// in `Context::fail`), the state machine is closed and the input
    /// dropped, so the connection reports CLOSED and not handshaking.
    fn fail(&mut self, error: Error) -> Error {
        self.take_side();
        self.cx.deframer.clear();
        self.cx.handshake_in = Vec::new();
        self.cx.fail(error)
    }

    /// Drain the bytes to send to the peer into `out`; returns how many.
    pub fn transmit(&mut self, out: &mut Vec<u8>) -> usize {
        let n = self.cx.outgoing.len();
        out.append(&mut self.cx.outgoing);
        n
    }

    /// Whether `transmit` has anything.
    pub fn wants_write(&self) -> bool {
        !self.cx.outgoing.is_empty()
    }

    /// Send application data (only once connected).
    pub fn send(&mut self, data: &[u8]) -> Result<(), Error> {
        if let Some(e) = &self.cx.error {
            return Err(e.clone());
        }
        if self.is_handshaking() {
            return Err(Error::Misuse("send before the handshake completed"));
        }
        if self.cx.sent_close_notify {
            return Err(Error::Misuse("send after close"));
        }
        let mut records = Vec::new();
        let result = self
            .cx
            .records
            .seal(ContentType::ApplicationData, data, &mut records);
        if let Err(e) = result {
            return Err(self.fail(e));
        }
        self.cx
            .push_records(ContentType::ApplicationData, true, records);
        Ok(())
    }

    /// Queue a close_notify (RFC 8446 §6.1). Nothing more can be sent.
    pub fn close(&mut self) {
        if !self.cx.sent_close_notify && self.cx.error.is_none() {
            self.cx.sent_close_notify = true;
            self.cx.send_alert(AlertDescription::CloseNotify);
            self.cx.emit(Event::AlertSent {
                alert: AlertDescription::CloseNotify,
                error: None,
            });
        }
    }

    /// The next thing the application should know about.
    pub fn poll_event(&mut self) -> Option<AppEvent> {
        self.cx.app_events.pop_front()
    }

    /// Whether the handshake is still under way: neither connected nor
    /// closed by a failure.
    pub fn is_handshaking(&self) -> bool {
        !self.is_connected() && self.state_name() != "CLOSED"
    }

    /// Whether the handshake completed (and no failure closed us since).
    pub fn is_connected(&self) -> bool {
        match &self.side {
            Side::Client(s) => s.is_connected(),
            Side::Server(s) => s.is_connected(),
        }
    }

    pub fn is_client(&self) -> bool {
        self.cx.is_client
    }

    /// The name of the current state, as RFC 8446 Appendix A writes it.
    pub fn state_name(&self) -> &'static str {
        match &self.side {
            Side::Client(s) => s.name(),
            Side::Server(s) => s.name(),
        }
    }

    /// Bytes received from the peer and held, not yet a whole record or a
    /// whole handshake message: bounded by one record plus the largest
    /// message its state accepts, whatever the peer sends.
    pub fn buffered_input(&self) -> usize {
        self.cx.deframer.len() + self.cx.handshake_in.len()
    }

    /// The error that closed the connection, if any.
    pub fn error(&self) -> Option<&Error> {
        self.cx.error.as_ref()
    }

    pub fn peer_closed(&self) -> bool {
        self.cx.peer_closed
    }

    /// What the handshake negotiated (complete once connected).
    pub fn negotiated(&self) -> &Negotiated {
        &self.cx.negotiated
    }

    /// Run the transitions that need no input (the client's START, the
    /// server's RECVD_CH and NEGOTIATED), then send what they queued.
    fn advance(&mut self) -> Result<(), Error> {
        loop {
            let from = self.state_name();
            let (next, moved) = match self.take_side() {
                Side::Client(s) => {
                    let (next, moved) = s.handle_without_input(&mut self.cx)?;
                    (Side::Client(next), moved)
                }
                Side::Server(s) => {
                    let (next, moved) = s.handle_without_input(&mut self.cx)?;
                    (Side::Server(next), moved)
                }
            };
            self.side = next;
            if !moved {
                return self.cx.flush_handshake();
            }
            let to = self.state_name();
            self.cx.emit(Event::StateChanged { from, to });
        }
    }

    // ANCHOR: process_record
    fn process_record(&mut self, record: OpaqueRecord) -> Result<(), Error> {
        let raw = record.encode();
        // The deframer refused unknown types already.
        let Some(outer_type) = ContentType::from_u8(record.content_type) else {
            return Err(Error::UnexpectedRecord("unknown record content type"));
        };
        self.cx.emit(Event::RecordReceived {
            content_type: outer_type,
            protected: self.cx.records.read.is_some() && outer_type == ContentType::ApplicationData,
            bytes: &raw,
        });

        // RFC 8446 §5: a change_cipher_spec of exactly 0x01, unprotected,
        // between the first ClientHello and the peer's Finished, is dropped.
        // That it is dropped only once is minitls's policy (a peer has no
        // reason to send two); §5 requires only the rest.
        if outer_type == ContentType::ChangeCipherSpec {
            let in_window =
                self.is_handshaking() && (self.cx.is_client || self.has_seen_client_hello());
            if record.fragment != [1]
                || !in_window
                || self.cx.ccs_received
                || self.cx.handshake_bytes_pending()
            {
                return Err(Error::UnexpectedRecord(
                    "change_cipher_spec not allowed here",
                ));
            }
            self.cx.ccs_received = true;
            return Ok(());
        }

        let Some((content_type, content)) = self.open_record(outer_type, record)? else {
            return Ok(()); // skipped early data
        };
        // RFC 8446 §5.1: "Handshake messages MUST NOT be interleaved with
        // other record types": a message still in pieces admits only more
        // handshake records.
        if content_type != ContentType::Handshake && self.cx.handshake_bytes_pending() {
            return Err(Error::UnexpectedRecord(
                "a record of another type between the fragments of a handshake message",
            ));
        }
        // RFC 8446 §5.4: "Implementations MUST NOT send Handshake and Alert
        // records that have a zero-length TLSInnerPlaintext.content; if
        // such a message is received, the receiving implementation MUST
        // terminate the connection with an "unexpected_message" alert."
        // (§5.1 says the same of Handshake fragments, padding or not.)
        let must_not_be_empty = matches!(content_type, ContentType::Handshake | ContentType::Alert);
        if must_not_be_empty && content.is_empty() {
            return Err(Error::UnexpectedRecord(
                "empty handshake or alert record (RFC 8446 §5.1)",
            ));
        }
        match content_type {
            ContentType::Handshake => self.receive_handshake(&content),
            ContentType::Alert => self.receive_alert(&content),
            ContentType::ApplicationData => {
                if self.cx.records.read.is_none() || self.is_handshaking() {
                    return Err(Error::UnexpectedRecord(
                        "application data before the handshake completed",
                    ));
                }
                self.cx.app_event(AppEvent::Data(content));
                Ok(())
            }
            ContentType::ChangeCipherSpec => Err(Error::UnexpectedRecord(
                "change_cipher_spec inside a protected record",
            )),
        }
    }
    // ANCHOR_END: process_record

    // ANCHOR: open_record
    /// A record's real content type and content: decrypted when read keys
    /// are installed, as is before. `None` for early data the server skips.
    fn open_record(
        &mut self,
        outer_type: ContentType,
        record: OpaqueRecord,
    ) -> Result<Option<(ContentType, Vec<u8>)>, Error> {
        let Some(protection) = self.cx.records.read.as_mut() else {
            // After a HelloRetryRequest to a client that offered 0-RTT, its
            // early data arrives before its second ClientHello (RFC 8446
            // §4.2.10): skipped, within the limit.
            if outer_type == ContentType::ApplicationData && self.cx.early_data_to_skip.is_some() {
                return self.skip_early_data(&record).map(|()| None);
            }
            return plaintext(outer_type, record).map(Some);
        };
        if outer_type != ContentType::ApplicationData {
            // A client that could not process our ServerHello sends its
            // alert in the clear, before it has any keys (RFC 8446 §6: it
            // is read as the alert it is, not refused).
            let unprotected_alert = outer_type == ContentType::Alert
                && !self.cx.is_client
                && !self.cx.peer_record_decrypted;
            if unprotected_alert {
                return plaintext(outer_type, record).map(Some);
            }
            // RFC 8446 §5.2: once keys are in use, everything is a
            // protected application_data record.
            return Err(Error::UnexpectedRecord(
                "unprotected record after keys were installed",
            ));
        }
        match protection.decrypt(&record) {
            Ok(opened) => {
                self.cx.peer_record_decrypted = true;
                // The client's flight has begun: no more early data.
                self.cx.early_data_to_skip = None;
                Ok(Some(opened))
            }
            // RFC 8446 §4.2.10: a server that rejects early data skips
            // records that fail to decrypt with the handshake key.
            Err(Error::BadRecordMac) if self.cx.early_data_to_skip.is_some() => {
                self.skip_early_data(&record).map(|()| None)
            }
            Err(e) => Err(e),
        }
    }

    /// Count one skipped early-data record against the limit; past it,
    /// the record is what it looks like: bad_record_mac.
    fn skip_early_data(&mut self, record: &OpaqueRecord) -> Result<(), Error> {
        let left = self.cx.early_data_to_skip.unwrap_or(0);
        let Some(left) = left.checked_sub(record.fragment.len()) else {
            return Err(Error::BadRecordMac);
        };
        self.cx.early_data_to_skip = Some(left);
        Ok(())
    }
    // ANCHOR_END: open_record

    /// Move the state out to hand it to a handler; the connection stays
    /// closed unless the handler returns a next state.
    fn take_side(&mut self) -> Side {
        let closed = if self.cx.is_client {
            Side::Client(ClientState::Closed)
        } else {
            Side::Server(ServerState::Closed)
        };
        std::mem::replace(&mut self.side, closed)
    }

    fn has_seen_client_hello(&self) -> bool {
        match &self.side {
            Side::Server(s) => s.has_seen_client_hello(),
            Side::Client(_) => true,
        }
    }

    fn receive_alert(&mut self, content: &[u8]) -> Result<(), Error> {
        let alert = Alert::read(&mut crate::codec::Reader::new(content))?;
        self.cx.emit(Event::AlertReceived {
            alert: alert.description,
        });
        if alert.description == AlertDescription::CloseNotify {
            // RFC 8446 §6.1: close_notify ends the peer's input. Before the
            // handshake completed there is no connection to end cleanly:
            // the handshake failed (and we answer nothing).
            if self.is_handshaking() {
                return Err(Error::AlertReceived(AlertDescription::CloseNotify));
            }
            self.cx.peer_closed = true;
            self.cx.app_event(AppEvent::PeerClosed);
            return Ok(());
        }
        // RFC 8446 §6: every other alert (user_canceled aside) is fatal
        // whatever its level says; we close without answering.
        if alert.description == AlertDescription::UserCanceled {
            return Ok(());
        }
        Err(Error::AlertReceived(alert.description))
    }

    // ANCHOR: receive_handshake
    /// Reassemble handshake messages from records (one message may span
    /// records; one record may carry several) and hand each to the state
    /// machine. Each message's type and length are judged from its 4-byte
    /// header, before its body is waited for or decoded.
    fn receive_handshake(&mut self, content: &[u8]) -> Result<(), Error> {
        self.cx.handshake_in.extend_from_slice(content);
        // Messages are taken from the front by moving `at`; the buffer is
        // shortened once at the end, so many small messages cost O(n).
        let mut at = 0;
        let result = loop {
            let buf = &self.cx.handshake_in[at..];
            if buf.len() < 4 {
                break Ok(());
            }
            let msg_type = buf[0];
            let len = u32::from_be_bytes([0, buf[1], buf[2], buf[3]]) as usize;
            // RFC 8446 Appendix A: a message the current state does not
            // expect is unexpected_message, decided from its type alone.
            if !self.expects(msg_type) {
                break Err(Error::UnexpectedMessage {
                    state: self.state_name(),
                    got: message_name(msg_type),
                });
            }
            // No message of this type can be longer (its struct's bounds):
            // refused before we buffer its body.
            if len > max_message_len(msg_type) {
                break Err(Error::decode("Handshake.length"));
            }
            if buf.len() < 4 + len {
                break Ok(());
            }
            let bytes = buf[..4 + len].to_vec();
            at += 4 + len;
            let read_epoch = self.cx.read_epoch;
            if let Err(e) = self.process_handshake_message(&bytes) {
                break Err(e);
            }
            // RFC 8446 §5.1: "Handshake messages MUST NOT span key changes";
            // bytes after a key-changing message in the same record would
            // have been protected under the old keys.
            if self.cx.read_epoch != read_epoch && self.cx.handshake_in.len() > at {
                break Err(Error::UnexpectedRecord(
                    "handshake message spans a key change",
                ));
            }
        };
        self.cx.handshake_in.drain(..at);
        result
    }
    // ANCHOR_END: receive_handshake

    /// Decode one whole handshake message, report it, and run its transition.
    fn process_handshake_message(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let message = HandshakeMessage::decode(bytes)?;
        self.cx.emit(Event::MessageReceived {
            message: &message,
            bytes,
        });
        self.dispatch(message, bytes)?;
        self.advance()
    }

    /// Whether the current state accepts a handshake message of this type.
    fn expects(&self, msg_type: u8) -> bool {
        match &self.side {
            Side::Client(s) => s.expects(msg_type),
            Side::Server(s) => s.expects(msg_type),
        }
    }

    // ANCHOR: dispatch
    fn dispatch(&mut self, message: HandshakeMessage, bytes: &[u8]) -> Result<(), Error> {
        let (from, next) = match self.take_side() {
            Side::Client(s) => {
                let from = s.name();
                (from, Side::Client(s.handle(message, bytes, &mut self.cx)?))
            }
            Side::Server(s) => {
                let from = s.name();
                (from, Side::Server(s.handle(message, bytes, &mut self.cx)?))
            }
        };
        self.side = next;
        let to = self.state_name();
        if from != to {
            self.cx.emit(Event::StateChanged { from, to });
        }
        Ok(())
    }
    // ANCHOR_END: dispatch
}

/// A record sent in the clear, as it is: its content type and fragment, no
/// longer than 2^14 bytes (RFC 8446 §5.1: record_overflow).
fn plaintext(
    content_type: ContentType,
    record: OpaqueRecord,
) -> Result<(ContentType, Vec<u8>), Error> {
    if record.fragment.len() > crate::record::MAX_PLAINTEXT {
        return Err(Error::RecordOverflow);
    }
    Ok((content_type, record.fragment))
}
