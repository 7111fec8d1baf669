//! Attack lab: which leaked key decrypts a recorded handshake?
//!
//! An eavesdropper records one full TLS 1.3 handshake between a minitls
//! client and server, and the application data that follows. Later it
//! obtains one of two keys of the server. What can it read?
//!
//! - The server's **Ed25519 signing key**, the private key of its
//!   certificate (say, a stolen `server.key`). In TLS 1.3 this key only
//!   signs: CertificateVerify (RFC 8446 §4.4.3). Nothing on the wire was
//!   encrypted to it, and the key schedule (RFC 8446 §7.1) takes the
//!   X25519 shared secret of the connection, which no long-term key
//!   yields. Even turned into an X25519 key (Ed25519 and X25519 share a
//!   curve), it gives a wrong shared secret, and the first protected
//!   record does not open. What the key does give is the future: a server
//!   that new clients accept as "localhost".
//! - The server's **X25519 ephemeral private key** of that one connection
//!   (say, a memory dump taken before the key was erased). With the
//!   client's public key from the recorded ClientHello it gives the shared
//!   secret, then every secret of the key schedule, then every record.
//!
//! That is forward secrecy (RFC 8446 §1.2, Appendix E.1): a long-term key
//! stolen later does not expose past sessions; only the per-connection
//! secret does, and it lives for one handshake.
//!
//! How the lab gets the ephemeral key: the server draws it from its seeded
//! test RNG (`minitls::testing::SeededRng`) as the first 32 bytes of the
//! stream. The "memory dump" replays that RNG, then checks the result
//! against the public key in the recorded ServerHello. A real server takes
//! the key from the OS RNG and drops it after use; nothing in minitls
//! hands it out.
//!
//! Run it: `cargo run --example lab_leaked_keys`. Its output is a reviewed
//! snapshot (`tests/examples.rs`), included in the book's chapter on
//! forward secrecy.

use std::sync::Arc;

use minitls::crypto::{self, Ed25519PrivateKey, X25519KeyPair};
use minitls::key_schedule::{EarlySecret, HandshakeSecret, TrafficSecret};
use minitls::messages::certificate_verify::{SERVER_CONTEXT, signed_content};
use minitls::messages::{HandshakeMessage, HandshakeType, signature_scheme_name};
use minitls::pki::issue::DemoPki;
use minitls::pki::x509;
use minitls::record::{ContentType, OpaqueRecord, RecordProtection};
use minitls::testing::{
    CLIENT_SEED, FIXED_NOW, PKI_SEED, Pair, SERVER_SEED, SeededRng, Side, client_config, demo_pki,
    records_sent, server_config,
};
use minitls::time::FixedClock;
use minitls::transcript::Transcript;
use minitls::{Connection, ServerConfig};

/// What the client sends once connected.
const SECRET: &str = "PIN 4711";
/// What the server answers.
const REPLY: &str = "PIN accepted";

fn main() {
    // The seeds of the book's full-handshake transcript, so the key shares
    // and secrets below are the ones printed there.
    let pki = demo_pki(PKI_SEED);
    let server = Arc::new(server_config(&pki, SERVER_SEED));
    let client = Connection::client(Arc::new(client_config(&pki, CLIENT_SEED)), "localhost")
        .expect("client");
    let mut pair = Pair::new(client, Connection::server(server));

    println!("1. A client and a server make one full handshake. The client sends {SECRET:?},");
    println!("   the server answers {REPLY:?}. An eavesdropper records every byte.");
    let mut recorded = Vec::new();
    let mut record = |side: Side, bytes: &[u8]| recorded.push((side, bytes.to_vec()));
    pair.drive_observed(&mut record).expect("handshake");
    pair.client.send(SECRET.as_bytes()).expect("client sends");
    pair.drive_observed(&mut record).expect("client's data");
    pair.server.send(REPLY.as_bytes()).expect("server sends");
    pair.drive_observed(&mut record).expect("server's data");
    let recording = Recording::new(&recorded);
    println!("   The key exchange, as it crossed the wire (in clear):");
    println!(
        "   ClientHello key_share  {}",
        hex::encode(recording.client_share)
    );
    println!(
        "   ServerHello key_share  {}",
        hex::encode(recording.server_share)
    );

    println!("\n2. Years later the attacker steals the server's Ed25519 signing key (server.key).");
    for line in with_signing_key(&recording, &pki.server_key) {
        println!("   {line}");
    }
    for line in impersonate(&pki, pki.server_key.clone()) {
        println!("   {line}");
    }

    println!("\n3. Instead, the attacker dumps the server's memory during the handshake and");
    println!("   finds the X25519 private key the server made for this one connection.");
    // The dump, replayed: the server's first 32 random bytes (module docs).
    let dumped = X25519KeyPair::generate(&mut SeededRng::new(SERVER_SEED));
    for line in with_ephemeral_key(&recording, dumped) {
        println!("   {line}");
    }
}

