//! The sans-I/O connection: bytes in, bytes out, events up.
//!
//! A [`Connection`] never touches a socket, a clock or the OS RNG. The
//! caller moves bytes; the connection says what they meant. The contract:
//!
//! - **Input.** [`Connection::receive`] takes bytes from the peer, in any
//!   chunking (half a record, three records at once). It decrypts records,
//!   reassembles handshake messages and drives the state machine.
//!   [`Connection::send`] takes application data once connected;
//!   [`Connection::close`] queues a close_notify. Once connected,
//!   [`Connection::update_keys`] sends a KeyUpdate (RFC 8446 §4.6.3) and
//!   [`Connection::export_keying_material`] derives keying material for
//!   the application (RFC 8446 §7.5).
//! - **Output.** After any input call, [`Connection::transmit`] drains the
//!   bytes to write to the peer and [`Connection::poll_event`] yields what
//!   the application should know (connected, data, peer closed).
//! - **Order.** Create, then loop: `transmit` and write everything out; if
//!   [`Connection::is_handshaking`] or you want data, read from the peer and
//!   `receive`; handle `poll_event`. `stream.rs` is exactly this loop.
//!
//! Failure has one path (`Connection::fail`): the
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

use std::sync::Arc;

use crate::client::ClientState;
use crate::config::{ClientConfig, ServerConfig};
use crate::error::{AlertDescription, Error, UnexpectedRecord};
use crate::handshake::context::Context;
pub use crate::handshake::context::{AppEvent, MAX_SKIPPED_EARLY_DATA, Negotiated};
use crate::key_schedule::tls_exporter;
pub use crate::key_schedule::{MAX_EXPORTER_LABEL_LEN, MAX_EXPORTER_LEN};
use crate::messages::alert::Alert;
use crate::messages::{HandshakeMessage, max_message_len, message_name};
use crate::record::{ContentType, Deframer, OpaqueRecord};
use crate::server::ServerState;
use crate::trace::{Event, NoObserver, Observer, ResumptionEvent};

/// Which side we are, with that side's state machine.
enum Side {
    Client(ClientState),
    Server(ServerState),
}

/// A TLS 1.3 connection, client or server. See the module docs for the
/// contract.
pub struct Connection {
    side: Side,
    /// What the state machines may touch: keys, the outgoing queue, events.
    cx: Context,
    deframer: Deframer,
    /// Handshake bytes received but not yet a whole message.
    handshake_in: Vec<u8>,
    /// RFC 8446 §5: one change_cipher_spec may arrive during the handshake.
    ccs_received: bool,
    /// Whether any record from the peer has decrypted yet.
    peer_record_decrypted: bool,
    /// The failure that closed the connection: every later call returns it.
    error: Option<Error>,
    peer_closed: bool,
    sent_close_notify: bool,
}

impl Connection {
    /// A client connection to `server_name`; the ClientHello is queued at once.
    pub fn client(config: Arc<ClientConfig>, server_name: &str) -> Result<Self, Error> {
        Self::client_with_observer(config, server_name, Box::new(NoObserver))
    }

    /// A client connection that reports every event of its handshake to
    /// `observer` (the trace, `--explain`, the key log).
    pub fn client_with_observer(
        config: Arc<ClientConfig>,
        server_name: &str,
        observer: Box<dyn Observer>,
    ) -> Result<Self, Error> {
        let cx = Context::new(true, config.rng.clone(), config.clock.clone(), observer);
        let side = Side::Client(ClientState::start(config, server_name)?);
        let mut conn = Connection::new(side, cx);
        conn.advance().map_err(|e| conn.fail(e))?;
        Ok(conn)
    }

    /// A client connection that sends `early_data` as 0-RTT data right
    /// behind its ClientHello (RFC 8446 §2.3), if the ticket it resumes
    /// with allows it (its NewSessionTicket carried early_data, the data
    /// fits its max_early_data_size, and we offer its ALPN protocol
    /// first). Whether it was sent and accepted is
    /// [`Negotiated::early_data_accepted`] once connected; minitls never
    /// sends it again by itself (RFC 8446 §4.2.10), so on `None` or
    /// `Some(false)` the application decides whether to [`Connection::send`]
    /// it. Early data can be replayed by an attacker (RFC 8446 §8, §E.5):
    /// send only what is harmless twice.
    pub fn client_with_early_data(
        config: Arc<ClientConfig>,
        server_name: &str,
        early_data: &[u8],
        observer: Box<dyn Observer>,
    ) -> Result<Self, Error> {
        let cx = Context::new(true, config.rng.clone(), config.clock.clone(), observer);
        let early = Some(early_data.to_vec());
        let side = Side::Client(ClientState::start_with_early_data(
            config,
            server_name,
            early,
        )?);
        let mut conn = Connection::new(side, cx);
        conn.advance().map_err(|e| conn.fail(e))?;
        Ok(conn)
    }

