//! The key schedule against RFC 8448 §3, "Simple 1-RTT Handshake".
//!
//! RFC 8448 is the IETF's worked trace of complete TLS 1.3 handshakes, with
//! every intermediate secret printed. Its §3 handshake negotiates
//! TLS_AES_128_GCM_SHA256 over X25519, so its SHA-256 key schedule is the
//! same as ours (TLS_CHACHA20_POLY1305_SHA256) up to the record keys.
//!
//! The trace is pasted below as RFC text, not as Rust arrays: each value is
//! looked up by the heading of the trace step it appears in (e.g.
//! `{server}  extract secret "early":`) and the caption of its hex block
//! (e.g. `secret`), and the hex is parsed at run time by [`parse_vector`],
//! which also checks the caption's octet count.
//!
//! What is checked, each against the RFC value named in its test:
//!
//! - the early secret (no PSK), the "derived" salt for the handshake secret,
//!   the handshake secret from the trace's ECDHE shared secret;
//! - [`Transcript`] over the trace's own handshake messages: the hash of
//!   ClientHello..ServerHello, ..server Finished and ..client Finished;
//! - the client and server handshake traffic secrets, their finished keys,
//!   and both Finished verify_data values;
//! - the "derived" salt for the master secret, the master secret, the client
//!   and server application traffic secrets, the exporter and resumption
//!   master secrets;
//! - `hkdf_expand_label` for the server's handshake and application write
//!   key and IV at the RFC's AES-128-GCM lengths, and the IV that
//!   `TrafficSecret::traffic_keys` derives;
//! - the PSK for the ticket sent at the end of §3 ("resumption" label, ticket
//!   nonce 00 00).

use minitls::key_schedule::{
    EarlySecret, HandshakeSecret, MasterSecret, TrafficSecret, derive_secret, finished_verify_data,
    hkdf_expand_label,
};
use minitls::testing::rfc8448::*;
use minitls::transcript::{Transcript, TranscriptHash};

/// Asserts our value equals the RFC's, comparing as hex for a readable diff.
fn check(what: &str, ours: &[u8], step: &str, field: &str) {
    assert_eq!(
        hex::encode(ours),
        hex::encode(rfc(step, field)),
        "{what} differs from RFC 8448 §3, step `{step}`, value `{field}`"
    );
}

// ---------------------------------------------------------------------------
// Building the schedule from the trace's inputs.

/// The ECDHE shared secret of the trace: the IKM of the handshake-secret
/// extract (X25519 of the client and server key shares).
fn ecdhe() -> [u8; 32] {
    rfc32(EXTRACT_HANDSHAKE, "IKM")
}

fn handshake_secret() -> HandshakeSecret {
    EarlySecret::new(None).into_handshake_secret(Some(&ecdhe()))
}

fn master_secret() -> MasterSecret {
    handshake_secret().into_master_secret()
}

/// The trace's handshake messages, in transcript order, each with its step.
const MESSAGES: [(&str, &str); 7] = [
    (CLIENT_HELLO, "ClientHello"),
    (SERVER_HELLO, "ServerHello"),
    (ENCRYPTED_EXTENSIONS, "EncryptedExtensions"),
    (CERTIFICATE, "Certificate"),
    (CERTIFICATE_VERIFY, "CertificateVerify"),
    (SERVER_FINISHED, "Finished"),
    (CLIENT_FINISHED, "Finished"),
];

/// Our transcript hash over the first `n` messages of [`MESSAGES`].
fn transcript_of_first(n: usize) -> TranscriptHash {
    let mut transcript = Transcript::new();
    for (step, field) in &MESSAGES[..n] {
        transcript.add(&rfc(step, field));
    }
    transcript.current()
}

/// Transcript-Hash(ClientHello, ServerHello).
fn th_server_hello() -> TranscriptHash {
    transcript_of_first(2)
}

/// Transcript-Hash(ClientHello .. CertificateVerify).
fn th_certificate_verify() -> TranscriptHash {
    transcript_of_first(5)
}

/// Transcript-Hash(ClientHello .. server Finished).
fn th_server_finished() -> TranscriptHash {
    transcript_of_first(6)
}

/// Transcript-Hash(ClientHello .. client Finished).
fn th_client_finished() -> TranscriptHash {
    transcript_of_first(7)
}

fn client_hs() -> TrafficSecret {
    handshake_secret().client_handshake_traffic_secret(&th_server_hello())
}

