//! Typed errors, and the one mapping from an error to the alert the peer is sent.
//!
//! Handlers never send alerts themselves. They return an [`Error`] that says
//! *why* the handshake cannot go on; [`Error::alert`] is the single place that
//! turns that reason into the alert RFC 8446 §6.2 prescribes, and
//! `Connection` is the single place that sends it. An error and an alert are
//! the same fact, told once.
//!
//! The rules of the table, from RFC 8446 §6.2:
//! - bytes that do not parse (a length that overruns, a vector of the wrong
//!   size) are `decode_error`;
//! - a value that parses but is not allowed (a group we did not offer, a
//!   non-zero compression method) is `illegal_parameter`;
//! - a required extension that is absent is `missing_extension`;
//! - a message that is not expected in the current state is
//!   `unexpected_message`, decided by the state machine: from a message's
//!   header when its state has no arrow for its type (`expects`), else by
//!   the dispatch; a record of the wrong type is `unexpected_message` too;
//! - a record that fails to decrypt is `bad_record_mac`;
//! - a Finished or CertificateVerify that does not verify is `decrypt_error`;
//! - certificate problems map to the certificate alerts (below).
//!
//! | alert | sent when | a test that triggers it |
//! |---|---|---|
//! | `unexpected_message` | [`Error::UnexpectedMessage`] (a message type its state has no arrow for), [`Error::UnexpectedRecord`] (an unknown record type, an empty handshake or alert record, fragments interleaved with another type) | `tests/state_matrix.rs`, `tests/negative.rs` |
//! | `bad_record_mac` | [`Error::BadRecordMac`] (past the limit of skipped early data, too) | `tests/negative.rs::tampered_record_is_bad_record_mac`, `tests/negative.rs::rejected_early_data_is_skipped_up_to_the_limit` |
//! | `record_overflow` | [`Error::RecordOverflow`] | `tests/negative.rs::oversized_record_is_record_overflow` |
//! | `handshake_failure` | [`Error::NoCommonParameters`] | `tests/negative.rs::no_common_suite_is_handshake_failure` |
//! | `bad_certificate` | name mismatch, bad signature, not a CA, malformed DER | `tests/cert_validation.rs` |
//! | `unsupported_certificate` | a key or signature algorithm other than Ed25519, a chain not usable by a TLS server | `tests/cert_validation.rs` |
//! | `certificate_expired` | outside notBefore..notAfter | `tests/cert_validation.rs` |
//! | `unknown_ca` | no path to a trust anchor | `tests/cert_validation.rs` |
//! | `illegal_parameter` | [`Error::IllegalParameter`] (a server_name that is not a DNS host name, a second ClientHello that changed too much) | `tests/negative.rs`, `tests/resumption.rs` |
//! | `decode_error` | [`Error::Decode`] (a vector outside its declared bounds, a message longer than its type allows), [`Error::EmptyCertificate`] | `tests/negative.rs`, `tests/robustness.rs` |
//! | `decrypt_error` | [`Error::BadFinished`], [`Error::BadCertificateVerify`], [`Error::BadBinder`] | `tests/negative.rs`, `tests/resumption.rs::wrong_binder_is_decrypt_error` |
//! | `protocol_version` | [`Error::ProtocolVersion`] (no TLS 1.3 offered, legacy_version SSL 3.0 or older, an SSL 2.0 ClientHello) | `tests/negative.rs::tls12_only_client_hello_is_protocol_version`, `tests/negative.rs::an_sslv2_client_hello_is_protocol_version` |
//! | `missing_extension` | [`Error::MissingExtension`] | `tests/negative.rs` |
//! | `unsupported_extension` | [`Error::UnsolicitedExtension`] | `tests/negative.rs` |
//! | `internal_error` | [`Error::Internal`] (an encoder asked to write a vector longer than its length prefix) | (none a peer can reach: a bug) |

use std::fmt;

/// `enum { ... } AlertDescription;` from RFC 8446 §6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AlertDescription {
    CloseNotify,
    UnexpectedMessage,
    BadRecordMac,
    RecordOverflow,
    HandshakeFailure,
    BadCertificate,
    UnsupportedCertificate,
    CertificateRevoked,
    CertificateExpired,
    CertificateUnknown,
    IllegalParameter,
    UnknownCa,
    AccessDenied,
    DecodeError,
    DecryptError,
    ProtocolVersion,
    InsufficientSecurity,
    InternalError,
    InappropriateFallback,
    UserCanceled,
    MissingExtension,
    UnsupportedExtension,
    UnrecognizedName,
    BadCertificateStatusResponse,
    UnknownPskIdentity,
    CertificateRequired,
    NoApplicationProtocol,
    /// A code point this table does not name (RFC 8446 §6: treat as fatal).
    Unknown(u8),
}

