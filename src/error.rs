//! Typed errors, and the one mapping from an error to the alert the peer is sent.
//!
//! Handlers never send alerts themselves. They return an [`Error`] that says
//! *why* the handshake cannot go on; [`Error::alert`] is the single place that
//! turns that reason into the alert RFC 8446 §6.2 prescribes, and
//! `Connection` is the single place that sends it. An error and an alert are
//! the same fact, told once.
//!
//! A peer-facing variant carries a typed reason, one enum per alert
//! ([`UnexpectedRecord`], [`ProtocolVersion`], [`IllegalParameter`],
//! [`MissingExtension`], [`UnsolicitedExtension`], [`NoCommonParameters`]),
//! in the spirit of rustls's `PeerMisbehaved`: one variant per check, whose
//! doc comment cites the RFC section it enforces and whose `Display` is what
//! `--explain` and the command line print. A reason's type says which
//! variant, hence which alert, it belongs to, so [`Error::alert`] stays one
//! line per variant and no reason can reach the wrong alert; a test asserts
//! the exact reason, so a check that trips earlier than intended fails it.
//!
//! The rules of the table, from RFC 8446 §6.2:
//! - bytes that do not parse (a length that overruns, a vector of the wrong
//!   size) are `decode_error`;
//! - a value that parses but is not allowed (a group we did not offer, a
//!   non-zero compression method) is `illegal_parameter`;
//! - a required extension that is absent is `missing_extension`;
//! - a message that is not expected in the current state is
//!   `unexpected_message` ([`Error::UnexpectedMessage`]), raised in two
//!   places: by `Connection`, from the message's header, when its state has
//!   no arrow for its type (`expects`), and by each side's dispatch for a
//!   type that has an arrow but not now (a second HelloRetryRequest);
//! - a record that may not come now is `unexpected_message` too
//!   ([`Error::UnexpectedRecord`]), raised by the record layer and by
//!   `Connection`, one [`UnexpectedRecord`] reason per check;
//! - a record that fails to decrypt is `bad_record_mac`;
//! - a Finished or CertificateVerify that does not verify is `decrypt_error`;
//! - certificate problems map to the certificate alerts (below).
//!
//! | alert | sent when | a test that triggers it |
//! |---|---|---|
//! | `unexpected_message` | [`Error::UnexpectedMessage`] (a message type its state has no arrow for), [`Error::UnexpectedRecord`] (an [`UnexpectedRecord`]: an unknown record type, an empty handshake or alert record, fragments interleaved with another type, ...) | `tests/state_matrix.rs`, `tests/negative.rs` |
//! | `bad_record_mac` | [`Error::BadRecordMac`] (past the limit of skipped early data, too) | `tests/negative.rs::tampered_record_is_bad_record_mac`, `tests/negative.rs::rejected_early_data_is_skipped_up_to_the_limit` |
//! | `record_overflow` | [`Error::RecordOverflow`] | `tests/negative.rs::oversized_record_is_record_overflow` |
//! | `handshake_failure` | [`Error::NoCommonParameters`] (a [`NoCommonParameters`]: no common suite, signature scheme or group) | `tests/negative.rs::no_common_suite_is_handshake_failure` |
//! | `bad_certificate` | name mismatch, bad signature, not a CA, malformed DER, a client leaf without extKeyUsage clientAuth | `tests/cert_validation.rs`, `tests/mutual_tls.rs` |
//! | `certificate_required` | [`Error::CertificateRequired`] (an empty client Certificate when the server requires one) | `tests/mutual_tls.rs` |
//! | `unsupported_certificate` | a key or signature algorithm other than Ed25519, a chain not usable by a TLS server | `tests/cert_validation.rs` |
//! | `certificate_expired` | outside notBefore..notAfter | `tests/cert_validation.rs` |
//! | `unknown_ca` | no path to a trust anchor | `tests/cert_validation.rs` |
//! | `illegal_parameter` | [`Error::IllegalParameter`] (an [`IllegalParameter`]: a server_name that is not a DNS host name, a second ClientHello that changed too much, ...) | `tests/negative.rs`, `tests/resumption.rs` |
//! | `decode_error` | [`Error::Decode`] (a vector outside its declared bounds, a message longer than its type allows), [`Error::EmptyCertificate`] | `tests/negative.rs`, `tests/robustness.rs` |
//! | `decrypt_error` | [`Error::BadFinished`], [`Error::BadCertificateVerify`], [`Error::BadBinder`] | `tests/negative.rs`, `tests/resumption.rs::wrong_binder_is_decrypt_error` |
//! | `protocol_version` | [`Error::ProtocolVersion`] (a [`ProtocolVersion`]: no TLS 1.3 offered or selected, legacy_version SSL 3.0 or older, an SSL 2.0 ClientHello) | `tests/negative.rs::tls12_only_client_hello_is_protocol_version`, `tests/negative.rs::an_sslv2_client_hello_is_protocol_version` |
//! | `missing_extension` | [`Error::MissingExtension`] (a [`MissingExtension`] naming the extension and the message) | `tests/negative.rs` |
//! | `unsupported_extension` | [`Error::UnsolicitedExtension`] (an [`UnsolicitedExtension`]: an answer to an extension the client did not offer) | `tests/negative.rs` |
//! | `no_application_protocol` | [`Error::NoApplicationProtocol`] (the client's ALPN list and the server's have no name in common, RFC 7301 §3.2) | `tests/alpn_exporters_key_update.rs::no_common_application_protocol_is_no_application_protocol` |
//! | `internal_error` | [`Error::Internal`] (an encoder asked to write a vector longer than its length prefix) | (none a peer can reach: a bug) |

