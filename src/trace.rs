//! One stream of trace events for every teaching surface (DESIGN.md principle 6).
//!
//! A connection reports what happens as [`Event`]s: records and handshake
//! messages in each direction (with their bytes), secrets as they are
//! derived, keys as they are installed (Appendix A's `K_send` and
//! `K_recv`), state transitions, alerts, and the cryptographic operations
//! performed. The explainer, the NSS key log, the snapshot tests and the
//! demo's cost table are all consumers of this one stream, so none of them
//! can disagree with what the connection did.
//!
//! Payloads are borrowed: an observer that ignores events ([`NoObserver`])
//! costs nothing beyond the call.

use crate::error::{AlertDescription, Error};
use crate::key_schedule::SecretLabel;
use crate::messages::HandshakeMessage;
use crate::record::ContentType;

/// Which way bytes or keys go, seen from this endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `K_send` in Appendix A.
    Send,
    /// `K_recv` in Appendix A.
    Receive,
}

/// Which keys protect records (Appendix A's `K_send = handshake` ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Epoch {
    /// The client_early_traffic_secret keys: 0-RTT data and EndOfEarlyData
    /// (RFC 8446 §4.2.10, Appendix A's `K_send = early data`).
    EarlyData,
    /// The `[sender]_handshake_traffic_secret` keys (RFC 8446 §7.1).
    Handshake,
    /// The `[sender]_application_traffic_secret_N` keys, N counting the
    /// KeyUpdates so far (RFC 8446 §7.2).
    Application(u32),
}

/// A cryptographic operation, counted for the demo's cost table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// An X25519 key pair made for a key_share (RFC 8446 §4.2.8).
    X25519KeyGen,
    /// An X25519 agreement with the peer's share, the (EC)DHE input of the
    /// key schedule (RFC 8446 §7.4.2).
    X25519SharedSecret,
    /// One Ed25519 signature made (our CertificateVerify, RFC 8446 §4.4.3).
    Ed25519Sign,
    /// One signature check (CertificateVerify, or one certificate in a chain).
    Ed25519Verify,
}

/// What happened to resumption on this connection (the strategies are
/// compared by comparing these).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResumptionEvent {
    /// Client: a ticket offered as a PSK identity.
    Offered {
        /// The ticket's length in bytes.
        ticket_len: usize,
    },
    /// Server: a PSK identity accepted.
    Accepted {
        /// Which [`ResumptionStrategy`](crate::resumption::ResumptionStrategy)
        /// redeemed the ticket ("stateful" or "stateless").
        strategy: &'static str,
        /// "psk_dhe_ke" or "psk_ke" (RFC 8446 §4.2.9).
        psk_mode: &'static str,
    },
    /// Server: a PSK identity refused; the handshake goes on in full.
    Rejected {
        /// The strategy that could not redeem the identity.
        strategy: &'static str,
        /// Why ([`Rejection::reason`](crate::resumption::Rejection::reason)).
        reason: &'static str,
    },
    /// Client: the server did not accept our PSK.
    NotAccepted,
    /// Server: a NewSessionTicket issued.
    TicketIssued {
        /// The strategy that made the ticket.
        strategy: &'static str,
        /// The ticket's length in bytes.
        ticket_len: usize,
    },
    /// Client: a NewSessionTicket stored for later.
    TicketStored {
        /// The ticket_lifetime the server gave, in seconds (RFC 8446 §4.6.1).
        lifetime: u32,
    },
    /// Server: the client's 0-RTT data will be read (RFC 8446 §4.2.10).
    EarlyDataAccepted {
        /// The most early data that will be read, in bytes.
        max_early_data_size: u32,
    },
    /// Server: the client's 0-RTT data will be skipped; the handshake
    /// goes on as 1-RTT (RFC 8446 §4.2.10).
    EarlyDataRejected {
        /// Why.
        reason: &'static str,
    },
    /// Server: a record of rejected early data skipped (RFC 8446 §4.2.10).
    EarlyDataSkipped {
        /// The record's fragment length, counted against the limit.
        record_len: usize,
    },
    /// Server: accepted early data read (RFC 8446 §2.3).
    EarlyDataRead {
        /// Its length (the content only, as RFC 8446 §4.6.1 counts).
        len: usize,
    },
}

