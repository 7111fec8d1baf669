//! Parsing an X.509 v3 certificate (RFC 5280 §4.1, §4.2).
//!
//! ```text
//! Certificate  ::=  SEQUENCE  {
//!      tbsCertificate       TBSCertificate,
//!      signatureAlgorithm   AlgorithmIdentifier,
//!      signatureValue       BIT STRING  }
//!
//! TBSCertificate  ::=  SEQUENCE  {
//!      version         [0]  EXPLICIT Version DEFAULT v1,
//!      serialNumber         CertificateSerialNumber,
//!      signature            AlgorithmIdentifier,
//!      issuer               Name,
//!      validity             Validity,
//!      subject              Name,
//!      subjectPublicKeyInfo SubjectPublicKeyInfo,
//!      issuerUniqueID  [1]  IMPLICIT UniqueIdentifier OPTIONAL,
//!      subjectUniqueID [2]  IMPLICIT UniqueIdentifier OPTIONAL,
//!      extensions      [3]  EXPLICIT Extensions OPTIONAL }
//! ```
//!
//! The rules of this file:
//! - Parsing checks *form*, never *trust*: a certificate that parses here
//!   may still be expired, badly signed or issued by a stranger. Those
//!   judgements are `verify.rs`'s.
//! - A certificate whose key or signature algorithm is not Ed25519 still
//!   parses, so that the verifier can say `UnsupportedAlgorithm` (alert
//!   `unsupported_certificate`) rather than `Malformed` (`bad_certificate`).
//!   Ed25519 itself is checked to the letter of RFC 8410 §3 and §4.
//! - The extensions minitls acts on are decoded into typed fields
//!   (basicConstraints, keyUsage, extKeyUsage, subjectAltName and the two
//!   key identifiers). Any other extension is ignored unless it is marked
//!   critical, in which case its OID is recorded so the verifier can refuse
//!   the certificate (RFC 5280 §4.2).
//! - The received bytes are kept: the signature is checked over the
//!   tbsCertificate exactly as it arrived, never over a re-encoding.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::Range;

use super::der::{self, BitString, Oid, Reader};
use crate::error::CertificateError;

/// `id-Ed25519` 1.3.101.112 (RFC 8410 §3), as DER contents octets.
pub const ID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
/// `id-ce-subjectKeyIdentifier` 2.5.29.14 (RFC 5280 §4.2.1.2).
pub const ID_CE_SUBJECT_KEY_IDENTIFIER: &[u8] = &[0x55, 0x1d, 0x0e];
/// `id-ce-keyUsage` 2.5.29.15 (RFC 5280 §4.2.1.3).
pub const ID_CE_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
/// `id-ce-subjectAltName` 2.5.29.17 (RFC 5280 §4.2.1.6).
pub const ID_CE_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
/// `id-ce-basicConstraints` 2.5.29.19 (RFC 5280 §4.2.1.9).
pub const ID_CE_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
/// `id-ce-authorityKeyIdentifier` 2.5.29.35 (RFC 5280 §4.2.1.1).
pub const ID_CE_AUTHORITY_KEY_IDENTIFIER: &[u8] = &[0x55, 0x1d, 0x23];
/// `id-ce-extKeyUsage` 2.5.29.37 (RFC 5280 §4.2.1.12).
pub const ID_CE_EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
/// `id-kp-serverAuth` 1.3.6.1.5.5.7.3.1 (RFC 5280 §4.2.1.12).
pub const ID_KP_SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
/// `id-kp-clientAuth` 1.3.6.1.5.5.7.3.2 (RFC 5280 §4.2.1.12).
pub const ID_KP_CLIENT_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
/// `anyExtendedKeyUsage` 2.5.29.37.0 (RFC 5280 §4.2.1.12).
pub const ANY_EXTENDED_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25, 0x00];
/// `id-at-commonName` 2.5.4.3 (RFC 5280 Appendix A.1).
pub const ID_AT_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];

