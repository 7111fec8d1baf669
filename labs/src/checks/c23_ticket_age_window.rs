//! Check of exercise 23 (the ticket age window) with real resumptions: a
//! minitls client and server whose clocks the check sets apart, one ticket
//! offered each time, and the server's verdict as the authority.

use std::sync::Arc;

use minitls::config::{ServerConfig, UnixTime};
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::ticketer::Ticketer;
use minitls::testing::FIXED_NOW;

use super::world::World;
use crate::e23_ticket_age_window::ticket_age_is_fresh;

/// One resumption: how far each clock moved on after the ticket was
/// issued, in milliseconds, and how much the client's `ticket_age_add` is
/// off (a client that mangles it reports nonsense).
struct Case {
    what: &'static str,
    client_ms: u64,
    server_ms: u64,
    age_add_error: u32,
}

const CASES: &[Case] = &[
    Case {
        what: "both clocks agree, 4 s after the ticket",
        client_ms: 4_000,
        server_ms: 4_000,
        age_add_error: 0,
    },
    Case {
        what: "the client's clock is 8 s behind",
        client_ms: 60_000,
        server_ms: 68_000,
        age_add_error: 0,
    },
    Case {
        what: "the client's clock is 12 s behind (a ClientHello replayed 12 s later looks \
               the same)",
        client_ms: 60_000,
        server_ms: 72_000,
        age_add_error: 0,
    },
    Case {
        what: "the client's clock is 9.5 s ahead",
        client_ms: 19_500,
        server_ms: 10_000,
        age_add_error: 0,
    },
    Case {
        what: "the client's clock is 30 s ahead",
        client_ms: 30_000,
        server_ms: 0,
        age_add_error: 0,
    },
    Case {
        what: "the client adds the wrong ticket_age_add (its age wraps below zero)",
        client_ms: 1_000,
        server_ms: 1_000,
        age_add_error: 5_000,
    },
];

/// Holds `ticket_age_is_fresh` to a minitls server's decisions.
pub fn check() -> Result<(), String> {
    let ticketer = Arc::new(Ticketer::new(3600));
    let mut world = World::new(ticketer.clone());
    world
        .connect()
        .outcome
        .map_err(|e| format!("the full handshake failed: {e}"))?;
    let ticket = world.take_ticket()?;
    // The server's view of the session: the stateless ticket is the
    // session, so the server's own look-up reads it back.
    let session = ticketer
        .look_up(&ticket.ticket, FIXED_NOW)
        .map_err(|why| format!("the server cannot open its own ticket: {why:?}"))?;
    // The window a server config has unless told otherwise.
    let tolerance_ms = ServerConfig::new(Vec::new(), test_key()).ticket_age_tolerance_ms;

    for case in CASES {
        let mut offered = ticket.clone();
        offered.ticket_age_add = offered.ticket_age_add.wrapping_sub(case.age_add_error);
        world.client_now = later(case.client_ms);
        world.server_now = later(case.server_ms);
        let obfuscated = offered.obfuscated_ticket_age(world.client_now);
        world.offer(offered);
        let connected = world.connect();
        connected
            .outcome
            .as_ref()
            .map_err(|e| format!("{}: the handshake failed: {e}", case.what))?;
        let server_resumed = connected.resumed();

        let yours = ticket_age_is_fresh(
            obfuscated,
            session.ticket_age_add,
            session.created_at,
            world.server_now,
            tolerance_ms,
        );
        if yours != server_resumed {
            return Err(format!(
                "{}: obfuscated_ticket_age {obfuscated}, ticket_age_add {}, issued {} ms \
                 before now, tolerance {tolerance_ms} ms: you said {}, the server {}",
                case.what,
                session.ticket_age_add,
                world.server_now.0 - session.created_at.0,
                if yours { "fresh" } else { "stale" },
                if server_resumed {
                    "resumed"
                } else {
                    "refused the ticket"
                },
            ));
        }
    }
    Ok(())
}

/// `ms` milliseconds after the ticket was issued.
fn later(ms: u64) -> UnixTime {
    UnixTime(FIXED_NOW.0 + ms)
}

/// A signing key, only so a default `ServerConfig` can be built.
fn test_key() -> minitls::crypto::Ed25519PrivateKey {
    minitls::crypto::Ed25519PrivateKey::from_seed([7; 32])
}
