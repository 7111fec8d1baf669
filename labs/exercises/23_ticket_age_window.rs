//! Exercise 23: the ticket age window (book chapter "Trade-offs: what each
//! strategy costs and risks"; RFC 8446 §4.2.11.1, §8.3).
//!
//! A client that offers a ticket also says how old it thinks the ticket
//! is, in milliseconds, hidden by adding the ticket's `ticket_age_add`
//! modulo 2^32: `obfuscated_ticket_age`. The server knows when it issued
//! the ticket, so it can compare the client's age with its own. A large
//! difference means the ClientHello was recorded and is being sent again
//! later, or the clocks disagree. RFC 8446 §8.3 describes this check for
//! 0-RTT, with windows "on the order of ten seconds", and asks only that
//! early data be rejected on a mismatch. minitls, which has no 0-RTT, is
//! stricter: it refuses the ticket itself (a full handshake, not an error)
//! when the two ages differ by more than `tolerance_ms`.
//!
//! Write [`ticket_age_is_fresh`]: undo the obfuscation (mind the modulo:
//! `u32::wrapping_sub`), compute the server's age of the ticket from
//! `issued_at` and `now` (`UnixTime.0` is in milliseconds), and accept when
//! the two differ by at most `tolerance_ms`.
//!
//! The check runs real resumptions between a minitls client and server
//! whose clocks it sets apart (the client's clock slow, fast, or both
//! moved on), and compares your answer, computed from the values on the
//! wire and in the server's session, with whether the server resumed.
//!
//! Check it: `cargo run -p labs -- check 23`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

use minitls::config::UnixTime;

/// Whether a server whose session was issued at `issued_at` with
/// `ticket_age_add` accepts `obfuscated_ticket_age` at `now`.
pub fn ticket_age_is_fresh(
    obfuscated_ticket_age: u32,
    ticket_age_add: u32,
    issued_at: UnixTime,
    now: UnixTime,
    tolerance_ms: u64,
) -> bool {
    todo!("the client's age, the server's age, and the difference between them")
}
