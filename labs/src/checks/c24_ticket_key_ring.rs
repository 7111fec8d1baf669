//! Check of exercise 24 (a ring of ticket keys) against minitls's
//! `Ticketer` reading the same key file: tickets it seals must open (or
//! not) in the student's ring exactly as in the server's, and tickets the
//! student seals must open in the server.

use minitls::config::UnixTime;
use minitls::key_schedule::Secret;
use minitls::resumption::ticket_keys::TicketKeys;
use minitls::resumption::ticketer::Ticketer;
use minitls::resumption::{Rejection, ResumptionStrategy, Session};
use minitls::testing::{FIXED_NOW, SeededRng};

use super::same;
use crate::e24_ticket_key_ring::{TicketKey, open, seal};

/// Holds `seal` and `open` to a minitls `Ticketer` over rotated key files.
pub fn check() -> Result<(), String> {
    let mut rng = SeededRng::new(24);
    let session = session();
    let encoded = session
        .encode()
        .map_err(|e| format!("cannot encode a session: {e}"))?;

    // Day 1: one key. The server seals a ticket; your ring opens it.
    let day1 = TicketKeys::generate(&mut rng, FIXED_NOW);
    let old_ticket = Ticketer::from_keys(&day1)
        .issue(&session, &mut rng, FIXED_NOW)
        .ok_or("the Ticketer issued no ticket")?;
    let opened = open(&ring(&day1)?, &old_ticket)
        .ok_or("your ring does not open a ticket the server sealed with its only key")?;
    same("the session inside the server's ticket", &opened, &encoded)?;

    // Day 2: rotated, keeping two. Yesterday's ticket still opens.
    let day2 = day1.rotated(&mut rng, FIXED_NOW, 2);
    if open(&ring(&day2)?, &old_ticket).is_none() {
        return Err(
            "after a rotation that keeps the old key, your ring no longer opens a ticket \
             that key sealed: every listed key opens"
                .into(),
        );
    }

    // Your seal uses the newest key, and the server opens your ticket.
    let yours = seal(&ring(&day2)?, &encoded, [0x24; 12]);
    if yours.get(..4) != Some(day2.key_ids()[0].as_slice()) {
        return Err(
            "your ticket does not start with the newest key's id: the first key seals".into(),
        );
    }
    let server_opened = Ticketer::from_keys(&day2)
        .look_up(&yours, FIXED_NOW)
        .map_err(|why| format!("a minitls server refused your ticket: {}", why.reason()))?;
    if server_opened != session {
        return Err("a minitls server opened your ticket to a different session".into());
    }
    // A server still on yesterday's file does not know your key.
    if Ticketer::from_keys(&day1).look_up(&yours, FIXED_NOW) != Err(Rejection::UnknownKey) {
        return Err(
            "a server without the newest key accepted your ticket (a bug in the check)".into(),
        );
    }

    // Day 3: rotated, keeping one. Day 1's key is gone: the server refuses
    // its ticket, and so must you.
    let day3 = day2.rotated(&mut rng, FIXED_NOW, 1);
    let server_says = Ticketer::from_keys(&day3).look_up(&old_ticket, FIXED_NOW);
    if server_says.is_ok() || open(&ring(&day3)?, &old_ticket).is_some() {
        return Err(format!(
            "a ticket under a key no longer listed: the server says {:?}, your ring opened it",
            server_says.err()
        ));
    }

    // Tampering: one flipped bit anywhere, and nothing opens.
    let ring2 = ring(&day2)?;
    for at in [0, 5, 20, yours.len() - 1] {
        let mut tampered = yours.clone();
        tampered[at] ^= 1;
        if open(&ring2, &tampered).is_some() {
            return Err(format!(
                "your ring opened a ticket with byte {at} altered: the AEAD tag covers the \
                 sealed session and, as additional data, the key id"
            ));
        }
    }
    // Too short to hold a key id, a nonce and a tag: refused, not a panic.
    if open(&ring2, &yours[..4 + 12 + 15]).is_some() {
        return Err("your ring opened a ticket too short to hold a tag".into());
    }
    Ok(())
}

/// The keys of a key file, newest first, read from the file's text (the
/// format `minitls ticket-keys` writes).
fn ring(keys: &TicketKeys) -> Result<Vec<TicketKey>, String> {
    keys.to_text()
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let mut fields = line.split_whitespace();
            let id = fields.next().and_then(|f| hex::decode(f).ok());
            let secret = fields.next().and_then(|f| hex::decode(f).ok());
            match (id, secret) {
                (Some(id), Some(secret)) => Ok(TicketKey {
                    id: id.try_into().map_err(|_| "a key id of the wrong length")?,
                    secret: secret.try_into().map_err(|_| "a key of the wrong length")?,
                }),
                _ => Err(format!("cannot read the key file line {line:?}")),
            }
        })
        .collect()
}

/// A session like the ones a server seals.
fn session() -> Session {
    Session {
        cipher_suite: 0x1303,
        psk: Secret::from_bytes([0x5e; 32]),
        created_at: UnixTime(FIXED_NOW.0),
        ticket_lifetime: 7200,
        ticket_age_add: 0x2424_2424,
        server_name: "localhost".into(),
        peer_identity: Vec::new(),
        max_early_data_size: 0,
        alpn_protocol: Vec::new(),
    }
}
