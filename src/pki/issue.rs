//! A tiny certification authority: issue Ed25519 certificates for demos
//! and tests (RFC 5280 §4.1, §4.2; RFC 8410 §3, §4, §6).
//!
//! [`issue`] writes a tbsCertificate with the DER [`Writer`], signs those
//! exact bytes with the issuer's Ed25519 key, and wraps both in a
//! Certificate. [`CertificateParams`] has a knob for each field the tests
//! need to vary (validity, cA, keyUsage, extKeyUsage, names), and
//! [`DemoPki`] is the two-certificate PKI that `minitls cert` and
//! `minitls demo` use.
//!
//! What the certificates contain, and why:
//! - version v3, because extensions need it (RFC 5280 §4.1.2.1);
//! - a random 20-octet positive serialNumber (RFC 5280 §4.1.2.2: at most
//!   20 octets, positive; random so no two of our certificates collide);
//! - Names with a single CN attribute as UTF8String (RFC 5280 §4.1.2.4);
//! - UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5);
//! - subjectKeyIdentifier and authorityKeyIdentifier (RFC 5280 §4.2.1.1,
//!   §4.2.1.2), computed as the leftmost 160 bits of the SHA-256 of the key
//!   (RFC 7093 §2 method 1), because minitls has no SHA-1;
//! - basicConstraints, critical (RFC 5280 §4.2.1.9: MUST be critical in a
//!   CA certificate);
//! - keyUsage, critical (RFC 5280 §4.2.1.3: SHOULD be critical);
//! - extKeyUsage and subjectAltName, non-critical (the subject Name is not
//!   empty, so RFC 5280 §4.2.1.6 does not require a critical SAN).

use std::net::IpAddr;
use std::path::Path;

use super::der::{self, Oid, Writer};
use super::pem;
use super::verify::TrustAnchors;
use super::x509::{self, BasicConstraints, Certificate, KeyUsage};
use crate::crypto::{self, Ed25519PrivateKey, Rng};

/// Demo certificates become valid an hour before they are issued, so a
/// peer whose clock runs a little behind still accepts them.
pub const DEMO_BACKDATE_SECONDS: i64 = 60 * 60;
/// Demo certificates are valid for a year after they are issued.
pub const DEMO_LIFETIME_SECONDS: i64 = 365 * 24 * 60 * 60;

/// What goes into one certificate. Build one with [`CertificateParams::ca`]
/// or [`CertificateParams::server`], then change any field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateParams {
    /// The subject Name's commonName.
    pub subject_cn: String,
    /// subjectAltName dNSName entries; none means no subjectAltName at all
    /// (unless there are IP addresses).
    pub dns_names: Vec<String>,
    /// subjectAltName iPAddress entries.
    pub ip_addresses: Vec<IpAddr>,
    /// Validity.notBefore, Unix seconds.
    pub not_before: i64,
    /// Validity.notAfter, Unix seconds.
    pub not_after: i64,
    /// basicConstraints; `None` leaves the extension out.
    pub basic_constraints: Option<BasicConstraints>,
    /// keyUsage; `None` leaves the extension out.
    pub key_usage: Option<KeyUsage>,
    /// extKeyUsage KeyPurposeIds; `None` leaves the extension out.
    pub ext_key_usage: Option<Vec<Oid>>,
    /// The serialNumber's magnitude, big-endian; `None` draws 20 random
    /// octets.
    pub serial_number: Option<Vec<u8>>,
}

impl CertificateParams {
    /// A CA certificate valid from an hour before `now` for a year:
    /// basicConstraints cA=TRUE, keyUsage keyCertSign and cRLSign.
    pub fn ca(common_name: &str, now: i64) -> Self {
        CertificateParams {
            subject_cn: common_name.to_string(),
            dns_names: Vec::new(),
            ip_addresses: Vec::new(),
            not_before: now - DEMO_BACKDATE_SECONDS,
            not_after: now + DEMO_LIFETIME_SECONDS,
            basic_constraints: Some(BasicConstraints {
                ca: true,
                path_len_constraint: None,
            }),
            key_usage: Some(KeyUsage::KEY_CERT_SIGN.union(KeyUsage::CRL_SIGN)),
            ext_key_usage: None,
            serial_number: None,
        }
    }