impl AlertDescription {
    /// The code point on the wire (RFC 8446 §6).
    pub fn to_u8(self) -> u8 {
        use AlertDescription::*;
        match self {
            CloseNotify => 0,
            UnexpectedMessage => 10,
            BadRecordMac => 20,
            RecordOverflow => 22,
            HandshakeFailure => 40,
            BadCertificate => 42,
            UnsupportedCertificate => 43,
            CertificateRevoked => 44,
            CertificateExpired => 45,
            CertificateUnknown => 46,
            IllegalParameter => 47,
            UnknownCa => 48,
            AccessDenied => 49,
            DecodeError => 50,
            DecryptError => 51,
            ProtocolVersion => 70,
            InsufficientSecurity => 71,
            InternalError => 80,
            InappropriateFallback => 86,
            UserCanceled => 90,
            MissingExtension => 109,
            UnsupportedExtension => 110,
            UnrecognizedName => 112,
            BadCertificateStatusResponse => 113,
            UnknownPskIdentity => 115,
            CertificateRequired => 116,
            NoApplicationProtocol => 120,
            Unknown(v) => v,
        }
    }

    pub fn from_u8(v: u8) -> Self {
        use AlertDescription::*;
        match v {
            0 => CloseNotify,
            10 => UnexpectedMessage,
            20 => BadRecordMac,
            22 => RecordOverflow,
            40 => HandshakeFailure,
            42 => BadCertificate,
            43 => UnsupportedCertificate,
            44 => CertificateRevoked,
            45 => CertificateExpired,
            46 => CertificateUnknown,
            47 => IllegalParameter,
            48 => UnknownCa,
            49 => AccessDenied,
            50 => DecodeError,
            51 => DecryptError,
            70 => ProtocolVersion,
            71 => InsufficientSecurity,
            80 => InternalError,
            86 => InappropriateFallback,
            90 => UserCanceled,
            109 => MissingExtension,
            110 => UnsupportedExtension,
            112 => UnrecognizedName,
            113 => BadCertificateStatusResponse,
            115 => UnknownPskIdentity,
            116 => CertificateRequired,
            120 => NoApplicationProtocol,
            other => Unknown(other),
        }
    }

    /// The RFC's name for the alert, as it appears in RFC 8446 §6.
    pub fn name(self) -> &'static str {
        use AlertDescription::*;
        match self {
            CloseNotify => "close_notify",
            UnexpectedMessage => "unexpected_message",
            BadRecordMac => "bad_record_mac",
            RecordOverflow => "record_overflow",
            HandshakeFailure => "handshake_failure",
            BadCertificate => "bad_certificate",
            UnsupportedCertificate => "unsupported_certificate",
            CertificateRevoked => "certificate_revoked",
            CertificateExpired => "certificate_expired",
            CertificateUnknown => "certificate_unknown",
            IllegalParameter => "illegal_parameter",
            UnknownCa => "unknown_ca",
            AccessDenied => "access_denied",
            DecodeError => "decode_error",
            DecryptError => "decrypt_error",
            ProtocolVersion => "protocol_version",
            InsufficientSecurity => "insufficient_security",
            InternalError => "internal_error",
            InappropriateFallback => "inappropriate_fallback",
            UserCanceled => "user_canceled",
            MissingExtension => "missing_extension",
            UnsupportedExtension => "unsupported_extension",
            UnrecognizedName => "unrecognized_name",
            BadCertificateStatusResponse => "bad_certificate_status_response",
            UnknownPskIdentity => "unknown_psk_identity",
            CertificateRequired => "certificate_required",
            NoApplicationProtocol => "no_application_protocol",
            Unknown(_) => "unknown_alert",
        }
    }
}

impl fmt::Display for AlertDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AlertDescription::Unknown(v) => write!(f, "unknown alert ({v})"),
            other => f.write_str(other.name()),
        }
    }
}

