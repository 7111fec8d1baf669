//! Reading and writing DER, the Distinguished Encoding Rules of ITU-T X.690.
//!
//! Everything in an X.509 certificate is a TLV: one identifier octet (the
//! *tag*), a length, and that many octets of contents (X.690 §8.1). A
//! constructed value (SEQUENCE, SET, an EXPLICIT context tag) simply holds
//! more TLVs in its contents. DER is the subset of BER where every value has
//! exactly one encoding (X.690 §10, §11), which is what lets a signature
//! cover bytes rather than values: the tbsCertificate a CA signed is the
//! tbsCertificate we verify, byte for byte.
//!
//! The rules of this file:
//! - A [`Reader`] walks the TLVs of one buffer. Reading a constructed value
//!   hands its contents to a closure as a fresh `Reader`, and the closure must
//!   consume them exactly, so nothing is ever read past the length it was
//!   given (the same discipline as `codec.rs`).
//! - Every DER rule that makes an encoding unique is checked: the definite,
//!   minimal length (X.690 §10.1, §8.1.3), minimal INTEGERs (§8.3.2),
//!   BOOLEAN as 0x00 or 0xFF (§11.1), zero padding bits in a BIT STRING
//!   (§11.2.1), minimal OID sub-identifiers (§8.19.2) and the exact time
//!   formats RFC 5280 §4.1.2.5.1 and §4.1.2.5.2 require.
//! - Every failure is [`CertificateError::Malformed`] naming what was being
//!   read, usually the ASN.1 field name from RFC 5280.
//! - The [`Writer`] mirrors the reader: a constructed value is written by a
//!   closure, and its length is put in front once the contents are known.
//!
//! Only single-octet tags (tag numbers below 31) are supported; X.509 never
//! needs the high-tag-number form of X.690 §8.1.2.4.

use std::fmt;

use crate::error::CertificateError;

/// Universal tags (X.690 §8.1.2, X.680 §8.4), with the constructed bit set
/// for SEQUENCE and SET as DER requires (X.690 §8.9, §8.11).
pub const BOOLEAN: u8 = 0x01;
/// INTEGER, two's complement, minimal (X.690 §8.3).
pub const INTEGER: u8 = 0x02;
/// BIT STRING: keys, signatures, keyUsage (X.690 §8.6).
pub const BIT_STRING: u8 = 0x03;
/// OCTET STRING: an extension's extnValue (X.690 §8.7).
pub const OCTET_STRING: u8 = 0x04;
/// NULL (X.690 §8.8); Ed25519's AlgorithmIdentifier must not carry one
/// (RFC 8410 §3).
pub const NULL: u8 = 0x05;
/// OBJECT IDENTIFIER (X.690 §8.19).
pub const OBJECT_IDENTIFIER: u8 = 0x06;
/// UTF8String, the DirectoryString RFC 5280 §4.1.2.6 asks new certificates to use.
pub const UTF8_STRING: u8 = 0x0c;
/// PrintableString, a DirectoryString of a restricted ASCII set.
pub const PRINTABLE_STRING: u8 = 0x13;
/// TeletexString, a legacy DirectoryString (RFC 5280 §4.1.2.4).
pub const TELETEX_STRING: u8 = 0x14;
/// IA5String (ASCII): dNSName and other GeneralNames (RFC 5280 §4.2.1.6).
pub const IA5_STRING: u8 = 0x16;
/// UTCTime, for validity years 1950 to 2049 (RFC 5280 §4.1.2.5.1).
pub const UTC_TIME: u8 = 0x17;
/// GeneralizedTime, for validity years from 2050 (RFC 5280 §4.1.2.5.2).
pub const GENERALIZED_TIME: u8 = 0x18;
/// BMPString (UCS-2), a legacy DirectoryString.
pub const BMP_STRING: u8 = 0x1e;
/// SEQUENCE, constructed (X.690 §8.9).
pub const SEQUENCE: u8 = 0x30;
/// SET, constructed (X.690 §8.11): the RelativeDistinguishedName of a Name.
pub const SET: u8 = 0x31;

