//! Exercise 01: the messages of a full handshake, in order (book chapter
//! "Introduction: how to read this book"; RFC 8446 §2).
//!
//! minitls is sans-I/O: a `Connection` takes bytes in and gives bytes out,
//! and `minitls::testing::Pair` carries them between a client and a server
//! in memory. Every connection reports what it does to an observer; a
//! `minitls::trace::Recorder` keeps those events.
//!
//! Write [`handshake_messages`]: start `Pair::deterministic` with a
//! `Recorder` as the client's observer (`NoObserver` for the server), drive
//! the pair until it is quiet, and return every handshake message the
//! client sent (`RecordedEvent::MessageSent`) or received
//! (`RecordedEvent::MessageReceived`), in order, with its length in bytes.
//!
//! The check compares your list with the golden transcript of the same
//! handshake, `tests/snapshots/transcripts__full_handshake.snap`, which
//! the crate's tests keep byte-for-byte stable.
//!
//! Check it: `cargo run -p labs -- check 01`

use minitls::testing::Side;

/// One handshake message, as the client saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Who sent it.
    pub from: Side,
    /// Its name as minitls gives it ("ClientHello", "Finished", …).
    pub name: &'static str,
    /// Its length in bytes, the 4-byte handshake header included.
    pub len: usize,
}

/// Every handshake message of `Pair::deterministic`'s full handshake, in
/// the order the client sent or received it.
pub fn handshake_messages() -> Vec<Message> {
    todo!("drive Pair::deterministic with a Recorder and list the messages")
}
