//! The record layer (RFC 8446 §5): framing, protection, nonces and padding.
//!
//! Everything TLS sends travels in records:
//!
//! ```text
//! struct {
//!     ContentType type;
//!     ProtocolVersion legacy_record_version;
//!     uint16 length;
//!     opaque fragment[TLSPlaintext.length];
//! } TLSPlaintext;
//! ```
//!
//! Before keys exist, records carry their content in the clear. Once keys
//! are installed, every record is a `TLSCiphertext` whose outer type is
//! always `application_data` (23) and whose real type hides inside the
//! encryption, after the content (RFC 8446 §5.2):
//!
//! ```text
//! struct {
//!     opaque content[TLSPlaintext.length];
//!     ContentType type;
//!     uint8 zeros[length_of_padding];
//! } TLSInnerPlaintext;
//! ```
//!
//! The rules of this file:
//! - a received record longer than 2^14 + 256 bytes (protected) or 2^14
//!   (plaintext, or inner plaintext after decryption) is `record_overflow`
//!   (RFC 8446 §5.1, §5.2);
//! - the nonce of each record is the write IV XORed with the 64-bit record
//!   sequence number, which starts at 0 for each new key and is never
//!   sent (RFC 8446 §5.3); running out of sequence numbers would mean
//!   reusing a nonce, so it is refused;
//! - the additional data is the record header itself (RFC 8446 §5.2);
//! - padding is zeros after the inner type; the receiver finds the type as
//!   the last non-zero byte, and an inner plaintext of only zeros is
//!   `unexpected_message` (RFC 8446 §5.4).

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::crypto::{AEAD_TAG_LEN, Aead};

use crate::error::{Error, ProtocolVersion, UnexpectedRecord};

/// `enum { ... } ContentType;` (RFC 8446 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentType {
    /// `change_cipher_spec(20)`: in TLS 1.3 only the compatibility message of
    /// Appendix D.4, never protected.
    ChangeCipherSpec,
    /// `alert(21)`: an alert (RFC 8446 §6).
    Alert,
    /// `handshake(22)`: handshake messages (RFC 8446 §4).
    Handshake,
    /// `application_data(23)`: application data, and the outer type of every
    /// protected record (RFC 8446 §5.2).
    ApplicationData,
}

impl ContentType {
    /// The code point on the wire.
    pub fn to_u8(self) -> u8 {
        match self {
            ContentType::ChangeCipherSpec => 20,
            ContentType::Alert => 21,
            ContentType::Handshake => 22,
            ContentType::ApplicationData => 23,
        }
    }

    /// The content type with this code point, `None` for one TLS 1.3 does not
    /// define.
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            20 => Some(ContentType::ChangeCipherSpec),
            21 => Some(ContentType::Alert),
            22 => Some(ContentType::Handshake),
            23 => Some(ContentType::ApplicationData),
            _ => None,
        }
    }

    /// The RFC's name (`application_data`).
    pub fn name(self) -> &'static str {
        match self {
            ContentType::ChangeCipherSpec => "change_cipher_spec",
            ContentType::Alert => "alert",
            ContentType::Handshake => "handshake",
            ContentType::ApplicationData => "application_data",
        }
    }
}

/// The largest plaintext fragment, 2^14 bytes (RFC 8446 §5.1).
pub const MAX_PLAINTEXT: usize = 1 << 14;
/// The largest protected fragment, 2^14 + 256 bytes (RFC 8446 §5.2).
pub const MAX_CIPHERTEXT: usize = MAX_PLAINTEXT + 256;
/// The record header: type, legacy_record_version, length.
pub const HEADER_LEN: usize = 5;

/// One record as it came off the wire, before any decryption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpaqueRecord {
    /// The outer `type` byte, not yet trusted.
    pub content_type: u8,
    /// `ProtocolVersion legacy_record_version`: 0x0303 in everything we
    /// send, ignored on receipt (RFC 8446 §5.1).
    pub legacy_record_version: u16,
    /// `opaque fragment[TLSPlaintext.length]` or `encrypted_record`.
    pub fragment: Vec<u8>,
}

/// A record header: `ContentType type; ProtocolVersion
/// legacy_record_version; uint16 length;` (RFC 8446 §5.1).
pub fn record_header(
    content_type: u8,
    legacy_record_version: u16,
    length: u16,
) -> [u8; HEADER_LEN] {
    let v = legacy_record_version.to_be_bytes();
    let len = length.to_be_bytes();
    [content_type, v[0], v[1], len[0], len[1]]
}

