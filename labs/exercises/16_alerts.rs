//! Exercise 16: which alert a bad input earns, and its bytes (book
//! chapter "Alerts"; RFC 8446 §5, §6 and §6.2).
//!
//! Every failure of a TLS 1.3 connection ends with one fatal alert that
//! names the kind of failure. For each [`BadInput`] below, predict the
//! alert a minitls server sends back: read RFC 8446 §6.2's list and the
//! sections the variants cite, and the table in the chapter. Then write
//! [`alert_record`]: the whole record that carries that alert when no
//! keys are in use yet (a plaintext record, RFC 8446 §5.1, holding
//! `struct { AlertLevel level; AlertDescription description; } Alert`,
//! with level fatal(2) and the description's code; `to_u8()` gives the
//! code).
//!
//! The check sends each input to a real minitls server and compares the
//! alert it sends with your prediction, and the bytes it sends with your
//! record.
//!
//! Check it: `cargo run -p labs -- check 16`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

use minitls::AlertDescription;

/// Bad inputs for a minitls server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadInput {
    /// The first record has content type 0x63, which TLS 1.3 does not
    /// define (RFC 8446 §5.1, §5).
    UnknownRecordType,
    /// The first record's header announces 18,433 bytes, more than any
    /// record may carry (RFC 8446 §5.1, §5.2).
    OversizedRecord,
    /// The client's first record is application_data, in the clear
    /// (RFC 8446 §5, §5.1).
    ApplicationDataFirst,
    /// A handshake record holding a ClientHello whose body is only four
    /// bytes long: `03 03 00 00` (RFC 8446 §4.1.2, §6.2).
    TruncatedClientHello,
    /// A handshake record whose first message is a Finished (RFC 8446
    /// §4, Appendix A.2).
    FinishedFirst,
    /// A ClientHello without `supported_versions`: a TLS 1.2 client, to
    /// a server that speaks only TLS 1.3 (RFC 8446 §4.2.1, §6.2).
    Tls12ClientHello,
    /// After the handshake, a client's application data record with one
    /// bit of its ciphertext flipped (RFC 8446 §5.2).
    TamperedRecord,
}

/// The alert a minitls server sends for `input`.
pub fn alert_for(input: BadInput) -> AlertDescription {
    todo!("one alert per BadInput: RFC 8446 §6.2 and the chapter's table")
}

/// The plaintext record that carries the fatal alert `alert`: header
/// (type, legacy_record_version 0x0303, length), then level, description.
pub fn alert_record(alert: AlertDescription) -> Vec<u8> {
    todo!("a five-byte record header, then the two bytes of the Alert")
}
