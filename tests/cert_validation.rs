//! Certificate chain validation through the public API (`minitls::pki`).
//!
//! Each refusal asserts both the exact `CertificateError` and the alert
//! `error.rs` maps it to, since the alert is what a peer sees. The chains
//! are issued by `pki::issue` at a fixed time `NOW`; the OpenSSL tests run
//! the real `openssl` binary (installed on every machine here) to check
//! that what we issue, OpenSSL accepts, and the other way round.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use minitls::crypto::{self, Ed25519PrivateKey};
use minitls::error::{AlertDescription, CertificateError, Error};
use minitls::pki::der::Oid;
use minitls::pki::issue::{self, CertificateParams, DemoPki};
use minitls::pki::pem;
use minitls::pki::verify::{
    KeyPurpose, TrustAnchors, VerifiedServerCert, verify_chain, verify_server_chain,
};
use minitls::pki::x509::{self, BasicConstraints, Certificate, KeyUsage};
use minitls::testing::TempDir;

/// 2023-11-14T22:13:20Z; every certificate below is issued around it.
const NOW: i64 = 1_700_000_000;
const DAY: i64 = 24 * 60 * 60;

/// A CA we can issue from: its certificate, parsed, and its key.
struct Authority {
    der: Vec<u8>,
    cert: Certificate,
    key: Ed25519PrivateKey,
}

fn root(common_name: &str) -> Authority {
    let key = Ed25519PrivateKey::generate(&mut crypto::os_rng());
    let params = CertificateParams::ca(common_name, NOW);
    let der = issue::self_signed(&params, &key, &mut crypto::os_rng());
    authority(der, key)
}

fn authority(der: Vec<u8>, key: Ed25519PrivateKey) -> Authority {
    let cert = Certificate::from_der(&der).expect("our CA certificate parses");
    Authority { der, cert, key }
}

/// A certificate for a fresh key, issued by `issuer`.
fn issue_from(issuer: &Authority, params: &CertificateParams) -> Authority {
    let key = Ed25519PrivateKey::generate(&mut crypto::os_rng());
    let der = issue::issue(
        params,
        &key.public_key(),
        &issuer.cert,
        &issuer.key,
        &mut crypto::os_rng(),
    );
    authority(der, key)
}

fn intermediate(issuer: &Authority, common_name: &str) -> Authority {
    issue_from(issuer, &CertificateParams::ca(common_name, NOW))
}

fn leaf(issuer: &Authority, names: &[&str]) -> Vec<u8> {
    issue_from(issuer, &CertificateParams::server(names, NOW)).der
}

fn anchors(ca: &Authority) -> TrustAnchors {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&ca.der).unwrap();
    anchors
}

fn verify(
    chain: &[&[u8]],
    anchors: &TrustAnchors,
    name: &str,
) -> Result<VerifiedServerCert, CertificateError> {
    verify_server_chain(chain, anchors, name, NOW)
}

/// The refusal is exactly `expected`, and the peer would be sent `alert`.
fn assert_refused<T: std::fmt::Debug>(
    result: Result<T, CertificateError>,
    expected: CertificateError,
    alert: AlertDescription,
) {
    let error = result.expect_err("the chain should have been refused");
    assert_eq!(error, expected);
    assert_eq!(Error::from(error).alert(), Some(alert));
}

/// Refused as not valid for `name`: `bad_certificate` (RFC 8446 §6.2).
fn assert_name_mismatch<T: std::fmt::Debug>(result: Result<T, CertificateError>, name: &str) {
    assert_refused(
        result,
        CertificateError::NameMismatch {
            expected: name.to_string(),
        },
        AlertDescription::BadCertificate,
    );
}

/// Run `openssl args...` in `dir`, giving up after 30 seconds. Returns
/// whether it succeeded and what it printed (stdout then stderr).
fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let mut child = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl is installed");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("openssl {args:?} did not finish within 30 seconds");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

