//! Reading and writing the RFC's presentation language (RFC 8446 §3).
//!
//! TLS describes its messages in a small C-like language: fixed-width
//! unsigned integers (`uint8`, `uint16`, `uint24`, `uint32`), opaque byte
//! strings, and vectors whose length is carried in front of them in as many
//! bytes as their maximum size needs (`opaque legacy_session_id<0..32>` has a
//! one-byte length; `Extension extensions<8..2^16-1>` a two-byte one).
//!
//! The rules of this file:
//! - Every read names the field it reads, using the RFC's field name. A
//!   read past the end is `Error::Decode { field }`, so an error says which
//!   field was short.
//! - A length-prefixed vector is read with the bounds the RFC declares for
//!   it (`cipher_suites<2..2^16-2>` is `r.vec_u16("cipher_suites",
//!   2..=(1 << 16) - 2, ..)`): RFC 8446 §3.4 defines a vector by "a
//!   subrange of legal lengths", so a length outside it is malformed,
//!   `decode_error` (§6.2), before any of the contents is looked at.
//! - The vector's contents are read by a closure ([`Reader::vec_u16`] and
//!   friends) that sees only the vector's bytes; the closure must consume
//!   them exactly, or the field is malformed. Nothing ever reads past a
//!   length it was given.
//! - When asked, a reader records a [`Span`] for every field: offset,
//!   length, RFC name and nesting depth. The explainer and the book's
//!   annotated hex are drawn from these spans, so the explanation of a byte
//!   is always the code that parsed it (DESIGN.md principle 5).
//! - The [`Writer`] mirrors the reader: a vector is written by a closure, and
//!   its length prefix is filled in afterwards. A vector can be too long
//!   for its prefix: part of what we send is not ours to choose (a
//!   configured certificate chain, a cookie or ticket the peer gave us to
//!   echo). That never panics and never sends a wrong length: the writer
//!   remembers the failure and [`Writer::into_bytes`] returns it, and the
//!   connection fails with an `internal_error` alert. What a peer gives us
//!   to echo is bounded when it is parsed (a cookie, a ticket, a server
//!   name), so that an ordinary handshake fits; the writer's check is what
//!   stands behind those bounds, not the bounds alone.

use std::ops::RangeInclusive;

use crate::error::Error;

/// One parsed field: where it sits and what the RFC calls it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// Offset from the start of the buffer given to [`Reader::new`].
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
    /// The RFC's name for the field (`legacy_session_id`, `cipher_suites`...).
    pub field: &'static str,
    /// How many vectors enclose the field.
    pub depth: usize,
    /// The decoded value or a teaching note, when the parser gave one.
    pub note: Option<String>,
}