use std::fmt;

/// `enum { ... } AlertDescription;` from RFC 8446 §6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AlertDescription {
    /// The sender will send no more messages on this connection (RFC 8446 §6.1).
    CloseNotify,
    /// A message arrived that is wrong here, e.g. the wrong handshake message or premature application data (RFC 8446 §6.2).
    UnexpectedMessage,
    /// A record could not be deprotected: its AEAD tag does not verify (RFC 8446 §6.2).
    BadRecordMac,
    /// A record longer than 2^14 + 256 bytes of ciphertext or 2^14 bytes of plaintext (RFC 8446 §6.2).
    RecordOverflow,
    /// No acceptable set of security parameters could be negotiated (RFC 8446 §6.2).
    HandshakeFailure,
    /// A certificate was corrupt or has a signature that does not verify (RFC 8446 §6.2).
    BadCertificate,
    /// A certificate of a type the receiver does not support (RFC 8446 §6.2).
    UnsupportedCertificate,
    /// A certificate was revoked by its signer (RFC 8446 §6.2).
    CertificateRevoked,
    /// A certificate has expired or is not yet valid (RFC 8446 §6.2).
    CertificateExpired,
    /// A certificate was unacceptable for some other, unspecified reason (RFC 8446 §6.2).
    CertificateUnknown,
    /// A field that parses but is incorrect or inconsistent with other fields (RFC 8446 §6.2).
    IllegalParameter,
    /// A chain that leads to no known trust anchor (RFC 8446 §6.2).
    UnknownCa,
    /// A valid certificate or PSK, but access control refused to go on (RFC 8446 §6.2).
    AccessDenied,
    /// A message that does not follow the presentation syntax: a field out of range or a wrong length (RFC 8446 §6.2).
    DecodeError,
    /// A handshake signature, Finished or PSK binder failed to verify (RFC 8446 §6.2).
    DecryptError,
    /// The version the peer tried to negotiate is recognised but not supported (RFC 8446 §6.2).
    ProtocolVersion,
    /// Instead of `handshake_failure` when the server requires parameters more secure than the client supports (RFC 8446 §6.2).
    InsufficientSecurity,
    /// A local failure unrelated to the peer or the protocol makes it impossible to go on (RFC 8446 §6.2).
    InternalError,
    /// A server refusing an invalid connection retry (RFC 7507; RFC 8446 §6.2).
    InappropriateFallback,
    /// The sender is abandoning the handshake for a reason that is not a protocol failure; a `close_notify` follows (RFC 8446 §6.1).
    UserCanceled,
    /// A handshake message lacks an extension it must carry (RFC 8446 §6.2).
    MissingExtension,
    /// A ServerHello, HelloRetryRequest, EncryptedExtensions or Certificate carries an extension that was not first offered (RFC 8446 §6.2).
    UnsupportedExtension,
    /// A server that has no host for the client's server_name (RFC 6066; RFC 8446 §6.2).
    UnrecognizedName,
    /// A client refusing the server's OCSP response to status_request (RFC 6066; RFC 8446 §6.2).
    BadCertificateStatusResponse,
    /// A server wanting PSK key establishment that found no acceptable PSK identity (RFC 8446 §6.2).
    UnknownPskIdentity,
    /// A server that wanted a client certificate and got none (RFC 8446 §6.2).
    CertificateRequired,
    /// A server that supports none of the protocols the client's ALPN extension offers (RFC 7301; RFC 8446 §6.2).
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

    /// The alert for a code point on the wire (RFC 8446 §6); one this
    /// table does not name becomes [`AlertDescription::Unknown`].
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
    Expired {
        /// The certificate's notAfter, in seconds since the Unix epoch.
        not_after: i64,
        /// The time the chain was checked at, in seconds since the Unix epoch.
        now: i64,
    },
    /// The current time is before notBefore (RFC 5280 §4.1.2.5).
    NotYetValid {
        /// The certificate's notBefore, in seconds since the Unix epoch.
        not_before: i64,
        /// The time the chain was checked at, in seconds since the Unix epoch.
        now: i64,
    },
    /// No subjectAltName entry matches the name we asked for: a dNSName for a
    /// DNS name (RFC 9525 §6.3), an iPAddress for an IP address (RFC 9525 §6.4).
    NameMismatch {
        /// The server name or IP address the certificate was checked against.
        expected: String,
    },
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
    /// or client authentication): the leaf is a CA (cA=TRUE) or its keyUsage
    /// lacks digitalSignature (RFC 5280 §4.2.1.9, §4.2.1.3), or an
    /// extKeyUsage on the path lacks the purpose, e.g. serverAuth (§4.2.1.12).
    InvalidUsage,
    /// A client's leaf certificate whose extKeyUsage does not name
    /// clientAuth, or that has no extKeyUsage at all: minitls's server
    /// requires the extension on a client leaf (RFC 5280 §4.2.1.12).
    NotForClientAuth,
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
            InvalidUsage => write!(
                f,
                "certificate may not be used for this TLS role (a CA as leaf, or keyUsage/extKeyUsage forbid it)"
            ),
            NotForClientAuth => write!(
                f,
                "client certificate lacks extKeyUsage clientAuth (RFC 5280 §4.2.1.12)"
            ),
        }
    }
}