    /// A TLS server certificate for `names`, valid from an hour before
    /// `now` for a year: cA=FALSE, keyUsage digitalSignature, extKeyUsage
    /// serverAuth. A name that parses as an IP address becomes an
    /// iPAddress entry, any other a dNSName; the first name is also the CN.
    /// No names means `localhost`.
    pub fn server(names: &[&str], now: i64) -> Self {
        let names: &[&str] = if names.is_empty() {
            &["localhost"]
        } else {
            names
        };
        let (ip_addresses, dns_names): (Vec<&str>, Vec<&str>) = names
            .iter()
            .partition(|name| name.parse::<IpAddr>().is_ok());
        CertificateParams {
            subject_cn: names[0].to_string(),
            dns_names: dns_names.iter().map(|name| name.to_string()).collect(),
            ip_addresses: ip_addresses
                .iter()
                .filter_map(|name| name.parse().ok())
                .collect(),
            not_before: now - DEMO_BACKDATE_SECONDS,
            not_after: now + DEMO_LIFETIME_SECONDS,
            basic_constraints: Some(BasicConstraints {
                ca: false,
                path_len_constraint: None,
            }),
            key_usage: Some(KeyUsage::DIGITAL_SIGNATURE),
            ext_key_usage: Some(vec![Oid(x509::ID_KP_SERVER_AUTH.to_vec())]),
            serial_number: None,
        }
    }
}

impl CertificateParams {
    /// A TLS client certificate for `common_name`, valid from an hour
    /// before `now` for a year: cA=FALSE, keyUsage digitalSignature,
    /// extKeyUsage clientAuth, no subjectAltName (a client is known by
    /// its subject, and a server checks no name of it).
    pub fn client(common_name: &str, now: i64) -> Self {
        CertificateParams {
            subject_cn: common_name.to_string(),
            dns_names: Vec::new(),
            ip_addresses: Vec::new(),
            ext_key_usage: Some(vec![Oid(x509::ID_KP_CLIENT_AUTH.to_vec())]),
            ..CertificateParams::server(&["localhost"], now)
        }
    }
}

/// A self-signed certificate: issuer and subject are both `params`'s Name,
/// and `key` signs its own public key. This is how a root CA starts.
pub fn self_signed(
    params: &CertificateParams,
    key: &Ed25519PrivateKey,
    rng: &mut dyn Rng,
) -> Vec<u8> {
    let subject_public_key = key.public_key();
    let name = common_name(&params.subject_cn);
    let key_id = key_identifier(&subject_public_key);
    build(params, &subject_public_key, &name, &key_id, key, rng)
}

/// A certificate for `subject_public_key`, issued by `issuer` and signed with
/// `issuer_key`.
///
/// The issuer Name is copied byte for byte from the issuer's subject (RFC
/// 5280 §4.1.2.4), and the authorityKeyIdentifier repeats the issuer's
/// subjectKeyIdentifier when it has one, so that OpenSSL, which matches
/// them, finds the issuer. `issuer_key` is not checked against `issuer`:
/// a test may want a certificate signed by the wrong key.
pub fn issue(
    params: &CertificateParams,
    subject_public_key: &[u8; 32],
    issuer: &Certificate,
    issuer_key: &Ed25519PrivateKey,
    rng: &mut dyn Rng,
) -> Vec<u8> {
    let authority_key_id = match &issuer.extensions.subject_key_identifier {
        Some(id) => id.clone(),
        None => key_identifier(&issuer_key.public_key()).to_vec(),
    };
    build(
        params,
        subject_public_key,
        &issuer.subject.der,
        &authority_key_id,
        issuer_key,
        rng,
    )
}

/// RFC 7093 §2 method 1: the leftmost 160 bits of SHA-256 over the
/// subjectPublicKey BIT STRING's value.
fn key_identifier(public_key: &[u8; 32]) -> [u8; 20] {
    let digest = crypto::sha256(public_key);
    let mut id = [0u8; 20];
    id.copy_from_slice(&digest[..20]);
    id
}

/// `Name` holding one RDN with one commonName (RFC 5280 §4.1.2.4).
fn common_name(cn: &str) -> Vec<u8> {
    let mut w = Writer::new();
    w.sequence(|w| {
        w.set(|w| {
            w.sequence(|w| {
                w.oid(x509::ID_AT_COMMON_NAME);
                w.utf8_string(cn);
            })
        })
    });
    w.into_bytes()
}

/// `AlgorithmIdentifier { id-Ed25519 }` with parameters absent (RFC 8410 §3).
fn ed25519_algorithm_identifier(w: &mut Writer) {
    w.sequence(|w| w.oid(x509::ID_ED25519));
}