/// Something that happened on a connection.
#[derive(Debug)]
pub enum Event<'a> {
    /// A record queued for the peer (RFC 8446 §5).
    RecordSent {
        /// The real content type; for a protected record, the one hidden
        /// inside it (`TLSInnerPlaintext.type`, RFC 8446 §5.2).
        content_type: ContentType,
        /// Whether the record is encrypted (`TLSCiphertext`).
        protected: bool,
        /// The whole record as sent: 5-byte header, then the fragment.
        bytes: &'a [u8],
    },
    /// A record taken from the peer's bytes, before it is decrypted.
    RecordReceived {
        /// The outer content type, as on the wire (application_data for
        /// every protected record).
        content_type: ContentType,
        /// Whether the record is to be decrypted.
        protected: bool,
        /// The whole record as received: header, then the fragment.
        bytes: &'a [u8],
    },
    /// A handshake message queued for the peer (RFC 8446 §4).
    MessageSent {
        /// The message, decoded.
        message: &'a HandshakeMessage,
        /// Its bytes, 4-byte handshake header included: what the
        /// transcript hashes.
        bytes: &'a [u8],
    },
    /// A handshake message received whole, before its transition runs.
    MessageReceived {
        /// The message, decoded.
        message: &'a HandshakeMessage,
        /// Its bytes as received, header included.
        bytes: &'a [u8],
    },
    /// A secret of the key schedule was derived (RFC 8446 §7.1).
    SecretDerived {
        /// Which secret, with its RFC and key-log names.
        label: SecretLabel,
        /// `ClientHello.random`, which names the connection in a key log.
        client_random: &'a [u8; 32],
        /// The secret's value.
        secret: &'a [u8],
    },
    /// New record keys in use from the next record on (Appendix A's
    /// `K_send = ...` and `K_recv = ...`).
    KeysInstalled {
        /// Whether they protect what we send or what we receive.
        direction: Direction,
        /// Which secret they come from.
        epoch: Epoch,
    },
    /// A transition of the Appendix A state machine.
    StateChanged {
        /// The state left, in the RFC's spelling (`WAIT_SH`).
        from: &'static str,
        /// The state entered.
        to: &'static str,
    },
    /// An alert queued for the peer (RFC 8446 §6).
    AlertSent {
        /// The alert sent.
        alert: AlertDescription,
        /// The failure that caused it; `None` for a close_notify.
        error: Option<&'a Error>,
    },
    /// An alert received from the peer.
    AlertReceived {
        /// The alert received.
        alert: AlertDescription,
    },
    /// A cryptographic operation was performed.
    Operation(Operation),
    /// Something happened to resumption.
    Resumption(ResumptionEvent),
    /// Server: the client is known by its certificate (mutual TLS): its
    /// CertificateVerify verified (RFC 8446 §4.4.3), or the session it
    /// resumed says who it was.
    ClientAuthenticated {
        /// The client leaf certificate's subject, e.g. `CN=client`.
        subject: &'a str,
        /// SHA-256 of the client's leaf certificate.
        certificate_sha256: &'a [u8; 32],
        /// Whether the identity came from a resumed session rather than
        /// from a certificate in this handshake.
        resumed: bool,
    },
}

