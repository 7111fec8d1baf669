//! Attack lab: a recorded 0-RTT flight, replayed byte for byte.
//!
//! A client resumes with early data (RFC 8446 §2.3): its first flight is a
//! ClientHello with `pre_shared_key` and `early_data`, then its request,
//! protected under client_early_traffic_secret, a key from the PSK and the
//! ClientHello alone (§7.1). An eavesdropper records that flight. It cannot
//! read or change it, but it can send it again, and the server can derive
//! the early keys again: nothing in the flight is fresh. So the server
//! needs anti-replay (RFC 8446 §8):
//!
//! - Stateful strategy: redeeming the ticket removes it from the store
//!   (single use, §8.1). The replay finds nothing: no PSK, no early data.
//! - Stateless strategy: the ticket still opens, so the ticketer keeps a
//!   strike register of the binders of recent 0-RTT ClientHellos (§8.2)
//!   and a tight freshness window on the ticket age (§8.3). The replay
//!   resumes, but its early data is skipped.
//! - Protection off (`WithoutAntiReplay`, in `minitls::testing`, which
//!   exists only with the `insecure-testing` feature): the replay's early
//!   data is read and acted on a second time.
//!
//! Run it: `cargo run --example lab_replayed_early_data`. Its output is a
//! reviewed snapshot (`tests/examples.rs`).

use std::sync::{Arc, Mutex};

use minitls::resumption::ResumptionStrategy;
use minitls::resumption::client_cache::ClientSessionCache;
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::ticketer::Ticketer;
use minitls::testing::no_anti_replay::WithoutAntiReplay;
use minitls::testing::{FIXED_NOW, ManualClock, Pair, client_config, demo_pki, server_config};
use minitls::trace::{NoObserver, RecordedEvent, Recorder, ResumptionEvent};
use minitls::{AppEvent, Connection, ServerConfig};

/// The client's request, sent as early data.
const REQUEST: &[u8] =
    b"POST /transfer HTTP/1.0\r\nContent-Length: 21\r\n\r\nto=mallory&amount=100";

fn main() {
    let pki = demo_pki(1);
    let strategies: [(&str, Arc<dyn ResumptionStrategy>); 3] = [
        (
            "stateful store (single use)",
            Arc::new(StatefulStrategy::in_memory(16)),
        ),
        (
            "stateless ticketer (strike register)",
            Arc::new(Ticketer::new(3600)),
        ),
        (
            "stateless ticketer, anti-replay OFF (insecure-testing only)",
            Arc::new(WithoutAntiReplay(Arc::new(Ticketer::new(3600)))),
        ),
    ];
    for (name, strategy) in strategies {
        println!("== {name}");
        let clock = ManualClock::new(FIXED_NOW);
        let mut server = server_config(&pki, 3);
        server.clock = Arc::new(clock.clone());
        server.resumption = Some(strategy);
        server.max_early_data_size = 1024;
        let server = Arc::new(server);

        let cache = Arc::new(Mutex::new(ClientSessionCache::new(8)));
        let mut client = client_config(&pki, 2);
        client.session_cache = Some(cache.clone());
        client.clock = Arc::new(clock.clone());
        let client = Arc::new(client);

        let mut full = Pair::new(
            Connection::client(client.clone(), "localhost").expect("client"),
            Connection::server(server.clone()),
        );
        full.drive().expect("full handshake");
        println!("1. A full handshake; the ticket allows 1024 bytes of early data.");

        let mut zero_rtt =
            Connection::client_with_early_data(client, "localhost", REQUEST, Box::new(NoObserver))
                .expect("client");
        let mut flight = Vec::new();
        zero_rtt.transmit(&mut flight);
        println!(
            "2. The client resumes and sends its request as early data; the attacker records \
             its {}-byte first flight.",
            flight.len()
        );
        for line in deliver(&server, &flight) {
            println!("   {line}");
        }
        clock.advance_secs(1);
        println!("3. One second later the attacker sends the same bytes to the server:");
        for line in deliver(&server, &flight) {
            println!("   {line}");
        }
        println!();
    }
    println!("What a replay accepted means for a POST (RFC 8446 §8, §E.5):");
    for line in [
        "the server ran \"POST /transfer ... to=mallory&amount=100\" twice: two transfers,",
        "though the client asked once and its own connection saw one answer. The attacker",
        "never had a key: it replayed bytes. Only requests that are safe to run twice",
        "(a GET without side effects) belong in early data, and a server should refuse",
        "0-RTT for anything else (RFC 8470 lets HTTP answer 425 Too Early). The strike",
        "register stops a replay to this server only: a fleet sharing ticket keys",
        "accepts the same flight once per server. minitls keeps early data off by default.",
    ] {
        println!("   {line}");
    }
}

/// Send the recorded first flight to a fresh server connection and say
/// what the server decided and what early data it read.
fn deliver(server: &Arc<ServerConfig>, flight: &[u8]) -> Vec<String> {
    let log = Recorder::default();
    let mut conn = Connection::server_with_observer(server.clone(), Box::new(log.clone()));
    let mut out = Vec::new();
    if let Err(e) = conn.receive(flight) {
        out.push(format!("the server refused the bytes: {e}"));
        return out;
    }
    for event in log.events() {
        match event {
            RecordedEvent::Resumption(ResumptionEvent::Accepted { strategy, .. }) => {
                out.push(format!("server: ticket accepted ({strategy})"));
            }
            RecordedEvent::Resumption(ResumptionEvent::Rejected { strategy, reason }) => {
                out.push(format!("server: ticket refused ({strategy}): {reason}"));
            }
            RecordedEvent::Resumption(ResumptionEvent::EarlyDataAccepted { .. }) => {
                out.push("server: 0-RTT accepted".into());
            }
            RecordedEvent::Resumption(ResumptionEvent::EarlyDataRejected { reason }) => {
                out.push(format!(
                    "server: 0-RTT rejected ({reason}): early data skipped"
                ));
            }
            _ => {}
        }
    }
    let read: Vec<u8> = std::iter::from_fn(|| conn.poll_event())
        .filter_map(|e| match e {
            AppEvent::EarlyData(data) => Some(data),
            _ => None,
        })
        .flatten()
        .collect();
    out.push(if read.is_empty() {
        "early data the server acted on: none".into()
    } else {
        let request = String::from_utf8_lossy(&read);
        let first_line = request.lines().next().unwrap_or_default();
        format!(
            "early data the server acted on: {} bytes, {first_line:?}",
            read.len()
        )
    });
    out
}
