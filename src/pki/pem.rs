//! Files people can paste: base64 (RFC 4648 §4), PEM (RFC 7468) and the
//! PKCS#8 private key (RFC 5958 §2, RFC 8410 §7).
//!
//! A PEM file is DER in base64, wrapped in 64-character lines between
//! `-----BEGIN label-----` and `-----END label-----` (RFC 7468 §2). minitls
//! reads and writes two labels: `CERTIFICATE` (RFC 7468 §5) and
//! `PRIVATE KEY` (RFC 7468 §10), the latter holding a PKCS#8
//! OneAsymmetricKey. What we write is byte for byte what
//! `openssl genpkey -algorithm ed25519` and `openssl x509` write, so the two
//! tools read each other's files.
//!
//! The rules of this file:
//! - base64 decoding is strict (RFC 4648 §3.3, §3.5): only the standard
//!   alphabet, padding required, and unused bits before the padding must be
//!   zero, so each byte string has exactly one encoding.
//! - PEM parsing follows RFC 7468 §3's lax reading: text outside the blocks
//!   is ignored (it is often an explanatory dump), and whitespace inside the
//!   base64 is ignored. The END label must repeat the BEGIN label.
//!   Encapsulated headers (`Proc-Type:`, from the RFC 1421 era) are not
//!   supported; such a block fails to decode.
//! - Every failure is [`CertificateError::Malformed`].

use super::der::{self, Reader, Writer};
use super::x509::ID_ED25519;
use crate::crypto::Ed25519PrivateKey;
use crate::error::CertificateError;

/// RFC 7468 §5.
pub const LABEL_CERTIFICATE: &str = "CERTIFICATE";
/// RFC 7468 §10: PKCS#8 (RFC 5958) OneAsymmetricKey.
pub const LABEL_PRIVATE_KEY: &str = "PRIVATE KEY";

/// The base64 alphabet of RFC 4648 §4, Table 1.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn malformed(what: &'static str) -> CertificateError {
    CertificateError::Malformed(what)
}

/// base64 (RFC 4648 §4), with `=` padding.
pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        // Three octets are 24 bits: four 6-bit digits. A short final group
        // is padded with zero bits, and each missing octet becomes one `=`
        // (RFC 4648 §4).
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let group = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let digit = (group >> (18 - 6 * i)) & 0x3f;
                out.push(char::from(ALPHABET[digit as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The 6-bit value of one base64 digit.
fn digit_value(c: u8) -> Option<u32> {
    let value = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(value))
}

/// Strict base64 decoding: no whitespace, no characters outside the
/// alphabet, padding to a multiple of four (RFC 4648 §3.2, §3.3), and zero
/// bits where the padding begins (§3.5).
pub fn base64_decode(text: &str) -> Result<Vec<u8>, CertificateError> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return Err(malformed("base64 length is not a multiple of 4"));
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let groups = bytes.len() / 4;
    for (index, group) in bytes.chunks_exact(4).enumerate() {
        let is_last = index + 1 == groups;
        let padding = group.iter().rev().take_while(|&&c| c == b'=').count();
        // `=` only at the end of the last group, at most two of them.
        if padding > 2 || (padding > 0 && !is_last) {
            return Err(malformed("base64 padding is misplaced"));
        }
        let mut value = 0u32;
        for &c in &group[..4 - padding] {
            let digit =
                digit_value(c).ok_or(malformed("base64 has a character outside its alphabet"))?;
            value = value << 6 | digit;
        }
        value <<= 6 * padding;
        let decoded = [(value >> 16) as u8, (value >> 8) as u8, value as u8];
        let kept = 3 - padding;
        // RFC 4648 §3.5: the bits under the padding must be zero, or the
        // same bytes would have several encodings.
        if decoded[kept..].iter().any(|&b| b != 0) {
            return Err(malformed("base64 has non-zero bits before its padding"));
        }
        out.extend_from_slice(&decoded[..kept]);
    }
    Ok(out)
}

/// One `-----BEGIN label-----` ... `-----END label-----` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PemBlock {
    /// The label between `BEGIN ` and the dashes (`CERTIFICATE`, `PRIVATE KEY`).
    pub label: String,
    /// The decoded contents, normally DER.
    pub der: Vec<u8>,
}