fn server_hs() -> TrafficSecret {
    handshake_secret().server_handshake_traffic_secret(&th_server_hello())
}

// ---------------------------------------------------------------------------
// The vector parser itself.

#[test]
fn parse_vector_reads_multi_line_blocks_and_checks_the_octet_count() {
    let block = "
      key expanded (3 octets):  3f ce
         51

      iv (1 octets):  00
";
    assert_eq!(parse_vector(block, "key expanded"), [0x3f, 0xce, 0x51]);
    assert_eq!(parse_vector(block, "iv"), [0x00]);
    let miscounted = std::panic::catch_unwind(|| parse_vector("x (2 octets):  01", "x"));
    assert!(miscounted.is_err(), "a wrong octet count must be rejected");
}

// ---------------------------------------------------------------------------
// Early and handshake secrets.

#[test]
fn early_secret() {
    check(
        "EarlySecret::new(None)",
        EarlySecret::new(None).secret().as_bytes(),
        EXTRACT_EARLY,
        "secret",
    );
}

#[test]
fn empty_transcript_hash() {
    check(
        "TranscriptHash::of_empty()",
        TranscriptHash::of_empty().as_bytes(),
        DERIVED_FOR_HANDSHAKE,
        "hash",
    );
}

#[test]
fn derived_secret_for_handshake() {
    let early = EarlySecret::new(None);
    let derived = derive_secret(early.secret(), "derived", &TranscriptHash::of_empty());
    check(
        "Derive-Secret(early secret, \"derived\", \"\")",
        derived.as_bytes(),
        DERIVED_FOR_HANDSHAKE,
        "expanded",
    );
    // The same value is the salt of the next extract.
    check(
        "the handshake-secret salt",
        derived.as_bytes(),
        EXTRACT_HANDSHAKE,
        "salt",
    );
}

#[test]
fn handshake_secret_from_ecdhe() {
    check(
        "EarlySecret::into_handshake_secret(ECDHE)",
        handshake_secret().secret().as_bytes(),
        EXTRACT_HANDSHAKE,
        "secret",
    );
}

#[test]
fn transcript_hash_client_hello_server_hello() {
    check(
        "Transcript over ClientHello, ServerHello",
        th_server_hello().as_bytes(),
        C_HS_TRAFFIC,
        "hash",
    );
}

#[test]
fn client_handshake_traffic_secret() {
    check(
        "client_handshake_traffic_secret",
        client_hs().as_bytes(),
        C_HS_TRAFFIC,
        "expanded",
    );
}

#[test]
fn server_handshake_traffic_secret() {
    check(
        "server_handshake_traffic_secret",
        server_hs().as_bytes(),
        S_HS_TRAFFIC,
        "expanded",
    );
}

// ---------------------------------------------------------------------------
// Record keys. RFC 8448 uses AES-128-GCM, so its write key is 16 bytes and
// is checked at that length through hkdf_expand_label. Our suite's 32-byte
// ChaCha20-Poly1305 key (HKDF-Expand-Label with length 32) is not in the RFC
// and so is not checked here. The 12-byte IV has the same length in both
// suites, so `traffic_keys().iv` is checked too.

#[test]
fn server_handshake_write_key_and_iv() {
    let secret = server_hs();
    let mut key = [0u8; 16];
    hkdf_expand_label(secret.as_bytes(), "key", b"", &mut key);
    check(
        "hkdf_expand_label(s hs traffic, \"key\", \"\", 16)",
        &key,
        SERVER_HS_KEYS,
        "key expanded",
    );
    let mut iv = [0u8; 12];
    hkdf_expand_label(secret.as_bytes(), "iv", b"", &mut iv);
    check(
        "hkdf_expand_label(s hs traffic, \"iv\", \"\", 12)",
        &iv,
        SERVER_HS_KEYS,
        "iv expanded",
    );
    check(
        "TrafficSecret::traffic_keys().iv (s hs traffic)",
        &secret.traffic_keys().iv,
        SERVER_HS_KEYS,
        "iv expanded",
    );
}