/// Why a record was refused with `unexpected_message` (RFC 8446 §5, §5.1, §5.4).
///
/// Each variant is one check of the record layer; [`Error::UnexpectedRecord`]
/// carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnexpectedRecord {
    /// A record header names a content type RFC 8446 §5 does not define
    /// ("an unexpected record type").
    UnknownContentType,
    /// A protected record whose plaintext is all zeros, so it has no inner
    /// content type (RFC 8446 §5.4).
    NoInnerContentType,
    /// A protected record whose inner content type is not one RFC 8446 §5
    /// defines (RFC 8446 §5.4).
    UnknownInnerContentType,
    /// A change_cipher_spec record whose content is not the single byte
    /// 0x01 (RFC 8446 §5).
    ChangeCipherSpecNotOne,
    /// A change_cipher_spec before the first ClientHello or after the
    /// peer's Finished, where RFC 8446 §5 does not let it be dropped.
    ChangeCipherSpecOutsideHandshake,
    /// A second change_cipher_spec: minitls's policy, not the RFC's (RFC
    /// 8446 §5 lets each be dropped; a peer following Appendix D.4 sends one).
    SecondChangeCipherSpec,
    /// A change_cipher_spec found inside a protected record (RFC 8446 §5).
    ProtectedChangeCipherSpec,
    /// A record of another type between the fragments of one handshake
    /// message (RFC 8446 §5.1).
    InterleavedWithHandshakeFragments,
    /// A handshake or alert record with no content (RFC 8446 §5.1, §5.4).
    EmptyHandshakeOrAlert,
    /// Application data before the handshake completed (RFC 8446 §5:
    /// nothing protects it yet under the application keys).
    ApplicationDataBeforeConnected,
    /// A record in the clear once the peer's keys are in use (RFC 8446 §5.2).
    UnprotectedAfterKeyChange,
    /// A handshake message continues past a message that changes keys, so
    /// its tail was protected under the old keys (RFC 8446 §5.1).
    HandshakeSpansKeyChange,
    /// More 0-RTT data than the ticket's max_early_data_size (RFC 8446
    /// §4.6.1: "SHOULD terminate the connection with an
    /// "unexpected_message" alert").
    TooMuchEarlyData,
}

