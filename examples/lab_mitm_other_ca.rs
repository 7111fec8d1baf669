//! Attack lab: a man in the middle with a valid certificate from another CA.
//!
//! The attacker sits between the client and `localhost` and answers the
//! client itself, with a real TLS 1.3 server of its own. It holds a
//! certificate for the right name, `localhost`, that is valid in every
//! respect but one: a CA the client does not trust issued it. The attacker
//! even names its CA exactly like the real one, `CN=minitls demo CA`.
//!
//! 1. The client, trusting only the real CA, connects to the real server:
//!    accepted.
//! 2. It connects to the man in the middle: the chain leads to no trust
//!    anchor, and the client refuses with `unknown_ca` (RFC 8446 §6.2).
//! 3. A client that also trusts the attacker's CA (a root installed on the
//!    machine) accepts the very same certificate bytes: the refusal was
//!    about the trust anchor, not about the certificate.
//!
//! Everything printed comes from real connections. Run it:
//! `cargo run --example lab_mitm_other_ca`. Its output is a reviewed
//! snapshot (`tests/examples.rs`).

use std::sync::Arc;

use minitls::crypto::sha256;
use minitls::messages::HandshakeMessage;
use minitls::pki::issue::DemoPki;
use minitls::pki::verify::TrustAnchors;
use minitls::pki::x509::Certificate;
use minitls::testing::{FIXED_NOW, Pair, SeededRng, client_config, demo_pki, server_config};
use minitls::trace::{RecordedEvent, Recorder};
use minitls::{ClientConfig, Connection};

fn main() {
    let real = demo_pki(1);
    // Another CA, with the same name, and its certificate for "localhost".
    let attacker = DemoPki::generate(&mut SeededRng::new(66), &["localhost"], FIXED_NOW.as_secs());
    for (who, pki) in [("real server", &real), ("attacker", &attacker)] {
        let cert = Certificate::from_der(&pki.server_cert).expect("parses");
        let ca = Certificate::from_der(&pki.ca_cert).expect("parses");
        println!(
            "the {who}'s certificate: subject {}, issuer {}, CA key {}..",
            cert.subject.text,
            cert.issuer.text,
            hex(&ca.subject_public_key[..6])
        );
    }

    println!("\n1. The client trusts the real CA and connects to the real server.");
    let trusts_real = client_config(&real, 2);
    let (pair, log) = connect(trusts_real, &real);
    println!("   client: {}", outcome(&pair.client, &log));

    println!("\n2. The man in the middle answers instead, with its own certificate.");
    let trusts_real = client_config(&real, 2);
    let (pair, log) = connect(trusts_real, &attacker);
    println!("   client: {}", outcome(&pair.client, &log));
    println!(
        "   the attacker's server: {}",
        outcome(&pair.server, &Recorder::default())
    );
    let refused = received_leaf(&log);

    println!("\n3. A client that also trusts the attacker's CA meets the same server.");
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&real.ca_cert).expect("real CA");
    anchors.add_der(&attacker.ca_cert).expect("attacker's CA");
    let mut trusts_both = ClientConfig::new(anchors);
    trusts_both.rng = SeededRng::shared(2);
    trusts_both.clock = Arc::new(minitls::time::FixedClock(FIXED_NOW));
    let (pair, log) = connect(trusts_both, &attacker);
    println!("   client: {}", outcome(&pair.client, &log));
    let accepted = received_leaf(&log);
    println!(
        "   certificate refused in 2: sha256 {}..\n   certificate accepted in 3: sha256 {}..",
        hex(&sha256(&refused)[..8]),
        hex(&sha256(&accepted)[..8])
    );
    println!("   the same bytes: {}", refused == accepted);
}

/// A handshake between a client made from `client` and a server holding
/// `pki`'s certificate. Returns the pair and the client's events.
fn connect(client: ClientConfig, pki: &DemoPki) -> (Pair, Recorder) {
    let log = Recorder::default();
    let client =
        Connection::client_with_observer(Arc::new(client), "localhost", Box::new(log.clone()))
            .expect("client starts");
    let server = Connection::server(Arc::new(server_config(pki, 3)));
    let mut pair = Pair::new(client, server);
    let _ = pair.drive();
    // Whatever the client queued last (its alert) reaches the server.
    let _ = pair.client_to_server();
    (pair, log)
}

/// The first certificate of the Certificate message the client received,
/// as it came off the wire.
fn received_leaf(log: &Recorder) -> Vec<u8> {
    log.events()
        .into_iter()
        .find_map(|event| match event {
            RecordedEvent::MessageReceived("Certificate", bytes) => {
                match HandshakeMessage::decode(&bytes) {
                    Ok(HandshakeMessage::Certificate(c)) => {
                        c.certificate_list.first().map(|e| e.cert_data.clone())
                    }
                    _ => None,
                }
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// "connected", or the error that closed the connection and the alert
/// the connection sent (from its events in `log`).
fn outcome(conn: &Connection, log: &Recorder) -> String {
    let sent = log.events().into_iter().find_map(|event| match event {
        RecordedEvent::AlertSent(alert) => Some(alert),
        _ => None,
    });
    match (conn.error(), sent) {
        (None, _) if conn.is_connected() => format!("connected ({})", conn.state_name()),
        (None, _) => format!("still handshaking ({})", conn.state_name()),
        (Some(error), Some(alert)) => format!("refused: {error}; sent the alert {alert}"),
        (Some(error), None) => format!("closed: {error}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
