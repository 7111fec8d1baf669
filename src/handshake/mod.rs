//! The handshake layer: what both state machines do, in one place.
//!
//! Below this layer are the messages (`messages`), the key schedule
//! (`key_schedule`), the transcript and the record layer; above it are the
//! two state machines, `client` and `server`, which hold only the
//! transitions of RFC 8446 Appendix A, and above them `connection`, which
//! feeds them records. Every arrow between those modules points down:
//!
//! ```text
//!   connection      bytes in and out, records, reassembly
//!        |
//!   client, server  the Appendix A transitions
//!        |
//!   handshake       this layer: the steps both sides take
//!        |
//!   messages, key_schedule, transcript, record, pki, resumption, crypto
//! ```
//!
//! | module | the step | RFC 8446 |
//! |---|---|---|
//! | [`context`] | what a handler may do: send a message, install keys, report events; and what it settled ([`Negotiated`]) | §4, §5 |
//! | [`key_exchange`] | an X25519 share, and the shared secret from the peer's | §4.2.8, §7.4.2 |
//! | [`keys`] | deriving the handshake and the application secrets, each reported under its own label | §7.1 |
//! | [`finished`] | building and checking a Finished, and the proof that the peer's was checked | §4.4.4 |
//! | [`psk`] | the PSK binder and the PSK modes | §4.2.9, §4.2.11.2 |
//! | [`traffic`] | the application secrets of a connected endpoint: answering a KeyUpdate, and starting one | §4.6.3, §7.2 |

pub mod context;
pub mod finished;
pub mod key_exchange;
pub mod keys;
pub mod psk;
pub mod traffic;

pub use context::{AppEvent, Negotiated};