impl fmt::Display for UnexpectedRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use UnexpectedRecord::*;
        f.write_str(match self {
            UnknownContentType => "unknown record content type (RFC 8446 §5)",
            NoInnerContentType => "protected record with no content type (RFC 8446 §5.4)",
            UnknownInnerContentType => "unknown inner content type (RFC 8446 §5.4)",
            ChangeCipherSpecNotOne => "change_cipher_spec whose content is not 0x01 (RFC 8446 §5)",
            ChangeCipherSpecOutsideHandshake => {
                "change_cipher_spec before the ClientHello or after the handshake (RFC 8446 §5)"
            }
            SecondChangeCipherSpec => "a second change_cipher_spec (minitls accepts one)",
            ProtectedChangeCipherSpec => {
                "change_cipher_spec inside a protected record (RFC 8446 §5)"
            }
            InterleavedWithHandshakeFragments => {
                "a record of another type between the fragments of a handshake message (RFC 8446 §5.1)"
            }
            EmptyHandshakeOrAlert => "empty handshake or alert record (RFC 8446 §5.1)",
            ApplicationDataBeforeConnected => {
                "application data before the handshake completed (RFC 8446 §5)"
            }
            UnprotectedAfterKeyChange => {
                "unprotected record after keys were installed (RFC 8446 §5.2)"
            }
            HandshakeSpansKeyChange => "handshake message spans a key change (RFC 8446 §5.1)",
            TooMuchEarlyData => "more early data than max_early_data_size (RFC 8446 §4.6.1)",
        })
    }
}

/// Why the peer is refused with `protocol_version`: it does not speak
/// TLS 1.3 (RFC 8446 §4.2.1, Appendix D).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolVersion {
    /// The first bytes received are an SSL 2.0-format ClientHello, with which
    /// TLS 1.3 "MUST NOT" be negotiated (RFC 8446 Appendix D.5). The RFC
    /// names no alert; protocol_version is minitls's choice.
    Ssl2ClientHello,
    /// ClientHello.legacy_version is 0x0300 or lower (RFC 8446 Appendix D.5).
    LegacyVersionSsl3OrOlder,
    /// The ClientHello has no supported_versions listing 0x0304, so the
    /// client speaks at most TLS 1.2 (RFC 8446 §4.2.1).
    ClientDoesNotOfferTls13,
    /// The ServerHello has no supported_versions, so the server chose
    /// TLS 1.2 or older (RFC 8446 §4.1.3, §4.2.1).
    ServerDidNotSelectTls13,
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ProtocolVersion::*;
        f.write_str(match self {
            Ssl2ClientHello => "SSL 2.0-format ClientHello (RFC 8446 Appendix D.5)",
            LegacyVersionSsl3OrOlder => {
                "ClientHello.legacy_version is SSL 3.0 or older (RFC 8446 Appendix D.5)"
            }
            ClientDoesNotOfferTls13 => "client does not offer TLS 1.3 (RFC 8446 §4.2.1)",
            ServerDidNotSelectTls13 => "server did not select TLS 1.3 (RFC 8446 §4.2.1)",
        })
    }
}

