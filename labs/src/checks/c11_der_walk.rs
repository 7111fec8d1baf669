//! Check of exercise 11 (DER TLVs and the subjectPublicKey) against
//! minitls's own DER reader and the demo PKI's real keys.

use minitls::pki::der::Reader;
use minitls::pki::x509::Certificate;
use minitls::testing::{PKI_SEED, demo_pki};

use super::same;
use crate::e11_der_walk::{read_tlv, subject_public_key};

/// DER inputs, good and bad, each held to minitls's reader.
fn cases(certificate: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut long = vec![0x04, 0x81, 200];
    long.extend_from_slice(&[0xab; 200]);
    long.extend_from_slice(&[0x05, 0x00]);
    vec![
        ("the demo server's certificate", certificate.to_vec()),
        ("a short form length", vec![0x04, 0x03, 1, 2, 3, 0x05, 0x00]),
        ("a long form length (200)", long),
        (
            "a long form for a short length",
            vec![0x04, 0x81, 0x05, 1, 2, 3, 4, 5],
        ),
        (
            "the indefinite length",
            vec![0x30, 0x80, 0x05, 0x00, 0x00, 0x00],
        ),
        (
            "a length with a leading zero",
            [vec![0x04, 0x82, 0x00, 0x90], vec![7; 0x90]].concat(),
        ),
        ("contents past the end", vec![0x04, 0x05, 1, 2]),
        ("a lone tag", vec![0x04]),
        ("nothing", vec![]),
    ]
}

/// Holds `read_tlv` to minitls's DER reader and `subject_public_key` to
/// the demo certificates' real keys.
pub fn check() -> Result<(), String> {
    let pki = demo_pki(PKI_SEED);
    for (what, input) in cases(&pki.server_cert) {
        let theirs = Reader::new(&input).read_tlv("a TLV").ok();
        let yours = read_tlv(&input);
        match (yours, theirs) {
            (None, None) => {}
            (Some((tag, contents, rest)), Some(tlv)) => {
                if tag != tlv.tag {
                    return Err(format!("{what}: tag {tag:#04x}, expected {:#04x}", tlv.tag));
                }
                same(&format!("{what}: contents"), contents, tlv.contents)?;
                same(
                    &format!("{what}: the bytes after the TLV"),
                    rest,
                    &input[tlv.encoded.len()..],
                )?;
            }
            (Some(_), None) => {
                return Err(format!(
                    "{what} ({}): DER refuses it, but read_tlv accepted it",
                    hex::encode(&input[..input.len().min(8)])
                ));
            }
            (None, Some(_)) => {
                return Err(format!("{what}: a valid TLV, but read_tlv refused it"));
            }
        }
    }

    for (what, der, key) in [
        (
            "the server certificate",
            &pki.server_cert,
            pki.server_key.public_key(),
        ),
        ("the CA certificate", &pki.ca_cert, pki.ca_key.public_key()),
    ] {
        let parsed = Certificate::from_der(der).map_err(|e| format!("{what}: {e}"))?;
        let expected = parsed
            .ed25519_public_key()
            .map_err(|e| format!("{what}: {e}"))?;
        assert_eq!(expected, key, "minitls's parser agrees with the key pair");
        let yours =
            subject_public_key(der).ok_or(format!("subject_public_key found no key in {what}"))?;
        same(&format!("subject_public_key of {what}"), yours, &key)?;
    }
    Ok(())
}
