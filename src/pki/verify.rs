//! Deciding whether to believe a server's certificate chain (RFC 5280 §6,
//! RFC 9525 §6, RFC 8446 §4.4.2.2).
//!
//! A TLS server sends its certificate first and then, usually, the
//! intermediates that lead towards a CA the client trusts (RFC 8446
//! §4.4.2). [`verify_server_chain`] answers one question: does a path of
//! signatures lead from one of our [`TrustAnchors`] down to this leaf, and
//! may the leaf speak for `server_name`? It is [`verify_chain`] for the
//! purpose [`KeyPurpose::ServerAuth`] (steps 1 to 11 below), followed by
//! the name check (step 12). The work falls into three parts.
//!
//! 1. **Parse** every presented certificate (`x509.rs`).
//! 2. **Build a path** from the leaf upwards. Each step looks for the
//!    certificate whose subject is the current one's issuer: first among the
//!    trust anchors (an anchor ends the path, whether or not the server also
//!    sent it), then among the presented certificates not yet used.
//!    Unrelated extra certificates are ignored; a path that finds no anchor
//!    within [`MAX_PATH_LEN`] certificates is `UnknownIssuer`.
//! 3. **Check the path**, one kind of check at a time over every
//!    certificate on it, leaf first.
//!
//! The first failure wins, in this order, which is also the order of the
//! code in [`verify_chain`] and [`verify_server_chain`]:
//!
//! | # | check | error | alert |
//! |---|---|---|---|
//! | 1 | every presented certificate parses | `Malformed` | `bad_certificate` |
//! | 2 | the leaf's key is Ed25519 (we must verify its CertificateVerify) | `UnsupportedAlgorithm` | `unsupported_certificate` |
//! | 3 | a path reaches a trust anchor | `UnknownIssuer` | `unknown_ca` |
//! | 4 | every signature on the path is Ed25519, by an Ed25519 key | `UnsupportedAlgorithm` | `unsupported_certificate` |
//! | 5 | every signature verifies | `BadSignature` | `bad_certificate` |
//! | 6 | every issuer is a CA: cA=TRUE, keyCertSign if keyUsage is present | `IssuerNotCa` | `bad_certificate` |
//! | 7 | no pathLenConstraint is exceeded | `PathTooLong` | `bad_certificate` |
//! | 8 | no unknown critical extension | `UnsupportedCriticalExtension` | `unsupported_certificate` |
//! | 9 | `now` lies within every notBefore..notAfter | `NotYetValid` / `Expired` | `certificate_expired` |
//! | 10 | the leaf is an end entity (not cA=TRUE) whose keyUsage, if present, allows digitalSignature | `InvalidUsage` | `unsupported_certificate` |
//! | 11 | every extKeyUsage on the path allows the purpose (serverAuth) | `InvalidUsage` | `unsupported_certificate` |
//! | 12 | `server_name` matches the leaf's subjectAltName: an IP address an iPAddress entry, a DNS name a dNSName entry | `NameMismatch` | `bad_certificate` |
//!
//! Steps 1 to 4 read fields no signature has vouched for yet (every field
//! while parsing, the leaf's key, issuer and subject names and key
//! identifiers to find each issuer, the signature algorithms): without them
//! there is nothing to verify. They only steer the search, so a forged one
//! at worst leads to a candidate whose signature fails. Every check that
//! grants something on the strength of the contents (steps 6 to 12) comes
//! after the signatures (step 5): until a signature verifies, the cA bit,
//! the dates and the names are only claims made by whoever sent the bytes.
//!
//! Choices, where the RFCs leave room:
//! - Names are compared as DER bytes, not with the LDAP StringPrep rules of
//!   RFC 5280 §7.1. RFC 5280 §4.1.2.4 asks CAs to copy the issuer's subject
//!   into the issuer field byte for byte, and every CA does.
//! - The trust anchor is held to the same rules as any issuer (cA, keyUsage,
//!   pathLenConstraint, validity, critical extensions). RFC 5280 §6.1 lets a
//!   relying party take anchors on faith; being strict costs nothing here.
//! - The server name is matched only against subjectAltName entries, and
//!   only against entries of its own kind: a name that parses as an IP
//!   address (`127.0.0.1`, `::1`) against iPAddress entries, any other
//!   name against dNSName entries (RFC 9525 §6.2, §6.4). There is no
//!   fallback to the subject's CN: RFC 9525 dropped the one RFC 6125
//!   §6.4.4 allowed when there was no subjectAltName.
//! - A leaf with cA=TRUE is refused as `InvalidUsage`. RFC 5280 §6.1 does
//!   not forbid it, but the CA/Browser Forum Baseline Requirements
//!   §7.1.2.7.8 require cA FALSE in a server certificate, and a CA key
//!   signing TLS handshakes is one key doing two jobs.
//! - extKeyUsage is honoured on every certificate of the path, not only on
//!   the leaf (see `check_extended_key_usage`).
//! - Revocation (CRLs, OCSP) is not checked.
//!
//! A server that asks for a client certificate (mutual TLS, RFC 8446
//! §4.3.2) checks the client's chain with [`verify_client_chain`]: steps 1
//! to 11 for [`KeyPurpose::ClientAuth`], no name (step 12), and the leaf
//! must carry an extKeyUsage naming clientAuth.

