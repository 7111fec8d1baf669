//! Check of exercise 29 (client_early_traffic_secret) against a real 0-RTT
//! resumption between a minitls client and server.

use std::sync::{Arc, Mutex};

use minitls::Connection;
use minitls::key_schedule::SecretLabel;
use minitls::record::ContentType;
use minitls::resumption::client_cache::ClientSessionCache;
use minitls::resumption::store::StatefulStrategy;
use minitls::testing::{
    FIXED_NOW, Pair, client_config, demo_pki, protection, secret, server_config, split_records,
};
use minitls::trace::{RecordedEvent, Recorder};

use super::same;
use crate::e29_early_data::client_early_traffic_secret;

/// What the client sends as early data.
const EARLY: &[u8] = b"GET /early HTTP/1.0\r\n\r\n";

/// Runs a full handshake for a ticket that allows early data, then a
/// resumption with 0-RTT; holds the student's secret to the one the
/// client derived, and opens the 0-RTT record with it.
pub fn check() -> Result<(), String> {
    let pki = demo_pki(1);
    let mut server = server_config(&pki, 3);
    server.resumption = Some(Arc::new(StatefulStrategy::in_memory(4)));
    server.max_early_data_size = 1024;
    let server = Arc::new(server);
    let cache = Arc::new(Mutex::new(ClientSessionCache::new(4)));
    let mut client = client_config(&pki, 2);
    client.session_cache = Some(cache.clone());
    let client = Arc::new(client);

    let first = Connection::client(client.clone(), "localhost").map_err(|e| e.to_string())?;
    let mut full = Pair::new(first, Connection::server(server.clone()));
    full.drive().map_err(|e| format!("full handshake: {e}"))?;
    // The ticket the resumption will use: looked at, and put back.
    let ticket = {
        let mut cache = cache.lock().map_err(|_| "cache poisoned")?;
        let ticket = (cache.take("localhost", FIXED_NOW)).ok_or("the server issued no ticket")?;
        cache.insert(ticket.clone());
        ticket
    };

    let recorder = Recorder::default();
    let mut zero_rtt =
        Connection::client_with_early_data(client, "localhost", EARLY, Box::new(recorder.clone()))
            .map_err(|e| e.to_string())?;
    let mut flight = Vec::new();
    zero_rtt.transmit(&mut flight);
    let client_hello = (recorder.events().into_iter())
        .find_map(|e| match e {
            RecordedEvent::MessageSent("ClientHello", bytes) => Some(bytes),
            _ => None,
        })
        .ok_or("the client sent no ClientHello")?;

    let yours = client_early_traffic_secret(ticket.psk.as_bytes(), &client_hello);
    same(
        "client_early_traffic_secret (CLIENT_EARLY_TRAFFIC_SECRET in the key log)",
        &yours,
        &secret(&recorder, SecretLabel::ClientEarlyTraffic),
    )?;

    // The 0-RTT record follows the ClientHello (and change_cipher_spec).
    let record = (split_records(&flight).into_iter())
        .find(|r| r.content_type == ContentType::ApplicationData.to_u8())
        .ok_or("the client sent no 0-RTT record")?;
    let (content_type, data) = protection(&yours, 0)
        .decrypt(record)
        .map_err(|e| format!("your secret's keys do not open the 0-RTT record: {e}"))?;
    if content_type != ContentType::ApplicationData || data != EARLY {
        return Err(format!(
            "the 0-RTT record opened to {content_type:?} {:?}, not the early data",
            String::from_utf8_lossy(&data)
        ));
    }

    // And the server, which derived the same secret, read the same bytes.
    let mut server_side = Connection::server(server);
    server_side
        .receive(&flight)
        .map_err(|e| format!("the server refused the flight: {e}"))?;
    let read: Vec<u8> = std::iter::from_fn(|| server_side.poll_event())
        .filter_map(|e| match e {
            minitls::AppEvent::EarlyData(d) => Some(d),
            _ => None,
        })
        .flatten()
        .collect();
    same("the early data the server read", &read, EARLY)
}