/// `openssl` that must succeed.
fn openssl_ok(dir: &Path, args: &[&str]) -> String {
    let (ok, text) = openssl(dir, args);
    assert!(ok, "openssl {args:?} failed:\n{text}");
    text
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn read_cert_pem(path: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(path).unwrap();
    pem::certs_from_pem(&text).unwrap().remove(0)
}

// ---------------------------------------------------------------------------
// Chains that validate

#[test]
fn demo_pki_validates_for_localhost() {
    let pki = DemoPki::generate(&mut crypto::os_rng(), &[], NOW);
    let verified =
        verify_server_chain(&[&pki.server_cert], &pki.trust_anchors(), "localhost", NOW).unwrap();
    assert_eq!(verified.public_key, pki.server_key.public_key());
    assert_eq!(verified.subject, "CN=localhost");
    assert_eq!(verified.issuer, "CN=minitls demo CA");
    assert_eq!(verified.not_after, NOW + issue::DEMO_LIFETIME_SECONDS);
    // The whole validity window is accepted, both ends included.
    let anchors = pki.trust_anchors();
    for at in [
        NOW - issue::DEMO_BACKDATE_SECONDS,
        NOW + issue::DEMO_LIFETIME_SECONDS,
    ] {
        verify_server_chain(&[&pki.server_cert], &anchors, "localhost", at).unwrap();
    }
}

#[test]
fn chain_through_an_intermediate_validates_with_and_without_the_root() {
    let root = root("Test Root");
    let intermediate = intermediate(&root, "Test Intermediate");
    let leaf = leaf(&intermediate, &["localhost"]);
    let anchors = anchors(&root);

    let verified = verify(&[&leaf, &intermediate.der], &anchors, "localhost").unwrap();
    assert_eq!(verified.issuer, "CN=Test Intermediate");
    verify(
        &[&leaf, &intermediate.der, &root.der],
        &anchors,
        "localhost",
    )
    .unwrap();
    // Without the intermediate there is no path.
    assert_refused(
        verify(&[&leaf], &anchors, "localhost"),
        CertificateError::UnknownIssuer,
        AlertDescription::UnknownCa,
    );
}

#[test]
fn two_intermediates_validate_in_any_order_with_extra_certificates() {
    let root = root("Test Root");
    let upper = intermediate(&root, "Upper Intermediate");
    let lower = intermediate(&upper, "Lower Intermediate");
    let leaf = leaf(&lower, &["localhost"]);
    let stranger = root_named_cert("Unrelated CA");
    let anchors = anchors(&root);

    verify(&[&leaf, &lower.der, &upper.der], &anchors, "localhost").unwrap();
    verify(
        &[&leaf, &stranger, &upper.der, &lower.der, &root.der],
        &anchors,
        "localhost",
    )
    .unwrap();
}

fn root_named_cert(common_name: &str) -> Vec<u8> {
    root(common_name).der
}

#[test]
fn path_len_constraint_is_honoured() {
    let mut params = CertificateParams::ca("Constrained Root", NOW);
    params.basic_constraints = Some(BasicConstraints {
        ca: true,
        path_len_constraint: Some(0),
    });
    let key = Ed25519PrivateKey::generate(&mut crypto::os_rng());
    let root = authority(
        issue::self_signed(&params, &key, &mut crypto::os_rng()),
        key,
    );
    let anchors = anchors(&root);

    // pathLenConstraint 0: the root may issue leaves directly...
    let direct = leaf(&root, &["localhost"]);
    verify(&[&direct], &anchors, "localhost").unwrap();
    // ...but no intermediate may follow it (RFC 5280 §4.2.1.9).
    let intermediate = intermediate(&root, "Intermediate");
    let below = leaf(&intermediate, &["localhost"]);
    assert_refused(
        verify(&[&below, &intermediate.der], &anchors, "localhost"),
        CertificateError::PathTooLong,
        AlertDescription::BadCertificate,
    );
}

#[test]
fn trust_anchors_load_every_certificate_in_a_pem_file() {
    let first = root("First Root");
    let second = root("Second Root");
    let bundle = format!(
        "# a CA bundle\n{}{}{}",
        pem::cert_to_pem(&first.der),
        pem::private_key_to_pem(&first.key),
        pem::cert_to_pem(&second.der)
    );
    let anchors = TrustAnchors::from_pem(&bundle).unwrap();
    assert_eq!(anchors.len(), 2);
    let leaf = leaf(&second, &["localhost"]);
    verify(&[&leaf], &anchors, "localhost").unwrap();

    assert!(TrustAnchors::new().is_empty());
    assert!(matches!(
        TrustAnchors::from_pem(&pem::private_key_to_pem(&first.key)),
        Err(CertificateError::Malformed(_))
    ));
}

// ---------------------------------------------------------------------------
// Chains that are refused

#[test]
fn unknown_ca_is_unknown_issuer() {
    let ours = root("Our Root");
    let theirs = root("Their Root");
    let leaf = leaf(&theirs, &["localhost"]);
    assert_refused(
        verify(&[&leaf], &anchors(&ours), "localhost"),
        CertificateError::UnknownIssuer,
        AlertDescription::UnknownCa,
    );
    // Sending their root along does not make it trusted.
    assert_refused(
        verify(&[&leaf, &theirs.der], &anchors(&ours), "localhost"),
        CertificateError::UnknownIssuer,
        AlertDescription::UnknownCa,
    );
    // A CA with our root's name but another key is still a stranger: the
    // leaf's authorityKeyIdentifier names a key no anchor has (RFC 5280
    // §4.2.1.1), so it is "not matched with a known trust anchor"
    // (RFC 8446 §6.2 unknown_ca), not a bad signature.
    let impostor = root("Our Root");
    let forged = self::leaf(&impostor, &["localhost"]);
    assert_refused(
        verify(&[&forged], &anchors(&ours), "localhost"),
        CertificateError::UnknownIssuer,
        AlertDescription::UnknownCa,
    );
}

#[test]
fn expired_and_not_yet_valid_are_certificate_expired() {
    let root = root("Test Root");
    let anchors = anchors(&root);
    let mut params = CertificateParams::server(&["localhost"], NOW);
    params.not_before = NOW - 30 * DAY;
    params.not_after = NOW - DAY;
    let expired = issue_from(&root, &params).der;
    assert_refused(
        verify(&[&expired], &anchors, "localhost"),
        CertificateError::Expired {
            not_after: NOW - DAY,
            now: NOW,
        },
        AlertDescription::CertificateExpired,
    );

    params.not_before = NOW + DAY;
    params.not_after = NOW + 30 * DAY;
    let future = issue_from(&root, &params).der;
    assert_refused(
        verify(&[&future], &anchors, "localhost"),
        CertificateError::NotYetValid {
            not_before: NOW + DAY,
            now: NOW,
        },
        AlertDescription::CertificateExpired,
    );

    // An expired intermediate spoils a fresh leaf.
    let mut params = CertificateParams::ca("Old Intermediate", NOW);
    params.not_after = NOW - 1;
    let old = issue_from(&root, &params);
    let leaf = leaf(&old, &["localhost"]);
    assert_refused(
        verify(&[&leaf, &old.der], &anchors, "localhost"),
        CertificateError::Expired {
            not_after: NOW - 1,
            now: NOW,
        },
        AlertDescription::CertificateExpired,
    );

    // The whole demo PKI, asked about a time after it expired.
    let pki = DemoPki::generate(&mut crypto::os_rng(), &["localhost"], NOW);
    let later = NOW + issue::DEMO_LIFETIME_SECONDS + 1;
    assert_refused(
        verify_server_chain(
            &[&pki.server_cert],
            &pki.trust_anchors(),
            "localhost",
            later,
        ),
        CertificateError::Expired {
            not_after: NOW + issue::DEMO_LIFETIME_SECONDS,
            now: later,
        },
        AlertDescription::CertificateExpired,
    );
}

#[test]
fn name_mismatch_is_bad_certificate() {
    let root = root("Test Root");
    let anchors = anchors(&root);
    let leaf = leaf(&root, &["localhost", "www.example.com"]);
    verify(&[&leaf], &anchors, "www.example.com").unwrap();
    verify(&[&leaf], &anchors, "WWW.Example.COM").unwrap();
    for wrong in ["example.com", "localhost.example.com", "127.0.0.1", ""] {
        assert_name_mismatch(verify(&[&leaf], &anchors, wrong), wrong);
    }

    // No subjectAltName at all: the CN is not consulted.
    let mut params = CertificateParams::server(&["localhost"], NOW);
    params.dns_names.clear();
    let cn_only = issue_from(&root, &params).der;
    assert_name_mismatch(verify(&[&cn_only], &anchors, "localhost"), "localhost");
}

#[test]
fn wildcards_match_exactly_one_left_most_label() {
    let root = root("Test Root");
    let anchors = anchors(&root);
    let leaf = leaf(&root, &["*.example.com"]);
    verify(&[&leaf], &anchors, "a.example.com").unwrap();
    verify(&[&leaf], &anchors, "A.EXAMPLE.com").unwrap();
    for wrong in ["example.com", "a.b.example.com", "a.example.org"] {
        assert_name_mismatch(verify(&[&leaf], &anchors, wrong), wrong);
    }
}

#[test]
fn ip_address_names_match_only_ip_address_entries() {
    let root = root("Test Root");
    let anchors = anchors(&root);
    // `server` turns names that parse as IP addresses into iPAddress
    // entries (RFC 5280 §4.2.1.6), in network byte order.
    let leaf = leaf(&root, &["localhost", "127.0.0.1", "::1"]);
    assert_eq!(
        Certificate::from_der(&leaf)
            .unwrap()
            .extensions
            .subject_alt_name,
        Some(vec![
            x509::GeneralName::DnsName("localhost".into()),
            x509::GeneralName::IpAddress(vec![127, 0, 0, 1]),
            x509::GeneralName::IpAddress(std::net::Ipv6Addr::LOCALHOST.octets().to_vec()),
        ])
    );
    // RFC 9525 §6.4: an IP reference identity matches an iPAddress entry
    // with the same octets, however the address is spelled.
    for name in ["127.0.0.1", "::1", "0:0:0:0:0:0:0:1", "localhost"] {
        verify(&[&leaf], &anchors, name).unwrap();
    }
    // Another address, an IPv4 address written as IPv6 (16 octets never
    // equal 4), and a bracketed literal, which is not an address at all
    // (the caller strips the brackets of `[::1]:443`), are all refused.
    for wrong in ["127.0.0.2", "::2", "::ffff:127.0.0.1", "[::1]", "10.0.0.1"] {
        assert_name_mismatch(verify(&[&leaf], &anchors, wrong), wrong);
    }

    // An IP address is never matched against dNSName entries: neither a
    // wildcard that covers its last three "labels" nor the address written
    // out as a dNSName makes this certificate valid for 127.0.0.1.
    let mut params = CertificateParams::server(&["localhost"], NOW);
    params.dns_names = vec!["*.0.0.1".into(), "127.0.0.1".into(), "::1".into()];
    let dns_only = issue_from(&root, &params).der;
    for address in ["127.0.0.1", "::1"] {
        assert_name_mismatch(verify(&[&dns_only], &anchors, address), address);
    }
    // The same wildcard still matches a DNS name, as before.
    verify(&[&dns_only], &anchors, "host.0.0.1").unwrap();

    // And a DNS name is never matched against iPAddress entries: a
    // certificate for 127.0.0.1 only is not valid for localhost.
    let ip_only = self::leaf(&root, &["127.0.0.1"]);
    verify(&[&ip_only], &anchors, "127.0.0.1").unwrap();
    assert_name_mismatch(verify(&[&ip_only], &anchors, "localhost"), "localhost");
}

/// Flip one bit in the last byte: the end of signatureValue.
fn with_bad_signature(der: &[u8]) -> Vec<u8> {
    let mut bad = der.to_vec();
    *bad.last_mut().unwrap() ^= 0x01;
    bad
}

#[test]
fn bad_signatures_are_bad_certificate() {
    let root = root("Test Root");
    let intermediate = intermediate(&root, "Test Intermediate");
    let leaf = leaf(&intermediate, &["localhost"]);
    let anchors = anchors(&root);

    let bad_leaf = with_bad_signature(&leaf);
    assert_refused(
        verify(&[&bad_leaf, &intermediate.der], &anchors, "localhost"),
        CertificateError::BadSignature,
        AlertDescription::BadCertificate,
    );
    let bad_intermediate = with_bad_signature(&intermediate.der);
    assert_refused(
        verify(&[&leaf, &bad_intermediate], &anchors, "localhost"),
        CertificateError::BadSignature,
        AlertDescription::BadCertificate,
    );
    // A leaf whose tbsCertificate was altered after signing: one byte of
    // the subject's CN (`localhost` -> `localhosu`).
    let mut altered = leaf.clone();
    let at = altered.windows(9).position(|w| w == b"localhost").unwrap();
    altered[at + 8] = b'u';
    assert_refused(
        verify(&[&altered, &intermediate.der], &anchors, "localhost"),
        CertificateError::BadSignature,
        AlertDescription::BadCertificate,
    );
}

#[test]
fn issuers_that_are_not_cas_are_refused() {
    let root = root("Test Root");
    let anchors = anchors(&root);
    let mut variants = Vec::new();

    // basicConstraints cA FALSE.
    let mut params = CertificateParams::ca("Not A CA", NOW);
    params.basic_constraints = Some(BasicConstraints {
        ca: false,
        path_len_constraint: None,
    });
    variants.push(params.clone());
    // No basicConstraints at all.
    params.basic_constraints = None;
    variants.push(params.clone());
    // cA TRUE but keyUsage without keyCertSign.
    let mut params = CertificateParams::ca("Not A CA", NOW);
    params.key_usage = Some(KeyUsage::DIGITAL_SIGNATURE);
    variants.push(params);

    for params in &variants {
        let issuer = issue_from(&root, params);
        let leaf = leaf(&issuer, &["localhost"]);
        assert_refused(
            verify(&[&leaf, &issuer.der], &anchors, "localhost"),
            CertificateError::IssuerNotCa,
            AlertDescription::BadCertificate,
        );
    }

    // A server certificate used to issue another one.
    let server = issue_from(&root, &CertificateParams::server(&["localhost"], NOW));
    let leaf = leaf(&server, &["localhost"]);
    assert_refused(
        verify(&[&leaf, &server.der], &anchors, "localhost"),
        CertificateError::IssuerNotCa,
        AlertDescription::BadCertificate,
    );
}

#[test]
fn leaf_must_be_usable_for_a_tls_server() {
    let root = root("Test Root");
    let anchors = anchors(&root);

    let mut params = CertificateParams::server(&["localhost"], NOW);
    params.key_usage = Some(KeyUsage::KEY_ENCIPHERMENT);
    let no_signing = issue_from(&root, &params).der;
    assert_refused(
        verify(&[&no_signing], &anchors, "localhost"),
        CertificateError::InvalidUsage,
        AlertDescription::UnsupportedCertificate,
    );

    let mut params = CertificateParams::server(&["localhost"], NOW);
    params.ext_key_usage = Some(vec![Oid(x509::ID_KP_CLIENT_AUTH.to_vec())]);
    let client_only = issue_from(&root, &params).der;
    assert_refused(
        verify(&[&client_only], &anchors, "localhost"),
        CertificateError::InvalidUsage,
        AlertDescription::UnsupportedCertificate,
    );

    // anyExtendedKeyUsage, or no keyUsage and extKeyUsage at all, is fine.
    params.ext_key_usage = Some(vec![Oid(x509::ANY_EXTENDED_KEY_USAGE.to_vec())]);
    verify(&[&issue_from(&root, &params).der], &anchors, "localhost").unwrap();
    params.ext_key_usage = None;
    params.key_usage = None;
    verify(&[&issue_from(&root, &params).der], &anchors, "localhost").unwrap();
}

#[test]
fn a_ca_certificate_is_not_accepted_as_a_server_leaf() {
    let root = root("Test Root");
    let anchors = anchors(&root);

    // A certificate that is fit for a server in every way (name, keyUsage
    // digitalSignature, extKeyUsage serverAuth) except that it says cA=TRUE.
    let mut params = CertificateParams::server(&["localhost"], NOW);
    let as_end_entity = issue_from(&root, &params).der;
    verify(&[&as_end_entity], &anchors, "localhost").unwrap();
    params.basic_constraints = Some(BasicConstraints {
        ca: true,
        path_len_constraint: None,
    });
    params.key_usage = Some(KeyUsage::DIGITAL_SIGNATURE.union(KeyUsage::KEY_CERT_SIGN));
    let ca_leaf = issue_from(&root, &params).der;
    assert_refused(
        verify(&[&ca_leaf], &anchors, "localhost"),
        CertificateError::InvalidUsage,
        AlertDescription::UnsupportedCertificate,
    );

    // The trust anchor itself, presented as the server's certificate.
    let mut params = CertificateParams::ca("localhost", NOW);
    params.dns_names = vec!["localhost".into()];
    params.key_usage = Some(KeyUsage::DIGITAL_SIGNATURE.union(KeyUsage::KEY_CERT_SIGN));
    let key = Ed25519PrivateKey::generate(&mut crypto::os_rng());
    let self_signed_ca = issue::self_signed(&params, &key, &mut crypto::os_rng());
    let mut trusting_it = TrustAnchors::new();
    trusting_it.add_der(&self_signed_ca).unwrap();
    assert_refused(
        verify(&[&self_signed_ca], &trusting_it, "localhost"),
        CertificateError::InvalidUsage,
        AlertDescription::UnsupportedCertificate,
    );
}

/// A CA issued by `issuer` whose extKeyUsage is `purposes`.
fn intermediate_with_eku(issuer: &Authority, purposes: &[&[u8]]) -> Authority {
    let mut params = CertificateParams::ca("EKU Intermediate", NOW);
    params.ext_key_usage = Some(purposes.iter().map(|id| Oid(id.to_vec())).collect());
    issue_from(issuer, &params)
}

#[test]
fn extended_key_usage_is_checked_on_every_certificate_of_the_path() {
    let root = root("Test Root");
    let anchors = anchors(&root);

    // An intermediate restricted to clientAuth cannot vouch for a server,
    // even though the leaf itself says serverAuth.
    let client_ca = intermediate_with_eku(&root, &[x509::ID_KP_CLIENT_AUTH]);
    let leaf_under_client_ca = leaf(&client_ca, &["localhost"]);
    assert_refused(
        verify(
            &[&leaf_under_client_ca, &client_ca.der],
            &anchors,
            "localhost",
        ),
        CertificateError::InvalidUsage,
        AlertDescription::UnsupportedCertificate,
    );

    // serverAuth, alone or among others, or anyExtendedKeyUsage, allows it.
    for purposes in [
        &[x509::ID_KP_SERVER_AUTH][..],
        &[x509::ID_KP_CLIENT_AUTH, x509::ID_KP_SERVER_AUTH],
        &[x509::ANY_EXTENDED_KEY_USAGE],
    ] {
        let ca = intermediate_with_eku(&root, purposes);
        let leaf = leaf(&ca, &["localhost"]);
        verify(&[&leaf, &ca.der], &anchors, "localhost").unwrap();
    }

    // Absence means no restriction: a leaf without extKeyUsage under an
    // intermediate with serverAuth is fine...
    let server_ca = intermediate_with_eku(&root, &[x509::ID_KP_SERVER_AUTH]);
    let mut params = CertificateParams::server(&["localhost"], NOW);
    params.ext_key_usage = None;
    let no_eku = issue_from(&server_ca, &params).der;
    verify(&[&no_eku, &server_ca.der], &anchors, "localhost").unwrap();
    // ...but not one whose own extKeyUsage lacks serverAuth.
    params.ext_key_usage = Some(vec![Oid(x509::ID_KP_CLIENT_AUTH.to_vec())]);
    let client_leaf = issue_from(&server_ca, &params).der;
    assert_refused(
        verify(&[&client_leaf, &server_ca.der], &anchors, "localhost"),
        CertificateError::InvalidUsage,
        AlertDescription::UnsupportedCertificate,
    );

    // The trust anchor is held to the same rule.
    let mut params = CertificateParams::ca("Client Root", NOW);
    params.ext_key_usage = Some(vec![Oid(x509::ID_KP_CLIENT_AUTH.to_vec())]);
    let key = Ed25519PrivateKey::generate(&mut crypto::os_rng());
    let client_root = authority(
        issue::self_signed(&params, &key, &mut crypto::os_rng()),
        key,
    );
    let leaf_under_client_root = leaf(&client_root, &["localhost"]);
    assert_refused(
        verify(
            &[&leaf_under_client_root],
            &self::anchors(&client_root),
            "localhost",
        ),
        CertificateError::InvalidUsage,
        AlertDescription::UnsupportedCertificate,
    );
}

#[test]
fn the_purpose_is_a_parameter_of_the_verifier() {
    let root = root("Test Root");
    let anchors = anchors(&root);
    let client_ca = intermediate_with_eku(&root, &[x509::ID_KP_CLIENT_AUTH]);
    let mut params = CertificateParams::server(&["client"], NOW);
    params.ext_key_usage = Some(vec![Oid(x509::ID_KP_CLIENT_AUTH.to_vec())]);
    let client_leaf = issue_from(&client_ca, &params).der;
    let chain: &[&[u8]] = &[&client_leaf, &client_ca.der];

    // Good for a client, not for a server...
    let verified = verify_chain(chain, &anchors, KeyPurpose::ClientAuth, NOW).unwrap();
    assert_eq!(verified.leaf.subject.text, "CN=client");
    assert_eq!(verified.signatures_checked, 2);
    assert_refused(
        verify_chain(chain, &anchors, KeyPurpose::ServerAuth, NOW),
        CertificateError::InvalidUsage,
        AlertDescription::UnsupportedCertificate,
    );
    // ...and a server's chain is no good for a client.
    let server_leaf = leaf(&root, &["localhost"]);
    verify_chain(&[&server_leaf], &anchors, KeyPurpose::ServerAuth, NOW).unwrap();
    assert_refused(
        verify_chain(&[&server_leaf], &anchors, KeyPurpose::ClientAuth, NOW),
        CertificateError::InvalidUsage,
        AlertDescription::UnsupportedCertificate,
    );
}

// ---------------------------------------------------------------------------
// Malformed input

/// A demo server certificate, whose outer header is `30 82 hi lo`, and
/// anchors that trust it.
fn demo_cert() -> (Vec<u8>, TrustAnchors) {
    let pki = DemoPki::generate(&mut crypto::os_rng(), &["localhost"], NOW);
    assert_eq!(pki.server_cert[..2], [0x30, 0x82]);
    (pki.server_cert.clone(), pki.trust_anchors())
}

fn assert_malformed(result: Result<VerifiedServerCert, CertificateError>) {
    let error = result.expect_err("malformed input should be refused");
    assert!(
        matches!(error, CertificateError::Malformed(_)),
        "expected Malformed, got {error:?}"
    );
    assert_eq!(
        Error::from(error).alert(),
        Some(AlertDescription::BadCertificate)
    );
}

#[test]
fn malformed_der_is_bad_certificate() {
    let (cert, anchors) = demo_cert();
    // Truncated.
    assert_malformed(verify(&[&cert[..cert.len() - 1]], &anchors, "localhost"));
    // Garbage, and nothing.
    assert_malformed(verify(&[b"not a certificate"], &anchors, "localhost"));
    assert_malformed(verify(&[&[]], &anchors, "localhost"));
    assert_malformed(verify(&[], &anchors, "localhost"));
    // An outer length one longer than the bytes that follow it.
    let mut overrun = cert.clone();
    overrun[3] = overrun[3].wrapping_add(1);
    assert_malformed(verify(&[&overrun], &anchors, "localhost"));
    // Trailing bytes after the certificate.
    let mut trailing = cert.clone();
    trailing.push(0);
    assert_malformed(verify(&[&trailing], &anchors, "localhost"));
    // A non-minimal length: `30 81 05` where `30 05` would do.
    assert_malformed(verify(
        &[&[0x30, 0x81, 0x05, 0x02, 0x01, 0x00, 0x05, 0x00]],
        &anchors,
        "localhost",
    ));
    // The same certificate with its outer length in three octets instead
    // of two (`30 83 00 hi lo`).
    let mut long_form = vec![0x30, 0x83, 0x00];
    long_form.extend_from_slice(&cert[2..]);
    assert_malformed(verify(&[&long_form], &anchors, "localhost"));
    // The indefinite form, which BER allows and DER does not.
    let mut indefinite = vec![0x30, 0x80];
    indefinite.extend_from_slice(&cert[4..]);
    indefinite.extend_from_slice(&[0, 0]);
    assert_malformed(verify(&[&indefinite], &anchors, "localhost"));
    // A malformed certificate after a good chain is still refused: every
    // presented certificate must parse.
    assert_malformed(verify(&[&cert, b"junk"], &anchors, "localhost"));
    // And as a trust anchor.
    assert!(matches!(
        TrustAnchors::new().add_der(&cert[..100]),
        Err(CertificateError::Malformed(_))
    ));
}

#[test]
fn every_truncation_and_every_flipped_byte_is_refused_without_panic() {
    let (cert, anchors) = demo_cert();
    for len in 0..cert.len() {
        assert_malformed(verify(&[&cert[..len]], &anchors, "localhost"));
        assert!(Certificate::from_der(&cert[..len]).is_err());
    }
    // Every byte is covered by a DER rule or by the signature, so no
    // single-byte change can be accepted.
    for at in 0..cert.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut bad = cert.clone();
            bad[at] ^= flip;
            let result = verify(&[&bad], &anchors, "localhost");
            assert!(result.is_err(), "flipping {flip:#x} at {at} was accepted");
            let mut as_anchor = TrustAnchors::new();
            let _ = as_anchor.add_der(&bad);
        }
    }
}