use std::net::IpAddr;

use super::pem;
use super::x509::{self, Certificate, KeyUsage};
use crate::crypto;
use crate::error::CertificateError;

/// The longest path we build, leaf and anchor included. Real chains have
/// three or four certificates; the bound keeps a hostile chain from making
/// us search for long.
pub const MAX_PATH_LEN: usize = 8;

/// How many same-named issuers (a CA that renewed its key) are tried for
/// one certificate, among the trust anchors and again among the presented
/// certificates. With [`MAX_PATH_LEN`] this bounds the signatures a chain
/// can make us verify, however many same-named certificates a peer sends:
/// at most `(2 * MAX_ISSUER_CANDIDATES + 1) * (MAX_PATH_LEN - 1)`.
pub const MAX_ISSUER_CANDIDATES: usize = 4;

/// The CA certificates the client trusts.
#[derive(Clone, Debug, Default)]
pub struct TrustAnchors {
    anchors: Vec<Certificate>,
}

impl TrustAnchors {
    /// No trusted CA yet: every chain is refused until one is added.
    pub fn new() -> Self {
        TrustAnchors::default()
    }

    /// Trust one more CA certificate, given as DER.
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), CertificateError> {
        self.anchors.push(Certificate::from_der(der)?);
        Ok(())
    }

    /// Trust every CERTIFICATE block in a PEM file (blocks with other
    /// labels are skipped).
    pub fn from_pem(pem: &str) -> Result<Self, CertificateError> {
        let mut anchors = TrustAnchors::new();
        for der in pem::certs_from_pem(pem)? {
            anchors.add_der(&der)?;
        }
        Ok(anchors)
    }

    /// How many CA certificates are trusted.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether no CA is trusted.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

/// What a chain is validated for: the KeyPurposeId (RFC 5280 §4.2.1.12)
/// that every extKeyUsage extension on the path must allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPurpose {
    /// `id-kp-serverAuth`: "TLS WWW server authentication". What a client
    /// asks of a server's chain; the default everywhere in minitls.
    ServerAuth,
    /// `id-kp-clientAuth`: "TLS WWW client authentication". What a server
    /// asks of a client's chain in mutual TLS ([`verify_client_chain`]).
    ClientAuth,
}

impl KeyPurpose {
    /// The KeyPurposeId, as DER contents octets.
    pub fn key_purpose_id(self) -> &'static [u8] {
        match self {
            KeyPurpose::ServerAuth => x509::ID_KP_SERVER_AUTH,
            KeyPurpose::ClientAuth => x509::ID_KP_CLIENT_AUTH,
        }
    }
}

/// What [`verify_chain`] learns from a chain it accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedChain {
    /// The leaf (end-entity) certificate, whose names the caller may check.
    pub leaf: Certificate,
    /// The leaf's Ed25519 key, which must verify the peer's
    /// CertificateVerify (RFC 8446 §4.4.3).
    pub public_key: [u8; 32],
    /// How many Ed25519 signature verifications were made: one per link of
    /// the path (its length less the trust anchor), plus one for each
    /// same-named issuer that was tried and did not verify.
    pub signatures_checked: usize,
}

