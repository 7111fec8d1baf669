//! Check of exercise 03 (which keys protect each message) against real
//! minitls handshakes: the keys a message travels under are the ones its
//! sender had installed (`K_send`, RFC 8446 Appendix A) when it was sent,
//! which the receiving client sees as its `K_recv`.

use std::sync::Arc;

use minitls::Connection;
use minitls::resumption::store::StatefulStrategy;
use minitls::testing::{Pair, Side, client_config, demo_pki, server_config};
use minitls::trace::{Direction, Epoch, NoObserver, RecordedEvent, Recorder};

use crate::e03_which_keys::{Keys, keys_for};

/// The messages of one handshake, seen by a recording client: who sent
/// each, its name, and the keys it travelled under.
fn observed(hello_retry: bool, tickets: bool) -> Result<Vec<(Side, &'static str, Keys)>, String> {
    let pki = demo_pki(1);
    let mut client = client_config(&pki, 2);
    client.initial_key_share = !hello_retry;
    let mut server = server_config(&pki, 3);
    if tickets {
        server.resumption = Some(Arc::new(StatefulStrategy::in_memory(4)));
    }
    let recorder = Recorder::default();
    let client =
        Connection::client_with_observer(Arc::new(client), "localhost", Box::new(recorder.clone()))
            .map_err(|e| e.to_string())?;
    let server = Connection::server_with_observer(Arc::new(server), Box::new(NoObserver));
    let mut pair = Pair::new(client, server);
    pair.drive()
        .map_err(|e| format!("the handshake failed: {e}"))?;

    let epoch_keys = |epoch: Option<Epoch>| match epoch {
        None => Keys::None,
        Some(Epoch::Handshake) => Keys::Handshake,
        Some(Epoch::Application(_)) => Keys::Application,
        // The handshake checked here sends no 0-RTT data.
        Some(Epoch::EarlyData) => Keys::None,
    };
    let (mut send, mut receive) = (None, None);
    let mut messages = Vec::new();
    for event in recorder.events() {
        match event {
            RecordedEvent::KeysInstalled(Direction::Send, epoch) => send = Some(epoch),
            RecordedEvent::KeysInstalled(Direction::Receive, epoch) => receive = Some(epoch),
            RecordedEvent::MessageSent(name, _) => {
                messages.push((Side::Client, name, epoch_keys(send)))
            }
            RecordedEvent::MessageReceived(name, _) => {
                messages.push((Side::Server, name, epoch_keys(receive)))
            }
            _ => {}
        }
    }
    Ok(messages)
}

/// Holds `keys_for` to every message of three real handshakes.
pub fn check() -> Result<(), String> {
    let runs = [
        ("a full handshake", false, false),
        ("a handshake with a HelloRetryRequest", true, false),
        ("a handshake where the server issues tickets", false, true),
    ];
    let mut seen = Vec::new();
    for (what, hello_retry, tickets) in runs {
        for (from, name, keys) in observed(hello_retry, tickets)? {
            seen.push(name);
            let yours = keys_for(from, name);
            if yours != keys {
                return Err(format!(
                    "in {what}, {name} from the {}: yours {yours:?}, the real handshake used {keys:?}",
                    if from == Side::Client {
                        "client"
                    } else {
                        "server"
                    }
                ));
            }
        }
    }
    // The three runs must have shown every kind of protection, or the
    // check would be weaker than it says.
    for needed in [
        "HelloRetryRequest",
        "EncryptedExtensions",
        "NewSessionTicket",
    ] {
        if !seen.contains(&needed) {
            return Err(format!(
                "no {needed} in the handshakes (a bug in the check)"
            ));
        }
    }
    Ok(())
}
