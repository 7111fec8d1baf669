//! Exercise 15: TLSInnerPlaintext, the plaintext inside every protected
//! record (book chapter "Application data and closing"; RFC 8446 §5.2
//! and §5.4).
//!
//! ```text
//! struct {
//!     opaque content[TLSPlaintext.length];
//!     ContentType type;
//!     uint8 zeros[length_of_padding];
//! } TLSInnerPlaintext;
//! ```
//!
//! The real content type travels encrypted, after the content; any
//! number of zero bytes may follow it, to hide the content's length. A
//! receiver finds the type by scanning from the end for the first byte
//! that is not zero; if every byte is zero, the record has no type and
//! the receiver must fail with unexpected_message (RFC 8446 §5.4).
//!
//! Write [`inner_plaintext`] (build one) and [`strip_inner_plaintext`]
//! (take one apart: `None` when there is no content type).
//!
//! The check decrypts records minitls made (with and without padding)
//! and compares the plaintext with yours; compares your stripping with
//! minitls's record layer on the same bytes; opens a real client's
//! application data record; and seals your padded plaintext into a
//! record that a real minitls server must accept.
//!
//! Check it: `cargo run -p labs -- check 15`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// TLSInnerPlaintext: `content`, then `content_type`, then `padding` zeros.
pub fn inner_plaintext(content_type: u8, content: &[u8], padding: usize) -> Vec<u8> {
    todo!("content || type || zeros (RFC 8446 §5.2)")
}

/// The content type and the content of a TLSInnerPlaintext; `None` when
/// it holds no non-zero byte.
pub fn strip_inner_plaintext(inner: &[u8]) -> Option<(u8, &[u8])> {
    todo!("the type is the last non-zero byte (RFC 8446 §5.4)")
}