/// What the client learns from a chain it accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedServerCert {
    /// The leaf's Ed25519 key, which must verify the server's
    /// CertificateVerify (RFC 8446 §4.4.3).
    pub public_key: [u8; 32],
    /// The leaf's subject, e.g. `CN=localhost`.
    pub subject: String,
    /// The leaf's issuer.
    pub issuer: String,
    /// The leaf's notAfter, in Unix seconds.
    pub not_after: i64,
    /// How many Ed25519 signature verifications were made (see
    /// [`VerifiedChain::signatures_checked`]), for the demo's cost table.
    pub signatures_checked: usize,
}

// ANCHOR: verify_server_chain
/// Verify a server's chain for `server_name` at time `now` (Unix seconds).
///
/// `chain` holds the DER certificates in the order of the TLS Certificate
/// message: the leaf first (RFC 8446 §4.4.2). `server_name` is the
/// reference identity: a DNS name, or an IP address such as `127.0.0.1` or
/// `::1` (without brackets). The checks and the order in which they are
/// made are described in the module documentation.
pub fn verify_server_chain(
    chain: &[&[u8]],
    anchors: &TrustAnchors,
    server_name: &str,
    now: i64,
) -> Result<VerifiedServerCert, CertificateError> {
    // 1 to 11. A path to an anchor, good for a TLS server.
    let verified = verify_chain(chain, anchors, KeyPurpose::ServerAuth, now)?;

    // 12. The leaf, for this server.
    check_server_name(&verified.leaf, server_name)?;

    Ok(VerifiedServerCert {
        public_key: verified.public_key,
        subject: verified.leaf.subject.text.clone(),
        issuer: verified.leaf.issuer.text.clone(),
        not_after: verified.leaf.not_after,
        signatures_checked: verified.signatures_checked,
    })
}

/// What a server learns from a client's chain it accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedClientCert {
    /// The leaf's Ed25519 key, which must verify the client's
    /// CertificateVerify (RFC 8446 §4.4.3).
    pub public_key: [u8; 32],
    /// The leaf's subject, e.g. `CN=client`: who the client is.
    pub subject: String,
    /// SHA-256 of the leaf certificate's DER: what a session remembers of
    /// the client instead of the certificate itself.
    pub certificate_sha256: [u8; 32],
    /// How many Ed25519 signature verifications were made (see
    /// [`VerifiedChain::signatures_checked`]).
    pub signatures_checked: usize,
}

// ANCHOR: verify_client_chain
/// Verify a client's chain at time `now` (Unix seconds), for a server that
/// asked for it (RFC 8446 §4.3.2, §4.4.2.4).
///
/// The same steps 1 to 11 as a server's chain, for the purpose
/// [`KeyPurpose::ClientAuth`]; no name is checked, since a client has no
/// name the server asked for. On top of them the leaf must carry an
/// extKeyUsage naming clientAuth (or anyExtendedKeyUsage): a certificate
/// with no extKeyUsage is good for any purpose by RFC 5280 §4.2.1.12, but a
/// server that lets clients in by their certificate should not accept a
/// certificate that was never issued for that. Either failure is
/// [`CertificateError::NotForClientAuth`].
pub fn verify_client_chain(
    chain: &[&[u8]],
    anchors: &TrustAnchors,
    now: i64,
) -> Result<VerifiedClientCert, CertificateError> {
    let names_client_auth = |leaf: &Certificate| {
        (leaf.extensions.ext_key_usage.as_ref()).is_some_and(|purposes| {
            purposes
                .iter()
                .any(|id| id.is(x509::ID_KP_CLIENT_AUTH) || id.is(x509::ANY_EXTENDED_KEY_USAGE))
        })
    };
    let verified = match verify_chain(chain, anchors, KeyPurpose::ClientAuth, now) {
        Ok(verified) => verified,
        // Step 11 refused an extKeyUsage: say so in the client's terms when
        // it is the leaf's own (a server certificate offered as a client's).
        Err(CertificateError::InvalidUsage)
            if chain
                .first()
                .and_then(|der| Certificate::from_der(der).ok())
                .is_some_and(|leaf| !names_client_auth(&leaf)) =>
        {
            return Err(CertificateError::NotForClientAuth);
        }
        Err(e) => return Err(e),
    };
    if !names_client_auth(&verified.leaf) {
        return Err(CertificateError::NotForClientAuth);
    }
    Ok(VerifiedClientCert {
        public_key: verified.public_key,
        subject: verified.leaf.subject.text.clone(),
        certificate_sha256: crypto::sha256(chain[0]),
        signatures_checked: verified.signatures_checked,
    })
}
// ANCHOR_END: verify_client_chain

