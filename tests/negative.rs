//! Drive a pair, alter one field of one flight, and check the exact error,
//! the alert it maps to, and that the failure is sticky (rustls's
//! `transfer_altered` idea; DESIGN.md principle 8, STYLE.md §4 and §9).
//!
//! Plaintext hellos are decoded, changed and re-encoded. Protected flights
//! are opened with the traffic secret read off the trace, changed, and
//! sealed again under the same key and sequence number, so the receiver
//! sees a record that decrypts and a message that is wrong.

#[macro_use]
mod common;

use std::sync::Arc;

use common::*;
use minitls::crypto::Ed25519PrivateKey;
use minitls::error::{
    CertificateError, IllegalParameter, MissingExtension, NoCommonParameters, ProtocolVersion,
    UnexpectedRecord, UnsolicitedExtension,
};
use minitls::key_schedule::SecretLabel;
use minitls::messages::extensions::{OfferedPsks, PskIdentity, extension_type as et};
use minitls::messages::server_hello::{
    DOWNGRADE_TLS11, DOWNGRADE_TLS12, HELLO_RETRY_REQUEST_RANDOM,
};
use minitls::messages::{
    Certificate, CertificateRequest, CertificateRequestExtensions, CertificateVerify, ED25519,
    EncryptedExtensions, Extension, Finished, HandshakeMessage, KeyShareEntry, KeyUpdate,
    TLS_CHACHA20_POLY1305_SHA256, TLS12, TLS13, X25519,
};
use minitls::pki::issue::{CertificateParams, issue};
use minitls::pki::x509;
use minitls::record::ContentType;
use minitls::testing::{FIXED_NOW, Pair, SeededRng, client_config, demo_pki, server_config};
use minitls::trace::{RecordedEvent, Recorder};
use minitls::{AlertDescription as A, Connection, Error};

const SECP256R1: u16 = 0x0017;

/// `assert_failure!` on the server (or client) of a [`Traced`] pair.
macro_rules! server_fails {
    ($t:expr, $result:expr, $pat:pat, $alert:ident) => {
        assert_failure!($t.pair.server, $t.server, $result, $pat, A::$alert)
    };
}

macro_rules! client_fails {
    ($t:expr, $result:expr, $pat:pat, $alert:ident) => {
        assert_failure!($t.pair.client, $t.client, $result, $pat, A::$alert)
    };
}

// ---------------------------------------------------------------------------
// Helpers: alter the ClientHello on its way to the server, or the
// ServerHello on its way to the client.

fn decode_client_hello(record: &[u8]) -> WireClientHello {
    match HandshakeMessage::decode(&split_records(record)[0].fragment) {
        Ok(HandshakeMessage::ClientHello(hello)) => WireClientHello::new(hello),
        other => panic!("not a ClientHello: {other:?}"),
    }
}

/// A fresh pair whose ClientHello reaches the server altered by `alter`.
fn send_altered_client_hello(
    alter: impl FnOnce(&mut WireClientHello),
) -> (Traced, Result<(), Error>) {
    let mut t = traced_pair();
    let mut hello = decode_client_hello(&take(&mut t.pair.client));
    alter(&mut hello);
    let result = t.pair.server.receive(&hello.record());
    (t, result)
}

fn remove_extension(list: &mut Vec<Extension>, extension_type: u16) {
    let before = list.len();
    list.retain(|e| e.extension_type() != extension_type);
    assert_eq!(
        list.len() + 1,
        before,
        "extension {extension_type} was present once"
    );
}

fn replace_extension(list: &mut [Extension], new: Extension) {
    let slot = list
        .iter_mut()
        .find(|e| e.extension_type() == new.extension_type())
        .expect("extension present");
    *slot = new;
}

fn x25519_share(hello: &WireClientHello) -> KeyShareEntry {
    match hello.find_extension(et::KEY_SHARE) {
        Some(Extension::KeyShareClient(shares)) => shares[0].clone(),
        other => panic!("no client key_share: {other:?}"),
    }
}

fn decode_server_hello(fragment: &[u8]) -> WireServerHello {
    match HandshakeMessage::decode(fragment) {
        Ok(HandshakeMessage::ServerHello(hello)) => WireServerHello::new(hello),
        other => panic!("not a ServerHello: {other:?}"),
    }
}

/// A pair whose client receives the genuine server flight with the
/// ServerHello record replaced by `altered` (wire bytes of one record).
fn send_server_hello_record(
    altered: impl FnOnce(&WireServerHello) -> Vec<u8>,
) -> (Traced, Result<(), Error>) {
    let AfterServerFlight { mut traced, flight } = after_server_flight();
    let hello = decode_server_hello(&flight.server_hello.fragment);
    let mut bytes = altered(&hello);
    if let Some(ccs) = &flight.change_cipher_spec {
        bytes.extend_from_slice(&ccs.encode());
    }
    bytes.extend_from_slice(&flight.protected.encode());
    let result = traced.pair.client.receive(&bytes);
    (traced, result)
}

fn send_altered_server_hello(
    alter: impl FnOnce(&mut WireServerHello),
) -> (Traced, Result<(), Error>) {
    send_server_hello_record(|hello| {
        let mut hello = hello.clone();
        alter(&mut hello);
        hello.record()
    })
}

/// A pair whose client receives the server's protected flight with its
/// messages (EncryptedExtensions, Certificate, CertificateVerify,
/// Finished) replaced by what `alter` makes of them, sealed again.
fn send_altered_server_messages(
    alter: impl FnOnce(&mut Vec<Vec<u8>>),
) -> (Traced, Result<(), Error>) {
    let AfterServerFlight { mut traced, flight } = after_server_flight();
    let mut messages = flight.messages.clone();
    alter(&mut messages);
    let mut bytes = flight.clear_part();
    bytes.extend_from_slice(&flight.reseal(&messages));
    let result = traced.pair.client.receive(&bytes);
    (traced, result)
}

fn decode(bytes: &[u8]) -> HandshakeMessage {
    HandshakeMessage::decode(bytes).expect("genuine message decodes")
}

/// A pair where the client has its server flight and the server has not
/// yet seen the client's second flight, which is returned.
fn client_second_flight() -> (Traced, Vec<u8>) {
    let mut t = traced_pair();
    t.pair.client_to_server().unwrap();
    t.pair.server_to_client().unwrap();
    assert_eq!(t.pair.client.state_name(), "CONNECTED");
    let flight = take(&mut t.pair.client);
    (t, flight)
}

fn connected() -> Traced {
    let mut t = traced_pair();
    t.pair.drive().unwrap();
    assert!(t.pair.client.is_connected() && t.pair.server.is_connected());
    t
}

fn no_alert_sent(recorder: &Recorder) -> bool {
    !recorder
        .events()
        .iter()
        .any(|e| matches!(e, RecordedEvent::AlertSent(_)))
}

// ---------------------------------------------------------------------------
// The server and the ClientHello (RFC 8446 §4.1.2, §4.2, §9.2).

#[test]
fn tls12_only_client_hello_is_protocol_version() {
    // No supported_versions: the client speaks TLS 1.2 at most.
    let (mut t, result) =
        send_altered_client_hello(|h| remove_extension(&mut h.extensions, et::SUPPORTED_VERSIONS));
    server_fails!(
        t,
        result,
        Error::ProtocolVersion(ProtocolVersion::ClientDoesNotOfferTls13),
        ProtocolVersion
    );

    // supported_versions without 0x0304.
    let (mut t, result) = send_altered_client_hello(|h| {
        replace_extension(
            &mut h.extensions,
            Extension::SupportedVersionsClient(vec![TLS12, 0x0302]),
        )
    });
    server_fails!(
        t,
        result,
        Error::ProtocolVersion(ProtocolVersion::ClientDoesNotOfferTls13),
        ProtocolVersion
    );

    // A real TLS 1.2 ClientHello: no extensions block at all.
    let (mut t, result) = send_altered_client_hello(|h| {
        h.cipher_suites = vec![0xc02f, 0x009c];
        h.extensions.clear();
    });
    server_fails!(
        t,
        result,
        Error::ProtocolVersion(ProtocolVersion::ClientDoesNotOfferTls13),
        ProtocolVersion
    );
}

#[test]
fn no_common_suite_is_handshake_failure() {
    let (mut t, result) = send_altered_client_hello(|h| h.cipher_suites = vec![0x1301, 0x1302]);
    server_fails!(
        t,
        result,
        Error::NoCommonParameters(NoCommonParameters::CipherSuite),
        HandshakeFailure
    );
}

#[test]
fn no_ed25519_signature_algorithm_is_handshake_failure() {
    let (mut t, result) = send_altered_client_hello(|h| {
        replace_extension(
            &mut h.extensions,
            Extension::SignatureAlgorithms(vec![0x0403, 0x0804]),
        )
    });
    server_fails!(
        t,
        result,
        Error::NoCommonParameters(NoCommonParameters::SignatureScheme),
        HandshakeFailure
    );
}

#[test]
fn missing_signature_algorithms_is_missing_extension() {
    let (mut t, result) = send_altered_client_hello(|h| {
        remove_extension(&mut h.extensions, et::SIGNATURE_ALGORITHMS)
    });
    server_fails!(
        t,
        result,
        Error::MissingExtension(MissingExtension::ClientHelloSignatureAlgorithms),
        MissingExtension
    );
}