/// Every PEM block in `text`, in order (RFC 7468 §2, §3).
pub fn decode_all(text: &str) -> Result<Vec<PemBlock>, CertificateError> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = encapsulation_boundary(line, "BEGIN") else {
            // RFC 7468 §2: text before, between and after blocks is allowed.
            continue;
        };
        let mut base64 = String::new();
        let mut ended = false;
        for line in lines.by_ref() {
            if let Some(end_label) = encapsulation_boundary(line, "END") {
                if end_label != label {
                    return Err(malformed("PEM END label differs from BEGIN label"));
                }
                ended = true;
                break;
            }
            base64.extend(line.chars().filter(|c| !c.is_ascii_whitespace()));
        }
        if !ended {
            return Err(malformed("PEM block has no END line"));
        }
        blocks.push(PemBlock {
            label: label.to_string(),
            der: base64_decode(&base64)?,
        });
    }
    Ok(blocks)
}

/// The label of a `-----BEGIN label-----` (or END) line.
fn encapsulation_boundary<'a>(line: &'a str, kind: &str) -> Option<&'a str> {
    let inner = line.strip_prefix("-----")?.strip_suffix("-----")?;
    let label = inner.strip_prefix(kind)?.strip_prefix(' ')?;
    // RFC 7468 §3: a label is printable ASCII, words joined by spaces or '-'.
    let valid = label.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
    valid.then_some(label)
}

