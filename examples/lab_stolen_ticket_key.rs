//! Attack lab: a stolen ticket key against two recorded resumptions.
//!
//! A minitls server seals its tickets with keys from a key file (the
//! stateless strategy, shared by a fleet: `minitls server --ticket-keys`).
//! An eavesdropper records two resumed connections of one client, one in
//! `psk_ke` mode and one in `psk_dhe_ke` mode, and later steals the key
//! file. What can it read?
//!
//! - The ticket travels in clear in the ClientHello's `pre_shared_key`
//!   extension; the stolen key opens it and gives the PSK.
//! - With `psk_ke`, the PSK is the only input to the key schedule (RFC 8446
//!   §7.1, the (EC)DHE input is all zeros), so the recording decrypts:
//!   the server's handshake messages, then the client's application data.
//! - With `psk_dhe_ke`, the handshake secret also takes the X25519 shared
//!   secret of that connection, which was never on the wire and is gone:
//!   the first protected record does not open (RFC 8446 §2.2, Appendix E.1).
//!
//! Run it: `cargo run --example lab_stolen_ticket_key`. Its output is a
//! reviewed snapshot (`tests/examples.rs`).

use std::sync::{Arc, Mutex};

use minitls::key_schedule::EarlySecret;
use minitls::messages::{HandshakeMessage, PSK_DHE_KE, PSK_KE};
use minitls::pki::issue::DemoPki;
use minitls::record::{ContentType, OpaqueRecord, RecordProtection};
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::client_cache::ClientSessionCache;
use minitls::resumption::ticket_keys::TicketKeys;
use minitls::resumption::ticketer::Ticketer;
use minitls::testing::{FIXED_NOW, Pair, SeededRng, Side, records_sent};
use minitls::time::FixedClock;
use minitls::transcript::Transcript;
use minitls::{ClientConfig, Connection, ServerConfig};

/// What the client says on each resumed connection.
const SECRET: &str = "PIN 4711";

fn main() {
    let pki = DemoPki::generate(&mut SeededRng::new(1), &["localhost"], FIXED_NOW.as_secs());
    // The server's key file: what the attacker will steal.
    let keys = TicketKeys::generate(&mut SeededRng::new(2), FIXED_NOW);
    let mut server = ServerConfig::new(vec![pki.server_cert.clone()], pki.server_key.clone());
    server.rng = SeededRng::shared(3);
    server.clock = Arc::new(FixedClock(FIXED_NOW));
    server.resumption = Some(Arc::new(Ticketer::from_keys(&keys)));
    server.psk_modes = vec![PSK_DHE_KE, PSK_KE];
    let server = Arc::new(server);
    let cache = Arc::new(Mutex::new(ClientSessionCache::new(8)));

    println!("1. A full handshake gives the client its tickets.");
    let mut full = connect(&pki, &server, &cache, vec![PSK_DHE_KE], 4);
    full.drive().expect("full handshake");

    for (name, mode, seed) in [("psk_ke", PSK_KE, 5), ("psk_dhe_ke", PSK_DHE_KE, 6)] {
        println!(
            "\n2. The client resumes in {name} and sends {SECRET:?}; the attacker records it."
        );
        let mut pair = connect(&pki, &server, &cache, vec![mode], seed);
        let mut recorded = Vec::new();
        pair.drive_observed(|side, bytes| recorded.push((side, bytes.to_vec())))
            .expect("resumption");
        assert!(
            pair.server.negotiated().resumed,
            "the {name} connection resumed"
        );
        pair.client.send(SECRET.as_bytes()).expect("send");
        pair.drive_observed(|side, bytes| recorded.push((side, bytes.to_vec())))
            .expect("application data");

        println!("3. Later the attacker steals the key file and replays the recording:");
        for line in attack(&recorded, &keys) {
            println!("   {line}");
        }
    }
}