#[test]
fn missing_supported_groups_is_missing_extension() {
    let (mut t, result) =
        send_altered_client_hello(|h| remove_extension(&mut h.extensions, et::SUPPORTED_GROUPS));
    server_fails!(
        t,
        result,
        Error::MissingExtension(MissingExtension::ClientHelloSupportedGroups),
        MissingExtension
    );
}

#[test]
fn missing_key_share_is_missing_extension() {
    let (mut t, result) =
        send_altered_client_hello(|h| remove_extension(&mut h.extensions, et::KEY_SHARE));
    server_fails!(
        t,
        result,
        Error::MissingExtension(MissingExtension::ClientHelloKeyShare),
        MissingExtension
    );
}

#[test]
fn compression_other_than_null_is_illegal_parameter() {
    for methods in [vec![1], vec![0, 1], vec![1, 0]] {
        let (mut t, result) =
            send_altered_client_hello(|h| h.legacy_compression_methods = methods.clone());
        server_fails!(
            t,
            result,
            Error::IllegalParameter(IllegalParameter::LegacyCompressionMethods),
            IllegalParameter
        );
    }
}

#[test]
fn empty_compression_methods_is_refused() {
    // opaque legacy_compression_methods<1..2^8-1>: an empty list is not
    // [0] either.
    let (mut t, result) = send_altered_client_hello(|h| h.legacy_compression_methods = vec![]);
    let err = result.expect_err("empty compression list refused");
    let alert = err.alert().expect("an alert");
    assert!(
        matches!(alert, A::IllegalParameter | A::DecodeError),
        "{err:?}"
    );
    check_failed(&mut t.pair.server, &t.server, &err, alert);
}

#[test]
fn duplicate_extension_in_client_hello_is_illegal_parameter() {
    let (mut t, result) = send_altered_client_hello(|h| {
        h.extensions.push(Extension::SupportedGroups(vec![X25519]));
    });
    server_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::DuplicateExtension),
        IllegalParameter
    );
}

#[test]
fn pre_shared_key_not_last_is_illegal_parameter() {
    let (mut t, result) = send_altered_client_hello(|h| {
        let psk = Extension::PreSharedKeyClient(OfferedPsks {
            identities: vec![PskIdentity {
                identity: b"ticket".to_vec(),
                obfuscated_ticket_age: 7,
            }],
            binders: vec![vec![0; 32]],
        });
        h.extensions.insert(0, psk);
        // The hello offers no PSK yet, but may already carry modes: one
        // block, so that only the order is wrong.
        h.extensions
            .retain(|e| e.extension_type() != et::PSK_KEY_EXCHANGE_MODES);
        h.extensions.push(Extension::PskKeyExchangeModes(vec![1]));
    });
    server_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::PreSharedKeyNotLast),
        IllegalParameter
    );
}

#[test]
fn key_share_outside_supported_groups_is_illegal_parameter() {
    let (mut t, result) = send_altered_client_hello(|h| {
        let mut shares = vec![x25519_share(h)];
        shares.push(KeyShareEntry {
            group: SECP256R1,
            key_exchange: vec![4; 65],
        });
        replace_extension(&mut h.extensions, Extension::KeyShareClient(shares));
    });
    server_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::KeyShareNotInSupportedGroups),
        IllegalParameter
    );
}

#[test]
fn two_shares_for_one_group_is_illegal_parameter() {
    let (mut t, result) = send_altered_client_hello(|h| {
        let share = x25519_share(h);
        replace_extension(
            &mut h.extensions,
            Extension::KeyShareClient(vec![share.clone(), share]),
        );
    });
    server_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::DuplicateKeyShareGroup),
        IllegalParameter
    );
}

#[test]
fn x25519_share_of_wrong_length_is_illegal_parameter() {
    let (mut t, result) = send_altered_client_hello(|h| {
        replace_extension(
            &mut h.extensions,
            Extension::KeyShareClient(vec![KeyShareEntry {
                group: X25519,
                key_exchange: vec![9; 31],
            }]),
        );
    });
    server_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::X25519KeyExchangeLength),
        IllegalParameter
    );
}

#[test]
fn all_zero_x25519_share_is_illegal_parameter() {
    // RFC 8446 §7.4.2: a small-order point gives an all-zero shared secret.
    let (mut t, result) = send_altered_client_hello(|h| {
        replace_extension(
            &mut h.extensions,
            Extension::KeyShareClient(vec![KeyShareEntry {
                group: X25519,
                key_exchange: vec![0; 32],
            }]),
        );
    });
    server_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::X25519SharedSecretZero),
        IllegalParameter
    );
}

#[test]
fn only_p256_offered_is_handshake_failure() {
    let (mut t, result) = send_altered_client_hello(|h| {
        replace_extension(
            &mut h.extensions,
            Extension::SupportedGroups(vec![SECP256R1]),
        );
        replace_extension(
            &mut h.extensions,
            Extension::KeyShareClient(vec![KeyShareEntry {
                group: SECP256R1,
                key_exchange: vec![4; 65],
            }]),
        );
    });
    server_fails!(
        t,
        result,
        Error::NoCommonParameters(NoCommonParameters::Group),
        HandshakeFailure
    );
}

/// supported_groups lists x25519 but the only share is for P-256.
fn without_x25519_share(h: &mut WireClientHello) {
    replace_extension(
        &mut h.extensions,
        Extension::SupportedGroups(vec![SECP256R1, X25519]),
    );
    replace_extension(
        &mut h.extensions,
        Extension::KeyShareClient(vec![KeyShareEntry {
            group: SECP256R1,
            key_exchange: vec![4; 65],
        }]),
    );
}

#[test]
fn missing_x25519_share_gets_hello_retry_request_then_illegal_parameter() {
    let (mut t, result) = send_altered_client_hello(without_x25519_share);
    result.expect("the server answers with a HelloRetryRequest");
    assert_eq!(t.pair.server.state_name(), "START");
    let records = split_records(&take(&mut t.pair.server));
    assert_eq!(records[0].content_type, HANDSHAKE);
    let HandshakeMessage::HelloRetryRequest(hrr) = decode(&records[0].fragment) else {
        panic!("the server's first message is a HelloRetryRequest");
    };
    assert_eq!(hrr.extensions.key_share, Some(X25519));
    assert_eq!(hrr.extensions.supported_versions, Some(TLS13));
    // The compatibility change_cipher_spec follows the server's first message.
    assert_eq!(records[1].content_type, CHANGE_CIPHER_SPEC);

    // The second ClientHello still lacks the x25519 share.
    let mut second = decode_client_hello(&{
        let mut t2 = traced_pair();
        take(&mut t2.pair.client)
    });
    without_x25519_share(&mut second);
    let result = t.pair.server.receive(&second.record());
    server_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::SecondClientHelloLacksRequestedShare),
        IllegalParameter
    );
}

#[test]
fn hello_retry_request_asking_for_x25519_is_illegal_parameter_at_the_client() {
    // The server's HRR names x25519, for which the client already sent a
    // share (RFC 8446 §4.2.8): the client must refuse it.
    let (mut t, result) = send_altered_client_hello(without_x25519_share);
    result.unwrap();
    let hrr = take(&mut t.pair.server);
    let result = t.pair.client.receive(&hrr);
    client_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::HelloRetryRequestGroup),
        IllegalParameter
    );
}

#[test]
fn malformed_client_hello_is_decode_error() {
    let mut t = traced_pair();
    let record = split_records(&take(&mut t.pair.client)).remove(0);
    let mut body = record.fragment.clone();
    // Cut the last extension short but keep the handshake length honest.
    body.truncate(body.len() - 3);
    let len = (body.len() - 4) as u32;
    body[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
    let result = t.pair.server.receive(&plain_record(HANDSHAKE, &body));
    server_fails!(t, result, Error::Decode { .. }, DecodeError);
}

// ---------------------------------------------------------------------------
// The client and the ServerHello (RFC 8446 §4.1.3, §4.2).

#[test]
fn server_hello_with_other_cipher_suite_is_illegal_parameter() {
    let (mut t, result) = send_altered_server_hello(|h| h.cipher_suite = 0x1301);
    client_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::CipherSuiteNotOffered),
        IllegalParameter
    );
}

#[test]
fn server_hello_with_other_session_id_echo_is_illegal_parameter() {
    let (mut t, result) = send_altered_server_hello(|h| h.legacy_session_id_echo[0] ^= 1);
    client_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::SessionIdEchoMismatch),
        IllegalParameter
    );
    let (mut t, result) = send_altered_server_hello(|h| h.legacy_session_id_echo.clear());
    client_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::SessionIdEchoMismatch),
        IllegalParameter
    );
}

#[test]
fn server_hello_with_compression_is_illegal_parameter() {
    let (mut t, result) = send_altered_server_hello(|h| h.legacy_compression_method = 1);
    client_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::LegacyCompressionMethod),
        IllegalParameter
    );
}

#[test]
fn server_hello_without_supported_versions_is_protocol_version() {
    let (mut t, result) =
        send_altered_server_hello(|h| remove_extension(&mut h.extensions, et::SUPPORTED_VERSIONS));
    client_fails!(
        t,
        result,
        Error::ProtocolVersion(ProtocolVersion::ServerDidNotSelectTls13),
        ProtocolVersion
    );
}

