//! Check of exercise 21 (the PSK binder) against a real resumed ClientHello
//! of a minitls client, and a minitls server that must accept the binder.

use std::sync::Arc;

use minitls::AlertDescription;
use minitls::resumption::ticketer::Ticketer;

use super::same;
use super::world::World;
use crate::e21_psk_binder::psk_binder;

/// A record header: type, version, length.
const RECORD_HEADER_LEN: usize = 5;
/// The binders list of one binder: 2-byte length, 1-byte length, binder.
const BINDERS_LEN: usize = 35;

/// Holds `psk_binder` to the binder a minitls client computed, then lets
/// a minitls server judge the ClientHello that carries it.
pub fn check() -> Result<(), String> {
    // A full handshake gives the client a ticket (stateless, so it can be
    // offered more than once).
    let mut world = World::new(Arc::new(Ticketer::new(3600)));
    world
        .connect()
        .outcome
        .map_err(|e| format!("the full handshake failed: {e}"))?;
    let ticket = world.take_ticket()?;

    // The resumed ClientHello, as the client puts it on the wire: one
    // handshake record, ending with one binder.
    world.offer(ticket.clone());
    let (mut pair, _) = world.pair();
    let mut flight = Vec::new();
    pair.client.transmit(&mut flight);
    let end = flight.len();
    if flight.first() != Some(&22) || end < RECORD_HEADER_LEN + BINDERS_LEN {
        return Err("the client's first flight is not one ClientHello (a bug in the check)".into());
    }
    if flight[end - BINDERS_LEN..end - 32] != [0x00, 0x21, 0x20] {
        return Err("the ClientHello does not end with one binder (a bug in the check)".into());
    }
    let clients_binder = flight[end - 32..].to_vec();

    // Your binder, over the ClientHello with its binder zeroed.
    flight[end - 32..].fill(0);
    let yours = psk_binder(ticket.psk.as_bytes(), &flight[RECORD_HEADER_LEN..]);
    same(
        "the binder (compared with the minitls client's)",
        &yours,
        &clients_binder,
    )?;

    // The server checks it: with your binder in place, it resumes.
    flight[end - 32..].copy_from_slice(&yours);
    pair.server
        .receive(&flight)
        .map_err(|e| format!("the server refused your binder: {e}"))?;
    pair.drive()
        .map_err(|e| format!("the resumed handshake failed: {e}"))?;
    if !pair.server.negotiated().resumed {
        return Err("the server did not resume with your binder".into());
    }

    // And a binder that does not verify ends the handshake with
    // decrypt_error (RFC 8446 §4.2.11, §6.2): a binder is never ignored.
    world.offer(ticket);
    let (mut pair, _) = world.pair();
    let mut flight = Vec::new();
    pair.client.transmit(&mut flight);
    let last = flight.len() - 1;
    flight[last] ^= 1;
    let refused = pair.server.receive(&flight);
    let alert = refused.err().and_then(|e| e.alert());
    if alert != Some(AlertDescription::DecryptError) {
        return Err(format!(
            "a minitls server answered a wrong binder with {alert:?}, not decrypt_error \
             (a bug in minitls or the check)"
        ));
    }
    Ok(())
}