/// Why a well-formed value is refused with `illegal_parameter` (RFC 8446
/// §6.2: "A field in the handshake was incorrect or inconsistent with other
/// fields").
///
/// One variant per check, grouped by the message that carries the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IllegalParameter {
    // Extension blocks, in any message.
    /// A known extension in a message RFC 8446 §4.2's table does not list it for.
    ExtensionNotAllowedInMessage,
    /// Two extensions of one type in one block (RFC 8446 §4.2).
    DuplicateExtension,
    /// server_name lists two host_names (RFC 6066 §3).
    TwoHostNames,
    /// A host_name that is not a DNS host name: empty, too long, a trailing
    /// dot, a bad label, not ASCII (RFC 6066 §3).
    ServerNameNotHostName,
    /// A host_name that is an IPv4 or IPv6 address literal (RFC 6066 §3).
    ServerNameIsIpAddress,
    /// Two key_share entries for one group (RFC 8446 §4.2.8).
    DuplicateKeyShareGroup,
    /// An X25519 key_exchange that is not 32 bytes (RFC 8446 §4.2.8.2).
    X25519KeyExchangeLength,
    /// The X25519 shared secret is all zeros (RFC 8446 §7.4.2).
    X25519SharedSecretZero,

    // ClientHello, checked by the server.
    /// ClientHello.legacy_compression_methods is not exactly `[0]` (RFC 8446 §4.1.2).
    LegacyCompressionMethods,
    /// A key_share entry for a group not in supported_groups (RFC 8446 §4.2.8).
    KeyShareNotInSupportedGroups,
    /// pre_shared_key is not the last extension (RFC 8446 §4.2.11).
    PreSharedKeyNotLast,
    /// pre_shared_key has different numbers of identities and binders (RFC 8446 §4.2.11).
    BinderCountMismatch,
    /// The second ClientHello changed more than RFC 8446 §4.1.2 allows.
    SecondClientHelloChanged,
    /// The second ClientHello carries early_data (RFC 8446 §4.2.10).
    EarlyDataInSecondClientHello,
    /// EncryptedExtensions accepts early data in a handshake where the
    /// server did not select our first PSK (RFC 8446 §4.2.10: the client
    /// "MUST verify that the server's selected_identity is 0").
    EarlyDataWithoutFirstPsk,
    /// The second ClientHello lacks the x25519 key_share the
    /// HelloRetryRequest asked for (RFC 8446 §4.1.4).
    SecondClientHelloLacksRequestedShare,

    // ServerHello and HelloRetryRequest, checked by the client.
    /// legacy_session_id_echo differs from our legacy_session_id (RFC 8446 §4.1.3).
    SessionIdEchoMismatch,
    /// The server selected a cipher suite we did not offer (RFC 8446 §4.1.3).
    CipherSuiteNotOffered,
    /// ServerHello.legacy_compression_method is not 0 (RFC 8446 §4.1.3).
    LegacyCompressionMethod,
    /// supported_versions selects a version we did not offer (RFC 8446 §4.2.1).
    VersionNotOffered,
    /// ServerHello.random ends in a downgrade sentinel (RFC 8446 §4.1.3).
    DowngradeSentinel,
    /// selected_identity is not an identity we offered (RFC 8446 §4.2.11).
    SelectedIdentityNotOffered,
    /// The server used psk_dhe_ke, which we did not offer (RFC 8446 §4.2.9).
    PskDheKeNotOffered,
    /// The server's key_share is not for a group we sent a share for (RFC 8446 §4.2.8).
    KeyShareNotOffered,
    /// A HelloRetryRequest asks for a group we did not offer, or one we
    /// already sent a share for (RFC 8446 §4.2.8).
    HelloRetryRequestGroup,
    /// A HelloRetryRequest that would not change the ClientHello (RFC 8446 §4.1.4).
    HelloRetryRequestChangesNothing,

    // Later handshake messages.
    /// The server's Certificate has a non-empty certificate_request_context
    /// (RFC 8446 §4.4.2).
    CertificateRequestContext,
    /// CertificateVerify uses a signature scheme we did not offer (RFC 8446 §4.4.3).
    SignatureSchemeNotOffered,
    /// KeyUpdate.request_update is neither 0 nor 1 (RFC 8446 §4.6.3).
    KeyUpdateRequest,
    /// The server's application_layer_protocol_negotiation does not hold
    /// exactly one ProtocolName (RFC 7301 §3.1).
    ApplicationProtocolNotOneName,
    /// The server chose an application protocol we did not offer (RFC 7301
    /// §3.2: it selects among those the client advertised).
    ApplicationProtocolNotOffered,
    /// The client's Certificate does not echo our CertificateRequest's
    /// certificate_request_context (RFC 8446 §4.4.2).
    ClientCertificateRequestContext,
}