#[test]
fn server_hello_selecting_tls12_in_supported_versions_is_illegal_parameter() {
    let (mut t, result) = send_altered_server_hello(|h| {
        replace_extension(&mut h.extensions, Extension::SupportedVersionsServer(TLS12))
    });
    client_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::VersionNotOffered),
        IllegalParameter
    );
}

#[test]
fn downgrade_sentinel_is_illegal_parameter() {
    for sentinel in [DOWNGRADE_TLS12, DOWNGRADE_TLS11] {
        let (mut t, result) = send_altered_server_hello(|h| {
            remove_extension(&mut h.extensions, et::SUPPORTED_VERSIONS);
            h.random[24..].copy_from_slice(&sentinel);
        });
        client_fails!(
            t,
            result,
            Error::IllegalParameter(IllegalParameter::DowngradeSentinel),
            IllegalParameter
        );
    }
}

#[test]
fn server_key_share_in_other_group_is_illegal_parameter() {
    let (mut t, result) = send_altered_server_hello(|h| {
        let Some(Extension::KeyShareServer(share)) = h.find_extension(et::KEY_SHARE).cloned()
        else {
            panic!("ServerHello has a key_share");
        };
        replace_extension(
            &mut h.extensions,
            Extension::KeyShareServer(KeyShareEntry {
                group: SECP256R1,
                ..share
            }),
        );
    });
    client_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::KeyShareNotOffered),
        IllegalParameter
    );
}

#[test]
fn server_key_share_of_wrong_length_or_all_zero_is_illegal_parameter() {
    for (key_exchange, expected) in [
        (vec![5; 33], IllegalParameter::X25519KeyExchangeLength),
        (vec![0; 32], IllegalParameter::X25519SharedSecretZero),
    ] {
        let (mut t, result) = send_altered_server_hello(|h| {
            replace_extension(
                &mut h.extensions,
                Extension::KeyShareServer(KeyShareEntry {
                    group: X25519,
                    key_exchange: key_exchange.clone(),
                }),
            );
        });
        let err = client_fails!(t, result, Error::IllegalParameter(_), IllegalParameter);
        assert_eq!(err, Error::IllegalParameter(expected));
    }
}

#[test]
fn unsolicited_extension_in_server_hello_is_unsupported_extension() {
    let (mut t, result) = send_altered_server_hello(|h| {
        h.extensions.push(Extension::Unknown {
            extension_type: 0x1234,
            data: vec![1, 2, 3],
        })
    });
    client_fails!(
        t,
        result,
        Error::UnsolicitedExtension(UnsolicitedExtension::InServerHello {
            extension: "unknown extension"
        }),
        UnsupportedExtension
    );
    // A known extension that may appear in a ServerHello, but was not offered.
    let (mut t, result) =
        send_altered_server_hello(|h| h.extensions.push(Extension::PreSharedKeyServer(0)));
    client_fails!(
        t,
        result,
        Error::UnsolicitedExtension(UnsolicitedExtension::InServerHello {
            extension: "pre_shared_key"
        }),
        UnsupportedExtension
    );
}

#[test]
fn extension_not_allowed_in_server_hello_is_illegal_parameter() {
    // RFC 8446 §4.2: signature_algorithms may not appear in a ServerHello.
    let (mut t, result) = send_altered_server_hello(|h| {
        h.extensions
            .push(Extension::SignatureAlgorithms(vec![ED25519]))
    });
    client_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::ExtensionNotAllowedInMessage),
        IllegalParameter
    );
}

#[test]
fn duplicate_extension_in_server_hello_is_illegal_parameter() {
    let (mut t, result) =
        send_altered_server_hello(|h| h.extensions.push(Extension::SupportedVersionsServer(TLS13)));
    client_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::DuplicateExtension),
        IllegalParameter
    );
}

#[test]
fn server_hello_without_key_share_is_missing_extension() {
    let (mut t, result) =
        send_altered_server_hello(|h| remove_extension(&mut h.extensions, et::KEY_SHARE));
    client_fails!(
        t,
        result,
        Error::MissingExtension(MissingExtension::ServerHelloKeyShare),
        MissingExtension
    );
}

#[test]
fn truncated_server_hello_is_decode_error() {
    // Every strict prefix of the body, with the handshake length fixed up
    // so the message is whole and only its contents are short.
    let AfterServerFlight { flight, .. } = after_server_flight();
    let full = flight.server_hello.fragment.clone();
    for cut in 4..full.len() {
        let mut body = full[..cut].to_vec();
        let len = (cut - 4) as u32;
        body[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
        let recorder = Recorder::default();
        let mut client = client_with(&pki(), &recorder);
        take(&mut client);
        let result = client.receive(&plain_record(HANDSHAKE, &body));
        assert_failure!(
            client,
            recorder,
            result,
            Error::Decode { .. },
            A::DecodeError
        );
    }
}

// ---------------------------------------------------------------------------
// The server's protected flight, altered and sealed again.

#[test]
fn unsolicited_extension_in_encrypted_extensions_is_unsupported_extension() {
    let (mut t, result) = send_altered_server_messages(|m| {
        m[0] = HandshakeMessage::EncryptedExtensions(EncryptedExtensions::default())
            .encode_with_extensions(&[Extension::Unknown {
                extension_type: 0x4242,
                data: vec![],
            }])
            .unwrap();
    });
    client_fails!(
        t,
        result,
        Error::UnsolicitedExtension(UnsolicitedExtension::InEncryptedExtensions {
            extension: "unknown extension"
        }),
        UnsupportedExtension
    );
}

#[test]
fn key_share_in_encrypted_extensions_is_illegal_parameter() {
    let (mut t, result) = send_altered_server_messages(|m| {
        // Built by hand: our encoder would write it, but the decoder must
        // refuse key_share in EncryptedExtensions (RFC 8446 §4.2).
        m[0] = vec![8, 0, 0, 8, 0, 6, 0, 51, 0, 2, 0, 29];
    });
    client_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::ExtensionNotAllowedInMessage),
        IllegalParameter
    );
}

#[test]
fn certificate_with_request_context_is_illegal_parameter() {
    let (mut t, result) = send_altered_server_messages(|m| {
        let HandshakeMessage::Certificate(mut c) = decode(&m[1]) else {
            panic!("second message is the Certificate");
        };
        c.certificate_request_context = vec![1];
        m[1] = HandshakeMessage::Certificate(c).encode().unwrap();
    });
    client_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::CertificateRequestContext),
        IllegalParameter
    );
}

#[test]
fn empty_server_certificate_is_decode_error() {
    let (mut t, result) = send_altered_server_messages(|m| {
        m[1] = HandshakeMessage::Certificate(Certificate::default())
            .encode()
            .unwrap();
    });
    client_fails!(t, result, Error::EmptyCertificate, DecodeError);
}

#[test]
fn garbage_certificate_der_is_bad_certificate() {
    let (mut t, result) = send_altered_server_messages(|m| {
        let HandshakeMessage::Certificate(mut c) = decode(&m[1]) else {
            panic!("second message is the Certificate");
        };
        c.certificate_list[0].cert_data = vec![0x30, 0x03, 1, 2, 3];
        m[1] = HandshakeMessage::Certificate(c).encode().unwrap();
    });
    client_fails!(
        t,
        result,
        Error::Certificate(CertificateError::Malformed(_)),
        BadCertificate
    );
}

#[test]
fn certificate_verify_with_other_scheme_is_illegal_parameter() {
    let (mut t, result) = send_altered_server_messages(|m| {
        let HandshakeMessage::CertificateVerify(mut cv) = decode(&m[2]) else {
            panic!("third message is the CertificateVerify");
        };
        cv.algorithm = 0x0403;
        m[2] = HandshakeMessage::CertificateVerify(cv).encode().unwrap();
    });
    client_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::SignatureSchemeNotOffered),
        IllegalParameter
    );
}

#[test]
fn certificate_verify_with_bad_signature_is_decrypt_error() {
    for alter in [
        (|cv: &mut CertificateVerify| cv.signature[10] ^= 0x40) as fn(&mut CertificateVerify),
        |cv| cv.signature.truncate(63),
        |cv| cv.signature.clear(),
    ] {
        let (mut t, result) = send_altered_server_messages(|m| {
            let HandshakeMessage::CertificateVerify(mut cv) = decode(&m[2]) else {
                panic!("third message is the CertificateVerify");
            };
            alter(&mut cv);
            m[2] = HandshakeMessage::CertificateVerify(cv).encode().unwrap();
        });
        client_fails!(t, result, Error::BadCertificateVerify, DecryptError);
    }
}

#[test]
fn bad_server_finished_is_decrypt_error() {
    let (mut t, result) = send_altered_server_messages(|m| {
        let HandshakeMessage::Finished(mut f) = decode(&m[3]) else {
            panic!("fourth message is the Finished");
        };
        f.verify_data[31] ^= 1;
        m[3] = HandshakeMessage::Finished(f).encode().unwrap();
    });
    client_fails!(t, result, Error::BadFinished, DecryptError);
}

