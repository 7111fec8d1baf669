//! Check of exercise 20 (a ticket's PSK) against RFC 8448 §3, whose server
//! derives the PSK of its ticket (nonce 00 00), and against the PSKs a real
//! minitls client stores with the tickets a minitls server sent it.

use std::sync::Arc;

use minitls::key_schedule::{Secret, SecretLabel, resumption_psk};
use minitls::messages::HandshakeMessage;
use minitls::messages::new_session_ticket::NewSessionTicket;
use minitls::resumption::store::StatefulStrategy;
use minitls::testing::rfc8448::{RES_MASTER, RESUMPTION_PSK, rfc, rfc32};
use minitls::trace::RecordedEvent;

use super::same;
use super::world::{SERVER_NAME, World, messages};
use crate::e20_ticket_psk::ticket_psk;

/// Holds `ticket_psk` to RFC 8448's PSK and to a minitls client's.
pub fn check() -> Result<(), String> {
    // RFC 8448 §3: the resumption secret, and the context of the
    // "resumption" step, which is the ticket's nonce (00 00). The trace
    // given here leaves the ticket's other fields out; minitls's encoder
    // writes a message around the RFC's nonce (the PSK depends on nothing
    // else).
    let message = new_session_ticket(&rfc(RESUMPTION_PSK, "hash"))?;
    same(
        "the PSK of RFC 8448's ticket",
        &ticket_psk(&rfc32(RES_MASTER, "expanded"), &message),
        &rfc(RESUMPTION_PSK, "expanded"),
    )?;

    // Nonces of other lengths (RFC 8446 §4.6.1 allows 0 to 255 bytes),
    // against minitls's own derivation.
    let secret = rfc32(RES_MASTER, "expanded");
    for nonce in [vec![], vec![7], (0..8).collect(), vec![0xab; 32]] {
        same(
            &format!("the PSK for a {}-byte ticket_nonce", nonce.len()),
            &ticket_psk(&secret, &new_session_ticket(&nonce)?),
            resumption_psk(&Secret::from_bytes(secret), &nonce).as_bytes(),
        )?;
    }

    // A real handshake: two tickets, two nonces, two PSKs.
    let mut world = World::new(Arc::new(StatefulStrategy::in_memory(8)));
    let connected = world.connect();
    connected
        .outcome
        .map_err(|e| format!("the handshake failed: {e}"))?;
    let resumption_secret = connected
        .client_trace
        .events()
        .into_iter()
        .find_map(|event| match event {
            RecordedEvent::SecretDerived(SecretLabel::ResumptionMaster, secret) => {
                secret.try_into().ok()
            }
            _ => None,
        })
        .ok_or("the client derived no resumption secret")?;
    let tickets = messages(&connected.client_trace, "NewSessionTicket", false);
    if tickets.len() < 2 {
        return Err("the server sent fewer than two tickets (a bug in the check)".into());
    }
    let cache = world.cache.lock().map_err(|_| "poisoned")?;
    if cache.len() != tickets.len() {
        return Err("the client kept a different number of tickets (a bug in the check)".into());
    }
    drop(cache);
    // The cache hands out the newest ticket first.
    for (n, message) in tickets.iter().enumerate().rev() {
        let stored = world.take_ticket()?;
        same(
            &format!("the PSK of NewSessionTicket {} of {}", n + 1, tickets.len()),
            &ticket_psk(&resumption_secret, message),
            stored.psk.as_bytes(),
        )?;
        if stored.server_name != SERVER_NAME {
            return Err("the cache mixed up server names (a bug in the check)".into());
        }
    }
    Ok(())
}

/// A NewSessionTicket message with `nonce` (handshake header included).
fn new_session_ticket(nonce: &[u8]) -> Result<Vec<u8>, String> {
    let ticket = NewSessionTicket {
        ticket_lifetime: 30,
        ticket_age_add: 0,
        ticket_nonce: nonce.to_vec(),
        ticket: vec![0x2c; 16],
        extensions: Default::default(),
    };
    HandshakeMessage::NewSessionTicket(ticket)
        .encode()
        .map_err(|e| format!("cannot encode a NewSessionTicket: {e}"))
}
