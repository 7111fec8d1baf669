//! The explainer: a connection, byte by byte, as it happens.
//!
//! This is a consumer of the trace stream (DESIGN.md principle 6) that
//! renders each event for a reader, in the manner of the Illustrated TLS 1.3
//! Connection but in a terminal:
//!
//! - each record with its direction, content type, protection and length,
//!   and its 5-byte header annotated field by field (RFC 8446 §5.1);
//! - each handshake message as hex grouped by field, each field with its
//!   RFC name and decoded value. The fields come from re-decoding the
//!   message's bytes with a *recording* [`Reader`](crate::codec::Reader): the
//!   same parser that the connection ran, so an explanation cannot drift
//!   from the code (DESIGN.md principle 5);
//! - every secret derived, with its RFC label; every key change, written as
//!   Appendix A writes it (`K_send = handshake`); every state transition;
//!   alerts with their meaning; resumption decisions.
//!
//! Protected records are shown as ciphertext; the message inside follows
//! as its own decoded block, since the connection reports it once
//! decrypted. Bytes we send are re-decoded exactly like bytes we receive,
//! so `--explain` works the same against any peer.
//!
//! For the golden transcripts, each message block can be wrapped in
//! `ANCHOR: name` / `ANCHOR_END: name` lines (`book_anchors`), so the book
//! can include one message's annotated bytes straight from a snapshot file
//! (STYLE.md §10). That is markup for the book, so a live `--explain` and
//! the examples leave it out.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::codec::Span;
use crate::error::AlertDescription;
use crate::key_schedule::SecretLabel;
use crate::messages::{HandshakeMessage, message_section};
use crate::record::{ContentType, HEADER_LEN};
use crate::trace::{Direction, Epoch, Event, Observer, Operation, ResumptionEvent};

/// How many bytes of one field are shown before eliding the middle.
const MAX_FIELD_BYTES: usize = 32;

/// Renders trace events as annotated text.
pub struct Explainer {
    out: Arc<Mutex<dyn Write + Send>>,
    /// "client" or "server": whose view this is.
    side: &'static str,
    /// How many times each anchor name was used, to keep names unique.
    anchors: HashMap<String, usize>,
    /// Print hex for every derived secret (deterministic transcripts do;
    /// a live `--explain` does too: it is a teaching tool).
    pub show_secrets: bool,
    /// Wrap each message in `ANCHOR:` / `ANCHOR_END:` lines for the book
    /// (the golden transcripts only; off for anything a user reads).
    pub book_anchors: bool,
    /// Put before every anchor name, so two views in one file (client and
    /// server) have distinct anchors.
    pub anchor_prefix: &'static str,
}

impl Explainer {
    /// An explainer for one endpoint (`side` is "client" or "server", shown on
    /// every line), writing to `out`, with secrets shown and no book anchors.
    pub fn new(side: &'static str, out: Arc<Mutex<dyn Write + Send>>) -> Self {
        Explainer {
            out,
            side,
            anchors: HashMap::new(),
            show_secrets: true,
            book_anchors: false,
            anchor_prefix: "",
        }
    }

    /// An explainer writing to standard output.
    pub fn stdout(side: &'static str) -> Self {
        Explainer::new(side, Arc::new(Mutex::new(std::io::stdout())))
    }

    /// A derived secret: its RFC label, its value unless hidden, and its
    /// key log name when Wireshark needs it.
    fn secret(&self, label: SecretLabel, secret: &[u8]) {
        let value = if self.show_secrets {
            hex::encode(secret)
        } else {
            "(hidden)".into()
        };
        let keylog = label
            .keylog_label()
            .map(|l| format!("; key log {l}"))
            .unwrap_or_default();
        // A KeyUpdate's next generation is derived with one label for
        // both sides: name the side, and the section that defines it.
        let (name, section) = match label {
            SecretLabel::ClientApplicationTrafficNext => ("c ap traffic N+1", "§7.2"),
            SecretLabel::ServerApplicationTrafficNext => ("s ap traffic N+1", "§7.2"),
            other => (other.rfc_label(), "§7.1"),
        };
        self.line(&format!(
            "secret {name:<16} = {value}  (RFC 8446 {section}{keylog})"
        ));
    }

    fn line(&self, text: &str) {
        if let Ok(mut out) = self.out.lock() {
            let _ = writeln!(out, "{text}");
        }
    }