#[test]
fn certificate_request_without_signature_algorithms_is_missing_extension() {
    let (mut t, result) = send_altered_server_messages(|m| {
        // A well-formed extensions<2..2^16-1> that lacks the one it needs.
        let request = HandshakeMessage::CertificateRequest(CertificateRequest {
            certificate_request_context: vec![],
            extensions: CertificateRequestExtensions::default(),
        });
        let unknown = Extension::Unknown {
            extension_type: 0xfe00,
            data: vec![],
        };
        m.insert(1, request.encode_with_extensions(&[unknown]).unwrap());
    });
    client_fails!(
        t,
        result,
        Error::MissingExtension(MissingExtension::CertificateRequestSignatureAlgorithms),
        MissingExtension
    );
}

#[test]
fn certificate_request_with_no_extensions_is_decode_error() {
    // RFC 8446 §4.3.2: `Extension extensions<2..2^16-1>`: an empty list is
    // shorter than its declared minimum.
    let (mut t, result) = send_altered_server_messages(|m| {
        let request = HandshakeMessage::CertificateRequest(CertificateRequest {
            certificate_request_context: vec![],
            extensions: CertificateRequestExtensions::default(),
        });
        m.insert(1, request.encode_with_extensions(&[]).unwrap());
    });
    client_fails!(
        t,
        result,
        Error::Decode {
            field: "extensions"
        },
        DecodeError
    );
}

#[test]
fn bad_client_finished_is_decrypt_error() {
    let (mut t, flight) = client_second_flight();
    let records = split_records(&flight);
    assert_eq!(records[0].content_type, CHANGE_CIPHER_SPEC);
    let client_hs = secret(&t.client, SecretLabel::ClientHandshakeTraffic);
    let (content_type, plaintext) = open(&client_hs, 0, &records[1]);
    assert_eq!(content_type, ContentType::Handshake);
    let HandshakeMessage::Finished(mut finished) = decode(&plaintext) else {
        panic!("the client's second flight is its Finished");
    };
    finished.verify_data[0] ^= 0x80;
    let mut bytes = records[0].encode();
    bytes.extend(seal(
        &client_hs,
        0,
        ContentType::Handshake,
        &HandshakeMessage::Finished(finished).encode().unwrap(),
    ));
    let result = t.pair.server.receive(&bytes);
    server_fails!(t, result, Error::BadFinished, DecryptError);
}

#[test]
fn client_finished_from_another_session_is_bad_record_mac() {
    // The second flight of a handshake with a different client random:
    // its record was sealed under keys this server never derived.
    let pki = pki();
    let mut other_config = client_config(&pki, 2);
    other_config.rng = SeededRng::shared(77);
    let mut other = Pair::new(
        Connection::client(Arc::new(other_config), "localhost").unwrap(),
        Connection::server(Arc::new(server_config(&pki, 3))),
    );
    other.client_to_server().unwrap();
    other.server_to_client().unwrap();
    let foreign = take(&mut other.client);

    let (mut t, _) = client_second_flight();
    let result = t.pair.server.receive(&foreign);
    server_fails!(t, result, Error::BadRecordMac, BadRecordMac);
}

// ---------------------------------------------------------------------------
// Certificates and keys that do not belong together.

fn failing_pair(
    client_config: minitls::ClientConfig,
    server_name: &str,
    server_config: minitls::ServerConfig,
) -> (Pair, Recorder, Result<(), Error>) {
    let recorder = Recorder::default();
    let client = Connection::client_with_observer(
        Arc::new(client_config),
        server_name,
        Box::new(recorder.clone()),
    )
    .unwrap();
    let mut pair = Pair::new(client, Connection::server(Arc::new(server_config)));
    let result = pair.drive();
    (pair, recorder, result)
}

#[test]
fn wrong_server_key_is_decrypt_error() {
    let pki = pki();
    let mut server = server_config(&pki, 3);
    server.private_key = Ed25519PrivateKey::from_seed([7; 32]);
    let (mut pair, recorder, result) = failing_pair(client_config(&pki, 2), "localhost", server);
    assert_failure!(
        pair.client,
        recorder,
        result,
        Error::BadCertificateVerify,
        A::DecryptError
    );
}

#[test]
fn certificate_for_another_name_is_bad_certificate() {
    let pki = pki();
    let (mut pair, recorder, result) = failing_pair(
        client_config(&pki, 2),
        "example.com",
        server_config(&pki, 3),
    );
    assert_failure!(
        pair.client,
        recorder,
        result,
        Error::Certificate(CertificateError::NameMismatch { .. }),
        A::BadCertificate
    );
}

#[test]
fn expired_certificate_is_certificate_expired() {
    let pki = pki();
    let now = FIXED_NOW.as_secs();
    let mut params = CertificateParams::server(&["localhost"], now);
    params.not_before = now - 20_000;
    params.not_after = now - 10_000;
    let ca = x509::Certificate::from_der(&pki.ca_cert).unwrap();
    let cert = issue(
        &params,
        &pki.server_key.public_key(),
        &ca,
        &pki.ca_key,
        &mut SeededRng::new(5),
    );
    let mut server = server_config(&pki, 3);
    server.certificate_chain = vec![cert];
    let (mut pair, recorder, result) = failing_pair(client_config(&pki, 2), "localhost", server);
    assert_failure!(
        pair.client,
        recorder,
        result,
        Error::Certificate(CertificateError::Expired { .. }),
        A::CertificateExpired
    );
}

#[test]
fn certificate_from_unknown_ca_is_unknown_ca() {
    let trusted = pki();
    let other = demo_pki(99);
    let (mut pair, recorder, result) = failing_pair(
        client_config(&trusted, 2),
        "localhost",
        server_config(&other, 3),
    );
    assert_failure!(
        pair.client,
        recorder,
        result,
        Error::Certificate(CertificateError::UnknownIssuer),
        A::UnknownCa
    );
}

// ---------------------------------------------------------------------------
// The record layer (RFC 8446 §5).

#[test]
fn tampered_record_is_bad_record_mac() {
    // Server to client: one byte of the protected flight.
    for at in [0, 20, 100] {
        let AfterServerFlight { mut traced, flight } = after_server_flight();
        let mut protected = flight.protected.clone();
        let at = at.min(protected.fragment.len() - 1);
        protected.fragment[at] ^= 0x01;
        let mut bytes = flight.clear_part();
        bytes.extend(protected.encode());
        let result = traced.pair.client.receive(&bytes);
        client_fails!(traced, result, Error::BadRecordMac, BadRecordMac);
    }

    // The tag itself.
    let AfterServerFlight { mut traced, flight } = after_server_flight();
    let mut protected = flight.protected.clone();
    *protected.fragment.last_mut().unwrap() ^= 0x80;
    let mut bytes = flight.clear_part();
    bytes.extend(protected.encode());
    let result = traced.pair.client.receive(&bytes);
    client_fails!(traced, result, Error::BadRecordMac, BadRecordMac);

    // Client to server: the protected Finished.
    let (mut t, flight) = client_second_flight();
    let mut records = split_records(&flight);
    records[1].fragment[3] ^= 0x10;
    let result = t.pair.server.receive(&join_records(&records));
    server_fails!(t, result, Error::BadRecordMac, BadRecordMac);
}

#[test]
fn tampered_record_header_is_bad_record_mac() {
    // RFC 8446 §5.2: the header is the additional data.
    let AfterServerFlight { mut traced, flight } = after_server_flight();
    let mut protected = flight.protected.clone();
    protected.legacy_record_version = 0x0301;
    let mut bytes = flight.clear_part();
    bytes.extend(protected.encode());
    let result = traced.pair.client.receive(&bytes);
    client_fails!(traced, result, Error::BadRecordMac, BadRecordMac);
}

#[test]
fn tampered_application_data_is_bad_record_mac_both_ways() {
    let mut t = connected();
    t.pair.client.send(b"hello server").unwrap();
    let mut records = split_records(&take(&mut t.pair.client));
    records[0].fragment[0] ^= 0xff;
    let result = t.pair.server.receive(&join_records(&records));
    server_fails!(t, result, Error::BadRecordMac, BadRecordMac);

    let mut t = connected();
    t.pair.server.send(b"hello client").unwrap();
    let mut records = split_records(&take(&mut t.pair.server));
    records[0].fragment[5] ^= 0x01;
    let result = t.pair.client.receive(&join_records(&records));
    client_fails!(t, result, Error::BadRecordMac, BadRecordMac);
}

#[test]
fn replayed_record_is_bad_record_mac() {
    // RFC 8446 §5.3: the nonce moves on with each record.
    let mut t = connected();
    t.pair.client.send(b"once").unwrap();
    let record = take(&mut t.pair.client);
    t.pair.server.receive(&record).unwrap();
    let result = t.pair.server.receive(&record);
    server_fails!(t, result, Error::BadRecordMac, BadRecordMac);
}

#[test]
fn oversized_record_is_record_overflow() {
    // A header announcing 2^14 + 257 bytes: refused before any body arrives.
    let header = [APPLICATION_DATA, 3, 3, 0x41, 0x01];
    let recorder = Recorder::default();
    let mut client = client_with(&pki(), &recorder);
    take(&mut client);
    let result = client.receive(&header);
    assert_failure!(
        client,
        recorder,
        result,
        Error::RecordOverflow,
        A::RecordOverflow
    );

    let recorder = Recorder::default();
    let mut server = server_with(&pki(), &recorder);
    let result = server.receive(&[HANDSHAKE, 3, 3, 0xff, 0xff]);
    assert_failure!(
        server,
        recorder,
        result,
        Error::RecordOverflow,
        A::RecordOverflow
    );

    // Once connected, under application keys.
    let mut t = connected();
    let result = t.pair.server.receive(&header);
    server_fails!(t, result, Error::RecordOverflow, RecordOverflow);
}

