//! Check of exercise 22 (a single-use session store) with real
//! resumptions: a minitls server whose stateful strategy keeps its
//! sessions in the student's store.

use std::sync::Arc;

use minitls::AlertDescription;
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::store::StatefulStrategy;

use super::world::World;
use crate::e22_single_use_store::SingleUseStore;

/// Holds `SingleUseStore` to what RFC 8446 §4.2.11 and §8.1 ask of a
/// single-use server: one resumption per ticket, and only after the binder.
pub fn check() -> Result<(), String> {
    let strategy = Arc::new(StatefulStrategy::new(Box::new(SingleUseStore::new())));
    let mut world = World::new(strategy.clone());

    let full = world.connect();
    full.outcome
        .map_err(|e| format!("the full handshake failed: {e}"))?;
    // The server sends two tickets: two sessions in the store.
    if strategy.len() != 2 {
        return Err(format!(
            "after one handshake the server issued two tickets, but your store holds {} \
             sessions",
            strategy.len()
        ));
    }
    // The client holds both tickets: the IDs the store keeps them under.
    let ticket = world.take_ticket()?;
    let spare = world.take_ticket()?;
    let mut expected = 0;
    for id in [&ticket.ticket, &spare.ticket] {
        let session = strategy
            .look_up(id, world.server_now)
            .map_err(|why| format!("your store cannot find a session it holds: {why:?}"))?;
        let encoded = session
            .encode()
            .map_err(|e| format!("cannot encode a session: {e}"))?;
        expected += id.len() + encoded.len();
    }
    if strategy.len() != 2 {
        return Err(format!(
            "after the server looked both sessions up (as it does before it checks a \
             binder), your store holds {}: `get` must leave a session in place",
            strategy.len()
        ));
    }
    let bytes = strategy.bytes_held();
    if bytes != expected {
        return Err(format!(
            "your store says it holds {bytes} bytes for two sessions, but their IDs and \
             encoded sessions (`Session::encode`) take {expected}"
        ));
    }

    // Someone copies the ID off the wire and offers it with a binder they
    // cannot compute: the server must refuse, and the ticket must survive.
    world.offer(ticket.clone());
    let (mut pair, _) = world.pair();
    let mut flight = Vec::new();
    pair.client.transmit(&mut flight);
    let last = flight.len() - 1;
    flight[last] ^= 1;
    let forged = pair.server.receive(&flight).err().and_then(|e| e.alert());
    if forged != Some(AlertDescription::DecryptError) {
        return Err(format!(
            "a forged binder was answered with {forged:?}, not decrypt_error (a bug in the check)"
        ));
    }

    // The real client now resumes with it: `get` must have left it in place.
    world.offer(ticket.clone());
    let first = world.connect();
    if !first.resumed() {
        return Err(
            "the client could not resume with its ticket after someone offered it with a \
             forged binder: does your `get` remove the session? Only `remove` may, once the \
             binder has verified"
                .into(),
        );
    }

    // The same ticket again (a replay): a full handshake, not an error.
    world.offer(ticket.clone());
    let second = world.connect();
    second
        .outcome
        .as_ref()
        .map_err(|e| format!("the second use of a ticket must fall back, but failed: {e}"))?;
    if second.resumed() {
        return Err(
            "the server resumed the same ticket twice: `remove` must take the session out \
             of your store"
                .into(),
        );
    }

    // Two handshakes racing for one ticket: only the first `take` (which
    // calls your `remove`) may succeed. The spare ticket is still stored.
    if strategy.take(&spare.ticket).is_err() {
        return Err("`remove` refused a session your store holds".into());
    }
    if strategy.take(&spare.ticket).is_ok() {
        return Err("`remove` answered Ok for a session it had already removed".into());
    }
    Ok(())
}
