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
    Handshake,
    /// application_traffic_secret_N
    Application(u32),
}

/// A cryptographic operation, counted for the demo's cost table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    X25519KeyGen,
    X25519SharedSecret,
    Ed25519Sign,
    /// One signature check (CertificateVerify, or one certificate in a chain).
    Ed25519Verify,
}

/// What happened to resumption on this connection (the strategies are
/// compared by comparing these).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResumptionEvent {
    /// Client: a ticket offered as a PSK identity.
    Offered { ticket_len: usize },
    /// Server: a PSK identity accepted.
    Accepted {
        strategy: &'static str,
        psk_mode: &'static str,
    },
    /// Server: a PSK identity refused; the handshake goes on in full.
    Rejected {
        strategy: &'static str,
        reason: &'static str,
    },
    /// Client: the server did not accept our PSK.
    NotAccepted,
    /// Server: a NewSessionTicket issued.
    TicketIssued {
        strategy: &'static str,
        ticket_len: usize,
    },
    /// Client: a NewSessionTicket stored for later.
    TicketStored { lifetime: u32 },
}

/// Something that happened on a connection.
#[derive(Debug)]
pub enum Event<'a> {
    RecordSent {
        content_type: ContentType,
        protected: bool,
        bytes: &'a [u8],
    },
    RecordReceived {
        content_type: ContentType,
        protected: bool,
        bytes: &'a [u8],
    },
    MessageSent {
        message: &'a HandshakeMessage,
        bytes: &'a [u8],
    },
    MessageReceived {
        message: &'a HandshakeMessage,
        bytes: &'a [u8],
    },
    SecretDerived {
        label: SecretLabel,
        client_random: &'a [u8; 32],
        secret: &'a [u8],
    },
    KeysInstalled {
        direction: Direction,
        epoch: Epoch,
    },
    StateChanged {
        from: &'static str,
        to: &'static str,
    },
    AlertSent {
        alert: AlertDescription,
        error: Option<&'a Error>,
    },
    AlertReceived {
        alert: AlertDescription,
    },
    Operation(Operation),
    Resumption(ResumptionEvent),
}

/// A consumer of trace events.
pub trait Observer: Send {
    fn on_event(&mut self, event: &Event<'_>);
}

/// The default observer: ignores everything.
pub struct NoObserver;

impl Observer for NoObserver {
    fn on_event(&mut self, _event: &Event<'_>) {}
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
    RecordSent(ContentType, bool, Vec<u8>),
    RecordReceived(ContentType, bool, Vec<u8>),
    MessageSent(&'static str, Vec<u8>),
    MessageReceived(&'static str, Vec<u8>),
    SecretDerived(SecretLabel, Vec<u8>),
    KeysInstalled(Direction, Epoch),
    StateChanged(&'static str, &'static str),
    AlertSent(AlertDescription),
    AlertReceived(AlertDescription),
    Operation(Operation),
    Resumption(ResumptionEvent),
}

/// Keeps every event, shared so a test can read them while the connection
/// owns the observer.
#[derive(Clone, Default)]
pub struct Recorder(pub std::sync::Arc<std::sync::Mutex<Vec<RecordedEvent>>>);

impl Recorder {
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
    pub records_sent: usize,
    pub records_received: usize,
    pub bytes_sent: usize,
    pub bytes_received: usize,
    /// Times this side had to wait for the peer during the handshake.
    pub round_trips: usize,
    pub x25519_keygens: usize,
    pub x25519_shared_secrets: usize,
    pub signatures_made: usize,
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
                s.last_was_send = true;
            }
            Event::RecordReceived { bytes, .. } => {
                s.records_received += 1;
                s.bytes_received += bytes.len();
                if s.last_was_send && !s.connected {
                    s.round_trips += 1;
                }
                s.last_was_send = false;
            }
            Event::MessageSent { message, bytes } => {
                s.messages
                    .push((Direction::Send, message.name(), bytes.len()))
            }
            Event::MessageReceived { message, bytes } => {
                s.messages
                    .push((Direction::Receive, message.name(), bytes.len()))
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
