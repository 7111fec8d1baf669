//! Exercise 08, reference solution: recognising a HelloRetryRequest by its
//! random (RFC 8446 §4.1.3). minitls does the same in
//! `messages::server_hello` and decodes the two into different types.

/// The special `random` of a HelloRetryRequest: SHA-256 of
/// "HelloRetryRequest" (RFC 8446 §4.1.3).
const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// HandshakeType server_hello (RFC 8446 §4).
const SERVER_HELLO: u8 = 2;

/// Whether `message` is a HelloRetryRequest (`Some(true)`), another
/// ServerHello (`Some(false)`), or no ServerHello at all (`None`).
pub fn is_hello_retry_request(message: &[u8]) -> Option<bool> {
    // msg_type (1), length (3), legacy_version (2), then the random.
    let random = message.get(6..38)?;
    if message[0] != SERVER_HELLO {
        return None;
    }
    Some(random == HELLO_RETRY_REQUEST_RANDOM)
}