// ---------------------------------------------------------------------------
// OpenSSL interop

#[test]
fn ecdsa_certificate_from_openssl_is_unsupported_certificate() {
    let tmp = TempDir::new("pki-ecdsa");
    let dir = tmp.path().to_path_buf();
    openssl_ok(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
            "ec.key",
            "-out",
            "ec.pem",
            "-days",
            "30",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ],
    );
    let ec = read_cert_pem(&dir.join("ec.pem"));
    // It parses (so the verdict can be precise)...
    let parsed = Certificate::from_der(&ec).unwrap();
    assert_eq!(
        parsed.public_key_algorithm.algorithm.to_string(),
        "1.2.840.10045.2.1"
    );
    // ...and is refused as an algorithm we do not speak, whoever trusts it.
    let mut trusting_it = TrustAnchors::new();
    trusting_it.add_der(&ec).unwrap();
    let now = unix_now();
    assert_refused(
        verify_server_chain(&[&ec], &trusting_it, "localhost", now),
        CertificateError::UnsupportedAlgorithm,
        AlertDescription::UnsupportedCertificate,
    );
    let (_, demo_anchors) = demo_cert();
    assert_refused(
        verify_server_chain(&[&ec], &demo_anchors, "localhost", now),
        CertificateError::UnsupportedAlgorithm,
        AlertDescription::UnsupportedCertificate,
    );

    // An Ed25519 leaf signed by that ECDSA CA: the leaf key is fine, the
    // signature on it is not one we can check.
    let ca = Certificate::from_der(&ec).unwrap();
    let leaf_key = Ed25519PrivateKey::generate(&mut crypto::os_rng());
    let bogus_issuer_key = Ed25519PrivateKey::generate(&mut crypto::os_rng());
    let leaf = issue::issue(
        &CertificateParams::server(&["localhost"], now),
        &leaf_key.public_key(),
        &ca,
        &bogus_issuer_key,
        &mut crypto::os_rng(),
    );
    assert_refused(
        verify_server_chain(&[&leaf], &trusting_it, "localhost", now),
        CertificateError::UnsupportedAlgorithm,
        AlertDescription::UnsupportedCertificate,
    );
}

