//! Exercise 06: cutting a byte stream into records (book chapter
//! "Records"; RFC 8446 §5.1, §5.2).
//!
//! TCP delivers a stream of bytes, not messages. TLS cuts it into records,
//! each a 5-byte header and a fragment:
//!
//! ```text
//! struct {
//!     ContentType type;                  // 1 byte
//!     ProtocolVersion legacy_record_version; // 2 bytes
//!     uint16 length;                     // 2 bytes, big-endian
//!     opaque fragment[TLSPlaintext.length];
//! } TLSPlaintext;
//! ```
//!
//! Write [`split_records`]: every whole record at the front of `stream`,
//! in order, and the bytes left over (a record not yet complete: more
//! must arrive). RFC 8446 §5.2: a record's length "MUST NOT exceed 2^14 +
//! 256 bytes"; a receiver that sees a longer one ends the connection with
//! record_overflow: return `Err(TooLong)` as soon as such a header is
//! complete, without waiting for its body.
//!
//! The check records a real handshake between minitls peers and compares
//! your records with those of minitls's own `record::Deframer`, on each
//! flight whole and cut at every byte; then it feeds both a header that
//! says 2^14 + 257.
//!
//! Check it: `cargo run -p labs -- check 06`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// One record as it travelled: the header's fields and the fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// `ContentType type`: 22 handshake, 23 application_data, 21 alert,
    /// 20 change_cipher_spec.
    pub content_type: u8,
    /// `ProtocolVersion legacy_record_version`.
    pub legacy_record_version: u16,
    /// The `length` bytes after the header.
    pub fragment: Vec<u8>,
}

/// A header announced a record longer than 2^14 + 256 bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct TooLong;

/// The whole records at the front of `stream`, and what is left after
/// them.
pub fn split_records(stream: &[u8]) -> Result<(Vec<Record>, &[u8]), TooLong> {
    todo!("read 5-byte headers, check the length, cut the fragments (RFC 8446 §5.1)")
}
