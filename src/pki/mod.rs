//! The public-key infrastructure: how a client decides that the key in a
//! server's Certificate message belongs to the server it meant to reach.
//!
//! RFC 8446 §4.4.2 carries X.509 certificates; RFC 8446 leaves checking them
//! to RFC 5280. minitls does that with its own code, from bytes to verdict,
//! and supports exactly one algorithm, Ed25519 (RFC 8410), for keys and
//! signatures alike. The cryptography itself (SHA-256, Ed25519) comes from
//! `crate::crypto`; everything else is here.
//!
//! Read the files in this order:
//!
//! | file | what it does | specifications |
//! |---|---|---|
//! | [`der`] | read and write DER: TLVs, INTEGER, BOOLEAN, BIT STRING, OCTET STRING, OID, times | ITU-T X.690 §8, §10, §11; RFC 5280 §4.1.2.5 |
//! | [`x509`] | parse a certificate into typed fields, extensions included | RFC 5280 §4.1, §4.2; RFC 8410 §3, §4; RFC 4514 (readable Names) |
//! | [`verify`] | build a path to a trust anchor and check it, then the server name | RFC 5280 §6; RFC 9525 §6; RFC 8446 §4.4.2.2 |
//! | [`pem`] | base64, PEM files, PKCS#8 private keys | RFC 4648; RFC 7468; RFC 5958 §2; RFC 8410 §7 |
//! | [`issue`] | a tiny CA that issues Ed25519 certificates for demos and tests | RFC 5280 §4.1, §4.2; RFC 7093 §2 |
//!
//! The whole journey in a few lines: issue a demo PKI, then check the
//! server's certificate the way a client does during the handshake.
//!
//! ```
//! use minitls::pki::{issue::DemoPki, verify::verify_server_chain};
//!
//! let now = 1_700_000_000; // Unix seconds; the caller's clock.
//! let pki = DemoPki::generate(&mut minitls::crypto::os_rng(), &["localhost"], now);
//! let anchors = pki.trust_anchors();
//! let verified = verify_server_chain(&[&pki.server_cert], &anchors, "localhost", now)?;
//! assert_eq!(verified.subject, "CN=localhost");
//! assert!(verify_server_chain(&[&pki.server_cert], &anchors, "example.com", now).is_err());
//! # Ok::<(), minitls::error::CertificateError>(())
//! ```
//!
//! Every function that reads untrusted bytes returns
//! [`CertificateError`](crate::error::CertificateError), which `error.rs`
//! maps to the alert the peer is sent (`bad_certificate`, `unknown_ca`,
//! `certificate_expired`, `unsupported_certificate`).

pub mod der;
pub mod issue;
pub mod pem;
pub mod verify;
pub mod x509;
