//! Exercise 27: the next generation of a traffic secret (book chapter
//! "KeyUpdate: new keys on a long connection"; RFC 8446 §7.2).
//!
//! After a KeyUpdate, the sender's next application traffic secret comes
//! from its current one alone (RFC 8446 §7.2):
//!
//! ```text
//! application_traffic_secret_N+1 =
//!     HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
//! ```
//!
//! Write [`next_traffic_secret`]. `minitls::key_schedule::hkdf_expand_label`
//! is the HKDF-Expand-Label you wrote the label of in exercise 09.
//!
//! The check runs a real minitls connection, reads generation 0 of each
//! direction's secret off the trace, has the client call
//! `Connection::update_keys(true)` (so the server updates too) and the
//! server update once more, and compares your generations 1 and 2 with
//! the ones the connection derived. Then the client's next record must
//! open under keys from your generation 1, at sequence number 0.
//!
//! Check it: `cargo run -p labs -- check 27`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// application_traffic_secret_N+1 from application_traffic_secret_N
/// (RFC 8446 §7.2).
pub fn next_traffic_secret(current: &[u8; 32]) -> [u8; 32] {
    todo!("HKDF-Expand-Label(current, \"traffic upd\", \"\", 32)")
}
