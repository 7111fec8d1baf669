//! Check of exercise 26 (the client's CertificateVerify) against minitls's
//! `signed_content` and a real client's signature from a real mutual-TLS
//! handshake, which the real server accepted.

use std::sync::Arc;

use minitls::Connection;
use minitls::config::ClientAuthMode;
use minitls::crypto::sha256;
use minitls::messages::HandshakeMessage;
use minitls::messages::certificate_verify::{self, CLIENT_CONTEXT, SERVER_CONTEXT};
use minitls::testing::{
    CLIENT_SEED, PKI_SEED, Pair, SERVER_SEED, Traced, client_auth, client_config,
    demo_client_certificate, demo_pki, server_config,
};
use minitls::trace::Recorder;

use super::flight::{received_messages, sent_messages};
use super::same;
use crate::e26_client_certificate_verify::{client_signature_is_valid, client_signed_content};

/// The deterministic pair of [`minitls::testing::traced_pair`], except that
/// the client holds [`demo_client_certificate`] and the server requires a
/// client certificate from the same CA.
fn mutual_pair() -> Traced {
    let pki = demo_pki(PKI_SEED);
    let client_trace = Recorder::default();
    let server_trace = Recorder::default();
    let mut client = client_config(&pki, CLIENT_SEED);
    client.client_certificate = Some(demo_client_certificate(&pki));
    let mut server = server_config(&pki, SERVER_SEED);
    server.client_auth = Some(client_auth(&pki, ClientAuthMode::Required));
    let client = Connection::client_with_observer(
        Arc::new(client),
        "localhost",
        Box::new(client_trace.clone()),
    )
    .expect("the client starts");
    let server = Connection::server_with_observer(Arc::new(server), Box::new(server_trace.clone()));
    Traced {
        pair: Pair::new(client, server),
        client: client_trace,
        server: server_trace,
    }
}

/// Holds `client_signed_content` to minitls's and
/// `client_signature_is_valid` to a real client's signature.
pub fn check() -> Result<(), String> {
    let mut traced = mutual_pair();
    traced
        .pair
        .drive()
        .map_err(|e| format!("the mutual-TLS handshake failed: {e}"))?;
    if traced.pair.server.negotiated().client_identity.is_none() {
        return Err("the real server did not authenticate the client (a bug in the check)".into());
    }

    // The client's transcript for its CertificateVerify (RFC 8446 §4.4.1):
    // its ClientHello, everything it received through the server's
    // Finished, then its own Certificate.
    let sent = sent_messages(&traced.client);
    let names: Vec<&str> = sent.iter().map(|(name, _)| *name).collect();
    if names[..]
        != [
            "ClientHello",
            "Certificate",
            "CertificateVerify",
            "Finished",
        ]
    {
        return Err(format!(
            "the client sent {names:?}, not a mutual-TLS flight (a bug in the check)"
        ));
    }
    let received = received_messages(&traced.client);
    let finished_at = received
        .iter()
        .position(|(name, _)| *name == "Finished")
        .ok_or("the client received no Finished")?;
    let mut transcript = sent[0].1.clone();
    for (_, bytes) in &received[..=finished_at] {
        transcript.extend_from_slice(bytes);
    }
    let before_certificate = transcript.len();
    transcript.extend_from_slice(&sent[1].1);
    let hash = sha256(&transcript);

    same(
        "client_signed_content(hash)",
        &client_signed_content(&hash),
        &certificate_verify::signed_content(CLIENT_CONTEXT, &hash),
    )?;

    let Ok(HandshakeMessage::CertificateVerify(cv)) = HandshakeMessage::decode(&sent[2].1) else {
        return Err("the client's CertificateVerify does not decode (a bug in the check)".into());
    };
    let client_key = demo_client_certificate(&demo_pki(PKI_SEED)).private_key;
    let public_key = client_key.public_key();
    if !client_signature_is_valid(&public_key, &hash, &cv.signature) {
        return Err(
            "the real client's signature is valid (the real server accepted it), but you said it is not"
                .into(),
        );
    }

    // Wrong answers: a flipped bit; the hash of a transcript that stops
    // before the client's Certificate; a signature by the client's key
    // with the server's context string; the server's key.
    let mut flipped = cv.signature.clone();
    flipped[0] ^= 1;
    if client_signature_is_valid(&public_key, &hash, &flipped) {
        return Err("you accept a signature with one bit flipped".into());
    }
    let without_certificate = sha256(&transcript[..before_certificate]);
    if client_signature_is_valid(&public_key, &without_certificate, &cv.signature) {
        return Err(
            "you accept the signature for a transcript without the client's Certificate".into(),
        );
    }
    let server_content = certificate_verify::signed_content(SERVER_CONTEXT, &hash);
    if client_signature_is_valid(&public_key, &hash, &client_key.sign(&server_content)) {
        return Err(
            "you accept a signature made with the *server's* context string as the client's".into(),
        );
    }
    let server_key = demo_pki(PKI_SEED).server_key.public_key();
    if client_signature_is_valid(&server_key, &hash, &cv.signature) {
        return Err("you accept the client's signature under the server's key".into());
    }
    Ok(())
}
