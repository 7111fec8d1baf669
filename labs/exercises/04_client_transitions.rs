//! Exercise 04: the client's state machine as a function (book chapter
//! "State machines, drawn from the code"; RFC 8446 Appendix A.1).
//!
//! RFC 8446 Appendix A.1 draws the client as states (START, WAIT_SH,
//! WAIT_EE, WAIT_CERT_CR, WAIT_CERT, WAIT_CV, WAIT_FINISHED, CONNECTED)
//! joined by arrows, each labelled with the message that must arrive.
//!
//! Write [`next_state`]: given the client's state and the handshake
//! message that just arrived (by minitls's name: "ServerHello",
//! "HelloRetryRequest", "EncryptedExtensions", "CertificateRequest",
//! "Certificate", "CertificateVerify", "Finished", "NewSessionTicket",
//! "KeyUpdate", or "ClientHello"), the state the client moves to, or
//! `None` when the message is not allowed there (minitls then answers
//! `unexpected_message`). `using_psk` says whether the server accepted a
//! pre-shared key: only one arrow depends on it.
//!
//! The check compares your function with every arrow of
//! `minitls::client::CLIENT_TRANSITIONS` (and with `None` everywhere else),
//! then replays two real handshakes (a full one and a resumed one) and
//! checks each state change the client made.
//!
//! Check it: `cargo run -p labs -- check 04`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// The client's next state after `message` arrives in `state`, or `None`
/// when `message` is unexpected there.
pub fn next_state(state: &str, message: &str, using_psk: bool) -> Option<&'static str> {
    todo!("RFC 8446 Appendix A.1, one match arm per arrow")
}