/// Verify that `chain` leads to a trust anchor and may be used for
/// `purpose` at time `now` (Unix seconds): steps 1 to 11 of the module
/// documentation, everything but the name.
pub fn verify_chain(
    chain: &[&[u8]],
    anchors: &TrustAnchors,
    purpose: KeyPurpose,
    now: i64,
) -> Result<VerifiedChain, CertificateError> {
    // 1. Parse.
    let presented = chain
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(leaf) = presented.first() else {
        return Err(CertificateError::Malformed("empty certificate chain"));
    };

    // 2. The leaf will sign the handshake with its key (RFC 8446 §4.4.3).
    let public_key = leaf.ed25519_public_key()?;

    // 3. Build the path: path[0] is the leaf, path[i + 1] issued path[i],
    //    and the last certificate is a trust anchor.
    let CertPath {
        certs: path,
        signature_verified,
        mut signatures_checked,
    } = build_path(&presented, &anchors.anchors)?;

    // 4 and 5. Signatures, each verified once: where the search had to
    //    choose among same-named issuers it has verified the link already.
    for (pair, already_verified) in path.windows(2).zip(signature_verified) {
        let (subject, issuer) = (pair[0], pair[1]);
        if !subject.signature_algorithm.is_ed25519() {
            return Err(CertificateError::UnsupportedAlgorithm);
        }
        let issuer_key = issuer.ed25519_public_key()?;
        let verified = already_verified.unwrap_or_else(|| {
            signatures_checked += 1;
            signature_verifies(subject, &issuer_key)
        });
        if !verified {
            return Err(CertificateError::BadSignature);
        }
    }

    // 6 and 7. Every issuer must be a CA, and allowed this deep a path.
    for (depth, issuer) in path.iter().enumerate().skip(1) {
        check_is_ca(issuer)?;
        check_path_len(issuer, &path[1..depth])?;
    }

    // 8. RFC 5280 §4.2: refuse what we cannot interpret.
    if path
        .iter()
        .any(|cert| !cert.extensions.unhandled_critical.is_empty())
    {
        return Err(CertificateError::UnsupportedCriticalExtension);
    }

    // 9. Validity (RFC 5280 §4.1.2.5: both bounds are inclusive).
    for cert in &path {
        check_validity(cert, now)?;
    }

    // 10 and 11. What the leaf, and the path, may be used for.
    check_end_entity_usage(leaf)?;
    check_extended_key_usage(&path, purpose)?;

    // The leaf is moved out of the parsed chain, not copied: nothing else
    // of it is kept.
    let Some(leaf) = presented.into_iter().next() else {
        return Err(CertificateError::Malformed("empty certificate chain"));
    };
    Ok(VerifiedChain {
        leaf,
        public_key,
        signatures_checked,
    })
}
// ANCHOR_END: verify_server_chain

/// A path [`build_path`] found, and the signatures it verified on the way.
struct CertPath<'a> {
    /// `certs[0]` is the leaf, `certs[i + 1]` issued `certs[i]`, and the
    /// last is a trust anchor.
    certs: Vec<&'a Certificate>,
    /// For each link `(certs[i], certs[i + 1])`, whether the search already
    /// verified `certs[i]`'s signature with `certs[i + 1]`'s key: `None`
    /// when there was only one candidate and nothing to choose.
    signature_verified: Vec<Option<bool>>,
    /// How many Ed25519 verifications the search made.
    signatures_checked: usize,
}

