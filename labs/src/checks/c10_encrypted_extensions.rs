//! Check of exercise 10 (the client's verdict on EncryptedExtensions):
//! each list of extensions is sent to a real minitls client inside the
//! server's real, resealed handshake record, and the client's alert is the
//! answer.

use minitls::AlertDescription;
use minitls::messages::HandshakeMessage;
use minitls::trace::RecordedEvent;

use super::flight::{after_server_flight, alert_of};
use crate::e10_encrypted_extensions::client_alert;

/// Extension lists a server might send, by type. Each is tried on a real
/// client.
const CASES: &[&[u16]] = &[
    &[],
    &[0],          // server_name: "I used your name"
    &[0, 10],      // and supported_groups, which a client may note
    &[16],         // ALPN, which this client did not offer
    &[51],         // key_share: a ServerHello extension
    &[13],         // signature_algorithms: offered, but not an EE extension
    &[0, 0],       // server_name twice
    &[0x4242, 43], // an unknown type, then supported_versions
    &[42],         // early_data, which this client did not offer
    &[0x4242],     // an unknown type
];

/// A well-formed `extension_data` for each type the cases use: the
/// decoder reads the data of the types it knows.
fn extension_data(extension_type: u16) -> Vec<u8> {
    match extension_type {
        // NamedGroup named_group_list<2..2^16-1>: x25519.
        10 => vec![0x00, 0x02, 0x00, 0x1d],
        // ProtocolName protocol_name_list<2..2^16-1> (RFC 7301 §3.1):
        // "http/1.1".
        16 => [&[0x00, 0x09, 0x08][..], b"http/1.1"].concat(),
        _ => Vec::new(),
    }
}

/// EncryptedExtensions (RFC 8446 §4.3.1) with these extension types,
/// header included.
fn encrypted_extensions(types: &[u16]) -> Vec<u8> {
    let mut list = Vec::new();
    for &t in types {
        let data = extension_data(t);
        list.extend_from_slice(&t.to_be_bytes());
        list.extend_from_slice(&(data.len() as u16).to_be_bytes());
        list.extend_from_slice(&data);
    }
    let mut body = (list.len() as u16).to_be_bytes().to_vec();
    body.extend_from_slice(&list);
    let mut message = vec![8, 0, 0, body.len() as u8];
    message.extend_from_slice(&body);
    message
}

/// What a real client does with `types` in the server's EncryptedExtensions.
/// A client that accepts the message leaves WAIT_EE; with a changed
/// EncryptedExtensions the server's signature will fail later
/// (decrypt_error), which is not this message's verdict.
fn real_client(types: &[u16]) -> (Vec<u16>, Option<AlertDescription>) {
    let (mut traced, flight) = after_server_flight();
    let offered = offered_types(&traced);
    let mut messages = flight.messages.clone();
    messages[0] = encrypted_extensions(types);
    let mut bytes = flight.clear_part.clone();
    bytes.extend_from_slice(&flight.reseal(&messages));
    let result = traced.pair.client.receive(&bytes);
    let left_wait_ee = traced
        .client
        .events()
        .iter()
        .any(|e| matches!(e, RecordedEvent::StateChanged("WAIT_EE", _)));
    let verdict = if left_wait_ee {
        None
    } else {
        alert_of(&result)
    };
    (offered, verdict)
}

/// The extension types of the ClientHello this client really sent.
fn offered_types(traced: &super::flight::Traced) -> Vec<u16> {
    let (_, hello) = super::flight::sent_messages(&traced.client)
        .into_iter()
        .next()
        .expect("the client sent its ClientHello");
    match HandshakeMessage::decode(&hello) {
        Ok(HandshakeMessage::ClientHello(hello)) => hello
            .extensions
            .to_list()
            .iter()
            .map(|e| e.extension_type())
            .collect(),
        other => panic!("the first message is not a ClientHello: {other:?}"),
    }
}

/// Holds `client_alert` to what a real minitls client does.
pub fn check() -> Result<(), String> {
    for types in CASES {
        let (offered, expected) = real_client(types);
        let yours = client_alert(&offered, types);
        if yours != expected {
            return Err(format!(
                "EncryptedExtensions with extension types {types:?} (the client offered {offered:?}):\n        yours     {yours:?}\n        the client {expected:?}"
            ));
        }
    }
    Ok(())
}