    fn peer(&self) -> &'static str {
        if self.side == "client" {
            "server"
        } else {
            "client"
        }
    }

    /// A unique anchor name for a message: `client_hello`, `finished`,
    /// `finished_2`, ...
    fn anchor_for(&mut self, message: &str) -> String {
        let base = format!("{}{}", self.anchor_prefix, snake_case(message));
        let count = self.anchors.entry(base.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            base
        } else {
            format!("{base}_{count}")
        }
    }

    fn record(&self, sent: bool, content_type: ContentType, protected: bool, bytes: &[u8]) {
        let (from, to) = if sent {
            (self.side, self.peer())
        } else {
            (self.peer(), self.side)
        };
        let outer = if protected && sent {
            format!(
                "application_data (protected; the real type, {}, is inside)",
                content_type.name()
            )
        } else if protected {
            "application_data (protected; decrypted below)".to_string()
        } else {
            content_type.name().to_string()
        };
        self.line(&format!(
            "record {from} -> {to}: {outer}, {} bytes (RFC 8446 §5.{})",
            bytes.len(),
            if protected { "2" } else { "1" }
        ));
        if bytes.len() < HEADER_LEN {
            return;
        }
        let len = u16::from_be_bytes([bytes[3], bytes[4]]);
        self.line(&field_line(
            0,
            &bytes[..1],
            1,
            "type",
            content_type_note(bytes[0]),
        ));
        self.line(&field_line(
            1,
            &bytes[1..3],
            1,
            "legacy_record_version",
            legacy_record_version_note([bytes[1], bytes[2]]),
        ));
        self.line(&field_line(3, &bytes[3..5], 1, "length", format!("{len}")));
        let body = &bytes[HEADER_LEN..];
        let what = if protected {
            "encrypted_record (ciphertext || 16-byte Poly1305 tag)"
        } else {
            "fragment"
        };
        self.line(&field_line(HEADER_LEN, body, 1, what, String::new()));
    }

    fn message(&mut self, sent: bool, message: &HandshakeMessage, bytes: &[u8]) {
        let name = message.name();
        let (from, to) = if sent {
            (self.side, self.peer())
        } else {
            (self.peer(), self.side)
        };
        // Messages either side may send are named after their sender.
        let anchor = match name {
            "Finished" | "Certificate" | "CertificateVerify" | "KeyUpdate" => {
                self.anchor_for(&format!("{from}_{}", snake_case(name)))
            }
            _ => self.anchor_for(name),
        };
        if self.book_anchors {
            self.line(&format!("ANCHOR: {anchor}"));
        }
        self.line(&format!(
            "{name} {from} -> {to}, {} bytes (RFC 8446 {})",
            bytes.len(),
            message_section(name)
        ));
        let (_, spans) = HandshakeMessage::decode_with_spans(bytes);
        for span in leaf_spans(&spans) {
            let field = &bytes[span.offset..span.offset + span.len];
            let note = span.note.clone().unwrap_or_default();
            self.line(&field_line(
                span.offset,
                field,
                span.depth + 1,
                span.field,
                note,
            ));
        }
        if self.book_anchors {
            self.line(&format!("ANCHOR_END: {anchor}"));
        }
    }
}

/// Spans to print: all of them, in offset order. A vector's length prefix
/// carries the note "length N"; its items follow, one level deeper.
fn leaf_spans(spans: &[Span]) -> Vec<&Span> {
    let mut out: Vec<&Span> = spans
        .iter()
        .filter(|s| s.len > 0 || s.note.is_some())
        .collect();
    out.sort_by_key(|s| (s.offset, s.depth));
    out
}

fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// RFC 8446 §5.1: 0x0303 in every record a TLS 1.3 implementation
/// sends, except that an initial ClientHello's record MAY say 0x0301 (curl
/// and OpenSSL send that); the receiver ignores the field either way.
fn legacy_record_version_note(version: [u8; 2]) -> String {
    match version {
        [0x03, 0x03] => "0x0303 (TLS 1.2's number; ignored)".into(),
        [0x03, 0x01] => "0x0301 (allowed in a first ClientHello; ignored)".into(),
        [a, b] => format!("0x{a:02x}{b:02x} (ignored, RFC 8446 §5.1)"),
    }
}

fn content_type_note(v: u8) -> String {
    match ContentType::from_u8(v) {
        Some(t) => t.name().to_string(),
        None => format!("unknown ({v})"),
    }
}