#[test]
fn plaintext_record_over_2_14_is_record_overflow() {
    let recorder = Recorder::default();
    let mut server = server_with(&pki(), &recorder);
    let result = server.receive(&plain_record(HANDSHAKE, &vec![1; (1 << 14) + 1]));
    assert_failure!(
        server,
        recorder,
        result,
        Error::RecordOverflow,
        A::RecordOverflow
    );
}

#[test]
fn protected_record_with_inner_plaintext_over_2_14_is_record_overflow() {
    // RFC 8446 §5.2: TLSInnerPlaintext may not exceed 2^14 + 1 bytes,
    // though its ciphertext fits the 2^14 + 256 limit.
    let AfterServerFlight { mut traced, flight } = after_server_flight();
    let mut bytes = flight.clear_part();
    bytes.extend(seal(
        &flight.server_handshake_secret,
        0,
        ContentType::Handshake,
        &vec![0x55; (1 << 14) + 1],
    ));
    let result = traced.pair.client.receive(&bytes);
    client_fails!(traced, result, Error::RecordOverflow, RecordOverflow);
}

#[test]
fn unknown_record_type_is_unexpected_message() {
    let recorder = Recorder::default();
    let mut server = server_with(&pki(), &recorder);
    let result = server.receive(&plain_record(99, b"??"));
    assert_failure!(
        server,
        recorder,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::UnknownContentType),
        A::UnexpectedMessage
    );
}

#[test]
fn unprotected_handshake_after_keys_is_unexpected_message() {
    // After the ServerHello every record must be protected (RFC 8446 §5.2).
    let AfterServerFlight { mut traced, flight } = after_server_flight();
    let mut bytes = flight.clear_part();
    bytes.extend(plain_record(HANDSHAKE, &flight.messages[0]));
    let result = traced.pair.client.receive(&bytes);
    client_fails!(
        traced,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::UnprotectedAfterKeyChange),
        UnexpectedMessage
    );
}

#[test]
fn empty_handshake_or_alert_record_is_unexpected_message() {
    // RFC 8446 §5.1, §5.4: no zero-length Handshake or Alert content.
    for content_type in [HANDSHAKE, ALERT] {
        let recorder = Recorder::default();
        let mut server = server_with(&pki(), &recorder);
        let result = server.receive(&plain_record(content_type, &[]));
        assert_failure!(
            server,
            recorder,
            result,
            Error::UnexpectedRecord(UnexpectedRecord::EmptyHandshakeOrAlert),
            A::UnexpectedMessage
        );
    }
}

#[test]
fn handshake_message_spanning_a_key_change_is_unexpected_message() {
    // RFC 8446 §5.1: the ServerHello and the first bytes of the next
    // message in one plaintext record.
    let AfterServerFlight { mut traced, flight } = after_server_flight();
    let mut body = flight.server_hello.fragment.clone();
    body.extend_from_slice(&flight.messages[0][..2]);
    let result = traced.pair.client.receive(&plain_record(HANDSHAKE, &body));
    client_fails!(
        traced,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::HandshakeSpansKeyChange),
        UnexpectedMessage
    );
}

#[test]
fn huge_handshake_length_is_decode_error() {
    let recorder = Recorder::default();
    let mut server = server_with(&pki(), &recorder);
    let result = server.receive(&plain_record(HANDSHAKE, &[1, 0xff, 0xff, 0xff]));
    assert_failure!(
        server,
        recorder,
        result,
        Error::Decode { .. },
        A::DecodeError
    );
}

// ---------------------------------------------------------------------------
// change_cipher_spec (RFC 8446 §5, Appendix D.4).

#[test]
fn second_change_cipher_spec_is_unexpected_message() {
    let AfterServerFlight { mut traced, flight } = after_server_flight();
    let ccs = flight
        .change_cipher_spec
        .clone()
        .expect("compatibility mode");
    let mut bytes = flight.server_hello.encode();
    bytes.extend(ccs.encode());
    bytes.extend(ccs.encode());
    let result = traced.pair.client.receive(&bytes);
    client_fails!(
        traced,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::SecondChangeCipherSpec),
        UnexpectedMessage
    );
}

#[test]
fn change_cipher_spec_with_other_payload_is_unexpected_message() {
    for payload in [&[2u8][..], &[1, 1], &[]] {
        let AfterServerFlight { mut traced, flight } = after_server_flight();
        let mut bytes = flight.server_hello.encode();
        bytes.extend(plain_record(CHANGE_CIPHER_SPEC, payload));
        let result = traced.pair.client.receive(&bytes);
        client_fails!(
            traced,
            result,
            Error::UnexpectedRecord(UnexpectedRecord::ChangeCipherSpecNotOne),
            UnexpectedMessage
        );
    }
}

#[test]
fn change_cipher_spec_before_client_hello_is_unexpected_message() {
    let recorder = Recorder::default();
    let mut server = server_with(&pki(), &recorder);
    let result = server.receive(&plain_record(CHANGE_CIPHER_SPEC, &[1]));
    assert_failure!(
        server,
        recorder,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::ChangeCipherSpecOutsideHandshake),
        A::UnexpectedMessage
    );
}

#[test]
fn change_cipher_spec_after_handshake_is_unexpected_message() {
    let mut t = connected();
    let result = t
        .pair
        .client
        .receive(&plain_record(CHANGE_CIPHER_SPEC, &[1]));
    client_fails!(
        t,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::ChangeCipherSpecOutsideHandshake),
        UnexpectedMessage
    );
}

#[test]
fn protected_change_cipher_spec_is_unexpected_message() {
    let AfterServerFlight { mut traced, flight } = after_server_flight();
    let mut bytes = flight.clear_part();
    bytes.extend(seal(
        &flight.server_handshake_secret,
        0,
        ContentType::ChangeCipherSpec,
        &[1],
    ));
    let result = traced.pair.client.receive(&bytes);
    client_fails!(
        traced,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::ProtectedChangeCipherSpec),
        UnexpectedMessage
    );
}

// ---------------------------------------------------------------------------
// Alerts received (RFC 8446 §6).

fn check_alert_received(
    conn: &mut Connection,
    recorder: &Recorder,
    result: Result<(), Error>,
    alert: A,
) {
    let err = result.expect_err("a fatal alert ends the connection");
    assert_eq!(err, Error::AlertReceived(alert));
    assert_eq!(err.alert(), None);
    assert_eq!(conn.error(), Some(&err));
    assert!(no_alert_sent(recorder), "no alert answers an alert");
    assert!(
        recorder
            .events()
            .contains(&RecordedEvent::AlertReceived(alert))
    );
    check_sticky(conn, &err);
}

#[test]
fn fatal_alert_is_alert_received_and_not_answered() {
    let recorder = Recorder::default();
    let mut client = client_with(&pki(), &recorder);
    take(&mut client);
    let result = client.receive(&plain_record(ALERT, &[2, 40]));
    check_alert_received(&mut client, &recorder, result, A::HandshakeFailure);

    // A warning level does not make an error alert less fatal.
    let recorder = Recorder::default();
    let mut client = client_with(&pki(), &recorder);
    take(&mut client);
    let result = client.receive(&plain_record(ALERT, &[1, 47]));
    check_alert_received(&mut client, &recorder, result, A::IllegalParameter);

    // Protected, once connected: the client tells the server.
    let mut t = connected();
    let client_ap = secret(&t.client, SecretLabel::ClientApplicationTraffic0);
    let result = t
        .pair
        .server
        .receive(&seal(&client_ap, 0, ContentType::Alert, &[2, 80]));
    check_alert_received(&mut t.pair.server, &t.server, result, A::InternalError);
}

#[test]
fn close_notify_is_not_an_error() {
    let mut t = connected();
    t.pair.client.close();
    t.pair.client_to_server().unwrap();
    assert!(t.pair.server.peer_closed());
    assert!(t.pair.server.error().is_none());
    assert!(no_alert_sent(&t.server));
}

#[test]
fn malformed_alert_is_decode_error() {
    for body in [&[2u8][..], &[2, 40, 0]] {
        let recorder = Recorder::default();
        let mut client = client_with(&pki(), &recorder);
        take(&mut client);
        let result = client.receive(&plain_record(ALERT, body));
        assert_failure!(
            client,
            recorder,
            result,
            Error::Decode { .. },
            A::DecodeError
        );
    }
}

// ---------------------------------------------------------------------------
// Application data too early (RFC 8446 §5.1, §2).