/// Short names for Name attributes, for the readable form (RFC 4514 §3).
const ATTRIBUTE_SHORT_NAMES: &[(&[u8], &str)] = &[
    (ID_AT_COMMON_NAME, "CN"),
    (&[0x55, 0x04, 0x06], "C"),
    (&[0x55, 0x04, 0x07], "L"),
    (&[0x55, 0x04, 0x08], "ST"),
    (&[0x55, 0x04, 0x09], "STREET"),
    (&[0x55, 0x04, 0x0a], "O"),
    (&[0x55, 0x04, 0x0b], "OU"),
    (
        &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19],
        "DC",
    ),
    (
        &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01],
        "UID",
    ),
];

/// ```text
/// AlgorithmIdentifier  ::=  SEQUENCE  {
///      algorithm               OBJECT IDENTIFIER,
///      parameters              ANY DEFINED BY algorithm OPTIONAL  }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlgorithmIdentifier {
    /// `algorithm OBJECT IDENTIFIER` (id-Ed25519 is 1.3.101.112, RFC 8410 §3).
    pub algorithm: Oid,
    /// The parameters' whole DER encoding, when present.
    pub parameters: Option<Vec<u8>>,
}

impl AlgorithmIdentifier {
    /// RFC 8410 §3: for Ed25519 "the parameters MUST be absent".
    pub fn is_ed25519(&self) -> bool {
        self.algorithm.is(ID_ED25519) && self.parameters.is_none()
    }
}

/// `Name ::= SEQUENCE OF RelativeDistinguishedName` (RFC 5280 §4.1.2.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// The Name's whole DER encoding. Path building compares these bytes.
    pub der: Vec<u8>,
    /// A readable form in the style of RFC 4514, e.g. `CN=minitls demo CA`.
    pub text: String,
}

/// `BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE,
/// pathLenConstraint INTEGER (0..MAX) OPTIONAL }` (RFC 5280 §4.2.1.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BasicConstraints {
    /// `cA`: whether the subject is a CA, whose key may sign certificates.
    pub ca: bool,
    /// `pathLenConstraint`: how many non-self-issued intermediates may follow
    /// this CA in a path, when limited.
    pub path_len_constraint: Option<u64>,
}

/// The keyUsage named bits (RFC 5280 §4.2.1.3); bit `n` of the ASN.1 named
/// bit list is `1 << n` here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyUsage(pub u16);

impl KeyUsage {
    /// `digitalSignature (0)`: what a TLS server key does in CertificateVerify.
    pub const DIGITAL_SIGNATURE: KeyUsage = KeyUsage(1 << 0);
    /// `nonRepudiation (1)`, also called contentCommitment. Parsed, not checked.
    pub const NON_REPUDIATION: KeyUsage = KeyUsage(1 << 1);
    /// `keyEncipherment (2)`: RSA key transport, not used by TLS 1.3.
    pub const KEY_ENCIPHERMENT: KeyUsage = KeyUsage(1 << 2);
    /// `dataEncipherment (3)`. Parsed, not checked.
    pub const DATA_ENCIPHERMENT: KeyUsage = KeyUsage(1 << 3);
    /// `keyAgreement (4)`. Parsed, not checked.
    pub const KEY_AGREEMENT: KeyUsage = KeyUsage(1 << 4);
    /// `keyCertSign (5)`: a CA whose keyUsage is present must have it to sign
    /// certificates (RFC 5280 §4.2.1.3).
    pub const KEY_CERT_SIGN: KeyUsage = KeyUsage(1 << 5);
    /// `cRLSign (6)`: the key signs revocation lists.
    pub const CRL_SIGN: KeyUsage = KeyUsage(1 << 6);
    /// `encipherOnly (7)`, meaningful only with keyAgreement. Parsed, not checked.
    pub const ENCIPHER_ONLY: KeyUsage = KeyUsage(1 << 7);
    /// `decipherOnly (8)`, meaningful only with keyAgreement. Parsed, not checked.
    pub const DECIPHER_ONLY: KeyUsage = KeyUsage(1 << 8);

    /// Whether every bit of `other` is set here.
    pub fn contains(self, other: KeyUsage) -> bool {
        self.0 & other.0 == other.0
    }

    /// The bits of both.
    pub fn union(self, other: KeyUsage) -> KeyUsage {
        KeyUsage(self.0 | other.0)
    }
}