impl fmt::Display for IllegalParameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use IllegalParameter::*;
        f.write_str(match self {
            ExtensionNotAllowedInMessage => "extension not allowed in this message (RFC 8446 §4.2)",
            DuplicateExtension => "duplicate extension in one block (RFC 8446 §4.2)",
            TwoHostNames => "server_name_list has two host_names (RFC 6066 §3)",
            ServerNameNotHostName => "host_name is not a DNS host name (RFC 6066 §3)",
            ServerNameIsIpAddress => "host_name is an IP address literal (RFC 6066 §3)",
            DuplicateKeyShareGroup => "two key_share entries for one group (RFC 8446 §4.2.8)",
            X25519KeyExchangeLength => "X25519 key_exchange is not 32 bytes (RFC 8446 §4.2.8.2)",
            X25519SharedSecretZero => "X25519 shared secret is all zeros (RFC 8446 §7.4.2)",
            LegacyCompressionMethods => {
                "ClientHello.legacy_compression_methods is not [0] (RFC 8446 §4.1.2)"
            }
            KeyShareNotInSupportedGroups => {
                "key_share does not match supported_groups (RFC 8446 §4.2.8)"
            }
            PreSharedKeyNotLast => "pre_shared_key is not the last extension (RFC 8446 §4.2.11)",
            BinderCountMismatch => {
                "pre_shared_key has different numbers of identities and binders (RFC 8446 §4.2.11)"
            }
            SecondClientHelloChanged => {
                "second ClientHello differs from the first beyond what RFC 8446 §4.1.2 allows"
            }
            EarlyDataInSecondClientHello => {
                "early_data in the second ClientHello (RFC 8446 §4.2.10)"
            }
            EarlyDataWithoutFirstPsk => {
                "early_data accepted without selecting our first PSK (RFC 8446 §4.2.10)"
            }
            SecondClientHelloLacksRequestedShare => {
                "second ClientHello lacks the requested x25519 key_share (RFC 8446 §4.1.4)"
            }
            SessionIdEchoMismatch => {
                "legacy_session_id_echo differs from our legacy_session_id (RFC 8446 §4.1.3)"
            }
            CipherSuiteNotOffered => {
                "server selected a cipher suite we did not offer (RFC 8446 §4.1.3)"
            }
            LegacyCompressionMethod => {
                "ServerHello.legacy_compression_method is not 0 (RFC 8446 §4.1.3)"
            }
            VersionNotOffered => "server selected a version we did not offer (RFC 8446 §4.2.1)",
            DowngradeSentinel => "downgrade sentinel in ServerHello.random (RFC 8446 §4.1.3)",
            SelectedIdentityNotOffered => {
                "selected_identity is not an identity we offered (RFC 8446 §4.2.11)"
            }
            PskDheKeNotOffered => "server used psk_dhe_ke, which we did not offer (RFC 8446 §4.2.9)",
            KeyShareNotOffered => "server key_share is not for a share we sent (RFC 8446 §4.2.8)",
            HelloRetryRequestGroup => {
                "HelloRetryRequest asks for a group we did not offer or already sent (RFC 8446 §4.2.8)"
            }
            HelloRetryRequestChangesNothing => {
                "HelloRetryRequest would not change the ClientHello (RFC 8446 §4.1.4)"
            }
            CertificateRequestContext => {
                "server Certificate has a certificate_request_context (RFC 8446 §4.4.2)"
            }
            SignatureSchemeNotOffered => {
                "CertificateVerify uses a scheme we did not offer (RFC 8446 §4.4.3)"
            }
            KeyUpdateRequest => "KeyUpdate request_update is not 0 or 1 (RFC 8446 §4.6.3)",
            ApplicationProtocolNotOneName => {
                "server's ALPN answer is not exactly one protocol name (RFC 7301 §3.1)"
            }
            ApplicationProtocolNotOffered => {
                "server chose an application protocol we did not offer (RFC 7301 §3.2)"
            }
            ClientCertificateRequestContext => {
                "client Certificate does not echo the certificate_request_context (RFC 8446 §4.4.2)"
            }
        })
    }
}

