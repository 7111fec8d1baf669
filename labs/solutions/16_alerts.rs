//! Exercise 16, reference solution: the alert each bad input earns
//! (RFC 8446 §6.2) and the record that carries it (§5.1, §6). minitls's
//! own mapping is `Error::alert` in `src/error.rs`.

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
    use AlertDescription as A;
    match input {
        // §5: a record type the receiver does not know.
        BadInput::UnknownRecordType => A::UnexpectedMessage,
        // §5.2: a record longer than 2^14 + 256 bytes.
        BadInput::OversizedRecord => A::RecordOverflow,
        // §5: application data is only allowed protected.
        BadInput::ApplicationDataFirst => A::UnexpectedMessage,
        // §6.2: a message that cannot be parsed.
        BadInput::TruncatedClientHello => A::DecodeError,
        // A message out of order.
        BadInput::FinishedFirst => A::UnexpectedMessage,
        // §4.2.1: no TLS 1.3 in the client's versions.
        BadInput::Tls12ClientHello => A::ProtocolVersion,
        // §5.2: the AEAD refuses to open the record.
        BadInput::TamperedRecord => A::BadRecordMac,
    }
}

/// The plaintext record that carries the fatal alert `alert`: header
/// (type, legacy_record_version 0x0303, length), then level, description.
pub fn alert_record(alert: AlertDescription) -> Vec<u8> {
    const ALERT: u8 = 21;
    const FATAL: u8 = 2;
    vec![ALERT, 0x03, 0x03, 0x00, 0x02, FATAL, alert.to_u8()]
}
