//! Check of exercise 04 (the client's state machine as a function) against
//! minitls's own table of arrows, `minitls::client::CLIENT_TRANSITIONS`,
//! and against the state changes of two real handshakes.

use std::sync::Arc;

use minitls::Connection;
use minitls::client::CLIENT_TRANSITIONS;
use minitls::messages::HandshakeMessage;
use minitls::resumption::store::StatefulStrategy;
use minitls::testing::{Pair, client_config, demo_pki, server_config};
use minitls::trace::{NoObserver, RecordedEvent, Recorder};
use minitls::{ClientConfig, ServerConfig};

use crate::e04_client_transitions::next_state;

/// Where minitls's table says `message` in `state` leads, with and
/// without a PSK: the PSK arrow is the one to WAIT_FINISHED when the table
/// has two for the same state and message (RFC 8446 Appendix A.1).
fn table(state: &str, message: &str, using_psk: bool) -> Option<&'static str> {
    let targets: Vec<&'static str> = CLIENT_TRANSITIONS
        .iter()
        .filter(|(from, label, _)| *from == state && *label == message)
        .map(|(_, _, to)| *to)
        .collect();
    match targets.as_slice() {
        [] => None,
        [only] => Some(*only),
        several => several
            .iter()
            .copied()
            .find(|to| (*to == "WAIT_FINISHED") == using_psk),
    }
}

/// A client's state changes in one connection, each with the message that
/// caused it: `(from, message, to)`.
fn replay(pair: &mut Pair, recorder: &Recorder) -> Result<Vec<(String, String, String)>, String> {
    pair.drive()
        .map_err(|e| format!("the handshake failed: {e}"))?;
    let mut last_received = None;
    let mut moves = Vec::new();
    for event in recorder.events() {
        match event {
            RecordedEvent::MessageReceived(name, _) => last_received = Some(name),
            RecordedEvent::StateChanged(from, to) => {
                // START -> WAIT_SH is the client sending, not receiving.
                if let Some(message) = last_received.take() {
                    moves.push((from.to_string(), message.to_string(), to.to_string()));
                }
            }
            _ => {}
        }
    }
    Ok(moves)
}

fn connect(client: &Arc<ClientConfig>, server: &Arc<ServerConfig>) -> (Pair, Recorder) {
    let recorder = Recorder::default();
    let client =
        Connection::client_with_observer(client.clone(), "localhost", Box::new(recorder.clone()))
            .expect("the client starts");
    let server = Connection::server_with_observer(server.clone(), Box::new(NoObserver));
    (Pair::new(client, server), recorder)
}

/// Holds `next_state` to the table, everywhere, then to two real handshakes.
pub fn check() -> Result<(), String> {
    let mut states: Vec<&str> = CLIENT_TRANSITIONS
        .iter()
        .map(|(from, _, _)| *from)
        .collect();
    states.sort_unstable();
    states.dedup();
    for state in &states {
        for message in HandshakeMessage::kind_names() {
            for using_psk in [false, true] {
                let expected = table(state, message, using_psk);
                let yours = next_state(state, message, using_psk);
                if yours != expected {
                    return Err(format!(
                        "next_state({state:?}, {message:?}, using_psk: {using_psk}): yours {yours:?}, expected {expected:?} (RFC 8446 Appendix A.1)"
                    ));
                }
            }
        }
    }

    // Two real connections sharing a ticket: the second one resumes.
    let pki = demo_pki(1);
    let client = Arc::new(client_config(&pki, 2));
    let mut server = server_config(&pki, 3);
    server.resumption = Some(Arc::new(StatefulStrategy::in_memory(4)));
    let server = Arc::new(server);
    for (what, using_psk) in [("a full handshake", false), ("a resumed handshake", true)] {
        let (mut pair, recorder) = connect(&client, &server);
        let moves = replay(&mut pair, &recorder)?;
        if using_psk != pair.client.negotiated().resumed {
            return Err(format!("{what} did not go as planned (a bug in the check)"));
        }
        for (from, message, to) in moves {
            let yours = next_state(&from, &message, using_psk);
            if yours != Some(to.as_str()) {
                return Err(format!(
                    "in {what}, the client went {from} -> {to} on {message}; next_state says {yours:?}"
                ));
            }
        }
    }
    Ok(())
}
