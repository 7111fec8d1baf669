//! Exercise 06, reference solution: cutting a byte stream into records
//! (RFC 8446 §5.1, §5.2). minitls's own version is `record::Deframer`,
//! which also keeps the bytes between calls.

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

/// The largest `length` RFC 8446 §5.2 allows: 2^14 bytes of plaintext
/// plus 256 of expansion (the AEAD tag, the inner type, padding).
const MAX_LENGTH: usize = (1 << 14) + 256;

/// The whole records at the front of `stream`, and what is left after
/// them.
pub fn split_records(stream: &[u8]) -> Result<(Vec<Record>, &[u8]), TooLong> {
    let mut records = Vec::new();
    let mut rest = stream;
    while rest.len() >= 5 {
        let length = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        // Judged from the header alone: a peer that lies about the length
        // cannot make us buffer 64 KiB waiting for a body we would refuse.
        if length > MAX_LENGTH {
            return Err(TooLong);
        }
        if rest.len() < 5 + length {
            break;
        }
        records.push(Record {
            content_type: rest[0],
            legacy_record_version: u16::from_be_bytes([rest[1], rest[2]]),
            fragment: rest[5..5 + length].to_vec(),
        });
        rest = &rest[5 + length..];
    }
    Ok((records, rest))
}