/// A consumer of trace events.
pub trait Observer: Send {
    /// Called for every event, in the order things happened. The payloads
    /// are borrowed: copy what must outlive the call.
    fn on_event(&mut self, event: &Event<'_>);

    /// Whether events are wanted at all: when not, the connection skips
    /// building what only an event would carry (a received record's bytes).
    fn is_listening(&self) -> bool {
        true
    }
}

/// The default observer: ignores everything.
pub struct NoObserver;

impl Observer for NoObserver {
    fn on_event(&mut self, _event: &Event<'_>) {}

    fn is_listening(&self) -> bool {
        false
    }
}

/// Sends each event to several observers in turn.
pub struct Tee(pub Vec<Box<dyn Observer>>);

impl Observer for Tee {
    fn on_event(&mut self, event: &Event<'_>) {
        for o in &mut self.0 {
            o.on_event(event);
        }
    }
}

/// An owned copy of an event, kept by [`Recorder`] for tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordedEvent {
    /// [`Event::RecordSent`]: content type, protected, record bytes.
    RecordSent(ContentType, bool, Vec<u8>),
    /// [`Event::RecordReceived`]: outer content type, protected, record bytes.
    RecordReceived(ContentType, bool, Vec<u8>),
    /// [`Event::MessageSent`]: the message's struct name, its bytes.
    MessageSent(&'static str, Vec<u8>),
    /// [`Event::MessageReceived`]: the message's struct name, its bytes.
    MessageReceived(&'static str, Vec<u8>),
    /// [`Event::SecretDerived`]: which secret, its value.
    SecretDerived(SecretLabel, Vec<u8>),
    /// [`Event::KeysInstalled`].
    KeysInstalled(Direction, Epoch),
    /// [`Event::StateChanged`]: from, to.
    StateChanged(&'static str, &'static str),
    /// [`Event::AlertSent`], without the error.
    AlertSent(AlertDescription),
    /// [`Event::AlertReceived`].
    AlertReceived(AlertDescription),
    /// [`Event::Operation`].
    Operation(Operation),
    /// [`Event::Resumption`].
    Resumption(ResumptionEvent),
    /// [`Event::ClientAuthenticated`]: the client's subject.
    ClientAuthenticated(String),
}

/// Keeps every event, shared so a test can read them while the connection
/// owns the observer.
#[derive(Clone, Default)]
pub struct Recorder(pub std::sync::Arc<std::sync::Mutex<Vec<RecordedEvent>>>);

impl Recorder {
    /// A copy of every event so far, oldest first.
    pub fn events(&self) -> Vec<RecordedEvent> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Observer for Recorder {
    fn on_event(&mut self, event: &Event<'_>) {
        let owned = match event {
            Event::RecordSent {
                content_type,
                protected,
                bytes,
            } => RecordedEvent::RecordSent(*content_type, *protected, bytes.to_vec()),
            Event::RecordReceived {
                content_type,
                protected,
                bytes,
            } => RecordedEvent::RecordReceived(*content_type, *protected, bytes.to_vec()),
            Event::MessageSent { message, bytes } => {
                RecordedEvent::MessageSent(message.name(), bytes.to_vec())
            }
            Event::MessageReceived { message, bytes } => {
                RecordedEvent::MessageReceived(message.name(), bytes.to_vec())
            }
            Event::SecretDerived { label, secret, .. } => {
                RecordedEvent::SecretDerived(*label, secret.to_vec())
            }
            Event::KeysInstalled { direction, epoch } => {
                RecordedEvent::KeysInstalled(*direction, *epoch)
            }
            Event::StateChanged { from, to } => RecordedEvent::StateChanged(from, to),
            Event::AlertSent { alert, .. } => RecordedEvent::AlertSent(*alert),
            Event::AlertReceived { alert } => RecordedEvent::AlertReceived(*alert),
            Event::Operation(op) => RecordedEvent::Operation(*op),
            Event::Resumption(r) => RecordedEvent::Resumption(r.clone()),
            Event::ClientAuthenticated { subject, .. } => {
                RecordedEvent::ClientAuthenticated(subject.to_string())
            }
        };
        if let Ok(mut v) = self.0.lock() {
            v.push(owned);
        }
    }
}

/// What a connection cost, counted from its events (for `minitls demo`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatsData {
    /// Handshake messages sent and received, with their sizes, in order.
    pub messages: Vec<(Direction, &'static str, usize)>,
    /// Records sent.
    pub records_sent: usize,
    /// Records received.
    pub records_received: usize,
    /// Bytes sent, record headers included.
    pub bytes_sent: usize,
    /// Bytes received, record headers included.
    pub bytes_received: usize,
    /// Times this side had to wait for the peer during the handshake: a
    /// handshake message of its own answered by one of the peer's (1 for
    /// a TLS 1.3 handshake, full or resumed; 2 with a HelloRetryRequest).
    pub round_trips: usize,
    /// [`Operation::X25519KeyGen`] count.
    pub x25519_keygens: usize,
    /// [`Operation::X25519SharedSecret`] count.
    pub x25519_shared_secrets: usize,
    /// [`Operation::Ed25519Sign`] count.
    pub signatures_made: usize,
    /// [`Operation::Ed25519Verify`] count.
    pub signatures_verified: usize,
    /// Whether the handshake has finished (later records are not counted
    /// as handshake round trips).
    pub connected: bool,
    last_was_send: bool,
}

/// An observer that counts; share it (it is an `Arc`) to read the counts.
#[derive(Clone, Default)]
pub struct Stats(pub std::sync::Arc<std::sync::Mutex<StatsData>>);

impl Stats {
    /// A copy of the counts so far.
    pub fn get(&self) -> StatsData {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Observer for Stats {
    fn on_event(&mut self, event: &Event<'_>) {
        let Ok(mut s) = self.0.lock() else { return };
        match event {
            Event::RecordSent { bytes, .. } => {
                s.records_sent += 1;
                s.bytes_sent += bytes.len();
            }
            Event::RecordReceived { bytes, .. } => {
                s.records_received += 1;
                s.bytes_received += bytes.len();
            }
            // A round trip is a handshake message of ours answered by one
            // of the peer's. Counted on messages, not records: the
            // client's change_cipher_spec (RFC 8446 Appendix D.4) goes out
            // while the server's flight is still arriving, and is no
            // flight of its own that the client waits on.
            Event::MessageSent { message, bytes } => {
                s.messages
                    .push((Direction::Send, message.name(), bytes.len()));
                s.last_was_send = true;
            }
            Event::MessageReceived { message, bytes } => {
                s.messages
                    .push((Direction::Receive, message.name(), bytes.len()));
                if s.last_was_send && !s.connected {
                    s.round_trips += 1;
                }
                s.last_was_send = false;
            }
            Event::StateChanged {
                to: "CONNECTED", ..
            } => s.connected = true,
            Event::Operation(op) => match op {
                Operation::X25519KeyGen => s.x25519_keygens += 1,
                Operation::X25519SharedSecret => s.x25519_shared_secrets += 1,
                Operation::Ed25519Sign => s.signatures_made += 1,
                Operation::Ed25519Verify => s.signatures_verified += 1,
            },
            _ => {}
        }
    }
}
