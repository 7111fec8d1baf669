//! Check of exercise 19 (does a ClientHello offer resumption?) on the real
//! ClientHellos of a minitls client, against minitls's own parser and the
//! server's verdict.

use std::sync::Arc;

use minitls::messages::HandshakeMessage;
use minitls::resumption::ticketer::Ticketer;

use super::world::{World, messages};
use crate::e19_offers_resumption::offers_resumption;

/// Holds `offers_resumption` to the `pre_shared_key` extension minitls
/// finds in full, resumed and refused handshakes' ClientHellos.
pub fn check() -> Result<(), String> {
    for middlebox_compatibility in [true, false] {
        let mut world = World::new(Arc::new(Ticketer::new(3600)));
        world.middlebox_compatibility = middlebox_compatibility;
        let mode = if middlebox_compatibility {
            "with middlebox compatibility (a 32-byte legacy_session_id)"
        } else {
            "without middlebox compatibility (an empty legacy_session_id)"
        };

        let full = world.connect();
        judge(&full.client_trace, "a full handshake", mode)?;
        let ticket = world.take_ticket()?;

        world.offer(ticket.clone());
        let resumed = world.connect();
        if !resumed.resumed() {
            return Err("the second connection did not resume (a bug in the check)".into());
        }
        judge(&resumed.client_trace, "a resumed handshake", mode)?;

        // An offer the server cannot use (its ticket was altered on the
        // way) is still an offer, even though the handshake is a full one.
        let mut forged = ticket;
        forged.ticket[20] ^= 1;
        world.offer(forged);
        let refused = world.connect();
        if refused.resumed() {
            return Err("the server resumed a forged ticket (a bug in the check)".into());
        }
        judge(
            &refused.client_trace,
            "a resumption the server refused",
            mode,
        )?;
    }
    Ok(())
}

/// Compares the answer for the ClientHello in `trace` with minitls's parse.
fn judge(trace: &minitls::trace::Recorder, what: &str, mode: &str) -> Result<(), String> {
    let hellos = messages(trace, "ClientHello", true);
    let hello = hellos.first().ok_or("the client sent no ClientHello")?;
    let Ok(HandshakeMessage::ClientHello(parsed)) = HandshakeMessage::decode(hello) else {
        return Err("minitls cannot parse its own ClientHello (a bug in the check)".into());
    };
    let offers = parsed.extensions.pre_shared_key.is_some();
    let yours = offers_resumption(hello);
    if yours == offers {
        return Ok(());
    }
    Err(format!(
        "the ClientHello of {what}, {mode}: you said {}, but it {} pre_shared_key \
         extension (legacy_session_id: {} bytes)",
        if yours {
            "it offers resumption"
        } else {
            "it does not offer resumption"
        },
        if offers { "has a" } else { "has no" },
        parsed.legacy_session_id.len()
    ))
}