/// Why a certificate chain was refused (RFC 5280 §6, RFC 8446 §4.4.2.4).
///
/// Produced by `pki::verify`; mapped to an alert by [`Error::alert`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateError {
    /// The DER does not parse as an X.509 certificate (ITU-T X.690, RFC 5280 §4.1).
    Malformed(&'static str),
    /// No chain from the leaf reaches a trust anchor.
    UnknownIssuer,
    /// The current time is after notAfter (RFC 5280 §4.1.2.5).
    Expired { not_after: i64, now: i64 },
    /// The current time is before notBefore (RFC 5280 §4.1.2.5).
    NotYetValid { not_before: i64, now: i64 },
    /// No subjectAltName entry matches the name we asked for: a dNSName for a
    /// DNS name (RFC 6125 §6.4), an iPAddress for an IP address (RFC 9525 §6.4).
    NameMismatch { expected: String },
    /// A signature in the chain does not verify.
    BadSignature,
    /// An issuer lacks basicConstraints cA=TRUE or keyCertSign (RFC 5280 §4.2.1.9, §4.2.1.3).
    IssuerNotCa,
    /// The chain is longer than a pathLenConstraint allows (RFC 5280 §4.2.1.9).
    PathTooLong,
    /// A key or signature algorithm other than Ed25519 (minitls speaks only RFC 8410).
    UnsupportedAlgorithm,
    /// A critical extension we do not understand (RFC 5280 §4.2).
    UnsupportedCriticalExtension,
    /// The chain may not be used for what it was checked for (TLS server
    /// authentication, so far): the leaf is a CA (cA=TRUE) or its keyUsage
    /// lacks digitalSignature (RFC 5280 §4.2.1.9, §4.2.1.3), or an
    /// extKeyUsage on the path lacks the purpose, e.g. serverAuth (§4.2.1.12).
    InvalidUsage,
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CertificateError::*;
        match self {
            Malformed(what) => write!(f, "certificate is malformed: {what}"),
            UnknownIssuer => write!(f, "certificate chain does not lead to a trusted CA"),
            Expired { not_after, now } => {
                write!(f, "certificate expired (notAfter {not_after}, now {now})")
            }
            NotYetValid { not_before, now } => {
                write!(
                    f,
                    "certificate is not yet valid (notBefore {not_before}, now {now})"
                )
            }
            NameMismatch { expected } => {
                write!(f, "certificate is not valid for the name {expected:?}")
            }
            BadSignature => write!(f, "a signature in the certificate chain does not verify"),
            IssuerNotCa => write!(f, "an issuer in the chain is not a CA"),
            PathTooLong => write!(f, "the chain exceeds a pathLenConstraint"),
            UnsupportedAlgorithm => write!(f, "certificate uses an algorithm other than Ed25519"),
            UnsupportedCriticalExtension => {
                write!(f, "certificate has an unsupported critical extension")
            }
            InvalidUsage => write!(f, "certificate may not be used for a TLS server"),
        }
    }
}

