//! Example 03: issuing certificates, reading them, and validating a chain.
//!
//! A tiny CA issues an Ed25519 certificate for a server; the example prints
//! it as PEM, parses it back field by field (RFC 5280 §4.1), and validates
//! it the way a client does during the handshake (RFC 5280 §6, RFC 6125).
//! Then it breaks the rules on purpose: the wrong name, the wrong time, a CA
//! nobody trusts, each refused with the alert a client would send (RFC 8446
//! §6.2). A seeded RNG makes every run print the same certificates.
//!
//! Goes with the book's "Certificate, X.509 and DER" and "Certificate validation"
//! (book/src/certificate.md, book/src/certificate-validation.md).
//!
//! ```text
//! cargo run --example 03_certificates
//! ```

use minitls::crypto::Ed25519PrivateKey;
use minitls::pki::issue::{CertificateParams, issue, self_signed};
use minitls::pki::pem;
use minitls::pki::verify::{TrustAnchors, verify_server_chain};
use minitls::pki::x509::{Certificate, KeyUsage};
use minitls::testing::{FIXED_NOW, SeededRng};

fn main() -> Result<(), minitls::Error> {
    let mut rng = SeededRng::new(3);
    let now = FIXED_NOW.as_secs(); // Unix seconds: 2026-01-01T00:00:00Z

    // 1. A root CA: a key pair and a certificate that the key signs itself.
    let ca_key = Ed25519PrivateKey::generate(&mut rng);
    let ca_der = self_signed(
        &CertificateParams::ca("Example Root CA", now),
        &ca_key,
        &mut rng,
    );
    let ca = Certificate::from_der(&ca_der)?;

    // 2. A server certificate: the server's public key, signed by the CA.
    let server_key = Ed25519PrivateKey::generate(&mut rng);
    let params = CertificateParams::server(&["localhost", "127.0.0.1"], now);
    let server_der = issue(&params, &server_key.public_key(), &ca, &ca_key, &mut rng);
    println!(
        "The server certificate, {} bytes of DER, as PEM (RFC 7468):",
        server_der.len()
    );
    print!("{}", pem::cert_to_pem(&server_der));

    // 3. Parse it back: the fields of RFC 5280 §4.1.
    let cert = Certificate::from_der(&server_der)?;
    println!("\nParsed (RFC 5280 §4.1):");
    println!("  version               v{}", cert.version + 1);
    println!(
        "  serialNumber          {}",
        hex::encode(&cert.serial_number)
    );
    println!(
        "  signature             {} (Ed25519, RFC 8410)",
        cert.signature_algorithm.algorithm
    );
    println!("  issuer                {}", cert.issuer.text);
    println!("  validity notBefore    {} (Unix seconds)", cert.not_before);
    println!("           notAfter     {}", cert.not_after);
    println!("  subject               {}", cert.subject.text);
    println!(
        "  subjectPublicKey      {}",
        hex::encode(&cert.subject_public_key)
    );
    let ext = &cert.extensions;
    let is_ca = ext.basic_constraints.map(|bc| bc.ca);
    println!("  basicConstraints      cA={is_ca:?}");
    let signs = ext
        .key_usage
        .map(|ku| ku.contains(KeyUsage::DIGITAL_SIGNATURE));
    println!("  keyUsage              digitalSignature={signs:?}");
    let eku: Vec<String> = ext
        .ext_key_usage
        .iter()
        .flatten()
        .map(|o| o.to_string())
        .collect();
    println!("  extKeyUsage           {} (serverAuth)", eku.join(", "));
    println!("  subjectAltName        {:?}", ext.subject_alt_name);
    println!(
        "  signatureValue        {} bytes",
        cert.signature_value.len()
    );

    // 4. Validate the way the client does: the chain as the Certificate
    //    message carries it (leaf first), the CAs we trust, the name we
    //    asked for, and the time now.
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&ca_der)?;
    let chain: &[&[u8]] = &[&server_der];
    let ok = verify_server_chain(chain, &anchors, "localhost", now)?;
    println!(
        "\nvalid for \"localhost\": subject {}, issuer {}",
        ok.subject, ok.issuer
    );
    println!(
        "  {} signature checked; CertificateVerify must verify under its key",
        ok.signatures_checked
    );

    // 5. The failures. Each is an error the client maps to one alert.
    let mut stranger_rng = SeededRng::new(4);
    let stranger_key = Ed25519PrivateKey::generate(&mut stranger_rng);
    let stranger = self_signed(
        &CertificateParams::ca("Some Other CA", now),
        &stranger_key,
        &mut stranger_rng,
    );
    let mut strangers = TrustAnchors::new();
    strangers.add_der(&stranger)?;

    // One bit flipped in the signature, the last bytes of the DER.
    let mut tampered = server_der.clone();
    *tampered.last_mut().unwrap() ^= 1;

    let year = 365 * 24 * 60 * 60;
    let cases = [
        (
            "the wrong name",
            verify_server_chain(chain, &anchors, "example.com", now),
        ),
        (
            "two years later",
            verify_server_chain(chain, &anchors, "localhost", now + 2 * year),
        ),
        (
            "before it was issued",
            verify_server_chain(chain, &anchors, "localhost", now - year),
        ),
        (
            "trusting another CA",
            verify_server_chain(chain, &strangers, "localhost", now),
        ),
        (
            "a flipped bit",
            verify_server_chain(&[&tampered], &anchors, "localhost", now),
        ),
    ];
    println!("\nRefused:");
    for (what, result) in cases {
        let error = result.expect_err("this chain must be refused");
        let alert = minitls::Error::from(error.clone()).alert();
        println!("  {what:<21} {error}");
        println!(
            "  {:<21} -> alert {}",
            "",
            alert.map(|a| a.name()).unwrap_or("none")
        );
    }
    Ok(())
}
