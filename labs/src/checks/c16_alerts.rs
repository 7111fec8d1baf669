//! Check of exercise 16 (which alert, and its record): each bad input is
//! sent to a real minitls server, whose alert and bytes are the answer.

use minitls::messages::HandshakeMessage;
use minitls::testing::{PKI_SEED, demo_pki, deterministic_server};
use minitls::trace::NoObserver;
use minitls::{AlertDescription, Connection};

use super::flight::{alert_of, sent_messages, split_records, take, traced_pair};
use super::same;
use crate::e16_alerts::{BadInput, alert_for, alert_record};

const ALL: [BadInput; 7] = [
    BadInput::UnknownRecordType,
    BadInput::OversizedRecord,
    BadInput::ApplicationDataFirst,
    BadInput::TruncatedClientHello,
    BadInput::FinishedFirst,
    BadInput::Tls12ClientHello,
    BadInput::TamperedRecord,
];

/// A plaintext record.
fn record(content_type: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type, 3, 3];
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// A real ClientHello with its supported_versions removed, as a record.
fn tls12_client_hello() -> Vec<u8> {
    let traced = {
        let mut t = traced_pair();
        take(&mut t.pair.client);
        t
    };
    let (_, bytes) = sent_messages(&traced.client).remove(0);
    let Ok(HandshakeMessage::ClientHello(mut hello)) = HandshakeMessage::decode(&bytes) else {
        panic!("the client's first message is a ClientHello");
    };
    hello.extensions.supported_versions = None;
    let encoded = HandshakeMessage::ClientHello(hello)
        .encode()
        .expect("a ClientHello encodes");
    record(22, &encoded)
}

/// A fresh server's answer to `bytes`: its alert and what it sent.
fn fresh_server(bytes: &[u8]) -> (Option<AlertDescription>, Vec<u8>) {
    let pki = demo_pki(PKI_SEED);
    let mut server: Connection = deterministic_server(&pki, Box::new(NoObserver));
    let result = server.receive(bytes);
    (alert_of(&result), take(&mut server))
}

/// A connected server's answer to the client's first application data
/// record with one bit of its ciphertext flipped.
fn tampered_record() -> Option<AlertDescription> {
    let mut traced = traced_pair();
    traced.pair.drive().expect("the handshake completes");
    traced.pair.client.send(b"hello").expect("connected");
    let mut wire = take(&mut traced.pair.client);
    assert_eq!(split_records(&wire).len(), 1, "one record");
    wire[10] ^= 0x01;
    alert_of(&traced.pair.server.receive(&wire))
}

/// Holds `alert_for` and `alert_record` to a real server.
pub fn check() -> Result<(), String> {
    for input in ALL {
        let (expected, sent) = match input {
            BadInput::UnknownRecordType => fresh_server(&record(0x63, &[1, 2, 3])),
            BadInput::OversizedRecord => fresh_server(&[22, 3, 3, 0x48, 0x01]),
            BadInput::ApplicationDataFirst => fresh_server(&record(23, b"hi")),
            BadInput::TruncatedClientHello => fresh_server(&record(22, &[1, 0, 0, 4, 3, 3, 0, 0])),
            BadInput::FinishedFirst => {
                fresh_server(&record(22, &[[20, 0, 0, 32].as_slice(), &[0; 32]].concat()))
            }
            BadInput::Tls12ClientHello => fresh_server(&tls12_client_hello()),
            BadInput::TamperedRecord => (tampered_record(), Vec::new()),
        };
        let expected = expected.ok_or(format!("{input:?}: the server sent no alert"))?;
        let yours = alert_for(input);
        if yours != expected {
            return Err(format!(
                "{input:?}: you predicted {yours:?}, the server sent {expected:?}"
            ));
        }
        // Before any keys, the alert goes in the clear: compare the bytes.
        if !sent.is_empty() {
            same(
                &format!("the record carrying {expected:?}"),
                &alert_record(expected),
                &sent,
            )?;
        }
    }
    Ok(())
}