impl OpaqueRecord {
    /// The 5-byte header: type, legacy_record_version, length. It is also the
    /// additional data of a protected record (RFC 8446 §5.2).
    pub fn header(&self) -> [u8; HEADER_LEN] {
        record_header(
            self.content_type,
            self.legacy_record_version,
            self.fragment.len() as u16,
        )
    }

    /// The record as sent: header, then fragment.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.fragment.len());
        out.extend_from_slice(&self.header());
        out.extend_from_slice(&self.fragment);
        out
    }
}

// ANCHOR: deframer_struct
/// Cuts a byte stream into records, whatever the chunking of the input.
///
/// Bytes are appended by [`Deframer::push`] and records taken from the
/// front by [`Deframer::pop`], which only moves a read cursor (or, when the
/// buffer holds exactly one record, hands the buffer itself over as the
/// fragment); the bytes already handed out are dropped once per batch by
/// [`Deframer::compact`].
/// Reading n one-byte records from one buffer is then O(n), where moving
/// the rest of the buffer down after each record would be O(n²). Every
/// header is judged as soon as its five bytes are here, so what is left
/// after a batch is less than one record: at most
/// `HEADER_LEN + MAX_CIPHERTEXT` bytes.
#[derive(Default)]
pub struct Deframer {
    buf: Vec<u8>,
    /// Bytes before this offset have been handed out as records.
    read: usize,
    /// Whether a record has been handed out: an SSL 2.0 ClientHello can
    /// only be the first thing a peer sends.
    started: bool,
}
// ANCHOR_END: deframer_struct

impl Deframer {
    /// Append bytes received from the peer.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes held and not yet handed out as records.
    pub fn len(&self) -> usize {
        self.buf.len() - self.read
    }

    /// Whether no bytes are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    // ANCHOR: deframer_compact
    /// Drop the bytes already handed out as records (once per batch).
    /// When none are left the buffer itself goes: an idle connection holds
    /// no receive buffer, where it would otherwise keep one as large as
    /// the largest batch it ever received (a 16 KiB record: 16 KiB for the
    /// connection's lifetime). A partial record keeps its buffer, so bytes
    /// that trickle in are not copied again at each push.
    pub fn compact(&mut self) {
        if self.read == self.buf.len() {
            self.buf = Vec::new();
        } else {
            self.buf.drain(..self.read);
        }
        self.read = 0;
    }
    // ANCHOR_END: deframer_compact

    /// Forget everything: the peer's input has ended (close_notify or a
    /// fatal error), and nothing after it will ever be read.
    pub fn clear(&mut self) {
        self.buf = Vec::new();
        self.read = 0;
    }

    // ANCHOR: deframer_pop_header
    /// The next whole record, `None` if more bytes are needed.
    pub fn pop(&mut self) -> Result<Option<OpaqueRecord>, Error> {
        let rest = &self.buf[self.read..];
        if rest.len() < HEADER_LEN {
            return Ok(None);
        }
        // An SSL 2.0 ClientHello (a two-byte length with the high bit set,
        // then msg_type 1) as the first thing received: a client that
        // speaks nothing we do. RFC 8446 only asks us to abort; minitls
        // answers protocol_version, which tells an old client what went
        // wrong (a policy choice). Later, it is just an unknown type.
        if !self.started && rest[0] & 0x80 != 0 && rest[2] == 1 {
            return Err(Error::ProtocolVersion(ProtocolVersion::Ssl2ClientHello));
        }
        // RFC 8446 §5: "If a TLS implementation receives an unexpected
        // record type, it MUST terminate the connection with an
        // unexpected_message alert." Known from the header alone: nothing
        // waits for a body that could never be used.
        if ContentType::from_u8(rest[0]).is_none() {
            return Err(Error::UnexpectedRecord(
                UnexpectedRecord::UnknownContentType,
            ));
        }
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        // RFC 8446 §5.2: "The length MUST NOT exceed 2^14 + 256 bytes. An
        // endpoint that receives a record that exceeds this length MUST
        // terminate the connection with a record_overflow alert." Checked
        // before waiting for the body, so a lying header cannot make us buffer.
        if len > MAX_CIPHERTEXT {
            return Err(Error::RecordOverflow);
        }
        // ANCHOR_END: deframer_pop_header
        // ANCHOR: deframer_pop_body
        if rest.len() < HEADER_LEN + len {
            return Ok(None);
        }
        let content_type = rest[0];
        let legacy_record_version = u16::from_be_bytes([rest[1], rest[2]]);
        let fragment = if self.read == 0 && rest.len() == HEADER_LEN + len {
            // The buffer holds exactly this record (the usual case): it
            // becomes the fragment, header dropped, rather than be copied.
            let mut buf = std::mem::take(&mut self.buf);
            buf.drain(..HEADER_LEN);
            buf
        } else {
            self.read += HEADER_LEN + len;
            rest[HEADER_LEN..HEADER_LEN + len].to_vec()
        };
        self.started = true;
        Ok(Some(OpaqueRecord {
            content_type,
            legacy_record_version,
            fragment,
        }))
    }
    // ANCHOR_END: deframer_pop_body
}