#[test]
fn application_data_before_handshake_is_unexpected_message() {
    // In the clear, before any keys.
    let recorder = Recorder::default();
    let mut server = server_with(&pki(), &recorder);
    let result = server.receive(&plain_record(APPLICATION_DATA, b"GET / HTTP/1.1\r\n"));
    assert_failure!(
        server,
        recorder,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::ApplicationDataBeforeConnected),
        A::UnexpectedMessage
    );

    // Protected under the server's handshake keys, to a client in WAIT_EE.
    let AfterServerFlight { mut traced, flight } = after_server_flight();
    let mut bytes = flight.clear_part();
    bytes.extend(seal(
        &flight.server_handshake_secret,
        0,
        ContentType::ApplicationData,
        b"too early",
    ));
    let result = traced.pair.client.receive(&bytes);
    client_fails!(
        traced,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::ApplicationDataBeforeConnected),
        UnexpectedMessage
    );

    // Protected under the client's handshake keys, to a server in WAIT_FINISHED.
    let (mut t, _) = client_second_flight();
    let client_hs = secret(&t.client, SecretLabel::ClientHandshakeTraffic);
    let result = t.pair.server.receive(&seal(
        &client_hs,
        0,
        ContentType::ApplicationData,
        b"too early",
    ));
    server_fails!(
        t,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::ApplicationDataBeforeConnected),
        UnexpectedMessage
    );
}

#[test]
fn send_before_handshake_is_misuse_and_harmless() {
    let mut t = traced_pair();
    assert!(matches!(
        t.pair.client.send(b"early"),
        Err(Error::Misuse(_))
    ));
    assert!(t.pair.client.error().is_none());
    t.pair.drive().unwrap();
    assert!(no_alert_sent(&t.client));
}

// ---------------------------------------------------------------------------
// HelloRetryRequest (RFC 8446 §4.1.4).

/// A HelloRetryRequest the client can accept: only a cookie.
fn hello_retry_request_with_cookie(session_id: &[u8]) -> Vec<u8> {
    WireServerHello {
        legacy_version: TLS12,
        random: HELLO_RETRY_REQUEST_RANDOM,
        legacy_session_id_echo: session_id.to_vec(),
        cipher_suite: TLS_CHACHA20_POLY1305_SHA256,
        legacy_compression_method: 0,
        extensions: vec![
            Extension::SupportedVersionsServer(TLS13),
            Extension::Cookie(b"come back with this".to_vec()),
        ],
    }
    .record()
}

#[test]
fn second_hello_retry_request_is_unexpected_message() {
    let mut t = traced_pair();
    let first = decode_client_hello(&take(&mut t.pair.client));
    let hrr = hello_retry_request_with_cookie(&first.legacy_session_id);
    t.pair
        .client
        .receive(&hrr)
        .expect("the first HRR is answered");
    assert_eq!(t.pair.client.state_name(), "WAIT_SH");
    // RFC 8446 Appendix D.4: in compatibility mode the dummy
    // change_cipher_spec goes before the second ClientHello.
    let flight = take(&mut t.pair.client);
    let records = split_records(&flight);
    assert_eq!(records[0].content_type, 20);
    assert_eq!(records[0].fragment, [1]);
    let second = match HandshakeMessage::decode(&records[1].fragment) {
        Ok(HandshakeMessage::ClientHello(hello)) => WireClientHello::new(hello),
        other => panic!("not a ClientHello: {other:?}"),
    };
    assert_eq!(second.random, first.random);
    assert_eq!(
        second.find_extension(et::COOKIE),
        Some(&Extension::Cookie(b"come back with this".to_vec()))
    );
    let result = t.pair.client.receive(&hrr);
    let err = client_fails!(
        t,
        result,
        Error::UnexpectedMessage { .. },
        UnexpectedMessage
    );
    assert_eq!(
        err,
        Error::UnexpectedMessage {
            state: "WAIT_SH",
            got: "HelloRetryRequest"
        }
    );
}

#[test]
fn hello_retry_request_that_changes_nothing_is_illegal_parameter() {
    let mut t = traced_pair();
    let first = decode_client_hello(&take(&mut t.pair.client));
    let hrr = WireServerHello {
        legacy_version: TLS12,
        random: HELLO_RETRY_REQUEST_RANDOM,
        legacy_session_id_echo: first.legacy_session_id.clone(),
        cipher_suite: TLS_CHACHA20_POLY1305_SHA256,
        legacy_compression_method: 0,
        extensions: vec![Extension::SupportedVersionsServer(TLS13)],
    }
    .record();
    let result = t.pair.client.receive(&hrr);
    client_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::HelloRetryRequestChangesNothing),
        IllegalParameter
    );
}

#[test]
fn finished_in_place_of_server_hello_is_unexpected_message() {
    let recorder = Recorder::default();
    let mut client = client_with(&pki(), &recorder);
    take(&mut client);
    let finished = HandshakeMessage::Finished(Finished {
        verify_data: [0; 32],
    });
    let result = client.receive(&handshake_record(&finished));
    let err = assert_failure!(
        client,
        recorder,
        result,
        Error::UnexpectedMessage { .. },
        A::UnexpectedMessage
    );
    assert_eq!(
        err,
        Error::UnexpectedMessage {
            state: "WAIT_SH",
            got: "Finished"
        }
    );
}

#[test]
fn certificate_verify_over_the_wrong_content_is_decrypt_error() {
    // Sanity check that the CertificateVerify check is not vacuous: a
    // valid Ed25519 signature over the wrong content still fails.
    let pki = pki();
    let (mut t, result) = send_altered_server_messages(|m| {
        let cv = CertificateVerify {
            algorithm: ED25519,
            signature: pki.server_key.sign(b"not the transcript").to_vec(),
        };
        m[2] = HandshakeMessage::CertificateVerify(cv).encode().unwrap();
    });
    client_fails!(t, result, Error::BadCertificateVerify, DecryptError);
}

#[test]
fn message_after_key_update_in_one_record_is_unexpected_message() {
    // RFC 8446 §5.1: a KeyUpdate must end its record; what follows it was
    // protected under the old keys.
    let mut t = connected();
    let server_ap = secret(&t.client, SecretLabel::ServerApplicationTraffic0);
    let mut content = HandshakeMessage::KeyUpdate(KeyUpdate {
        update_requested: false,
    })
    .encode()
    .unwrap();
    content.extend(
        HandshakeMessage::KeyUpdate(KeyUpdate {
            update_requested: false,
        })
        .encode()
        .unwrap(),
    );
    let result = t
        .pair
        .client
        .receive(&seal(&server_ap, 0, ContentType::Handshake, &content));
    client_fails!(
        t,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::HandshakeSpansKeyChange),
        UnexpectedMessage
    );
}

#[test]
fn message_after_server_finished_in_one_record_is_unexpected_message() {
    let (mut t, result) = send_altered_server_messages(|m| {
        m.push(
            HandshakeMessage::KeyUpdate(KeyUpdate {
                update_requested: false,
            })
            .encode()
            .unwrap(),
        );
    });
    client_fails!(
        t,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::HandshakeSpansKeyChange),
        UnexpectedMessage
    );
}

// ---------------------------------------------------------------------------
// Hardening: nothing a peer sends can crash, stall or bloat us, and every
// malformed input gets exactly the RFC's alert.

/// One named alteration of a ClientHello.
type HelloChange = Box<dyn Fn(&mut WireClientHello)>;

/// A fresh pair; the server gets the client's hello altered by `alter`,
/// and must answer with a full flight. Returns the pair and the hello's
/// message bytes.
fn server_accepts_altered_hello(alter: impl FnOnce(&mut WireClientHello)) -> (Traced, Vec<u8>) {
    let mut t = traced_pair();
    let mut hello = decode_client_hello(&take(&mut t.pair.client));
    alter(&mut hello);
    t.pair
        .server
        .receive(&hello.records())
        .expect("the server accepts the hello");
    (t, hello.encode())
}

#[test]
fn a_hello_retry_request_cookie_over_8_kib_is_decode_error_at_the_client() {
    // A 65,450-byte cookie once overflowed the second ClientHello it is
    // echoed in. Up to MAX_COOKIE_LEN it is echoed; beyond, refused.
    use minitls::messages::extensions::MAX_COOKIE_LEN;
    for (cookie_len, accepted) in [(MAX_COOKIE_LEN, true), (65_450, false)] {
        let mut t = traced_pair();
        take(&mut t.pair.client);
        let hrr = WireServerHello {
            legacy_version: TLS12,
            random: HELLO_RETRY_REQUEST_RANDOM,
            legacy_session_id_echo: decode_client_hello(&{
                let mut t2 = traced_pair();
                take(&mut t2.pair.client)
            })
            .legacy_session_id,
            cipher_suite: TLS_CHACHA20_POLY1305_SHA256,
            legacy_compression_method: 0,
            extensions: vec![
                Extension::SupportedVersionsServer(TLS13),
                Extension::Cookie(vec![0xc0; cookie_len]),
            ],
        };
        let result = t.pair.client.receive(&hrr.records());
        if accepted {
            result.unwrap();
            let hellos = split_records(&take(&mut t.pair.client));
            let second = decode_client_hello(&join_records(&hellos[hellos.len() - 1..]));
            assert_eq!(
                second.find_extension(et::COOKIE),
                Some(&Extension::Cookie(vec![0xc0; cookie_len]))
            );
        } else {
            client_fails!(t, result, Error::Decode { field: "cookie" }, DecodeError);
        }
    }
}