// ANCHOR: build_path
/// Walk from the leaf to a trust anchor, matching each issuer Name to a
/// subject Name (RFC 5280 §6.1: "for all x in {1, ..., n-1}, the subject of
/// certificate x is the issuer of certificate x+1").
fn build_path<'a>(
    presented: &'a [Certificate],
    anchors: &'a [Certificate],
) -> Result<CertPath<'a>, CertificateError> {
    let Some(leaf) = presented.first() else {
        return Err(CertificateError::Malformed("empty certificate chain"));
    };
    let mut path = CertPath {
        certs: vec![leaf],
        signature_verified: Vec::new(),
        signatures_checked: 0,
    };
    let mut used = vec![false; presented.len()];
    used[0] = true;
    let mut current = leaf;
    while path.certs.len() < MAX_PATH_LEN {
        let checked = &mut path.signatures_checked;
        if let Some((anchor, verified)) = find_issuer(current, anchors.iter(), checked) {
            path.certs.push(anchor);
            path.signature_verified.push(verified);
            return Ok(path);
        }
        let candidates = presented
            .iter()
            .enumerate()
            .filter(|(i, _)| !used[*i])
            .map(|(_, cert)| cert);
        let Some((next, verified)) = find_issuer(current, candidates, checked) else {
            break;
        };
        // Each presented certificate is used at most once, so a loop of
        // certificates issuing each other cannot trap us.
        if let Some(i) = presented.iter().position(|c| std::ptr::eq(c, next)) {
            used[i] = true;
        }
        path.certs.push(next);
        path.signature_verified.push(verified);
        current = next;
    }
    Err(CertificateError::UnknownIssuer)
}
// ANCHOR_END: build_path

/// Among `candidates`, the one whose subject is `cert`'s issuer, and
/// whether its key verified `cert`'s signature (`None`: not tried).
///
/// When several share that Name (a CA that renewed its key), prefer one
/// whose key actually verifies `cert`'s signature: the first
/// [`MAX_ISSUER_CANDIDATES`] are tried, each once, and if none verifies the
/// first is returned with its failure. A single candidate is returned
/// untried; `verify_chain` verifies it in its turn (step 5), so that no
/// signature is verified twice. `signatures_checked` counts the
/// verifications made.
fn find_issuer<'a>(
    cert: &Certificate,
    candidates: impl Iterator<Item = &'a Certificate>,
    signatures_checked: &mut usize,
) -> Option<(&'a Certificate, Option<bool>)> {
    let mut named = candidates
        .filter(|candidate| candidate.subject.der == cert.issuer.der)
        .filter(|candidate| key_identifiers_agree(cert, candidate));
    let first = named.next()?;
    let Some(second) = named.next() else {
        return Some((first, None));
    };
    if !cert.signature_algorithm.is_ed25519() {
        // Step 4 refuses it, whichever issuer is chosen.
        return Some((first, None));
    }
    let mut verifies = |candidate: &Certificate| {
        let key = candidate.ed25519_public_key().ok()?;
        *signatures_checked += 1;
        Some(signature_verifies(cert, &key))
    };
    let first_verified = verifies(first);
    if first_verified == Some(true) {
        return Some((first, first_verified));
    }
    let others = std::iter::once(second).chain(named);
    for candidate in others.take(MAX_ISSUER_CANDIDATES - 1) {
        if verifies(candidate) == Some(true) {
            return Some((candidate, Some(true)));
        }
    }
    Some((first, first_verified))
}

/// RFC 5280 §4.2.1.1: when a certificate names its issuer's key
/// (authorityKeyIdentifier) and the candidate names its own
/// (subjectKeyIdentifier), they must be the same key. A CA that merely
/// shares a Name with a trust anchor is then "not matched with a known trust
/// anchor" (RFC 8446 §6.2 unknown_ca), while a certificate whose signature
/// was damaged still finds its issuer and fails as a bad signature.
fn key_identifiers_agree(cert: &Certificate, candidate: &Certificate) -> bool {
    match (
        &cert.extensions.authority_key_identifier,
        &candidate.extensions.subject_key_identifier,
    ) {
        (Some(aki), Some(ski)) => aki == ski,
        _ => true,
    }
}

