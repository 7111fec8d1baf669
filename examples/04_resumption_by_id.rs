//! Example 04: resumption by ID lookup (the stateful server).
//!
//! A full handshake ends with the server sending NewSessionTicket messages
//! (RFC 8446 §4.6.1). Here each ticket is only a random 32-byte ID: the
//! session itself (its resumption PSK, lifetime, server name) stays in a
//! store on the server. On the next connection the client offers the ID in
//! its pre_shared_key extension (§4.2.11), the server looks it up, and the
//! handshake skips the Certificate and CertificateVerify: the PSK already
//! proves who the server is. Each ID works once (§8.1, replay).
//!
//! Goes with the book's resumption chapters (book/src/resumption-*.md);
//! example 05 is the same with the stateless strategy, for comparison.
//!
//! ```text
//! cargo run --example 04_resumption_by_id
//! ```

use std::sync::Arc;

use minitls::messages::HandshakeMessage;
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::store::StatefulStrategy;
use minitls::testing::{Pair, client_config, demo_pki, server_config};
use minitls::trace::{RecordedEvent, Recorder};
use minitls::{ClientConfig, Connection, Error, ServerConfig};

/// One connection in memory, start to finish; prints the messages and
/// returns the pair and the messages' names.
fn connect(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
) -> Result<(Pair, Vec<&'static str>), Error> {
    let trace = Recorder::default();
    let observer = Box::new(trace.clone());
    let client = Connection::client_with_observer(client.clone(), "localhost", observer)?;
    let mut pair = Pair::new(client, Connection::server(server.clone()));
    pair.drive()?;

    // The messages, as the client saw them go out (->) and come in (<-).
    let mut names = Vec::new();
    for event in trace.events() {
        match event {
            RecordedEvent::MessageSent(name, bytes) => {
                names.push(name);
                println!("  -> {name} ({} bytes)", bytes.len())
            }
            RecordedEvent::Resumption(what) => println!("     client: {what:?}"),
            RecordedEvent::MessageReceived(name, bytes) => {
                names.push(name);
                println!("  <- {name} ({} bytes)", bytes.len());
                if name == "NewSessionTicket" {
                    print_ticket(&bytes)?;
                }
            }
            _ => {}
        }
    }
    let n = pair.server.negotiated();
    println!(
        "  resumed: {}, psk_mode: {:?}, strategy: {:?}",
        n.resumed, n.psk_mode, n.resumption_strategy
    );
    Ok((pair, names))
}

/// A NewSessionTicket, decoded by the same code the client ran.
fn print_ticket(bytes: &[u8]) -> Result<(), Error> {
    if let HandshakeMessage::NewSessionTicket(t) = HandshakeMessage::decode(bytes)? {
        println!(
            "       ticket_lifetime {} s, ticket_nonce {}",
            t.ticket_lifetime,
            hex::encode(&t.ticket_nonce)
        );
        println!(
            "       ticket ({} bytes) {}",
            t.ticket.len(),
            hex::encode(&t.ticket)
        );
    }
    Ok(())
}

fn main() -> Result<(), Error> {
    let pki = demo_pki(1);
    // The server keeps up to 100 sessions in memory, keyed by random IDs.
    let store = Arc::new(StatefulStrategy::in_memory(100));
    let mut server = server_config(&pki, 3);
    server.resumption = Some(store.clone());
    let server = Arc::new(server);
    // client_config() gives the client a ticket cache (ClientConfig.session_cache).
    let client = Arc::new(client_config(&pki, 2));
    let tickets = || client.session_cache.as_ref().unwrap().lock().unwrap().len();

    println!("1. Full handshake:");
    let (full, _) = connect(&client, &server)?;
    assert!(!full.server.negotiated().resumed);
    let s = &store;
    println!(
        "  the server now holds {} sessions, {} bytes",
        s.len(),
        s.bytes_held()
    );
    println!("  the client holds {} tickets", tickets());

    println!("\n2. Resumed handshake (the client offers its newest ticket):");
    let (resumed, names) = connect(&client, &server)?;
    let n = resumed.server.negotiated();
    assert!(n.resumed && n.resumption_strategy == Some("stateful"));
    assert!(!names.contains(&"Certificate") && !names.contains(&"CertificateVerify"));
    let s = &store;
    println!("  no Certificate, no CertificateVerify: the PSK authenticated the server");
    println!(
        "  the server now holds {} sessions, {} bytes",
        s.len(),
        s.bytes_held()
    );
    println!("  (the ID it redeemed is gone: single use; two new tickets were issued)");
    Ok(())
}