/// The recorded connection, cut into records, with the two key shares read
/// from the hellos, as an eavesdropper sees them.
struct Recording {
    client: Vec<OpaqueRecord>,
    server: Vec<OpaqueRecord>,
    client_hello: Vec<u8>,
    server_hello: Vec<u8>,
    client_share: [u8; 32],
    server_share: [u8; 32],
}

impl Recording {
    fn new(recorded: &[(Side, Vec<u8>)]) -> Recording {
        let client = records_sent(recorded, Side::Client);
        let server = records_sent(recorded, Side::Server);
        let client_hello = client[0].fragment.clone();
        let server_hello = server[0].fragment.clone();
        let Ok(HandshakeMessage::ClientHello(ch)) = HandshakeMessage::decode(&client_hello) else {
            panic!("the client's first record is not a ClientHello");
        };
        let Ok(HandshakeMessage::ServerHello(sh)) = HandshakeMessage::decode(&server_hello) else {
            panic!("the server's first record is not a ServerHello");
        };
        let client_share = &ch.extensions.key_share.expect("a key_share")[0].key_exchange;
        let server_share = &sh.extensions.key_share.expect("a key_share").key_exchange;
        Recording {
            client_share: client_share.as_slice().try_into().expect("32 bytes"),
            server_share: server_share.as_slice().try_into().expect("32 bytes"),
            client,
            server,
            client_hello,
            server_hello,
        }
    }

    /// The transcript through ServerHello: the context of the handshake
    /// traffic secrets (RFC 8446 §7.1).
    fn transcript_to_server_hello(&self) -> Transcript {
        let mut transcript = Transcript::new();
        transcript.add(&self.client_hello);
        transcript.add(&self.server_hello);
        transcript
    }

    /// The protected records one side sent (outer type application_data,
    /// RFC 8446 §5.2).
    fn protected(&self, side: Side) -> impl Iterator<Item = &OpaqueRecord> {
        let records = match side {
            Side::Client => &self.client,
            Side::Server => &self.server,
        };
        records
            .iter()
            .filter(|r| r.content_type == ContentType::ApplicationData.to_u8())
    }
}

/// The attacker with the certificate's private key and the recording.
fn with_signing_key(recording: &Recording, stolen: &Ed25519PrivateKey) -> Vec<String> {
    let mut out = vec![
        "Nothing in the recording was encrypted to this key: in TLS 1.3 it only signs.".into(),
    ];
    // The misconception's "the server decrypts with its private key", as
    // close as X25519 allows. RFC 8032 §5.1.5 expands the seed with
    // SHA-512; the first half, clamped, is the secret scalar. Ed25519 and
    // X25519 use one curve in two forms (RFC 7748 §4.1), so that scalar is
    // also an X25519 private key, whose public key is the certificate's.
    let signing = ed25519_dalek::SigningKey::from_bytes(stolen.seed());
    let scalar = x25519_dalek::StaticSecret::from(signing.to_scalar_bytes());
    let same_key = x25519_dalek::PublicKey::from(&scalar).to_bytes()
        == signing.verifying_key().to_montgomery().to_bytes();
    out.push("The closest it gets to \"decrypting with the private key\": convert the key".into());
    out.push(format!(
        "to X25519 (its X25519 public key is the certificate's key: {same_key}) and combine"
    ));
    out.push("it with the client's key_share, in place of the server's ephemeral key.".into());
    let shared = scalar.diffie_hellman(&x25519_dalek::PublicKey::from(recording.client_share));
    let handshake = EarlySecret::new(None).into_handshake_secret(Some(shared.as_bytes()));
    let th = recording.transcript_to_server_hello().current();
    out.push(derived(
        "s hs traffic",
        &handshake.server_handshake_traffic_secret(&th),
    ));
    match read_handshake(recording, &handshake) {
        Ok(_) => out.push("the server's handshake messages opened (this must not happen)".into()),
        Err(error) => out.push(format!(
            "the server's first protected record ({} bytes) does not open: {}",
            recording
                .protected(Side::Server)
                .next()
                .map_or(0, |r| r.fragment.len()),
            alert_name(&error),
        )),
    }
    out.push(
        "No long-term key yields the X25519 shared secret; without it, no traffic key.".into(),
    );
    out
}