/// Everything that can end a connection, each a reason a test can assert on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Bytes that do not parse: the field named ran past its bounds or had an
    /// impossible length (RFC 8446 §6.2 `decode_error`).
    Decode { field: &'static str },
    /// A message that Appendix A does not allow in this state, named by its
    /// type (it may be refused from its header, before it is decoded).
    UnexpectedMessage {
        state: &'static str,
        got: &'static str,
    },
    /// A record of a content type not allowed now (RFC 8446 §5).
    UnexpectedRecord(&'static str),
    /// The peer does not speak TLS 1.3 (RFC 8446 §4.2.1).
    ProtocolVersion(&'static str),
    /// A well-formed value that is not allowed (RFC 8446 §6.2 `illegal_parameter`).
    IllegalParameter(&'static str),
    /// A required extension is absent (RFC 8446 §9.2).
    MissingExtension(&'static str),
    /// An extension the peer may not send us here (RFC 8446 §4.2).
    UnsolicitedExtension(&'static str),
    /// Nothing we support in common (RFC 8446 §4.1.1).
    NoCommonParameters(&'static str),
    /// AEAD decryption failed (RFC 8446 §5.2).
    BadRecordMac,
    /// A record longer than RFC 8446 §5.1/§5.2 allows.
    RecordOverflow,
    /// The peer's Finished MAC is wrong (RFC 8446 §4.4.4).
    BadFinished,
    /// The CertificateVerify signature does not verify (RFC 8446 §4.4.3).
    BadCertificateVerify,
    /// The PSK binder of the selected identity does not verify (RFC 8446 §4.2.11).
    BadBinder,
    /// The server sent an empty Certificate (RFC 8446 §4.4.2.4).
    EmptyCertificate,
    /// The certificate chain was refused.
    Certificate(CertificateError),
    /// The peer sent us a fatal alert; we send nothing back.
    AlertReceived(AlertDescription),
    /// The connection was already closed by an earlier error or close_notify.
    Closed,
    /// The application used the API out of order (e.g. `send` before Connected).
    /// Not a protocol failure: no alert, the connection is unharmed.
    Misuse(&'static str),
    /// A bug or an impossible local condition.
    Internal(&'static str),
}

impl Error {
    // ANCHOR: error_alert
    /// THE error → alert mapping (RFC 8446 §6.2). `None` means send nothing.
    pub fn alert(&self) -> Option<AlertDescription> {
        use AlertDescription as A;
        use CertificateError as C;
        Some(match self {
            Error::Decode { .. } => A::DecodeError,
            Error::UnexpectedMessage { .. } => A::UnexpectedMessage,
            Error::UnexpectedRecord(_) => A::UnexpectedMessage,
            Error::ProtocolVersion(_) => A::ProtocolVersion,
            Error::IllegalParameter(_) => A::IllegalParameter,
            Error::MissingExtension(_) => A::MissingExtension,
            Error::UnsolicitedExtension(_) => A::UnsupportedExtension,
            Error::NoCommonParameters(_) => A::HandshakeFailure,
            Error::BadRecordMac => A::BadRecordMac,
            Error::RecordOverflow => A::RecordOverflow,
            Error::BadFinished => A::DecryptError,
            Error::BadCertificateVerify => A::DecryptError,
            Error::BadBinder => A::DecryptError,
            Error::EmptyCertificate => A::DecodeError,
            Error::Certificate(c) => match c {
                C::Malformed(_) => A::BadCertificate,
                C::UnknownIssuer => A::UnknownCa,
                // RFC 8446 §6.2: "A certificate has expired or is not currently valid."
                C::Expired { .. } | C::NotYetValid { .. } => A::CertificateExpired,
                C::NameMismatch { .. } => A::BadCertificate,
                C::BadSignature => A::BadCertificate,
                C::IssuerNotCa => A::BadCertificate,
                C::PathTooLong => A::BadCertificate,
                C::UnsupportedAlgorithm => A::UnsupportedCertificate,
                C::UnsupportedCriticalExtension => A::UnsupportedCertificate,
                C::InvalidUsage => A::UnsupportedCertificate,
            },
            Error::Internal(_) => A::InternalError,
            Error::AlertReceived(_) | Error::Closed | Error::Misuse(_) => return None,
        })
    }
    // ANCHOR_END: error_alert

    /// Shorthand for a decode failure in the named field.
    pub fn decode(field: &'static str) -> Self {
        Error::Decode { field }
    }
}

impl From<CertificateError> for Error {
    fn from(e: CertificateError) -> Self {
        Error::Certificate(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Decode { field } => write!(f, "could not decode {field}"),
            Error::UnexpectedMessage { state, got } => {
                write!(f, "received {got} in state {state} (RFC 8446 Appendix A)")
            }
            Error::UnexpectedRecord(what) => write!(f, "unexpected record: {what}"),
            Error::ProtocolVersion(what) => write!(f, "peer does not speak TLS 1.3: {what}"),
            Error::IllegalParameter(what) => write!(f, "illegal parameter: {what}"),
            Error::MissingExtension(what) => write!(f, "missing extension: {what}"),
            Error::UnsolicitedExtension(what) => write!(f, "extension not allowed here: {what}"),
            Error::NoCommonParameters(what) => write!(f, "nothing in common: {what}"),
            Error::BadRecordMac => write!(f, "record failed to decrypt (RFC 8446 §5.2)"),
            Error::RecordOverflow => write!(f, "record too long (RFC 8446 §5.2)"),
            Error::BadFinished => write!(f, "peer's Finished does not verify (RFC 8446 §4.4.4)"),
            Error::BadCertificateVerify => {
                write!(
                    f,
                    "CertificateVerify signature does not verify (RFC 8446 §4.4.3)"
                )
            }
            Error::BadBinder => write!(f, "PSK binder does not verify (RFC 8446 §4.2.11.2)"),
            Error::EmptyCertificate => {
                write!(f, "server sent an empty Certificate (RFC 8446 §4.4.2.4)")
            }
            Error::Certificate(c) => write!(f, "{c}"),
            Error::AlertReceived(a) => write!(f, "peer sent alert {a}"),
            Error::Closed => write!(f, "connection is closed"),
            Error::Misuse(what) => write!(f, "API misuse: {what}"),
            Error::Internal(what) => write!(f, "internal error: {what}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_codes_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(AlertDescription::from_u8(v).to_u8(), v);
        }
    }

    #[test]
    fn certificate_errors_map_to_certificate_alerts() {
        let e: Error = CertificateError::UnknownIssuer.into();
        assert_eq!(e.alert(), Some(AlertDescription::UnknownCa));
        let e: Error = CertificateError::NotYetValid {
            not_before: 10,
            now: 0,
        }
        .into();
        assert_eq!(e.alert(), Some(AlertDescription::CertificateExpired));
        assert_eq!(
            Error::AlertReceived(AlertDescription::DecodeError).alert(),
            None
        );
    }
}
