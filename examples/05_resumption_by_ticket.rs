//! Example 05: resumption by ticket (the stateless server).
//!
//! The same two handshakes as example 04, with the other server strategy:
//! here the ticket *is* the session, sealed with ChaCha20-Poly1305 under a
//! key only the server knows (key_id || nonce || sealed session || tag).
//! The server stores nothing per session; the client carries it and cannot
//! read it (RFC 8446 §4.6.1: the ticket is opaque to the client). The price
//! is in the last step: a server that loses its ticket keys (a restart)
//! can open none of the tickets it issued, and the client falls back to a
//! full handshake.
//!
//! Goes with the book's resumption chapters (book/src/resumption-*.md);
//! compare with example 04, resumption by ID.
//!
//! ```text
//! cargo run --example 05_resumption_by_ticket
//! ```

use std::sync::Arc;

use minitls::messages::HandshakeMessage;
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::ticketer::Ticketer;
use minitls::testing::{FIXED_NOW, Pair, client_config, demo_pki, server_config};
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
        // The layout of src/resumption/ticketer.rs: which key, which nonce,
        // then the encrypted Session and its 16-byte Poly1305 tag.
        let (key_id, rest) = t.ticket.split_at(4);
        let (nonce, sealed) = rest.split_at(12);
        println!(
            "       ticket ({} bytes): key_id {} | nonce {} | sealed {} bytes",
            t.ticket.len(),
            hex::encode(key_id),
            hex::encode(nonce),
            sealed.len()
        );
    }
    Ok(())
}

fn main() -> Result<(), Error> {
    let pki = demo_pki(1);
    // A new ticket key every hour; the previous one still opens for another.
    let ticketer = Arc::new(Ticketer::new(3600));
    let mut server = server_config(&pki, 3);
    server.resumption = Some(ticketer.clone());
    let server = Arc::new(server);
    let client = Arc::new(client_config(&pki, 2));
    let cache = client
        .session_cache
        .clone()
        .expect("client_config() has a ticket cache");

    println!("1. Full handshake:");
    let (full, _) = connect(&client, &server)?;
    assert!(!full.server.negotiated().resumed);
    let held = ticketer.bytes_held();
    println!("  the server holds {held} bytes per session: it keeps only its keys");

    // What the client keeps: the newest ticket, taken out and put back.
    let mut tickets = cache.lock().unwrap();
    let newest = tickets.take("localhost", FIXED_NOW).expect("a ticket");
    println!(
        "  the client holds {} tickets; the newest:",
        tickets.len() + 1
    );
    println!(
        "    {} ticket bytes, lifetime {} s, and the PSK it stands for (32 bytes)",
        newest.ticket.len(),
        newest.ticket_lifetime
    );
    tickets.insert(newest);
    drop(tickets);

    println!("\n2. Resumed handshake (the server opens the ticket it sealed):");
    let (resumed, names) = connect(&client, &server)?;
    let n = resumed.server.negotiated();
    assert!(n.resumed && n.resumption_strategy == Some("stateless"));
    assert!(!names.contains(&"Certificate") && !names.contains(&"CertificateVerify"));
    println!("  no Certificate, no CertificateVerify: the PSK authenticated the server");

    println!("\n3. The server restarts and forgets its ticket keys:");
    ticketer.forget_keys();
    let (again, _) = connect(&client, &server)?;
    assert!(!again.server.negotiated().resumed);
    println!("  the ticket could not be opened: a full handshake instead");
    Ok(())
}
