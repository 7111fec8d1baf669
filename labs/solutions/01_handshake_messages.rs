//! Exercise 01, reference solution: the messages of a full handshake, in
//! order, as the client's trace reports them (RFC 8446 §2).

use minitls::testing::{Pair, Side};
use minitls::trace::{NoObserver, RecordedEvent, Recorder};

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
    // The Recorder is shared: the connection owns one handle, we read the
    // events through the other.
    let recorder = Recorder::default();
    let mut pair = Pair::deterministic(Box::new(recorder.clone()), Box::new(NoObserver));
    pair.drive().expect("the in-memory handshake completes");

    recorder
        .events()
        .into_iter()
        .filter_map(|event| match event {
            RecordedEvent::MessageSent(name, bytes) => Some(Message {
                from: Side::Client,
                name,
                len: bytes.len(),
            }),
            RecordedEvent::MessageReceived(name, bytes) => Some(Message {
                from: Side::Server,
                name,
                len: bytes.len(),
            }),
            _ => None,
        })
        .collect()
}