#[test]
fn openssl_verify_accepts_the_demo_pki() {
    let tmp = TempDir::new("pki-demo-openssl");
    let dir = tmp.path().to_path_buf();
    let pki = DemoPki::generate(&mut crypto::os_rng(), &["localhost"], unix_now());
    pki.write_to_dir(&dir).unwrap();

    let out = openssl_ok(&dir, &["verify", "-CAfile", "ca.pem", "server.pem"]);
    assert!(out.contains("server.pem: OK"), "{out}");
    let out = openssl_ok(
        &dir,
        &[
            "verify",
            "-CAfile",
            "ca.pem",
            "-purpose",
            "sslserver",
            "-verify_hostname",
            "localhost",
            "server.pem",
        ],
    );
    assert!(out.contains("OK"), "{out}");
    let text = openssl_ok(&dir, &["x509", "-in", "server.pem", "-noout", "-text"]);
    assert!(text.contains("DNS:localhost"), "{text}");
    assert!(text.contains("ED25519"), "{text}");
    openssl_ok(&dir, &["pkey", "-in", "server.key", "-noout"]);
    openssl_ok(&dir, &["pkey", "-in", "ca.key", "-noout"]);
}

#[test]
fn openssl_reads_ip_address_names() {
    let tmp = TempDir::new("pki-ip-openssl");
    let dir = tmp.path().to_path_buf();
    let pki = DemoPki::generate(&mut crypto::os_rng(), &["127.0.0.1", "::1"], unix_now());
    pki.write_to_dir(&dir).unwrap();

    let text = openssl_ok(&dir, &["x509", "-in", "server.pem", "-noout", "-text"]);
    assert!(text.contains("IP Address:127.0.0.1"), "{text}");
    // OpenSSL 3.0 writes IPv6 in full; later versions may compress it.
    assert!(
        text.contains("IP Address:0:0:0:0:0:0:0:1") || text.contains("IP Address:::1"),
        "{text}"
    );
    assert!(!text.contains("DNS:"), "{text}");
    for address in ["127.0.0.1", "::1"] {
        let out = openssl_ok(
            &dir,
            &[
                "verify",
                "-CAfile",
                "ca.pem",
                "-purpose",
                "sslserver",
                "-verify_ip",
                address,
                "server.pem",
            ],
        );
        assert!(out.contains("server.pem: OK"), "{out}");
    }
    // OpenSSL, too, refuses another address.
    let (ok, out) = openssl(
        &dir,
        &[
            "verify",
            "-CAfile",
            "ca.pem",
            "-verify_ip",
            "127.0.0.2",
            "server.pem",
        ],
    );
    assert!(!ok, "{out}");
}