#[test]
fn close_notify_before_the_handshake_ends_the_connection_and_nothing_is_buffered() {
    // It once left the connection buffering all that followed (2.5 MB of
    // RSS became 265 MB). Before the handshake it is a failure with no
    // alert in answer; what follows is refused, not held.
    let recorder = Recorder::default();
    let mut server = server_with(&pki(), &recorder);
    let close_notify = plain_record(ALERT, &[1, 0]);
    let err = Error::AlertReceived(A::CloseNotify);
    assert_eq!(server.receive(&close_notify), Err(err.clone()));
    assert!(no_alert_sent(&recorder));
    assert_eq!(server.state_name(), "CLOSED");
    for _ in 0..64 {
        assert_eq!(server.receive(&[0x17; 1 << 16]), Err(err.clone()));
    }
    assert_eq!(server.buffered_input(), 0);
}

#[test]
fn after_close_notify_further_records_are_ignored_not_buffered() {
    // RFC 8446 §6.1: "Any data received after a closure alert has been
    // received MUST be ignored."
    let mut t = connected();
    t.pair.client.close();
    let mut bytes = take(&mut t.pair.client);
    bytes.extend(vec![0x17; 1 << 16]);
    t.pair.server.receive(&bytes).unwrap();
    assert!(t.pair.server.peer_closed());
    for _ in 0..64 {
        t.pair.server.receive(&[0x17; 1 << 16]).unwrap();
    }
    assert_eq!(t.pair.server.buffered_input(), 0);
    assert!(t.pair.server.error().is_none());
}

#[test]
fn input_held_between_calls_is_less_than_one_record() {
    // Byte by byte, a whole flight: what is held never exceeds one record.
    let mut t = traced_pair();
    let hello = take(&mut t.pair.client);
    for byte in &hello {
        t.pair.server.receive(&[*byte]).unwrap();
        assert!(t.pair.server.buffered_input() < hello.len());
    }
    assert_eq!(t.pair.server.buffered_input(), 0);
    assert_eq!(t.pair.server.state_name(), "WAIT_FINISHED");
}

#[test]
fn sixteen_thousand_extensions_complete_the_handshake_and_one_duplicate_is_refused() {
    // Duplicate checks are one bit each: a valid hello may carry as many
    // extensions as fit its 2^16-1 bytes (16,000 took 194 ms when each was
    // compared with every other).
    let unknown = |n: u16| Extension::Unknown {
        extension_type: 0x1000 + n,
        data: vec![],
    };
    let (mut t, hello) = server_accepts_altered_hello(|h| {
        h.extensions.extend((0..16_000).map(unknown));
    });
    let flight = take(&mut t.pair.server);
    let finished = client_finished_for(&hello, &flight, &t.server);
    t.pair.server.receive(&finished).unwrap();
    assert!(t.pair.server.is_connected());

    let mut t = traced_pair();
    let mut hello = decode_client_hello(&take(&mut t.pair.client));
    hello.extensions.extend((0..16_000).map(unknown));
    hello.extensions.push(unknown(15_999));
    let result = t.pair.server.receive(&hello.records());
    server_fails!(
        t,
        result,
        Error::IllegalParameter(IllegalParameter::DuplicateExtension),
        IllegalParameter
    );
}

#[test]
fn a_long_valid_signature_algorithms_list_completes_the_handshake() {
    // 30,000 schemes (60,000 bytes) make a ClientHello of four records:
    // legal, however unusual, so it is not refused for its size.
    let (mut t, hello) = server_accepts_altered_hello(|h| {
        let mut schemes: Vec<u16> = (0..29_999).map(|n| 0x1000 + n).collect();
        schemes.push(ED25519);
        replace_extension(&mut h.extensions, Extension::SignatureAlgorithms(schemes));
    });
    assert!(hello.len() > 60_000);
    let flight = take(&mut t.pair.server);
    let finished = client_finished_for(&hello, &flight, &t.server);
    t.pair.server.receive(&finished).unwrap();
    assert!(t.pair.server.is_connected());
}

#[test]
fn rejected_early_data_is_skipped_up_to_the_limit() {
    // RFC 8446 §4.2.10: a server that does not accept the client's 0-RTT
    // skips the records that fail to decrypt with its handshake key; the
    // first that decrypts is the client's flight.
    use minitls::connection::MAX_SKIPPED_EARLY_DATA;
    let early_record = |len: usize| plain_record(APPLICATION_DATA, &vec![0xee; len]);
    let (mut t, hello) = server_accepts_altered_hello(|h| h.extensions.push(Extension::EarlyData));
    let flight = take(&mut t.pair.server);
    let mut bytes = Vec::new();
    bytes.extend(early_record(1 << 14));
    bytes.extend(early_record(256));
    bytes.extend(client_finished_for(&hello, &flight, &t.server));
    t.pair.server.receive(&bytes).unwrap();
    assert!(t.pair.server.is_connected());

    // One byte over the limit: the record is what it looks like.
    let (mut t, _) = server_accepts_altered_hello(|h| h.extensions.push(Extension::EarlyData));
    take(&mut t.pair.server);
    t.pair
        .server
        .receive(&early_record(MAX_SKIPPED_EARLY_DATA))
        .unwrap();
    let result = t.pair.server.receive(&early_record(1));
    server_fails!(t, result, Error::BadRecordMac, BadRecordMac);

    // Without early_data in the hello nothing is skipped.
    let (mut t, _) = server_accepts_altered_hello(|_| {});
    take(&mut t.pair.server);
    let result = t.pair.server.receive(&early_record(16));
    server_fails!(t, result, Error::BadRecordMac, BadRecordMac);
}

#[test]
fn early_data_after_a_hello_retry_request_is_skipped_until_the_second_hello() {
    let (mut t, first, genuine) =
        after_hello_retry_request(|h| h.extensions.push(Extension::EarlyData));
    // The client's 0-RTT records, sent before it saw the retry request.
    let early = plain_record(APPLICATION_DATA, &[0xee; 300]);
    t.pair.server.receive(&early).unwrap();
    // The second hello: early_data removed, the x25519 share supplied.
    let mut second = first.clone();
    second.extensions.retain(|e| *e != Extension::EarlyData);
    replace_extension(
        &mut second.extensions,
        genuine.find_extension(et::KEY_SHARE).unwrap().clone(),
    );
    t.pair.server.receive(&second.record()).unwrap();
    assert_eq!(t.pair.server.state_name(), "WAIT_FINISHED");
    // Early data is over: application data now is what it looks like.
    let result = t.pair.server.receive(&early);
    server_fails!(t, result, Error::BadRecordMac, BadRecordMac);
}

#[test]
fn protected_empty_alert_and_handshake_records_are_unexpected_message_with_or_without_padding() {
    // RFC 8446 §5.4: the inner content is empty, whatever the padding.
    for (content_type, padding) in [
        (ContentType::Alert, 0),
        (ContentType::Alert, 10),
        (ContentType::Handshake, 0),
        (ContentType::Handshake, 10),
    ] {
        let mut t = connected();
        let secret = secret(&t.client, SecretLabel::ClientApplicationTraffic0);
        let record = protection(&secret, 0)
            .encrypt(content_type, &[], padding)
            .unwrap()
            .encode();
        let result = t.pair.server.receive(&record);
        server_fails!(
            t,
            result,
            Error::UnexpectedRecord(UnexpectedRecord::EmptyHandshakeOrAlert),
            UnexpectedMessage
        );
    }
}

#[test]
fn another_record_type_between_handshake_fragments_is_unexpected_message() {
    // RFC 8446 §5.1: "Handshake messages MUST NOT be interleaved with
    // other record types."
    for (interloper, expected) in [
        (
            plain_record(ALERT, &[1, 90]), // user_canceled, otherwise ignored
            UnexpectedRecord::InterleavedWithHandshakeFragments,
        ),
        // A change_cipher_spec too, though this server, having seen no
        // ClientHello yet, would refuse it anyway: the fragments are
        // judged first.
        (
            plain_record(CHANGE_CIPHER_SPEC, &[1]),
            UnexpectedRecord::InterleavedWithHandshakeFragments,
        ),
    ] {
        let mut t = traced_pair();
        let hello = split_records(&take(&mut t.pair.client)).remove(0).fragment;
        let mut bytes = plain_record(HANDSHAKE, &hello[..10]);
        bytes.extend(interloper);
        bytes.extend(plain_record(HANDSHAKE, &hello[10..]));
        let result = t.pair.server.receive(&bytes);
        let err = server_fails!(t, result, Error::UnexpectedRecord(_), UnexpectedMessage);
        assert_eq!(err, Error::UnexpectedRecord(expected));
    }
}

#[test]
fn client_hello_legacy_version_ssl3_or_older_is_protocol_version() {
    // RFC 8446 Appendix D.5.
    for version in [0x0300, 0x0200, 0x0002] {
        let (mut t, result) = send_altered_client_hello(|h| h.legacy_version = version);
        server_fails!(
            t,
            result,
            Error::ProtocolVersion(ProtocolVersion::LegacyVersionSsl3OrOlder),
            ProtocolVersion
        );
    }
}