/// The GeneralName choices minitls looks at (RFC 5280 §4.2.1.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GeneralName {
    /// `dNSName [2] IA5String`
    DnsName(String),
    /// `iPAddress [7] OCTET STRING`: 4 or 16 octets.
    IpAddress(Vec<u8>),
    /// Any other choice, by its tag; kept so nothing is silently lost.
    Other(u8),
}

/// The extensions of RFC 5280 §4.2 that minitls understands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extensions {
    /// basicConstraints (RFC 5280 §4.2.1.9).
    pub basic_constraints: Option<BasicConstraints>,
    /// keyUsage (RFC 5280 §4.2.1.3).
    pub key_usage: Option<KeyUsage>,
    /// `ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId`
    pub ext_key_usage: Option<Vec<Oid>>,
    /// `GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName`
    pub subject_alt_name: Option<Vec<GeneralName>>,
    /// `SubjectKeyIdentifier ::= KeyIdentifier`
    pub subject_key_identifier: Option<Vec<u8>>,
    /// The keyIdentifier of `AuthorityKeyIdentifier`.
    pub authority_key_identifier: Option<Vec<u8>>,
    /// Critical extensions we do not understand. RFC 5280 §4.2: "A
    /// certificate-using system MUST reject the certificate if it encounters
    /// a critical extension it does not recognize".
    pub unhandled_critical: Vec<Oid>,
}

/// A parsed certificate, owning its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// The certificate exactly as received.
    pub der: Vec<u8>,
    /// Where tbsCertificate (tag and length included) sits in `der`: the
    /// bytes signatureValue signs (RFC 5280 §4.1.1.3).
    pub tbs_certificate: Range<usize>,
    /// `Version ::= INTEGER { v1(0), v2(1), v3(2) }`, the value on the wire.
    pub version: u64,
    /// `CertificateSerialNumber ::= INTEGER`, its contents octets.
    pub serial_number: Vec<u8>,
    /// tbsCertificate.signature, which RFC 5280 §4.1.2.3 requires to equal
    /// signatureAlgorithm.
    pub signature_algorithm: AlgorithmIdentifier,
    /// The issuer's Name, which must equal its CA's subject (RFC 5280 §4.1.2.4).
    pub issuer: Name,
    /// Validity.notBefore, in Unix seconds.
    pub not_before: i64,
    /// Validity.notAfter, in Unix seconds.
    pub not_after: i64,
    /// The subject's Name (RFC 5280 §4.1.2.6); a server's names are in
    /// subjectAltName.
    pub subject: Name,
    /// subjectPublicKeyInfo.algorithm.
    pub public_key_algorithm: AlgorithmIdentifier,
    /// subjectPublicKeyInfo.subjectPublicKey; for Ed25519 the 32-byte key.
    pub subject_public_key: Vec<u8>,
    /// The extensions minitls understands (RFC 5280 §4.2).
    pub extensions: Extensions,
    /// signatureValue; for Ed25519 the 64-byte signature.
    pub signature_value: Vec<u8>,
}

fn malformed(what: &'static str) -> CertificateError {
    CertificateError::Malformed(what)
}

impl Certificate {
    /// Parse one DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Certificate, CertificateError> {
        let mut outer = Reader::new(der);
        let certificate = outer.expect(der::SEQUENCE, "Certificate")?;
        outer.finish("Certificate (trailing bytes)")?;

        let mut r = Reader::new(certificate.contents);
        let tbs = r.expect(der::SEQUENCE, "tbsCertificate")?;
        let signature_algorithm = algorithm_identifier(&mut r, "signatureAlgorithm")?;
        let signature = r.bit_string("signatureValue")?;
        r.finish("Certificate")?;
        // Signatures are whole octets; a padded BIT STRING cannot be one.
        if signature.unused_bits != 0 {
            return Err(malformed("signatureValue"));
        }

        // tbsCertificate is the first thing inside the outer SEQUENCE, so it
        // starts right after the outer tag and length.
        let tbs_start = certificate.encoded.len() - certificate.contents.len();
        let tbs_certificate = tbs_start..tbs_start + tbs.encoded.len();