/// Which required extension is absent, refused with `missing_extension`
/// (RFC 8446 §9.2 and the sections below).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingExtension {
    /// A ClientHello without signature_algorithms, which certificate
    /// authentication requires (RFC 8446 §9.2).
    ClientHelloSignatureAlgorithms,
    /// A ClientHello without supported_groups (RFC 8446 §9.2).
    ClientHelloSupportedGroups,
    /// A ClientHello without key_share (RFC 8446 §9.2).
    ClientHelloKeyShare,
    /// A ClientHello with pre_shared_key but no psk_key_exchange_modes (RFC 8446 §4.2.9).
    ClientHelloPskKeyExchangeModes,
    /// A ServerHello for a full handshake without key_share (RFC 8446 §9.2).
    ServerHelloKeyShare,
    /// A ServerHello that accepts our PSK without key_share, i.e. in
    /// psk_ke mode, which we did not offer (RFC 8446 §4.2.9).
    ServerHelloKeyShareForPsk,
    /// A CertificateRequest without signature_algorithms (RFC 8446 §4.3.2).
    CertificateRequestSignatureAlgorithms,
}

impl fmt::Display for MissingExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use MissingExtension::*;
        f.write_str(match self {
            ClientHelloSignatureAlgorithms => "signature_algorithms in ClientHello (RFC 8446 §9.2)",
            ClientHelloSupportedGroups => "supported_groups in ClientHello (RFC 8446 §9.2)",
            ClientHelloKeyShare => "key_share in ClientHello (RFC 8446 §9.2)",
            ClientHelloPskKeyExchangeModes => {
                "psk_key_exchange_modes with pre_shared_key (RFC 8446 §4.2.9)"
            }
            ServerHelloKeyShare => "key_share in ServerHello (RFC 8446 §9.2)",
            ServerHelloKeyShareForPsk => {
                "key_share in ServerHello: psk_ke was not offered (RFC 8446 §4.2.9)"
            }
            CertificateRequestSignatureAlgorithms => {
                "signature_algorithms in CertificateRequest (RFC 8446 §4.3.2)"
            }
        })
    }
}

/// An extension the server sent that the client did not offer, refused
/// with `unsupported_extension` (RFC 8446 §4.2: "Implementations MUST NOT
/// send extension responses if the remote endpoint did not send the
/// corresponding extension requests").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnsolicitedExtension {
    /// In a ServerHello or HelloRetryRequest (a HelloRetryRequest's cookie
    /// excepted).
    InServerHello {
        /// The RFC's name for the extension's type (RFC 8446 §4.2).
        extension: &'static str,
    },
    /// In EncryptedExtensions.
    InEncryptedExtensions {
        /// The RFC's name for the extension's type (RFC 8446 §4.2).
        extension: &'static str,
    },
}

impl fmt::Display for UnsolicitedExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsolicitedExtension::InServerHello { extension } => {
                write!(f, "{extension} in ServerHello, not offered (RFC 8446 §4.2)")
            }
            UnsolicitedExtension::InEncryptedExtensions { extension } => {
                write!(
                    f,
                    "{extension} in EncryptedExtensions, not offered (RFC 8446 §4.2)"
                )
            }
        }
    }
}

/// What the client and server have no value in common for, refused with
/// `handshake_failure` (RFC 8446 §4.1.1). minitls speaks one value of each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoCommonParameters {
    /// The client does not offer TLS_CHACHA20_POLY1305_SHA256 (RFC 8446 §4.1.1).
    CipherSuite,
    /// The client does not accept ed25519 signatures (RFC 8446 §4.2.3).
    SignatureScheme,
    /// The client does not support x25519 (RFC 8446 §4.2.7).
    Group,
}