/// The tag of `[n] EXPLICIT`: context-specific class, constructed, because
/// the contents are a whole inner TLV (X.690 §8.14.2).
pub const fn context_explicit(n: u8) -> u8 {
    0xa0 | n
}

/// The tag of `[n] IMPLICIT` over a primitive type such as IA5String or
/// OCTET STRING: context-specific class, primitive (X.690 §8.14.3).
pub const fn context_primitive(n: u8) -> u8 {
    0x80 | n
}

/// The tag of `[n] IMPLICIT` over a constructed type such as SEQUENCE.
pub const fn context_constructed(n: u8) -> u8 {
    0xa0 | n
}

/// One value as it sits in the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The identifier octet (one byte: minitls reads no high tag numbers).
    pub tag: u8,
    /// The contents octets, without tag and length.
    pub contents: &'a [u8],
    /// The whole encoding, tag and length included. A signature covers
    /// these bytes (RFC 5280 §4.1.1.3), and Names are compared on them.
    pub encoded: &'a [u8],
}

/// An OBJECT IDENTIFIER, kept as its DER contents octets (X.690 §8.19).
///
/// Comparing contents octets is comparing OIDs, because DER allows exactly
/// one encoding of each; [`fmt::Display`] gives the dotted form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Oid(pub Vec<u8>);

impl Oid {
    /// The DER contents octets of the OID.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// True if this is the OID whose contents octets are `encoded`.
    pub fn is(&self, encoded: &[u8]) -> bool {
        self.0 == encoded
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // X.690 §8.19.4: the first sub-identifier packs the first two arcs as
        // 40 * X + Y. Our reader has already checked the encoding is valid.
        let mut value: u64 = 0;
        let mut first = true;
        for &byte in &self.0 {
            value = (value << 7) | u64::from(byte & 0x7f);
            if byte & 0x80 != 0 {
                continue;
            }
            if first {
                let (x, y) = match value {
                    0..=39 => (0, value),
                    40..=79 => (1, value - 40),
                    _ => (2, value - 80),
                };
                write!(f, "{x}.{y}")?;
                first = false;
            } else {
                write!(f, ".{value}")?;
            }
            value = 0;
        }
        Ok(())
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

/// A BIT STRING's contents: the bytes and how many bits of the last byte
/// are padding (X.690 §8.6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitString<'a> {
    /// How many bits at the end of the last byte are padding (0 to 7).
    pub unused_bits: u8,
    /// The bits, most significant first.
    pub bytes: &'a [u8],
}

impl BitString<'_> {
    /// Bit `n`, counting from the most significant bit of the first byte, as
    /// ASN.1 numbers the bits of a named bit list (X.680 §22.6).
    pub fn bit(&self, n: usize) -> bool {
        match self.bytes.get(n / 8) {
            Some(byte) => byte & (0x80 >> (n % 8)) != 0,
            None => false,
        }
    }
}

fn malformed(what: &'static str) -> CertificateError {
    CertificateError::Malformed(what)
}