        let mut cert = parse_tbs_certificate(tbs.contents, der, tbs_certificate)?;
        cert.signature_value = signature.bytes.to_vec();
        // RFC 5280 §4.1.1.2: signatureAlgorithm "MUST contain the same
        // algorithm identifier as the signature field in the sequence
        // tbsCertificate".
        if cert.signature_algorithm != signature_algorithm {
            return Err(malformed(
                "signatureAlgorithm differs from tbsCertificate.signature",
            ));
        }
        if cert.signature_algorithm.algorithm.is(ID_ED25519) {
            ed25519_signature_checks(&cert)?;
        }
        Ok(cert)
    }

    /// The tbsCertificate bytes as received, which the issuer signed.
    pub fn tbs_certificate_der(&self) -> &[u8] {
        // The range was taken from `der` itself in `from_der`.
        self.der.get(self.tbs_certificate.clone()).unwrap_or(&[])
    }

    /// The subject's Ed25519 public key, or `UnsupportedAlgorithm` for any
    /// other kind of key.
    pub fn ed25519_public_key(&self) -> Result<[u8; 32], CertificateError> {
        if !self.public_key_algorithm.is_ed25519() {
            return Err(CertificateError::UnsupportedAlgorithm);
        }
        <[u8; 32]>::try_from(self.subject_public_key.as_slice())
            .map_err(|_| malformed("subjectPublicKey"))
    }

    /// True if issuer and subject are the same Name (RFC 5280 §6.1:
    /// "self-issued"), whoever signed it.
    pub fn is_self_issued(&self) -> bool {
        self.issuer.der == self.subject.der
    }

    /// The dNSName entries of subjectAltName.
    pub fn dns_names(&self) -> impl Iterator<Item = &str> {
        self.extensions
            .subject_alt_name
            .iter()
            .flatten()
            .filter_map(|name| match name {
                GeneralName::DnsName(dns) => Some(dns.as_str()),
                _ => None,
            })
    }

    /// The iPAddress entries of subjectAltName, as addresses: 4 octets are
    /// IPv4, 16 are IPv6 (RFC 5280 §4.2.1.6). The parser refuses any other
    /// length, so every entry is one of the two.
    pub fn ip_addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.extensions
            .subject_alt_name
            .iter()
            .flatten()
            .filter_map(|name| match name {
                GeneralName::IpAddress(octets) => ip_address_from_octets(octets),
                _ => None,
            })
    }
}

/// An iPAddress GeneralName's octets as an address, "in network byte
/// order" (RFC 5280 §4.2.1.6); `None` for a length that is neither 4 nor 16.
pub fn ip_address_from_octets(octets: &[u8]) -> Option<IpAddr> {
    if let Ok(v4) = <[u8; 4]>::try_from(octets) {
        Some(IpAddr::V4(Ipv4Addr::from(v4)))
    } else if let Ok(v6) = <[u8; 16]>::try_from(octets) {
        Some(IpAddr::V6(Ipv6Addr::from(v6)))
    } else {
        None
    }
}

/// RFC 8410 §3 and §4 for an Ed25519 key and signature: no parameters, a
/// 32-octet key, a 64-octet signature.
fn ed25519_signature_checks(cert: &Certificate) -> Result<(), CertificateError> {
    if cert.signature_algorithm.parameters.is_some() {
        return Err(malformed(
            "Ed25519 signatureAlgorithm has parameters (RFC 8410 §3)",
        ));
    }
    if cert.signature_value.len() != 64 {
        return Err(malformed("Ed25519 signatureValue is not 64 octets"));
    }
    Ok(())
}