/// A cursor over received bytes.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Reads may not go past this offset (the end of the enclosing vector).
    limit: usize,
    depth: usize,
    spans: Option<Vec<Span>>,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`, recording no spans.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            limit: buf.len(),
            depth: 0,
            spans: None,
        }
    }

    /// A reader that records a [`Span`] for each field it reads.
    pub fn recording(buf: &'a [u8]) -> Self {
        let mut r = Reader::new(buf);
        r.spans = Some(Vec::new());
        r
    }

    /// The spans recorded so far (empty unless made with [`Reader::recording`]).
    pub fn into_spans(self) -> Vec<Span> {
        self.spans.unwrap_or_default()
    }

    /// Offset of the next byte to read, from the start of the buffer.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes left before the end of the enclosing vector (or of the buffer).
    pub fn remaining(&self) -> usize {
        self.limit - self.pos
    }

    /// Whether the enclosing vector (or the buffer) has been read to its end.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Attach a decoded value or a note to the most recent span.
    pub fn note(&mut self, text: impl FnOnce() -> String) {
        if let Some(spans) = self.spans.as_mut()
            && let Some(last) = spans.last_mut()
        {
            last.note = Some(text());
        }
    }

    fn record(&mut self, offset: usize, len: usize, field: &'static str) {
        if let Some(spans) = self.spans.as_mut() {
            spans.push(Span {
                offset,
                len,
                field,
                depth: self.depth,
                note: None,
            });
        }
    }

    // ANCHOR: primer_reader_bytes
    /// Read `n` bytes of the named field.
    pub fn bytes(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], Error> {
        if self.remaining() < n {
            return Err(Error::decode(field));
        }
        let start = self.pos;
        self.pos += n;
        self.record(start, n, field);
        Ok(&self.buf[start..self.pos])
    }

    /// Read a fixed-size array (`opaque Random[32]`).
    pub fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], Error> {
        let bytes = self.bytes(N, field)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }
    // ANCHOR_END: primer_reader_bytes

    /// Read the named `uint8` field (RFC 8446 §3.3).
    pub fn u8(&mut self, field: &'static str) -> Result<u8, Error> {
        Ok(self.bytes(1, field)?[0])
    }

    /// Read the named `uint16` field, big-endian (RFC 8446 §3.3).
    pub fn u16(&mut self, field: &'static str) -> Result<u16, Error> {
        let b = self.bytes(2, field)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// Read the named `uint24` field, big-endian (a handshake message length).
    pub fn u24(&mut self, field: &'static str) -> Result<u32, Error> {
        let b = self.bytes(3, field)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    /// Read the named `uint32` field, big-endian (RFC 8446 §3.3).
    pub fn u32(&mut self, field: &'static str) -> Result<u32, Error> {
        let b = self.bytes(4, field)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Read the named `uint64` field, big-endian (RFC 8446 §3.3).
    pub fn u64(&mut self, field: &'static str) -> Result<u64, Error> {
        let b = self.array::<8>(field)?;
        Ok(u64::from_be_bytes(b))
    }

    /// Read a vector whose length is in `len_bytes` bytes and must lie in
    /// `bounds` (the RFC's `<min..max>`), giving the closure a view limited
    /// to exactly that many bytes. The closure must consume them all. The
    /// length itself is recorded as the span `field`, the body as nested
    /// spans.
    fn vec_n<T>(
        &mut self,
        len_bytes: usize,
        field: &'static str,
        bounds: RangeInclusive<usize>,
        body: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let len = match len_bytes {
            1 => self.u8(field)? as usize,
            2 => self.u16(field)? as usize,
            _ => self.u24(field)? as usize,
        };
        self.note(|| format!("length {len}"));
        // RFC 8446 §3.4: a vector is "a subrange of legal lengths"; any
        // other length is malformed (decode_error, §6.2).
        if !bounds.contains(&len) || self.remaining() < len {
            return Err(Error::decode(field));
        }
        let outer_limit = self.limit;
        self.limit = self.pos + len;
        self.depth += 1;
        let result = body(self);
        self.depth -= 1;
        let consumed_all = self.pos == self.limit;
        self.limit = outer_limit;
        let value = result?;
        if !consumed_all {
            return Err(Error::decode(field));
        }
        Ok(value)
    }

    /// `T field<min..max>` with a 1-byte length (`max` at most 2^8-1).
    pub fn vec_u8<T>(
        &mut self,
        field: &'static str,
        bounds: RangeInclusive<usize>,
        body: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.vec_n(1, field, bounds, body)
    }

    /// `T field<min..max>` with a 2-byte length (`max` at most 2^16-1).
    pub fn vec_u16<T>(
        &mut self,
        field: &'static str,
        bounds: RangeInclusive<usize>,
        body: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.vec_n(2, field, bounds, body)
    }

    /// `T field<min..max>` with a 3-byte length (`max` at most 2^24-1).
    pub fn vec_u24<T>(
        &mut self,
        field: &'static str,
        bounds: RangeInclusive<usize>,
        body: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.vec_n(3, field, bounds, body)
    }

    /// `opaque field<min..max>` with a 1-byte length: the length (named
    /// `field`) and the contents (named the same, recorded as a nested span).
    pub fn opaque_u8(
        &mut self,
        field: &'static str,
        bounds: RangeInclusive<usize>,
    ) -> Result<&'a [u8], Error> {
        self.vec_u8(field, bounds, |r| r.rest(field))
    }

    /// `opaque field<min..max>` with a 2-byte length.
    pub fn opaque_u16(
        &mut self,
        field: &'static str,
        bounds: RangeInclusive<usize>,
    ) -> Result<&'a [u8], Error> {
        self.vec_u16(field, bounds, |r| r.rest(field))
    }

    /// `opaque field<min..max>` with a 3-byte length.
    pub fn opaque_u24(
        &mut self,
        field: &'static str,
        bounds: RangeInclusive<usize>,
    ) -> Result<&'a [u8], Error> {
        self.vec_u24(field, bounds, |r| r.rest(field))
    }

    /// Everything up to the current limit.
    pub fn rest(&mut self, field: &'static str) -> Result<&'a [u8], Error> {
        self.bytes(self.remaining(), field)
    }

    /// Read items until the current limit (the body of a vector).
    pub fn items<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, Error>,
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        while !self.is_empty() {
            out.push(item(self)?);
        }
        Ok(out)
    }

    /// The message must have been consumed exactly.
    pub fn finish(&self, field: &'static str) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::decode(field))
        }
    }
}

/// Builds bytes in the presentation language.
#[derive(Default)]
pub struct Writer {
    buf: Vec<u8>,
    /// Set when a vector did not fit its length prefix; reported by
    /// [`Writer::into_bytes`], so that no encoder needs to check each write.
    overflow: bool,
}

impl Writer {
    /// An empty writer, with room for most of what minitls writes (a
    /// handshake message, an HkdfLabel) before the buffer must grow.
    pub fn new() -> Self {
        Writer {
            buf: Vec::with_capacity(Writer::INITIAL_CAPACITY),
            overflow: false,
        }
    }

    /// A writer that goes on after the bytes `buf` already holds, with room
    /// for one more message before it must grow.
    pub fn appending_to(mut buf: Vec<u8>) -> Self {
        buf.reserve(Writer::INITIAL_CAPACITY);
        Writer {
            buf,
            overflow: false,
        }
    }

    /// Bytes reserved up front: the profile of a handshake showed a
    /// hundred reallocations of writers growing 8, 16, 32... bytes at a time.
    const INITIAL_CAPACITY: usize = 256;

    /// The bytes written, or an error if any vector was too long for its
    /// length prefix. That is an `internal_error`: it can come from what we
    /// were configured with (a very long certificate chain) or from a value
    /// a peer gave us to echo that its parse bound did not keep small enough.
    pub fn into_bytes(self) -> Result<Vec<u8>, Error> {
        let (bytes, whole) = self.finish();
        whole.map(|()| bytes)
    }

    /// The bytes written, whatever happened, and [`Writer::into_bytes`]'s
    /// verdict on them: for a caller that keeps its buffer either way.
    pub fn finish(self) -> (Vec<u8>, Result<(), Error>) {
        let whole = if self.overflow {
            Err(Error::Internal(
                "a vector is too long for its length prefix",
            ))
        } else {
            Ok(())
        };
        (self.buf, whole)
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing has been written yet.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Write a `uint8`.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// Write a `uint16`, big-endian.
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Write a `uint24`, big-endian; a value of 2^24 or more is an overflow
    /// (reported by [`Writer::into_bytes`]).
    pub fn u24(&mut self, v: u32) {
        if v >= 1 << 24 {
            self.overflow = true;
        }
        self.buf.extend_from_slice(&v.to_be_bytes()[1..]);
    }

    /// Write a `uint32`, big-endian.
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Write a `uint64`, big-endian.
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Write bytes as they are (a fixed-length `opaque[N]`, or a whole encoding).
    pub fn bytes(&mut self, v: &[u8]) {
        self.buf.extend_from_slice(v);
    }

    /// Write a vector: reserve `LEN_BYTES` for its length, let `body` write
    /// the contents, then fill the length in. (The length's size is a
    /// constant so that these two-byte writes compile to stores, not to
    /// `memcpy` calls: a handshake writes a few hundred of them.)
    fn vec_n<const LEN_BYTES: usize>(&mut self, body: impl FnOnce(&mut Self)) {
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0; LEN_BYTES]);
        body(self);
        let len = self.buf.len() - at - LEN_BYTES;
        if len >= 1 << (8 * LEN_BYTES) {
            // Remembered, not asserted: into_bytes() refuses the result.
            self.overflow = true;
            return;
        }
        let be = (len as u32).to_be_bytes();
        self.buf[at..at + LEN_BYTES].copy_from_slice(&be[4 - LEN_BYTES..]);
    }

    /// Write a vector with a 1-byte length (`<..2^8-1>`), its contents written by `body`.
    pub fn vec_u8(&mut self, body: impl FnOnce(&mut Self)) {
        self.vec_n::<1>(body)
    }

    /// Write a vector with a 2-byte length (`<..2^16-1>`), its contents written by `body`.
    pub fn vec_u16(&mut self, body: impl FnOnce(&mut Self)) {
        self.vec_n::<2>(body)
    }

    /// Write a vector with a 3-byte length (`<..2^24-1>`), its contents written by `body`.
    pub fn vec_u24(&mut self, body: impl FnOnce(&mut Self)) {
        self.vec_n::<3>(body)
    }

    /// Write `opaque field<..2^8-1>`: a 1-byte length, then `v`.
    pub fn opaque_u8(&mut self, v: &[u8]) {
        self.vec_u8(|w| w.bytes(v))
    }

    /// Write `opaque field<..2^16-1>`: a 2-byte length, then `v`.
    pub fn opaque_u16(&mut self, v: &[u8]) {
        self.vec_u16(|w| w.bytes(v))
    }

    /// Write `opaque field<..2^24-1>`: a 3-byte length, then `v`.
    pub fn opaque_u24(&mut self, v: &[u8]) {
        self.vec_u24(|w| w.bytes(v))
    }
}

/// A set of `uint16` code points (extension types, named groups).
///
/// "Has this type been seen already?" must cost O(1), so that a duplicate
/// check over a list of n items is O(n) however long the list a peer
/// sends, where comparing each item with those before it would be O(n²)
/// (16,000 extensions in one ClientHello). The first [`U16Set::FEW`]
/// values are kept in a small array and compared in turn (at most `FEW`
/// comparisons: still O(1)); past that, the set moves to a bitmap of
/// 65,536 bits, 8 KiB. Real lists are short, so a handshake never pays
/// for allocating and zeroing the bitmap.
pub struct U16Set {
    few: [u16; U16Set::FEW],
    /// How many of `few` are in use.
    len: usize,
    /// Every value, once there were more than `FEW`.
    bits: Option<Box<[u64; 1024]>>,
}

impl Default for U16Set {
    fn default() -> Self {
        U16Set {
            few: [0; U16Set::FEW],
            len: 0,
            bits: None,
        }
    }
}

impl U16Set {
    /// How many values are kept before the set moves to its bitmap.
    pub const FEW: usize = 32;

    /// An empty set.
    pub fn new() -> Self {
        U16Set::default()
    }

    /// Add `v`; returns false if it was already there.
    pub fn insert(&mut self, v: u16) -> bool {
        if self.contains(v) {
            return false;
        }
        if self.bits.is_none() && self.len < U16Set::FEW {
            self.few[self.len] = v;
            self.len += 1;
            return true;
        }
        let few = &self.few[..self.len];
        let bits = self.bits.get_or_insert_with(|| {
            let mut bits = Box::new([0; 1024]);
            for &old in few {
                bits[usize::from(old) / 64] |= 1 << (old % 64);
            }
            bits
        });
        bits[usize::from(v) / 64] |= 1 << (v % 64);
        true
    }

    /// Whether `v` is in the set.
    pub fn contains(&self, v: u16) -> bool {
        match &self.bits {
            Some(bits) => bits[usize::from(v) / 64] & (1 << (v % 64)) != 0,
            None => self.few[..self.len].contains(&v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_and_record_spans() {
        let mut w = Writer::new();
        w.u16(0x0303);
        w.vec_u16(|w| {
            w.u16(0x1303);
            w.u16(0x1301);
        });
        w.opaque_u8(b"abc");
        let bytes = w.into_bytes().unwrap();
        assert_eq!(bytes, [3, 3, 0, 4, 0x13, 3, 0x13, 1, 3, b'a', b'b', b'c']);

        let mut r = Reader::recording(&bytes);
        assert_eq!(r.u16("legacy_version").unwrap(), 0x0303);
        let suites = r
            .vec_u16("cipher_suites", 2..=(1 << 16) - 2, |r| {
                r.items(|r| r.u16("CipherSuite"))
            })
            .unwrap();
        assert_eq!(suites, [0x1303, 0x1301]);
        assert_eq!(r.opaque_u8("legacy_session_id", 0..=32).unwrap(), b"abc");
        r.finish("message").unwrap();
        let spans = r.into_spans();
        assert_eq!(spans[1].field, "cipher_suites");
        assert_eq!((spans[2].offset, spans[2].depth), (4, 1));
    }

    #[test]
    fn short_and_overlong_vectors_name_their_field() {
        let mut r = Reader::new(&[0, 5, 1, 2]);
        assert_eq!(
            r.opaque_u16("extensions", 0..=0xffff),
            Err(Error::decode("extensions"))
        );
        // A body that does not consume its vector is malformed.
        let mut r = Reader::new(&[3, 0, 1, 2]);
        let err = r.vec_u8("supported_groups", 0..=0xff, |r| r.u16("NamedGroup"));
        assert_eq!(err, Err(Error::decode("supported_groups")));
    }

    #[test]
    fn lengths_outside_the_declared_bounds_are_decode_errors() {
        // cipher_suites<2..2^16-2>: an empty list is too short...
        let mut r = Reader::new(&[0, 0]);
        let err = r.vec_u16("cipher_suites", 2..=(1 << 16) - 2, |r| r.rest("x"));
        assert_eq!(err, Err(Error::decode("cipher_suites")));
        // ...and legacy_session_id<0..32> may not hold 33 bytes.
        let mut bytes = vec![33];
        bytes.extend([0; 33]);
        let mut r = Reader::new(&bytes);
        let err = r.opaque_u8("legacy_session_id", 0..=32);
        assert_eq!(err, Err(Error::decode("legacy_session_id")));
    }

    #[test]
    fn an_overlong_vector_is_an_error_not_a_panic() {
        let mut w = Writer::new();
        w.opaque_u8(&[0; 256]);
        assert!(matches!(w.into_bytes(), Err(Error::Internal(_))));
        let mut w = Writer::new();
        w.opaque_u8(&[0; 255]);
        assert_eq!(w.into_bytes().unwrap().len(), 256);
    }

    #[test]
    fn u16_set_finds_duplicates() {
        let mut set = U16Set::new();
        assert!(set.insert(0) && set.insert(0xffff) && set.insert(64));
        assert!(!set.insert(64));
        assert!(set.contains(0xffff) && !set.contains(1));
    }

    #[test]
    fn u16_set_keeps_every_value_across_the_move_to_its_bitmap() {
        let mut set = U16Set::new();
        let values: Vec<u16> = (0..200u16).map(|n| n.wrapping_mul(331)).collect();
        for (i, &v) in values.iter().enumerate() {
            assert!(set.insert(v), "{v} is new");
            assert_eq!(set.bits.is_some(), i >= U16Set::FEW);
        }
        for &v in &values {
            assert!(set.contains(v) && !set.insert(v));
        }
        assert!(!set.contains(1));
    }
}