/// A cursor over DER bytes.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Whether every value in the buffer has been read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// The tag of the next value, if there is one.
    pub fn peek_tag(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Everything must have been read: trailing bytes are not DER.
    pub fn finish(&self, what: &'static str) -> Result<(), CertificateError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(malformed(what))
        }
    }

    /// Read one TLV of any tag.
    pub fn read_tlv(&mut self, what: &'static str) -> Result<Tlv<'a>, CertificateError> {
        let start = self.pos;
        let rest = self.buf.get(start..).ok_or(malformed(what))?;
        let (&tag, after_tag) = rest.split_first().ok_or(malformed(what))?;
        // X.690 §8.1.2.4: tag number 31 announces the multi-octet form,
        // which nothing in X.509 uses.
        if tag & 0x1f == 0x1f {
            return Err(malformed("DER high tag number form is not used in X.509"));
        }
        let (len, header_len) = read_length(after_tag)?;
        let header_len = header_len + 1;
        let contents_start = start + header_len;
        let end = contents_start
            .checked_add(len)
            .filter(|&end| end <= self.buf.len())
            .ok_or(malformed(
                "DER length runs past the end of its enclosing value",
            ))?;
        self.pos = end;
        Ok(Tlv {
            tag,
            contents: &self.buf[contents_start..end],
            encoded: &self.buf[start..end],
        })
    }

    /// Read one TLV, which must carry `tag`.
    pub fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>, CertificateError> {
        let tlv = self.read_tlv(what)?;
        if tlv.tag != tag {
            return Err(malformed(what));
        }
        Ok(tlv)
    }

    /// Read the next TLV only if it carries `tag` (an OPTIONAL or DEFAULT
    /// field, X.680 §25).
    pub fn optional(
        &mut self,
        tag: u8,
        what: &'static str,
    ) -> Result<Option<Tlv<'a>>, CertificateError> {
        if self.peek_tag() == Some(tag) {
            self.read_tlv(what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Read a constructed value with `tag` and parse its contents with
    /// `body`, which must consume them exactly.
    pub fn nested<T>(
        &mut self,
        tag: u8,
        what: &'static str,
        body: impl FnOnce(&mut Reader<'a>) -> Result<T, CertificateError>,
    ) -> Result<T, CertificateError> {
        let tlv = self.expect(tag, what)?;
        let mut inner = Reader::new(tlv.contents);
        let value = body(&mut inner)?;
        inner.finish(what)?;
        Ok(value)
    }

    /// `SEQUENCE { ... }`
    pub fn sequence<T>(
        &mut self,
        what: &'static str,
        body: impl FnOnce(&mut Reader<'a>) -> Result<T, CertificateError>,
    ) -> Result<T, CertificateError> {
        self.nested(SEQUENCE, what, body)
    }

    /// `INTEGER`, as its big-endian two's complement contents octets.
    pub fn integer(&mut self, what: &'static str) -> Result<&'a [u8], CertificateError> {
        let bytes = self.expect(INTEGER, what)?.contents;
        check_integer(bytes, what)?;
        Ok(bytes)
    }

    /// A non-negative INTEGER small enough for a `u64` (a version, a
    /// pathLenConstraint).
    pub fn small_unsigned(&mut self, what: &'static str) -> Result<u64, CertificateError> {
        let bytes = self.integer(what)?;
        if bytes[0] & 0x80 != 0 {
            return Err(malformed(what));
        }
        // A leading 0x00 is allowed (it keeps the value positive), so up to
        // nine octets can still fit.
        let digits = if bytes[0] == 0 { &bytes[1..] } else { bytes };
        if digits.len() > 8 {
            return Err(malformed(what));
        }
        Ok(digits
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// `BOOLEAN`; X.690 §11.1: TRUE is exactly 0xFF in DER.
    pub fn boolean(&mut self, what: &'static str) -> Result<bool, CertificateError> {
        match self.expect(BOOLEAN, what)?.contents {
            [0x00] => Ok(false),
            [0xff] => Ok(true),
            _ => Err(malformed(what)),
        }
    }

    /// `BIT STRING`.
    pub fn bit_string(&mut self, what: &'static str) -> Result<BitString<'a>, CertificateError> {
        let contents = self.expect(BIT_STRING, what)?.contents;
        parse_bit_string(contents, what)
    }

    /// `OCTET STRING`.
    pub fn octet_string(&mut self, what: &'static str) -> Result<&'a [u8], CertificateError> {
        Ok(self.expect(OCTET_STRING, what)?.contents)
    }

    /// `OBJECT IDENTIFIER`.
    pub fn oid(&mut self, what: &'static str) -> Result<Oid, CertificateError> {
        let contents = self.expect(OBJECT_IDENTIFIER, what)?.contents;
        parse_oid(contents, what)
    }

    /// `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }`
    /// (RFC 5280 §4.1.2.5), as Unix seconds.
    pub fn time(&mut self, what: &'static str) -> Result<i64, CertificateError> {
        let tlv = self.read_tlv(what)?;
        match tlv.tag {
            UTC_TIME => parse_utc_time(tlv.contents, what),
            GENERALIZED_TIME => parse_generalized_time(tlv.contents, what),
            _ => Err(malformed(what)),
        }
    }
}

/// The length octets (X.690 §8.1.3), returning the length and how many
/// octets encoded it. DER allows only the definite form, and only the
/// shortest one (X.690 §10.1).
fn read_length(bytes: &[u8]) -> Result<(usize, usize), CertificateError> {
    let (&first, rest) = bytes
        .split_first()
        .ok_or(malformed("DER length is missing"))?;
    if first < 0x80 {
        return Ok((usize::from(first), 1));
    }
    if first == 0x80 {
        return Err(malformed(
            "DER forbids the indefinite length form (X.690 §10.1)",
        ));
    }
    let count = usize::from(first & 0x7f);
    // Four octets already describe 4 GiB; no certificate is longer.
    if count > 4 {
        return Err(malformed("DER length is too large"));
    }
    let octets = rest
        .get(..count)
        .ok_or(malformed("DER length is truncated"))?;
    if octets[0] == 0 {
        return Err(malformed(
            "DER length has a leading zero octet (X.690 §10.1)",
        ));
    }
    let len = octets
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    if len < 0x80 {
        return Err(malformed(
            "DER length should use the short form (X.690 §10.1)",
        ));
    }
    Ok((len, 1 + count))
}

/// X.690 §8.3.2: an INTEGER has at least one octet, and its first nine bits
/// are never all zeros or all ones (that octet would be redundant).
fn check_integer(bytes: &[u8], what: &'static str) -> Result<(), CertificateError> {
    match bytes {
        [] => Err(malformed(what)),
        [0x00, next, ..] if next & 0x80 == 0 => Err(malformed(what)),
        [0xff, next, ..] if next & 0x80 != 0 => Err(malformed(what)),
        _ => Ok(()),
    }
}

fn parse_bit_string<'a>(
    contents: &'a [u8],
    what: &'static str,
) -> Result<BitString<'a>, CertificateError> {
    let (&unused_bits, bytes) = contents.split_first().ok_or(malformed(what))?;
    // X.690 §8.6.2.2 and §8.6.2.3: 0..=7 unused bits, and none if empty.
    if unused_bits > 7 || (bytes.is_empty() && unused_bits != 0) {
        return Err(malformed(what));
    }
    // X.690 §11.2.1: in DER the unused bits are zero.
    if let Some(last) = bytes.last()
        && last & ((1u8 << unused_bits) - 1) != 0
    {
        return Err(malformed(what));
    }
    Ok(BitString { unused_bits, bytes })
}

fn parse_oid(contents: &[u8], what: &'static str) -> Result<Oid, CertificateError> {
    // X.690 §8.19.2: each sub-identifier is base-128, high bit set on all
    // but its last octet, and minimal (it never starts with 0x80).
    let Some(last) = contents.last() else {
        return Err(malformed(what));
    };
    if last & 0x80 != 0 {
        return Err(malformed(what));
    }
    let mut at_start = true;
    let mut octets_in_arc = 0;
    for &byte in contents {
        if at_start && byte == 0x80 {
            return Err(malformed(what));
        }
        octets_in_arc += 1;
        // Nine 7-bit octets fill a u64, which is plenty for any real arc
        // and keeps `Display` free of overflow.
        if octets_in_arc > 9 {
            return Err(malformed(what));
        }
        at_start = byte & 0x80 == 0;
        if at_start {
            octets_in_arc = 0;
        }
    }
    Ok(Oid(contents.to_vec()))
}

/// Parse `n` ASCII digits.
fn digits(bytes: &[u8], what: &'static str) -> Result<i64, CertificateError> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(malformed(what));
    }
    Ok(bytes
        .iter()
        .fold(0i64, |acc, &b| acc * 10 + i64::from(b - b'0')))
}

/// RFC 5280 §4.1.2.5.1: UTCTime is exactly `YYMMDDHHMMSSZ`, and YY >= 50
/// means 19YY, otherwise 20YY.
fn parse_utc_time(bytes: &[u8], what: &'static str) -> Result<i64, CertificateError> {
    if bytes.len() != 13 || bytes[12] != b'Z' {
        return Err(malformed(what));
    }
    let yy = digits(&bytes[0..2], what)?;
    let year = if yy >= 50 { 1900 + yy } else { 2000 + yy };
    date_time_to_unix(year, &bytes[2..12], what)
}

/// RFC 5280 §4.1.2.5.2: GeneralizedTime is exactly `YYYYMMDDHHMMSSZ`, with
/// no fractional seconds.
fn parse_generalized_time(bytes: &[u8], what: &'static str) -> Result<i64, CertificateError> {
    if bytes.len() != 15 || bytes[14] != b'Z' {
        return Err(malformed(what));
    }
    let year = digits(&bytes[0..4], what)?;
    date_time_to_unix(year, &bytes[4..14], what)
}

/// `MMDDHHMMSS` of the given year, checked, as Unix seconds.
fn date_time_to_unix(year: i64, rest: &[u8], what: &'static str) -> Result<i64, CertificateError> {
    let month = digits(&rest[0..2], what)?;
    let day = digits(&rest[2..4], what)?;
    let hour = digits(&rest[4..6], what)?;
    let minute = digits(&rest[6..8], what)?;
    let second = digits(&rest[8..10], what)?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(malformed(what));
    }
    Ok(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
///
/// Counts whole 400-year eras (146097 days each) from 0000-03-01, with
/// years starting in March so that the leap day falls at the end of a year.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719468 days lie between 0000-03-01 and 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Builds DER.
#[derive(Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer::default()
    }

    /// The DER written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Append bytes that are already DER (a Name copied from a certificate,
    /// a tbsCertificate that was just built).
    pub fn raw(&mut self, der: &[u8]) {
        self.buf.extend_from_slice(der);
    }

    /// One TLV with the given contents.
    pub fn tlv(&mut self, tag: u8, contents: &[u8]) {
        self.buf.push(tag);
        write_length(&mut self.buf, contents.len());
        self.buf.extend_from_slice(contents);
    }

    /// A constructed value (or an OCTET STRING wrapping DER, like
    /// extnValue): `body` writes the contents, then the length is known.
    pub fn nested(&mut self, tag: u8, body: impl FnOnce(&mut Writer)) {
        let mut inner = Writer::new();
        body(&mut inner);
        self.tlv(tag, &inner.buf);
    }

    /// A SEQUENCE whose contents `body` writes.
    pub fn sequence(&mut self, body: impl FnOnce(&mut Writer)) {
        self.nested(SEQUENCE, body)
    }

    /// A SET whose contents `body` writes (one element, as in a Name's RDN,
    /// so DER's sorting of SET OF has nothing to do).
    pub fn set(&mut self, body: impl FnOnce(&mut Writer)) {
        self.nested(SET, body)
    }

    /// A non-negative INTEGER from big-endian magnitude bytes: leading
    /// zeros are dropped and one is added back if the top bit is set, so
    /// the value stays positive and minimal (X.690 §8.3.2).
    pub fn unsigned_integer(&mut self, magnitude: &[u8]) {
        let first_nonzero = magnitude.iter().position(|&b| b != 0);
        let digits = match first_nonzero {
            Some(i) => &magnitude[i..],
            None => &[][..],
        };
        let mut contents = Vec::with_capacity(digits.len() + 1);
        if digits.first().is_none_or(|&b| b & 0x80 != 0) {
            contents.push(0);
        }
        contents.extend_from_slice(digits);
        self.tlv(INTEGER, &contents);
    }

    /// A non-negative INTEGER from a `u64` (a version, a path length).
    pub fn small_unsigned(&mut self, value: u64) {
        self.unsigned_integer(&value.to_be_bytes());
    }

    /// A BOOLEAN: 0xff for TRUE, as DER requires (X.690 §11.1).
    pub fn boolean(&mut self, value: bool) {
        self.tlv(BOOLEAN, &[if value { 0xff } else { 0x00 }]);
    }

    /// A BIT STRING of whole octets (a key, a signature).
    pub fn bit_string(&mut self, bytes: &[u8]) {
        let mut contents = Vec::with_capacity(bytes.len() + 1);
        contents.push(0);
        contents.extend_from_slice(bytes);
        self.tlv(BIT_STRING, &contents);
    }

    /// A named bit list such as keyUsage, from bit 0 (the most significant
    /// bit of the first octet) upward. X.690 §11.2.2: trailing zero bits
    /// are dropped, and the unused-bits count says how many were.
    pub fn named_bits(&mut self, bits: u16) {
        let Some(highest) = (0..16).rev().find(|&n| bits & (1 << n) != 0) else {
            self.tlv(BIT_STRING, &[0]);
            return;
        };
        let octets = highest / 8 + 1;
        let mut contents = vec![(octets * 8 - 1 - highest) as u8];
        for octet in 0..octets {
            let mut value = 0u8;
            for bit in 0..8 {
                if bits & (1 << (octet * 8 + bit)) != 0 {
                    value |= 0x80 >> bit;
                }
            }
            contents.push(value);
        }
        self.tlv(BIT_STRING, &contents);
    }

    /// An OCTET STRING holding `bytes`.
    pub fn octet_string(&mut self, bytes: &[u8]) {
        self.tlv(OCTET_STRING, bytes);
    }

    /// An OBJECT IDENTIFIER from its contents octets (constants such as
    /// `x509::ID_ED25519`).
    pub fn oid(&mut self, encoded: &[u8]) {
        self.tlv(OBJECT_IDENTIFIER, encoded);
    }

    /// A UTF8String.
    pub fn utf8_string(&mut self, text: &str) {
        self.tlv(UTF8_STRING, text.as_bytes());
    }

    /// A Time (RFC 5280 §4.1.2.5): UTCTime for the years 1950 to 2049,
    /// GeneralizedTime otherwise, as the RFC requires.
    ///
    /// # Panics
    /// If the time falls outside the years 0000 to 9999, which neither
    /// form can express; our callers pass times they chose themselves.
    pub fn time(&mut self, unix_seconds: i64) {
        let (days, seconds) = (
            unix_seconds.div_euclid(86_400),
            unix_seconds.rem_euclid(86_400),
        );
        let (year, month, day) = civil_from_days(days);
        assert!(
            (0..=9999).contains(&year),
            "year {year} cannot be a DER Time"
        );
        let clock = format!(
            "{month:02}{day:02}{:02}{:02}{:02}Z",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        );
        if (1950..2050).contains(&year) {
            let text = format!("{:02}{clock}", year % 100);
            self.tlv(UTC_TIME, text.as_bytes());
        } else {
            let text = format!("{year:04}{clock}");
            self.tlv(GENERALIZED_TIME, text.as_bytes());
        }
    }
}

/// X.690 §8.1.3: short form below 128, else the count of length octets
/// followed by the length in as few octets as possible.
fn write_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let be = (len as u64).to_be_bytes();
    let skip = be.iter().take_while(|&&b| b == 0).count();
    out.push(0x80 | (be.len() - skip) as u8);
    out.extend_from_slice(&be[skip..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_one(bytes: &[u8]) -> Result<Tlv<'_>, CertificateError> {
        let mut r = Reader::new(bytes);
        let tlv = r.read_tlv("value")?;
        r.finish("value")?;
        Ok(tlv)
    }

    #[test]
    fn lengths_must_be_definite_and_minimal() {
        assert_eq!(read_one(&[0x04, 0x01, 0xaa]).unwrap().contents, [0xaa]);
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend_from_slice(&[0; 0x80]);
        assert_eq!(read_one(&long).unwrap().contents.len(), 0x80);
        // 0x81 0x05 could have been 0x05.
        assert!(read_one(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]).is_err());
        // A leading zero length octet.
        assert!(read_one(&[0x04, 0x82, 0x00, 0x80]).is_err());
        // Indefinite form.
        assert!(read_one(&[0x30, 0x80, 0x00, 0x00]).is_err());
        // Overrun, truncation, and nothing at all.
        assert!(read_one(&[0x04, 0x05, 1, 2]).is_err());
        assert!(read_one(&[0x04, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(read_one(&[0x04, 0x82, 0x01]).is_err());
        assert!(read_one(&[0x04]).is_err());
        assert!(read_one(&[]).is_err());
    }

    #[test]
    fn integers_booleans_and_bit_strings_follow_der() {
        let int = |bytes: &[u8]| Reader::new(bytes).small_unsigned("INTEGER");
        assert_eq!(int(&[0x02, 0x01, 0x02]), Ok(2));
        assert_eq!(int(&[0x02, 0x02, 0x00, 0x80]), Ok(128));
        assert!(int(&[0x02, 0x02, 0x00, 0x7f]).is_err());
        assert!(int(&[0x02, 0x00]).is_err());
        assert!(int(&[0x02, 0x01, 0xff]).is_err());

        assert_eq!(Reader::new(&[0x01, 0x01, 0xff]).boolean("b"), Ok(true));
        assert!(Reader::new(&[0x01, 0x01, 0x01]).boolean("b").is_err());

        let bits = Reader::new(&[0x03, 0x02, 0x01, 0x86])
            .bit_string("keyUsage")
            .unwrap();
        assert!(bits.bit(0) && !bits.bit(1) && bits.bit(5) && bits.bit(6));
        // A padding bit that is set.
        assert!(
            Reader::new(&[0x03, 0x02, 0x01, 0x87])
                .bit_string("b")
                .is_err()
        );
    }

    #[test]
    fn oids_print_dotted_and_reject_padding() {
        let oid = Reader::new(&[0x06, 0x03, 0x2b, 0x65, 0x70])
            .oid("algorithm")
            .unwrap();
        assert_eq!(oid.to_string(), "1.3.101.112");
        let oid = Reader::new(&[0x06, 0x03, 0x55, 0x1d, 0x13])
            .oid("o")
            .unwrap();
        assert_eq!(oid.to_string(), "2.5.29.19");
        assert!(Reader::new(&[0x06, 0x02, 0x80, 0x01]).oid("o").is_err());
        assert!(Reader::new(&[0x06, 0x01, 0x81]).oid("o").is_err());
    }

    #[test]
    fn times_round_trip_through_both_forms() {
        for t in [
            0,
            951_782_400,
            1_700_000_000,
            2_524_608_000,
            4_102_444_800 + 59,
        ] {
            let mut w = Writer::new();
            w.time(t);
            let der = w.into_bytes();
            assert_eq!(Reader::new(&der).time("notAfter"), Ok(t), "{t}");
        }
        let mut w = Writer::new();
        w.time(2_524_608_000); // 2050-01-01: GeneralizedTime from here on.
        assert_eq!(w.into_bytes()[0], GENERALIZED_TIME);
        // 2000-02-29 exists, 2100-02-29 does not, and seconds are required.
        assert!(Reader::new(b"\x17\x0d000229000000Z").time("t").is_ok());
        assert!(Reader::new(b"\x18\x0f21000229000000Z").time("t").is_err());
        assert!(Reader::new(b"\x17\x0b0001010000Z").time("t").is_err());
        assert!(Reader::new(b"\x17\x0d00010100000+Z").time("t").is_err());
    }

    #[test]
    fn writer_encodes_minimal_integers_and_named_bits() {
        let mut w = Writer::new();
        w.unsigned_integer(&[0, 0, 0x80]);
        w.small_unsigned(0);
        w.named_bits(1 << 5 | 1 << 6); // keyCertSign, cRLSign
        w.named_bits(1); // digitalSignature
        assert_eq!(
            w.into_bytes(),
            [2, 2, 0, 0x80, 2, 1, 0, 3, 2, 1, 0x06, 3, 2, 7, 0x80]
        );
        let mut w = Writer::new();
        w.octet_string(&[0; 300]);
        assert_eq!(&w.into_bytes()[..4], [4, 0x82, 0x01, 0x2c]);
    }
}