fn parse_tbs_certificate(
    contents: &[u8],
    der: &[u8],
    tbs_certificate: Range<usize>,
) -> Result<Certificate, CertificateError> {
    let mut r = Reader::new(contents);

    // version [0] EXPLICIT Version DEFAULT v1. X.690 §11.5: DER omits a
    // DEFAULT value, so an explicit v1 is not DER, but v1 certificates
    // are rare enough that we only insist on a known version.
    let version = match r.optional(der::context_explicit(0), "version")? {
        Some(tlv) => {
            let mut inner = Reader::new(tlv.contents);
            let v = inner.small_unsigned("version")?;
            inner.finish("version")?;
            v
        }
        None => 0,
    };
    if version > 2 {
        return Err(malformed("version"));
    }

    let serial_number = r.integer("serialNumber")?.to_vec();
    let signature_algorithm = algorithm_identifier(&mut r, "signature")?;
    let issuer = name(&mut r, "issuer")?;
    let (not_before, not_after) = r.sequence("validity", |r| {
        Ok((r.time("notBefore")?, r.time("notAfter")?))
    })?;
    let subject = name(&mut r, "subject")?;

    let (public_key_algorithm, subject_public_key) = r.sequence("subjectPublicKeyInfo", |r| {
        let algorithm = algorithm_identifier(r, "subjectPublicKeyInfo.algorithm")?;
        let key = r.bit_string("subjectPublicKey")?;
        Ok((algorithm, key))
    })?;
    if public_key_algorithm.algorithm.is(ID_ED25519) {
        check_ed25519_public_key(&public_key_algorithm, subject_public_key)?;
    }

    // issuerUniqueID and subjectUniqueID (RFC 5280 §4.1.2.8): v2 and v3
    // only, obsolete, and skipped.
    for (n, what) in [(1, "issuerUniqueID"), (2, "subjectUniqueID")] {
        if r.optional(der::context_primitive(n), what)?.is_some() && version < 1 {
            return Err(malformed(what));
        }
    }

    let extensions = match r.optional(der::context_explicit(3), "extensions")? {
        // RFC 5280 §4.1.2.9: extensions appear only in v3.
        Some(_) if version != 2 => return Err(malformed("extensions in a non-v3 certificate")),
        Some(tlv) => {
            let mut inner = Reader::new(tlv.contents);
            let extensions = parse_extensions(&mut inner)?;
            inner.finish("extensions")?;
            extensions
        }
        None => Extensions::default(),
    };
    r.finish("tbsCertificate")?;

    Ok(Certificate {
        der: der.to_vec(),
        tbs_certificate,
        version,
        serial_number,
        signature_algorithm,
        issuer,
        not_before,
        not_after,
        subject,
        public_key_algorithm,
        subject_public_key: subject_public_key.bytes.to_vec(),
        extensions,
        // Filled in by `from_der`, which read it after tbsCertificate.
        signature_value: Vec::new(),
    })
}

/// RFC 8410 §3 and §4: parameters absent, and the key is the 32 octets of
/// RFC 8032 §5.1.5.
fn check_ed25519_public_key(
    algorithm: &AlgorithmIdentifier,
    key: BitString<'_>,
) -> Result<(), CertificateError> {
    if algorithm.parameters.is_some() {
        return Err(malformed(
            "Ed25519 subjectPublicKeyInfo has parameters (RFC 8410 §3)",
        ));
    }
    if key.unused_bits != 0 || key.bytes.len() != 32 {
        return Err(malformed("Ed25519 subjectPublicKey is not 32 octets"));
    }
    Ok(())
}

fn algorithm_identifier(
    r: &mut Reader<'_>,
    what: &'static str,
) -> Result<AlgorithmIdentifier, CertificateError> {
    r.sequence(what, |r| {
        let algorithm = r.oid(what)?;
        let parameters = if r.is_empty() {
            None
        } else {
            Some(r.read_tlv(what)?.encoded.to_vec())
        };
        Ok(AlgorithmIdentifier {
            algorithm,
            parameters,
        })
    })
}

/// ```text
/// Name ::= SEQUENCE OF RelativeDistinguishedName
/// RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
/// AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }
/// ```
fn name(r: &mut Reader<'_>, what: &'static str) -> Result<Name, CertificateError> {
    let tlv = r.expect(der::SEQUENCE, what)?;
    // Each RDN's `type=value` pairs, joined by `+`, in the order received.
    let mut rdns: Vec<String> = Vec::new();
    let mut seq = Reader::new(tlv.contents);
    while !seq.is_empty() {
        let set = seq.expect(der::SET, what)?;
        let mut rdn = String::new();
        let mut set_reader = Reader::new(set.contents);
        while !set_reader.is_empty() {
            if !rdn.is_empty() {
                rdn.push('+');
            }
            set_reader.sequence(what, |r| {
                let attribute_type = r.oid(what)?;
                let value = r.read_tlv(what)?;
                write_attribute(&mut rdn, &attribute_type, value, what)
            })?;
        }
        if rdn.is_empty() {
            return Err(malformed(what));
        }
        rdns.push(rdn);
    }
    // RFC 4514 §2.1: the string form lists the RDNs last to first.
    let mut text = String::with_capacity(rdns.iter().map(|rdn| rdn.len() + 1).sum());
    for rdn in rdns.iter().rev() {
        if !text.is_empty() {
            text.push(',');
        }
        text.push_str(rdn);
    }
    Ok(Name {
        der: tlv.encoded.to_vec(),
        text,
    })
}

