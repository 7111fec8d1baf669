//! Attack lab: a recorded resumption ClientHello, replayed byte for byte.
//!
//! An eavesdropper records the first flight of a resumed connection: a
//! ClientHello whose `pre_shared_key` extension carries the ticket and its
//! binder (RFC 8446 §4.2.11). It cannot change a byte of it (the binder is
//! an HMAC over the whole hello under a key derived from the PSK), but it
//! can send the same bytes again. What does the server do?
//!
//! - Stateful strategy: the ticket is an ID in the server's store, and
//!   redeeming it removes it (single use, RFC 8446 §8.1). The replay finds
//!   nothing and gets a full handshake.
//! - Stateless strategy: the ticket is the session, sealed; the server
//!   keeps nothing to remove. The replay is accepted again as long as the
//!   ticket's age in the hello is close enough to the server's own idea of
//!   it (RFC 8446 §4.2.11.1, §8.3); later it is refused.
//!
//! Either way the attacker cannot finish the handshake: the keys also need
//! the PSK and the client's X25519 private key, which it does not have.
//! What a replay reaches is what the server does before the client's
//! Finished: with 0-RTT early data (RFC 8446 §8), that would be the
//! client's first request. `lab_replayed_early_data` replays such a flight.
//!
//! Run it: `cargo run --example lab_replayed_ticket`. Its output is a
//! reviewed snapshot (`tests/examples.rs`).

use std::sync::{Arc, Mutex};

use minitls::messages::HandshakeMessage;
use minitls::record::{ContentType, Deframer};
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::client_cache::ClientSessionCache;
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::ticketer::Ticketer;
use minitls::testing::{
    FIXED_NOW, ManualClock, Pair, Side, client_config, demo_pki, server_config,
};
use minitls::trace::{RecordedEvent, Recorder, ResumptionEvent};
use minitls::{Connection, ServerConfig};

fn main() {
    let pki = demo_pki(1);
    let strategies: [(&str, Arc<dyn ResumptionStrategy>); 2] = [
        ("stateful store", Arc::new(StatefulStrategy::in_memory(16))),
        ("stateless ticketer", Arc::new(Ticketer::new(3600))),
    ];
    for (name, strategy) in strategies {
        println!("== {name}");
        let clock = ManualClock::new(FIXED_NOW);
        let mut server = server_config(&pki, 3);
        server.clock = Arc::new(clock.clone());
        server.resumption = Some(strategy);
        let server = Arc::new(server);

        let cache = Arc::new(Mutex::new(ClientSessionCache::new(8)));
        let mut client = client_config(&pki, 2);
        client.session_cache = Some(cache.clone());
        let client = Arc::new(client);

        let mut full = Pair::new(
            Connection::client(client.clone(), "localhost").expect("client"),
            Connection::server(server.clone()),
        );
        full.drive().expect("full handshake");
        println!("1. A full handshake; the client keeps a ticket.");

        let mut resumed = Pair::new(
            Connection::client(client.clone(), "localhost").expect("client"),
            Connection::server_with_observer(server.clone(), Box::new(Recorder::default())),
        );
        let mut recorded: Option<Vec<u8>> = None;
        resumed
            .drive_observed(|side, bytes| {
                if side == Side::Client && recorded.is_none() {
                    recorded = Some(bytes.to_vec());
                }
            })
            .expect("resumption");
        let recorded = recorded.expect("the client spoke first");
        println!(
            "2. The client resumes (resumed: {}); the attacker records its {}-byte ClientHello.",
            resumed.server.negotiated().resumed,
            recorded.len()
        );

        // The stateful store needs one try; the ticketer, two: inside and
        // outside the age window.
        let replays: &[u64] = if name.starts_with("stateful") {
            &[5]
        } else {
            &[5, 60]
        };
        for &later in replays {
            clock.advance_secs(later - clock_offset(&clock));
            println!(
                "3. {later} s later the attacker sends the same bytes to the server \
                 (ticket ages may differ by {} s):",
                server.ticket_age_tolerance_ms / 1000
            );
            for line in replay(&server, &recorded) {
                println!("   {line}");
            }
        }
        println!();
    }
    println!("What a replay would mean for early data (RFC 8446 §8):");
    for line in [
        "a ClientHello may carry 0-RTT data, under a key from the PSK, no X25519 (§7.1);",
        "a server that accepted a replayed hello with its early data would act on the",
        "client's first request a second time. The stateful store refuses the replay",
        "(single-use tickets, §8.1); the stateless ticketer accepts it within the age",
        "window, so before accepting 0-RTT it also records the binders of ClientHellos",
        "seen in that window and refuses repeats (§8.2, its strike register).",
        "examples/lab_replayed_early_data.rs replays a 0-RTT flight against both.",
    ] {
        println!("   {line}");
    }
}

/// Seconds `clock` is past [`FIXED_NOW`].
fn clock_offset(clock: &ManualClock) -> u64 {
    use minitls::config::Clock;
    (clock.now().0 - FIXED_NOW.0) / 1000
}

/// Send `hello` (the recorded bytes) to a fresh server connection and say
/// what the server decided, from its own events and its ServerHello.
fn replay(server: &Arc<ServerConfig>, hello: &[u8]) -> Vec<String> {
    let log = Recorder::default();
    let mut conn = Connection::server_with_observer(server.clone(), Box::new(log.clone()));
    let mut out = Vec::new();
    if let Err(e) = conn.receive(hello) {
        out.push(format!("the server refused the bytes: {e}"));
        return out;
    }
    for event in log.events() {
        match event {
            RecordedEvent::Resumption(ResumptionEvent::Accepted { strategy, psk_mode }) => {
                out.push(format!("server: ticket accepted ({strategy}, {psk_mode})"));
            }
            RecordedEvent::Resumption(ResumptionEvent::Rejected { strategy, reason }) => {
                out.push(format!("server: ticket refused ({strategy}): {reason}"));
            }
            _ => {}
        }
    }
    let mut reply = Vec::new();
    conn.transmit(&mut reply);
    let mut deframer = Deframer::default();
    deframer.push(&reply);
    if let Ok(Some(record)) = deframer.pop()
        && record.content_type == ContentType::Handshake.to_u8()
        && let Ok(HandshakeMessage::ServerHello(hello)) = HandshakeMessage::decode(&record.fragment)
    {
        out.push(match hello.extensions.pre_shared_key {
            Some(index) => format!(
                "its ServerHello selects PSK identity {index}: a resumption, no certificate"
            ),
            None => {
                "its ServerHello has no pre_shared_key: a full handshake, with certificate".into()
            }
        });
    }
    out.push(
        "the keys need the client's X25519 private key: the attacker can neither read on nor finish"
            .into(),
    );
    out
}
