//! Example 02: the key schedule alone, every secret from given inputs.
//!
//! No connection, no network: the inputs of RFC 8446 §7.1 are given, and
//! this computes each secret in the order of the RFC's diagram, printing
//! it with its label and checking it against RFC 8448 §3, the IETF's worked
//! trace of a handshake (the same values tests/rfc_vectors.rs checks). A
//! wrong value stops the example with the name of the secret.
//!
//! RFC 8448 negotiates TLS_AES_128_GCM_SHA256; its key schedule uses
//! SHA-256 like ours, so every secret is the same. Only the record *key*
//! differs: AES-128 takes 16 bytes, ChaCha20 32, and the length is part of
//! HKDF-Expand-Label's input.
//!
//! Goes with the book's "The key schedule" (book/src/key-schedule.md).
//!
//! ```text
//! cargo run --example 02_key_schedule
//! ```

use minitls::key_schedule::{EarlySecret, derive_secret, finished_verify_data, resumption_psk};
use minitls::transcript::{Transcript, TranscriptHash};

// The inputs, from RFC 8448 §3. The ECDHE shared secret is X25519 of the
// client's and the server's key shares.
const ECDHE: &str = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
const CLIENT_HELLO: &str = "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef\
    6283024dece7000006130113031302010000910000000b0009000006736572766572ff01000100000a\
    00140012001d0017001800190100010101020103010400230000003300260024001d002099381de560\
    e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e04\
    0305030603020308040805080604010501060102010402050206020202002d00020101001c00024001";
const SERVER_HELLO: &str = "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac15577\
    2ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833d\
    f1dd69b1b04e751f0f002b00020304";
// Later transcript hashes. The messages they cover include a 445-byte
// Certificate, so here they are given as hashes; tests/rfc_vectors.rs
// hashes the RFC's messages in full and gets the same values.
const TH_CERTIFICATE_VERIFY: &str =
    "edb7725fa7a3473b031ec8ef65a2485493900138a2b91291407d7951a06110ed";
const TH_SERVER_FINISHED: &str = "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13";
const TH_CLIENT_FINISHED: &str = "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d";

/// Print a value with its label and stop if it is not the RFC's.
fn check(label: &str, ours: &[u8], rfc_8448: &str) {
    let ours = hex::encode(ours);
    println!("  {label:<28} {ours}");
    assert_eq!(ours, rfc_8448, "{label} differs from RFC 8448 §3");
}

fn hash(hex_text: &str) -> TranscriptHash {
    TranscriptHash::from_bytes(hex::decode(hex_text).unwrap().try_into().unwrap())
}

fn main() {
    println!("Early Secret = HKDF-Extract(salt 0, PSK 0): a full handshake has no PSK");
    let early = EarlySecret::new(None);
    let e = "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a";
    check("early secret", early.secret().as_bytes(), e);
    // Each stage's salt is Derive-Secret(previous stage, "derived", "").
    let derived = derive_secret(early.secret(), "derived", &TranscriptHash::of_empty());
    let d = "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba";
    check("derived", derived.as_bytes(), d);

    println!("\nHandshake Secret = HKDF-Extract(derived, ECDHE)");
    let ecdhe = hex::decode(ECDHE).unwrap();
    let handshake = early.into_handshake_secret(Some(&ecdhe));
    let h = "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac";
    check("handshake secret", handshake.secret().as_bytes(), h);
    // Derive-Secret hashes the transcript so far: ClientHello..ServerHello.
    let mut transcript = Transcript::new();
    transcript.add(&hex::decode(CLIENT_HELLO).unwrap());
    transcript.add(&hex::decode(SERVER_HELLO).unwrap());
    let th_hello = transcript.current();
    let t = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8";
    check("Transcript-Hash(CH..SH)", th_hello.as_bytes(), t);
    let client_hs = handshake.client_handshake_traffic_secret(&th_hello);
    let c = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
    check("c hs traffic", client_hs.as_bytes(), c);
    let server_hs = handshake.server_handshake_traffic_secret(&th_hello);
    let s = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
    check("s hs traffic", server_hs.as_bytes(), s);

    println!("\n  each traffic secret gives record keys (§7.3) and a finished_key (§4.4.4)");
    let keys = server_hs.traffic_keys();
    println!(
        "  {:<28} {}",
        "server write key (ChaCha20)",
        hex::encode(keys.key)
    );
    check("server write iv", &keys.iv, "5d313eb2671276ee13000b30");
    let f = "008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8";
    check(
        "server finished_key",
        server_hs.finished_key().as_bytes(),
        f,
    );
    let server_finished = finished_verify_data(&server_hs, &hash(TH_CERTIFICATE_VERIFY));
    let v = "9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";
    check("server Finished verify_data", &server_finished, v);
    let client_finished = finished_verify_data(&client_hs, &hash(TH_SERVER_FINISHED));
    let v = "a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61";
    check("client Finished verify_data", &client_finished, v);

    println!("\nMaster Secret = HKDF-Extract(derived, 0)");
    let derived = derive_secret(handshake.secret(), "derived", &TranscriptHash::of_empty());
    let d = "43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4";
    check("derived", derived.as_bytes(), d);
    let master = handshake.into_master_secret();
    let m = "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919";
    check("master secret", master.secret().as_bytes(), m);
    // The application secrets hash ClientHello..server Finished.
    let th_sf = hash(TH_SERVER_FINISHED);
    let c = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
    check(
        "c ap traffic",
        master
            .client_application_traffic_secret_0(&th_sf)
            .as_bytes(),
        c,
    );
    let s = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";
    check(
        "s ap traffic",
        master
            .server_application_traffic_secret_0(&th_sf)
            .as_bytes(),
        s,
    );
    let x = "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50";
    check(
        "exp master",
        master.exporter_master_secret(&th_sf).as_bytes(),
        x,
    );
    // The resumption master secret also covers the client's Finished.
    let res_master = master.resumption_master_secret(&hash(TH_CLIENT_FINISHED));
    let r = "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c";
    check("res master", res_master.as_bytes(), r);

    println!("\nThe PSK a NewSessionTicket stands for (§4.6.1), ticket_nonce 00 00");
    let psk = resumption_psk(&res_master, &[0, 0]);
    let p = "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3";
    check("resumption PSK", psk.as_bytes(), p);
    println!("\nall values match RFC 8448 §3");
}