/// `  0004  03 03                      legacy_version        note`
fn field_line(offset: usize, bytes: &[u8], depth: usize, field: &str, note: String) -> String {
    let hex = if bytes.len() > MAX_FIELD_BYTES {
        format!(
            "{} .. {} ({} bytes)",
            spaced_hex(&bytes[..12]),
            spaced_hex(&bytes[bytes.len() - 4..]),
            bytes.len()
        )
    } else {
        spaced_hex(bytes)
    };
    let indent = "  ".repeat(depth.min(8));
    let label = format!("{indent}{field}");
    if note.is_empty() {
        format!("  {offset:04x}  {label:<34} {hex}")
    } else {
        format!("  {offset:04x}  {label:<34} {hex}  = {note}")
    }
}

fn spaced_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn alert_meaning(alert: AlertDescription) -> &'static str {
    use AlertDescription::*;
    match alert {
        CloseNotify => "the sender will send nothing more (RFC 8446 §6.1)",
        UnexpectedMessage => "a message arrived that is not allowed in this state",
        BadRecordMac => "a record failed to decrypt or authenticate",
        RecordOverflow => "a record was longer than allowed",
        HandshakeFailure => "no acceptable set of parameters",
        BadCertificate => "a certificate was corrupt or failed verification",
        UnsupportedCertificate => "a certificate was of an unsupported type",
        CertificateExpired => "a certificate has expired or is not currently valid",
        IllegalParameter => "a field was out of range or inconsistent",
        UnknownCa => "the chain did not lead to a trusted CA",
        DecodeError => "a message could not be decoded",
        DecryptError => "a handshake signature or MAC (Finished, binder) did not verify",
        ProtocolVersion => "the peer's protocol version is not supported",
        MissingExtension => "a required extension was missing",
        UnsupportedExtension => "an extension was sent that was not offered",
        InternalError => "a local error unrelated to the peer",
        CertificateRequired => "a client certificate was wanted but none was provided",
        _ => "see RFC 8446 §6.2",
    }
}

impl Observer for Explainer {
    fn on_event(&mut self, event: &Event<'_>) {
        match event {
            Event::RecordSent {
                content_type,
                protected,
                bytes,
            } => self.record(true, *content_type, *protected, bytes),
            Event::RecordReceived {
                content_type,
                protected,
                bytes,
            } => self.record(false, *content_type, *protected, bytes),
            Event::MessageSent { message, bytes } => self.message(true, message, bytes),
            Event::MessageReceived { message, bytes } => self.message(false, message, bytes),
            Event::SecretDerived { label, secret, .. } => self.secret(*label, secret),
            Event::KeysInstalled { direction, epoch } => {
                let k = match direction {
                    Direction::Send => "K_send",
                    Direction::Receive => "K_recv",
                };
                self.line(&format!(
                    "keys   {k} = {}  (RFC 8446 Appendix A)",
                    epoch_name(*epoch)
                ));
            }
            Event::StateChanged { from, to } => {
                self.line(&format!("state  {} {from} -> {to}", self.side));
            }
            Event::AlertSent { alert, error } => {
                let why = error.map(|e| format!(": {e}")).unwrap_or_default();
                self.line(&format!(
                    "alert  {} -> {}: {alert} ({}){why}",
                    self.side,
                    self.peer(),
                    alert_meaning(*alert)
                ));
            }
            Event::AlertReceived { alert } => {
                self.line(&format!(
                    "alert  {} -> {}: {alert} ({})",
                    self.peer(),
                    self.side,
                    alert_meaning(*alert)
                ));
            }
            Event::Operation(op) => self.line(&format!("crypto {}", operation_text(*op))),
            Event::Resumption(r) => self.line(&format!("resume {}", resumption_text(r))),
            Event::ClientAuthenticated {
                subject,
                certificate_sha256,
                resumed,
            } => {
                let how = if *resumed {
                    "remembered by the resumed session (RFC 8446 §2.2)"
                } else {
                    "proved by its CertificateVerify (RFC 8446 §4.4.3)"
                };
                self.line(&format!(
                    "auth   client is {} (certificate sha256 {}), {how}",
                    subject.escape_default(),
                    hex::encode(certificate_sha256)
                ));
            }
        }
    }
}

/// Appendix A's name for a set of keys.
fn epoch_name(epoch: Epoch) -> String {
    match epoch {
        Epoch::EarlyData => "early data".to_string(),
        Epoch::Handshake => "handshake".to_string(),
        Epoch::Application(0) => "application".to_string(),
        Epoch::Application(n) => format!("application (generation {n})"),
    }
}