fn build(
    params: &CertificateParams,
    subject_public_key: &[u8; 32],
    issuer_name: &[u8],
    authority_key_id: &[u8],
    issuer_key: &Ed25519PrivateKey,
    rng: &mut dyn Rng,
) -> Vec<u8> {
    let serial_number = match &params.serial_number {
        Some(serial) => serial.clone(),
        None => {
            let mut serial: [u8; 20] = crypto::random_array(rng);
            // Top bits 01: positive (RFC 5280 §4.1.2.2) and never a leading
            // zero octet, so the INTEGER is exactly 20 octets.
            serial[0] = (serial[0] & 0x3f) | 0x40;
            serial.to_vec()
        }
    };

    let mut tbs = Writer::new();
    tbs.sequence(|w| {
        // version [0] EXPLICIT Version: v3 is 2.
        w.nested(der::context_explicit(0), |w| w.small_unsigned(2));
        w.unsigned_integer(&serial_number);
        ed25519_algorithm_identifier(w); // signature
        w.raw(issuer_name);
        w.sequence(|w| {
            w.time(params.not_before);
            w.time(params.not_after);
        });
        w.raw(&common_name(&params.subject_cn));
        w.sequence(|w| {
            ed25519_algorithm_identifier(w);
            w.bit_string(subject_public_key);
        });
        w.nested(der::context_explicit(3), |w| {
            w.sequence(|w| write_extensions(w, params, subject_public_key, authority_key_id))
        });
    });
    let tbs_certificate = tbs.into_bytes();

    // RFC 8410 §6: Ed25519 signs the DER tbsCertificate itself, no prehash.
    let signature_value = issuer_key.sign(&tbs_certificate);

    let mut certificate = Writer::new();
    certificate.sequence(|w| {
        w.raw(&tbs_certificate);
        ed25519_algorithm_identifier(w); // signatureAlgorithm
        w.bit_string(&signature_value);
    });
    certificate.into_bytes()
}

/// `Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE,
/// extnValue OCTET STRING }`. DER leaves `critical` out when it is FALSE
/// (X.690 §11.5).
fn extension(w: &mut Writer, extn_id: &[u8], critical: bool, value: impl FnOnce(&mut Writer)) {
    w.sequence(|w| {
        w.oid(extn_id);
        if critical {
            w.boolean(true);
        }
        w.nested(der::OCTET_STRING, value);
    });
}

fn write_extensions(
    w: &mut Writer,
    params: &CertificateParams,
    subject_public_key: &[u8; 32],
    authority_key_id: &[u8],
) {
    extension(w, x509::ID_CE_SUBJECT_KEY_IDENTIFIER, false, |w| {
        w.octet_string(&key_identifier(subject_public_key))
    });
    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] ... }
    extension(w, x509::ID_CE_AUTHORITY_KEY_IDENTIFIER, false, |w| {
        w.sequence(|w| w.tlv(der::context_primitive(0), authority_key_id))
    });
    if let Some(bc) = params.basic_constraints {
        extension(w, x509::ID_CE_BASIC_CONSTRAINTS, true, |w| {
            w.sequence(|w| {
                // cA DEFAULT FALSE: written only when TRUE (X.690 §11.5).
                if bc.ca {
                    w.boolean(true);
                }
                if let Some(len) = bc.path_len_constraint {
                    w.small_unsigned(len);
                }
            })
        });
    }
    if let Some(key_usage) = params.key_usage {
        extension(w, x509::ID_CE_KEY_USAGE, true, |w| {
            w.named_bits(key_usage.0)
        });
    }
    if let Some(purposes) = &params.ext_key_usage {
        extension(w, x509::ID_CE_EXT_KEY_USAGE, false, |w| {
            w.sequence(|w| {
                for purpose in purposes {
                    w.oid(purpose.as_bytes());
                }
            })
        });
    }
    if !params.dns_names.is_empty() || !params.ip_addresses.is_empty() {
        extension(w, x509::ID_CE_SUBJECT_ALT_NAME, false, |w| {
            w.sequence(|w| {
                for name in &params.dns_names {
                    // dNSName [2] IA5String
                    w.tlv(der::context_primitive(2), name.as_bytes());
                }
                for ip in &params.ip_addresses {
                    // iPAddress [7] OCTET STRING: 4 or 16 octets.
                    let octets = match ip {
                        IpAddr::V4(v4) => v4.octets().to_vec(),
                        IpAddr::V6(v6) => v6.octets().to_vec(),
                    };
                    w.tlv(der::context_primitive(7), &octets);
                }
            })
        });
    }
}

/// A demo PKI: a self-signed CA `CN=minitls demo CA` and a server
/// certificate it issued, each with its key.
pub struct DemoPki {
    /// The CA's self-signed certificate, DER: the trust anchor to give clients.
    pub ca_cert: Vec<u8>,
    /// The CA's key, to issue more certificates.
    pub ca_key: Ed25519PrivateKey,
    /// The server's certificate, DER, issued by the CA.
    pub server_cert: Vec<u8>,
    /// The server certificate's key, for CertificateVerify.
    pub server_key: Ed25519PrivateKey,
}