/// A client (sharing `cache`) and the server, joined in memory.
fn connect(
    pki: &DemoPki,
    server: &Arc<ServerConfig>,
    cache: &Arc<Mutex<ClientSessionCache>>,
    psk_modes: Vec<u8>,
    seed: u64,
) -> Pair {
    let mut client = ClientConfig::new(pki.trust_anchors());
    client.rng = SeededRng::shared(seed);
    client.clock = Arc::new(FixedClock(FIXED_NOW));
    client.session_cache = Some(cache.clone());
    client.psk_modes = psk_modes;
    let client = Connection::client(Arc::new(client), "localhost").expect("client");
    Pair::new(client, Connection::server(server.clone()))
}

/// Everything the attacker learns from a recording and the stolen keys.
fn attack(recorded: &[(Side, Vec<u8>)], stolen: &TicketKeys) -> Vec<String> {
    let mut out = Vec::new();
    let client = records_sent(recorded, Side::Client);
    let server = records_sent(recorded, Side::Server);

    // The ClientHello is in clear, and so is the ticket inside it.
    let client_hello = &client[0].fragment;
    let Ok(HandshakeMessage::ClientHello(hello)) = HandshakeMessage::decode(client_hello) else {
        return vec!["the first record is not a ClientHello".into()];
    };
    let Some(offer) = &hello.extensions.pre_shared_key else {
        return vec!["no ticket offered".into()];
    };
    let ticket = &offer.identities[0].identity;
    let Ok(session) = Ticketer::from_keys(stolen).look_up(ticket, FIXED_NOW) else {
        return vec!["the stolen key does not open the ticket".into()];
    };
    out.push(format!(
        "opened the {}-byte ticket from the ClientHello: PSK = {}...",
        ticket.len(),
        hex::encode(&session.psk.as_bytes()[..8])
    ));

    // The key schedule from the PSK alone: what psk_ke uses (RFC 8446 §7.1).
    let mut transcript = Transcript::new();
    transcript.add(client_hello);
    transcript.add(&server[0].fragment);
    let handshake = EarlySecret::new(Some(session.psk.as_bytes())).into_handshake_secret(None);
    let server_hs = handshake.server_handshake_traffic_secret(&transcript.current());
    let mut server_keys = RecordProtection::new(&server_hs.traffic_keys());
    for record in server.iter().filter(|r| r.content_type == 23) {
        let Ok((ContentType::Handshake, plaintext)) = server_keys.decrypt(record.clone()) else {
            out.push(
                "the server's first protected record does not open (bad_record_mac): \
                 its key also needs the X25519 shared secret, which never crossed the wire"
                    .into(),
            );
            return out;
        };
        let mut rest = plaintext.as_slice();
        while rest.len() >= 4 {
            let len = usize::from(rest[1]) << 16 | usize::from(rest[2]) << 8 | usize::from(rest[3]);
            let (message, after) = rest.split_at((4 + len).min(rest.len()));
            let name = HandshakeMessage::decode(message).map_or("?", |m| m.name());
            out.push(format!(
                "decrypted the server's {name} ({} bytes)",
                message.len()
            ));
            transcript.add(message);
            rest = after;
            if name == "Finished" {
                return read_application_data(out, handshake, &transcript, &client);
            }
        }
    }
    out
}

/// With the transcript through the server's Finished, the client's
/// application traffic secret, and its first application record.
fn read_application_data(
    mut out: Vec<String>,
    handshake: minitls::key_schedule::HandshakeSecret,
    transcript: &Transcript,
    client: &[OpaqueRecord],
) -> Vec<String> {
    let application = handshake.into_master_secret();
    let secret = application.client_application_traffic_secret_0(&transcript.current());
    let mut keys = RecordProtection::new(&secret.traffic_keys());
    // The client's protected records: its Finished (under its handshake
    // key), then the application data.
    let Some(record) = client.iter().filter(|r| r.content_type == 23).nth(1) else {
        out.push("no application data recorded".into());
        return out;
    };
    match keys.decrypt(record.clone()) {
        Ok((ContentType::ApplicationData, data)) => out.push(format!(
            "decrypted the client's application data: {:?}",
            String::from_utf8_lossy(&data)
        )),
        _ => out.push("the application data did not open".into()),
    }
    out
}