    /// A server connection, waiting for a ClientHello.
    pub fn server(config: Arc<ServerConfig>) -> Self {
        Self::server_with_observer(config, Box::new(NoObserver))
    }

    /// A server connection that reports every event to `observer`.
    pub fn server_with_observer(config: Arc<ServerConfig>, observer: Box<dyn Observer>) -> Self {
        let cx = Context::new(false, config.rng.clone(), config.clock.clone(), observer);
        Connection::new(Side::Server(ServerState::start(config)), cx)
    }

    fn new(side: Side, cx: Context) -> Self {
        Connection {
            side,
            cx,
            deframer: Deframer::default(),
            handshake_in: Vec::new(),
            ccs_received: false,
            peer_record_decrypted: false,
            error: None,
            peer_closed: false,
            sent_close_notify: false,
        }
    }

    // ANCHOR: receive
    /// Feed bytes received from the peer.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        // RFC 8446 §6.1: "Any data received after a closure alert has been
        // received MUST be ignored." Ignored, not buffered.
        if self.peer_closed {
            return Ok(());
        }
        self.deframer.push(bytes);
        let result = self.process_records();
        if self.peer_closed {
            self.deframer.clear();
        } else {
            self.deframer.compact();
        }
        result.map_err(|e| self.fail(e))
    }
    // ANCHOR_END: receive

    /// Every whole record buffered, until the peer's close_notify.
    fn process_records(&mut self) -> Result<(), Error> {
        while !self.peer_closed {
            match self.deframer.pop()? {
                Some(record) => self.process_record(record)?,
                None => break,
            }
        }
        Ok(())
    }

    // ANCHOR: fail
    /// The one failure path, wherever the error was raised: the error
    /// picks its alert (`Error::alert`), the alert goes out and is
    /// reported, the state machine is closed and the input dropped, so the
    /// connection reports CLOSED and not handshaking, and every later call
    /// returns the same error.
    fn fail(&mut self, error: Error) -> Error {
        self.take_side();
        self.deframer.clear();
        self.handshake_in = Vec::new();
        if let Some(alert) = error.alert() {
            self.cx.send_alert(alert, Some(&error));
        }
        self.error = Some(error.clone());
        error
    }
    // ANCHOR_END: fail

    /// Drain the bytes to send to the peer into `out`; returns how many.
    pub fn transmit(&mut self, out: &mut Vec<u8>) -> usize {
        let n = self.cx.outgoing.len();
        // The queue's buffer goes with its bytes (moved, not copied, when
        // `out` is empty), so an idle connection holds no send buffer.
        let queued = std::mem::take(&mut self.cx.outgoing);
        if out.is_empty() {
            *out = queued;
        } else {
            out.extend_from_slice(&queued);
        }
        n
    }

    /// Whether `transmit` has anything.
    pub fn wants_write(&self) -> bool {
        !self.cx.outgoing.is_empty()
    }

    /// Send application data (only once connected).
    pub fn send(&mut self, data: &[u8]) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.is_handshaking() {
            return Err(Error::Misuse("send before the handshake completed"));
        }
        if self.sent_close_notify {
            return Err(Error::Misuse("send after close"));
        }
        let result = self.cx.send_records(ContentType::ApplicationData, data);
        result.map_err(|e| self.fail(e))
    }

    /// Queue a close_notify (RFC 8446 §6.1). Nothing more can be sent.
    pub fn close(&mut self) {
        if !self.sent_close_notify && self.error.is_none() {
            self.sent_close_notify = true;
            self.cx.send_alert(AlertDescription::CloseNotify, None);
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

    /// Whether this is the client's end of the connection.
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
        self.deframer.len() + self.handshake_in.len()
    }

    /// The error that closed the connection, if any.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// Whether the peer sent close_notify (RFC 8446 §6.1): it will send
    /// nothing more, and anything it sends is ignored.
    pub fn peer_closed(&self) -> bool {
        self.peer_closed
    }

    /// What the handshake negotiated (complete once connected).
    pub fn negotiated(&self) -> &Negotiated {
        &self.cx.negotiated
    }

    // ANCHOR: update_keys
    /// Send a KeyUpdate (RFC 8446 §4.6.3) and move our sending keys to the
    /// next generation (§7.2); with `request_peer_update`, ask the peer to
    /// do the same (it must, before its next application data). Only once
    /// connected and before `close`; and RFC 8446 §4.6.3 forbids
    /// requesting again before the peer's KeyUpdate has arrived. Those are
    /// `Error::Misuse`, which leaves the connection as it was.
    pub fn update_keys(&mut self, request_peer_update: bool) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.sent_close_notify {
            return Err(Error::Misuse("KeyUpdate after close"));
        }
        let result = match &mut self.side {
            Side::Client(s) => s.update_keys(request_peer_update, &mut self.cx),
            Side::Server(s) => s.update_keys(request_peer_update, &mut self.cx),
        };
        match result {
            Err(e @ Error::Misuse(_)) => Err(e),
            Err(e) => Err(self.fail(e)),
            Ok(()) => Ok(()),
        }
    }
    // ANCHOR_END: update_keys

    // ANCHOR: export_keying_material
    /// Keying material exported from this connection (RFC 8446 §7.5):
    /// `out.len()` bytes of TLS-Exporter(label, context, out.len()), the
    /// same bytes the peer derives for the same label and context, and
    /// unrelated to anything else the connection uses.
    ///
    /// Only once connected (the exporter_master_secret is then known to
    /// both sides and, on the server, the client's Finished has verified).
    /// In TLS 1.3 no context and an empty context are the same: pass `b""`.
    /// `label` is at most [`MAX_EXPORTER_LABEL_LEN`] bytes and `out` at
    /// most [`MAX_EXPORTER_LEN`]. Anything else is `Error::Misuse`, which
    /// leaves the connection as it was.
    pub fn export_keying_material(
        &self,
        label: &[u8],
        context: &[u8],
        out: &mut [u8],
    ) -> Result<(), Error> {
        let secret = match &self.side {
            Side::Client(s) => s.exporter_master_secret(),
            Side::Server(s) => s.exporter_master_secret(),
        };
        let Some(secret) = secret else {
            return Err(Error::Misuse(
                "export before the handshake completed (or after a failure)",
            ));
        };
        tls_exporter(secret, label, context, out).ok_or(Error::Misuse(
            "exporter label over 249 bytes or output over 8160 bytes (RFC 8446 §7.1, §7.5)",
        ))
    }
    // ANCHOR_END: export_keying_material

    /// Whether any handshake bytes are waiting for the rest of a message:
    /// a key change with those pending is an error (RFC 8446 §5.1).
    fn handshake_bytes_pending(&self) -> bool {
        !self.handshake_in.is_empty()
    }

    /// Run the transitions that need no input (the client's START, the
    /// server's RECVD_CH, NEGOTIATED and WAIT_FLIGHT2), then send what they
    /// queued. A state is taken out only when it has such an arrow: moving
    /// a state costs a copy of it, and this runs after every message.
    fn advance(&mut self) -> Result<(), Error> {
        while self.acts_without_input() {
            let from = self.state_name();
            match &mut self.side {
                Side::Client(s) => {
                    let state = std::mem::replace(s, ClientState::Closed);
                    *s = state.handle_without_input(&mut self.cx)?;
                }
                Side::Server(s) => {
                    let state = std::mem::replace(s, ServerState::Closed);
                    *s = state.handle_without_input(&mut self.cx)?;
                }
            }
            let to = self.state_name();
            self.cx.emit(Event::StateChanged { from, to });
        }
        self.cx.flush_handshake()
    }

    /// Whether the current state has an arrow that needs no message.
    fn acts_without_input(&self) -> bool {
        match &self.side {
            Side::Client(s) => s.acts_without_input(),
            Side::Server(s) => s.acts_without_input(),
        }
    }

    // ANCHOR: process_record_open
    fn process_record(&mut self, record: OpaqueRecord) -> Result<(), Error> {
        // The deframer refused unknown types already.
        let Some(outer_type) = ContentType::from_u8(record.content_type) else {
            return Err(Error::UnexpectedRecord(
                UnexpectedRecord::UnknownContentType,
            ));
        };
        let protected =
            self.cx.records.read.is_some() && outer_type == ContentType::ApplicationData;
        self.cx.record_received(outer_type, protected, &record);

        if outer_type == ContentType::ChangeCipherSpec {
            self.check_change_cipher_spec(&record)?;
            self.ccs_received = true;
            return Ok(());
        }

        let Some((content_type, content)) = self.open_record(outer_type, record)? else {
            return Ok(()); // skipped early data
        };
        // ANCHOR_END: process_record_open
        // ANCHOR: process_record_rules
        // RFC 8446 §5.1: "Handshake messages MUST NOT be interleaved with
        // other record types": a message still in pieces admits only more
        // handshake records.
        if content_type != ContentType::Handshake && self.handshake_bytes_pending() {
            return Err(Error::UnexpectedRecord(
                UnexpectedRecord::InterleavedWithHandshakeFragments,
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
                UnexpectedRecord::EmptyHandshakeOrAlert,
            ));
        }
        match content_type {
            ContentType::Handshake => self.receive_handshake(content),
            ContentType::Alert => self.receive_alert(&content),
            ContentType::ApplicationData if self.cx.early_data_left.is_some() => {
                self.receive_early_data(content)
            }
            ContentType::ApplicationData => {
                if self.cx.records.read.is_none() || self.is_handshaking() {
                    return Err(Error::UnexpectedRecord(
                        UnexpectedRecord::ApplicationDataBeforeConnected,
                    ));
                }
                self.cx.app_event(AppEvent::Data(content));
                Ok(())
            }
            ContentType::ChangeCipherSpec => Err(Error::UnexpectedRecord(
                UnexpectedRecord::ProtectedChangeCipherSpec,
            )),
        }
    }
    // ANCHOR_END: process_record_rules

    // ANCHOR: receive_early_data
    /// Server, in WAIT_EOED: 0-RTT data, decrypted with the early keys.
    /// Only its content counts against the limit (RFC 8446 §4.6.1: "Only
    /// Application Data payload ... is counted"); more than
    /// max_early_data_size is unexpected_message (§4.6.1).
    fn receive_early_data(&mut self, content: Vec<u8>) -> Result<(), Error> {
        let left = self.cx.early_data_left.unwrap_or(0);
        let Some(left) = left.checked_sub(content.len()) else {
            return Err(Error::UnexpectedRecord(UnexpectedRecord::TooMuchEarlyData));
        };
        self.cx.early_data_left = Some(left);
        let len = content.len();
        self.cx
            .emit(Event::Resumption(ResumptionEvent::EarlyDataRead { len }));
        self.cx.app_event(AppEvent::EarlyData(content));
        Ok(())
    }
    // ANCHOR_END: receive_early_data

    /// RFC 8446 §5: a change_cipher_spec of exactly 0x01, unprotected,
    /// between the first ClientHello and the peer's Finished, is dropped;
    /// any other is unexpected_message. That it is dropped only once is
    /// minitls's policy (a peer has no reason to send two); §5 requires
    /// only the rest.
    fn check_change_cipher_spec(&self, record: &OpaqueRecord) -> Result<(), Error> {
        let in_window =
            self.is_handshaking() && (self.cx.is_client || self.has_seen_client_hello());
        let refused = if record.fragment != [1] {
            UnexpectedRecord::ChangeCipherSpecNotOne
        } else if self.handshake_bytes_pending() {
            // RFC 8446 §5.1: nothing between a message's fragments.
            UnexpectedRecord::InterleavedWithHandshakeFragments
        } else if !in_window {
            UnexpectedRecord::ChangeCipherSpecOutsideHandshake
        } else if self.ccs_received {
            UnexpectedRecord::SecondChangeCipherSpec
        } else {
            return Ok(());
        };
        Err(Error::UnexpectedRecord(refused))
    }

    // ANCHOR: open_record_unprotected
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
                return self.skip_early_data(record.fragment.len()).map(|()| None);
            }
            return plaintext(outer_type, record).map(Some);
        };
        if outer_type != ContentType::ApplicationData {
            // A client that could not process our ServerHello sends its
            // alert in the clear, before it has any keys (RFC 8446 §6: it
            // is read as the alert it is, not refused).
            let unprotected_alert = outer_type == ContentType::Alert
                && !self.cx.is_client
                && !self.peer_record_decrypted;
            if unprotected_alert {
                return plaintext(outer_type, record).map(Some);
            }
            // RFC 8446 §5.2: once keys are in use, everything is a
            // protected application_data record.
            return Err(Error::UnexpectedRecord(
                UnexpectedRecord::UnprotectedAfterKeyChange,
            ));
        }
        // ANCHOR_END: open_record_unprotected
        // ANCHOR: open_record_protected
        let len = record.fragment.len();
        match protection.decrypt(record) {
            Ok(opened) => {
                self.peer_record_decrypted = true;
                // The client's flight has begun: no more early data.
                self.cx.early_data_to_skip = None;
                Ok(Some(opened))
            }
            // RFC 8446 §4.2.10: a server that rejects early data skips
            // records that fail to decrypt with the handshake key.
            Err(Error::BadRecordMac) if self.cx.early_data_to_skip.is_some() => {
                self.skip_early_data(len).map(|()| None)
            }
            Err(e) => Err(e),
        }
    }

    /// Count one skipped early-data record against the limit; past it,
    /// the record is what it looks like: bad_record_mac.
    fn skip_early_data(&mut self, fragment_len: usize) -> Result<(), Error> {
        let left = self.cx.early_data_to_skip.unwrap_or(0);
        let Some(left) = left.checked_sub(fragment_len) else {
            return Err(Error::BadRecordMac);
        };
        self.cx.early_data_to_skip = Some(left);
        let record_len = fragment_len;
        self.cx
            .emit(Event::Resumption(ResumptionEvent::EarlyDataSkipped {
                record_len,
            }));
        Ok(())
    }
    // ANCHOR_END: open_record_protected

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
            self.peer_closed = true;
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

    // ANCHOR: receive_handshake_header
    /// Reassemble handshake messages from records (one message may span
    /// records; one record may carry several) and hand each to the state
    /// machine. Each message's type and length are judged from its 4-byte
    /// header, before its body is waited for or decoded.
    fn receive_handshake(&mut self, content: Vec<u8>) -> Result<(), Error> {
        // The bytes are taken out while their messages are handled (a
        // record's own buffer, when nothing was waiting), so each message
        // is handed on as a slice of them, not copied.
        let mut input = std::mem::take(&mut self.handshake_in);
        if input.is_empty() {
            input = content;
        } else {
            input.extend_from_slice(&content);
        }
        // Messages are taken from the front by moving `at`; what is left
        // goes back once at the end, so many small messages cost O(n).
        let mut at = 0;
        let result = loop {
            let buf = &input[at..];
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
            // ANCHOR_END: receive_handshake_header
            // ANCHOR: receive_handshake_body
            if buf.len() < 4 + len {
                break Ok(());
            }
            let read_epoch = self.cx.read_epoch();
            if let Err(e) = self.process_handshake_message(&buf[..4 + len]) {
                break Err(e);
            }
            at += 4 + len;
            // RFC 8446 §5.1: "Handshake messages MUST NOT span key changes";
            // bytes after a key-changing message in the same record would
            // have been protected under the old keys.
            if self.cx.read_epoch() != read_epoch && input.len() > at {
                break Err(Error::UnexpectedRecord(
                    UnexpectedRecord::HandshakeSpansKeyChange,
                ));
            }
        };
        if at < input.len() {
            input.drain(..at);
            self.handshake_in = input;
        }
        result
    }
    // ANCHOR_END: receive_handshake_body

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
        // Each state is taken out of its slot (leaving CLOSED, what stays
        // should the handler fail) and its successor written back in place.
        let from = self.state_name();
        match &mut self.side {
            Side::Client(s) => {
                let state = std::mem::replace(s, ClientState::Closed);
                *s = state.handle(message, bytes, &mut self.cx)?;
            }
            Side::Server(s) => {
                let state = std::mem::replace(s, ServerState::Closed);
                *s = state.handle(message, bytes, &mut self.cx)?;
            }
        }
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
