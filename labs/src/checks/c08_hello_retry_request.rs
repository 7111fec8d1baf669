//! Check of exercise 08 (recognising a HelloRetryRequest) against the
//! messages of two real minitls handshakes, one with a HelloRetryRequest,
//! and against minitls's own decoding of them.

use std::sync::Arc;

use minitls::Connection;
use minitls::messages::HandshakeMessage;
use minitls::testing::{Pair, client_config, demo_pki, server_config};
use minitls::trace::{NoObserver, RecordedEvent, Recorder};

use crate::e08_hello_retry_request::is_hello_retry_request;

/// Every message the client sent or received, by name, in one handshake.
fn messages(hello_retry: bool) -> Result<Vec<(&'static str, Vec<u8>)>, String> {
    let pki = demo_pki(1);
    let mut client = client_config(&pki, 2);
    // No key share in the first ClientHello: the server must ask for one.
    client.initial_key_share = !hello_retry;
    let recorder = Recorder::default();
    let client =
        Connection::client_with_observer(Arc::new(client), "localhost", Box::new(recorder.clone()))
            .map_err(|e| e.to_string())?;
    let server =
        Connection::server_with_observer(Arc::new(server_config(&pki, 3)), Box::new(NoObserver));
    Pair::new(client, server)
        .drive()
        .map_err(|e| format!("the handshake failed: {e}"))?;
    Ok(recorder
        .events()
        .into_iter()
        .filter_map(|event| match event {
            RecordedEvent::MessageSent(name, bytes)
            | RecordedEvent::MessageReceived(name, bytes) => Some((name, bytes)),
            _ => None,
        })
        .collect())
}

/// What `message` is, by minitls's decoder (the name it records).
fn expected(name: &str) -> Option<bool> {
    match name {
        "HelloRetryRequest" => Some(true),
        "ServerHello" => Some(false),
        _ => None,
    }
}

/// Holds `is_hello_retry_request` to every message of two real handshakes
/// and to a HelloRetryRequest with a damaged random.
pub fn check() -> Result<(), String> {
    let mut hello_retry_request = None;
    for (what, hello_retry) in [
        ("a full handshake", false),
        ("a handshake with a HelloRetryRequest", true),
    ] {
        for (name, bytes) in messages(hello_retry)? {
            let yours = is_hello_retry_request(&bytes);
            if yours != expected(name) {
                return Err(format!(
                    "in {what}, the {name} ({} bytes): yours {yours:?}, expected {:?}",
                    bytes.len(),
                    expected(name)
                ));
            }
            if name == "HelloRetryRequest" {
                hello_retry_request = Some(bytes);
            }
        }
    }
    let hrr = hello_retry_request.ok_or("no HelloRetryRequest was sent (a bug in the check)")?;

    // Flip the last bit of the random: any other random is a ServerHello
    // (RFC 8446 §4.1.3), however much the rest looks like a retry request.
    let mut damaged = hrr.clone();
    damaged[37] ^= 1;
    if matches!(
        HandshakeMessage::decode(&damaged),
        Ok(HandshakeMessage::HelloRetryRequest(_))
    ) {
        return Err("minitls still sees a HelloRetryRequest (a bug in the check)".into());
    }
    if is_hello_retry_request(&damaged) != Some(false) {
        return Err(
            "the HelloRetryRequest with one bit of its random flipped is a ServerHello (with a key_share it cannot have): only the random says HelloRetryRequest".into(),
        );
    }
    // Truncated before the random ends: not a ServerHello to judge.
    if is_hello_retry_request(&hrr[..20]).is_some() {
        return Err("20 bytes cannot hold a ServerHello's random: expected None".into());
    }
    Ok(())
}