impl fmt::Display for NoCommonParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NoCommonParameters::CipherSuite => {
                "client does not offer TLS_CHACHA20_POLY1305_SHA256 (RFC 8446 §4.1.1)"
            }
            NoCommonParameters::SignatureScheme => {
                "client does not accept ed25519 signatures (RFC 8446 §4.2.3)"
            }
            NoCommonParameters::Group => "client does not support x25519 (RFC 8446 §4.2.7)",
        })
    }
}

/// Everything that can end a connection, each a reason a test can assert on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Bytes that do not parse: the field named ran past its bounds or had an
    /// impossible length (RFC 8446 §6.2 `decode_error`).
    Decode {
        /// The field, in the RFC's presentation-language name where it has one.
        field: &'static str,
    },
    /// A message that Appendix A does not allow in this state, named by its
    /// type (it may be refused from its header, before it is decoded).
    UnexpectedMessage {
        /// The receiver's state, in the RFC's Appendix A name (e.g. `WAIT_EE`).
        state: &'static str,
        /// The RFC's name for the message's type (e.g. `Certificate`).
        got: &'static str,
    },
    /// A record of a content type not allowed now (RFC 8446 §5).
    UnexpectedRecord(UnexpectedRecord),
    /// The peer does not speak TLS 1.3 (RFC 8446 §4.2.1).
    ProtocolVersion(ProtocolVersion),
    /// A well-formed value that is not allowed (RFC 8446 §6.2 `illegal_parameter`).
    IllegalParameter(IllegalParameter),
    /// A required extension is absent (RFC 8446 §9.2).
    MissingExtension(MissingExtension),
    /// An extension the peer may not send us here (RFC 8446 §4.2).
    UnsolicitedExtension(UnsolicitedExtension),
    /// Nothing we support in common (RFC 8446 §4.1.1).
    NoCommonParameters(NoCommonParameters),
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
    /// The client answered our CertificateRequest with an empty
    /// Certificate, and the server requires one (RFC 8446 §4.4.2.4).
    CertificateRequired,
    /// The certificate chain was refused.
    Certificate(CertificateError),
    /// The client offers application protocols and the server supports
    /// none of them (RFC 7301 §3.2, RFC 8446 §6.2 `no_application_protocol`).
    NoApplicationProtocol,
    /// The peer sent us a fatal alert; we send nothing back.
    AlertReceived(AlertDescription),
    /// The application used the API out of order (e.g. `send` before Connected).
    /// Not a protocol failure: no alert, the connection is unharmed. The
    /// text is for the programmer, so it stays free text.
    Misuse(&'static str),
    /// A bug or an impossible local condition. Nothing the peer did, so no
    /// typed reason: the text says where.
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
            // RFC 8446 §4.4.2.4: the server MAY "abort the handshake with a
            // "certificate_required" alert".
            Error::CertificateRequired => A::CertificateRequired,
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
                // RFC 8446 §4.4.2.2 (RFC 9846's "Certificate Selection")
                // leaves the alert open ("an appropriate certificate-related
                // alert", by default unsupported_certificate); minitls says
                // bad_certificate for a certificate of a supported type
                // issued for another use.
                C::NotForClientAuth => A::BadCertificate,
            },
            Error::NoApplicationProtocol => A::NoApplicationProtocol,
            Error::Internal(_) => A::InternalError,
            Error::AlertReceived(_) | Error::Misuse(_) => return None,
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
            Error::UnexpectedRecord(why) => write!(f, "unexpected record: {why}"),
            Error::ProtocolVersion(why) => write!(f, "peer does not speak TLS 1.3: {why}"),
            Error::IllegalParameter(why) => write!(f, "illegal parameter: {why}"),
            Error::MissingExtension(which) => write!(f, "missing extension: {which}"),
            Error::UnsolicitedExtension(which) => write!(f, "extension not allowed here: {which}"),
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
            Error::CertificateRequired => write!(
                f,
                "client sent no certificate, and one is required (RFC 8446 §4.4.2.4)"
            ),
            Error::Certificate(c) => write!(f, "{c}"),
            Error::NoApplicationProtocol => write!(
                f,
                "none of the client's application protocols is one we speak (RFC 7301 §3.2)"
            ),
            Error::AlertReceived(a) => write!(f, "peer sent alert {a}"),
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