#[test]
fn openssl_agrees_that_an_intermediate_extended_key_usage_binds_the_leaf() {
    let tmp = TempDir::new("pki-eku-openssl");
    let dir = tmp.path().to_path_buf();
    let root = root("Test Root");
    std::fs::write(dir.join("root.pem"), pem::cert_to_pem(&root.der)).unwrap();
    let at = NOW.to_string();
    for (purposes, accepted) in [
        (&[x509::ID_KP_CLIENT_AUTH][..], false),
        (&[x509::ID_KP_SERVER_AUTH][..], true),
    ] {
        let ca = intermediate_with_eku(&root, purposes);
        let leaf = leaf(&ca, &["localhost"]);
        std::fs::write(dir.join("ca.pem"), pem::cert_to_pem(&ca.der)).unwrap();
        std::fs::write(dir.join("leaf.pem"), pem::cert_to_pem(&leaf)).unwrap();
        let (ok, out) = openssl(
            &dir,
            &[
                "verify",
                "-attime",
                &at,
                "-CAfile",
                "root.pem",
                "-untrusted",
                "ca.pem",
                "-purpose",
                "sslserver",
                "leaf.pem",
            ],
        );
        assert_eq!(ok, accepted, "{out}");
        if !accepted {
            // X509_V_ERR_INVALID_PURPOSE, at depth 1: the intermediate.
            assert!(out.contains("error 26 at 1 depth"), "{out}");
        }
        assert_eq!(
            verify(&[&leaf, &ca.der], &anchors(&root), "localhost").is_ok(),
            accepted
        );
    }
}