/// What the signing key does give: the attacker runs a server with the
/// real certificate and the stolen key, and a new client accepts it.
fn impersonate(pki: &DemoPki, stolen: Ed25519PrivateKey) -> Vec<String> {
    let mut fake = ServerConfig::new(vec![pki.server_cert.clone()], stolen);
    fake.rng = SeededRng::shared(66);
    fake.clock = Arc::new(FixedClock(FIXED_NOW));
    let client = Connection::client(Arc::new(client_config(pki, 67)), "localhost").expect("client");
    let mut pair = Pair::new(client, Connection::server(Arc::new(fake)));
    match pair.drive() {
        Ok(()) if !pair.client.is_handshaking() => {
            let negotiated = pair.client.negotiated();
            vec![
                "What the key does give is the future. The attacker runs its own server with it:"
                    .into(),
                format!(
                    "a new client checks the certificate ({}) and the CertificateVerify signed",
                    negotiated.peer_subject.as_deref().unwrap_or("?"),
                ),
                format!(
                    "with the stolen key ({}), and connects: the attacker is \"localhost\" now.",
                    signature_scheme_name(negotiated.signature_scheme.unwrap_or(0)),
                ),
            ]
        }
        other => vec![format!("the impersonating server was refused: {other:?}")],
    }
}

/// The attacker with the server's ephemeral X25519 key and the recording.
fn with_ephemeral_key(recording: &Recording, dumped: X25519KeyPair) -> Vec<String> {
    let mut out = Vec::new();
    let matches = dumped.public == recording.server_share;
    out.push(format!(
        "its public half is the ServerHello's key_share: {matches}"
    ));
    // RFC 8446 §7.4.2: X25519(server private, client public) is the
    // (EC)DHE input of the key schedule.
    let Some(shared) = dumped.agree(&recording.client_share) else {
        out.push("the client's key_share is a low-order point".into());
        return out;
    };
    out.push(format!(
        "X25519(dumped key, ClientHello key_share) = shared secret {}...",
        hex::encode(&shared.0[..8])
    ));
    let handshake = EarlySecret::new(None).into_handshake_secret(Some(&shared.0));
    let th = recording.transcript_to_server_hello().current();
    out.push(derived(
        "s hs traffic",
        &handshake.server_handshake_traffic_secret(&th),
    ));
    let flight = match read_handshake(recording, &handshake) {
        Ok(flight) => flight,
        Err(error) => {
            out.push(format!(
                "the server's first protected record does not open: {}",
                alert_name(&error)
            ));
            return out;
        }
    };
    // Walk the flight as the client did, so that the CertificateVerify is
    // checked over the transcript through Certificate (RFC 8446 §4.4.3).
    let mut transcript = recording.transcript_to_server_hello();
    let mut server_key = Vec::new();
    for message in &flight.messages {
        let decoded = HandshakeMessage::decode(message);
        let name = decoded.as_ref().map_or("?", |m| m.name());
        let detail = match &decoded {
            Ok(HandshakeMessage::Certificate(certificate)) => certificate
                .certificate_list
                .first()
                .and_then(|entry| x509::Certificate::from_der(&entry.cert_data).ok())
                .map(|cert| {
                    server_key = cert.subject_public_key;
                    format!(": subject {}", cert.subject.text)
                })
                .unwrap_or_default(),
            Ok(HandshakeMessage::CertificateVerify(verify)) => {
                let content = signed_content(SERVER_CONTEXT, transcript.current().as_bytes());
                let valid = crypto::ed25519_verify(&server_key, &content, &verify.signature);
                format!(": signature valid: {valid}")
            }
            _ => String::new(),
        };
        out.push(format!(
            "decrypted the server's {name} ({} bytes){detail}",
            message.len()
        ));
        transcript.add(message);
    }
    out.extend(read_application_data(
        recording,
        handshake,
        &transcript,
        flight.records,
    ));
    out
}