impl DemoPki {
    /// Fresh keys and certificates for `names` (default `localhost`), valid
    /// from an hour before `now` for a year (see [`CertificateParams::ca`]
    /// and [`CertificateParams::server`]).
    pub fn generate(rng: &mut dyn Rng, names: &[&str], now: i64) -> DemoPki {
        let ca_key = Ed25519PrivateKey::generate(rng);
        let ca_cert = self_signed(&CertificateParams::ca("minitls demo CA", now), &ca_key, rng);
        let ca = Certificate::from_der(&ca_cert).expect("the CA certificate we just built parses");
        let server_key = Ed25519PrivateKey::generate(rng);
        let server_cert = issue(
            &CertificateParams::server(names, now),
            &server_key.public_key(),
            &ca,
            &ca_key,
            rng,
        );
        DemoPki {
            ca_cert,
            ca_key,
            server_cert,
            server_key,
        }
    }

    /// A client certificate `CN=common_name` issued by the demo CA (see
    /// [`CertificateParams::client`]), with its fresh key. Separate from
    /// [`DemoPki::generate`], so a PKI made from a seed stays the same
    /// whether or not a client certificate is drawn after it.
    pub fn issue_client(
        &self,
        rng: &mut dyn Rng,
        common_name: &str,
        now: i64,
    ) -> (Vec<u8>, Ed25519PrivateKey) {
        let ca = Certificate::from_der(&self.ca_cert).expect("the CA certificate we built parses");
        let key = Ed25519PrivateKey::generate(rng);
        let cert = issue(
            &CertificateParams::client(common_name, now),
            &key.public_key(),
            &ca,
            &self.ca_key,
            rng,
        );
        (cert, key)
    }

    /// Trust anchors holding the demo CA.
    pub fn trust_anchors(&self) -> TrustAnchors {
        let mut anchors = TrustAnchors::new();
        anchors
            .add_der(&self.ca_cert)
            .expect("the CA certificate we built parses");
        anchors
    }

    /// Write `ca.pem`, `ca.key`, `server.pem` and `server.key` into `dir`
    /// (created if missing): certificates as PEM CERTIFICATE, keys as PKCS#8
    /// PEM PRIVATE KEY, the formats OpenSSL reads. On Unix the keys are
    /// readable by their owner only.
    pub fn write_to_dir(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("ca.pem"), pem::cert_to_pem(&self.ca_cert))?;
        write_private(&dir.join("ca.key"), &pem::private_key_to_pem(&self.ca_key))?;
        std::fs::write(dir.join("server.pem"), pem::cert_to_pem(&self.server_cert))?;
        write_private(
            &dir.join("server.key"),
            &pem::private_key_to_pem(&self.server_key),
        )?;
        Ok(())
    }
}

/// Write a client certificate and its key into `dir` as `client.pem` and
/// `client.key`, in the formats of [`DemoPki::write_to_dir`] (the key
/// readable by its owner only, on Unix).
pub fn write_client_to_dir(
    dir: &Path,
    certificate: &[u8],
    key: &Ed25519PrivateKey,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("client.pem"), pem::cert_to_pem(certificate))?;
    write_private(&dir.join("client.key"), &pem::private_key_to_pem(key))
}

/// Write a secret, readable by its owner only where the OS lets us say so.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::verify::verify_server_chain;

    #[test]
    fn demo_pki_parses_and_verifies() {
        let now = 1_700_000_000;
        let pki = DemoPki::generate(&mut crypto::os_rng(), &["localhost", "127.0.0.1"], now);
        let server = Certificate::from_der(&pki.server_cert).unwrap();
        assert_eq!(server.subject.text, "CN=localhost");
        assert_eq!(server.issuer.text, "CN=minitls demo CA");
        assert_eq!(server.version, 2);
        assert_eq!(server.serial_number.len(), 20);
        assert_eq!(server.not_before, now - DEMO_BACKDATE_SECONDS);
        assert_eq!(
            server.extensions.key_usage,
            Some(KeyUsage::DIGITAL_SIGNATURE)
        );
        assert_eq!(
            server.extensions.subject_alt_name,
            Some(vec![
                x509::GeneralName::DnsName("localhost".into()),
                x509::GeneralName::IpAddress(vec![127, 0, 0, 1]),
            ])
        );
        let ca = Certificate::from_der(&pki.ca_cert).unwrap();
        assert_eq!(
            server.extensions.authority_key_identifier,
            ca.extensions.subject_key_identifier
        );
        let verified =
            verify_server_chain(&[&pki.server_cert], &pki.trust_anchors(), "localhost", now)
                .unwrap();
        assert_eq!(verified.public_key, pki.server_key.public_key());
        verify_server_chain(&[&pki.server_cert], &pki.trust_anchors(), "127.0.0.1", now).unwrap();
    }
}
