//! What the checks of exercises 10-17 share: a real, deterministic
//! minitls handshake with a recorder on each side, and the means to open
//! and reseal the server's protected flight with keys read off the trace
//! (the same approach as the crate's `tests/negative.rs`, RFC 8446 §5.2
//! and §7.3).

use minitls::key_schedule::SecretLabel;
use minitls::record::{ContentType, OpaqueRecord};
pub use minitls::testing::{
    Traced, protection, secret, split_messages, split_records, take, traced_pair, traffic_keys,
};
use minitls::trace::{RecordedEvent, Recorder};
use minitls::{AlertDescription, Error};

/// The handshake messages `recorder`'s side received, in order, with the
/// struct name of each.
pub fn received_messages(recorder: &Recorder) -> Vec<(&'static str, Vec<u8>)> {
    recorder
        .events()
        .into_iter()
        .filter_map(|event| match event {
            RecordedEvent::MessageReceived(name, bytes) => Some((name, bytes)),
            _ => None,
        })
        .collect()
}

/// The handshake messages `recorder`'s side sent, in order.
pub fn sent_messages(recorder: &Recorder) -> Vec<(&'static str, Vec<u8>)> {
    recorder
        .events()
        .into_iter()
        .filter_map(|event| match event {
            RecordedEvent::MessageSent(name, bytes) => Some((name, bytes)),
            _ => None,
        })
        .collect()
}

/// The alert `recorder`'s side sent, if any.
pub fn alert_sent(recorder: &Recorder) -> Option<AlertDescription> {
    recorder.events().into_iter().find_map(|event| match event {
        RecordedEvent::AlertSent(alert) => Some(alert),
        _ => None,
    })
}

/// The server's first flight, taken apart: the records in the clear
/// (ServerHello, change_cipher_spec) and the messages of the protected
/// record (EncryptedExtensions, Certificate, CertificateVerify, Finished).
pub struct ServerFlight {
    /// The records before the protected one, as wire bytes.
    pub clear_part: Vec<u8>,
    /// The decrypted handshake messages, headers included.
    pub messages: Vec<Vec<u8>>,
    /// server_handshake_traffic_secret, read off the server's trace.
    pub secret: [u8; 32],
}

impl ServerFlight {
    /// A protected record holding `messages` in place of the genuine
    /// ones, sealed as the genuine record was (first record, sequence 0).
    pub fn reseal(&self, messages: &[Vec<u8>]) -> Vec<u8> {
        protection(&self.secret, 0)
            .encrypt(ContentType::Handshake, &messages.concat(), 0)
            .expect("a fresh sequence number")
            .encode()
    }
}

/// A pair whose ClientHello has reached the server, with the server's
/// answer taken apart and not yet delivered to the client.
pub fn after_server_flight() -> (Traced, ServerFlight) {
    let mut traced = traced_pair();
    traced
        .pair
        .client_to_server()
        .expect("the server accepts minitls's ClientHello");
    let bytes = take(&mut traced.pair.server);
    let all = split_records(&bytes);
    let (protected, clear) = all.split_last().expect("a server flight");
    let secret = secret(&traced.server, SecretLabel::ServerHandshakeTraffic);
    let (content_type, plaintext) = protection(&secret, 0)
        .decrypt(protected.clone())
        .expect("the server's own record opens");
    assert_eq!(content_type, ContentType::Handshake);
    let flight = ServerFlight {
        clear_part: clear.iter().flat_map(OpaqueRecord::encode).collect(),
        messages: split_messages(&plaintext),
        secret,
    };
    (traced, flight)
}

/// The alert a failed `receive` produced: from the error itself, which
/// is what the connection reports and sends (RFC 8446 §6.2).
pub fn alert_of(result: &Result<(), Error>) -> Option<AlertDescription> {
    result.as_ref().err().and_then(Error::alert)
}