/// What one counted cryptographic operation was.
fn operation_text(op: Operation) -> &'static str {
    match op {
        Operation::X25519KeyGen => "X25519 key pair generated (RFC 7748)",
        Operation::X25519SharedSecret => "X25519 shared secret computed (RFC 8446 §7.4.2)",
        Operation::Ed25519Sign => "Ed25519 signature made (RFC 8032)",
        Operation::Ed25519Verify => "Ed25519 signature verified (RFC 8032)",
    }
}

/// One resumption event, in words.
fn resumption_text(event: &ResumptionEvent) -> String {
    match event {
        ResumptionEvent::Offered { ticket_len } => {
            format!("ticket offered as a PSK identity ({ticket_len} bytes)")
        }
        ResumptionEvent::Accepted { strategy, psk_mode } => {
            format!("PSK accepted by the {strategy} strategy, mode {psk_mode}")
        }
        ResumptionEvent::Rejected { strategy, reason } => {
            format!("PSK refused by the {strategy} strategy: {reason}; full handshake")
        }
        ResumptionEvent::NotAccepted => {
            "the server did not accept our PSK; full handshake".to_string()
        }
        ResumptionEvent::TicketIssued {
            strategy,
            ticket_len,
        } => format!("ticket issued by the {strategy} strategy ({ticket_len} bytes)"),
        ResumptionEvent::TicketStored { lifetime } => {
            format!("ticket stored for later, lifetime {lifetime} s")
        }
        ResumptionEvent::EarlyDataAccepted {
            max_early_data_size,
        } => format!(
            "0-RTT accepted: early data read under c e traffic, up to {max_early_data_size} bytes (RFC 8446 §4.2.10)"
        ),
        ResumptionEvent::EarlyDataRejected { reason } => {
            format!("0-RTT rejected ({reason}): early data skipped, 1-RTT (RFC 8446 §4.2.10)")
        }
        ResumptionEvent::EarlyDataSkipped { record_len } => format!(
            "0-RTT record of {record_len} bytes skipped: rejected early data, not decrypted (RFC 8446 §4.2.10)"
        ),
        ResumptionEvent::EarlyDataRead { len } => format!(
            "0-RTT data read: {len} bytes, before the client's Finished (it could be a replay, RFC 8446 §8)"
        ),
    }
}

/// An explainer into a shared buffer, for tests and the book.
pub fn to_buffer(side: &'static str) -> (Explainer, Arc<Mutex<Vec<u8>>>) {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    (Explainer::new(side, buffer.clone()), buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_unique_and_snake_case() {
        let (mut e, _) = to_buffer("client");
        assert_eq!(e.anchor_for("ClientHello"), "client_hello");
        assert_eq!(e.anchor_for("Finished"), "finished");
        assert_eq!(e.anchor_for("Finished"), "finished_2");
    }

    /// Book anchors are markup for the snapshot files: off unless asked for.
    #[test]
    fn anchors_only_for_the_book() {
        use crate::messages::KeyUpdate;
        let message = HandshakeMessage::KeyUpdate(KeyUpdate {
            update_requested: false,
        });
        let bytes = message.encode().unwrap();
        for book_anchors in [false, true] {
            let (mut e, out) = to_buffer("client");
            e.book_anchors = book_anchors;
            e.on_event(&Event::MessageSent {
                message: &message,
                bytes: &bytes,
            });
            let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
            assert!(text.contains("KeyUpdate client -> server"), "{text}");
            assert_eq!(text.contains("ANCHOR: client_key_update"), book_anchors);
            assert_eq!(text.contains("ANCHOR_END:"), book_anchors);
        }
    }

    #[test]
    fn legacy_record_version_is_never_called_always_0x0303() {
        // RFC 8446 §5.1: a first ClientHello's record may say 0x0301.
        assert!(legacy_record_version_note([3, 3]).starts_with("0x0303 "));
        assert!(legacy_record_version_note([3, 1]).contains("first ClientHello"));
        assert!(legacy_record_version_note([3, 4]).contains("ignored"));
        for v in [[3, 3], [3, 1], [3, 4]] {
            assert!(!legacy_record_version_note(v).contains("always"));
        }
    }

    #[test]
    fn long_fields_are_elided() {
        let line = field_line(4, &[0xab; 40], 1, "random", String::new());
        assert!(line.contains("(40 bytes)"), "{line}");
    }
}