/// One `type=value` of RFC 4514 §2.3, escaped as §2.4 says, written to
/// the end of `out`.
fn write_attribute(
    out: &mut String,
    attribute_type: &Oid,
    value: der::Tlv<'_>,
    what: &'static str,
) -> Result<(), CertificateError> {
    match ATTRIBUTE_SHORT_NAMES
        .iter()
        .find(|(oid, _)| attribute_type.is(oid))
    {
        Some((_, short)) => out.push_str(short),
        None => out.push_str(&attribute_type.to_string()),
    }
    out.push('=');
    match value.tag {
        der::UTF8_STRING | der::PRINTABLE_STRING | der::IA5_STRING => {
            let text = std::str::from_utf8(value.contents).map_err(|_| malformed(what))?;
            escape_rfc4514(out, text.chars());
        }
        // T.61 is close enough to Latin-1 for a readable form.
        der::TELETEX_STRING => {
            escape_rfc4514(out, value.contents.iter().map(|&b| char::from(b)));
        }
        der::BMP_STRING => {
            if !value.contents.len().is_multiple_of(2) {
                return Err(malformed(what));
            }
            let units = value
                .contents
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
            let text = char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .map_err(|_| malformed(what))?;
            escape_rfc4514(out, text.chars());
        }
        // RFC 4514 §2.4: a value of another type is written as `#` and the
        // hex of its whole BER encoding.
        _ => {
            out.push('#');
            out.push_str(&hex::encode(value.encoded));
        }
    }
    Ok(())
}

