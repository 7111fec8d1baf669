//! minitls: a TLS 1.3 client and server written to be read.
//!
//! minitls speaks exactly one configuration of TLS 1.3 (RFC 8446):
//! TLS_CHACHA20_POLY1305_SHA256, X25519 and Ed25519, with X.509
//! certificates parsed and validated by its own DER code. Every byte of the
//! protocol is built and parsed here; every cryptographic primitive comes
//! from a vetted crate (see [`crypto`]).
//!
//! The modules, in reading order:
//!
//! | module | what it is | RFC 8446 |
//! |---|---|---|
//! | [`codec`] | the presentation language: integers, vectors, named fields, spans | §3 |
//! | [`error`] | typed errors and the one error → alert table | §6 |
//! | [`crypto`] | named wrappers over the primitive crates | (RFC 5869, 7748, 8032, 8439) |
//! | [`record`] | records: framing, protection, nonces, padding | §5 |
//! | [`messages`] | one file per handshake message, plus extensions and alerts | §4, §6 |
//! | [`transcript`] | the running transcript hash, with HelloRetryRequest's message_hash | §4.4.1 |
//! | [`key_schedule`] | HKDF-Expand-Label, Derive-Secret, every secret of the handshake | §7.1, §7.3 |
//! | [`pki`] | DER, X.509, chain validation, PEM, a tiny CA | (RFC 5280, 8410) |
//! | [`resumption`] | sessions (with the client they authenticated), the stateful store and the stateless ticketer (with its 0-RTT strike register), the client cache | §2.2, §4.6.1, §4.2.11, §8 |
//! | [`time`] | the injected clock: `UnixTime`, `Clock` | |
//! | [`config`] | client and server configuration; injected RNG and clock | |
//! | [`handshake`] | the steps both sides share: keys, Finished, binders, X25519, KeyUpdate | §4, §7 |
//! | [`client`] | the client state machine | Appendix A.1 |
//! | [`server`] | the server state machine, client certificates (mutual TLS) included | Appendix A.2, §4.3.2 |
//! | [`connection`] | the sans-I/O API: receive, transmit, send, poll_event | |
//! | [`trace`] | the event stream every teaching surface consumes | |
//! | [`keylog`] | NSS key log lines for Wireshark, from trace events | |
//! | [`explain`] | every record, message, secret and state change, annotated | |
//! | [`stream`] | a blocking Read/Write wrapper over any transport | |
//!
//! One more module, `testing`, exists only with the `insecure-testing`
//! feature: a seeded (so predictable) RNG, a fixed clock, an in-memory
//! client/server pair and a temp dir, for the tests, examples, benches and
//! fuzz targets. It is never for a connection to a real peer.
#![forbid(unsafe_code)]
// Every public item says what it is: the API docs are a reading surface too.
#![warn(missing_docs)]

// ANCHOR: primer_modules
pub mod client;
pub mod codec;
pub mod config;
pub mod connection;
pub mod crypto;
pub mod error;
pub mod explain;
pub mod handshake;
pub mod key_schedule;
pub mod keylog;
pub mod messages;
pub mod pki;
pub mod record;
pub mod resumption;
pub mod server;
pub mod stream;
#[cfg(any(test, feature = "insecure-testing"))]
pub mod testing;
pub mod time;
pub mod trace;
pub mod transcript;

pub use config::{ClientConfig, ServerConfig};
pub use connection::{AppEvent, Connection, Negotiated};
pub use error::{AlertDescription, Error};
// ANCHOR_END: primer_modules