#[test]
fn ed25519_chain_made_by_openssl_validates() {
    let tmp = TempDir::new("pki-openssl-chain");
    let dir = tmp.path().to_path_buf();
    openssl_ok(
        &dir,
        &["genpkey", "-algorithm", "ed25519", "-out", "ca.key"],
    );
    openssl_ok(
        &dir,
        &[
            "req",
            "-new",
            "-x509",
            "-key",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-subj",
            "/O=minitls tests/CN=OpenSSL Test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    openssl_ok(
        &dir,
        &["genpkey", "-algorithm", "ed25519", "-out", "leaf.key"],
    );
    openssl_ok(
        &dir,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=DNS:localhost\n\
         keyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl_ok(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            "30",
            "-extfile",
            "leaf.ext",
        ],
    );

    let ca_pem = std::fs::read_to_string(dir.join("ca.pem")).unwrap();
    let anchors = TrustAnchors::from_pem(&ca_pem).unwrap();
    let leaf = read_cert_pem(&dir.join("leaf.pem"));
    let verified = verify_server_chain(&[&leaf], &anchors, "localhost", unix_now()).unwrap();
    assert_eq!(verified.subject, "CN=localhost");
    // RFC 4514 lists the RDNs last to first.
    assert_eq!(verified.issuer, "CN=OpenSSL Test CA,O=minitls tests");
    // The key in the certificate is the one in openssl's key file.
    let leaf_key =
        pem::private_key_from_pem(&std::fs::read_to_string(dir.join("leaf.key")).unwrap()).unwrap();
    assert_eq!(verified.public_key, leaf_key.public_key());

    // A leaf carrying a critical extension nobody understands.
    std::fs::write(
        dir.join("odd.ext"),
        "subjectAltName=DNS:localhost\n1.2.3.4=critical,ASN1:NULL\n",
    )
    .unwrap();
    openssl_ok(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "odd.pem",
            "-days",
            "30",
            "-extfile",
            "odd.ext",
        ],
    );
    let odd = read_cert_pem(&dir.join("odd.pem"));
    assert_refused(
        verify_server_chain(&[&odd], &anchors, "localhost", unix_now()),
        CertificateError::UnsupportedCriticalExtension,
        AlertDescription::UnsupportedCertificate,
    );

    // Our CA can issue under openssl's CA, and openssl accepts the result.
    let ca = authority(
        read_cert_pem(&dir.join("ca.pem")),
        pem::private_key_from_pem(&std::fs::read_to_string(dir.join("ca.key")).unwrap()).unwrap(),
    );
    let ours = issue_from(&ca, &CertificateParams::server(&["localhost"], unix_now()));
    std::fs::write(dir.join("ours.pem"), pem::cert_to_pem(&ours.der)).unwrap();
    let out = openssl_ok(&dir, &["verify", "-CAfile", "ca.pem", "ours.pem"]);
    assert!(out.contains("OK"), "{out}");
    verify_server_chain(&[&ours.der], &anchors, "localhost", unix_now()).unwrap();
}

