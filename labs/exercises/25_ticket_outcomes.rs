//! Exercise 25: what a server does with a ticket it cannot use (book
//! chapter "Common misconceptions about resumption"; RFC 8446 §4.2.11,
//! §4.6.1, §6.2, §8.1).
//!
//! A common belief: "if the server cannot use my ticket, the handshake
//! fails". The body below encodes it. Run the check: a real minitls server
//! disagrees on most cases.
//!
//! Fix [`predict`]: for each [`Case`], say what a minitls server does when
//! the client offers that ticket: resume, fall back to a full handshake
//! (the client is authenticated by nothing new, the server by its
//! certificate again), or abort with an alert. Read RFC 8446 §4.2.11 ("If
//! the server declines…" and "If this value does not validate…") and §6.2
//! (decrypt_error) before you answer.
//!
//! The check plays each case with a real minitls client and server and
//! compares your prediction with what happened.
//!
//! Check it: `cargo run -p labs -- check 25`

use minitls::AlertDescription;

/// A ticket the client offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// A ticket the server issued a moment ago, offered for the first time.
    Fresh,
    /// A stateful server's ticket offered a second time (a replay).
    SecondUse,
    /// A stateful server restarted and lost its store.
    ServerForgot,
    /// The ticket's lifetime has passed on the server's clock (the client's
    /// clock thinks it is still valid).
    Expired,
    /// A stateless ticket altered on its way: it no longer decrypts.
    Corrupted,
    /// A genuine ticket offered with a binder that does not verify (its
    /// sender does not know the PSK).
    WrongBinder,
}

/// What the server does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It accepts the PSK: no Certificate, no CertificateVerify.
    Resumed,
    /// It ignores the offer and runs a full handshake.
    FullHandshake,
    /// It aborts the handshake with this alert.
    Alert(AlertDescription),
}

/// What a minitls server does when the client offers the ticket of `case`.
pub fn predict(case: Case) -> Outcome {
    // The belief to test: any ticket the server cannot use ends the
    // connection.
    match case {
        Case::Fresh => Outcome::Resumed,
        _ => Outcome::Alert(AlertDescription::HandshakeFailure),
    }
}
