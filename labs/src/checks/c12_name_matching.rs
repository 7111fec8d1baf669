//! Check of exercise 12 (matching a server name) against minitls's
//! `dns_name_matches` and against real handshakes: a server certificate
//! issued by the demo CA for the presented name, and a client asking for
//! the reference name.

use std::sync::Arc;

use minitls::Connection;
use minitls::pki::issue::{CertificateParams, DemoPki, issue};
use minitls::pki::verify::dns_name_matches;
use minitls::pki::x509::Certificate;
use minitls::testing::{
    CLIENT_SEED, FIXED_NOW, PKI_SEED, Pair, SERVER_SEED, SeededRng, client_config, demo_pki,
    server_config,
};

use crate::e12_name_matching::name_matches;

/// (presented, reference) pairs.
const CASES: &[(&str, &str)] = &[
    ("localhost", "localhost"),
    ("www.example.com", "WWW.Example.COM"),
    ("www.example.com", "www.example.com."),
    ("www.example.com", "example.com"),
    ("*.example.com", "www.example.com"),
    ("*.example.com", "WWW.EXAMPLE.COM."),
    ("*.example.com", "example.com"),
    ("*.example.com", "a.b.example.com"),
    ("w*.example.com", "www.example.com"),
    ("www.*.com", "www.example.com"),
    ("*.com", "example.com"),
];

/// Whether a real client asking for `reference` completes a handshake with
/// a server whose certificate presents only `presented`. `None` when the
/// client refuses `reference` as a server name before any handshake.
fn handshake_completes(pki: &DemoPki, presented: &str, reference: &str) -> Option<bool> {
    let mut rng = SeededRng::new(SERVER_SEED);
    let server_key = minitls::crypto::Ed25519PrivateKey::generate(&mut rng);
    let ca = Certificate::from_der(&pki.ca_cert).expect("the demo CA parses");
    let params = CertificateParams::server(&[presented], FIXED_NOW.as_secs());
    let server_cert = issue(
        &params,
        &server_key.public_key(),
        &ca,
        &pki.ca_key,
        &mut rng,
    );
    let site = DemoPki {
        ca_cert: pki.ca_cert.clone(),
        ca_key: pki.ca_key.clone(),
        server_cert,
        server_key,
    };
    let client = Connection::client(Arc::new(client_config(pki, CLIENT_SEED)), reference).ok()?;
    let server = Connection::server(Arc::new(server_config(&site, SERVER_SEED)));
    let mut pair = Pair::new(client, server);
    let result = pair.drive();
    Some(result.is_ok() && pair.client.is_connected())
}

/// Holds `name_matches` to minitls's matcher and to real handshakes.
pub fn check() -> Result<(), String> {
    let pki = demo_pki(PKI_SEED);
    for &(presented, reference) in CASES {
        let yours = name_matches(presented, reference);
        let expected = dns_name_matches(presented, reference);
        if yours != expected {
            return Err(format!(
                "name_matches({presented:?}, {reference:?}) is {yours}, but minitls says {expected}"
            ));
        }
        // A client that refuses the name outright (minitls refuses an
        // absolute name with its trailing dot) runs no handshake.
        let real = handshake_completes(&pki, presented, reference);
        if real.is_some_and(|completes| completes != yours) {
            return Err(format!(
                "a client asking for {reference:?} and a certificate for {presented:?}: you say {yours}, but the handshake {}",
                if yours { "fails" } else { "completes" }
            ));
        }
    }
    Ok(())
}
