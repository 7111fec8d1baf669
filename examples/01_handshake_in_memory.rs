//! Example 01: a whole TLS 1.3 handshake in memory, one flight at a time.
//!
//! Two [`Connection`]s, a client and a server, joined by nothing but byte
//! vectors: `transmit` drains what one side wants to send and `receive`
//! feeds it to the other. After each flight this prints the records and
//! handshake messages it carried, what the receiver derived from it, and
//! the state each side is in afterwards (RFC 8446 Appendix A). A seeded RNG
//! and a fixed clock make every run print the same bytes.
//!
//! Goes with the book's "The big picture of a handshake"
//! (book/src/handshake-overview.md).
//!
//! ```text
//! cargo run --example 01_handshake_in_memory               # every flight
//! cargo run --example 01_handshake_in_memory -- --step     # Enter between flights
//! cargo run --example 01_handshake_in_memory -- --explain  # and every field
//! ```

use std::sync::{Arc, Mutex};

use minitls::explain::{self, Explainer};
use minitls::testing::{client_config, demo_pki, server_config};
use minitls::trace::{Direction, Event, Observer, RecordedEvent, Recorder, Tee};
use minitls::{Connection, Error};

/// Passes to the explainer only what a side *receives* or *decides*, so each
/// message is explained once, by its reader, in the flight that carried it.
struct Incoming(Explainer);

impl Observer for Incoming {
    fn on_event(&mut self, event: &Event<'_>) {
        if !matches!(event, Event::MessageSent { .. } | Event::RecordSent { .. }) {
            self.0.on_event(event);
        }
    }
}

/// What one endpoint recorded, and how much of it this program has printed.
struct Side {
    trace: Recorder,
    /// How many events [`Side::take`] has looked at, for `sent` false and true.
    shown: [usize; 2],
    explanation: Arc<Mutex<Vec<u8>>>,
}

impl Side {
    fn new(name: &'static str) -> (Side, Box<dyn Observer>) {
        let trace = Recorder::default();
        let (explainer, explanation) = explain::to_buffer(name);
        let observer = Tee(vec![Box::new(trace.clone()), Box::new(Incoming(explainer))]);
        let side = Side {
            trace,
            shown: [0, 0],
            explanation,
        };
        (side, Box::new(observer))
    }

    /// The events since the last call with the same `sent`: those that put
    /// bytes on the wire (`sent == true`), or all the others.
    fn take(&mut self, sent: bool) -> Vec<RecordedEvent> {
        let events = self.trace.events();
        let shown = std::mem::replace(&mut self.shown[sent as usize], events.len());
        let new = events[shown..].iter().filter(|e| is_sent(e) == sent);
        new.cloned().collect()
    }

    /// The explanation written since the last call.
    fn take_explanation(&self) -> String {
        let bytes = std::mem::take(&mut *self.explanation.lock().unwrap());
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

fn is_sent(event: &RecordedEvent) -> bool {
    matches!(
        event,
        RecordedEvent::MessageSent(..) | RecordedEvent::RecordSent(..)
    )
}

/// Print what `side` did besides sending: secrets, keys, transitions.
fn print_decisions(who: &str, side: &mut Side) {
    for event in side.take(false) {
        match event {
            RecordedEvent::SecretDerived(label, _) => {
                println!("   {who} derives {}", label.rfc_label())
            }
            RecordedEvent::MessageReceived(name, _) => println!("   {who} reads {name}"),
            // Appendix A writes a key change as `K_send = handshake`.
            RecordedEvent::KeysInstalled(direction, epoch) => {
                let k = match direction {
                    Direction::Send => "K_send",
                    Direction::Receive => "K_recv",
                };
                let epoch = format!("{epoch:?}").to_lowercase(); // "application(0)"
                println!("   {who} sets {k} = {epoch}")
            }
            RecordedEvent::StateChanged(a, b) => println!("   {who} moves {a} -> {b}"),
            _ => {}
        }
    }
}

fn main() -> Result<(), Error> {
    let step = std::env::args().any(|a| a == "--step");
    let explaining = std::env::args().any(|a| a == "--explain");

    // A CA and a certificate for "localhost"; the client trusts the CA.
    let pki = demo_pki(1);
    let (mut c, client_observer) = Side::new("client");
    let (mut s, server_observer) = Side::new("server");
    let client_config = Arc::new(client_config(&pki, 2));
    // Creating the client runs its START transition: the ClientHello is queued.
    let mut client = Connection::client_with_observer(client_config, "localhost", client_observer)?;
    let server_config = Arc::new(server_config(&pki, 3));
    let mut server = Connection::server_with_observer(server_config, server_observer);
    print_decisions("client", &mut c);
    println!();

    // Whoever has bytes to send sends them; the handshake is over when
    // neither side has anything more to say.
    let mut flight = 0;
    loop {
        let (from, to, sender, receiver, from_side, to_side) = if client.wants_write() {
            ("client", "server", &mut client, &mut server, &mut c, &mut s)
        } else if server.wants_write() {
            ("server", "client", &mut server, &mut client, &mut s, &mut c)
        } else {
            break;
        };
        flight += 1;
        if step && flight > 1 {
            println!("(press Enter for flight {flight})");
            std::io::stdin().read_line(&mut String::new()).ok();
        }

        let mut bytes = Vec::new();
        sender.transmit(&mut bytes);
        println!("== flight {flight}: {from} -> {to}, {} bytes", bytes.len());
        // What the sender queued, read from its own trace.
        for event in from_side.take(true) {
            match event {
                RecordedEvent::RecordSent(content_type, protected, record) => {
                    // A protected record's real type is hidden inside it (§5.2).
                    let how = if protected { "protected" } else { "plaintext" };
                    let name = content_type.name();
                    println!("   record  {name:<20} {:>4} bytes ({how})", record.len());
                }
                RecordedEvent::MessageSent(name, message) => {
                    println!("   message {name:<20} {:>4} bytes", message.len());
                }
                _ => {}
            }
        }

        receiver.receive(&bytes)?;
        // What the receiver made of it (and did to prepare its answer).
        print_decisions(to, to_side);
        println!(
            "   now: client {}, server {}\n",
            client.state_name(),
            server.state_name()
        );
        if explaining {
            print!("{}", c.take_explanation());
            print!("{}", s.take_explanation());
            println!();
        }
    }

    let n = client.negotiated();
    println!("handshake complete after {flight} flights");
    let (suite, group) = (n.cipher_suite, n.group.unwrap_or(0));
    println!("  cipher suite 0x{suite:04x}, group 0x{group:04x} (x25519)");
    println!("  server certificate {:?}", n.peer_subject.as_deref());
    println!("  issued by          {:?}", n.peer_issuer.as_deref());
    assert!(client.is_connected() && server.is_connected());
    Ok(())
}