/// The record protection keys of one direction (RFC 8446 §7.3), derived
/// from a traffic secret by the key schedule.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct TrafficKeys {
    /// `[sender]_write_key` = HKDF-Expand-Label(Secret, "key", "", 32).
    pub key: [u8; 32],
    /// `[sender]_write_iv` = HKDF-Expand-Label(Secret, "iv", "", 12).
    pub iv: [u8; 12],
}

/// The AEAD key, IV and sequence number of one direction under one secret.
pub struct RecordProtection {
    aead: Aead,
    iv: [u8; 12],
    sequence_number: u64,
}

impl RecordProtection {
    /// Protection under `keys`, starting at sequence number 0 (RFC 8446 §5.3:
    /// each new key resets it).
    pub fn new(keys: &TrafficKeys) -> Self {
        RecordProtection {
            aead: Aead::new(keys.key),
            iv: keys.iv,
            sequence_number: 0,
        }
    }

    // ANCHOR: per_record_nonce
    /// RFC 8446 §5.3: the 64-bit sequence number, big-endian, left-padded
    /// with zeros to the IV's length, XORed with the static write IV.
    pub fn nonce(&self) -> [u8; 12] {
        let mut nonce = self.iv;
        for (n, s) in nonce[4..]
            .iter_mut()
            .zip(self.sequence_number.to_be_bytes())
        {
            *n ^= s;
        }
        nonce
    }
    // ANCHOR_END: per_record_nonce

    /// The sequence number of the next record (RFC 8446 §5.3).
    pub fn sequence_number(&self) -> u64 {
        self.sequence_number
    }

    fn advance(&mut self) -> Result<(), Error> {
        // RFC 8446 §5.3: a sequence number MUST NOT wrap; we would rather
        // stop than reuse a nonce.
        self.sequence_number = self
            .sequence_number
            .checked_add(1)
            .ok_or(Error::Internal("record sequence number exhausted"))?;
        Ok(())
    }

    // ANCHOR: encrypt_record
    /// Protect one record and append it to `out`: the header, then
    /// content || type || zeros, sealed in place with the header as
    /// additional data and followed by the tag. The outer type is always
    /// application_data.
    pub fn encrypt_into(
        &mut self,
        content_type: ContentType,
        content: &[u8],
        padding: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let length = (content.len() + 1 + padding + AEAD_TAG_LEN) as u16;
        let header = record_header(ContentType::ApplicationData.to_u8(), 0x0303, length);
        let start = out.len();
        out.extend_from_slice(&header);
        out.extend_from_slice(content);
        out.push(content_type.to_u8());
        out.resize(out.len() + padding, 0);
        let nonce = self.nonce();
        if let Err(e) = self.advance() {
            out.truncate(start);
            return Err(e);
        }
        let tag = self
            .aead
            .seal_in_place(&nonce, &header, &mut out[start + HEADER_LEN..]);
        out.extend_from_slice(&tag);
        Ok(())
    }
    // ANCHOR_END: encrypt_record

    /// [`RecordProtection::encrypt_into`], as a record of its own (for
    /// tests and exercises that build records one by one).
    pub fn encrypt(
        &mut self,
        content_type: ContentType,
        content: &[u8],
        padding: usize,
    ) -> Result<OpaqueRecord, Error> {
        let mut bytes = Vec::new();
        self.encrypt_into(content_type, content, padding, &mut bytes)?;
        Ok(OpaqueRecord {
            content_type: bytes[0],
            legacy_record_version: 0x0303,
            fragment: bytes.split_off(HEADER_LEN),
        })
    }

