//! Check of exercise 13 (CertificateVerify's signed content) against
//! minitls's `signed_content` and a real server's signature from a real
//! handshake.

use minitls::crypto::sha256;
use minitls::messages::HandshakeMessage;
use minitls::messages::certificate_verify::{self, CLIENT_CONTEXT, SERVER_CONTEXT};
use minitls::testing::{PKI_SEED, demo_pki};

use super::flight::{received_messages, sent_messages, traced_pair};
use super::same;
use crate::e13_certificate_verify::{server_signature_is_valid, signed_content};

/// Holds `signed_content` to minitls's and `server_signature_is_valid` to
/// a real server's signature.
pub fn check() -> Result<(), String> {
    let mut traced = traced_pair();
    traced
        .pair
        .drive()
        .map_err(|e| format!("the handshake failed: {e}"))?;

    // Transcript: the ClientHello the client sent, then what it received
    // up to the Certificate (RFC 8446 §4.4.1).
    let (_, client_hello) = sent_messages(&traced.client).remove(0);
    let received = received_messages(&traced.client);
    let names: Vec<&str> = received.iter().map(|(name, _)| *name).collect();
    let cert_at = names
        .iter()
        .position(|n| *n == "Certificate")
        .ok_or("the client received no Certificate")?;
    let mut transcript = client_hello.clone();
    for (_, bytes) in &received[..=cert_at] {
        transcript.extend_from_slice(bytes);
    }
    let hash = sha256(&transcript);

    for context in [SERVER_CONTEXT, CLIENT_CONTEXT] {
        let yours = signed_content(context, &hash);
        same(
            &format!("signed_content({:?}, …)", String::from_utf8_lossy(context)),
            &yours,
            &certificate_verify::signed_content(context, &hash),
        )?;
    }

    let (_, cv_bytes) = &received[cert_at + 1];
    let Ok(HandshakeMessage::CertificateVerify(cv)) = HandshakeMessage::decode(cv_bytes) else {
        return Err("the message after the Certificate is not a CertificateVerify".into());
    };
    let key = demo_pki(PKI_SEED).server_key.public_key();
    if !server_signature_is_valid(&key, &hash, &cv.signature) {
        return Err("the real server's signature is valid, but you said it is not".into());
    }

    // Wrong answers: a flipped bit of the signature; the hash of a
    // transcript without the Certificate; a client's content.
    let mut flipped = cv.signature.clone();
    flipped[0] ^= 1;
    if server_signature_is_valid(&key, &hash, &flipped) {
        return Err("you accept a signature with one bit flipped".into());
    }
    let shorter = sha256(&transcript[..transcript.len() - received[cert_at].1.len()]);
    if server_signature_is_valid(&key, &shorter, &cv.signature) {
        return Err("you accept the signature for a transcript without the Certificate".into());
    }
    let client_content = certificate_verify::signed_content(CLIENT_CONTEXT, &hash);
    let client_signature = demo_pki(PKI_SEED).server_key.sign(&client_content);
    if server_signature_is_valid(&key, &hash, &client_signature) {
        return Err(
            "you accept a signature made with the *client's* context string as the server's".into(),
        );
    }
    Ok(())
}