#[test]
fn server_application_write_key_and_iv() {
    let secret = master_secret().server_application_traffic_secret_0(&th_server_finished());
    let mut key = [0u8; 16];
    hkdf_expand_label(secret.as_bytes(), "key", b"", &mut key);
    check(
        "hkdf_expand_label(s ap traffic, \"key\", \"\", 16)",
        &key,
        SERVER_AP_KEYS,
        "key expanded",
    );
    let mut iv = [0u8; 12];
    hkdf_expand_label(secret.as_bytes(), "iv", b"", &mut iv);
    check(
        "hkdf_expand_label(s ap traffic, \"iv\", \"\", 12)",
        &iv,
        SERVER_AP_KEYS,
        "iv expanded",
    );
    check(
        "TrafficSecret::traffic_keys().iv (s ap traffic)",
        &secret.traffic_keys().iv,
        SERVER_AP_KEYS,
        "iv expanded",
    );
}

// ---------------------------------------------------------------------------
// Finished.

#[test]
fn server_finished_key() {
    check(
        "server finished_key()",
        server_hs().finished_key().as_bytes(),
        SERVER_FINISHED_CALC,
        "expanded",
    );
}

#[test]
fn client_finished_key() {
    check(
        "client finished_key()",
        client_hs().finished_key().as_bytes(),
        CLIENT_FINISHED_CALC,
        "expanded",
    );
}

#[test]
fn server_finished_verify_data() {
    let verify_data = finished_verify_data(&server_hs(), &th_certificate_verify());
    check(
        "server Finished verify_data over ClientHello..CertificateVerify",
        &verify_data,
        SERVER_FINISHED_CALC,
        "finished",
    );
}

#[test]
fn client_finished_verify_data() {
    let verify_data = finished_verify_data(&client_hs(), &th_server_finished());
    check(
        "client Finished verify_data over ClientHello..server Finished",
        &verify_data,
        CLIENT_FINISHED_CALC,
        "finished",
    );
}

// ---------------------------------------------------------------------------
// Master secret and what comes from it.

#[test]
fn derived_secret_for_master() {
    let derived = derive_secret(
        handshake_secret().secret(),
        "derived",
        &TranscriptHash::of_empty(),
    );
    check(
        "Derive-Secret(handshake secret, \"derived\", \"\")",
        derived.as_bytes(),
        DERIVED_FOR_MASTER,
        "expanded",
    );
}

#[test]
fn master_secret_from_handshake_secret() {
    check(
        "HandshakeSecret::into_master_secret()",
        master_secret().secret().as_bytes(),
        EXTRACT_MASTER,
        "secret",
    );
}

#[test]
fn transcript_hash_through_server_finished() {
    check(
        "Transcript over ClientHello..server Finished",
        th_server_finished().as_bytes(),
        C_AP_TRAFFIC,
        "hash",
    );
}

#[test]
fn client_application_traffic_secret_0() {
    check(
        "client_application_traffic_secret_0",
        master_secret()
            .client_application_traffic_secret_0(&th_server_finished())
            .as_bytes(),
        C_AP_TRAFFIC,
        "expanded",
    );
}

#[test]
fn server_application_traffic_secret_0() {
    check(
        "server_application_traffic_secret_0",
        master_secret()
            .server_application_traffic_secret_0(&th_server_finished())
            .as_bytes(),
        S_AP_TRAFFIC,
        "expanded",
    );
}

#[test]
fn exporter_master_secret() {
    check(
        "exporter_master_secret",
        master_secret()
            .exporter_master_secret(&th_server_finished())
            .as_bytes(),
        EXP_MASTER,
        "expanded",
    );
}

#[test]
fn transcript_hash_through_client_finished() {
    check(
        "Transcript over ClientHello..client Finished",
        th_client_finished().as_bytes(),
        RES_MASTER,
        "hash",
    );
}

#[test]
fn resumption_master_secret() {
    check(
        "resumption_master_secret",
        master_secret()
            .resumption_master_secret(&th_client_finished())
            .as_bytes(),
        RES_MASTER,
        "expanded",
    );
}

#[test]
fn ticket_psk_from_resumption_master_secret() {
    // RFC 8446 §4.6.1: PSK = HKDF-Expand-Label(resumption_master_secret,
    // "resumption", ticket_nonce, Hash.length). The trace prints the ticket
    // nonce (00 00) as the step's "hash".
    let res_master = master_secret().resumption_master_secret(&th_client_finished());
    let nonce = rfc(RESUMPTION_PSK, "hash");
    let mut psk = [0u8; 32];
    hkdf_expand_label(res_master.as_bytes(), "resumption", &nonce, &mut psk);
    check(
        "hkdf_expand_label(res master, \"resumption\", nonce, 32)",
        &psk,
        RESUMPTION_PSK,
        "expanded",
    );
}