    // ANCHOR: decrypt_record
    /// Open one protected record and return its real content type and
    /// content, with the padding removed.
    pub fn decrypt(&mut self, record: OpaqueRecord) -> Result<(ContentType, Vec<u8>), Error> {
        let header = record.header();
        // Opened in place: the plaintext is the record's own buffer.
        let mut inner = record.fragment;
        self.aead
            .open(&self.nonce(), &header, &mut inner)
            .map_err(|_| Error::BadRecordMac)?;
        self.advance()?;
        // RFC 8446 §5.2: the inner plaintext MUST NOT exceed 2^14 + 1 bytes.
        if inner.len() > MAX_PLAINTEXT + 1 {
            return Err(Error::RecordOverflow);
        }
        // RFC 8446 §5.4: the type is the last non-zero byte; all zeros is
        // an unexpected_message.
        let Some(type_at) = inner.iter().rposition(|b| *b != 0) else {
            return Err(Error::UnexpectedRecord(
                UnexpectedRecord::NoInnerContentType,
            ));
        };
        let content_type = ContentType::from_u8(inner[type_at]).ok_or(Error::UnexpectedRecord(
            UnexpectedRecord::UnknownInnerContentType,
        ))?;
        inner.truncate(type_at);
        Ok((content_type, inner))
    }
    // ANCHOR_END: decrypt_record
}

/// Both directions' protection; `None` while a direction is in the clear.
#[derive(Default)]
pub struct RecordLayer {
    /// What decrypts the peer's records.
    pub read: Option<RecordProtection>,
    /// What encrypts our records.
    pub write: Option<RecordProtection>,
}

impl RecordLayer {
    /// Turn `content` into wire bytes appended to `out`: protected when
    /// write keys exist, split into fragments of at most 2^14 bytes. On an
    /// error nothing is appended.
    pub fn seal(
        &mut self,
        content_type: ContentType,
        content: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let start = out.len();
        // Room for every record at once: each adds a header and, when
        // protected, the inner type byte and the tag.
        let records = content.len().div_ceil(MAX_PLAINTEXT).max(1);
        let per_record = match self.write {
            Some(_) => HEADER_LEN + 1 + AEAD_TAG_LEN,
            None => HEADER_LEN,
        };
        out.reserve(content.len() + records * per_record);
        // An empty content still makes one record (an empty application_data
        // record is legal; RFC 8446 §5.1).
        let mut chunks = content.chunks(MAX_PLAINTEXT);
        let first = chunks.next().unwrap_or(&[]);
        for chunk in std::iter::once(first).chain(chunks) {
            let sealed = match self.write.as_mut() {
                Some(protection) => protection.encrypt_into(content_type, chunk, 0, out),
                None => {
                    let length = chunk.len() as u16;
                    out.extend_from_slice(&record_header(content_type.to_u8(), 0x0303, length));
                    out.extend_from_slice(chunk);
                    Ok(())
                }
            };
            if let Err(e) = sealed {
                out.truncate(start);
                return Err(e);
            }
        }
        Ok(())
    }
}

