//! Exercise 23, reference solution: the ticket age window (RFC 8446
//! §4.2.11.1, §8.3). minitls's own check is in `server.rs`,
//! `check_session`.

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
    // RFC 8446 §4.2.11.1: the client added ticket_age_add modulo 2^32, so
    // subtract it the same way; a plain subtraction would overflow
    // whenever the client's addition wrapped.
    let client_age = u64::from(obfuscated_ticket_age.wrapping_sub(ticket_age_add));
    // A clock that went backwards gives an age of zero, not a panic.
    let server_age = now.0.saturating_sub(issued_at.0);
    // Too young is as suspicious as too old: RFC 8446 §8.3 compares the
    // two in both directions. Refusing the whole ticket, not only early
    // data, is minitls's policy.
    client_age.abs_diff(server_age) <= tolerance_ms
}
