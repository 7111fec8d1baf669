//! Check of exercise 02 (a leaked ephemeral key opens a recorded
//! handshake): first against RFC 8448 §3, then against a real minitls
//! handshake whose client key "leaks" through its predictable seeded RNG.

use minitls::crypto::random_array;
use minitls::key_schedule::SecretLabel;
use minitls::messages::HandshakeMessage;
use minitls::testing::rfc8448::{
    CLIENT_HELLO, EXTRACT_HANDSHAKE, S_HS_TRAFFIC, SERVER_HELLO, rfc, rfc32,
};
use minitls::testing::{CLIENT_SEED, Pair, SeededRng};
use minitls::trace::{NoObserver, RecordedEvent, Recorder};

use super::same;
use crate::e02_forward_secrecy::{server_handshake_traffic_secret, shared_secret};

/// The X25519 public key in a ClientHello's or ServerHello's key_share.
fn key_share(hello: &[u8]) -> Option<[u8; 32]> {
    let share = match HandshakeMessage::decode(hello).ok()? {
        HandshakeMessage::ClientHello(ch) => ch.extensions.key_share?.first()?.key_exchange.clone(),
        HandshakeMessage::ServerHello(sh) => sh.extensions.key_share?.key_exchange,
        _ => return None,
    };
    share.try_into().ok()
}

/// The 32 bytes of `seed`'s stream whose X25519 public key is `public`:
/// the private key a client seeded with `seed` drew. The leak.
fn leaked_private_key(seed: u64, public: &[u8; 32]) -> Option<[u8; 32]> {
    let stream = random_array::<512>(&mut SeededRng::new(seed));
    stream.windows(32).find_map(|window| {
        let private: [u8; 32] = window.try_into().ok()?;
        let secret = x25519_dalek::StaticSecret::from(private);
        (x25519_dalek::PublicKey::from(&secret).as_bytes() == public).then_some(private)
    })
}

/// Holds the student's key schedule to RFC 8448, then the whole path from
/// a leaked key to a real handshake's secret.
pub fn check() -> Result<(), String> {
    // RFC 8448 §3 prints the shared secret as the IKM of the handshake
    // Extract, and the server handshake traffic secret it leads to.
    same(
        "server_handshake_traffic_secret of RFC 8448 §3 (from its IKM and hellos)",
        &server_handshake_traffic_secret(
            &rfc32(EXTRACT_HANDSHAKE, "IKM"),
            &rfc(CLIENT_HELLO, "ClientHello"),
            &rfc(SERVER_HELLO, "ServerHello"),
        ),
        &rfc(S_HS_TRAFFIC, "expanded"),
    )?;

    // A real handshake, recorded by the client's observer.
    let recorder = Recorder::default();
    let mut pair = Pair::deterministic(Box::new(recorder.clone()), Box::new(NoObserver));
    pair.drive()
        .map_err(|e| format!("the handshake failed: {e}"))?;
    let events = recorder.events();
    let message = |wanted: &str| {
        events.iter().find_map(|event| match event {
            RecordedEvent::MessageSent(name, bytes)
            | RecordedEvent::MessageReceived(name, bytes)
                if *name == wanted =>
            {
                Some(bytes.clone())
            }
            _ => None,
        })
    };
    let (Some(client_hello), Some(server_hello)) = (message("ClientHello"), message("ServerHello"))
    else {
        return Err("the recorded handshake has no hellos (a bug in the check)".into());
    };
    let minitls_secret = events
        .iter()
        .find_map(|event| match event {
            RecordedEvent::SecretDerived(SecretLabel::ServerHandshakeTraffic, s) => Some(s.clone()),
            _ => None,
        })
        .ok_or("minitls derived no server handshake traffic secret (a bug in the check)")?;
    let (Some(client_public), Some(server_public)) =
        (key_share(&client_hello), key_share(&server_hello))
    else {
        return Err("the recorded hellos carry no X25519 key_share (a bug in the check)".into());
    };
    let client_private = leaked_private_key(CLIENT_SEED, &client_public)
        .ok_or("the client's key is not in its seeded RNG's stream (a bug in the check)")?;

    let shared = shared_secret(client_private, server_public);
    if shared == [0; 32] {
        return Err("shared_secret returned all zeros: is it X25519?".into());
    }
    same(
        "server_handshake_traffic_secret of the recorded handshake, from the leaked client key",
        &server_handshake_traffic_secret(&shared, &client_hello, &server_hello),
        &minitls_secret,
    )
}