/// The records in `bytes`, which hold whole records one after another
/// (what [`RecordLayer::seal`] appended), each with its header.
pub fn whole_records(mut bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        let length = u16::from_be_bytes([*bytes.get(3)?, *bytes.get(4)?]) as usize;
        let (record, rest) = bytes.split_at_checked(HEADER_LEN + length)?;
        bytes = rest;
        Some(record)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TrafficKeys {
        TrafficKeys {
            key: [1; 32],
            iv: [2; 12],
        }
    }

    #[test]
    fn padding_is_stripped_and_type_recovered() {
        let mut tx = RecordProtection::new(&keys());
        let mut rx = RecordProtection::new(&keys());
        let rec = tx.encrypt(ContentType::Handshake, b"hello", 100).unwrap();
        assert_eq!(rec.fragment.len(), 5 + 1 + 100 + 16);
        assert_eq!(
            rx.decrypt(rec).unwrap(),
            (ContentType::Handshake, b"hello".to_vec())
        );
    }

    #[test]
    fn nonce_depends_on_sequence_number() {
        let mut tx = RecordProtection::new(&keys());
        let mut rx = RecordProtection::new(&keys());
        let first = tx.encrypt(ContentType::ApplicationData, b"a", 0).unwrap();
        let second = tx.encrypt(ContentType::ApplicationData, b"a", 0).unwrap();
        assert_ne!(first.fragment, second.fragment);
        // Out of order: the receiver expects sequence 0 first.
        assert_eq!(rx.decrypt(second), Err(Error::BadRecordMac));
    }

    #[test]
    fn all_zero_inner_plaintext_is_unexpected_message() {
        let mut tx = RecordProtection::new(&keys());
        let mut rx = RecordProtection::new(&keys());
        let mut rec = tx.encrypt(ContentType::Handshake, b"", 3).unwrap();
        // Re-seal by hand an inner plaintext of only zeros.
        let mut inner = vec![0u8; 4];
        let aead = Aead::new([1; 32]);
        rec.fragment = Vec::new();
        let len = ((inner.len() + AEAD_TAG_LEN) as u16).to_be_bytes();
        aead.seal(&[2; 12], &[23, 3, 3, len[0], len[1]], &mut inner);
        rec.fragment = inner;
        assert!(matches!(
            rx.decrypt(rec),
            Err(Error::UnexpectedRecord(
                UnexpectedRecord::NoInnerContentType
            ))
        ));
    }

    #[test]
    fn oversized_record_header_is_record_overflow() {
        let mut d = Deframer::default();
        d.push(&[23, 3, 3, 0x41, 0x01]);
        assert_eq!(d.pop(), Err(Error::RecordOverflow));
    }

    #[test]
    fn unknown_content_type_is_refused_from_the_header() {
        let mut d = Deframer::default();
        d.push(&[99, 3, 3, 0x40, 0x00]);
        assert!(matches!(
            d.pop(),
            Err(Error::UnexpectedRecord(
                UnexpectedRecord::UnknownContentType
            ))
        ));
        let mut d = Deframer::default();
        // An SSL 2.0 ClientHello: length 0x8031, msg_type 1, version 3.1.
        d.push(&[0x80, 0x31, 0x01, 0x03, 0x01]);
        assert!(matches!(
            d.pop(),
            Err(Error::ProtocolVersion(ProtocolVersion::Ssl2ClientHello))
        ));
        // The same bytes after a record are only an unknown content type.
        let mut d = Deframer::default();
        d.push(&[22, 3, 3, 0, 1, 1, 0x80, 0x31, 0x01, 0x03, 0x01]);
        assert!(d.pop().unwrap().is_some());
        assert!(matches!(
            d.pop(),
            Err(Error::UnexpectedRecord(
                UnexpectedRecord::UnknownContentType
            ))
        ));
    }

    #[test]
    fn a_buffer_of_exactly_one_record_becomes_its_fragment() {
        let mut d = Deframer::default();
        d.push(&[23, 3, 3, 0, 2]);
        assert_eq!(d.pop(), Ok(None));
        d.push(&[0xaa, 0xbb]);
        let record = d.pop().unwrap().unwrap();
        assert_eq!(
            (record.content_type, record.fragment),
            (23, vec![0xaa, 0xbb])
        );
        assert_eq!((d.len(), d.buf.capacity()), (0, 0));
        // Then the next record, from the start of a fresh buffer.
        d.push(&[22, 3, 3, 0, 1, 0xcc, 23]);
        assert_eq!(d.pop().unwrap().unwrap().fragment, [0xcc]);
        assert_eq!(d.len(), 1);
        d.compact();
        assert_eq!(d.buf, [23]);
    }

    #[test]
    fn many_small_records_cost_linear_time_and_leave_less_than_a_record() {
        let mut d = Deframer::default();
        let mut bytes = Vec::new();
        for _ in 0..100_000 {
            bytes.extend_from_slice(&[23, 3, 3, 0, 1, 0xaa]);
        }
        bytes.extend_from_slice(&[23, 3, 3, 0x40]);
        d.push(&bytes);
        let mut n = 0;
        while let Some(record) = d.pop().unwrap() {
            assert_eq!(record.fragment, [0xaa]);
            n += 1;
        }
        d.compact();
        assert_eq!((n, d.buf.len()), (100_000, 4));
    }
}
