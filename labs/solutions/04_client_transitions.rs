//! Exercise 04, reference solution: the client's state machine of RFC 8446
//! Appendix A.1 as a function. minitls's own machine is the `ClientState`
//! enum of `src/client.rs`, one function per arrow.

/// The client's next state after `message` arrives in `state`, or `None`
/// when `message` is unexpected there.
pub fn next_state(state: &str, message: &str, using_psk: bool) -> Option<&'static str> {
    let next = match (state, message) {
        // A HelloRetryRequest sends the client back to START, to send a
        // second ClientHello (RFC 8446 §4.1.4).
        ("WAIT_SH", "HelloRetryRequest") => "START",
        ("WAIT_SH", "ServerHello") => "WAIT_EE",
        // "Using PSK": the server does not authenticate with a
        // certificate, so the client waits for its Finished directly.
        ("WAIT_EE", "EncryptedExtensions") if using_psk => "WAIT_FINISHED",
        ("WAIT_EE", "EncryptedExtensions") => "WAIT_CERT_CR",
        ("WAIT_CERT_CR", "CertificateRequest") => "WAIT_CERT",
        ("WAIT_CERT_CR", "Certificate") | ("WAIT_CERT", "Certificate") => "WAIT_CV",
        ("WAIT_CV", "CertificateVerify") => "WAIT_FINISHED",
        ("WAIT_FINISHED", "Finished") => "CONNECTED",
        // Post-handshake messages leave the client where it is.
        ("CONNECTED", "NewSessionTicket") | ("CONNECTED", "KeyUpdate") => "CONNECTED",
        _ => return None,
    };
    Some(next)
}