#[test]
fn vectors_shorter_than_their_minimum_are_decode_error_before_any_other_check() {
    // Each with legacy_version 0x0300 too: the bounds are checked while
    // decoding, before the version (or anything else) is looked at.
    let cases: Vec<(&str, HelloChange)> = vec![
        ("cipher_suites", Box::new(|h| h.cipher_suites.clear())),
        (
            "legacy_compression_methods",
            Box::new(|h| h.legacy_compression_methods.clear()),
        ),
        (
            "supported_signature_algorithms",
            Box::new(|h| {
                replace_extension(&mut h.extensions, Extension::SignatureAlgorithms(vec![]))
            }),
        ),
        (
            "named_group_list",
            Box::new(|h| replace_extension(&mut h.extensions, Extension::SupportedGroups(vec![]))),
        ),
        (
            "versions",
            Box::new(|h| {
                replace_extension(
                    &mut h.extensions,
                    Extension::SupportedVersionsClient(vec![]),
                )
            }),
        ),
        (
            "ke_modes",
            Box::new(|h| {
                replace_extension(&mut h.extensions, Extension::PskKeyExchangeModes(vec![]))
            }),
        ),
        (
            "key_exchange",
            Box::new(|h| {
                replace_extension(
                    &mut h.extensions,
                    Extension::KeyShareClient(vec![KeyShareEntry {
                        group: X25519,
                        key_exchange: vec![],
                    }]),
                )
            }),
        ),
    ];
    for (field, alter) in cases {
        let (mut t, result) = send_altered_client_hello(|h| {
            h.legacy_version = 0x0300;
            alter(h);
        });
        assert_eq!(result, Err(Error::decode(field)), "{field}");
        server_fails!(t, result, Error::Decode { .. }, DecodeError);
    }
}

#[test]
fn a_misplaced_message_of_a_known_type_is_unexpected_message_from_its_header() {
    // A ClientHello whose body would not even decode, sent to a connected
    // server: refused for its type, not for its body.
    let mut t = connected();
    let secret = secret(&t.client, SecretLabel::ClientApplicationTraffic0);
    let record = seal(
        &secret,
        0,
        ContentType::Handshake,
        &[1, 0, 0, 3, 0xff, 0xff, 0xff],
    );
    let result = t.pair.server.receive(&record);
    server_fails!(
        t,
        result,
        Error::UnexpectedMessage {
            state: "CONNECTED",
            got: "ClientHello"
        },
        UnexpectedMessage
    );
    // And before its body has even arrived.
    let mut t = connected();
    let key = common::secret(&t.client, SecretLabel::ClientApplicationTraffic0);
    let record = seal(&key, 0, ContentType::Handshake, &[20, 0, 0, 32]);
    let result = t.pair.server.receive(&record);
    server_fails!(
        t,
        result,
        Error::UnexpectedMessage {
            state: "CONNECTED",
            got: "Finished"
        },
        UnexpectedMessage
    );
}

#[test]
fn a_message_longer_than_its_type_allows_is_decode_error_from_its_header() {
    // KeyUpdate is one byte; a header announcing two is refused at once.
    let mut t = connected();
    let secret = secret(&t.client, SecretLabel::ClientApplicationTraffic0);
    let record = seal(&secret, 0, ContentType::Handshake, &[24, 0, 0, 2]);
    let result = t.pair.server.receive(&record);
    server_fails!(
        t,
        result,
        Error::Decode {
            field: "Handshake.length"
        },
        DecodeError
    );
}

#[test]
fn unknown_record_type_is_refused_from_its_header_alone() {
    // The header promises 16 KiB that never come: no waiting for them.
    let recorder = Recorder::default();
    let mut server = server_with(&pki(), &recorder);
    let result = server.receive(&[99, 3, 3, 0x40, 0x00]);
    assert_failure!(
        server,
        recorder,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::UnknownContentType),
        A::UnexpectedMessage
    );
}

#[test]
fn an_sslv2_client_hello_is_protocol_version() {
    // An SSL 2.0-format ClientHello (RFC 6101 Appendix E.2), as very old
    // clients send: a policy choice, so it learns what went wrong.
    let recorder = Recorder::default();
    let mut server = server_with(&pki(), &recorder);
    let mut hello = vec![
        0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10,
    ];
    hello.extend([0x07, 0x00, 0xc0].repeat(7));
    hello.extend([0x5a; 16]);
    let result = server.receive(&hello);
    assert_failure!(
        server,
        recorder,
        result,
        Error::ProtocolVersion(ProtocolVersion::Ssl2ClientHello),
        A::ProtocolVersion
    );
}

/// The server after a HelloRetryRequest: the first hello had no x25519
/// share (and whatever else `alter` did to it). Returns that first hello
/// and the client's genuine one.
fn after_hello_retry_request(
    alter: impl FnOnce(&mut WireClientHello),
) -> (Traced, WireClientHello, WireClientHello) {
    let mut t = traced_pair();
    let genuine = decode_client_hello(&take(&mut t.pair.client));
    let mut first = genuine.clone();
    without_x25519_share(&mut first);
    alter(&mut first);
    t.pair.server.receive(&first.record()).unwrap();
    assert_eq!(t.pair.server.state_name(), "START");
    take(&mut t.pair.server);
    (t, first, genuine)
}

#[test]
fn a_second_client_hello_that_changes_more_than_allowed_is_illegal_parameter() {
    // RFC 8446 §4.1.2: only key_share, early_data, cookie, pre_shared_key
    // and padding may change.
    use IllegalParameter::{EarlyDataInSecondClientHello, SecondClientHelloChanged as CHANGED};
    let changes: Vec<(&str, HelloChange, IllegalParameter)> = vec![
        ("random", Box::new(|h| h.random[0] ^= 1), CHANGED),
        (
            "cipher_suites",
            Box::new(|h| h.cipher_suites.push(0x1301)),
            CHANGED,
        ),
        (
            "extensions reordered",
            Box::new(|h| h.extensions.swap(0, 1)),
            CHANGED,
        ),
        (
            "an extension added",
            Box::new(|h| {
                h.extensions.push(Extension::Unknown {
                    extension_type: 0xfe01,
                    data: vec![],
                })
            }),
            CHANGED,
        ),
        (
            "signature_algorithms changed",
            Box::new(|h| {
                replace_extension(
                    &mut h.extensions,
                    Extension::SignatureAlgorithms(vec![ED25519, 0x0403]),
                )
            }),
            CHANGED,
        ),
        (
            "early_data added",
            Box::new(|h| h.extensions.push(Extension::EarlyData)),
            EarlyDataInSecondClientHello,
        ),
    ];
    for (what, change, expected) in changes {
        let (mut t, first, genuine) = after_hello_retry_request(|_| {});
        let mut second = first.clone();
        replace_extension(
            &mut second.extensions,
            genuine.find_extension(et::KEY_SHARE).unwrap().clone(),
        );
        change(&mut second);
        let result = t.pair.server.receive(&second.record());
        let err = result.clone().expect_err(what);
        assert_eq!(err, Error::IllegalParameter(expected), "{what}");
        server_fails!(t, result, Error::IllegalParameter(_), IllegalParameter);
    }
    // The allowed change alone goes on to the server's flight.
    let (mut t, first, genuine) = after_hello_retry_request(|_| {});
    let mut second = first;
    replace_extension(
        &mut second.extensions,
        genuine.find_extension(et::KEY_SHARE).unwrap().clone(),
    );
    second.extensions.push(Extension::Cookie(vec![1, 2, 3]));
    t.pair.server.receive(&second.record()).unwrap();
    assert_eq!(t.pair.server.state_name(), "WAIT_FINISHED");
}

#[test]
fn a_second_client_hello_that_changes_an_unknown_extension_is_illegal_parameter() {
    // RFC 8446 §4.1.2 applies to extensions minitls does not know too: the
    // server compares their bytes as received (the decoder keeps only
    // where they are). One whose length or contents change is refused,
    // the same one repeated is not.
    let unknown = |data: Vec<u8>| Extension::Unknown {
        extension_type: 0xfe01,
        data,
    };
    for (data, refused) in [(vec![1, 2], true), (vec![2], true), (vec![1], false)] {
        let (mut t, first, genuine) =
            after_hello_retry_request(|h| h.extensions.insert(0, unknown(vec![1])));
        let mut second = first.clone();
        replace_extension(
            &mut second.extensions,
            genuine.find_extension(et::KEY_SHARE).unwrap().clone(),
        );
        second.extensions[0] = unknown(data);
        let result = t.pair.server.receive(&second.record());
        if refused {
            server_fails!(
                t,
                result,
                Error::IllegalParameter(IllegalParameter::SecondClientHelloChanged),
                IllegalParameter
            );
        } else {
            result.unwrap();
            assert_eq!(t.pair.server.state_name(), "WAIT_FINISHED");
        }
    }
}

#[test]
fn a_plaintext_alert_from_a_client_that_could_not_use_the_server_hello_is_read() {
    // The client fails on our ServerHello before it has keys and says so
    // in the clear; the server reads that alert rather than refusing the
    // record, and answers nothing.
    let AfterServerFlight { mut traced, .. } = after_server_flight();
    let result = traced
        .pair
        .server
        .receive(&plain_record(ALERT, &[2, A::IllegalParameter.to_u8()]));
    assert_eq!(result, Err(Error::AlertReceived(A::IllegalParameter)));
    assert!(no_alert_sent(&traced.server));
    assert_eq!(traced.pair.server.state_name(), "CLOSED");
    // Once a protected record has arrived, plaintext is refused again.
    let mut t = connected();
    let result = t
        .pair
        .server
        .receive(&plain_record(ALERT, &[2, A::IllegalParameter.to_u8()]));
    server_fails!(
        t,
        result,
        Error::UnexpectedRecord(UnexpectedRecord::UnprotectedAfterKeyChange),
        UnexpectedMessage
    );
}
