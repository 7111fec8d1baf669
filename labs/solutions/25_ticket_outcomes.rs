//! Exercise 25, reference solution: a ticket the server cannot use costs a
//! full handshake; only a binder that does not verify is an error (RFC
//! 8446 §4.2.11, §6.2).

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
    match case {
        Case::Fresh => Outcome::Resumed,
        // RFC 8446 §4.2.11: a server that cannot or will not use an offered
        // PSK simply does not select it; the ClientHello still carries a
        // key share, so the handshake goes on in full.
        Case::SecondUse | Case::ServerForgot | Case::Expired | Case::Corrupted => {
            Outcome::FullHandshake
        }
        // A PSK the server did select must have a valid binder, or the
        // server "MUST abort the handshake" (RFC 8446 §4.2.11); the alert
        // for a binder that fails is decrypt_error (§6.2).
        Case::WrongBinder => Outcome::Alert(AlertDescription::DecryptError),
    }
}
