//! Check of exercise 25 (what a server does with a ticket it cannot use):
//! each case played with a real minitls client and server.

use std::sync::Arc;

use minitls::config::UnixTime;
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::ticketer::Ticketer;
use minitls::testing::FIXED_NOW;

use super::world::World;
use crate::e25_ticket_outcomes::{Case, Outcome, predict};

const CASES: [Case; 6] = [
    Case::Fresh,
    Case::SecondUse,
    Case::ServerForgot,
    Case::Expired,
    Case::Corrupted,
    Case::WrongBinder,
];

/// Holds `predict` to a minitls server, case by case.
pub fn check() -> Result<(), String> {
    for case in CASES {
        let happened = play(case)?;
        let yours = predict(case);
        if yours != happened {
            return Err(format!(
                "{case:?}: you predicted {yours:?}, but a minitls server's answer was \
                 {happened:?} (reread RFC 8446 §4.2.11: what does a server do with a PSK it \
                 cannot use, and what with a binder that does not validate?)"
            ));
        }
    }
    Ok(())
}

/// Plays `case`: a full handshake for a ticket, whatever the case does to
/// it, then the connection that offers it.
fn play(case: Case) -> Result<Outcome, String> {
    let stateful = || -> Arc<dyn ResumptionStrategy> { Arc::new(StatefulStrategy::in_memory(8)) };
    let strategy = match case {
        Case::Corrupted => Arc::new(Ticketer::new(3600)) as Arc<dyn ResumptionStrategy>,
        _ => stateful(),
    };
    let mut world = World::new(strategy);
    world
        .connect()
        .outcome
        .map_err(|e| format!("{case:?}: the full handshake failed: {e}"))?;
    let mut ticket = world.take_ticket()?;

    match case {
        Case::Fresh | Case::WrongBinder => {}
        Case::SecondUse => {
            world.offer(ticket.clone());
            if !world.connect().resumed() {
                return Err("the ticket's first use did not resume (a bug in the check)".into());
            }
        }
        Case::ServerForgot => world.strategy = stateful(),
        Case::Expired => {
            world.server_now =
                UnixTime(FIXED_NOW.0 + (u64::from(ticket.ticket_lifetime) + 1) * 1000);
        }
        Case::Corrupted => ticket.ticket[20] ^= 1,
    }
    world.offer(ticket);

    if case == Case::WrongBinder {
        let (mut pair, _) = world.pair();
        let mut flight = Vec::new();
        pair.client.transmit(&mut flight);
        let last = flight.len() - 1;
        flight[last] ^= 1;
        if let Err(e) = pair.server.receive(&flight) {
            return e
                .alert()
                .map(Outcome::Alert)
                .ok_or_else(|| format!("{case:?}: the server failed without an alert: {e}"));
        }
        pair.drive()
            .map_err(|e| format!("{case:?}: the handshake failed after the binder: {e}"))?;
        return Ok(if pair.server.negotiated().resumed {
            Outcome::Resumed
        } else {
            Outcome::FullHandshake
        });
    }
    let connected = world.connect();
    Ok(match &connected.outcome {
        Err(e) => match e.alert() {
            Some(alert) => Outcome::Alert(alert),
            None => {
                return Err(format!(
                    "{case:?}: the handshake failed without an alert: {e}"
                ));
            }
        },
        Ok(()) if connected.resumed() => Outcome::Resumed,
        Ok(()) => Outcome::FullHandshake,
    })
}