/// The server's handshake flight, decrypted.
struct Flight {
    /// EncryptedExtensions through Finished, each with its 4-byte header.
    messages: Vec<Vec<u8>>,
    /// How many protected records carried them.
    records: usize,
}

/// Decrypt the server's handshake flight with the server handshake traffic
/// secret of `handshake` (RFC 8446 §7.1), up to its Finished. Fails with
/// the error of the first record that does not open.
fn read_handshake(
    recording: &Recording,
    handshake: &HandshakeSecret,
) -> Result<Flight, minitls::Error> {
    let mut transcript = recording.transcript_to_server_hello();
    let secret = handshake.server_handshake_traffic_secret(&transcript.current());
    let mut keys = RecordProtection::new(&secret.traffic_keys());
    let mut flight = Flight {
        messages: Vec::new(),
        records: 0,
    };
    for record in recording.protected(Side::Server) {
        let (_, plaintext) = keys.decrypt(record.clone())?;
        flight.records += 1;
        // One record may carry several handshake messages: each starts
        // with a type byte and a 24-bit length (RFC 8446 §4).
        let mut rest = plaintext.as_slice();
        while rest.len() >= 4 {
            let len = usize::from(rest[1]) << 16 | usize::from(rest[2]) << 8 | usize::from(rest[3]);
            let (message, after) = rest.split_at((4 + len).min(rest.len()));
            transcript.add(message);
            flight.messages.push(message.to_vec());
            rest = after;
            if message[0] == HandshakeType::Finished as u8 {
                return Ok(flight);
            }
        }
    }
    Ok(flight)
}

/// With the transcript through the server's Finished: the application
/// traffic secrets (RFC 8446 §7.1), and what each side sent under them.
fn read_application_data(
    recording: &Recording,
    handshake: HandshakeSecret,
    transcript: &Transcript,
    server_handshake_records: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    let main = handshake.into_master_secret();
    let th = transcript.current();
    // The client's first protected record is its Finished, under its
    // handshake key; the server's handshake flight came before its data.
    let sides = [
        (
            "client",
            "c ap traffic",
            Side::Client,
            main.client_application_traffic_secret_0(&th),
            1,
        ),
        (
            "server",
            "s ap traffic",
            Side::Server,
            main.server_application_traffic_secret_0(&th),
            server_handshake_records,
        ),
    ];
    for (who, label, side, secret, skip) in sides {
        out.push(derived(label, &secret));
        let mut keys = RecordProtection::new(&secret.traffic_keys());
        for record in recording.protected(side).skip(skip) {
            match keys.decrypt(record.clone()) {
                Ok((ContentType::ApplicationData, data)) => out.push(format!(
                    "decrypted the {who}'s application data: {:?}",
                    String::from_utf8_lossy(&data)
                )),
                Ok((other, data)) => out.push(format!(
                    "decrypted a {who} {} record ({} bytes)",
                    other.name(),
                    data.len()
                )),
                Err(error) => out.push(format!(
                    "a {who} record does not open: {}",
                    alert_name(&error)
                )),
            }
        }
    }
    out
}

/// A derived secret by its RFC 8446 §7.1 label, and its first bytes, to
/// compare with the `secret` lines of the handshake's transcript.
fn derived(label: &str, secret: &TrafficSecret) -> String {
    format!(
        "derived {label:<12}  {}...",
        hex::encode(&secret.as_bytes()[..8])
    )
}

/// The alert an error maps to (RFC 8446 §6), as a receiver would send it.
fn alert_name(error: &minitls::Error) -> &'static str {
    error.alert().map_or("no alert", |alert| alert.name())
}