#[test]
fn private_keys_interoperate_with_openssl() {
    let tmp = TempDir::new("pki-keys");
    let dir = tmp.path().to_path_buf();
    // openssl's key, read by us and written back identically.
    openssl_ok(
        &dir,
        &["genpkey", "-algorithm", "ed25519", "-out", "theirs.key"],
    );
    let theirs_text = std::fs::read_to_string(dir.join("theirs.key")).unwrap();
    let theirs = pem::private_key_from_pem(&theirs_text).unwrap();
    assert_eq!(pem::private_key_to_pem(&theirs), theirs_text);
    openssl_ok(
        &dir,
        &[
            "pkey",
            "-in",
            "theirs.key",
            "-pubout",
            "-outform",
            "DER",
            "-out",
            "theirs.pub",
        ],
    );
    let public_der = std::fs::read(dir.join("theirs.pub")).unwrap();
    assert_eq!(public_der[public_der.len() - 32..], theirs.public_key());

    // Our key, read by openssl, which writes back exactly our bytes.
    let ours = Ed25519PrivateKey::generate(&mut crypto::os_rng());
    let ours_text = pem::private_key_to_pem(&ours);
    std::fs::write(dir.join("ours.key"), &ours_text).unwrap();
    openssl_ok(&dir, &["pkey", "-in", "ours.key", "-noout"]);
    openssl_ok(&dir, &["pkey", "-in", "ours.key", "-out", "ours-again.key"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("ours-again.key")).unwrap(),
        ours_text
    );
}