/// One PEM block with 64-character lines (RFC 7468 §2), newline-terminated.
pub fn encode(label: &str, der: &[u8]) -> String {
    let base64 = base64_encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    // base64 is ASCII, so 64-byte chunks are 64-character lines.
    for line in base64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The DER of every CERTIFICATE block in `text`; other labels are skipped.
/// A text without any certificate is an error, so a key file passed where a
/// certificate file belongs is caught.
pub fn certs_from_pem(text: &str) -> Result<Vec<Vec<u8>>, CertificateError> {
    let certs: Vec<Vec<u8>> = decode_all(text)?
        .into_iter()
        .filter(|block| block.label == LABEL_CERTIFICATE)
        .map(|block| block.der)
        .collect();
    if certs.is_empty() {
        return Err(malformed("no CERTIFICATE block in PEM"));
    }
    Ok(certs)
}

/// A DER certificate as one `CERTIFICATE` PEM block (RFC 7468 §5).
pub fn cert_to_pem(der: &[u8]) -> String {
    encode(LABEL_CERTIFICATE, der)
}

/// The first PRIVATE KEY block in `text`, as an Ed25519 key.
pub fn private_key_from_pem(text: &str) -> Result<Ed25519PrivateKey, CertificateError> {
    let block = decode_all(text)?
        .into_iter()
        .find(|block| block.label == LABEL_PRIVATE_KEY)
        .ok_or(malformed("no PRIVATE KEY block in PEM"))?;
    decode_ed25519_pkcs8(&block.der)
}

/// An Ed25519 key as one `PRIVATE KEY` PEM block of PKCS#8 (RFC 7468 §10,
/// RFC 8410 §7), as `openssl genpkey` writes it.
pub fn private_key_to_pem(key: &Ed25519PrivateKey) -> String {
    encode(LABEL_PRIVATE_KEY, &encode_ed25519_pkcs8(key))
}

/// PKCS#8 for an Ed25519 key (RFC 8410 §7), version v1 with no attributes:
/// the same 48 bytes `openssl genpkey -algorithm ed25519` writes.
///
/// ```text
/// OneAsymmetricKey ::= SEQUENCE {
///     version                   Version,
///     privateKeyAlgorithm       PrivateKeyAlgorithmIdentifier,
///     privateKey                PrivateKey,
///     attributes            [0] Attributes OPTIONAL,
///     ...,
///     [[2: publicKey        [1] PublicKey OPTIONAL ]],
///     ... }
/// PrivateKey ::= OCTET STRING   -- containing, for Ed25519:
/// CurvePrivateKey ::= OCTET STRING   -- the 32-byte seed (RFC 8410 §7)
/// ```
pub fn encode_ed25519_pkcs8(key: &Ed25519PrivateKey) -> Vec<u8> {
    let mut w = Writer::new();
    w.sequence(|w| {
        w.small_unsigned(0);
        w.sequence(|w| w.oid(ID_ED25519));
        w.nested(der::OCTET_STRING, |w| w.octet_string(key.seed()));
    });
    w.into_bytes()
}

/// Read a PKCS#8 Ed25519 key: version v1 (0), or v2 (1) with the optional
/// publicKey OpenSSL and others may add (RFC 5958 §2), which must then be
/// the key's own.
pub fn decode_ed25519_pkcs8(der: &[u8]) -> Result<Ed25519PrivateKey, CertificateError> {
    let mut outer = Reader::new(der);
    let key = outer.sequence("OneAsymmetricKey", |r| {
        let version = r.small_unsigned("version")?;
        if version > 1 {
            return Err(malformed("OneAsymmetricKey version"));
        }
        let algorithm_is_ed25519 = r.sequence("privateKeyAlgorithm", |r| {
            let oid = r.oid("privateKeyAlgorithm")?;
            // RFC 8410 §3: parameters absent, so nothing may follow.
            Ok(oid.is(ID_ED25519) && r.is_empty())
        });
        // A well-formed key of another kind is a key we cannot use.
        if !algorithm_is_ed25519? {
            return Err(CertificateError::UnsupportedAlgorithm);
        }
        let private_key = r.octet_string("privateKey")?;
        let seed = {
            let mut inner = Reader::new(private_key);
            let seed = inner.octet_string("CurvePrivateKey")?;
            inner.finish("privateKey")?;
            <[u8; 32]>::try_from(seed).map_err(|_| malformed("CurvePrivateKey is not 32 octets"))?
        };
        let key = Ed25519PrivateKey::from_seed(seed);
        // attributes [0] IMPLICIT: nothing in them matters to us.
        r.optional(der::context_constructed(0), "attributes")?;
        // publicKey [1] IMPLICIT BIT STRING, only in v2 (RFC 5958 §2:
        // "If publicKey is present, then the version is set to v2").
        if let Some(tlv) = r.optional(der::context_primitive(1), "publicKey")? {
            if version != 1 {
                return Err(malformed("publicKey in a v1 OneAsymmetricKey"));
            }
            let public = [&[0u8][..], &key.public_key()[..]].concat();
            if tlv.contents != public.as_slice() {
                return Err(malformed("publicKey does not match privateKey"));
            }
        }
        Ok(key)
    })?;
    outer.finish("OneAsymmetricKey (trailing bytes)")?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_test_vectors() {
        // RFC 4648 §10.
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
            assert_eq!(base64_decode(encoded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn base64_decoding_is_strict() {
        for bad in ["Zg=", "Zg", "Zh==", "Z===", "Zg==Zg==", "Zm9v!A==", "Zm 9v"] {
            assert!(base64_decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pkcs8_is_the_openssl_layout_and_round_trips() {
        let key = Ed25519PrivateKey::from_seed([7; 32]);
        let der = encode_ed25519_pkcs8(&key);
        assert_eq!(
            der[..16],
            [
                0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
                0x04, 0x20
            ]
        );
        let pem = private_key_to_pem(&key);
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"));
        assert_eq!(private_key_from_pem(&pem).unwrap().seed(), &[7; 32]);
    }

    #[test]
    fn pkcs8_v2_with_public_key_is_accepted_only_if_it_matches() {
        let key = Ed25519PrivateKey::from_seed([3; 32]);
        let build = |version: u64, public: [u8; 32]| {
            let mut w = Writer::new();
            w.sequence(|w| {
                w.small_unsigned(version);
                w.sequence(|w| w.oid(ID_ED25519));
                w.nested(der::OCTET_STRING, |w| w.octet_string(key.seed()));
                w.tlv(der::context_primitive(1), &[&[0][..], &public[..]].concat());
            });
            w.into_bytes()
        };
        assert!(decode_ed25519_pkcs8(&build(1, key.public_key())).is_ok());
        assert!(decode_ed25519_pkcs8(&build(1, [0; 32])).is_err());
        assert!(decode_ed25519_pkcs8(&build(0, key.public_key())).is_err());
    }

    #[test]
    fn pem_blocks_skip_surrounding_text_and_check_labels() {
        let text = format!(
            "a comment\n{}between\r\n{}",
            encode("CERTIFICATE", b"one"),
            encode("PRIVATE KEY", b"two")
        );
        let blocks = decode_all(&text).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            (blocks[0].label.as_str(), blocks[0].der.as_slice()),
            ("CERTIFICATE", &b"one"[..])
        );
        assert_eq!(blocks[1].label, "PRIVATE KEY");
        assert!(decode_all("-----BEGIN CERTIFICATE-----\nb25l\n-----END X-----\n").is_err());
        assert!(decode_all("-----BEGIN CERTIFICATE-----\nb25l\n").is_err());
    }
}