/// RFC 5280 §6.1.3 (a)(1): the signature over tbsCertificate, exactly as
/// received, verifies with the issuer's key (Ed25519: RFC 8410 §6).
fn signature_verifies(cert: &Certificate, issuer_key: &[u8; 32]) -> bool {
    crypto::ed25519_verify(
        issuer_key,
        cert.tbs_certificate_der(),
        &cert.signature_value,
    )
}

/// RFC 5280 §6.1.4 (k): an issuer has basicConstraints with cA TRUE, and
/// §6.1.4 (n): if it has keyUsage, keyCertSign is set (§4.2.1.3).
fn check_is_ca(issuer: &Certificate) -> Result<(), CertificateError> {
    let is_ca = issuer.extensions.basic_constraints.is_some_and(|bc| bc.ca);
    let may_sign_certs = issuer
        .extensions
        .key_usage
        .is_none_or(|ku| ku.contains(KeyUsage::KEY_CERT_SIGN));
    if is_ca && may_sign_certs {
        Ok(())
    } else {
        Err(CertificateError::IssuerNotCa)
    }
}

/// RFC 5280 §4.2.1.9: pathLenConstraint is "the maximum number of
/// non-self-issued intermediate certificates that may follow this
/// certificate in a valid certification path". `below` are the
/// intermediates between this issuer and the leaf.
fn check_path_len(issuer: &Certificate, below: &[&Certificate]) -> Result<(), CertificateError> {
    let Some(limit) = issuer
        .extensions
        .basic_constraints
        .and_then(|bc| bc.path_len_constraint)
    else {
        return Ok(());
    };
    let counted = below.iter().filter(|cert| !cert.is_self_issued()).count();
    if counted as u64 > limit {
        Err(CertificateError::PathTooLong)
    } else {
        Ok(())
    }
}

/// RFC 5280 §6.1.3 (a)(2): the current time falls within the validity
/// period, notBefore and notAfter included (§4.1.2.5).
fn check_validity(cert: &Certificate, now: i64) -> Result<(), CertificateError> {
    if now < cert.not_before {
        return Err(CertificateError::NotYetValid {
            not_before: cert.not_before,
            now,
        });
    }
    if now > cert.not_after {
        return Err(CertificateError::Expired {
            not_after: cert.not_after,
            now,
        });
    }
    Ok(())
}

/// The leaf is an end entity whose key signs the handshake.
///
/// - cA=TRUE is refused: a CA certificate is not the kind of certificate a
///   TLS peer presents for itself (CA/Browser Forum Baseline Requirements
///   §7.1.2.7.8: a server certificate's cA "MUST be FALSE"; RFC 5280
///   §4.2.1.9 gives cA to keys that verify certificate signatures). Hence
///   `InvalidUsage`, `unsupported_certificate`: "a certificate was of an
///   unsupported type" (RFC 8446 §6.2), not a corrupt one.
/// - keyUsage, when present, must allow digitalSignature (RFC 5280
///   §4.2.1.3), because the key signs CertificateVerify (RFC 8446 §4.4.3).
fn check_end_entity_usage(leaf: &Certificate) -> Result<(), CertificateError> {
    if leaf.extensions.basic_constraints.is_some_and(|bc| bc.ca) {
        return Err(CertificateError::InvalidUsage);
    }
    if let Some(key_usage) = leaf.extensions.key_usage
        && !key_usage.contains(KeyUsage::DIGITAL_SIGNATURE)
    {
        return Err(CertificateError::InvalidUsage);
    }
    Ok(())
}

/// Every certificate on the path that carries extKeyUsage must name
/// `purpose` or anyExtendedKeyUsage; a certificate without the extension
/// sets no restriction (RFC 5280 §4.2.1.12: "the certified public key MAY
/// be used only for the purposes indicated").
///
/// RFC 5280 defines the extension for the leaf and leaves its meaning in a
/// CA certificate open. minitls reads it on an intermediate or an anchor
/// as a limit on what that CA may vouch for, as Go's crypto/x509 and
/// Mozilla NSS do: a CA restricted to clientAuth cannot issue a server
/// certificate, whatever the leaf itself claims.
fn check_extended_key_usage(
    path: &[&Certificate],
    purpose: KeyPurpose,
) -> Result<(), CertificateError> {
    let allows = |cert: &&Certificate| {
        cert.extensions
            .ext_key_usage
            .as_ref()
            .is_none_or(|purposes| {
                purposes.iter().any(|id| {
                    id.is(purpose.key_purpose_id()) || id.is(x509::ANY_EXTENDED_KEY_USAGE)
                })
            })
    };
    if path.iter().all(allows) {
        Ok(())
    } else {
        Err(CertificateError::InvalidUsage)
    }
}

