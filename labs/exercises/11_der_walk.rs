//! Exercise 11: walk the DER of a real certificate (book chapter
//! "Certificate, X.509 and DER"; RFC 8446 §4.4.2, RFC 5280 §4.1, X.690
//! §8.1 and §10.1).
//!
//! Every DER value is a TLV: one tag byte, a length, then that many
//! contents bytes. A length below 128 is one byte (short form). A longer
//! one is `0x80 | n` followed by n big-endian bytes (long form). DER
//! allows exactly one encoding of each length, so refuse: the indefinite
//! form `0x80`; a long form for a length below 128; a long form with a
//! leading zero byte. Refuse, too, more than 4 length bytes (minitls's
//! own limit: no certificate is 4 GiB long) and a value that runs past
//! the end of the input.
//!
//! Write [`read_tlv`], then use it in [`subject_public_key`] to find the
//! Ed25519 key inside a certificate:
//!
//! ```text
//! Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
//! TBSCertificate ::= SEQUENCE { [0] version, serialNumber, signature,
//!     issuer, validity, subject, subjectPublicKeyInfo, ... }
//! SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }
//! ```
//!
//! A BIT STRING's contents start with one byte that counts unused bits
//! (0 for a key); the key is the bytes after it.
//!
//! The check compares your TLVs with minitls's own DER reader
//! (`minitls::pki::der`), and your key with the demo server's and CA's
//! real public keys.
//!
//! Check it: `cargo run -p labs -- check 11`

// The starter's parameters are unused until you write the body.
#![allow(unused_variables)]

/// The first TLV of `input`: its tag, its contents and the bytes after
/// it. `None` if `input` does not start with a valid DER TLV.
pub fn read_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    todo!("tag, then a short or long form length (X.690 §8.1.3, §10.1)")
}

/// The subjectPublicKey of a DER certificate, without the BIT STRING's
/// unused-bits byte. `None` if the certificate is not shaped as above.
pub fn subject_public_key(certificate: &[u8]) -> Option<&[u8]> {
    todo!("Certificate > tbsCertificate > seventh field > the BIT STRING")
}