/// Write `value` escaped as RFC 4514 §2.4 asks: `"+,;<>\` anywhere, a
/// space or `#` first, a space last.
fn escape_rfc4514(out: &mut String, value: impl Iterator<Item = char> + Clone) {
    let last = value.clone().count().saturating_sub(1);
    for (i, c) in value.enumerate() {
        let special = matches!(c, '"' | '+' | ',' | ';' | '<' | '>' | '\\')
            || (i == 0 && (c == ' ' || c == '#'))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
}

/// ```text
/// Extensions  ::=  SEQUENCE SIZE (1..MAX) OF Extension
/// Extension  ::=  SEQUENCE  {
///      extnID      OBJECT IDENTIFIER,
///      critical    BOOLEAN DEFAULT FALSE,
///      extnValue   OCTET STRING }
/// ```
fn parse_extensions(r: &mut Reader<'_>) -> Result<Extensions, CertificateError> {
    let mut extensions = Extensions::default();
    // A set, so the duplicate check stays linear in the number of
    // extensions a peer's certificate carries.
    let mut seen: HashSet<Oid> = HashSet::with_capacity(16);
    r.sequence("extensions", |r| {
        if r.is_empty() {
            return Err(malformed("extensions is empty (SIZE (1..MAX))"));
        }
        while !r.is_empty() {
            r.sequence("Extension", |r| {
                let extn_id = r.oid("extnID")?;
                // DER leaves out a DEFAULT value (X.690 §11.5), so FALSE
                // should never be written; we accept it anyway, as most
                // decoders do, since it changes nothing.
                let critical = match r.peek_tag() {
                    Some(der::BOOLEAN) => r.boolean("critical")?,
                    _ => false,
                };
                let extn_value = r.octet_string("extnValue")?;
                // RFC 5280 §4.2: "A certificate MUST NOT include more than
                // one instance of a particular extension."
                if seen.contains(&extn_id) {
                    return Err(malformed("duplicate extension"));
                }
                let understood = parse_extension(&extn_id, extn_value, &mut extensions)?;
                if critical && !understood {
                    extensions.unhandled_critical.push(extn_id.clone());
                }
                seen.insert(extn_id);
                Ok(())
            })?;
        }
        Ok(())
    })?;
    Ok(extensions)
}

/// Decode one extension we understand into `out`; false if we do not.
fn parse_extension(
    extn_id: &Oid,
    extn_value: &[u8],
    out: &mut Extensions,
) -> Result<bool, CertificateError> {
    let mut r = Reader::new(extn_value);
    if extn_id.is(ID_CE_BASIC_CONSTRAINTS) {
        out.basic_constraints = Some(r.sequence("basicConstraints", |r| {
            let ca = match r.peek_tag() {
                Some(der::BOOLEAN) => r.boolean("cA")?,
                _ => false,
            };
            let path_len_constraint = match r.peek_tag() {
                Some(der::INTEGER) => Some(r.small_unsigned("pathLenConstraint")?),
                _ => None,
            };
            Ok(BasicConstraints {
                ca,
                path_len_constraint,
            })
        })?);
    } else if extn_id.is(ID_CE_KEY_USAGE) {
        let bits = r.bit_string("keyUsage")?;
        // Nine named bits fit in two octets; more would be a bit we do not
        // know, which cannot be granting anything we check.
        let value = (0..16)
            .filter(|&n| bits.bit(n))
            .fold(0u16, |acc, n| acc | 1 << n);
        out.key_usage = Some(KeyUsage(value));
    } else if extn_id.is(ID_CE_EXT_KEY_USAGE) {
        out.ext_key_usage = Some(r.sequence("extKeyUsage", |r| {
            let mut purposes = Vec::new();
            while !r.is_empty() {
                purposes.push(r.oid("KeyPurposeId")?);
            }
            if purposes.is_empty() {
                return Err(malformed("extKeyUsage is empty (SIZE (1..MAX))"));
            }
            Ok(purposes)
        })?);
    } else if extn_id.is(ID_CE_SUBJECT_ALT_NAME) {
        out.subject_alt_name = Some(r.sequence("subjectAltName", general_names)?);
    } else if extn_id.is(ID_CE_SUBJECT_KEY_IDENTIFIER) {
        out.subject_key_identifier = Some(r.octet_string("subjectKeyIdentifier")?.to_vec());
    } else if extn_id.is(ID_CE_AUTHORITY_KEY_IDENTIFIER) {
        // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0]
        // KeyIdentifier OPTIONAL, authorityCertIssuer [1] ...,
        // authorityCertSerialNumber [2] ... }: only the first is kept.
        out.authority_key_identifier = r.sequence("authorityKeyIdentifier", |r| {
            let key_identifier = r
                .optional(der::context_primitive(0), "keyIdentifier")?
                .map(|tlv| tlv.contents.to_vec());
            while !r.is_empty() {
                r.read_tlv("authorityKeyIdentifier")?;
            }
            Ok(key_identifier)
        })?;
    } else {
        return Ok(false);
    }
    r.finish("extnValue (trailing bytes)")?;
    Ok(true)
}

/// `GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName`
fn general_names(r: &mut Reader<'_>) -> Result<Vec<GeneralName>, CertificateError> {
    let mut names = Vec::new();
    while !r.is_empty() {
        let tlv = r.read_tlv("GeneralName")?;
        let name = if tlv.tag == der::context_primitive(2) {
            // dNSName is an IA5String: ASCII (RFC 5280 §4.2.1.6; non-ASCII
            // names travel as A-labels, RFC 5890).
            if !tlv.contents.is_ascii() {
                return Err(malformed("dNSName is not IA5String"));
            }
            let text = String::from_utf8(tlv.contents.to_vec())
                .map_err(|_| malformed("dNSName is not IA5String"))?;
            GeneralName::DnsName(text)
        } else if tlv.tag == der::context_primitive(7) {
            // RFC 5280 §4.2.1.6: "For IP version 4 ... the octet string MUST
            // contain exactly four octets. For IP version 6 ... the octet
            // string MUST contain exactly sixteen octets." (The address-and-
            // mask form of 8 or 32 octets belongs to name constraints only.)
            if ip_address_from_octets(tlv.contents).is_none() {
                return Err(malformed("iPAddress is not 4 or 16 octets"));
            }
            GeneralName::IpAddress(tlv.contents.to_vec())
        } else {
            GeneralName::Other(tlv.tag)
        };
        names.push(name);
    }
    if names.is_empty() {
        return Err(malformed("subjectAltName is empty (SIZE (1..MAX))"));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::der::Writer;

    fn name_der(rdns: &[&[(&[u8], &str)]]) -> Vec<u8> {
        let mut w = Writer::new();
        w.sequence(|w| {
            for rdn in rdns {
                w.set(|w| {
                    for (oid, value) in rdn.iter() {
                        w.sequence(|w| {
                            w.oid(oid);
                            w.utf8_string(value);
                        });
                    }
                });
            }
        });
        w.into_bytes()
    }

    #[test]
    fn names_read_last_rdn_first_and_escape() {
        let der = name_der(&[
            &[(&[0x55, 0x04, 0x06], "NL")],
            &[(&[0x55, 0x04, 0x0a], "a, b")],
            &[(ID_AT_COMMON_NAME, "#x ")],
        ]);
        let parsed = name(&mut Reader::new(&der), "subject").unwrap();
        assert_eq!(parsed.text, "CN=\\#x\\ ,O=a\\, b,C=NL");
        assert_eq!(parsed.der, der);
    }

    #[test]
    fn a_multi_valued_rdn_joins_with_plus_and_other_values_are_hex() {
        let mut w = Writer::new();
        w.sequence(|w| {
            w.set(|w| {
                w.sequence(|w| {
                    w.oid(&[0x2a, 0x03, 0x04]); // 1.2.3.4, no short name
                    w.small_unsigned(5); // an INTEGER: not a string type
                });
            });
            w.set(|w| {
                for (oid, value) in [(ID_AT_COMMON_NAME, "a+b"), (&[0x55, 0x04, 0x0a][..], "x")] {
                    w.sequence(|w| {
                        w.oid(oid);
                        w.utf8_string(value);
                    });
                }
            });
        });
        let der = w.into_bytes();
        let parsed = name(&mut Reader::new(&der), "subject").unwrap();
        // RFC 4514 §2.1-2.4: last RDN first, `+` inside an RDN, a value of
        // another type as `#` and the hex of its encoding.
        assert_eq!(parsed.text, "CN=a\\+b+O=x,1.2.3.4=#020105");
    }

    #[test]
    fn ip_address_names_are_4_or_16_octets() {
        let names = |contents: &[u8]| {
            let mut w = Writer::new();
            w.tlv(der::context_primitive(7), contents);
            general_names(&mut Reader::new(&w.into_bytes()))
        };
        assert_eq!(
            names(&[127, 0, 0, 1]),
            Ok(vec![GeneralName::IpAddress(vec![127, 0, 0, 1])])
        );
        let v6 = std::net::Ipv6Addr::LOCALHOST.octets();
        assert_eq!(names(&v6), Ok(vec![GeneralName::IpAddress(v6.to_vec())]));
        for len in [0, 1, 3, 5, 8, 15, 17, 32] {
            assert_eq!(
                names(&vec![1; len]),
                Err(malformed("iPAddress is not 4 or 16 octets")),
                "{len} octets"
            );
        }
    }

    #[test]
    fn extensions_are_decoded_and_unknown_critical_recorded() {
        let mut w = Writer::new();
        w.sequence(|w| {
            w.sequence(|w| {
                w.oid(ID_CE_BASIC_CONSTRAINTS);
                w.boolean(true);
                w.nested(der::OCTET_STRING, |w| {
                    w.sequence(|w| {
                        w.boolean(true);
                        w.small_unsigned(1);
                    })
                });
            });
            w.sequence(|w| {
                w.oid(&[0x2a, 0x03]); // 1.2.3, unknown
                w.boolean(true);
                w.octet_string(&[]);
            });
        });
        let der = w.into_bytes();
        let extensions = parse_extensions(&mut Reader::new(&der)).unwrap();
        assert_eq!(
            extensions.basic_constraints,
            Some(BasicConstraints {
                ca: true,
                path_len_constraint: Some(1)
            })
        );
        assert_eq!(extensions.unhandled_critical, [Oid(vec![0x2a, 0x03])]);
    }
}