/// Some subjectAltName entry of the leaf must match the name the client
/// asked for, compared as the kind of name it is (RFC 9525 §6.1.1, §6.2):
///
/// - an IP address (anything `std::net::IpAddr` parses, `127.0.0.1` or
///   `::1`) is an IP-ID, which "MUST exactly match the value of an
///   iPAddress entry" (RFC 9525 §6.2), octet for octet (§6.4). RFC 5280
///   §4.2.1.6 gives IPv4 4 octets and IPv6 16, so an IPv4 address never
///   matches an IPv6 entry, not even its IPv4-mapped `::ffff:127.0.0.1`;
/// - any other name is a DNS name and matches only a dNSName entry
///   ([`dns_name_matches`], RFC 9525 §6.3).
///
/// Never the one against the other: a dNSName `*.0.0.1` does not make a
/// certificate valid for `127.0.0.1`, and an iPAddress entry does not make
/// it valid for a DNS name.
fn check_server_name(leaf: &Certificate, server_name: &str) -> Result<(), CertificateError> {
    let matched = match server_name.parse::<IpAddr>() {
        Ok(reference) => leaf.ip_addresses().any(|presented| presented == reference),
        Err(_) => leaf
            .dns_names()
            .any(|presented| dns_name_matches(presented, server_name)),
    };
    if matched {
        Ok(())
    } else {
        Err(CertificateError::NameMismatch {
            expected: server_name.to_string(),
        })
    }
}

