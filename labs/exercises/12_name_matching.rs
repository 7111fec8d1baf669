//! Exercise 12: does a certificate name match the server the client asked
//! for? (book chapter "Certificate validation", section "Matching the
//! server name"; RFC 9525 §6.3.)
//!
//! The client asked for a *reference identifier* (`www.example.com`); a
//! certificate's subjectAltName holds *presented identifiers*. Write
//! [`name_matches`] with the rules the chapter lists:
//!
//! - compare case-insensitively (ASCII); one trailing dot on either side
//!   is ignored; an empty name matches nothing;
//! - `*` may stand for exactly one whole, non-empty label, and only as the
//!   entire left-most label: `*.example.com` matches `a.example.com`, but
//!   not `example.com` nor `a.b.example.com`;
//! - anything else with a `*` in it (`w*.example.com`, `www.*.com`)
//!   matches nothing, and neither does a wildcard over a single label
//!   (`*.com`: minitls's own rule).
//!
//! The check compares your answers with minitls's `dns_name_matches`, and
//! for each case runs a real handshake: a server whose certificate
//! presents that name, and a client that asks for the reference name.
//! Your `true` must be a handshake that completes.
//!
//! Check it: `cargo run -p labs -- check 12`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// Whether a certificate presenting the DNS name `presented` is a
/// certificate for `reference`.
pub fn name_matches(presented: &str, reference: &str) -> bool {
    todo!("trailing dots, case, and the one wildcard form RFC 9525 §6.3 allows")
}
