//! Exercise 19: how to tell that a ClientHello tries to resume (book
//! chapter "Session IDs and tickets, from TLS 1.2 to TLS 1.3"; RFC 8446
//! §4.1.2, §4.2.11, Appendix D.4).
//!
//! In TLS 1.2 a client that wanted its old session back put the session's
//! ID in `session_id`. The body below still thinks so. Run the check and
//! see it fail: a TLS 1.3 client fills `legacy_session_id` on every
//! connection in middlebox compatibility mode, and offers a session only
//! in the `pre_shared_key` extension (type 41).
//!
//! Fix [`offers_resumption`]: walk the ClientHello (RFC 8446 §4.1.2) to its
//! extensions and say whether one of them is `pre_shared_key`. The bytes
//! are the whole handshake message: a 4-byte header (type, 3-byte
//! length), then `legacy_version` (2 bytes), `random` (32),
//! `legacy_session_id<0..32>` (1-byte length), `cipher_suites<2..2^16-2>`
//! (2-byte length), `legacy_compression_methods<1..2^8-1>` (1-byte length)
//! and `extensions` (2-byte length), each extension a 2-byte type, a
//! 2-byte length and its data.
//!
//! The check gives you the real ClientHellos of full and resumed handshakes
//! between a minitls client and server, with and without middlebox
//! compatibility, and of a resumption the server refuses; it compares your
//! answer with what minitls's own parser finds in each.
//!
//! Check it: `cargo run -p labs -- check 19`

/// Whether this ClientHello (handshake header included) offers a session
/// to resume.
pub fn offers_resumption(client_hello: &[u8]) -> bool {
    // TLS 1.2's habit: a client resuming a session sends its ID here.
    let legacy_session_id_len = client_hello[4 + 2 + 32];
    legacy_session_id_len > 0
}