// ANCHOR: dns_name_matches
/// Does the `presented` identifier from a certificate match the
/// `reference` identifier the client asked for?
///
/// - RFC 9525 §6.3: DNS names compare case-insensitively, ASCII only
///   (internationalized names arrive as A-labels, so this is enough). A
///   single trailing dot (an absolute name) is ignored on either side.
/// - RFC 9525 §6.3: `*` may match one whole label, and only as the
///   entire left-most label: `*.example.com` matches `a.example.com` but
///   neither `example.com` nor `a.b.example.com`. Partial wildcards such as
///   `a*.example.com` never match: RFC 9525 makes them invalid (RFC 6125
///   §6.4.3 still let a client accept them). Neither does a wildcard
///   directly over a single label like `*.com`, a rule of minitls's own.
pub fn dns_name_matches(presented: &str, reference: &str) -> bool {
    let presented = presented.strip_suffix('.').unwrap_or(presented);
    let reference = reference.strip_suffix('.').unwrap_or(reference);
    if presented.is_empty() || reference.is_empty() {
        return false;
    }
    if let Some(parent) = presented.strip_prefix("*.") {
        // `*.com` would be a wildcard over a whole top-level domain.
        if !parent.contains('.') || parent.contains('*') {
            return false;
        }
        let Some((first_label, rest)) = reference.split_once('.') else {
            return false;
        };
        return !first_label.is_empty() && rest.eq_ignore_ascii_case(parent);
    }
    !presented.contains('*') && presented.eq_ignore_ascii_case(reference)
}
// ANCHOR_END: dns_name_matches

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Ed25519PrivateKey;
    use crate::pki::issue::{self, CertificateParams};

    const NOW: i64 = 1_700_000_000;

    /// A root, an intermediate it issued and a leaf the intermediate
    /// issued, as DER, with the intermediate's public key.
    fn three_certificates() -> (Vec<u8>, Vec<u8>, Vec<u8>, [u8; 32]) {
        let mut rng = crate::testing::SeededRng::new(8);
        let root_key = Ed25519PrivateKey::from_seed([1; 32]);
        let root = issue::self_signed(&CertificateParams::ca("Root", NOW), &root_key, &mut rng);
        let root_cert = Certificate::from_der(&root).unwrap();
        let int_key = Ed25519PrivateKey::from_seed([2; 32]);
        let int_params = CertificateParams::ca("Intermediate", NOW);
        let int = issue::issue(
            &int_params,
            &int_key.public_key(),
            &root_cert,
            &root_key,
            &mut rng,
        );
        let int_cert = Certificate::from_der(&int).unwrap();
        let leaf_params = CertificateParams::server(&["localhost"], NOW);
        let leaf_key = Ed25519PrivateKey::from_seed([3; 32]);
        let leaf = issue::issue(
            &leaf_params,
            &leaf_key.public_key(),
            &int_cert,
            &int_key,
            &mut rng,
        );
        (root, int, leaf, int_key.public_key())
    }

    /// `int` with its subjectPublicKey changed and nothing else: the same
    /// subject and subjectKeyIdentifier, so it passes for the leaf's
    /// issuer until a signature is verified.
    fn decoy(int: &[u8], int_public_key: &[u8; 32], n: u8) -> Vec<u8> {
        let at = int
            .windows(32)
            .position(|window| window == int_public_key)
            .unwrap();
        let mut decoy = int.to_vec();
        decoy[at + 31] ^= n;
        decoy
    }

    #[test]
    fn each_signature_is_verified_once() {
        let (root, int, leaf, _) = three_certificates();
        let mut anchors = TrustAnchors::new();
        anchors.add_der(&root).unwrap();
        let verified = verify_chain(&[&leaf, &int], &anchors, KeyPurpose::ServerAuth, NOW).unwrap();
        assert_eq!(verified.signatures_checked, 2);
    }

    #[test]
    fn same_named_decoys_cost_one_verification_each_and_are_passed_over() {
        let (root, int, leaf, int_public_key) = three_certificates();
        let mut anchors = TrustAnchors::new();
        anchors.add_der(&root).unwrap();
        let decoys = [
            decoy(&int, &int_public_key, 1),
            decoy(&int, &int_public_key, 2),
        ];
        let chain: [&[u8]; 4] = [&leaf, &decoys[0], &decoys[1], &int];
        let verified = verify_chain(&chain, &anchors, KeyPurpose::ServerAuth, NOW).unwrap();
        // The leaf against two decoys and the intermediate, then the
        // intermediate against the root.
        assert_eq!(verified.signatures_checked, 4);
    }

    #[test]
    fn many_same_named_decoys_are_tried_only_up_to_the_bound() {
        let (root, int, leaf, int_public_key) = three_certificates();
        let presented: Vec<Certificate> = std::iter::once(leaf)
            .chain((1..=100).map(|n| decoy(&int, &int_public_key, n)))
            .chain(std::iter::once(int.clone()))
            .map(|der| Certificate::from_der(&der).unwrap())
            .collect();
        let mut signatures_checked = 0;
        let (issuer, verified) = find_issuer(
            &presented[0],
            presented[1..].iter(),
            &mut signatures_checked,
        )
        .unwrap();
        assert_eq!(signatures_checked, MAX_ISSUER_CANDIDATES);
        assert_eq!(verified, Some(false));
        assert!(std::ptr::eq(issuer, &presented[1]));

        // The real intermediate, 101st of its name, is never reached.
        let mut anchors = TrustAnchors::new();
        anchors.add_der(&root).unwrap();
        let chain: Vec<&[u8]> = presented.iter().map(|c| c.der.as_slice()).collect();
        assert_eq!(
            verify_chain(&chain, &anchors, KeyPurpose::ServerAuth, NOW),
            Err(CertificateError::BadSignature)
        );
    }

    #[test]
    fn wildcards_cover_exactly_one_left_most_label() {
        assert!(dns_name_matches("*.example.com", "a.example.com"));
        assert!(dns_name_matches("*.Example.COM", "A.example.com"));
        assert!(!dns_name_matches("*.example.com", "example.com"));
        assert!(!dns_name_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_name_matches("*.example.com", ".example.com"));
        assert!(!dns_name_matches("a*.example.com", "ab.example.com"));
        assert!(!dns_name_matches("a.*.example.com", "a.b.example.com"));
        assert!(!dns_name_matches("*.com", "example.com"));
        assert!(dns_name_matches("localhost", "LOCALHOST."));
        assert!(!dns_name_matches("localhost", ""));
    }
}
