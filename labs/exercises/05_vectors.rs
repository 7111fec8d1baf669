//! Exercise 05: reading a `<floor..ceiling>` vector (book chapter "The
//! presentation language and our codec"; RFC 8446 §3.4, §6.2).
//!
//! In RFC 8446's notation, `opaque legacy_session_id<0..32>;` is a vector:
//! a length, then that many bytes. The length field is as wide as needed
//! to hold the ceiling (one byte for `<0..32>`, two for `<2..2^16-2>`,
//! three for `<0..2^24-1>`), big-endian. A length outside
//! `floor..=ceiling`, or longer than the bytes that follow, makes the
//! message malformed: a `decode_error`.
//!
//! Write [`read_vector`]: read one vector from the front of `input`, with
//! a `length_bytes`-wide length (1, 2 or 3) and the given bounds, and
//! return its contents and the bytes after it; `None` when the vector is
//! malformed.
//!
//! The check compares your function with minitls's `codec::Reader` on a
//! few hundred inputs, walks the vectors of a real ClientHello with it,
//! and shows that each ClientHello your function rejects (a 33-byte
//! session id, an empty cipher_suites) a real minitls server refuses with
//! decode_error.
//!
//! Check it: `cargo run -p labs -- check 05`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// One vector `<floor..ceiling>` with a `length_bytes`-wide length at the
/// front of `input`: `Some((contents, rest))`, or `None` when malformed.
pub fn read_vector(
    input: &[u8],
    length_bytes: usize,
    floor: usize,
    ceiling: usize,
) -> Option<(&[u8], &[u8])> {
    todo!("read the length, check it, split off the contents (RFC 8446 §3.4)")
}
