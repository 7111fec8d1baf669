//! Check of exercise 07 (supported_versions and key_share) against a real
//! minitls ClientHello's bytes, then against a real minitls server.

use minitls::messages::extensions::extension_type;
use minitls::messages::{
    ClientHello, ClientHelloExtensions, ED25519, Extension, HandshakeMessage,
    TLS_CHACHA20_POLY1305_SHA256, X25519,
};
use minitls::record::Deframer;
use minitls::testing::{demo_pki, deterministic_server};
use minitls::trace::NoObserver;

use super::{real_client_hello, same};
use crate::e07_client_extensions::{key_share_data, supported_versions_data};

/// Holds the two extensions to a real ClientHello, then has a real server
/// answer a ClientHello that carries them.
pub fn check() -> Result<(), String> {
    // 1. Byte for byte, the extensions minitls's client sends.
    let message = real_client_hello()?;
    let Ok(HandshakeMessage::ClientHello(hello)) = HandshakeMessage::decode(&message) else {
        return Err("the recorded ClientHello does not decode (a bug in the check)".into());
    };
    let data_of = |wanted: u16| {
        hello
            .extensions
            .received
            .iter()
            .find(|e| e.extension_type == wanted)
            .map(|e| {
                let start = e.offset as usize;
                message[start..start + usize::from(e.length)].to_vec()
            })
            .ok_or("the real ClientHello lacks an extension (a bug in the check)")
    };
    let public: [u8; 32] = hello
        .extensions
        .key_share
        .as_ref()
        .and_then(|shares| shares.first())
        .and_then(|share| share.key_exchange.clone().try_into().ok())
        .ok_or("the real ClientHello has no X25519 share (a bug in the check)")?;
    same(
        "supported_versions_data()",
        &supported_versions_data(),
        &data_of(extension_type::SUPPORTED_VERSIONS)?,
    )?;
    same(
        "key_share_data(the real ClientHello's public key)",
        &key_share_data(&public),
        &data_of(extension_type::KEY_SHARE)?,
    )?;

    // 2. A ClientHello of our own, carrying your bytes as they are, must
    //    be answered by a real server with a ServerHello (not an alert, not
    //    a HelloRetryRequest asking for a share it could use).
    let ours = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from([0x42; 32]));
    let hello = HandshakeMessage::ClientHello(ClientHello {
        legacy_version: 0x0303,
        random: [0x07; 32],
        legacy_session_id: Vec::new(),
        cipher_suites: vec![TLS_CHACHA20_POLY1305_SHA256],
        legacy_compression_methods: vec![0],
        extensions: ClientHelloExtensions::default(),
    });
    let extensions = [
        Extension::ServerName("localhost".into()),
        Extension::Unknown {
            extension_type: extension_type::SUPPORTED_VERSIONS,
            data: supported_versions_data(),
        },
        Extension::SupportedGroups(vec![X25519]),
        Extension::SignatureAlgorithms(vec![ED25519]),
        Extension::Unknown {
            extension_type: extension_type::KEY_SHARE,
            data: key_share_data(ours.as_bytes()),
        },
    ];
    let message = hello
        .encode_with_extensions(&extensions)
        .map_err(|e| format!("your extensions do not fit a ClientHello: {e}"))?;
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&(message.len() as u16).to_be_bytes());
    record.extend_from_slice(&message);

    let mut server = deterministic_server(&demo_pki(1), Box::new(NoObserver));
    if let Err(e) = server.receive(&record) {
        return Err(format!(
            "a minitls server refused a ClientHello with your extensions: {e} (alert {:?})",
            e.alert()
        ));
    }
    let mut answer = Vec::new();
    server.transmit(&mut answer);
    let mut deframer = Deframer::default();
    deframer.push(&answer);
    let first = deframer.pop().ok().flatten().map(|r| r.fragment);
    match first.as_deref().map(HandshakeMessage::decode) {
        Some(Ok(HandshakeMessage::ServerHello(sh)))
            if sh.extensions.key_share.as_ref().map(|k| k.group) == Some(X25519) =>
        {
            Ok(())
        }
        Some(Ok(HandshakeMessage::HelloRetryRequest(_))) => Err(
            "the server answered with a HelloRetryRequest: it found no X25519 share it could use in your key_share".into(),
        ),
        _ => Err("the server did not answer with a ServerHello (a bug in the check?)".into()),
    }
}
