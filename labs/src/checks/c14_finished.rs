//! Check of exercise 14 (the Finished MAC) against RFC 8448 §3's server
//! and client Finished, and against the Finished a real minitls client
//! sends.

use minitls::key_schedule::SecretLabel;
use minitls::testing::rfc8448::{
    CERTIFICATE, CERTIFICATE_VERIFY, CLIENT_FINISHED, CLIENT_FINISHED_CALC, CLIENT_HELLO,
    ENCRYPTED_EXTENSIONS, SERVER_FINISHED, SERVER_FINISHED_CALC, SERVER_HELLO, rfc, rfc32,
};

use super::flight::{received_messages, secret, sent_messages, traced_pair};
use super::same;
use crate::e14_finished::{finished_key, transcript_hash, verify_data};

/// Holds the three functions to RFC 8448 and to a real client's Finished.
pub fn check() -> Result<(), String> {
    let messages: Vec<Vec<u8>> = [
        (CLIENT_HELLO, "ClientHello"),
        (SERVER_HELLO, "ServerHello"),
        (ENCRYPTED_EXTENSIONS, "EncryptedExtensions"),
        (CERTIFICATE, "Certificate"),
        (CERTIFICATE_VERIFY, "CertificateVerify"),
        (SERVER_FINISHED, "Finished"),
    ]
    .iter()
    .map(|(step, field)| rfc(step, field))
    .collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();

    // The server's Finished covers ClientHello .. CertificateVerify.
    let server_base = rfc32(SERVER_FINISHED_CALC, "PRK");
    same(
        "finished_key(server_handshake_traffic_secret)",
        &finished_key(&server_base),
        &rfc(SERVER_FINISHED_CALC, "expanded"),
    )?;
    let th = transcript_hash(&refs[..5]);
    same(
        "the server's verify_data",
        &verify_data(&server_base, &th),
        &rfc(SERVER_FINISHED_CALC, "finished"),
    )?;
    same(
        "the server's Finished body",
        &rfc(SERVER_FINISHED, "Finished")[4..],
        &verify_data(&server_base, &th),
    )?;

    // The client's covers the server's Finished too.
    let client_base = rfc32(CLIENT_FINISHED_CALC, "PRK");
    let th = transcript_hash(&refs[..6]);
    same(
        "the client's verify_data",
        &verify_data(&client_base, &th),
        &rfc(CLIENT_FINISHED, "Finished")[4..],
    )?;

    // A real minitls client: its Finished over what it sent and received.
    let mut traced = traced_pair();
    traced
        .pair
        .drive()
        .map_err(|e| format!("the handshake failed: {e}"))?;
    let sent = sent_messages(&traced.client);
    let (_, client_hello) = &sent[0];
    let (_, client_finished) = sent
        .iter()
        .find(|(name, _)| *name == "Finished")
        .ok_or("the client sent no Finished")?;
    let mut transcript = vec![client_hello.clone()];
    for (name, bytes) in received_messages(&traced.client) {
        transcript.push(bytes);
        if name == "Finished" {
            break;
        }
    }
    let refs: Vec<&[u8]> = transcript.iter().map(Vec::as_slice).collect();
    let base = secret(&traced.client, SecretLabel::ClientHandshakeTraffic);
    same(
        "a real minitls client's Finished",
        &verify_data(&base, &transcript_hash(&refs)),
        &client_finished[4..],
    )
}
